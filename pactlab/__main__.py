"""`python -m pactlab` is the `pactlab` command."""

from pactlab.app.cli import main

main()
