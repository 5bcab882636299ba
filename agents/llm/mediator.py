"""The LLM mediator of the ladder's mediation tier: a model drafts the single negotiating text.

It reads the public scenario and the public table only — never a private brief, never the
stated preferences the default Nash mediator is given — proposes one complete text with its
reasoning, and at each later round revises it from the parties' amendments and objections.
A draft must fit the outcome space (invalid drafts go back to the model with the reason); when
the model keeps failing, no text is tabled that round, and the reports say so.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from agents.base import AgentReport, StatedPreferences
from agents.llm.calls import call_report, default_client
from agents.llm.client import StructuredClient
from agents.llm.config import LLMConfig
from agents.llm.pricing import load_price_table
from agents.llm.prompts import MEDIATOR_SYSTEM, chat, describe_issues, describe_table
from agents.llm.replies import mediator_reply
from pactlab.domain.actions import Propose
from pactlab.domain.outcome_space import InvalidOffer, OutcomeSpace
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import MEDIATOR, Turn


class LLMMediator:
    """Drafts and revises the single negotiating text with a chat model, from the public table alone."""

    name = "llm"

    def __init__(self, scenario: Scenario, space: OutcomeSpace, config: LLMConfig | None = None) -> None:
        self.space = space
        self.config = config or LLMConfig.from_env()
        self.client: StructuredClient = default_client(self.config)
        self.prices = load_price_table()
        self._reports: list[AgentReport] = []
        public = scenario.public_view()
        parties = ", ".join(f"{p.id} ({p.name}, {p.core_business})" for p in scenario.parties)
        self._prefix = [
            f"SCENARIO: {public['title']}\n{public.get('context', '')}\nPARTIES: {parties}",
            f"ISSUES (the text sets all of them):\n{describe_issues(space)}",
        ]

    def take_reports(self) -> list[AgentReport]:
        reports, self._reports = self._reports, []
        return reports

    def draft(self, turn: Turn, stated: StatedPreferences | None) -> Propose | None:
        del stated  # never read: the LLM mediator works from the public table only
        revising = any(m["party"] == MEDIATOR for m in turn.moves)
        ask = (
            "Revise your single negotiating text: keep what the parties accepted, move toward their amendments "
            "and objections."
            if revising
            else "Draft the single negotiating text: one complete set of terms every party can accept."
        )
        messages = chat(
            MEDIATOR_SYSTEM,
            self._prefix,
            [
                describe_table(turn),
                f'{ask} Reply with a JSON object with the keys "terms" (a value for every issue), "message" '
                '(one or two sentences to the parties) and "rationale" (why this text).',
            ],
        )
        decision = self.client.decide(
            messages, mediator_reply(self.space), self._check, purpose=f"mediator turn {turn.turn + 1}"
        )
        self._reports.append(call_report(MEDIATOR, turn, decision, self.prices))
        if decision.value is None:
            self._reports.append(
                AgentReport(
                    "llm_fallback",
                    {"party": MEDIATOR, "turn": turn.turn, "why": decision.failure, "fallback": "no text"},
                )
            )
        return decision.value

    def _check(self, reply: BaseModel) -> Propose:
        data: dict[str, Any] = reply.model_dump()
        try:
            sheet = self.space.validate(data["terms"])
        except InvalidOffer as exc:
            raise ValueError(f"invalid terms: {exc}") from None
        rationale = data["rationale"].strip()
        if sum(ch.isalpha() for ch in rationale) < 3:
            rationale = "Single negotiating text drafted by the mediator from the parties' offers and objections."
        return Propose(terms=sheet.terms, message=data["message"].strip(), rationale=rationale)
