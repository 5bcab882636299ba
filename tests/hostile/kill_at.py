"""Run the `pactlab` command and die at a chosen point, as a SIGKILL or a power cut would.

    python kill_at.py POINT pactlab-args…

POINT is ``checkpoint`` (just before the run's first checkpoint), ``record:N`` (just before the
audit trail's record N, counted from 0, is written) or ``outputs:N`` (after N output files
are in place). The process exits with `KILLED` at once (``os._exit``: no cleanup, no flush),
so what is on disk is what a kill at that instruction leaves.
"""

from __future__ import annotations

import os
import runpy
import sys
from typing import Any

KILLED = 137


def die() -> None:
    os._exit(KILLED)


def arm(point: str) -> None:
    where, _, count = point.partition(":")
    if where == "checkpoint":
        from langgraph.graph.state import CompiledStateGraph

        def no_checkpoint(self: Any, *args: Any, **kwargs: Any) -> Any:
            die()

        CompiledStateGraph.update_state = no_checkpoint  # type: ignore[method-assign]
    elif where == "record":
        from evals.audit import AuditWriter

        append = AuditWriter._append
        limit = int(count)

        def dying_append(self: AuditWriter, *args: Any, **kwargs: Any) -> Any:
            if self.records == limit:
                die()
            return append(self, *args, **kwargs)

        AuditWriter._append = dying_append  # type: ignore[method-assign]
    elif where == "outputs":
        replace = os.replace
        left = [int(count)]

        def dying_replace(src: Any, dst: Any, **kwargs: Any) -> None:
            if left[0] == 0:
                die()
            replace(src, dst, **kwargs)
            left[0] -= 1

        os.replace = dying_replace
    else:
        raise SystemExit(f"unknown kill point {point!r}")


if __name__ == "__main__":
    arm(sys.argv[1])
    sys.argv = ["pactlab", *sys.argv[2:]]
    runpy.run_module("pactlab", run_name="__main__")
