"""One writer per negotiation, and a serialised opening of the shared checkpoint store.

Every process that moves a negotiation (`pactlab run`, `resume`, `rehearse`, the web service,
sweep workers) goes through `Negotiations`, which holds an exclusive advisory lock
(``flock``) on a small file per negotiation id for as long as it writes: a second writer is
refused at once with `NegotiationBusy` and writes nothing. The kernel releases the lock when
its holder exits, killed or not, so a crash never leaves a stale lock behind.

The lock files live beside the checkpoint store (``checkpoints.sqlite.locks/ID.lock``) and
hold the pid of the current writer, for the error message only. `sole_writer` is the same lock
for any file: a sweep holds one on its output folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from pactlab.errors import Conflict


class NegotiationBusy(Conflict, RuntimeError):
    """Another process is writing this negotiation (a run, resume, rehearsal or web seat)."""


def locks_folder(checkpoint_path: Path) -> Path:
    """Where the writer locks of the runs in a checkpoint store live."""
    return checkpoint_path.with_name(checkpoint_path.name + ".locks")


@contextlib.contextmanager
def exclusive(path: Path, *, blocking: bool) -> Iterator[int]:
    """Hold an exclusive ``flock`` on `path` (created if missing); yields the open descriptor.

    Non-blocking: raises BlockingIOError at once when another process holds it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        yield fd
    finally:
        os.close(fd)  # closing the descriptor releases the lock


@contextlib.contextmanager
def sole_writer(path: Path, busy: Callable[[str], Exception]) -> Iterator[None]:
    """Hold the lock file `path` for this process alone, or raise ``busy(holder)`` at once.

    ``holder`` is " (pid N)" naming the process that holds it, or "" if unknown.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise busy(_holder(path)) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def writer(checkpoint_path: Path, negotiation_id: str) -> contextlib.AbstractContextManager[None]:
    """Hold negotiation `negotiation_id`'s writer lock, or raise NegotiationBusy naming the holder."""

    def busy(holder: str) -> NegotiationBusy:
        return NegotiationBusy(
            f"negotiation {negotiation_id!r} is being written by another process{holder}; "
            "wait for it to finish (or stop it), then try again"
        )

    return sole_writer(locks_folder(checkpoint_path) / f"{negotiation_id}.lock", busy)


@contextlib.contextmanager
def opening(checkpoint_path: Path) -> Iterator[None]:
    """Serialise opening the shared store: switching to WAL and creating tables need it alone."""
    with exclusive(locks_folder(checkpoint_path) / ".open.lock", blocking=True):
        yield


def _holder(path: Path) -> str:
    try:
        pid = path.read_text("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""


__all__ = ["NegotiationBusy", "exclusive", "locks_folder", "opening", "sole_writer", "writer"]
