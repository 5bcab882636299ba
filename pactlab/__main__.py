"""`python -m pactlab` is the `pactlab` command."""

from pactlab.cli import app

app()
