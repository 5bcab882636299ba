"""How `pactlab` reports errors: the one place where error classes meet exit codes.

A command raises the `pactlab.errors` class that says what went wrong (or lets a lower
layer's exception through); `PactlabGroup`, the root command group, catches it once:

- an expected error (a `PactlabError`) prints one ``error:`` line per problem, no traceback,
  and exits with the code of its nearest class in `EXIT_CODES`;
- anything else (and `InternalError`) is a bug: exit 1 with the traceback;
- ``pactlab --debug`` prints the traceback of every error.

Commands still end with ``typer.Exit(code)`` for outcomes that are not errors (0 agreement,
3 no agreement); usage errors (an unknown option, a missing argument) stay click's: exit 2.
"""

from __future__ import annotations

import errno
import sys
import traceback
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from pactlab.app.cli import exit_codes
from pactlab.errors import (
    BadInput,
    Conflict,
    ExternalError,
    Incomplete,
    InternalError,
    NotFound,
    PactlabError,
    RecordError,
)

EXIT_CODES: dict[type[BaseException], int] = {
    BadInput: exit_codes.BAD_INPUT,
    NotFound: exit_codes.NOT_FOUND,
    Incomplete: exit_codes.INCOMPLETE,
    RecordError: exit_codes.TAMPERED,
    Conflict: exit_codes.CONFLICT,
    ExternalError: exit_codes.FAILURE,
    InternalError: exit_codes.FAILURE,
    PactlabError: exit_codes.FAILURE,
}
"""Exit code per error class; an exception takes the code of the first of its classes (MRO) listed here."""

DEBUG_PARAM = "debug"
"""The root option (``--debug``) that shows every error's traceback."""

stderr = Console(emoji=False, stderr=True, highlight=False, soft_wrap=True)
_ERROR = "error: "


def exit_code(exc: BaseException) -> int:
    """The exit code for `exc`: that of its nearest class in `EXIT_CODES`, else 1 (a bug)."""
    for cls in type(exc).__mro__:
        code = EXIT_CODES.get(cls)
        if code is not None:
            return code
    return exit_codes.FAILURE


def is_expected(exc: BaseException) -> bool:
    """Whether `exc` is an error pactlab raises on purpose (reported without traceback), not a bug."""
    return isinstance(exc, PactlabError) and not isinstance(exc, InternalError)


def problem_lines(exc: BaseException) -> list[str]:
    """What to print for an expected error: one line per problem, then its notes.

    A `problems` list (a `FileError`'s, file:line:column each) gives one line each; otherwise the
    message's first line is the problem, and any further lines (a server's log tail) follow it.
    """
    problems = getattr(exc, "problems", None)
    if isinstance(problems, list | tuple) and problems:
        lines = [f"{_ERROR}{p}" for p in problems]
    else:
        first, *rest = str(exc).splitlines() or [type(exc).__name__]
        lines = [f"{_ERROR}{first}", *(f"  {line}" for line in rest)]
    return lines + [f"  {note}" for note in getattr(exc, "__notes__", ())]


def report(exc: BaseException, *, debug: bool = False) -> int:
    """Print `exc` for the person at the terminal (stderr) and return the exit code it means."""
    expected = is_expected(exc)
    if debug or not expected:
        traceback.print_exception(exc, file=sys.stderr)
        sys.stderr.flush()
    if expected:
        for line in problem_lines(exc):
            if line.startswith(_ERROR):
                stderr.print(f"[bold red]{_ERROR}[/]{escape(line.removeprefix(_ERROR))}")
            else:
                stderr.print(line, markup=False)
    else:
        stderr.print(
            f"[bold red]internal error:[/] {escape(type(exc).__name__)}: {escape(str(exc))}\n"
            "This is a bug in pactlab; please report it with the traceback above."
        )
    return exit_code(exc)


def debugging(ctx: Any) -> bool:
    """Whether the command runs under ``pactlab --debug`` (for commands that report errors and go on)."""
    return bool(ctx.find_root().params.get(DEBUG_PARAM))


def _passes_through(exc: BaseException) -> bool:
    """Exceptions the command framework handles itself: exits, aborts, usage errors, a closed pipe."""
    if isinstance(exc, typer.Exit | typer.Abort | typer.TyperException):
        return True
    return isinstance(exc, OSError) and exc.errno == errno.EPIPE


class PactlabGroup(TyperGroup):
    """The root command group: runs the command and turns whatever it raises into an exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if _passes_through(exc):
                raise
            code = report(exc, debug=bool(ctx.params.get(DEBUG_PARAM)))
            raise typer.Exit(code) from None
