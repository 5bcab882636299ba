"""`pactlab serve`: bind the socket (loopback by default), announce the address and the scenario files, run uvicorn."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable, Sequence
from pathlib import Path

import uvicorn

from pactlab.app.rehearsal import Rehearsals
from pactlab.app.web.app import create_app
from pactlab.app.web.library import UPLOADS, Library, default_folders
from pactlab.app.web.limits import DEFAULT_MAX_BODY


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    out: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    pace: float = 0.3,
    scenario_folders: Sequence[Path] | None = None,
    announce: Callable[[str], object] = print,
    max_body: int = DEFAULT_MAX_BODY,
) -> None:
    """Serve rehearsals stored under `out` until interrupted; prints the address (useful with port 0).

    The start page offers the scenario files of `scenario_folders` (None: ``./scenarios`` if it
    exists), then the uploads (kept under ``out/_uploads``), then the shipped scenarios. A request body of
    more than `max_body` bytes is refused (413) before it is read.
    """
    library = Library(default_folders(Path.cwd()) if scenario_folders is None else scenario_folders, out / UPLOADS)
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host.strip("[]"), port))
    sock.listen(128)
    bound = sock.getsockname()[1]
    shown = f"[{host.strip('[]')}]" if family == socket.AF_INET6 else host
    with Rehearsals(out) as service:
        app = create_app(service, library=library, pace=pace, local_only=is_loopback(host), max_body=max_body)
        if not is_loopback(host):
            announce(f"warning: listening on {host}, not loopback: anyone who can reach it can rehearse (no login)")
        folders = "".join(f"{folder.path}{os.sep}, " for folder in library.folders)
        announce(f"scenario files from: {folders}the shipped scenarios; uploads kept in {library.uploads}")
        announce(f"pactlab rehearsals on http://{shown}:{bound}/ (rehearsals in {out}; Ctrl-C stops)")
        config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=2, lifespan="on")
        server = uvicorn.Server(config)
        try:
            server.run(sockets=[sock])
        finally:
            app.state.hub.close()
            app.state.workers.shutdown(wait=True, cancel_futures=False)
            sock.close()
