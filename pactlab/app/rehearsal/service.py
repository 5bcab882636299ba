"""The rehearsal service: `Rehearsals`, what the terminal and the browser call to run a rehearsal.

A rehearsal is a negotiation played turn by turn, with a person in one seat and agents in the
others, some of them under a mandate. The service starts one, shows where it stands
(`pactlab.app.rehearsal.view`), takes the person's checked input (`pactlab.app.rehearsal.inputs`)
and plays on until the run needs a person again or ends, forks a branch at any turn, and writes
the debrief. Everything lives in the SQLite checkpoints and the audit transcripts under one
directory, so a rehearsal survives a closed terminal, a reload or a restarted server, and several
rehearsals can run side by side.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evals.scorecard import OutcomeAnalysis, analyse
from pactlab.app.rehearsal.debrief import Comparison, Debrief, branch_row, compare
from pactlab.app.rehearsal.debrief import debrief as make_debrief
from pactlab.app.rehearsal.errors import RehearsalError, UnknownRehearsal
from pactlab.app.rehearsal.forks import ForkError, fork_transcript
from pactlab.app.rehearsal.inputs import (
    check_draft,
    decision_answer,
    is_id,
    move_answer,
    parse_fork_turn,
    parse_id,
    parse_scenario,
    parse_start,
)
from pactlab.app.rehearsal.uncertain import load as load_draws
from pactlab.app.rehearsal.uncertain import prepare as prepare_uncertain
from pactlab.app.rehearsal.uncertain import reveal
from pactlab.app.rehearsal.uncertain import save as save_draws
from pactlab.app.rehearsal.view import DraftCheck, View, ideal_terms
from pactlab.app.rehearsal.withheld import withhold, withhold_rows
from pactlab.domain.issues import IssueValue
from pactlab.domain.run_folder import CHECKPOINTS, PLOT, TRANSCRIPT
from pactlab.domain.scenario import Scenario
from pactlab.domain.uncertainty import Draw
from pactlab.workflow import (
    Event,
    Negotiations,
    NoForkPoint,
    NotWaiting,
    Scored,
)
from pactlab.workflow.gate import Gate
from pactlab.workflow.outputs import write_outputs
from pactlab.workflow.state import NegotiationState
from policies import PolicySet

OnEvent = Callable[[Event], None]

MAX_SCENARIO_PREFIX = 60
"""Characters of the scenario id that start a new rehearsal's id (the rest: a time stamp and 4 hex digits)."""


ARCHIVE = "archive"
"""Where a deleted rehearsal's files go (under the rehearsals' directory): its audit transcript is kept."""


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
        self._gates: dict[str, Gate] = {}

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
        uncertain: bool = False,
    ) -> View:
        """Open a rehearsal and play until it needs the person (or ends).

        `scenario` is a shipped name, a file, or a loaded Scenario; `seat` the party the person
        plays (None: agents only, the person approves moves outside their mandates); `agents`
        strategy specs for the other parties (default: the default strategy); `policies` a
        shipped set, a file, "none" or None (the scenario's); `mandates` rule lines per party,
        or "party: rule" lines; `source` the scenario's file, for the records (default: `scenario`
        when it is a name or a file). `uncertain`: the other parties that declare an uncertainty block
        are drawn (seeded by `seed`) and revealed only in the debrief (`pactlab.app.rehearsal.uncertain`).
        """
        draws: list[Draw] = []
        declared: Scenario | None = None
        if uncertain:
            declared = parse_scenario(scenario)
            if not source and not isinstance(scenario, Scenario):
                source = scenario
            scenario, agents, draws = prepare_uncertain(declared, seat, seed, agents or {})
        checked = parse_start(scenario, seat, seed=seed, agents=agents or {}, policies=policies, mandates=mandates)
        loaded = checked.scenario
        if not source and not isinstance(scenario, Scenario):
            source = scenario
        with self._guard:
            rid = self._new_id(loaded, negotiation_id)
            lock = self._lock(rid)
        with lock:
            transcript = self.out / rid / TRANSCRIPT
            if declared is not None and seat is not None:
                save_draws(self.out / rid, declared, seat, seed, draws, policies)
            events = self.runs.start(
                loaded,
                agents=checked.agents,
                seed=checked.seed,
                negotiation_id=rid,
                source=source,
                rounds_per_step=1,
                transcript=transcript,
                policies=checked.policy_set,
                analysis=self.analysis(loaded),
                turn_by_turn=True,
                mandates=checked.mandates,
            )
            self._drive(rid, events, on_event)
            return self.view(rid)

    def _new_id(self, scenario: Scenario, wanted: str | None) -> str:
        if wanted is not None and wanted.strip():
            rid = parse_id(wanted)
            if self.runs.state(rid) is not None or (self.out / rid).exists():
                raise RehearsalError(f"negotiation id {rid!r} is taken; pick another", {"id": "taken"})
            return rid
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        while True:  # a scenario file's id may be long: the rehearsal id must stay a valid one (100 characters)
            rid = f"{scenario.id[:MAX_SCENARIO_PREFIX]}-{stamp}-{secrets.token_hex(2)}"
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
        view = View.from_state(rid, self._state(rid), self.runs.pending(rid))
        draws = load_draws(self.run_dir(rid))
        if draws is not None:  # an uncertain rehearsal: say which parties were drawn, never what was drawn
            view = replace(view, drawn=tuple(str(d["party"]) for d in draws["draws"]))
        if view.viewer is None:
            return view
        return replace(view, ideal=self._ideal(rid, view.scenario, view.viewer))

    def _ideal(self, rid: str, scenario: Scenario, party: str) -> dict[str, IssueValue] | None:
        """The party's best outcome within its hard limits and the policies' mandate (a counter-offer's first draft)."""
        policy_set = self.policy_set(rid)
        key = f"{scenario.sha256()}:{party}:{'' if policy_set is None else policy_set.sha256()}"
        with self._guard:
            if key in self._ideals:
                return self._ideals[key]
        ideal = ideal_terms(scenario, party, policy_set)
        with self._guard:
            self._ideals[key] = ideal
        return ideal

    def _state(self, rid: str) -> NegotiationState:
        if not is_id(rid):
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

    def gate(self, rid: str) -> Gate:
        """The policy gate of rehearsal `rid`: the workflow's own judgement, for drafts."""
        with self._guard:
            found = self._gates.get(rid)
        if found is None:
            found = Gate.of(Scenario.model_validate(self._state(rid)["run"]["scenario"]), self.policy_set(rid))
            with self._guard:
                self._gates[rid] = found
        return found

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
        return move_answer(self.view(rid), answer)

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
        return decision_answer(self.view(rid), answer)

    def decide(self, rid: str, answer: Mapping[str, Any], *, on_event: OnEvent | None = None) -> View:
        """Approve or reject an agent's move outside its mandate; the run plays on."""
        with self._lock(rid):
            clean = self.validate_decision(rid, answer)
            self._drive(rid, self.runs.answer(rid, clean, self.analysis(self.view(rid).scenario)), on_event)
            return self.view(rid)

    def check(self, rid: str, draft: Mapping[str, Any]) -> DraftCheck:
        """A draft move's worth to the person's side and what the policy gate would say; nothing is sent."""
        return check_draft(self.view(rid), draft, self.gate(rid))

    # -- what-if branches ---------------------------------------------------------------------------

    def fork(self, rid: str, turn: int, *, negotiation_id: str | None = None, on_event: OnEvent | None = None) -> View:
        """Branch rehearsal `rid` just before its turn `turn` (1-based, as shown) and play until it needs the person.

        The source rehearsal and its transcript stay as they are; the branch has its own id and
        transcript (see `pactlab.app.rehearsal.forks`).
        """
        source = self.view(rid)
        turn = parse_fork_turn(source, turn)
        with self._guard:
            new_id = self._branch_id(rid) if negotiation_id is None else self._new_id(source.scenario, negotiation_id)
            lock = self._lock(new_id)
        with lock:
            transcript = self.out / new_id / TRANSCRIPT if source.transcript is not None else None
            try:
                if transcript is not None and source.transcript is not None:
                    source_state = self.runs.state(rid)
                    fork_transcript(
                        source.transcript,
                        transcript,
                        source_id=rid,
                        negotiation_id=new_id,
                        before_turn=turn - 1,
                        spec=source_state["run"] if source_state is not None else None,
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

    def delete(self, rid: str) -> Path | None:
        """Delete rehearsal `rid`: its checkpoints go (it leaves every list and cannot be continued); its
        files (the audit transcript, term sheet, plot) move to ``archive/<rid>/``, returned, so that the
        hash-chained record of what was said is never destroyed. Branches of it stay as they are."""
        view = self.view(rid)  # UnknownRehearsal for an id that is not a rehearsal
        with self._lock(rid):
            self.runs.delete(view.id)
            moved: Path | None = None
            if self.run_dir(rid).exists():
                moved = self.out / ARCHIVE / rid
                n = 1
                while moved.exists():
                    moved = self.out / ARCHIVE / f"{rid}.{n}"
                    n += 1
                moved.parent.mkdir(parents=True, exist_ok=True)
                self.run_dir(rid).rename(moved)
        with self._guard:
            self._locks.pop(rid, None)
        return moved

    def run_dir(self, rid: str) -> Path:
        return self.out / rid

    def outputs(self, rid: str) -> list[Path]:
        """The finished rehearsal's scorecard, plot and term sheet (written when it ends; again if missing).

        Waits for a step of the rehearsal that is still under way: the step that ends it writes them.
        """
        self._state(rid)  # an unknown id gets no lock
        with self._lock(rid):
            view = self.view(rid)
            if view.scorecard is None:
                return []
            if not (self.run_dir(rid) / PLOT).exists():
                state = self._state(rid)
                return write_outputs(
                    self.run_dir(rid), view.scenario, state, view.scorecard, self.analysis(view.scenario)
                )
        return sorted(p for p in self.run_dir(rid).iterdir() if p.name != TRANSCRIPT)

    def open_relatives(self, rid: str) -> list[str]:
        """The rehearsal's relatives (source, branches) still under way: while there is one, its debrief keeps
        the other parties' private values back (`pactlab.app.rehearsal.withheld`)."""
        return [v.id for v in self.family(rid) if v.id != rid and not v.finished]

    def debrief(self, rid: str) -> Debrief:
        """The debrief of a finished rehearsal (RehearsalError while it is still under way).

        Cut to what the person's seat may know while a relative is still open (`open_relatives`)."""
        self.outputs(rid)
        view = self.view(rid)
        if view.scorecard is None:
            raise RehearsalError(f"rehearsal {rid} is still under way: the debrief comes when it ends")
        report = make_debrief(
            negotiation_id=rid,
            scenario=view.scenario,
            seat=view.seat,
            viewer=view.viewer,
            moves=view.moves,
            table=view.table,
            scorecard=view.scorecard,
            analysis=self.analysis(view.scenario),
            transcript=view.transcript,
            plot=self.run_dir(rid) / PLOT,
            forked_from=view.forked_from,
        )
        if self.open_relatives(rid):
            return withhold(report)
        person = None if report.person is None else report.person.utility
        if report.person is not None and person is None:
            person = report.person.reservation_value  # no deal: the person keeps the walk-away value
        revealed = reveal(self.run_dir(rid), view.scenario, self.policy_set(rid), person)
        return report if revealed is None else report.model_copy(update={"revealed": revealed})

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
        if any(not v.finished for v in views):  # an open seat must not learn the others' values from a branch
            rows = withhold_rows(rows, here.viewer)
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


__all__ = ["OnEvent", "RehearsalError", "Rehearsals", "UnknownRehearsal"]
