"""What the other side may be like: ranges and alternatives instead of one private profile, and seeded draws.

Before real talks a deal team does not know the other side's priorities or walk-away point. A
party of a scenario may therefore declare an ``uncertainty:`` block next to its `private`
profile (which stays the nominal, "best guess" counterpart that ordinary runs play against):

- ``weights``: exactly one of ``ranges`` (each listed issue's weight drawn uniformly in
  ``[low, high]``, on the scale of the party's own weights; unlisted issues keep theirs),
  ``dirichlet`` (a Dirichlet concentration per issue: the weights are drawn as a whole and sum to
  1; unlisted issues get no weight), ``concentration`` (a Dirichlet around the party's own
  weights: the larger, the closer), or ``alternatives`` (weight vectors with probabilities);
- ``values``: per issue, per option, a range ``[low, high]`` on 0..1 its value is drawn in (other
  options keep their value; a linear or peaked issue becomes a table of its values first);
- ``reservation_value``: a range on 0..1 (the walk-away point, as a utility);
- ``strategy``: alternatives with probabilities, each a negotiator spec (``boulware``,
  ``pareto(e=0.5)``, ...) that plays the drawn counterpart. Specs are read against the agents'
  registry by the applications that play them (this layer knows no agents).

`pactlab.domain.counterparts.draw_counterparts` turns such a scenario into a concrete one for a
seed: every uncertain party (but the person's own) gets a drawn profile, and the `Draw` records what was drawn (for the
audit trail and the debrief). Draws are pure functions of (seed, index, party's position), so a
rehearsal or a plan can be replayed exactly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Annotated, Any

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from pactlab.domain.issues import _IssueBase, value_key
from pactlab.domain.preferences import OptionValues, PrivateProfile, value_vector

PROBABILITY_TOLERANCE = 1e-6
"""How far the probabilities of a list of alternatives may miss 1 (rounding in a YAML file)."""

SPEC_PATTERN = r"^\s*[A-Za-z_][A-Za-z0-9_]*\s*(\(.*\))?\s*$"
"""What a negotiator spec looks like (a name, optionally with parameters); the registry reads the rest."""


def _ordered(pair: tuple[float, float]) -> tuple[float, float]:
    low, high = pair
    if low > high:
        raise ValueError(f"the range [{low:g}, {high:g}] runs backwards: write [low, high], e.g. [{high:g}, {low:g}]")
    return pair


Unit = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]

UnitRange = Annotated[tuple[Unit, Unit], AfterValidator(_ordered)]
"""``[low, high]`` within 0..1 (a utility)."""

WeightRange = Annotated[tuple[NonNegative, NonNegative], AfterValidator(_ordered)]
"""``[low, high]``, non-negative, on the scale of the party's weights."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WeightAlternative(_Model):
    """One weight vector the party may have, with its probability."""

    probability: Unit
    weights: dict[str, NonNegative] = Field(description="Relative weight of each issue (unlisted issues: 0).")
    label: str = Field(default="", description="A name for this possibility, shown in the debrief.")


class WeightSpec(_Model):
    """How the party's issue weights may vary: give exactly one of the four forms."""

    ranges: dict[str, WeightRange] | None = Field(
        default=None,
        description="Per issue, [low, high] its weight is drawn uniformly in (the scale of the party's weights); "
        "unlisted issues keep their weight.",
    )
    dirichlet: dict[str, Positive] | None = Field(
        default=None,
        description="Per issue, a Dirichlet concentration; the weights are drawn together (unlisted issues: 0).",
    )
    concentration: Positive | None = Field(
        default=None,
        description="A Dirichlet around the party's own weights: larger means closer to them (e.g. 20).",
    )
    alternatives: list[WeightAlternative] | None = Field(
        default=None, min_length=1, description="Weight vectors with probabilities (adding up to 1)."
    )

    @model_validator(mode="after")
    def _one_form(self) -> WeightSpec:
        given = [name for name in ("ranges", "dirichlet", "concentration", "alternatives") if getattr(self, name)]
        if len(given) != 1:
            found = f"got {', '.join(given)}" if given else "got none"
            raise ValueError(
                f"give exactly one of ranges, dirichlet, concentration or alternatives ({found}); "
                "e.g. {ranges: {issue: [1, 3]}} or {concentration: 20}"
            )
        return self

    @field_validator("alternatives")
    @classmethod
    def _probabilities(cls, alternatives: list[WeightAlternative] | None) -> list[WeightAlternative] | None:
        if alternatives is not None:
            _check_probabilities([a.probability for a in alternatives])
        return alternatives


class StrategyAlternative(_Model):
    """A negotiator that may play the party, with its probability."""

    spec: str = Field(
        json_schema_extra={"pattern": SPEC_PATTERN},
        description="A negotiator spec as `pactlab strategies` lists them, e.g. boulware or pareto(e=0.5).",
    )
    probability: Unit

    @field_validator("spec")
    @classmethod
    def _looks_like_a_spec(cls, spec: str) -> str:
        if re.match(SPEC_PATTERN, spec, re.DOTALL) is None:
            raise ValueError(
                f"cannot read the negotiator spec {spec!r}; write a name, optionally with parameters, "
                "e.g. boulware or pareto(e=0.5) (`pactlab strategies` lists them)"
            )
        return spec.strip()


class Uncertainty(_Model):
    """What another side may be like, as ranges and alternatives (see the module docstring)."""

    weights: WeightSpec | None = Field(default=None, description="How the issue weights may vary.")
    values: dict[str, dict[str, UnitRange]] = Field(
        default_factory=dict,
        description="Per issue, per option: [low, high] on 0..1 its value is drawn in.",
    )
    reservation_value: UnitRange | None = Field(
        default=None, description="[low, high] on 0..1: the walk-away point (BATNA's utility) is drawn in it."
    )
    strategy: list[StrategyAlternative] = Field(
        default_factory=list,
        description="Negotiators that may play the party, with probabilities adding up to 1 (default: the one "
        "the run or rehearsal names).",
    )
    note: str = Field(default="", description="Where the ranges come from, in words (shown in the debrief).")

    @field_validator("values", mode="before")
    @classmethod
    def _keys_as_written_in_term_sheets(cls, raw: Any) -> Any:
        """YAML reads ``true:`` and ``12:`` as a bool and an int; options are keyed as strings ("true", "12")."""
        if not isinstance(raw, dict):
            return raw
        return {k: {value_key(o): r for o, r in v.items()} if isinstance(v, dict) else v for k, v in raw.items()}

    @field_validator("strategy")
    @classmethod
    def _probabilities(cls, strategy: list[StrategyAlternative]) -> list[StrategyAlternative]:
        if strategy:
            _check_probabilities([s.probability for s in strategy])
        return strategy

    @property
    def empty(self) -> bool:
        return self.weights is None and not self.values and self.reservation_value is None and not self.strategy


def _check_probabilities(probabilities: Sequence[float]) -> None:
    total = math.fsum(probabilities)
    if abs(total - 1.0) > PROBABILITY_TOLERANCE:
        raise ValueError(f"the probabilities add up to {total:g}; make them add up to 1")


def check_uncertainty(
    uncertainty: Uncertainty, profile: PrivateProfile, issues: Sequence[_IssueBase]
) -> list[tuple[tuple[str | int, ...], str]]:
    """Problems with an uncertainty block against the scenario's issues and the party's profile."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    by_id = {i.id: i for i in issues}
    known = ", ".join(by_id)

    def weights_known(loc: tuple[str | int, ...], weights: dict[str, float]) -> None:
        for issue_id, weight in weights.items():
            if issue_id not in by_id:
                problems.append(((*loc, issue_id), f"unknown issue {issue_id!r}; known issues: {known}"))
            elif weight > 0 and issue_id not in profile.values:
                problems.append(
                    ((*loc, issue_id), f"issue {issue_id!r} has no value function in the party's profile; add one")
                )

    spec = uncertainty.weights
    if spec is not None:
        if spec.ranges is not None:
            weights_known(("weights", "ranges"), {i: hi for i, (_, hi) in spec.ranges.items()})
            best = {**profile.weights, **{i: hi for i, (_, hi) in spec.ranges.items()}}
            if sum(best.values()) <= 0:
                problems.append((("weights", "ranges"), "every draw would give all issues weight 0; raise a high end"))
        if spec.dirichlet is not None:
            weights_known(("weights", "dirichlet"), dict(spec.dirichlet))
        for n, alternative in enumerate(spec.alternatives or []):
            weights_known(("weights", "alternatives", n, "weights"), alternative.weights)
            if sum(alternative.weights.values()) <= 0:
                problems.append((("weights", "alternatives", n, "weights"), "at least one weight must be positive"))
    for issue_id, options in uncertainty.values.items():
        issue = by_id.get(issue_id)
        if issue is None:
            problems.append((("values", issue_id), f"unknown issue {issue_id!r}; known issues: {known}"))
            continue
        keys = [value_key(v) for v in issue.values()]
        for option in options:
            if option not in keys:
                message = f"unknown option {option!r} of {issue_id!r}; valid: {', '.join(keys)}"
                problems.append((("values", issue_id, option), message))
        if issue_id not in profile.values:
            problems.append((("values", issue_id), f"issue {issue_id!r} has no value function in the party's profile"))
    return problems


class Draw(_Model):
    """One counterpart drawn from a party's uncertainty: what the person did not know until the debrief."""

    party: str
    seed: int = Field(description="The seed of the draw (with `index`, it reproduces the counterpart).")
    index: int = Field(description="Which draw of the seed (0 for a rehearsal; 0..N-1 for a plan's counterparts).")
    weights: dict[str, float] = Field(description="The drawn weights, normalised to add up to 1.")
    values: dict[str, dict[str, float]] = Field(description="Option values that were drawn (the rest as nominal).")
    reservation_value: float = Field(description="The drawn walk-away point (utility of the BATNA).")
    strategy: str | None = Field(description="The drawn negotiator spec (None: none declared).")
    alternative: str | None = Field(default=None, description="The weight alternative drawn, if alternatives.")


def draw_profile(
    uncertainty: Uncertainty, profile: PrivateProfile, issues: Sequence[_IssueBase], rng: np.random.Generator
) -> tuple[PrivateProfile, dict[str, Any]]:
    """The drawn profile, and what was drawn (the fields of a `Draw` but party, seed and index)."""
    ids = [i.id for i in issues]
    weights = {i: float(profile.weights.get(i, 0.0)) for i in ids}
    alternative: str | None = None
    spec = uncertainty.weights
    if spec is not None and spec.ranges is not None:
        for issue_id, (low, high) in spec.ranges.items():
            weights[issue_id] = float(rng.uniform(low, high))
    elif spec is not None and (spec.dirichlet is not None or spec.concentration is not None):
        total = sum(weights.values())
        alpha = (
            dict(spec.dirichlet)
            if spec.dirichlet is not None
            else {i: spec.concentration * w / total for i, w in weights.items() if w > 0}  # type: ignore[operator]
        )
        listed = [i for i in ids if alpha.get(i, 0.0) > 0]
        vector = rng.dirichlet([alpha[i] for i in listed])
        weights = {i: 0.0 for i in ids} | {i: float(w) for i, w in zip(listed, vector, strict=True)}
    elif spec is not None and spec.alternatives is not None:
        n = int(rng.choice(len(spec.alternatives), p=_normalised([a.probability for a in spec.alternatives])))
        chosen = spec.alternatives[n]
        weights = {i: float(chosen.weights.get(i, 0.0)) for i in ids}
        alternative = chosen.label or f"alternative {n + 1}"
    total = math.fsum(weights.values())
    if total <= 0:  # ranges reaching 0: every weight drawn 0 (almost never); fall back to the nominal weights
        weights = {i: float(profile.weights.get(i, 0.0)) for i in ids}
        total = math.fsum(weights.values())
    weights = {i: w / total for i, w in weights.items()}

    values = dict(profile.values)
    drawn_values: dict[str, dict[str, float]] = {}
    by_id = {i.id: i for i in issues}
    for issue_id, ranges in uncertainty.values.items():
        issue = by_id[issue_id]
        keys = [value_key(v) for v in issue.values()]
        table = dict(zip(keys, (float(x) for x in value_vector(issue, values[issue_id])), strict=True))
        drawn_values[issue_id] = {}
        for option, (low, high) in ranges.items():
            table[option] = drawn_values[issue_id][option] = float(rng.uniform(low, high))
        values[issue_id] = OptionValues(table=table)

    reservation = profile.reservation_value
    if uncertainty.reservation_value is not None:
        reservation = float(rng.uniform(*uncertainty.reservation_value))
    strategy: str | None = None
    if uncertainty.strategy:
        n = int(rng.choice(len(uncertainty.strategy), p=_normalised([s.probability for s in uncertainty.strategy])))
        strategy = uncertainty.strategy[n].spec.strip()
    drawn = profile.model_copy(update={"weights": weights, "values": values, "reservation_value": reservation})
    return drawn, {
        "weights": weights,
        "values": drawn_values,
        "reservation_value": reservation,
        "strategy": strategy,
        "alternative": alternative,
    }


def _normalised(probabilities: Sequence[float]) -> np.ndarray:
    p = np.asarray(probabilities, dtype=float)
    return np.asarray(p / p.sum(), dtype=float)


def spec_name(spec: str) -> str:
    """The strategy name of a spec (``pareto(e=0.5)`` → ``pareto``)."""
    match = re.match(r"\s*([A-Za-z_][A-Za-z0-9_]*)", spec)
    return match.group(1) if match else spec


__all__ = [
    "Draw",
    "StrategyAlternative",
    "Uncertainty",
    "WeightAlternative",
    "WeightSpec",
    "check_uncertainty",
    "draw_profile",
    "spec_name",
]
