"""Rehearsal in the browser: `pactlab serve` starts a local FastAPI app (see `pactlab.app.web.app`).

- `app`: `create_app`, which assembles the app: security middleware, static files, the routers;
- `pages`, `api`, `events`, `scenarios`, `run_files`: the routers (HTML pages; the JSON API and
  the person's actions; the live event stream; the scenario files and uploads; an agreed
  rehearsal's term sheet), which get what they need through `dependencies`;
- `library`: the scenario files offered, by id (folders, uploads, shipped); `scenario_check`: a
  file's bytes checked as the CLI checks them, within the loader's bounds;
- `display`: what the pages show, worked out from a rehearsal's view; `forms`: request bodies checked;
- `steps`: a person's move or approval played in a worker thread; `live`: the version hub the
  event streams wait on;
- `templates` and the ``templates/`` and ``static/`` folders (package resources); `server`: `serve`.
"""
