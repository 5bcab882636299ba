"""The `pactlab` command line."""

from pactlab.app.cli.app import app


def main() -> None:
    """The `pactlab` console script."""
    app()


__all__ = ["app", "main"]
