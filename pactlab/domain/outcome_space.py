"""The outcome space (every possible term sheet), term sheets, and vectorised utility functions.

Outcomes are numbered in mixed radix over the issues in scenario order, the last issue
varying fastest (C order), so outcome ``k`` of a space with option counts ``(s0, s1, ...)``
is ``np.unravel_index(k, (s0, s1, ...))``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict

from pactlab.domain.issues import BooleanIssue, IssueValue, _IssueBase, value_key
from pactlab.domain.preferences import PrivateProfile, value_vector
from pactlab.domain.tolerance import at_least
from pactlab.errors import BadInput


class InvalidOffer(BadInput, ValueError):
    """A term sheet that does not fit the outcome space; `problems` maps each issue to what is wrong."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        lines = "; ".join(f"{issue}: {msg}" for issue, msg in problems.items())
        super().__init__(f"invalid term sheet: {lines}")


class TermSheet(BaseModel):
    """One value per issue: a complete, valid offer. Build it with `OutcomeSpace.validate`."""

    model_config = ConfigDict(frozen=True)

    terms: dict[str, IssueValue]

    def __getitem__(self, issue_id: str) -> IssueValue:
        return self.terms[issue_id]

    def changes_from(self, other: TermSheet | None) -> list[str]:
        """Issues whose value differs from `other` (all issues if there is no other)."""
        if other is None:
            return list(self.terms)
        return [i for i, v in self.terms.items() if value_key(v) != value_key(other.terms.get(i, ""))]

    def describe(self) -> str:
        return ", ".join(f"{k}={value_key(v)}" for k, v in self.terms.items())


class OutcomeSpace:
    """Every combination of issue values, with conversions between term sheets and indices."""

    def __init__(self, issues: Sequence[_IssueBase]) -> None:
        self.issues = list(issues)
        self.by_id = {i.id: i for i in self.issues}
        self.options: list[list[IssueValue]] = [i.values() for i in self.issues]
        self.shape = tuple(len(o) for o in self.options)
        self.cardinality = int(np.prod(self.shape, dtype=np.int64))
        strides = [1] * len(self.shape)
        for k in range(len(self.shape) - 2, -1, -1):
            strides[k] = strides[k + 1] * self.shape[k + 1]
        self.strides = tuple(strides)
        # Exact values map straight to their option index; anything else (off-grid numbers,
        # wrong types) takes the issue's own checks, which also word the error.
        self._exact: list[dict[IssueValue, int]] = [{v: k for k, v in enumerate(o)} for o in self.options]
        self._yes_no = [isinstance(i, BooleanIssue) for i in self.issues]

    def option_index(self, k: int, value: object) -> int:
        """The option index of `value` on issue `k` (ValueError if it is none of its options)."""
        return self._index(k, value)

    def _index(self, k: int, value: object) -> int:
        if (type(value) is bool) == self._yes_no[k] and isinstance(value, (bool, int, float, str)):
            found = self._exact[k].get(value)
            if found is not None:
                return found
        return self.issues[k].index_of(value)

    @property
    def issue_ids(self) -> list[str]:
        return [i.id for i in self.issues]

    def validate(self, terms: Mapping[str, object]) -> TermSheet:
        """A TermSheet from a mapping, or InvalidOffer naming every bad issue and what is valid."""
        problems: dict[str, str] = {}
        clean: dict[str, IssueValue] = {}
        for k, (issue, options) in enumerate(zip(self.issues, self.options, strict=True)):
            if issue.id not in terms:
                problems[issue.id] = f"missing; give {issue.describe_values()}"
                continue
            try:
                clean[issue.id] = options[self._index(k, terms[issue.id])]
            except ValueError as exc:
                problems[issue.id] = str(exc)
        for extra in terms:
            if extra not in self.by_id:
                problems[str(extra)] = f"not an issue of this scenario; issues: {', '.join(self.by_id)}"
        if problems:
            raise InvalidOffer(problems)
        return TermSheet(terms=clean)

    def option_indices(self, sheet: TermSheet) -> tuple[int, ...]:
        return tuple(self._index(k, sheet.terms[issue.id]) for k, issue in enumerate(self.issues))

    def index_of(self, sheet: TermSheet) -> int:
        return int(sum(i * s for i, s in zip(self.option_indices(sheet), self.strides, strict=True)))

    def term_sheet(self, index: int) -> TermSheet:
        if not 0 <= index < self.cardinality:
            raise IndexError(f"outcome {index} outside 0..{self.cardinality - 1}")
        picks = np.unravel_index(index, self.shape)
        chosen = zip(self.issues, self.options, picks, strict=True)
        return TermSheet(terms={i.id: opts[int(k)] for i, opts, k in chosen})

    def issue_column(self, issue_id: str, outcomes: np.ndarray | None = None) -> np.ndarray:
        """The option index of `issue_id` in each outcome (every outcome if `outcomes` is None)."""
        k = self.issue_ids.index(issue_id)
        flat = np.arange(self.cardinality, dtype=np.int64) if outcomes is None else np.asarray(outcomes)
        return (flat // self.strides[k]) % self.shape[k]


class UtilityFunction:
    """A party's linear-additive utility over an outcome space, scalar and vectorised."""

    def __init__(self, space: OutcomeSpace, profile: PrivateProfile) -> None:
        self.space = space
        self.profile = profile
        self.reservation_value = profile.reservation_value
        weights = profile.normalised_weights(space.issue_ids)
        self.tables: list[np.ndarray] = []
        for issue, w in zip(space.issues, weights, strict=True):
            fn = profile.values.get(issue.id)
            values = value_vector(issue, fn) if fn is not None else np.zeros(len(issue.values()))
            self.tables.append(w * values)
        self.constraints = list(profile.constraints)

    def __call__(self, sheet: TermSheet) -> float:
        picks = self.space.option_indices(sheet)
        return float(sum(t[k] for t, k in zip(self.tables, picks, strict=True)))

    def satisfies_constraints(self, sheet: TermSheet) -> bool:
        return all(c.holds(sheet.terms, self.space.by_id) for c in self.constraints)

    def acceptable(self, sheet: TermSheet) -> bool:
        """At or above the reservation value (up to `UTILITY_TOLERANCE`) and within every hard constraint."""
        return at_least(self(sheet), self.reservation_value) and self.satisfies_constraints(sheet)

    def of_outcomes(self, outcomes: np.ndarray) -> np.ndarray:
        """Utilities of the given outcome indices."""
        flat = np.asarray(outcomes, dtype=np.int64)
        total = np.zeros(flat.shape, dtype=float)
        for k, table in enumerate(self.tables):
            total += table[(flat // self.space.strides[k]) % self.space.shape[k]]
        return total

    def over_space(self) -> np.ndarray:
        """Utility of every outcome, in outcome order; O(cardinality) memory."""
        total = self.tables[0]
        for table in self.tables[1:]:
            total = np.add.outer(total, table).ravel()
        return np.asarray(total, dtype=float)

    def constraint_mask(self, outcomes: np.ndarray | None = None) -> np.ndarray:
        """Whether each outcome satisfies every hard constraint of this party."""
        n = self.space.cardinality if outcomes is None else len(outcomes)
        mask = np.ones(n, dtype=bool)
        for c in self.constraints:
            mask &= c.mask(lambda issue_id: self.space.issue_column(issue_id, outcomes), self.space.by_id)
        return mask


def utility_functions(space: OutcomeSpace, profiles: Mapping[str, PrivateProfile]) -> dict[str, UtilityFunction]:
    return {party: UtilityFunction(space, profile) for party, profile in profiles.items()}
