"""The rehearsal service: a person takes a seat at the table (or approves agents' moves), in terminal or browser.

`Rehearsals` is what both front ends call. It starts a rehearsal (a negotiation played turn by
turn, with a person in one seat and agents in the others, some of them under a mandate), shows
where it stands (`View`: the public table, and what the run waits for), checks a draft move
before it is sent (`check`: its value to the person's side and what the policy gate would say),
takes the person's move or approval and plays on until the run needs a person again or ends,
forks a branch at any turn, and writes the debrief. Everything lives in the SQLite checkpoints
and the audit transcripts under one directory, so a rehearsal survives a closed terminal, a
reload or a restarted server, and several rehearsals can run side by side.

Every input a person gives is validated here before anything changes: a bad one raises
`RehearsalError` with a message that says what to fix, and the rehearsal stays as it was.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from agents.human import (
    HUMAN,
    InvalidSubmission,
    Mandate,
    coerce_terms,
    legal_kinds,
    parse_decision,
    parse_submission,
)
from agents.registry import DEFAULT_STRATEGY, parse_spec
from evals.scorecard import OutcomeAnalysis, Scorecard, analyse
from pactlab.app.rehearsal.debrief import Comparison, Debrief, branch_row, compare
from pactlab.app.rehearsal.debrief import debrief as make_debrief
from pactlab.domain.actions import Action
from pactlab.domain.catalog import load_scenario
from pactlab.domain.issues import IssueValue
from pactlab.domain.ladder import escalations, public_turn
from pactlab.domain.loader import FileError
from pactlab.domain.outcome_space import InvalidOffer, OutcomeSpace, UtilityFunction
from pactlab.domain.protocol import IllegalMove, check_legal
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import MoveRecord, TableRecord, Turn, table_from_record
from pactlab.errors import BadInput, NotFound
from pactlab.workflow import (
    Event,
    Negotiations,
    NoForkPoint,
    NotWaiting,
    Scored,
)
from pactlab.workflow.outputs import write_outputs
from pactlab.workflow.state import NegotiationState
from policies import (
    MoveContext,
    PolicySet,
    Verdict,
    blocking,
    check_move,
    feedback,
    load_policy_set,
    mandate_constraints,
    warnings,
)

CHECKPOINTS = "checkpoints.sqlite"
TRANSCRIPT = "transcript.jsonl"
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
"""Negotiation ids a person may choose: letters, digits, '.', '_' and '-' (they name a folder)."""

OnEvent = Callable[[Event], None]


class RehearsalError(BadInput, ValueError):
    """Bad input from a person; the message says what to fix, and nothing changed.

    `problems` maps a form field to what is wrong with it (for the web form).
    """

    def __init__(self, message: str, problems: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.problems = dict(problems or {})


class UnknownRehearsal(NotFound, LookupError):
    """No rehearsal has this id (a mistyped or forged id)."""


@dataclass(frozen=True)
class View:
    """Where a rehearsal stands, as the person in it may see it."""

    id: str
    scenario: Scenario
    seat: str | None  # the party the person plays; None when the person only approves agents' moves
    agents: dict[str, str]
    mandates: dict[str, list[str]]
    policy: str | None  # "name version" of the policy set, or None
    table: TableRecord
    moves: list[MoveRecord]
    question: dict[str, Any] | None  # what the run waits for a person to answer
    forked_from: dict[str, Any] | None
    transcript: Path | None
    scorecard: Scorecard | None
    seed: int
    ideal: dict[str, IssueValue] | None = None  # the viewer's best terms within its limits and the policies

    @property
    def status(self) -> str:
        return self.table["status"]

    @property
    def finished(self) -> bool:
        return self.table["status"] != "open"

    @property
    def waiting(self) -> str | None:
        """ "move" (the person's turn), "approval" (an agent's move outside its mandate), or None."""
        return None if self.question is None else str(self.question.get("kind"))

    @property
    def viewer(self) -> str | None:
        """Whose side the person is on: their seat, else the first party whose agent they supervise."""
        if self.seat is not None:
            return self.seat
        return next(iter(self.mandates), None)

    @cached_property
    def space(self) -> OutcomeSpace:
        return OutcomeSpace(self.scenario.issues)

    @cached_property
    def own_utility(self) -> UtilityFunction | None:
        """The viewer's own utility function (never another party's: those stay private until the debrief)."""
        if self.viewer is None:
            return None
        return UtilityFunction(self.space, self.scenario.party(self.viewer).private)

    def worth(self, terms: Mapping[str, IssueValue] | None) -> float | None:
        """What a term sheet is worth to the viewer's side."""
        if terms is None or self.own_utility is None:
            return None
        try:
            return self.own_utility(self.space.validate(terms))
        except InvalidOffer:
            return None

    def defaults(self) -> dict[str, IssueValue]:
        """Defaults for a counter-offer: the proposal on the table, else the person's last, else first options."""
        if self.table["proposal"] is not None:
            return dict(self.table["proposal"])
        for move in reversed(self.moves):
            if move["party"] == self.seat and move["terms"] is not None:
                return dict(move["terms"])
        if self.ideal is not None:
            return dict(self.ideal)
        return {issue.id: issue.values()[0] for issue in self.scenario.issues}


@dataclass(frozen=True)
class DraftCheck:
    """A draft move before it is sent: is it well formed, what is it worth, what would the gate say."""

    problems: dict[str, str]  # form field -> what is wrong (empty when the move is well formed)
    message: str | None  # the problems in one sentence
    utility: float | None  # the terms' worth to the person's side (proposal: the draft; accept: the table's)
    reservation: float | None
    table_utility: float | None
    constraints_broken: list[str]  # the person's own hard constraints the terms break
    verdicts: list[Verdict] = field(default_factory=list)
    blocked: str | None = None  # why the policy gate would refuse the move (None: it would pass)
    warnings: list[str] = field(default_factory=list)


class Rehearsals:
    """Rehearsals stored under `out`: checkpoints in ``checkpoints.sqlite``, each run's files in ``<id>/``.

    Safe to share between threads (the web server's): changes to one rehearsal are serialised,
    reads take no lock.
    """

    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        self.runs = Negotiations(self.out / CHECKPOINTS)
        self._locks: dict[str, threading.RLock] = {}
        self._guard = threading.RLock()
        self._analyses: dict[str, OutcomeAnalysis] = {}
        self._policy_sets: dict[str, PolicySet | None] = {}
        self._ideals: dict[str, dict[str, IssueValue]] = {}

    def close(self) -> None:
        self.runs.close()

    def __enter__(self) -> Rehearsals:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- starting ---------------------------------------------------------------------------------

    def start(
        self,
        scenario: str | Scenario,
        seat: str | None,
        *,
        seed: int = 0,
        agents: Mapping[str, str] | None = None,
        policies: str | None = None,
        mandates: Mapping[str, Sequence[str]] | Sequence[str] = (),
        negotiation_id: str | None = None,
        on_event: OnEvent | None = None,
        source: str = "",
    ) -> View:
        """Open a rehearsal and play until it needs the person (or ends).

        `scenario` is a shipped name, a file, or a loaded Scenario; `seat` the party the person
        plays (None: agents only, the person approves moves outside their mandates); `agents`
        strategy specs for the other parties (default: the default strategy); `policies` a
        shipped set, a file, "none" or None (the scenario's); `mandates` rule lines per party,
        or "party: rule" lines.
        """
        loaded = self._scenario(scenario)
        if not source and not isinstance(scenario, Scenario):
            source = scenario
        parties = loaded.party_ids
        if seat is not None and seat not in parties:
            raise RehearsalError(f"unknown party {seat!r}; parties: {', '.join(parties)}", {"seat": "unknown party"})
        chosen = self._agents(loaded, seat, agents or {})
        mandate_map = self._mandates(loaded, seat, mandates)
        if seat is None and not mandate_map:
            raise RehearsalError(
                "choose a seat to play, or give an agent a mandate whose breaches you approve", {"seat": "required"}
            )
        if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63:
            raise RehearsalError(f"seed must be a whole number from 0, not {seed!r}", {"seed": "not a whole number"})
        policy_set = self._load_policies(loaded, policies)
        with self._guard:
            rid = self._new_id(loaded, negotiation_id)
            lock = self._lock(rid)
        with lock:
            transcript = self.out / rid / TRANSCRIPT
            events = self.runs.start(
                loaded,
                agents=chosen,
                seed=seed,
                negotiation_id=rid,
                source=source,
                rounds_per_step=1,
                transcript=transcript,
                policies=policy_set,
                analysis=self.analysis(loaded),
                turn_by_turn=True,
                mandates=mandate_map,
            )
            self._drive(rid, events, on_event)
            return self.view(rid)

    def _scenario(self, scenario: str | Scenario) -> Scenario:
        if isinstance(scenario, Scenario):
            return scenario
        if not isinstance(scenario, str) or not scenario.strip():
            raise RehearsalError("choose a scenario", {"scenario": "required"})
        try:
            loaded, _ = load_scenario(scenario.strip())
        except FileError as exc:
            raise RehearsalError(str(exc), {"scenario": "not found or invalid"}) from None
        return loaded

    @staticmethod
    def _agents(scenario: Scenario, seat: str | None, agents: Mapping[str, str]) -> dict[str, str]:
        chosen = {p: (HUMAN if p == seat else DEFAULT_STRATEGY) for p in scenario.party_ids}
        for party, spec in agents.items():
            if party not in chosen:
                raise RehearsalError(
                    f"unknown party {party!r}; parties: {', '.join(scenario.party_ids)}", {"agents": "unknown party"}
                )
            if party == seat:
                raise RehearsalError(f"{party} is your seat: you play it, no agent does", {"agents": "your seat"})
            if not spec or not str(spec).strip():
                continue
            try:
                parse_spec(str(spec))
            except ValueError as exc:
                raise RehearsalError(f"agent for {party}: {exc}", {f"agent_{party}": "invalid strategy"}) from None
            chosen[party] = str(spec).strip()
        return chosen

    @staticmethod
    def _mandates(
        scenario: Scenario, seat: str | None, mandates: Mapping[str, Sequence[str]] | Sequence[str]
    ) -> dict[str, Mandate]:
        rules: dict[str, list[str]] = {}
        if isinstance(mandates, Mapping):
            for party, lines in mandates.items():
                rules.setdefault(party, []).extend([lines] if isinstance(lines, str) else lines)
        else:
            for line in mandates:
                if not line.strip():
                    continue
                party, sep, rule = line.partition(":")
                if not sep or not rule.strip():
                    raise RehearsalError(
                        f"mandate {line!r}: write 'PARTY: RULE', e.g. 'supplier: royalty_rate >= 2'",
                        {"mandates": "write PARTY: RULE"},
                    )
                rules.setdefault(party.strip(), []).append(rule.strip())
        issues = {i.id: i for i in scenario.issues}
        found: dict[str, Mandate] = {}
        for party, lines in rules.items():
            if party not in scenario.party_ids:
                raise RehearsalError(
                    f"mandate for unknown party {party!r}; parties: {', '.join(scenario.party_ids)}",
                    {"mandates": "unknown party"},
                )
            if party == seat:
                raise RehearsalError(
                    f"{party} is your seat: a mandate binds an agent, and you play {party} yourself",
                    {"mandates": "your seat"},
                )
            try:
                found[party] = Mandate.parse(lines, issues)
            except ValueError as exc:
                raise RehearsalError(f"mandate for {party}: {exc}", {"mandates": "invalid rule"}) from None
        return found

    def _load_policies(self, scenario: Scenario, policies: str | None) -> PolicySet | None:
        chosen = (policies or "").strip() or scenario.policy_set
        if not chosen or chosen == "none":
            return None
        try:
            policy_set, _ = load_policy_set(chosen, scenario)
        except FileError as exc:
            raise RehearsalError(str(exc), {"policies": "not found or invalid"}) from None
        return policy_set

    def _new_id(self, scenario: Scenario, wanted: str | None) -> str:
        if wanted is not None and wanted.strip():
            rid = wanted.strip()
            if not ID_PATTERN.match(rid):
                raise RehearsalError(
                    f"negotiation id {rid[:40]!r}: use up to 100 letters, digits, '.', '_' or '-'", {"id": "invalid"}
                )
            if self.runs.state(rid) is not None or (self.out / rid).exists():
                raise RehearsalError(f"negotiation id {rid!r} is taken; pick another", {"id": "taken"})
            return rid
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        while True:
            rid = f"{scenario.id}-{stamp}-{secrets.token_hex(2)}"
            if self.runs.state(rid) is None and not (self.out / rid).exists():
                return rid

    def _lock(self, rid: str) -> threading.RLock:
        with self._guard:
            return self._locks.setdefault(rid, threading.RLock())

    # -- reading ----------------------------------------------------------------------------------

    def ids(self) -> list[str]:
        """Every rehearsal (a run played turn by turn) under this directory, oldest first."""
        found = []
        for rid in self.runs.ids():
            state = self.runs.state(rid)
            if state is not None and state["run"].get("turn_by_turn"):
                found.append(rid)
        return found

    def view(self, rid: str) -> View:
        """Where rehearsal `rid` stands; UnknownRehearsal for an id that is not one."""
        state = self._state(rid)
        run = state["run"]
        agents = dict(run["agents"])
        seat = next((p for p, a in agents.items() if a == HUMAN), None)
        mandates = {p: Mandate.model_validate(m).rules() for p, m in (run.get("mandates") or {}).items()}
        policies = run["policies"]
        scenario = Scenario.model_validate(run["scenario"])
        viewer = seat if seat is not None else next(iter(mandates), None)
        return View(
            id=rid,
            scenario=scenario,
            seat=seat,
            agents=agents,
            mandates=mandates,
            policy=None if policies is None else f"{policies.get('name')} {policies.get('version')}",
            table=state["table"],
            moves=list(state["moves"]),
            question=self.runs.pending(rid),
            forked_from=run.get("forked_from"),
            transcript=Path(run["transcript"]) if run["transcript"] else None,
            scorecard=Scorecard.model_validate(state["scorecard"]) if state.get("scorecard") else None,
            seed=run["seed"],
            ideal=None if viewer is None else self._ideal(rid, scenario, viewer),
        )

    def _ideal(self, rid: str, scenario: Scenario, party: str) -> dict[str, IssueValue] | None:
        """The party's best outcome within its hard limits and the policies' mandate (a counter-offer's first draft)."""
        policy_set = self.policy_set(rid)
        key = f"{scenario.sha256()}:{party}:{'' if policy_set is None else policy_set.sha256()}"
        with self._guard:
            if key in self._ideals:
                return self._ideals[key]
        space = OutcomeSpace(scenario.issues)
        utility = UtilityFunction(space, scenario.party(party).private)
        mask = utility.constraint_mask()
        for constraint in mandate_constraints(policy_set, scenario) if policy_set is not None else []:
            mask &= constraint.mask(space.issue_column, space.by_id)
        values = utility.over_space()
        best = int(np.argmax(np.where(mask, values, -np.inf))) if mask.any() else int(np.argmax(values))
        ideal = dict(space.term_sheet(best).terms)
        with self._guard:
            self._ideals[key] = ideal
        return ideal

    def _state(self, rid: str) -> NegotiationState:
        if not isinstance(rid, str) or not ID_PATTERN.match(rid):
            raise UnknownRehearsal("no rehearsal with that id")
        state = self.runs.state(rid)
        if state is None or not state["run"].get("turn_by_turn"):
            raise UnknownRehearsal(f"no rehearsal {rid!r} in {self.out}")
        return state

    def analysis(self, scenario: Scenario) -> OutcomeAnalysis:
        """The scenario's outcome analysis (Pareto frontier, bargaining points), computed once per scenario."""
        key = scenario.sha256()
        with self._guard:
            found = self._analyses.get(key)
        if found is None:
            found = analyse(scenario)
            with self._guard:
                self._analyses[key] = found
        return found

    def policy_set(self, rid: str) -> PolicySet | None:
        with self._guard:
            if rid not in self._policy_sets:
                raw = self._state(rid)["run"]["policies"]
                self._policy_sets[rid] = PolicySet.model_validate(raw) if raw else None
            return self._policy_sets[rid]

    def family(self, rid: str) -> list[View]:
        """The rehearsal, the run it was forked from, and every branch of them, oldest first."""
        root = self.view(rid)
        while root.forked_from is not None:
            try:
                root = self.view(root.forked_from["negotiation_id"])
            except UnknownRehearsal:
                break
        views = {v.id: v for v in (self._safe_view(i) for i in self.ids()) if v is not None}
        members = [root.id]
        for vid, v in views.items():
            if vid in members:
                continue
            chain, seen = v, set()
            while chain.forked_from is not None and chain.id not in seen:
                seen.add(chain.id)
                parent = views.get(chain.forked_from["negotiation_id"])
                if parent is None:
                    break
                chain = parent
            if chain.id == root.id:
                members.append(vid)
        return [views[m] for m in members if m in views]

    def _safe_view(self, rid: str) -> View | None:
        try:
            return self.view(rid)
        except UnknownRehearsal:
            return None

    def proceed(self, rid: str, *, on_event: OnEvent | None = None) -> View:
        """Play on a rehearsal that neither waits for a person nor has ended (a process stopped while agents moved)."""
        with self._lock(rid):
            view = self.view(rid)
            if view.finished or view.question is not None:
                return view
            self._drive(rid, self.runs.resume(rid, self.analysis(view.scenario)), on_event)
            return self.view(rid)

    # -- the person's move --------------------------------------------------------------------------

    def validate_move(self, rid: str, answer: Mapping[str, Any]) -> dict[str, Any]:
        """The person's move, checked against the question the run waits on; the clean answer for the graph."""
        view = self.view(rid)
        if view.finished:
            raise RehearsalError(f"rehearsal {rid} has ended ({view.status.replace('_', ' ')}); see the debrief")
        if view.waiting != "move" or view.question is None:
            what = "an approval" if view.waiting == "approval" else "nobody yet: the agents are moving"
            raise RehearsalError(f"it is not your turn: the table waits for {what}")
        _expect(view.question, answer, "attempt")
        try:
            submission = parse_submission(answer, view.space, _turn_of(view))
        except InvalidSubmission as exc:
            raise RehearsalError(str(exc), exc.problems) from None
        clean: dict[str, Any] = {"kind": submission.action.kind, "by": submission.by, **_fields(submission.action)}
        return clean

    def submit(self, rid: str, answer: Mapping[str, Any], *, on_event: OnEvent | None = None) -> View:
        """Send the person's move; the agents play on until the run needs a person again or ends."""
        with self._lock(rid):
            clean = self.validate_move(rid, answer)
            try:
                self._drive(rid, self.runs.answer(rid, clean, self.analysis(self.view(rid).scenario)), on_event)
            except NotWaiting as exc:  # pragma: no cover - checked under the same lock
                raise RehearsalError(str(exc)) from None
            return self.view(rid)

    def validate_decision(self, rid: str, answer: Mapping[str, Any]) -> dict[str, Any]:
        """An approval decision, checked against the request the run waits on."""
        view = self.view(rid)
        if view.finished:
            raise RehearsalError(f"rehearsal {rid} has ended ({view.status.replace('_', ' ')})")
        if view.waiting != "approval" or view.question is None:
            raise RehearsalError("no agent's move waits for approval now")
        _expect(view.question, answer, "review")
        try:
            decision = parse_decision(answer)
        except InvalidSubmission as exc:
            raise RehearsalError(str(exc), exc.problems) from None
        return {
            "decision": "approve" if decision.approved else "reject",
            "approver": decision.approver,
            "note": decision.note,
            "action": view.question.get("action"),  # the move decided on (see ApprovalGate._review)
        }

    def decide(self, rid: str, answer: Mapping[str, Any], *, on_event: OnEvent | None = None) -> View:
        """Approve or reject an agent's move outside its mandate; the run plays on."""
        with self._lock(rid):
            clean = self.validate_decision(rid, answer)
            self._drive(rid, self.runs.answer(rid, clean, self.analysis(self.view(rid).scenario)), on_event)
            return self.view(rid)

    def check(self, rid: str, draft: Mapping[str, Any]) -> DraftCheck:
        """A draft move's worth to the person's side and what the policy gate would say; nothing is sent."""
        view = self.view(rid)
        own = view.own_utility
        reservation = None if own is None else own.reservation_value
        table_terms = view.table["proposal"]
        table_utility = view.worth(table_terms)
        kind = draft.get("kind", "propose")
        terms: dict[str, IssueValue] | None = None
        problems: dict[str, str] = {}
        message: str | None = None
        if kind == "propose":
            try:
                terms = coerce_terms(view.space, draft.get("terms"))
            except InvalidSubmission as exc:
                problems, message = exc.problems, str(exc)
        elif kind == "accept":
            terms = dict(table_terms) if table_terms is not None else None
        utility = view.worth(terms)
        broken: list[str] = []
        if terms is not None and view.viewer is not None:
            constraints = view.scenario.party(view.viewer).private.constraints
            broken = [str(c) for c in constraints if not c.holds(terms, view.space.by_id)]
        result = DraftCheck(problems, message, utility, reservation, table_utility, broken)
        if problems or view.waiting != "move" or view.question is None:
            return result
        try:
            submission = parse_submission({**draft, "reason": draft.get("reason") or "-"}, view.space, _turn_of(view))
        except InvalidSubmission as exc:
            return DraftCheck(exc.problems, str(exc), utility, reservation, table_utility, broken)
        verdicts, blocked = self._judge(rid, view, submission.action)
        return DraftCheck(
            {},
            None,
            utility,
            reservation,
            table_utility,
            broken,
            verdicts,
            blocked,
            [f"{v.rule_id}: {v.reason}" for v in warnings(verdicts)],
        )

    def _judge(self, rid: str, view: View, action: Action) -> tuple[list[Verdict], str | None]:
        """What the policy gate would say about `action` now (the same checks as in the workflow's gate)."""
        table = table_from_record(view.table)
        try:
            check_legal(table, table.speaker, action, view.space)
        except (IllegalMove, InvalidOffer) as exc:
            return [], f"the protocol does not allow this move: {exc}"
        policy_set = self.policy_set(rid)
        if policy_set is None:
            return [], None
        utilities = {p.id: UtilityFunction(view.space, p.private) for p in view.scenario.parties}
        verdicts = check_move(
            policy_set,
            MoveContext(
                scenario=view.scenario,
                space=view.space,
                utilities=utilities,
                table=table,
                party=table.speaker,
                action=action,
                moves=view.moves,
                escalations=escalations(view.moves, view.scenario),
            ),
        )
        refused = blocking(verdicts)
        return verdicts, (feedback(refused) if refused else None)

    # -- what-if branches ---------------------------------------------------------------------------

    def fork(self, rid: str, turn: int, *, negotiation_id: str | None = None, on_event: OnEvent | None = None) -> View:
        """Branch rehearsal `rid` just before its turn `turn` (1-based, as shown) and play until it needs the person.

        The source rehearsal and its transcript stay as they are; the branch has its own id and
        transcript (see `pactlab.app.rehearsal.forks`).
        """
        from pactlab.app.rehearsal.forks import ForkError, fork_transcript

        source = self.view(rid)
        if isinstance(turn, bool) or not isinstance(turn, int):
            raise RehearsalError(f"turn must be a whole number, not {turn!r}", {"turn": "not a whole number"})
        last = len(source.moves) + (1 if not source.finished else 0)
        if not 1 <= turn <= last:
            raise RehearsalError(f"no turn {turn} in {rid}; choose a turn from 1 to {last}", {"turn": "out of range"})
        with self._guard:
            new_id = self._branch_id(rid) if negotiation_id is None else self._new_id(source.scenario, negotiation_id)
            lock = self._lock(new_id)
        with lock:
            transcript = self.out / new_id / TRANSCRIPT if source.transcript is not None else None
            try:
                if transcript is not None and source.transcript is not None:
                    fork_transcript(
                        source.transcript, transcript, source_id=rid, negotiation_id=new_id, before_turn=turn - 1
                    )
                self.runs.fork(rid, turn - 1, new_id, transcript=transcript)
            except (NoForkPoint, ForkError) as exc:
                if transcript is not None and self.runs.state(new_id) is None:
                    transcript.unlink(missing_ok=True)
                raise RehearsalError(str(exc), {"turn": "no fork point"}) from None
            self._drive(new_id, self.runs.resume(new_id, self.analysis(source.scenario)), on_event)
            return self.view(new_id)

    def _branch_id(self, rid: str) -> str:
        root = rid
        state = self.runs.state(root)
        while state is not None and state["run"].get("forked_from"):
            root = state["run"]["forked_from"]["negotiation_id"]
            state = self.runs.state(root)
        base = re.sub(r"-b\d+$", "", root)[:90]
        n = 1
        while self.runs.state(f"{base}-b{n}") is not None or (self.out / f"{base}-b{n}").exists():
            n += 1
        return f"{base}-b{n}"

    # -- the end ------------------------------------------------------------------------------------

    def run_dir(self, rid: str) -> Path:
        return self.out / rid

    def outputs(self, rid: str) -> list[Path]:
        """The finished rehearsal's scorecard, plot and term sheet (written when it ends; again if missing)."""
        view = self.view(rid)
        if view.scorecard is None:
            return []
        plot = self.run_dir(rid) / "utility_space.png"
        if not plot.exists():
            with self._lock(rid):
                state = self._state(rid)
                return write_outputs(
                    self.run_dir(rid), view.scenario, state, view.scorecard, self.analysis(view.scenario)
                )
        return sorted(p for p in self.run_dir(rid).iterdir() if p.name != TRANSCRIPT)

    def debrief(self, rid: str) -> Debrief:
        """The debrief of a finished rehearsal (RehearsalError while it is still under way)."""
        view = self.view(rid)
        if view.scorecard is None:
            raise RehearsalError(f"rehearsal {rid} is still under way: the debrief comes when it ends")
        self.outputs(rid)
        return make_debrief(
            negotiation_id=rid,
            scenario=view.scenario,
            seat=view.seat,
            viewer=view.viewer,
            moves=view.moves,
            table=view.table,
            scorecard=view.scorecard,
            analysis=self.analysis(view.scenario),
            transcript=view.transcript,
            plot=self.run_dir(rid) / "utility_space.png",
            forked_from=view.forked_from,
        )

    def compare(self, rid: str) -> Comparison:
        """The rehearsal and its what-if branches side by side."""
        views = self.family(rid)
        here = self.view(rid)
        rows = [
            branch_row(
                negotiation_id=v.id,
                forked_from=v.forked_from,
                table=v.table,
                moves=v.moves,
                scorecard=v.scorecard,
                viewer=here.viewer,
                parties=v.scenario.party_ids,
                waiting=v.waiting,
            )
            for v in views
        ]
        return compare(rows, here.scenario.issue_ids, here.viewer)

    def _drive(self, rid: str, events: Iterable[Event], on_event: OnEvent | None) -> None:
        for event in events:
            if isinstance(event, Scored):
                state = self.runs.state(rid)
                if state is not None:
                    scenario = Scenario.model_validate(state["run"]["scenario"])
                    write_outputs(self.run_dir(rid), scenario, state, event.scorecard, self.analysis(scenario))
            if on_event is not None:
                on_event(event)


def _expect(question: Mapping[str, Any], answer: Mapping[str, Any], counter: str) -> None:
    """Refuse an answer to a question that is no longer the one asked (another tab, a stale page)."""
    for key in ("turn", counter):
        if key in answer and answer[key] is not None:
            try:
                same = int(answer[key]) == int(question.get(key, -1))
            except (TypeError, ValueError):
                same = False
            if not same:
                raise RehearsalError(
                    f"the table has moved on since this page was drawn (now turn {int(question.get('turn', 0)) + 1}); "
                    "look again before you answer",
                    {"turn": "stale"},
                )


def _turn_of(view: View) -> Turn:
    """The Turn the waiting question was asked for (enough to validate a move against it)."""
    question = view.question or {}
    table = table_from_record(view.table)
    return public_turn(view.scenario, table, view.moves, str(question.get("party", table.speaker)))


def _fields(action: Action) -> dict[str, Any]:
    data = action.model_dump(mode="json")
    data.pop("kind", None)
    return data


def kinds_allowed(view: View) -> list[str]:
    """The moves the person may make now (empty when it is not their turn)."""
    if view.waiting != "move":
        return []
    return legal_kinds(_turn_of(view))
