"""Any NegMAS SAO negotiator at a pactlab seat: spec ``negmas(AspirationNegotiator)`` or
``negmas(negmas.sao.NaiveTitForTatNegotiator)`` (needs the optional ``negmas`` extra).

What the NegMAS negotiator is given, and only that:

- an outcome space: one NegMAS issue per pactlab issue, with the same values in the same order;
- a utility function built from **this seat's private profile only**: a linear-additive
  utility function whose value tables are the seat's weighted value tables (the same numbers
  pactlab adds) and whose reservation value is the seat's;
- a mechanism interface of an `SAOMechanism` with one negotiator per party at the table (the
  others are placeholders that never act, so the negotiator sees how many it faces) and
  ``n_steps`` the scenario's round limit; its state mirrors the public table each turn: step =
  the round, relative time = pactlab's (`Turn.time`), current offer = the term sheet on the
  table (none when it is this seat's own or already accepted by it), its proposer and the
  number of acceptances.

Each turn the negotiator is called as NegMAS's mechanism calls it (``negotiator(state)``) and
its response becomes a pactlab action: ACCEPT_OFFER → Accept; END_NEGOTIATION → WalkAway;
REJECT_OFFER with a counter-offer → Propose; REJECT_OFFER without one → Reject (or, with nothing
to reject, a proposal of the seat's best outcome). pactlab's rules then hold whatever NegMAS
chose: an accept the table does not allow, or of an offer outside the seat's hard constraints,
becomes a proposal; a proposal outside the seat's hard constraints (NegMAS does not model them)
or refused by the policy gate this turn becomes the outcome that is neither whose utility for the
seat is nearest NegMAS's choice (the highest at or below it): NegMAS's concession level, kept.
Chance comes from Python's and NumPy's global generators, which NegMAS uses: each call runs
with both seeded from (seed, the seat's place, the turn), and their states restored after.
A NegMAS negotiator keeps state across turns, so a run resumed in another process rebuilds it
from that turn on (a sweep or league reruns a broken run from its start instead).
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np

from agents.base import Seat
from pactlab.domain.actions import Accept, Action, Propose, Reject, WalkAway
from pactlab.domain.issues import IssueValue, value_key
from pactlab.domain.outcome_space import InvalidOffer
from pactlab.domain.table import Turn

DEFAULT_NEGOTIATOR = "AspirationNegotiator"
_NAMESPACES = ("negmas.sao", "negmas")
"""Where a bare class name is looked up; a dotted name must lie inside the ``negmas`` package."""


def negmas_class(name: str) -> type[Any]:
    """The NegMAS SAO negotiator class `name` names; ValueError saying what is valid otherwise."""
    try:
        negmas = importlib.import_module("negmas")
    except ImportError:
        raise ValueError(
            "the negmas adapter needs NegMAS: pip install 'pactlab[negmas]' (or 'negmas>=0.16,<0.17')"
        ) from None
    base = negmas.gb.GBNegotiator  # every negotiator SAOMechanism seats (SAO negotiators extend it)
    found: object = None
    if "." in name:
        module_name, _, attribute = name.rpartition(".")
        if module_name != "negmas" and not module_name.startswith("negmas."):
            raise ValueError(
                f"{name!r}: give a NegMAS class, e.g. AspirationNegotiator or negmas.sao.AspirationNegotiator"
            )
        try:
            found = getattr(importlib.import_module(module_name), attribute, None)
        except ImportError:
            found = None
    else:
        for namespace in _NAMESPACES:
            found = getattr(importlib.import_module(namespace), name, None)
            if found is not None:
                break
    if not (isinstance(found, type) and issubclass(found, base)):
        known = sorted(n for n in dir(negmas.sao) if n.endswith("Negotiator") and _is_sao(getattr(negmas.sao, n), base))
        raise ValueError(f"{name!r} is not a NegMAS SAO negotiator; e.g. {', '.join(known[:12])}, ...")
    return found


def _is_sao(candidate: object, base: type[Any]) -> bool:
    return (
        isinstance(candidate, type)
        and issubclass(candidate, base)
        and not getattr(candidate, "__abstractmethods__", None)
    )


def check_negmas(negotiator: str = DEFAULT_NEGOTIATOR) -> None:
    """ValueError unless NegMAS is installed and `negotiator` names one of its SAO negotiators."""
    negmas_class(negotiator)


@contextmanager
def _seeded(seed: list[int]) -> Iterator[None]:
    """Python's and NumPy's global generators seeded for one call, their states restored after."""
    python_state, numpy_state = random.getstate(), np.random.get_state()
    random.seed(int(np.random.SeedSequence(seed).generate_state(1)[0]))
    np.random.seed(np.random.SeedSequence(seed).generate_state(1))
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)


class NegmasNegotiator:
    """A NegMAS SAO negotiator speaking for one seat (see the module docstring)."""

    def __init__(self, seat: Seat, negotiator: str = DEFAULT_NEGOTIATOR) -> None:
        self.seat = seat
        self.cls = negmas_class(negotiator)
        self.spec = f"negmas({negotiator})"
        self._negotiator: Any = None
        self._mechanism: Any = None
        self._allowed: np.ndarray | None = None  # outcome indices within the hard constraints, by utility
        self._allowed_utility: np.ndarray = np.zeros(0)

    # the NegMAS side -----------------------------------------------------------------------------

    def _start(self, turn: Turn) -> None:
        import negmas

        space, utility = self.seat.space, self.seat.utility
        issues = [
            negmas.make_issue(list(options), name=i.id) for i, options in zip(space.issues, space.options, strict=True)
        ]
        values = [
            {option: float(v) for option, v in zip(options, table, strict=True)}
            for options, table in zip(space.options, utility.tables, strict=True)
        ]
        ufun = negmas.LinearAdditiveUtilityFunction(
            values, weights=[1.0] * len(issues), issues=issues, reserved_value=float(utility.reservation_value)
        )
        mechanism = negmas.SAOMechanism(issues=issues, n_steps=turn.max_rounds)
        me = self.seat.party_id
        for party in turn.parties_at_table:
            if party == me:
                self._negotiator = self.cls(name=party, id=party)
                mechanism.add(self._negotiator, ufun=ufun)
            else:  # a placeholder: never called, it only makes the table's size visible
                mechanism.add(negmas.sao.RandomNegotiator(name=party, id=party), ufun=ufun)
        self._mechanism = mechanism
        self._mirror(turn)
        self._negotiator._on_negotiation_start(mechanism.state)

    def _mirror(self, turn: Turn) -> Any:
        """The mechanism's state set to the public table."""
        state = self._mechanism._current_state
        state.running, state.started = True, True
        state.step = turn.round
        state.relative_time = min(1.0, turn.time)
        offer = self._offer(turn)
        state.current_offer = None if offer is None else self._outcome(offer)
        state.current_proposer = turn.proposer if offer is not None else None
        state.n_acceptances = len(turn.accepted_by)
        return state

    def _outcome(self, terms: Mapping[str, IssueValue]) -> tuple[IssueValue, ...]:
        return tuple(terms[i] for i in self.seat.space.issue_ids)

    def _offer(self, turn: Turn) -> Mapping[str, IssueValue] | None:
        """The proposal this seat may answer: on the table, not its own, not yet accepted by it."""
        me = self.seat.party_id
        if turn.proposal is None or turn.proposer == me or me in turn.accepted_by:
            return None
        return turn.proposal

    def _call(self, turn: Turn, call: Callable[[Any], Any]) -> Any:
        with _seeded([self.seat.seed & 0xFFFF_FFFF, self.seat.position, turn.turn]):
            return call(self._mirror(turn))

    # the pactlab side ----------------------------------------------------------------------------

    def act(self, turn: Turn) -> Action:
        import negmas

        if self._negotiator is None:
            self._start(turn)
        response = self._call(turn, self._negotiator)
        kind, outcome = response.response, response.outcome
        offer = self._offer(turn)
        accept_refused = any(b.kind == "accept" for b in turn.blocked)
        accepts = kind == negmas.ResponseType.ACCEPT_OFFER and offer is not None and not accept_refused
        if accepts and offer is not None and self._within_constraints(offer):
            return Accept(message="We accept the proposal on the table.", rationale="Our NegMAS negotiator accepts.")
        if kind == negmas.ResponseType.END_NEGOTIATION:
            return WalkAway(
                reason="Our NegMAS negotiator ended the negotiation.", message="We end this negotiation here."
            )
        if kind == negmas.ResponseType.ACCEPT_OFFER or outcome is None:
            outcome = self._call(turn, lambda state: self._negotiator.propose_(state=state))
        if outcome is None and offer is not None:
            return Reject(reason="Our NegMAS negotiator rejects this proposal without a counter-offer.")
        return self._propose(turn, outcome)

    def _propose(self, turn: Turn, outcome: Any) -> Propose:
        space = self.seat.space
        terms: dict[str, IssueValue] | None = None
        if outcome is not None:
            try:
                terms = space.validate(dict(zip(space.issue_ids, tuple(outcome), strict=True))).terms
            except (InvalidOffer, TypeError, ValueError):
                terms = None
        refused = [b.terms for b in turn.blocked if b.terms is not None]
        rationale = "Our NegMAS negotiator's offer."
        if terms is None or not self._within_constraints(terms) or terms in refused:
            target = 1.0 if terms is None else self.seat.utility(space.validate(terms))
            terms = self._allowed_at(target, refused)
            rationale = (
                f"The term sheet nearest our NegMAS negotiator's aspiration ({target:.2f}) within our hard "
                "constraints and the rules."
            )
        previous = self._answered(turn)
        if previous is not None:
            changed = [i for i in space.issue_ids if value_key(terms[i]) != value_key(previous.get(i, ""))]
            against = "the proposal on the table" if turn.proposal is not None else "our previous proposal"
            if changed:
                rationale += f" Against {against}, this changes {', '.join(changed)}."
        return Propose(terms=terms, message="We propose these terms.", rationale=rationale)

    def _within_constraints(self, terms: Mapping[str, IssueValue]) -> bool:
        sheet = self.seat.space.validate(terms)
        return self.seat.utility.satisfies_constraints(sheet)

    def _allowed_at(self, target: float, refused: list[dict[str, IssueValue]]) -> dict[str, IssueValue]:
        """The outcome within the seat's hard constraints, not refused this turn, whose utility for the
        seat is the highest at or below `target` (NegMAS's aspiration level), else the lowest above it."""
        space, utility = self.seat.space, self.seat.utility
        if self._allowed is None:
            allowed = np.flatnonzero(utility.constraint_mask())
            values = utility.of_outcomes(allowed)
            order = np.argsort(values, kind="stable")
            self._allowed, self._allowed_utility = allowed[order], values[order]
        skip = {space.index_of(space.validate(t)) for t in refused}
        if self._allowed.size == 0:
            return space.term_sheet(int(np.argmax(utility.over_space()))).terms
        start = int(np.searchsorted(self._allowed_utility, target, side="right")) - 1
        for k in [*range(start, -1, -1), *range(start + 1, self._allowed.size)]:
            if k >= 0 and int(self._allowed[k]) not in skip:
                return space.term_sheet(int(self._allowed[k])).terms
        return space.term_sheet(int(self._allowed[-1])).terms

    def _answered(self, turn: Turn) -> Mapping[str, IssueValue] | None:
        """What a proposal answers (the policies' transparency rule): the table's, else our own last one."""
        if turn.proposal is not None:
            return turn.proposal
        for move in reversed(turn.moves):
            if move["party"] == self.seat.party_id and move["kind"] == "propose" and move["terms"] is not None:
                return move["terms"]
        return None
