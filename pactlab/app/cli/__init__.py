"""The `pactlab` command line: `app` is the typer app, `main` the console script.

`pactlab.app.cli.main` assembles the commands; `pactlab.app.cli.errors` maps error classes to
exit codes (`pactlab.app.cli.exit_codes`).
"""

from pactlab.app.cli.main import app, main

__all__ = ["app", "main"]
