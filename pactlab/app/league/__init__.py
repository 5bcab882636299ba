"""Leagues: negotiator types × scenarios × seats × seeds, run on the sweep machinery and ranked.

- `model`: the league file (a pydantic model, loaded through `pactlab.domain.loader`);
- `plan`: seat assignments, the size check, the expansion into a sweep's variants and runs;
- `reading`: the league's store read back for the report (`evals.league`).
"""
