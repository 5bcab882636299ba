"""`StrategyNegotiator`: the template every strategy negotiator follows, and the words of its moves.

Acceptance first (AC_combi: AC_const at the aspiration level, AC_next, and "anything acceptable
in the last round"), then a proposal at the strategy's aspiration level, with a message and a
rationale that names the issues changed versus the previous offer. A strategy gives its level
(`level`) and may choose among the offers meeting it (`choose`); ties go to what the frequency
model says the others like best, then to chance from one seeded generator per turn (`turn_rng`).

Large outcome spaces (no enumerated offer book, `OfferBook.enumerated` False): once the others have
made offers, the offer at the level is searched, not looked up: the outcome within a band above the
level that the opponent model rates best for the others (`agents.strategies.offer_search`; the band
is ``CLOSEST_BAND`` of the own-utility range here, a strategy's own window where it has one). Small
spaces never take that path.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from agents.base import Seat
from agents.strategies.offer_book import EPS, FloatArray, offer_book
from agents.strategies.offer_search import Combine, OfferSearch
from agents.strategies.opponent import History, opponent_tables, summed_tables
from pactlab.domain.actions import Accept, Action, Propose, Reject, WalkAway
from pactlab.domain.issues import BooleanIssue, IssueValue, NumericIssue, value_key
from pactlab.domain.outcome_space import OutcomeSpace
from pactlab.domain.scenario import AgreementRule
from pactlab.domain.table import Turn

RECENT_ROUNDS = 1
"""`rally` joins remembered terms that gained support, and counts refusals of them, in the current or the
previous round only: older support has stalled and older refusals may have softened."""

CLOSEST_BAND = 0.02
"""Large spaces: "closest above the aspiration level" is own utility within this share of the own-utility
range above it (a space of 10^12 outcomes has many outcomes that close; the others' estimate picks one)."""


def turn_rng(seat: Seat, turn: Turn) -> np.random.Generator:
    """The only source of randomness: seeded by (seat seed, the party's place in the scenario, turn number)."""
    return np.random.default_rng([seat.seed & 0xFFFF_FFFF_FFFF_FFFF, seat.position, turn.turn])


def format_value(space: OutcomeSpace, issue_id: str, value: IssueValue) -> str:
    """A value as a person would write it: units, yes/no, spaces for underscores."""
    issue = space.by_id[issue_id]
    if isinstance(issue, BooleanIssue):
        return "yes" if value else "no"
    if isinstance(issue, NumericIssue):
        unit = issue.unit
        text = value_key(value)
        return f"{text}{unit}" if unit == "%" else f"{text} {unit}".rstrip()
    return str(value).replace("_", " ")


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


@dataclass(frozen=True)
class Level:
    """What a strategy aims at this turn: own-utility level and why, in words for the rationale."""

    target: float
    why: str


class StrategyNegotiator:
    """Template for the strategy negotiators: accept per AC_combi, otherwise propose at the target level.

    Subclasses give `level(turn)` and may override `choose(turn, level)` (which acceptable
    outcome, as a sorted position, to propose at that level). `act` is a pure function of the
    seat and the turn; per-instance caches only save work.
    """

    name = "strategy"

    def __init__(self, seat: Seat) -> None:
        self.seat = seat
        self.book = offer_book(seat)
        self.history = History(seat.space)
        public = seat.scenario_public
        protocol = public.get("protocol")
        agreement = protocol.get("agreement", {}) if isinstance(protocol, dict) else {}
        self.rule = AgreementRule.model_validate(agreement)
        self.kind = str(protocol.get("kind", "alternating")) if isinstance(protocol, dict) else "alternating"
        parties = public.get("parties")
        self.parties = [str(p["id"]) for p in parties] if isinstance(parties, list) else [seat.party_id]

    @property
    def spec(self) -> str:
        """The registry spec that builds this negotiator, e.g. ``boulware(e=0.2)``."""
        return self.name

    # hooks ------------------------------------------------------------------------------------

    def level(self, turn: Turn) -> Level:  # pragma: no cover - overridden
        raise NotImplementedError

    def opponents(self, turn: Turn) -> list[str]:
        return [p for p in turn.parties_at_table if p != self.seat.party_id]

    def choose(self, turn: Turn, level: Level) -> int:
        """Closest acceptable outcome above the level; ties go to what the others seem to like best."""
        pos = self.book.position_at(level.target)
        lo, hi = self.book.tie_block(pos)
        return self.break_ties(turn, lo, hi)

    def offer(self, turn: Turn, level: Level) -> int:
        """The outcome to propose at `level`: searched in a large space once there is an opponent model
        (`search`), else the book's choice (`choose`) moved off any outcome the gate refused."""
        if not self.book.enumerated:
            found = self.search(turn, level)
            if found is not None:
                return found
        return int(self.book.order[self._not_blocked(turn, self.choose(turn, level))])

    def search_spec(self, turn: Turn) -> tuple[list[list[FloatArray]], Combine, float]:
        """For the large-space search: the opponent model's tables per opponent, how they combine, and the
        width of the own-utility band above the level (here: the frequency model summed, ``CLOSEST_BAND``)."""
        per_opponent = opponent_tables(self.history, self.opponents(turn), learning_rate=1.0)
        return per_opponent, "sum", CLOSEST_BAND * (self.book.u_max - self.book.floor)

    @cached_property
    def offer_search(self) -> OfferSearch:
        return OfferSearch(self.seat.space, self.seat.utility)

    def search(self, turn: Turn, level: Level) -> int | None:
        """Large spaces: the outcome in the band above `level` best for the others under the model (None:
        no model yet, or nothing found; the book answers)."""
        per_opponent, combine, band = self.search_spec(turn)
        if not per_opponent:
            return None
        refused = {self.history.index_of(b.terms) for b in turn.blocked if b.terms is not None}
        lo = max(level.target, self.book.floor)
        return self.offer_search.best(
            lo, lo + band, per_opponent, combine, {r for r in refused if r is not None}, turn_rng(self.seat, turn)
        )

    def break_ties(self, turn: Turn, lo: int, hi: int) -> int:
        """Among sorted positions [lo, hi): the highest frequency-model estimate for the others, then seeded chance."""
        if hi - lo <= 1:
            return lo
        candidates = np.arange(lo, hi)
        per_opponent = opponent_tables(self.history, self.opponents(turn), learning_rate=1.0)
        if per_opponent:
            tables = summed_tables(per_opponent)
            picks = self.book.picks(self.book.order[lo:hi])
            est = sum((tables[k][picks[k]] for k in range(1, len(tables))), start=tables[0][picks[0]])
            candidates = candidates[est >= est.max() - EPS]
        if len(candidates) == 1:
            return int(candidates[0])
        return int(turn_rng(self.seat, turn).choice(candidates))

    # the move ----------------------------------------------------------------------------------

    def act(self, turn: Turn) -> Action:
        book = self.book
        if book.size == 0:
            return WalkAway(
                reason="None of the possible term sheets meets our minimum requirements, so no agreement here "
                "can be better for us than our alternatives.",
                message="We have concluded that no combination of these terms can work for us, and we withdraw.",
            )
        self.history.sync(turn.moves)
        level = self.level(turn)
        offer = None if any(b.kind == "accept" for b in turn.blocked) else self._offer_on_table(turn)
        if offer is not None:
            u = float(book.utils[offer])
            if u >= level.target - EPS:
                return self._accept("The offer meets our aspiration at this stage of the negotiation.")
            if turn.is_last_round:
                return self._accept(
                    "Final round: the offer is acceptable to us and better than leaving without an agreement."
                )
        index = self.offer(turn, level)
        rally = self.rally(turn, level)
        if rally is not None:
            index, level = rally
        if offer is not None and book.utils[offer] >= book.utils[index] - EPS:
            return self._accept("The offer is at least as good for us as the counter-offer we would make (AC_next).")
        if offer is not None and self.stands_aside(turn, index):
            return Reject(
                reason="The bid is acceptable to us but below what we aim at; it can pass without our acceptance, "
                "and it has at least as much support as the counter-bid we would make, so we leave it standing.",
                message="We do not accept this bid, but we leave it on the table.",
            )
        return self._propose(turn, index, level)

    def stands_aside(self, turn: Turn, counter: int) -> bool:
        """Under the stacked protocol (where a reject is a pass and a counter-bid replaces the bid): leave an
        acceptable standing bid alone rather than counter it, when the rule can accept it without us and our
        counter-bid would hold no more of the acceptances the rule needs."""
        if self.kind != "stacked" or turn.proposal is None:
            return False
        me = self.seat.party_id
        others = {p for p in turn.parties_at_table if p != me}
        if not self.rule.met(set(others), self.parties):
            return False  # our acceptance is needed (a veto, or too few parties left without us)
        standing = self.rule.missing(set(turn.accepted_by), self.parties)
        terms = self.seat.space.term_sheet(counter).terms
        ours = self.rule.missing(set(turn.recalled(terms)) | {me}, self.parties)
        return standing <= ours

    def rally(self, turn: Turn, level: Level) -> tuple[int, Level] | None:
        """Terms others already accepted this tier that meet our aspiration, if re-proposing them brings the
        agreement rule closer than a fresh proposal would (only where the protocol remembers acceptances).

        Among such remembered term sheets that gained support lately and that the rule can still accept
        (the parties it needs did not refuse them lately; both within `RECENT_ROUNDS`): the fewest
        acceptances still missing under the rule, then the best for us, then the earliest proposed.
        Re-proposing identical terms is how a party joins a coalition under a protocol with acceptance
        memory; no scenario is special.
        """
        if not turn.remembered:
            return None
        me = self.seat.party_id
        refused = {self.history.index_of(b.terms) for b in turn.blocked if b.terms is not None}
        fresh = self.rule.missing({me}, self.parties)
        best: tuple[int, float, int] | None = None
        chosen: tuple[int, frozenset[str]] | None = None
        for n, entry in enumerate(turn.remembered):
            if not entry.accepted_by - {me} or entry.gained < turn.round - RECENT_ROUNDS:
                continue  # nobody else holds it, or it stopped gaining support: propose afresh instead
            index = self.history.index_of(entry.terms)
            if index is None or index in refused or not self.book.acceptable[index]:
                continue
            u = float(self.book.utils[index])
            if u < level.target - EPS:
                continue
            held = entry.accepted_by | {me}
            refusing = {p for p, r in entry.declined.items() if r >= turn.round - RECENT_ROUNDS}
            open_to_it = {p for p in turn.parties_at_table if p not in held and p not in refusing}
            if not self.rule.met(set(held | open_to_it), self.parties):
                continue  # the parties it still needs refused it lately: rallying to it cannot close
            key = (self.rule.missing(entry.accepted_by | {me}, self.parties), -u, n)
            if best is None or key < best:
                best, chosen = key, (index, entry.accepted_by - {me})
        if best is None or chosen is None or best[0] >= fresh:
            return None
        holders = [p for p in self.parties if p in chosen[1]]
        why = (
            f"{level.why}; these exact terms already hold the acceptance of {_join(holders)}, which the table "
            "keeps when they are proposed again"
        )
        return chosen[0], Level(level.target, why)

    def _not_blocked(self, turn: Turn, pos: int) -> int:
        """The nearest sorted position to `pos` whose outcome the policy gate has not refused this turn.

        Lower own utility first (a concession to meet the rules), then higher.
        """
        refused = {self.history.index_of(b.terms) for b in turn.blocked if b.terms is not None}
        if int(self.book.order[pos]) not in refused:
            return pos
        for candidate in itertools.chain(range(pos - 1, -1, -1), range(pos + 1, int(self.book.size))):
            if int(self.book.order[candidate]) not in refused:
                return int(candidate)
        return pos

    def _offer_on_table(self, turn: Turn) -> int | None:
        """The outcome on the table if this party may accept it and it is acceptable to it."""
        me = self.seat.party_id
        if turn.proposal is None or turn.proposer == me or me in turn.accepted_by:
            return None
        index = self.history.index_of(turn.proposal)
        if index is None or not self.book.acceptable[index]:
            return None
        return index

    def _accept(self, rationale: str) -> Accept:
        return Accept(message="We accept the proposal on the table.", rationale=rationale)

    def _propose(self, turn: Turn, index: int, level: Level) -> Propose:
        """The proposal, with a rationale naming every issue it changes against the one it answers."""
        proposal = self._proposal(turn, index, level)
        if turn.proposal is None or turn.proposer == self.seat.party_id:
            return proposal
        answered = [i for i, v in proposal.terms.items() if value_key(v) != value_key(turn.proposal.get(i, ""))]
        if not answered:
            return proposal
        note = f" Against the proposal on the table, this changes {', '.join(answered)}."
        return proposal.model_copy(update={"rationale": proposal.rationale + note})

    def _proposal(self, turn: Turn, index: int, level: Level) -> Propose:
        space = self.seat.space
        sheet = space.term_sheet(index)
        previous = self.history.last_offer(self.seat.party_id)
        if previous is None:
            listed = ", ".join(f"{space.by_id[i].label} {format_value(space, i, v)}" for i, v in sheet.terms.items())
            return Propose(
                terms=sheet.terms,
                message=f"Our opening proposal: {listed}.",
                rationale=f"Opening offer setting every issue ({', '.join(sheet.terms)}); "
                f"we start here because {level.why}.",
            )
        before = space.term_sheet(previous)
        changed = sheet.changes_from(before)
        if not changed:
            return Propose(
                terms=sheet.terms,
                message="We maintain our previous proposal.",
                rationale=f"No issue changed versus our previous offer, because {level.why}.",
            )
        moves = [
            f"{space.by_id[i].label} {format_value(space, i, before[i])} → {format_value(space, i, sheet[i])}"
            for i in changed
        ]
        picks_before, picks_after = space.option_indices(before), space.option_indices(sheet)
        tables = self.seat.utility.tables
        concede: list[str] = []
        firmer: list[str] = []
        neutral: list[str] = []
        for i in changed:
            k = space.issue_ids.index(i)
            delta = tables[k][picks_after[k]] - tables[k][picks_before[k]]
            (concede if delta < -1e-12 else firmer if delta > 1e-12 else neutral).append(i)
        parts = []
        if concede:
            parts.append(f"we concede on {_join(concede)}")
        if firmer:
            parts.append(f"ask more on {_join(firmer)} in exchange" if concede else f"we ask more on {_join(firmer)}")
        if neutral:
            parts.append(f"adjust {_join(neutral)}" if parts else f"we adjust {_join(neutral)}")
        changes = ", ".join(f"{i} ({value_key(before[i])} → {value_key(sheet[i])})" for i in changed)
        return Propose(
            terms=sheet.terms,
            message=f"Revised proposal: {'; '.join(moves)}. Other terms as before.",
            rationale=f"Changed {changes} versus our previous offer: {_join(parts)}, because {level.why}. "
            "The new terms still meet our aspiration.",
        )
