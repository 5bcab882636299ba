"""How right the agents' opponent models were: estimated vs true utilities, scored by the evaluator.

An agent that learns a model of the other parties hands its final estimates to the workflow at
the end of the run (`ModelEstimate`, recorded in the audit trail as an ``opponent_model``
record); only here, in the evaluator, are they compared with the private profiles. Per
(agent, opponent) pair the scorecard reports:

- ``pearson_r``: the Pearson correlation of estimated and true utilities over the outcome space
  (every outcome when there are at most `MAX_OUTCOMES`, else that many drawn uniformly with a
  fixed seed, so the figure is the same on every run and rescoring); None when either utility
  is constant there (the correlation is undefined);
- ``reservation_error``: |estimated − true reservation value|, both on the profile's [0, 1]
  utility scale, when the model estimates a reservation value; None (and a note) otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction

MAX_OUTCOMES = 20_000
"""Outcomes compared at most; larger outcome spaces are sampled (seed `SAMPLE_SEED`)."""
SAMPLE_SEED = 0


class ModelEstimate(BaseModel):
    """One agent's final estimate of one other party's utility (what the agent hands in, as recorded)."""

    model_config = ConfigDict(frozen=True)

    holder: str = Field(description="The party whose agent made the estimate.")
    about: str = Field(description="The party whose utility is estimated.")
    model: str = Field(description="The opponent model, e.g. frequency or bayes.")
    tables: list[list[float]] = Field(
        description="Per issue (scenario order), the estimated utility contribution of each option (option order)."
    )
    reservation_value: float | None = Field(default=None, description="The estimated reservation value, if any.")


class ModelAccuracy(BaseModel):
    """How right one agent's model of one other party was at the end (see the module docstring)."""

    model_config = ConfigDict(frozen=True)

    holder: str
    about: str
    model: str
    pearson_r: float | None = Field(
        description="Pearson correlation of estimated vs true utility over the outcomes compared; None if undefined."
    )
    outcomes_compared: int
    sampled: bool = Field(description="Whether the outcomes compared are a seeded sample of the outcome space.")
    reservation_estimate: float | None
    reservation_value: float = Field(description="The true reservation value (from the private profile).")
    reservation_error: float | None = Field(description="|estimate - true|; None if the model estimates none.")
    note: str = ""


def compared_outcomes(space: OutcomeSpace) -> tuple[np.ndarray, bool]:
    """The outcome indices compared: all of them, or a seeded uniform sample of `MAX_OUTCOMES`."""
    if space.cardinality <= MAX_OUTCOMES:
        return np.arange(space.cardinality, dtype=np.int64), False
    rng = np.random.default_rng(SAMPLE_SEED)
    return np.sort(rng.integers(0, space.cardinality, size=MAX_OUTCOMES, dtype=np.int64)), True


def _estimated(space: OutcomeSpace, tables: Sequence[Sequence[float]], outcomes: np.ndarray) -> np.ndarray:
    total = np.zeros(len(outcomes), dtype=np.float64)
    for k, table in enumerate(tables):
        total += np.asarray(table, dtype=np.float64)[(outcomes // space.strides[k]) % space.shape[k]]
    return total


def accuracy(
    space: OutcomeSpace, utilities: Mapping[str, UtilityFunction], estimates: Sequence[ModelEstimate]
) -> list[ModelAccuracy]:
    """Score each estimate against the true utility of the party it is about (estimates about unknown
    parties, or with tables that do not fit the outcome space, raise ValueError)."""
    if not estimates:
        return []
    outcomes, sampled = compared_outcomes(space)
    out = []
    for est in estimates:
        if est.about not in utilities or est.holder not in utilities:
            raise ValueError(f"opponent-model estimate by {est.holder!r} about {est.about!r}: unknown party")
        if [len(t) for t in est.tables] != list(space.shape):
            raise ValueError(
                f"opponent-model estimate by {est.holder!r} about {est.about!r}: its tables do not fit the outcome "
                f"space (options per issue {list(space.shape)})"
            )
        truth = utilities[est.about]
        true_u = truth.of_outcomes(outcomes)
        est_u = _estimated(space, est.tables, outcomes)
        note = ""
        r: float | None = None
        if np.ptp(true_u) <= 1e-12 or np.ptp(est_u) <= 1e-12:
            note = "correlation undefined: one of the utilities is constant over the outcome space"
        else:
            r = float(np.clip(np.corrcoef(est_u, true_u)[0, 1], -1.0, 1.0))
        rv = float(truth.reservation_value)
        if est.reservation_value is None:
            error = None
            note = "; ".join(x for x in (note, f"the {est.model} model estimates no reservation value") if x)
        else:
            error = abs(float(est.reservation_value) - rv)
        out.append(
            ModelAccuracy(
                holder=est.holder,
                about=est.about,
                model=est.model,
                pearson_r=r,
                outcomes_compared=len(outcomes),
                sampled=sampled,
                reservation_estimate=est.reservation_value,
                reservation_value=rv,
                reservation_error=error,
                note=note,
            )
        )
    return out


__all__ = ["MAX_OUTCOMES", "ModelAccuracy", "ModelEstimate", "accuracy", "compared_outcomes"]
