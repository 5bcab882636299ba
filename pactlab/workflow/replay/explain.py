"""What decided each clause: for every agreed term, the move that set it and the inputs that decided that move.

A term's move is the proposal that put its final value on the table with no different value
proposed since (the rule the term sheet traces clauses by, `evals.termsheet.drafting`). Its
inputs, each with the transcript line that holds it: the rule of the agent that moved (a strategy
and its parameters, the mediator), the recorded model reply an LLM agent's move was validated
from, the person's recorded answer, a fallback that acted instead, the policy gate's verdicts,
an approval, and the part of the party's private profile that values the term, as a reference
into the run start (its figures only when the operator asks: `private=True`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from evals.audit import canonical_json
from pactlab.domain.issues import value_key
from pactlab.domain.outcome_space import InvalidOffer, OutcomeSpace, UtilityFunction
from pactlab.domain.scenario import Scenario
from pactlab.workflow.replay.compare import short
from pactlab.workflow.replay.errors import ReplayInputError

Line = tuple[int, dict[str, Any]]

_AROUND_A_MOVE = ("llm_call", "llm_fallback", "fallback", "gate", "human_move", "approval", "screen")


class TermInput(BaseModel):
    """One input that decided a move: what it is, the line that holds it, and what it says."""

    what: str
    line: int | None = None
    text: str


class TermExplanation(BaseModel):
    """An agreed term, the move that set it, and the inputs that decided that move."""

    issue: str
    value: Any
    line: int = Field(description="The transcript line of the move that set the term.")
    turn: int = Field(description="1-based, as shown to people.")
    round: int = Field(description="1-based.")
    party: str
    inputs: list[TermInput] = Field(default_factory=list)
    accepted_by: list[tuple[str, int]] = Field(default_factory=list, description="(party, line) of each acceptance.")


def explain(lines: list[Line], *, private: bool = False) -> list[TermExplanation]:
    """Each agreed term of the transcript's run with its move and inputs; raises if the run ended without agreement."""
    start = lines[0][1]["data"]
    moves = [(n, r["data"]) for n, r in lines if r["kind"] == "move" and isinstance(r["data"].get("move"), Mapping)]
    table = moves[-1][1].get("table") if moves else None
    if not isinstance(table, Mapping) or table.get("status") != "agreement" or not table.get("proposal"):
        status = table.get("status") if isinstance(table, Mapping) else "open"
        raise ReplayInputError(f"the run ended without agreement ({status}): there is no agreed term to explain")
    agreed: Mapping[str, Any] = table["proposal"]
    chain = [(n, d["move"]) for n, d in moves if d["move"].get("kind") == "propose" and d["move"].get("terms")]
    last = chain[-1][0] if chain else 0
    accepted = [(str(d["move"]["party"]), n) for n, d in moves if n > last and d["move"].get("kind") == "accept"]
    scenario = Scenario.model_validate(start["scenario"])
    found: list[TermExplanation] = []
    order = [i for i in scenario.issue_ids if i in agreed] + [i for i in agreed if i not in scenario.issue_ids]
    for issue in order:
        value = agreed[issue]
        line, move = chain[0]
        previous: Any = None
        for k, (n, proposal) in enumerate(chain):
            current = proposal["terms"].get(issue)
            if k == 0 or canonical_json(current) != canonical_json(previous):
                line, move = n, proposal
            previous = current
        found.append(
            TermExplanation(
                issue=issue,
                value=value,
                line=line,
                turn=int(move["turn"]) + 1,
                round=int(move["round"]) + 1,
                party=str(move["party"]),
                inputs=_inputs(lines, start, scenario, move, issue, value, agreed, private),
                accepted_by=accepted,
            )
        )
    return found


def _inputs(
    lines: list[Line],
    start: Mapping[str, Any],
    scenario: Scenario,
    move: Mapping[str, Any],
    issue: str,
    value: Any,
    agreed: Mapping[str, Any],
    private: bool,
) -> list[TermInput]:
    party, turn = str(move["party"]), int(move["turn"])
    around = [
        (n, r)
        for n, r in lines
        if r["kind"] in _AROUND_A_MOVE
        and r["data"].get("turn") == turn
        and party in (r["data"].get("party"), r["actor"])
    ]
    spec = "human" if party not in start["agents"] and party != "mediator" else str(start["agents"].get(party, ""))
    inputs: list[TermInput] = []
    fell_back = [(n, r) for n, r in around if r["kind"] in ("fallback", "llm_fallback")]
    if party == "mediator":
        inputs.append(_mediator(str(start.get("mediator", "nash"))))
    elif spec == "human":
        answers = [(n, r) for n, r in around if r["kind"] == "human_move"]
        if answers:
            n, r = answers[-1]
            inputs.append(
                TermInput(what="person", line=n, text=f"{r['data'].get('by') or 'the person'} at {party}'s seat")
            )
    elif not spec.startswith("llm"):
        inputs.append(_strategy(spec))
    for n, r in around:
        data = r["data"]
        if r["kind"] == "llm_call":
            call = data.get("call") if isinstance(data.get("call"), Mapping) else {}
            requests = call.get("requests") or [{}]
            reply = requests[-1].get("response_text") if isinstance(requests[-1], Mapping) else None
            model = call.get("model_answered") or call.get("model_requested")
            inputs.append(TermInput(what="model reply", line=n, text=f"{model}: {short(reply or '(none)', 300)}"))
    for n, r in fell_back:
        data = r["data"]
        inputs.append(
            TermInput(
                what="fallback",
                line=n,
                text=f"{data.get('fallback', 'the policy gate')} acted: {short(data.get('why') or '', 200)}",
            )
        )
    for n, r in around:
        data = r["data"]
        if (
            r["kind"] == "gate"
            and not data.get("blocked")
            and canonical_json(data.get("action")) == canonical_json(_action(move))
        ):
            verdicts = data.get("verdicts") or []
            warned = [str(v.get("rule_id")) for v in verdicts if isinstance(v, Mapping) and not v.get("passed", True)]
            text = f"judged by {len(verdicts)} policy rule(s)" + (f"; warned by {', '.join(warned)}" if warned else "")
            inputs.append(TermInput(what="policy gate", line=n, text=text))
        elif r["kind"] == "approval":
            inputs.append(
                TermInput(
                    what="approval",
                    line=n,
                    text=f"{data.get('approver')}: {data.get('decision')} (review {data.get('review')})",
                )
            )
    if party in scenario.party_ids:
        inputs.append(_profile(scenario, party, issue, value, agreed, private))
    return inputs


def _action(move: Mapping[str, Any]) -> dict[str, Any]:
    """The action a move record holds, as the gate record shows it."""
    fields = {"kind": move["kind"], "message": move.get("message", "")}
    if move["kind"] == "propose":
        fields.update(terms=move.get("terms"), rationale=move.get("rationale", ""))
    return fields


def _strategy(spec: str) -> TermInput:
    from agents.registry import STRATEGIES, parse_spec

    try:
        name, _ = parse_spec(spec)
        summary = STRATEGIES[name].summary
    except ValueError:
        summary = "(not a strategy this code knows)"
    return TermInput(what="strategy rule", line=1, text=f"{spec}: {summary}")


def _mediator(name: str) -> TermInput:
    if name.startswith("llm"):
        return TermInput(
            what="mediator",
            line=1,
            text="the LLM mediator drafted the text from the public table (see its model reply)",
        )
    return TermInput(
        what="mediator",
        line=1,
        text=f"{name} mediator: the single text on the Pareto frontier that maximises the Nash product of the "
        "parties' stated preferences (every party's profile, line 1: scenario.parties[*].private)",
    )


def _profile(
    scenario: Scenario, party: str, issue: str, value: Any, agreed: Mapping[str, Any], private: bool
) -> TermInput:
    index = scenario.party_ids.index(party)
    where = f"scenario.parties[{index}].private: weights.{issue}, values.{issue}"
    if not private:
        return TermInput(what="profile", line=1, text=f"{party}'s own profile, {where} (figures: --private)")
    profile = scenario.party(party).private
    weight = profile.weights.get(issue)
    shape = profile.values.get(issue)
    table = getattr(shape, "table", None)
    figure = table.get(value_key(value)) if isinstance(table, Mapping) else None
    valued = (
        f"option value {figure:g}"
        if isinstance(figure, float | int)
        else f"value function {short(shape.model_dump(mode='json') if shape is not None else None, 80)}"
    )
    text = f"{party}'s own profile, {where}: weight {weight if weight is not None else '?'}, {valued}"
    try:
        space = OutcomeSpace(scenario.issues)
        worth = UtilityFunction(space, profile)(space.validate(dict(agreed)))
        text += f"; the agreed deal is worth {worth:.3f} to {party} (reservation value {profile.reservation_value:g})"
    except InvalidOffer:
        pass
    return TermInput(what="profile", line=1, text=text)
