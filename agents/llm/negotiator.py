"""The LLM negotiator: a model speaks for one organisation, under guarantees that hold whatever it says.

Its context is the public scenario, its own brief and the public table (`agents.llm.prompts`),
nothing private of any other party. The **utility advisor** (the party's own offer book and a
Pareto-seeking strategy, whose first suggestion in a large outcome space is searched by
optimisation, `agents.strategies.offer_search`) values term sheets for its side, so the model does not misjudge the
arithmetic; how much it leans on the advisor is the `advisor` setting:

- `free`: no numbers; the model reads its priorities in words and writes its terms;
- `advised`: the model writes its terms, told what the proposal on the table, its own last
  offer and a few suggested counter-offers are worth to it;
- `choose`: the model picks among the advisor's candidate term sheets (or accepts, rejects,
  walks away), which suits small models.

A turn is one model call (`steps=1`) or two (`steps=2`, the default in `choose` mode, the local
default): a tiny decision step (accept, counter, reject, walk away, told the advisor's valuation
of the proposal against the party's current target, the rounds left and the tier's mandate),
then, only for a counter, the terms step in the mode's style (`agents.llm.turn` says why).

A `stance` (cooperative, competitive, warm, dominant) or an adversarial `role` (greedy,
saboteur, injector) adds its instructions to the system prompt and sets the advisor it implies
(`agents.llm.stances`); the guarantees below bind them all the same.

Whatever the model says, code decides what may pass (`check_reply`): terms must fit the
outcome space, and the party never proposes or accepts terms below its reservation value or
outside its hard limits and mandate; an invalid reply goes back to the model with the reason
(the client's repairs). When the model keeps failing, the configured fallback (a strategy, or
walk-away) acts, and the reports say so. Outgoing words pass the privacy screen.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, cast

from pydantic import BaseModel

from agents.base import AgentReport, Negotiator, Seat
from agents.llm.calls import call_report, default_client
from agents.llm.client import Decision, StructuredClient
from agents.llm.config import LLMConfig
from agents.llm.pricing import load_price_table
from agents.llm.prompts import (
    NEGOTIATOR_SYSTEM,
    chat,
    describe_blocked,
    describe_brief,
    describe_scenario,
    describe_table,
)
from agents.llm.replies import ChoiceReply, DecisionReply, Kind, TermsChoice, reply_model, terms_reply
from agents.llm.screen import PrivateFigures, screen
from agents.llm.stances import behaviour, check_behaviour
from agents.llm.turn import (
    Step,
    Valuation,
    can_answer,
    decision_example,
    decision_prompt,
    options,
    recommendation,
)
from agents.strategies import ParetoSeekingNegotiator
from agents.strategies.base import Level
from agents.strategies.catalog import CATALOG
from pactlab.domain.actions import Accept, Action, Propose, Reject, WalkAway
from pactlab.domain.issues import IssueValue
from pactlab.domain.outcome_space import InvalidOffer
from pactlab.domain.table import Turn

AdvisorMode = Literal["free", "advised", "choose"]
ADVISOR_MODES: tuple[AdvisorMode, ...] = ("free", "advised", "choose")
FALLBACKS = ("pareto", "boulware", "linear", "conceder", "tit_for_tat", "walk_away")


@dataclass(frozen=True)
class Candidate:
    terms: dict[str, IssueValue]
    utility: float


class Counter(BaseModel):
    """The decision step's counter: the terms step follows (never an action on the table)."""

    kind: Literal["counter"] = "counter"
    message: str
    reason: str


class LLMNegotiator:
    """A party's negotiator backed by a chat model over the OpenAI API (see the module docstring)."""

    name = "llm"

    def __init__(
        self,
        seat: Seat,
        model: str = "",
        provider: str = "",
        temperature: float = math.nan,
        max_tokens: float = math.nan,
        output_mode: str = "",
        advisor: str = "advised",
        fallback: str = "pareto",
        candidates: float = 4,
        stance: str = "",
        role: str = "",
        steps: float = 0,
        *,
        client_factory: Callable[[LLMConfig], StructuredClient] | None = None,
    ) -> None:
        check_llm(advisor=advisor, fallback=fallback, candidates=candidates, stance=stance, role=role, steps=steps)
        self.stance, self.role = stance, role
        self.behaviour = behaviour(stance, role)
        self.system = f"{NEGOTIATOR_SYSTEM}\n{self.behaviour.prompt}" if self.behaviour.prompt else NEGOTIATOR_SYSTEM
        self.seat = seat
        self.advisor_mode = cast(AdvisorMode, advisor)
        self.n_candidates = int(candidates)
        self.steps = int(steps) or default_steps(advisor)
        self.config = party_config(seat, model, provider, temperature, max_tokens, output_mode)
        self.client = (client_factory or default_client)(self.config)
        self.advisor = ParetoSeekingNegotiator(seat, e=self.behaviour.concession)
        self.fallback_spec = fallback
        self.fallback = None if fallback == "walk_away" else _strategy(fallback, seat)
        self.figures = PrivateFigures.of(seat.party.private)
        self.prices = load_price_table()
        self._reports: list[AgentReport] = []
        compact = self.advisor_mode == "choose"
        self._prefix = [
            describe_scenario(seat, compact=compact),
            describe_brief(seat, numbers=self.advisor_mode != "free"),
        ]

    @property
    def spec(self) -> str:
        extra = "".join(f", {k}={v}" for k, v in (("stance", self.stance), ("role", self.role)) if v)
        if self.steps != default_steps(self.advisor_mode):
            extra += f", steps={self.steps}"
        return f"llm(model={self.config.model}, advisor={self.advisor_mode}, fallback={self.fallback_spec}{extra})"

    def take_reports(self) -> list[AgentReport]:
        """The audit events of the last act(): model calls, fallbacks, screen hits."""
        reports, self._reports = self._reports, []
        return reports

    # -- acting ----------------------------------------------------------------------------------

    def act(self, turn: Turn) -> Action:
        self.advisor.history.sync(turn.moves)
        action = self._two_steps(turn) if self.steps == 2 else self._one_step(turn)
        if self.behaviour.ask:  # the injector's probe, whatever the model wrote
            action = action.model_copy(update={"message": f"{action.message} {self.behaviour.ask}".strip()[:4000]})
        return self._screened(turn, action)

    def _one_step(self, turn: Turn) -> Action:
        """One call: the action and, for a proposal, its terms (or candidate)."""
        candidates = self.candidates(turn) if self.advisor_mode != "free" else []
        messages = chat(self.system, self._prefix, self._dynamic(turn, candidates))
        decision: Decision[Action]
        example = self._example(turn, candidates)
        if self.advisor_mode == "choose":
            decision = self.client.decide(
                messages,
                ChoiceReply,
                _with_example(lambda r: self.check_choice(turn, r, candidates), example),
                purpose=self._purpose(turn),
            )
        else:
            decision = self.client.decide(
                messages,
                reply_model(self.seat.space),
                _with_example(lambda r: self.check_reply(turn, r), example),
                purpose=self._purpose(turn),
            )
        self._report_call(turn, decision)
        if decision.value is None:
            return self._fall_back(turn, decision.failure or "no valid reply")
        return decision.value

    def _two_steps(self, turn: Turn) -> Action:
        """The decision step (when there is a proposal of another party to answer), then the terms step
        for a counter (see `agents.llm.turn`)."""
        if can_answer(turn, self.seat.party_id):
            value = self.valuation(turn)
            messages = chat(self.system, [], [self.decision_prompt(turn, value)])
            example = decision_example(value.recommend)
            decided: Decision[Action | Counter] = self.client.decide(
                messages,
                DecisionReply,
                _with_example(lambda r: self.check_decision(turn, r), example),
                purpose=f"{self._purpose(turn)} decision",
            )
            self._report_call(turn, decided, step="decision")
            if decided.value is None:
                return self._fall_back(turn, decided.failure or "no valid decision")
            if not isinstance(decided.value, Counter):
                return decided.value
        candidates = self.candidates(turn) if self.advisor_mode != "free" else []
        messages = chat(self.system, self._prefix, self._dynamic(turn, candidates, terms_step=True))
        example = self._terms_example(turn, candidates)
        terms: Decision[Action]
        if self.advisor_mode == "choose":
            terms = self.client.decide(
                messages,
                TermsChoice,
                _with_example(lambda r: self.check_terms_choice(turn, r, candidates), example),
                purpose=f"{self._purpose(turn)} terms",
            )
        else:
            terms = self.client.decide(
                messages,
                terms_reply(self.seat.space),
                _with_example(lambda r: self.check_terms(turn, r), example),
                purpose=f"{self._purpose(turn)} terms",
            )
        self._report_call(turn, terms, step="terms")
        if terms.value is None:
            return self._fall_back(turn, terms.failure or "no valid terms")
        return terms.value

    def valuation(self, turn: Turn) -> Valuation:
        """The advisor's view of the proposal on the table for the decision step."""
        assert turn.proposal is not None
        book = self.advisor.book
        sheet = self.seat.space.validate(turn.proposal)
        target = self.level(turn).target
        floor = None
        if turn.tier is not None:
            floor = book.u_max - (book.u_max - book.floor) * turn.mandate if book.size else None
        partial = Valuation(
            on_table=self.seat.utility(sheet),
            target=target,
            reservation=self.seat.utility.reservation_value,
            mandate_floor=floor,
            acceptable=self.seat.utility.acceptable(sheet),
            recommend="counter",
        )
        verdict = recommendation(partial, options(turn, self.seat.party_id), self.behaviour.recommends_accept, turn)
        return Valuation(**{**partial.__dict__, "recommend": verdict})

    def decision_prompt(self, turn: Turn, value: Valuation) -> str:
        """The decision step's user message."""
        who = self.seat.party.name
        return decision_prompt(turn, self.seat.party_id, who, value, numbers=self.advisor_mode != "free")

    def _terms_example(self, turn: Turn, candidates: list[Candidate]) -> str:
        message, rationale = "We can move toward you on some issues.", "We change the issues that matter most to us."
        if self.advisor_mode == "choose":
            return json.dumps({"candidate": 1, "message": message, "rationale": rationale})
        pick = candidates[0].terms if candidates else self.candidates(turn)[0].terms if self.advisor.book.size else {}
        return json.dumps({"terms": pick, "message": message, "rationale": rationale})

    def _example(self, turn: Turn, candidates: list[Candidate]) -> str:
        """A valid reply for this turn, quoted in repair requests: small models fix a reply only from an example."""
        message, rationale = "We can move toward you on some issues.", "We change the issues that matter most to us."
        if self.advisor_mode == "choose":
            reply: dict[str, Any] = {"action": "propose", "candidate": 1}
        else:
            pick = (
                candidates[0].terms if candidates else self.candidates(turn)[0].terms if self.advisor.book.size else {}
            )
            reply = {"action": "propose", "terms": pick}
        return json.dumps({**reply, "message": message, "rationale": rationale, "reason": ""})

    def _purpose(self, turn: Turn) -> str:
        return f"{self.seat.party_id} turn {turn.turn + 1}"

    def _dynamic(self, turn: Turn, candidates: list[Candidate], *, terms_step: bool = False) -> list[str]:
        parts = [describe_table(turn, value=self._value if self.advisor_mode == "choose" else None)]
        if turn.tier is not None:
            parts.append(
                f"YOUR MANDATE at this tier: you may give up to {turn.mandate:.0%} of the way from your best terms "
                "to your walk-away point."
            )
        if self.advisor_mode != "free":
            parts.append(self._advice(turn, candidates, recommend=not terms_step))
        parts.append(describe_blocked(turn))
        parts.append(self._terms_instruction() if terms_step else self._instruction(turn))
        return parts

    def _value(self, terms: Mapping[str, IssueValue] | None) -> float | None:
        if terms is None:
            return None
        try:
            return self.seat.utility(self.seat.space.validate(terms))
        except InvalidOffer:
            return None

    def _advice(self, turn: Turn, candidates: list[Candidate], *, recommend: bool = True) -> str:
        lines = ["UTILITY ADVISOR (values to your side, 0-1):"]
        on_table = self._value(turn.proposal) if turn.proposer != self.seat.party_id else None
        if on_table is not None:
            lines.append(f"- the proposal on the table is worth {on_table:.2f} to you")
        own = turn.proposals_by(self.seat.party_id)
        if own:
            lines.append(f"- your last proposal was worth {self._value(own[-1]) or 0:.2f} to you")
        level = self.level(turn).target
        lines.append(f"- at this stage, aim for about {level:.2f}")
        if (
            recommend
            and self.behaviour.recommends_accept
            and on_table is not None
            and on_table >= level - 1e-9
            and self.seat.utility.acceptable(self.seat.space.validate(turn.proposal or {}))
        ):
            lines.append("- the advisor recommends: accept (the proposal on the table meets your aim)")
        reference = turn.proposal if turn.proposal is not None else (own[-1] if own else None)
        for n, c in enumerate(candidates, 1):
            lines.append(f"- candidate {n} (worth {c.utility:.2f}): {self._candidate_terms(c, reference)}")
        return "\n".join(lines)

    def _candidate_terms(self, candidate: Candidate, reference: Mapping[str, IssueValue] | None) -> str:
        """In choose mode, a candidate as its changes from the proposal it answers; else in full."""
        if self.advisor_mode != "choose" or reference is None:
            return json.dumps(candidate.terms)
        changes = [f"{k} {reference.get(k)}->{v}" for k, v in candidate.terms.items() if reference.get(k) != v]
        return "changes " + ", ".join(changes) if changes else "the same terms"

    def _instruction(self, turn: Turn) -> str:
        can_answer = turn.proposal is not None and turn.proposer != self.seat.party_id
        options = "propose, accept, reject or walk_away" if can_answer else "propose or walk_away"
        if self.advisor_mode == "choose":
            shape = '{"action": "propose", "candidate": 1, "message": "...", "rationale": "...", "reason": ""}'
            what = "To propose, give the number of one candidate term sheet."
        else:
            shape = (
                '{"action": "propose", "terms": {...every issue...}, "message": "...", "rationale": "...", '
                '"reason": ""}'
            )
            what = "To propose, set every issue in terms."
        return (
            f"YOUR TURN: choose one action: {options}. {what} In rationale, name the issues you change and why. "
            f"Reply with JSON like {shape}"
        )

    def _terms_instruction(self) -> str:
        if self.advisor_mode == "choose":
            shape = '{"candidate": 1, "message": "...", "rationale": "..."}'
            what = "give the number of one candidate term sheet"
        else:
            shape = '{"terms": {...every issue...}, "message": "...", "rationale": "..."}'
            what = "set every issue in terms"
        return (
            f"YOUR TURN: you make a proposal: {what}. In rationale, name the issues you change and why. "
            f"Reply with JSON like {shape}"
        )

    # -- the advisor -------------------------------------------------------------------------------

    def level(self, turn: Turn) -> Level:
        """The advisor's aim this turn, held at the role's floor (`Behaviour.aim_floor`) when it has one."""
        level = self.advisor.level(turn)
        book = self.advisor.book
        floor = book.floor + self.behaviour.aim_floor * (book.u_max - book.floor)
        return level if level.target >= floor else Level(floor, f"{level.why}; held at the role's aim")

    def candidates(self, turn: Turn) -> list[Candidate]:
        """Term sheets the advisor suggests: its Pareto-seeking pick, then steps toward our best."""
        book = self.advisor.book
        if book.size == 0:
            return []
        level = self.level(turn)
        first = self.advisor.search(turn, level) if not book.enumerated else None  # large spaces: searched
        picks = [int(book.order[self.advisor.choose(turn, level)]) if first is None else first]
        step = (book.u_max - level.target) / max(self.n_candidates - 1, 1)
        for k in range(1, self.n_candidates):
            picks.append(int(book.order[book.position_at(level.target + k * step)]))
        seen: list[int] = []
        for index in picks:
            if index not in seen:
                seen.append(index)
        space = self.seat.space
        return [Candidate(dict(space.term_sheet(index).terms), float(book.utils[index])) for index in seen]

    # -- guarantees --------------------------------------------------------------------------------

    def check_reply(self, turn: Turn, reply: BaseModel) -> Action:
        """The reply as an Action, or ValueError saying what to fix (sent back to the model)."""
        data = reply.model_dump()
        kind: Kind = data["action"]
        if kind == "propose":
            return self._checked_proposal(turn, data["terms"], data["message"], data["rationale"])
        return self._checked_answer(turn, kind, data["message"], data["rationale"], data["reason"])

    def check_choice(self, turn: Turn, reply: ChoiceReply, candidates: list[Candidate]) -> Action:
        if reply.action == "propose":
            if not candidates:
                raise ValueError("there are no candidate term sheets; accept, reject or walk_away instead")
            if not 1 <= reply.candidate <= len(candidates):
                raise ValueError(f"candidate must be a number from 1 to {len(candidates)}, not {reply.candidate}")
            chosen = candidates[reply.candidate - 1]
            return self._checked_proposal(turn, chosen.terms, reply.message, reply.rationale)
        return self._checked_answer(turn, reply.action, reply.message, reply.rationale, reply.reason)

    def check_decision(self, turn: Turn, reply: DecisionReply) -> Action | Counter:
        """The decision step's reply: an answer (checked as in one step) or a counter (the terms step follows)."""
        if reply.decision not in options(turn, self.seat.party_id):
            raise ValueError(f"decision must be one of {', '.join(options(turn, self.seat.party_id))}")
        if reply.decision == "counter":
            if self.advisor_mode == "choose" and self.advisor.book.size == 0:
                raise ValueError("there are no terms you could propose; reject or walk_away instead")
            return Counter(message=reply.message.strip(), reason=reply.reason.strip())
        return self._checked_answer(turn, reply.decision, reply.message, reply.reason, reply.reason)

    def check_terms_choice(self, turn: Turn, reply: TermsChoice, candidates: list[Candidate]) -> Propose:
        if not candidates:
            raise ValueError("there are no candidate term sheets")
        if not 1 <= reply.candidate <= len(candidates):
            raise ValueError(f"candidate must be a number from 1 to {len(candidates)}, not {reply.candidate}")
        return self._checked_proposal(turn, candidates[reply.candidate - 1].terms, reply.message, reply.rationale)

    def check_terms(self, turn: Turn, reply: BaseModel) -> Propose:
        data = reply.model_dump()
        return self._checked_proposal(turn, data["terms"], data["message"], data["rationale"])

    def _checked_proposal(self, turn: Turn, terms: dict[str, Any], message: str, rationale: str) -> Propose:
        try:
            sheet = self.seat.space.validate(terms)
        except InvalidOffer as exc:
            raise ValueError(f"invalid terms: {exc}") from None
        if not self.seat.utility.satisfies_constraints(sheet):
            raise ValueError(
                "these terms break one of your hard limits: " + "; ".join(self.seat.party.private.constraints)
            )
        value = self.seat.utility(sheet)
        floor = self.seat.utility.reservation_value
        if value < floor - 1e-9:
            raise ValueError(
                f"these terms are worth {value:.2f} to you, below your walk-away point; propose better terms for you"
            )
        words = "" if _placeholder(rationale) else rationale.strip()
        return Propose(
            terms=sheet.terms,
            message="" if _placeholder(message) else message.strip(),
            rationale=f"{words} {self._changes(turn, sheet.terms)}".strip(),
        )

    def _changes(self, turn: Turn, terms: Mapping[str, IssueValue]) -> str:
        """The advisor's factual note of the issues a proposal changes, so that every rationale names them."""
        own = turn.proposals_by(self.seat.party_id)
        if turn.proposal is not None and turn.proposer != self.seat.party_id:
            reference, against = turn.proposal, "the proposal on the table"
        elif own:
            reference, against = own[-1], "our previous proposal"
        else:
            return f"Opening proposal setting every issue ({', '.join(terms)})."
        changed = [k for k, v in terms.items() if reference.get(k) != v]
        if not changed:
            return f"No issue changed versus {against}."
        return f"Against {against}, this changes {', '.join(changed)}."

    def _checked_answer(self, turn: Turn, kind: Kind, message: str, rationale: str, reason: str) -> Action:
        can_answer = turn.proposal is not None and turn.proposer != self.seat.party_id
        if kind in ("accept", "reject") and not can_answer:
            raise ValueError(f"there is no proposal of another party to {kind}; propose terms instead")
        if kind == "accept":
            if self.seat.party_id in turn.accepted_by:
                raise ValueError("you have already accepted this proposal; propose, reject or walk_away")
            assert turn.proposal is not None
            sheet = self.seat.space.validate(turn.proposal)
            if not self.seat.utility.acceptable(sheet):
                value = self.seat.utility(sheet)
                raise ValueError(
                    f"you may not accept: the proposal is worth {value:.2f} to you, below your walk-away point or "
                    "outside your hard limits; propose or reject instead"
                )
            return Accept(message=message.strip(), rationale=rationale.strip())
        why = reason.strip() or message.strip()
        if not why:
            raise ValueError(f"{kind} needs a reason")
        if kind == "reject":
            return Reject(reason=why, message=message.strip())
        return WalkAway(reason=why, message=message.strip())

    # -- fallback, screen, reports -----------------------------------------------------------------

    def _fall_back(self, turn: Turn, failure: str) -> Action:
        if self.fallback is None:
            action: Action = WalkAway(
                reason="Our representative could not produce a valid move.", message="We withdraw."
            )
        else:
            action = self.fallback.act(turn)
        self._reports.append(
            AgentReport(
                "llm_fallback",
                {
                    "party": self.seat.party_id,
                    "turn": turn.turn,
                    "why": failure,
                    "fallback": self.fallback_spec,
                    "action": action.model_dump(mode="json"),
                },
            )
        )
        return action

    def _screened(self, turn: Turn, action: Action) -> Action:
        updates: dict[str, str] = {}
        hits = []
        for field in ("message", "rationale", "reason"):
            text = getattr(action, field, None)
            if isinstance(text, str) and text:
                clean, found = screen(text, field, self.figures)
                if found:
                    updates[field] = clean
                    hits.extend(found)
        if not hits:
            return action
        self._reports.append(
            AgentReport(
                "screen",
                {
                    "party": self.seat.party_id,
                    "turn": turn.turn,
                    "hits": [{"field": h.field, "text": h.text, "figure": h.figure} for h in hits],
                },
            )
        )
        return action.model_copy(update=updates)

    def _report_call(self, turn: Turn, decision: Decision[Any], step: Step | None = None) -> None:
        """The `llm_call` record; a two-step turn's records add ``step`` (and ``decision`` for the decision
        step), and a counter's decision record has no action (its terms record carries the proposal)."""
        if step is None:
            self._reports.append(
                call_report(self.seat.party_id, turn, decision, self.prices, advisor=self.advisor_mode)
            )
            return
        extra: dict[str, object] = {"advisor": self.advisor_mode, "step": step}
        value = decision.value
        if step == "decision" and value is not None:
            extra["decision"] = "counter" if isinstance(value, Counter) else _VERDICT[value.kind]
        report = call_report(self.seat.party_id, turn, decision, self.prices, **extra)
        if isinstance(value, Counter):
            report.data["action"] = None
        self._reports.append(report)


_VERDICT = {"accept": "accept", "reject": "reject", "walk_away": "walk_away", "propose": "counter"}


def default_steps(advisor: str) -> int:
    """Two steps in `choose` mode (made for small models), one in the others."""
    return 2 if advisor == "choose" else 1


R = TypeVar("R")


def _with_example(check: Callable[[Any], R], example: str) -> Callable[[Any], R]:
    """`check`, whose errors end with a valid example reply."""

    def checked(reply: Any) -> R:
        try:
            return check(reply)
        except ValueError as exc:
            raise ValueError(f"{exc}. A valid reply looks like: {example}") from None

    return checked


def _placeholder(text: str) -> bool:
    """Empty, or no words at all (e.g. '...' copied from an example)."""
    return sum(ch.isalpha() for ch in text) < 3


def party_config(
    seat: Seat, model: str, provider: str, temperature: float, max_tokens: float, output_mode: str
) -> LLMConfig:
    """The seat's model settings: the spec's parameters, over the scenario's, over the environment."""
    overrides: dict[str, object] = {}
    if seat.party.llm is not None:
        overrides.update(seat.party.llm.model_dump(exclude_none=True))
    for key, value in (("model", model), ("provider", provider), ("output_mode", output_mode)):
        if value:
            overrides[key] = value
    if not math.isnan(temperature):
        overrides["temperature"] = temperature
    if not math.isnan(max_tokens):
        overrides["max_tokens"] = int(max_tokens)
    if "seed" not in overrides:  # reproducible where the endpoint honours seeds
        digest = hashlib.sha256(f"{seat.seed}:{seat.party_id}".encode()).digest()
        overrides["seed"] = int.from_bytes(digest[:4], "big") & 0x7FFF_FFFF
    return LLMConfig.from_env(**overrides)


def _strategy(name: str, seat: Seat) -> Negotiator:
    """The fallback strategy negotiator, from the catalog (`check_llm` has checked the name)."""
    return CATALOG[name].factory(seat)


def check_llm(
    advisor: str = "advised",
    fallback: str = "pareto",
    candidates: float = 4,
    stance: str = "",
    role: str = "",
    steps: float = 0,
    **_: object,
) -> None:
    """Raise ValueError, saying what is valid, for bad LLM negotiator parameters."""
    check_behaviour(stance, role)
    if steps not in (0, 1, 2):
        raise ValueError(f"steps must be 1 (one call per turn) or 2 (decision, then terms), not {steps!r}")
    if advisor not in ADVISOR_MODES:
        raise ValueError(f"advisor must be one of {', '.join(ADVISOR_MODES)}, not {advisor!r}")
    if fallback not in FALLBACKS:
        raise ValueError(f"fallback must be one of {', '.join(FALLBACKS)}, not {fallback!r}")
    if not 1 <= candidates <= 8 or candidates != int(candidates):
        raise ValueError(f"candidates must be a whole number from 1 to 8, not {candidates!r}")
