"""Exploration sweeps: many negotiations over scenario variants, run concurrently and resumably.

- `model`: the sweep file (base scenario, fixed and varied settings, seeds, budget, limits);
- `paths`, `settings`: a variant applied to the scenario's dict form and re-validated;
- `plan`, `loading`: designs expanded into variants and runs; every variant checked first;
- `store`: the SQLite result store (one row per run);
- `execute`, `pool`, `ray_backend`, `aio`: running runs (worker, process pool, Ray, asyncio);
- `budget`, `sweeper`: the budget stop and the loop that ties them together.
"""

from pactlab.app.sweeps.loading import LoadedSweep, load_sweep
from pactlab.app.sweeps.model import Sweep
from pactlab.app.sweeps.store import STORE, Store
from pactlab.app.sweeps.sweeper import RUNS, SweepOutcome, run_sweep

__all__ = ["RUNS", "STORE", "LoadedSweep", "Store", "Sweep", "SweepOutcome", "load_sweep", "run_sweep"]
