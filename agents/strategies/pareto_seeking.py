"""Pareto-seeking negotiator: time-dependent aspiration, offers chosen by a learned opponent model.

Like a time-dependent agent it keeps an aspiration level ``a(t)`` (Faratin's curve, parameter
e). Instead of the outcome closest above a(t), it proposes, among the acceptable outcomes with
own utility >= a(t), the one its model of the other parties likes best: a trade-off that moves
along its own iso-utility level toward the Pareto frontier rather than down it.

The candidates are limited to a band above the aspiration, ``[a(t), a(t) + band * (u_max - r)]``
(default band 0.1; band=1 is the unbounded window), as in Genius's BOA offering strategies
that pick the opponent's favourite bid near the target. Without the band the learned model can
hold an agent on one outcome while its aspiration falls (it keeps finding the same favourite
far above a(t)), so it stops signalling concessions: in tournaments over generated and shipped
scenarios the unbounded window cut the self-play Nash-product ratio from about 0.9 to 0.75 and
deadlocked the four-party ecosystem scenario.

The opponent model, one per opponent learned from that opponent's proposals, is chosen by
`model`: ``frequency`` (default), the frequency ("HardHeaded") model, where issues whose value it
rarely changes get more weight and values it proposes often get more value (see
`PartyRecord.estimate`); or ``bayes``, Hindriks & Tykhonov's (2008) Bayesian model over issue
weights and evaluation shapes (`agents.strategies.bayesian_opponent`). Its final estimates are
handed to the evaluator (`opponent_estimates`), which scores how right they were. Opponents are
combined by the product of their estimated utilities (default; a Nash-like choice that does not
sacrifice any one party, since a deal needs them all) or by their sum. The search is vectorised over the whole window of
candidates: per-issue tables are combined into blocks of consecutive issues, so the work per
turn is a few numpy gathers over the window, never a Python loop over outcomes. In a large outcome
space (no enumerated book) the same question — the outcome in the window the model rates best — is
answered by optimisation over the issues (`search_spec`, `agents.strategies.offer_search`).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from agents.base import OpponentEstimate, Seat
from agents.strategies.base import Level, StrategyNegotiator, turn_rng
from agents.strategies.bayesian_opponent import BayesianModel
from agents.strategies.curves import curve_name, mandate_note, mandated_aspiration
from agents.strategies.offer_book import EPS, FloatArray
from agents.strategies.offer_search import Combine
from agents.strategies.opponent import FrequencyModel, OpponentModel, model_tables, summed_tables
from agents.strategies.time_dependent import check_e
from pactlab.domain.table import Turn

ModelName = Literal["frequency", "bayes"]
OPPONENT_MODELS: tuple[str, ...] = ("frequency", "bayes")


def check_pareto(
    e: float = 0.5, combine: str = "product", learning_rate: float = 1.0, band: float = 0.1, model: str = "frequency"
) -> None:
    """Raise ValueError, saying what is valid, for out-of-range parameters."""
    check_e(e)
    if model not in OPPONENT_MODELS:
        raise ValueError(f"model must be one of {', '.join(OPPONENT_MODELS)} (the opponent model), not {model!r}")
    if isinstance(band, bool) or not isinstance(band, (int, float)) or not 0 <= band <= 1:
        raise ValueError(f"band must be a share in [0, 1] of the own-utility range (1 = no limit), not {band!r}")
    if combine not in ("product", "sum"):
        raise ValueError(f"combine must be 'product' or 'sum', not {combine!r}")
    if (
        isinstance(learning_rate, bool)
        or not isinstance(learning_rate, (int, float))
        or not (math.isfinite(learning_rate) and learning_rate >= 0)
    ):
        raise ValueError(f"learning_rate must be a number >= 0, not {learning_rate!r}")


class ParetoSeekingNegotiator(StrategyNegotiator):
    """Among outcomes meeting its aspiration, proposes the one the others are estimated to like best."""

    name = "pareto"

    def __init__(
        self,
        seat: Seat,
        e: float = 0.5,
        combine: Combine = "product",
        learning_rate: float = 1.0,
        band: float = 0.1,
        model: ModelName = "frequency",
    ) -> None:
        """e: concession exponent; combine: how opponents' estimates combine; band: candidate window;
        model: the opponent model (``frequency`` or ``bayes``; learning_rate is the frequency model's)."""
        check_pareto(e, combine, learning_rate, band, model)
        super().__init__(seat)
        self.e = float(e)
        self.combine: Combine = combine
        self.learning_rate = float(learning_rate)
        self.band = float(band)
        self.model_name: ModelName = model
        self.model: OpponentModel = (
            BayesianModel(seat.space, _max_rounds(seat)) if model == "bayes" else FrequencyModel(self.learning_rate)
        )

    @property
    def spec(self) -> str:
        params = f"e={self.e:g}, combine={self.combine}, learning_rate={self.learning_rate:g}, band={self.band:g}"
        if self.model_name != "frequency":  # the default is left out, so existing specs read as before
            params += f", model={self.model_name}"
        return f"{self.name}({params})"

    def opponent_estimates(self, turn: Turn) -> list[OpponentEstimate]:
        """The model's estimate of every other party that made a proposal, from the public moves up to `turn`."""
        self.history.sync(turn.moves)
        out = []
        for party in self.opponents(turn):
            found = self.model.estimate(self.history, party)
            if found is not None:
                out.append(
                    OpponentEstimate(
                        about=party,
                        model=self.model.name,
                        tables=tuple(tuple(float(x) for x in t) for t in found.tables),
                        reservation_value=found.reservation,
                    )
                )
        return out

    def level(self, turn: Turn) -> Level:
        curve = curve_name(self.e)
        target = mandated_aspiration(turn, self.e, self.book.u_max, self.book.floor)
        if not any(self.history.offers(p) for p in self.opponents(turn)):
            why = (
                f"our aspiration follows a {curve} time-dependent curve, and the other parties have made no offer "
                f"yet from which to learn what they value{mandate_note(turn)}"
            )
        else:
            why = (
                f"among the terms that meet our aspiration (a {curve} time-dependent curve), these are the ones we "
                f"expect the other parties to value most, judging from their offers so far{mandate_note(turn)}"
            )
        return Level(target, why)

    def search_spec(self, turn: Turn) -> tuple[list[list[FloatArray]], Combine, float]:
        """Large spaces: this agent's own model, combination and window (`band`) for the offer search."""
        per_opponent = model_tables(self.history, self.opponents(turn), self.model)
        return per_opponent, self.combine, self.band * (self.book.u_max - self.book.floor)

    def choose(self, turn: Turn, level: Level) -> int:
        book = self.book
        per_opponent = model_tables(self.history, self.opponents(turn), self.model)
        if not per_opponent:
            return super().choose(turn, level)
        lo = book.position_at(level.target)
        ceiling = book.sorted_utils[lo] + self.band * (book.u_max - book.floor) + EPS
        hi = max(int(np.searchsorted(book.sorted_utils, ceiling, side="right")), lo + 1)
        if self.combine == "sum" or len(per_opponent) == 1:
            est = book.additive_over(lo, hi, summed_tables(per_opponent))
        else:
            est = book.additive_over(lo, hi, per_opponent[0])
            for tables in per_opponent[1:]:
                est *= book.additive_over(lo, hi, tables)
        best = np.flatnonzero(est >= est.max() - EPS)
        # Among the outcomes the others like equally, the best for us (sorted ascending: the last).
        top = best[book.sorted_utils[lo + best] >= book.sorted_utils[lo + best[-1]] - EPS]
        if len(top) == 1:
            return lo + int(top[0])
        return lo + int(turn_rng(self.seat, turn).choice(top))


def _max_rounds(seat: Seat) -> int:
    """The scenario's round budget, from the public view of the scenario (the time axis of the model)."""
    protocol = seat.scenario_public.get("protocol")
    rounds = protocol.get("max_rounds") if isinstance(protocol, dict) else None
    return int(rounds) if isinstance(rounds, int) else 30
