"""`python -m evals.schemas`: write the JSON Schema files again from the models."""

from evals.schemas import main

main()
