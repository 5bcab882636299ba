"""The Pareto frontier of an outcome space under linear-additive utility functions.

What is computed
    The *agreement space* is the set of outcomes that satisfy every party's hard constraints.
    The Pareto frontier is the set of agreement-space outcomes whose utility vector no other
    agreement-space outcome weakly dominates (another outcome is at least as good for every
    party and better for one). Outcomes with equal utility vectors do not dominate each other,
    so all of them are on the frontier (but see "Duplicates" below).

How (and why this is fast)
    Utility functions are linear-additive: ``u_p(o) = sum_k tables_p[k][o_k]``. The set of
    utility vectors is therefore a Minkowski sum over issues, and for any two sets
    ``Pareto(A + B)`` is a subset of ``Pareto(Pareto(A) + Pareto(B))``. ``pareto_frontier``
    folds the issues one at a time in scenario order, keeping only the non-dominated partial
    sums (with the partial outcome index alongside): exact, memory-light, and far beyond 10^6
    outcomes (method ``"minkowski"``). Folding in scenario order adds the per-issue values in
    exactly the order ``UtilityFunction.of_outcomes`` does, so the frontier's utilities are
    bit-for-bit the utility functions' own values and ties are resolved as they would be by
    brute force.

Hard constraints
    A constraint that mentions a single issue removes that issue's forbidden options before
    the fold. A constraint over several issues is checked at the step where the last of its
    issues is folded; until then the fold keeps, as *state*, the option chosen for each of its
    issues already folded, and compares partial sums only within equal states (two partial
    outcomes with different states may have different feasible completions). Pruning within
    states keeps the fold exact (still method ``"minkowski"``). The cost grows with the
    *width*: the largest number of option combinations of the issues that are live at once
    (folded, and named by a constraint not yet checked), counting the issue being folded. A
    constraint that names every issue makes the width the agreement space's cardinality, and
    the fold then amounts to enumerating it with early pruning.

``EXACT_LIMIT`` and the approximate method
    When the width exceeds ``limit`` (default ``EXACT_LIMIT`` = 2,000,000), the space is treated
    as non-decomposable at that scale and ``pareto_frontier`` returns an approximation
    (``exact=False``, method ``"sampled-local-search"``): ``APPROX_SAMPLES`` outcomes are drawn
    uniformly from the options that pass single-issue constraints, the feasible ones are
    filtered to their Pareto set, and a Pareto local search then repeatedly adds every feasible
    outcome that differs from a current frontier point in one issue, until the set stops
    changing (at most ``APPROX_ROUNDS`` rounds). The result is feasible and non-dominated
    among itself, but may miss frontier points. Spaces without multi-issue constraints are
    always decomposable, so ``limit`` never applies to them.

Duplicates
    Exact duplicates (e.g. an issue no party cares about) multiply the frontier. All of them
    are kept while the fold holds at most ``DEDUPE_ABOVE`` partial outcomes; past that, the fold
    keeps only the lowest-index outcome per distinct utility vector (and per state), and the
    final frontier then holds exactly one outcome, the lowest index, per distinct utility
    vector (``Frontier.deduplicated`` is True). Because the first issue is the most
    significant digit of the outcome index, keeping the lowest-index partial outcome keeps the
    lowest-index completion, so the rule is the same as deduplicating the full frontier.

Tolerance
    Dominance is decided on utilities rounded to whole multiples of
    ``pactlab.domain.tolerance.UTILITY_TOLERANCE`` (1e-9 on the [0, 1] scale; see that module):
    two outcomes whose utilities differ only by float noise are equal, so the same scenario
    written in points out of 100 or divided by 100 has the same frontier, outcome for outcome.
    Rounding is monotone, so every algorithm below stays exact on the rounded values; the
    utilities a frontier reports are the unrounded ones. ``pareto_mask(points, tolerance=0)``
    compares exactly.

Non-dominated filter (``pareto_mask``)
    Two objectives: sort and sweep, O(n log n). More: large sets are first pruned against a
    few strong points (best sums, best per party), which removes most points of a typical
    set. What is left is filtered on its distinct rows (duplicates share their row's verdict),
    sorted by the sum of utilities descending, ties lexicographically descending, so that any
    dominating point comes first; blocks of the strongest remaining points keep their
    non-dominated members and drop every remaining point one of them covers, with vectorised
    column-by-column comparisons: about O(n * f) for a frontier of size f. For three
    objectives and a large, mostly efficient set (nearly constant-sum utilities), a sweep in
    decreasing u0 against the (u1, u2) staircase of earlier points replaces the blocks and
    stays far from quadratic (10^6 constant-sum outcomes: about 4.5 s). Four or more
    objectives with a huge frontier remain quadratic. Within the fold, points compete only
    within their state: a grouped sweep for two parties, padded all-pairs comparisons for
    small groups and the filter above for large ones.

Measured here (2 cores, ``python -m benchmarks.outcome_space``): 3 parties, 10^6 outcomes,
frontier of 798 points in about 6 ms (NegMAS 0.16: 6.5 s).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from pactlab.domain.constraints import Constraint
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.tolerance import UTILITY_TOLERANCE, utility_grid

EXACT_LIMIT: int = 2_000_000
"""Width (option combinations live at once; see the module docstring) above which a space with
multi-issue hard constraints gets the approximate frontier. For a space whose constraints link
every issue, the width is the agreement space's cardinality."""

DEDUPE_ABOVE: int = 200_000
"""Partial outcomes above which the fold keeps one outcome per distinct utility vector."""

APPROX_SAMPLES: int = 20_000
"""Random outcomes drawn by the approximate method."""

APPROX_ROUNDS: int = 50
"""Maximum Pareto local-search rounds of the approximate method."""

_BLOCK = 256  # points per block in the N-d filter
_CHUNK = 8192  # remaining points compared per vectorised step
_SMALL_GROUP = 64  # groups up to this size are filtered together, padded
_PREFILTER_ABOVE = 4096  # the N-d filter first prunes larger sets against a few strong points
_PREFILTER_POINTS = 32

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Frontier:
    """The Pareto frontier of an agreement space, sorted by outcome index.

    ``utilities[i]`` holds the utilities of ``outcomes[i]``, columns in ``parties`` order.
    ``exact`` is False when the approximate method was used. ``deduplicated`` is True when the
    frontier keeps one outcome (the lowest index) per distinct utility vector.
    """

    parties: tuple[str, ...]
    outcomes: IntArray
    utilities: FloatArray
    exact: bool
    method: str
    deduplicated: bool = field(default=False)

    def __len__(self) -> int:
        return int(self.outcomes.shape[0])


# -- non-dominated filters -----------------------------------------------------------------


def pareto_mask(points: npt.ArrayLike, tolerance: float = UTILITY_TOLERANCE) -> BoolArray:
    """Mask of the non-dominated rows of an ``(n, k)`` array of finite points.

    A row is dominated when another row is >= in every column and > in one, comparing the
    points rounded to multiples of `tolerance` (``UTILITY_TOLERANCE`` by default; 0: exactly);
    equal rows do not dominate each other, so duplicates of a non-dominated row are all kept.
    """
    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim != 2:
        raise ValueError(f"points must be a 2-d (n, k) array, got shape {pts.shape}")
    return _mask(utility_grid(pts, tolerance))


def _mask(pts: FloatArray) -> BoolArray:
    """Exact non-dominated mask of 2-d points, compared as they are (already rounded by the caller)."""
    n, k = pts.shape
    if n == 0:
        return np.zeros(0, dtype=bool)
    if k == 0:
        return np.ones(n, dtype=bool)
    if k == 1:
        return np.asarray(pts[:, 0] == pts[:, 0].max())
    if k == 2:
        return _sweep_2d(pts, None)
    return _filter_nd(pts)


def _sweep_2d(pts: FloatArray, groups: IntArray | None) -> BoolArray:
    """Two objectives, optionally within groups: sort by (group, -u0, -u1), running max of u1.

    A point is dominated iff a point before its run of equal vectors (in the same group) has
    u1 >= its u1. Values are compared through their dense ranks so that group offsets are exact.
    """
    n = pts.shape[0]
    g = np.zeros(n, dtype=np.int64) if groups is None else groups
    order = np.lexsort((-pts[:, 1], -pts[:, 0], g))
    s = pts[order]
    gs = g[order]
    _, rank1 = np.unique(s[:, 1], return_inverse=True)
    rank1 = rank1.astype(np.int64)
    span = int(rank1.max()) + 2
    key = gs * span + rank1 + 1  # > every key of an earlier group
    new_run = np.ones(n, dtype=bool)
    new_run[1:] = (s[1:, 0] != s[:-1, 0]) | (s[1:, 1] != s[:-1, 1]) | (gs[1:] != gs[:-1])
    run_start = np.maximum.accumulate(np.where(new_run, np.arange(n), 0))
    running = np.maximum.accumulate(key)
    before = np.where(run_start > 0, running[np.maximum(run_start - 1, 0)], -1)
    dominated = before >= key
    mask = np.empty(n, dtype=bool)
    mask[order] = ~dominated
    return mask


def _dominated_by(cands: FloatArray, by: FloatArray) -> BoolArray:
    """For each row of `cands`, whether some row of `by` dominates it (chunked, column by column)."""
    out = np.zeros(cands.shape[0], dtype=bool)
    if by.shape[0] == 0:
        return out
    step = max(1, (_CHUNK * 128) // by.shape[0])
    for start in range(0, cands.shape[0], step):
        c = cands[start : start + step]
        ge = by[None, :, 0] >= c[:, None, 0]
        gt = by[None, :, 0] > c[:, None, 0]
        for j in range(1, c.shape[1]):
            ge &= by[None, :, j] >= c[:, None, j]
            gt |= by[None, :, j] > c[:, None, j]
        out[start : start + step] = (ge & gt).any(axis=1)
    return out


def _sum_order(pts: FloatArray) -> IntArray:
    """Descending by sum, ties lexicographically descending: a dominating point always comes first."""
    total = pts[:, 0].copy()
    for j in range(1, pts.shape[1]):
        total += pts[:, j]  # float addition is monotone, so a dominator's sum is never smaller
    keys = (*(-pts[:, j] for j in range(pts.shape[1] - 1, -1, -1)), -total)
    return np.lexsort(keys).astype(np.int64)


def _covered_by(cands: FloatArray, by: FloatArray) -> BoolArray:
    """For each row of `cands`, whether some row of `by` is >= in every column.

    Between distinct rows this is dominance; column by column on 2-d arrays, chunked.
    """
    out = np.zeros(cands.shape[0], dtype=bool)
    if by.shape[0] == 0:
        return out
    step = max(1, (_CHUNK * 128) // by.shape[0])
    for start in range(0, cands.shape[0], step):
        c = cands[start : start + step]
        acc = by[None, :, 0] >= c[:, None, 0]
        for j in range(1, c.shape[1]):
            acc &= by[None, :, j] >= c[:, None, j]
        out[start : start + step] = acc.any(axis=1)
    return out


def _filter_nd(pts: FloatArray) -> BoolArray:
    """Three or more objectives: sum-sorted blocks of the strongest points prune the rest.

    Works on distinct rows (duplicates share their row's verdict), so ">= everywhere" between
    two different rows already means dominance.
    """
    if pts.shape[0] > _PREFILTER_ABOVE:
        # cheap first pass: a few strong points (best sums, best per party) usually dominate most
        total = pts.sum(axis=1)
        strong = np.argpartition(-total, _PREFILTER_POINTS)[:_PREFILTER_POINTS]
        strong = np.union1d(strong, pts.argmax(axis=0))
        alive = ~_dominated_by(pts, pts[strong])
        if not alive.all():
            mask = np.zeros(pts.shape[0], dtype=bool)
            mask[alive] = _filter_nd(pts[alive])
            return mask
        if pts.shape[1] == 3:
            return _filter_3d(pts)  # a large, mostly efficient set: the staircase sweep is not quadratic
    unique, inverse = np.unique(pts + 0.0, axis=0, return_inverse=True)  # + 0.0 turns -0.0 into 0.0
    order = _sum_order(unique)
    s = unique[order]
    remaining = np.arange(s.shape[0], dtype=np.int64)
    kept: list[IntArray] = []
    while remaining.size:
        block, remaining = remaining[:_BLOCK], remaining[_BLOCK:]
        x = s[block]
        # any dominator of a block point is in the block or was kept earlier (it sorts first)
        acc = x[None, :, 0] >= x[:, None, 0]
        for j in range(1, x.shape[1]):
            acc &= x[None, :, j] >= x[:, None, j]
        np.fill_diagonal(acc, False)
        ok = ~acc.any(axis=1)
        block, x = block[ok], x[ok]
        kept.append(block)
        if remaining.size:
            remaining = remaining[~_covered_by(s[remaining], x)]
    mask = np.zeros(unique.shape[0], dtype=bool)
    mask[order[np.concatenate(kept)]] = True
    return np.asarray(mask[inverse.reshape(-1)])


def _filter_3d(pts: FloatArray) -> BoolArray:
    """Three objectives: sweep in decreasing u0, keeping the (u1, u2) staircase of earlier points.

    On distinct rows sorted lexicographically descending, a row is dominated exactly when an
    earlier row is >= in u1 and u2. Rows are taken in blocks: each block is checked against
    the staircase (a binary search per row) and against itself, then merged into the
    staircase. About O(n * (s / B + B)) for a staircase of size s and blocks of B rows, so a
    frontier holding nearly every point stays far from quadratic.
    """
    unique, inverse = np.unique(pts + 0.0, axis=0, return_inverse=True)  # + 0.0 turns -0.0 into 0.0
    n = unique.shape[0]
    order = np.lexsort((-unique[:, 2], -unique[:, 1], -unique[:, 0]))
    s = unique[order]
    size = _BLOCK
    stair1 = np.zeros(0)  # staircase of earlier rows: u1 ascending, u2 descending
    stair2 = np.zeros(0)
    dominated = np.zeros(n, dtype=bool)
    lower = np.tri(size, size, -1, dtype=bool).T  # [j, i]: j < i
    for start in range(0, n, size):
        x = s[start : start + size]
        m = x.shape[0]
        dead = np.zeros(m, dtype=bool)
        if stair1.size:
            at = np.searchsorted(stair1, x[:, 1], side="left")
            hit = at < stair1.size
            dead[hit] = stair2[at[hit]] >= x[hit, 2]
        within = (x[:, None, 1] >= x[None, :, 1]) & (x[:, None, 2] >= x[None, :, 2]) & lower[:m, :m]
        dead |= within.any(axis=0)
        dominated[start : start + m] = dead
        live = x[~dead]
        if live.size:
            merged = np.concatenate((np.stack((stair1, stair2), axis=1), live[:, 1:]))
            merged = merged[_sweep_2d(merged, None)]
            merged = merged[np.lexsort((-merged[:, 1], merged[:, 0]))]
            stair1, stair2 = merged[:, 0].copy(), merged[:, 1].copy()
    mask = np.empty(n, dtype=bool)
    mask[order] = ~dominated
    return np.asarray(mask[inverse.reshape(-1)])


def _pareto_mask_grouped(pts: FloatArray, groups: IntArray | None) -> BoolArray:
    """Non-dominated within each group (points only compete with points of the same group).

    Compares `pts` as they are: callers round them first (`utility_grid`).
    """
    n, k = pts.shape
    if n == 0:
        return np.zeros(0, dtype=bool)
    if groups is None:
        return _mask(pts)
    _, gid, counts = np.unique(groups, return_inverse=True, return_counts=True)
    gid = gid.astype(np.int64)
    if counts.size == 1:
        return _mask(pts)
    if k == 2:
        return _sweep_2d(pts, gid)
    mask = np.ones(n, dtype=bool)
    order = np.argsort(gid, kind="stable")
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    # small groups: pad to a common size and compare all pairs at once, by size class
    size_class = np.maximum(1, np.ceil(np.log2(np.maximum(counts, 1)))).astype(np.int64)
    for cls in np.unique(size_class):
        width = 1 << int(cls)
        members = np.flatnonzero((size_class == cls) & (counts > 1))
        if members.size == 0:
            continue
        if width > _SMALL_GROUP:
            for g in members:
                rows = order[starts[g] : starts[g] + counts[g]]
                mask[rows] = _mask(pts[rows])
            continue
        per_batch = max(1, 2_000_000 // (width * width * k))
        for b0 in range(0, members.size, per_batch):
            batch = members[b0 : b0 + per_batch]
            slot = np.arange(width)[None, :]
            valid = slot < counts[batch][:, None]
            rows = order[np.minimum(starts[batch][:, None] + slot, n - 1)]
            padded: FloatArray = np.where(valid[:, :, None], pts[rows], -np.inf)
            ge = np.all(padded[:, :, None, :] >= padded[:, None, :, :], axis=3)
            gt = np.any(padded[:, :, None, :] > padded[:, None, :, :], axis=3)
            dominated: BoolArray = np.any(ge & gt, axis=1)  # [b, j]: some i dominates j
            mask[rows[valid]] = ~dominated[valid]
    return mask


# -- the frontier of an outcome space ------------------------------------------------------


@dataclass
class _Plan:
    """Allowed options per issue and when each multi-issue constraint can be checked."""

    allowed: list[IntArray]
    closing: list[list[Constraint]]
    live_after: list[list[int]]
    width: int
    constrained: bool


def _issue_positions(space: OutcomeSpace) -> dict[str, int]:
    return {issue_id: k for k, issue_id in enumerate(space.issue_ids)}


def _plan(space: OutcomeSpace, ufuns: Sequence[UtilityFunction]) -> _Plan:
    position = _issue_positions(space)
    allowed = [np.arange(size, dtype=np.int64) for size in space.shape]
    multi: list[tuple[Constraint, list[int]]] = []
    for ufun in ufuns:
        for c in ufun.constraints:
            ks = sorted(position[i] for i in c.issues)
            if len(ks) == 1:
                k = ks[0]
                every_option = np.arange(space.shape[k], dtype=np.int64)
                ok = np.asarray(c.mask(lambda _issue_id: every_option, space.by_id), dtype=bool)  # noqa: B023
                allowed[k] = allowed[k][ok[allowed[k]]]
            else:
                multi.append((c, ks))
    n_issues = len(space.shape)
    closing: list[list[Constraint]] = [[] for _ in range(n_issues)]
    last_use = [-1] * n_issues
    for c, ks in multi:
        closing[ks[-1]].append(c)
        for k in ks:
            last_use[k] = max(last_use[k], ks[-1])
    live_after = [[j for j in range(k + 1) if last_use[j] > k] for k in range(n_issues)]
    width = 1
    for k in range(n_issues):
        live_now = [j for j in range(k + 1) if last_use[j] >= k]  # incl. k itself if constrained
        size = math.prod(int(allowed[j].size) for j in live_now) if live_now else 1
        width = max(width, size)
    return _Plan(allowed, closing, live_after, width, bool(multi))


def _constraint_holds(space: OutcomeSpace, constraint: Constraint, outcomes: IntArray) -> BoolArray:
    """Vectorised check of one constraint on (partial) outcome indices."""

    def column(issue_id: str) -> np.ndarray:
        return space.issue_column(issue_id, outcomes)

    return np.asarray(constraint.mask(column, space.by_id), dtype=bool)


def _columns(space: OutcomeSpace, outcomes: IntArray, ks: Sequence[int]) -> IntArray:
    """Mixed-radix code of the options of issues `ks` in each outcome (a state key)."""
    key = np.zeros(outcomes.shape[0], dtype=np.int64)
    for k in ks:
        key = key * space.shape[k] + (outcomes // space.strides[k]) % space.shape[k]
    return key


def _dedupe(points: FloatArray, outcomes: IntArray, groups: IntArray | None) -> BoolArray:
    """Mask keeping the lowest outcome index per (group, utility vector); `points` already rounded."""
    keys: tuple[npt.NDArray[np.generic], ...] = (outcomes,)
    keys += tuple(points[:, j] for j in range(points.shape[1] - 1, -1, -1))
    if groups is not None:
        keys += (groups,)
    order = np.lexsort(keys)
    s = points[order]
    first = np.ones(order.size, dtype=bool)
    first[1:] = np.any(s[1:] != s[:-1], axis=1)
    if groups is not None:
        gs = groups[order]
        first[1:] |= gs[1:] != gs[:-1]
    mask = np.zeros(order.size, dtype=bool)
    mask[order[first]] = True
    return mask


def _check_inputs(space: OutcomeSpace, utilities: Mapping[str, UtilityFunction]) -> list[UtilityFunction]:
    if not utilities:
        raise ValueError("need at least one utility function")
    ufuns = list(utilities.values())
    for party, ufun in utilities.items():
        if tuple(t.shape[0] for t in ufun.tables) != space.shape:
            raise ValueError(f"the utility function of {party!r} belongs to a different outcome space")
    return ufuns


def _party_tables(ufuns: Sequence[UtilityFunction], k: int) -> FloatArray:
    return np.stack([np.asarray(u.tables[k], dtype=np.float64) for u in ufuns], axis=1)


def pareto_frontier(
    space: OutcomeSpace,
    utilities: Mapping[str, UtilityFunction],
    *,
    limit: int = EXACT_LIMIT,
    seed: int = 0,
) -> Frontier:
    """The Pareto frontier of the agreement space (see the module docstring for the method).

    Exact unless multi-issue hard constraints make the space wider than `limit`; then the
    approximate method runs with `seed` and the result has ``exact=False``.
    """
    ufuns = _check_inputs(space, utilities)
    parties = tuple(utilities)
    plan = _plan(space, ufuns)
    if any(a.size == 0 for a in plan.allowed):
        return _empty(parties, exact=True, method="minkowski")
    if plan.constrained and plan.width > limit:
        return _approximate(space, ufuns, parties, plan, seed)
    return _fold(space, ufuns, parties, plan)


def _empty(parties: tuple[str, ...], *, exact: bool, method: str) -> Frontier:
    return Frontier(parties, np.zeros(0, dtype=np.int64), np.zeros((0, len(parties))), exact, method)


def _fold(space: OutcomeSpace, ufuns: Sequence[UtilityFunction], parties: tuple[str, ...], plan: _Plan) -> Frontier:
    """Exact: fold issues in scenario order, keeping non-dominated partial sums per state."""
    method = "minkowski"
    n = len(ufuns)
    points: FloatArray = np.zeros((1, n))
    outcomes: IntArray = np.zeros(1, dtype=np.int64)
    deduplicated = False
    for k, options in enumerate(plan.allowed):
        table = _party_tables(ufuns, k)[options]
        points = (points[:, None, :] + table[None, :, :]).reshape(-1, n)
        outcomes = (outcomes[:, None] + options[None, :] * space.strides[k]).reshape(-1)
        for c in plan.closing[k]:
            ok = _constraint_holds(space, c, outcomes)
            points, outcomes = points[ok], outcomes[ok]
        if outcomes.size == 0:
            return _empty(parties, exact=True, method=method)
        groups = _columns(space, outcomes, plan.live_after[k]) if plan.live_after[k] else None
        keep = _pareto_mask_grouped(utility_grid(points), groups)
        points, outcomes = points[keep], outcomes[keep]
        groups = None if groups is None else groups[keep]
        if outcomes.size > DEDUPE_ABOVE:
            keep = _dedupe(utility_grid(points), outcomes, groups)
            deduplicated = deduplicated or not bool(keep.all())
            points, outcomes = points[keep], outcomes[keep]
    if deduplicated:
        keep = _dedupe(utility_grid(points), outcomes, None)
        points, outcomes = points[keep], outcomes[keep]
    order = np.argsort(outcomes, kind="stable")
    return Frontier(parties, outcomes[order], points[order], True, method, deduplicated)


def _approximate(
    space: OutcomeSpace, ufuns: Sequence[UtilityFunction], parties: tuple[str, ...], plan: _Plan, seed: int
) -> Frontier:
    """Random sampling of the agreement space, then Pareto local search (one issue at a time)."""
    method = "sampled-local-search"
    rng = np.random.default_rng(seed)
    strides = np.asarray(space.strides, dtype=np.int64)
    sample = np.zeros(APPROX_SAMPLES, dtype=np.int64)
    for k, options in enumerate(plan.allowed):
        sample += options[rng.integers(0, options.size, size=APPROX_SAMPLES)] * strides[k]
    seen = np.unique(sample)
    pool = seen[_feasible(ufuns, seen)]
    if pool.size == 0:
        return _empty(parties, exact=False, method=method)
    points = _utilities_of(ufuns, pool)
    keep = pareto_mask(points)
    pool, points = pool[keep], points[keep]
    for _ in range(APPROX_ROUNDS):
        neighbours = [
            (pool[:, None] + (options[None, :] - (pool[:, None] // strides[k]) % space.shape[k]) * strides[k]).ravel()
            for k, options in enumerate(plan.allowed)
        ]
        fresh = np.setdiff1d(np.concatenate(neighbours), seen, assume_unique=False)
        if fresh.size == 0:
            break
        seen = np.union1d(seen, fresh)
        fresh = fresh[_feasible(ufuns, fresh)]
        if fresh.size == 0:
            break
        cand = np.concatenate((pool, fresh))
        cand_points = np.concatenate((points, _utilities_of(ufuns, fresh)))
        keep = pareto_mask(cand_points)
        if not keep[pool.size :].any():
            break
        pool, points = cand[keep], cand_points[keep]
    order = np.argsort(pool, kind="stable")
    return Frontier(parties, pool[order], points[order], False, method)


def _feasible(ufuns: Sequence[UtilityFunction], outcomes: IntArray) -> BoolArray:
    ok = np.ones(outcomes.shape[0], dtype=bool)
    for u in ufuns:
        ok &= u.constraint_mask(outcomes)
    return ok


def _utilities_of(ufuns: Sequence[UtilityFunction], outcomes: IntArray) -> FloatArray:
    return np.stack([u.of_outcomes(outcomes) for u in ufuns], axis=1) if outcomes.size else np.zeros((0, len(ufuns)))


def agreement_mask(space: OutcomeSpace, utilities: Mapping[str, UtilityFunction]) -> BoolArray:
    """Whether each outcome satisfies every party's hard constraints (O(cardinality) memory)."""
    mask = np.ones(space.cardinality, dtype=bool)
    for u in _check_inputs(space, utilities):
        mask &= u.constraint_mask()
    return mask


def distance_to_frontier(point: Sequence[float] | npt.ArrayLike, frontier: Frontier) -> float:
    """Euclidean distance in utility space from `point` to the nearest frontier point.

    0.0 when no frontier point dominates `point` (it is on the frontier or beyond it), deciding
    dominance as `pareto_mask` does (up to ``UTILITY_TOLERANCE``); ``inf`` for an empty frontier
    (no agreement is possible). Coordinates in ``frontier.parties`` order.
    """
    p = np.asarray(point, dtype=np.float64).reshape(-1)
    if p.shape[0] != len(frontier.parties):
        raise ValueError(f"point has {p.shape[0]} utilities; the frontier has {len(frontier.parties)} parties")
    if len(frontier) == 0:
        return math.inf
    u = frontier.utilities
    if not bool(_dominated_by(utility_grid(p[None, :]), utility_grid(u))[0]):
        return 0.0
    return float(np.sqrt(((u - p[None, :]) ** 2).sum(axis=1)).min())


__all__ = [
    "APPROX_ROUNDS",
    "APPROX_SAMPLES",
    "DEDUPE_ABOVE",
    "EXACT_LIMIT",
    "Frontier",
    "agreement_mask",
    "distance_to_frontier",
    "pareto_frontier",
    "pareto_mask",
]
