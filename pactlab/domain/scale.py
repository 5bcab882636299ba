"""When an outcome space is too large to enumerate: the one place that decides, by size.

Two code paths exist for everything that looks at the whole outcome space:

- *enumerating* (today's exact code): the evaluator folds the Pareto frontier issue by issue
  (`evals.frontier`), the strategy agents sort every acceptable outcome into an offer book;
- *optimising* (for large spaces): the evaluator answers its questions (is the deal Pareto
  optimal, how far is it from the frontier, where are the Nash, Kalai–Smorodinsky and
  utilitarian points) with mixed-integer programs over the linear-additive utilities
  (`evals.optimise`), whose size is the *sum* of the issues' option counts, not their product.

`frontier_enumerable` and `book_enumerable` are the only switches; everything else asks them.
The limits, and why:

- ``FRONTIER_LIMITS``: the exact Minkowski fold's cost grows with the frontier, which grows
  with the number of parties (measured on the benchmark's generated scenarios, 2 cores:
  3 parties 10^8 outcomes 0.06 s; 4 parties 10^10 20 s; 6 parties 10^6 3.6 s, 10^8 > 150 s;
  8 parties 10^6 83 s). The fold runs up to these cardinalities; above, the optimiser.
- ``BOOK_LIMIT``: an offer book holds a few arrays of one entry per outcome (about 30 bytes
  each) and sorts them: 10^6 outcomes take about 0.3 s and 30 MB per agent.
- ``OPTIMISE_LIMIT``: outcome indices are int64, so a space must have fewer than 2^63
  outcomes; the optimiser itself never allocates per outcome. The loader may refuse larger
  spaces at or below this figure.
"""

from __future__ import annotations

FRONTIER_LIMITS: tuple[tuple[int, int], ...] = ((3, 10**9), (5, 10**7), (7, 10**5), (10**9, 10**4))
"""(most parties, largest cardinality) pairs: the exact frontier fold runs up to that cardinality."""

BOOK_LIMIT: int = 10**6
"""Largest outcome space a strategy agent or the mediator enumerates."""

OPTIMISE_LIMIT: int = 10**18
"""Largest outcome space pactlab handles at all (outcome indices are int64)."""


def frontier_enumerable(cardinality: int, n_parties: int) -> bool:
    """Whether the exact Pareto frontier is computed (else the evaluator optimises per question)."""
    for parties, limit in FRONTIER_LIMITS:
        if n_parties <= parties:
            return cardinality <= limit
    return False


def book_enumerable(cardinality: int) -> bool:
    """Whether agents enumerate the outcome space (offer books, the mediator's candidates)."""
    return cardinality <= BOOK_LIMIT


__all__ = ["BOOK_LIMIT", "FRONTIER_LIMITS", "OPTIMISE_LIMIT", "book_enumerable", "frontier_enumerable"]
