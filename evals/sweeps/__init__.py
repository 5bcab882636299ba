"""Judging a sweep: figures by factor with confidence intervals, robust term sheets, plots, report.

Works on plain run records (`runs.SweepRun`) so the same figures come from a result store or
from the runs' audit transcripts alone. Import the modules themselves (this package imports
nothing heavy, so sweep workers can use `violations` without loading matplotlib):

- `violations`: policy violations of a run from its audit trail;
- `stats`: Wilson and Student-t 95% intervals;
- `aggregate`: overall, by factor level, by variant; the most robust term sheets;
- `plots`, `html`, `template`, `export`, `report`: the PNGs, the HTML page, the CSV, the files.
"""
