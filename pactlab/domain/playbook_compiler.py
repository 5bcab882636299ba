"""Compile a playbook into a private profile, and say why each figure is what it is.

`compile_playbook` applies the rules of `pactlab.domain.playbook` (weights from priorities,
values from the order of positions, hard constraints from what is unacceptable, the reservation
value from the walk-away rule) against a scenario's issues. It is deterministic: the same
playbook and issues give the same profile, figure for figure. Its `Compilation` keeps, beside
the profile, an explanation of every figure, which `pactlab playbook explain` prints.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from pactlab.domain.constraints import Constraint
from pactlab.domain.issues import BooleanIssue, CategoricalIssue, IssueValue, NumericIssue, _IssueBase, value_key
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.playbook import PRIORITY_WEIGHTS, ClausePosition, Playbook, Requirement, level_index
from pactlab.domain.preferences import LinearValue, OptionValues, PeakedValue, PrivateProfile, value_vector
from pactlab.errors import BadInput

Loc = tuple[str | int, ...]

OUTSIDE = "outside the acceptable range"
"""The role of a numeric clause's value beyond its acceptable range."""

MAX_REQUIREMENT_TERMS = 500
"""Most alternatives (combinations of clauses) a ``require`` rule may expand to."""

_BARE = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
_WORDS = {"if", "then", "and", "or", "in", "not", "true", "false"}


class PlaybookError(BadInput, ValueError):
    """A playbook that does not compile against the scenario; `problems` are (path in the playbook, message)."""

    def __init__(self, problems: list[tuple[Loc, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{'.'.join(str(p) for p in loc)}: {message}" for loc, message in problems))


@dataclass(frozen=True)
class PositionValue:
    """One position of a clause: its role in the playbook and the value it compiled to."""

    position: IssueValue
    role: str  # "preferred", "fallback 1", ..., "acceptable", "unacceptable", OUTSIDE
    value: float


@dataclass(frozen=True)
class ClauseExplanation:
    """How one clause compiled: its weight and where it came from, its values, its constraints."""

    issue: str
    label: str
    priority: str
    weight: float
    share: float  # the weight over all weights: the clause's share of the utility
    weight_rule: str
    value_rule: str
    positions: list[PositionValue]
    constraints: list[str]
    why: str


@dataclass(frozen=True)
class ReservationExplanation:
    """The reservation value and the walk-away rule it came from."""

    rule: str
    package: dict[str, IssueValue]  # the clause positions of the package the rule names
    value: float


@dataclass(frozen=True)
class Compilation:
    """A compiled playbook: the profile and the explanation of each of its figures."""

    profile: PrivateProfile
    clauses: list[ClauseExplanation]
    reservation: ReservationExplanation
    requirement: str | None = None  # the walk-away requirement as a constraint, if it constrains anything
    extra_constraints: list[str] = field(default_factory=list)


@dataclass
class _Clause:
    """Working state for one clause while compiling."""

    issue: _IssueBase
    position: ClausePosition
    fn: OptionValues | LinearValue | PeakedValue
    values: np.ndarray  # value of each of issue.values()
    acceptable: np.ndarray  # whether each of issue.values() is acceptable
    ranked: list[int]  # option indices: preferred, then fallbacks in order
    roles: dict[int, str]
    constraints: list[str]


def compile_playbook(playbook: Playbook, issues: Sequence[_IssueBase]) -> Compilation:
    """The private profile a playbook stands for, against `issues`; PlaybookError lists every problem."""
    by_id = {issue.id: issue for issue in issues}
    problems: list[tuple[Loc, str]] = []
    clauses: dict[str, _Clause] = {}
    for issue_id, position in playbook.clauses.items():
        issue = by_id.get(issue_id)
        if issue is None:
            problems.append((("clauses", issue_id), f"unknown issue {issue_id!r}; issues: {', '.join(by_id)}"))
            continue
        found: list[tuple[Loc, str]] = []
        clause = _compile_clause(issue, position, found)
        problems.extend((("clauses", issue_id, *loc), message) for loc, message in found)
        if clause is not None:
            clauses[issue_id] = clause
    extra: list[str] = []
    for n, constraint in enumerate(playbook.constraints):
        try:
            constraint.check_against(by_id)
            extra.append(str(constraint))
        except ValueError as exc:
            problems.append((("constraints", n), str(exc)))
    requirement = None
    if playbook.walk_away.require is not None and not problems:
        requirement = _requirement(playbook.walk_away.require, playbook, clauses, problems)
    if problems:
        raise PlaybookError(problems)
    ordered = [clauses[i.id] for i in issues if i.id in clauses]  # scenario order: a deterministic profile
    weights = {c.issue.id: _weight(c.position) for c in ordered}
    if sum(weights.values()) <= 0:
        raise PlaybookError([(("clauses",), "every priority is 0; give at least one clause a priority")])
    constraints = [text for c in ordered for text in c.constraints]
    constraints += [requirement] if requirement else []
    constraints += extra
    base = PrivateProfile(
        weights=weights,
        values={c.issue.id: c.fn for c in ordered},
        reservation_value=0.0,
        constraints=[Constraint(text) for text in constraints],
        interests=playbook.interests,
    )
    reservation = _reservation(playbook, ordered, issues, base)
    profile = base.model_copy(update={"reservation_value": reservation.value})
    total = sum(weights.values())
    explained = [_explain(c, weights[c.issue.id], total) for c in ordered]
    return Compilation(profile, explained, reservation, requirement, extra)


# -- one clause ---------------------------------------------------------------------------------


def _compile_clause(issue: _IssueBase, position: ClausePosition, problems: list[tuple[Loc, str]]) -> _Clause | None:
    if isinstance(issue, NumericIssue):
        return _numeric_clause(issue, position, problems)
    return _option_clause(issue, position, problems)


def _index(issue: _IssueBase, value: IssueValue, loc: Loc, problems: list[tuple[Loc, str]]) -> int | None:
    """The option index of a position, or None (and a problem saying what is valid)."""
    try:
        if isinstance(issue, CategoricalIssue):
            return issue.index_of(value_key(value))
        return issue.index_of(value)
    except ValueError as exc:
        problems.append((loc, str(exc)))
        return None


def _option_clause(issue: _IssueBase, position: ClausePosition, problems: list[tuple[Loc, str]]) -> _Clause | None:
    """A categorical or yes/no clause: every option is preferred, a fallback, or unacceptable."""
    kind = "yes/no" if isinstance(issue, BooleanIssue) else "categorical"
    if position.acceptable is not None:
        problems.append((("acceptable",), f"'acceptable' is for numeric clauses; {issue.id!r} is {kind}"))
    options = issue.values()
    placed: dict[int, Loc] = {}

    def place(value: IssueValue, loc: Loc) -> int | None:
        index = _index(issue, value, loc, problems)
        if index is None:
            return None
        if index in placed:
            first = ".".join(str(p) for p in placed[index])
            problems.append((loc, f"{value_key(options[index])!r} is already placed at {first}; place it once"))
            return None
        placed[index] = loc
        return index

    ranked = [place(position.preferred, ("preferred",))]
    ranked += [place(v, ("fallbacks", j)) for j, v in enumerate(position.fallbacks)]
    rejected: list[int | None] = []
    if position.unacceptable != "others":
        rejected = [place(v, ("unacceptable", j)) for j, v in enumerate(position.unacceptable)]
    if position.unacceptable == "others":
        rejected = [k for k in range(len(options)) if k not in placed]
    else:
        missing = [value_key(options[k]) for k in range(len(options)) if k not in placed]
        if missing:
            problems.append(
                (
                    (),
                    f"option(s) {', '.join(missing)} are neither preferred, a fallback nor unacceptable; place "
                    "every option (or write 'unacceptable: others')",
                )
            )
    if None in ranked or None in rejected or problems:
        return None
    good = [k for k in ranked if k is not None]
    bad = [k for k in rejected if k is not None]
    values = np.zeros(len(options))
    roles: dict[int, str] = {}
    for j, k in enumerate(good):
        values[k] = 1.0 - j / len(good)
        roles[k] = "preferred" if j == 0 else f"fallback {j}"
    for k in bad:
        roles[k] = "unacceptable"
    fn = OptionValues(table={value_key(o): float(values[k]) for k, o in enumerate(options)})
    acceptable = np.ones(len(options), dtype=bool)
    acceptable[bad] = False
    constraints = []
    if bad:
        listed = ", ".join(_literal(issue, options[k]) for k in sorted(bad))
        constraints.append(f"{issue.id} != {listed}" if len(bad) == 1 else f"{issue.id} not in [{listed}]")
    return _Clause(issue, position, fn, value_vector(issue, fn), acceptable, good, roles, constraints)


def _numeric_clause(issue: NumericIssue, position: ClausePosition, problems: list[tuple[Loc, str]]) -> _Clause | None:
    """A numeric clause: valued by distance from the preferred value, bounded by the acceptable range."""
    if position.unacceptable == "others":
        problems.append((("unacceptable",), "'others' is for categorical and yes/no clauses; give a range"))
        return None
    options = issue.values()
    preferred = _index(issue, position.preferred, ("preferred",), problems)
    fallbacks = [_index(issue, v, ("fallbacks", j), problems) for j, v in enumerate(position.fallbacks)]
    rejected = [_index(issue, v, ("unacceptable", j), problems) for j, v in enumerate(position.unacceptable)]
    if preferred is None or None in fallbacks or None in rejected:
        return None
    p = float(options[preferred])
    distance = -1.0
    for j, k in enumerate(fallbacks):
        assert k is not None
        d = abs(float(options[k]) - p)
        if d <= distance or d == 0:
            problems.append(
                (
                    ("fallbacks", j),
                    f"{options[k]} is no farther from the preferred value {p:g} than the position before it; "
                    "list fallbacks from the nearest to the farthest",
                )
            )
        distance = max(distance, d)
    ranked = [preferred, *[k for k in fallbacks if k is not None]]
    spots = [float(options[k]) for k in ranked]
    low, high = issue.minimum, issue.maximum
    if position.fallbacks:
        low, high = min(spots), max(spots)
    if position.acceptable is not None:
        low = position.acceptable.min if position.acceptable.min is not None else issue.minimum
        high = position.acceptable.max if position.acceptable.max is not None else issue.maximum
        for name, bound in (("min", low), ("max", high)):
            if not issue.minimum <= bound <= issue.maximum:
                problems.append(
                    (("acceptable", name), f"{bound:g} lies outside {issue.id!r}'s range {issue.describe_values()}")
                )
        outside = [x for x in spots if not low <= x <= high]
        if outside:
            problems.append(
                (
                    ("acceptable",),
                    f"the range {low:g}..{high:g} leaves out the preferred value or a fallback ({outside[0]:g}); "
                    "the positions you would accept must lie in it",
                )
            )
    bad = sorted({k for k in rejected if k is not None})
    clash = [options[k] for k in bad if k in ranked]
    if clash:
        problems.append((("unacceptable",), f"{clash[0]} is also preferred or a fallback"))
    if problems:
        return None
    fn: OptionValues | LinearValue | PeakedValue
    if p == issue.maximum:
        fn = LinearValue(linear="up")
    elif p == issue.minimum:
        fn = LinearValue(linear="down")
    else:
        fn = PeakedValue(peak=p)
    xs = np.array(options, dtype=float)
    acceptable = (xs >= low - 1e-9) & (xs <= high + 1e-9)
    acceptable[bad] = False
    roles = {k: ("preferred" if j == 0 else f"fallback {j}") for j, k in enumerate(ranked)}
    for k in bad:
        roles[k] = "unacceptable"
    for k in range(len(options)):
        roles.setdefault(k, "acceptable" if acceptable[k] else OUTSIDE)
    constraints = []
    if low > issue.minimum:
        constraints.append(f"{issue.id} >= {_literal(issue, low)}")
    if high < issue.maximum:
        constraints.append(f"{issue.id} <= {_literal(issue, high)}")
    if bad:
        listed = ", ".join(_literal(issue, options[k]) for k in bad)
        constraints.append(f"{issue.id} != {listed}" if len(bad) == 1 else f"{issue.id} not in [{listed}]")
    return _Clause(issue, position, fn, value_vector(issue, fn), acceptable, ranked, roles, constraints)


def _literal(issue: _IssueBase, value: IssueValue | float) -> str:
    """`value` as the constraint language reads it back for `issue` (quoted when it would not)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(issue, NumericIssue) or isinstance(value, (int, float)):
        return np.format_float_positional(float(value), trim="-")
    key = value_key(value)
    if _BARE.match(key) and key not in _WORDS:
        return key
    for quote in ("'", '"'):
        if quote not in key:
            return f"{quote}{key}{quote}"
    raise ValueError(f"option {key!r} of {issue.id!r} holds both kinds of quote; a constraint cannot name it")


def _weight(position: ClausePosition) -> float:
    return PRIORITY_WEIGHTS[position.priority] if isinstance(position.priority, str) else float(position.priority)


# -- levels, the reservation value and the requirement ----------------------------------------


def _at_level(clause: _Clause, level: str) -> int:
    """The option index a clause holds at `level`: its preferred or j-th fallback position, or the
    least valued acceptable position when it has fewer (``last_fallback`` always)."""
    j = level_index(level)
    if j is not None and j < len(clause.ranked):
        return clause.ranked[j]
    if isinstance(clause.issue, NumericIssue):
        candidates = np.flatnonzero(clause.acceptable)
        return int(candidates[np.argmin(clause.values[candidates])])
    return clause.ranked[-1]


def _reservation(
    playbook: Playbook, clauses: Sequence[_Clause], issues: Sequence[_IssueBase], profile: PrivateProfile
) -> ReservationExplanation:
    """The utility of the package with every clause at the walk-away level."""
    level = playbook.walk_away.below
    space = OutcomeSpace(issues)
    chosen = {c.issue.id: c.issue.values()[_at_level(c, level)] for c in clauses}
    terms = {issue.id: chosen.get(issue.id, issue.values()[0]) for issue in issues}
    value = UtilityFunction(space, profile)(space.validate(terms))
    named = level.replace("_", " ")
    rule = (
        f"walk away below {named}: the reservation value is the utility of the package with every clause at its "
        f"{named} (a clause with fewer positions at its last acceptable one)"
    )
    return ReservationExplanation(rule, chosen, value)


def _requirement(
    rule: Requirement, playbook: Playbook, clauses: dict[str, _Clause], problems: list[tuple[Loc, str]]
) -> str | None:
    """The ``require`` rule as one constraint: at least N of the clauses at the level or better."""
    loc: Loc = ("walk_away", "require")
    if isinstance(rule.of, str):
        group = [i for i, p in playbook.clauses.items() if p.priority == rule.of]
    else:
        unknown = [i for i in rule.of if i not in playbook.clauses]
        if unknown:
            problems.append(((*loc, "of"), f"{', '.join(unknown)} not in the playbook's clauses"))
            return None
        group = list(dict.fromkeys(rule.of))
    if rule.at_least > len(group):
        what = f"{rule.of}-priority clauses" if isinstance(rule.of, str) else "clauses named"
        problems.append(((*loc, "at_least"), f"at least {rule.at_least}, but there are {len(group)} {what}"))
        return None
    alternatives = list(itertools.combinations(group, rule.at_least))
    if len(alternatives) > MAX_REQUIREMENT_TERMS:
        problems.append(
            (loc, f"{len(alternatives)} combinations of clauses; name fewer clauses (at most {MAX_REQUIREMENT_TERMS})")
        )
        return None
    atoms = {i: _at_least_atom(clauses[i], rule.at) for i in group}
    terms = []
    for combo in alternatives:
        parts = [atoms[i] for i in combo if atoms[i] is not None]
        if not parts:
            return None  # one alternative always holds: the rule constrains nothing
        terms.append(" and ".join(p for p in parts if p is not None))
    return " or ".join(dict.fromkeys(terms))


def _at_least_atom(clause: _Clause, level: str) -> str | None:
    """The clause at `level` or better (as valued), as constraint atoms; None if every acceptable option is
    (the clause's own constraints already rule out the rest)."""
    issue = clause.issue
    floor = clause.values[_at_level(clause, level)]
    ok = clause.acceptable & (clause.values >= floor - 1e-12)
    if np.array_equal(ok, clause.acceptable):
        return None
    options = issue.values()
    keep = np.flatnonzero(ok)
    if isinstance(issue, NumericIssue) and keep.size and keep[-1] - keep[0] + 1 == keep.size:
        bounds = []
        if keep[0] > 0:
            bounds.append(f"{issue.id} >= {_literal(issue, options[int(keep[0])])}")
        if keep[-1] < len(options) - 1:
            bounds.append(f"{issue.id} <= {_literal(issue, options[int(keep[-1])])}")
        return " and ".join(bounds)
    return f"{issue.id} in [{', '.join(_literal(issue, options[int(k)]) for k in keep)}]"


# -- explanation --------------------------------------------------------------------------------


def _explain(clause: _Clause, weight: float, total: float) -> ClauseExplanation:
    position = clause.position
    issue = clause.issue
    priority: str
    if isinstance(position.priority, str):
        priority = position.priority
        weight_rule = f"priority {priority} → weight {weight:g} (high 3, medium 2, low 1)"
    else:
        priority = f"{position.priority:g}"
        weight_rule = f"priority {priority} → weight {weight:g} (a number is the weight itself)"
    if isinstance(issue, NumericIssue):
        fn = clause.fn
        shape = f"{{linear: {fn.linear}}}" if isinstance(fn, LinearValue) else f"{{peak: {position.preferred}}}"
        value_rule = (
            f"{shape}: 1 at the preferred value, falling linearly with the distance from it "
            f"to 0 at the far end of {issue.minimum:g}..{issue.maximum:g}"
        )
    else:
        k = len(clause.ranked) - 1
        value_rule = "preferred 1; fallback j of k: 1 - j/(k+1)" + (f" (k = {k})" if k else "") + "; unacceptable 0"
    options = issue.values()
    order = clause.ranked + [k for k in range(len(options)) if k not in clause.ranked]
    positions = [PositionValue(options[k], clause.roles[k], float(clause.values[k])) for k in order]
    return ClauseExplanation(
        issue=issue.id,
        label=issue.label,
        priority=priority,
        weight=weight,
        share=weight / total,
        weight_rule=weight_rule,
        value_rule=value_rule,
        positions=positions,
        constraints=list(clause.constraints),
        why=position.why,
    )


__all__ = [
    "MAX_REQUIREMENT_TERMS",
    "OUTSIDE",
    "ClauseExplanation",
    "Compilation",
    "PlaybookError",
    "PositionValue",
    "ReservationExplanation",
    "compile_playbook",
]
