"""Rehearsal in the browser: `pactlab serve` starts a local FastAPI app (see `pactlab.app.web.app`)."""
