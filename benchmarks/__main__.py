"""`python -m benchmarks`: every benchmark, one after the other (on demand, not a test)."""

from benchmarks import negotiations, outcome_space

outcome_space.print_table(outcome_space.run())
negotiations.main([])
