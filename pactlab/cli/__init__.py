"""The `pactlab` command line."""

from pactlab.cli.app import app

__all__ = ["app"]
