"""One negotiation run, from a scenario to its outputs: what `pactlab run` and `pactlab.run` both do.

The CLI command and the Python API call the same two functions, so the two cannot drift:

- `prepare_run` checks the inputs (seed, scenario, agents, mediator, policy set, durability) and
  settles what the run will use: the scenario's own policy set unless another is named, the
  negotiation id, the transcript's path under the output folder;
- `execute_run` opens the checkpoint store, runs the negotiation through the LangGraph workflow
  (the policy gate, the dispute ladder, the signed audit transcript), writes the run's outputs
  (scorecard JSON/Markdown, utility-space plot and, for an agreement, the term sheet) and returns
  a typed `RunResult`.

`run` is the two in one call: the public `pactlab.run`. The CLI adds only what a terminal needs
(the header, live move lines, the pace, the LLM server of ``--llm local``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from evals.scorecard import Scorecard
from pactlab.domain.catalog import LoadedScenario, load_scenario
from pactlab.domain.issues import IssueValue
from pactlab.domain.notebook import render_html, safe
from pactlab.domain.run_folder import CHECKPOINTS, TRANSCRIPT, RunFolder
from pactlab.domain.scenario import Scenario
from pactlab.errors import BadInput, Conflict, InternalError

if TYPE_CHECKING:
    from evals.scorecard import OutcomeAnalysis
    from pactlab.domain.table import MoveRecord
    from pactlab.workflow import Negotiations, NegotiationState
    from policies import PolicySet

Durability = Literal["sync", "async", "exit"]
DURABILITIES: tuple[Durability, ...] = ("sync", "async", "exit")
DEFAULT_OUT = Path("transcripts")

AgentsArg = Mapping[str, str] | Sequence[str] | str | None
"""Negotiators: a mapping party → spec, one spec for every party, or CLI-style ``PARTY=SPEC`` strings."""


class RunPaths(BaseModel):
    """Where a finished run's files are (every path absolute or relative to the caller's working folder)."""

    model_config = ConfigDict(frozen=True)

    folder: Path = Field(description="The run's folder, OUT/NEGOTIATION_ID.")
    checkpoints: Path = Field(description="The SQLite checkpoints shared by every run under OUT.")
    transcript: Path = Field(description="The signed, hash-chained audit transcript (JSONL).")
    scorecard_json: Path
    scorecard_md: Path
    plot: Path = Field(description="The utility-space plot (PNG).")
    termsheets: dict[str, Path] = Field(description="The term sheet by format (md, html, docx); empty without a deal.")


class RunResult(BaseModel):
    """What a run returns: who negotiated what, how it ended, its scorecard and where its files are."""

    model_config = ConfigDict(frozen=True)

    negotiation_id: str
    scenario_id: str
    scenario_title: str
    seed: int
    agents: dict[str, str] = Field(description="Each party's negotiator spec.")
    policy_set: str | None = Field(description="The name of the policy set that governed the run; None: no gate.")
    outcome: Literal["agreement", "impasse", "walk_away"]
    ended_by: str | None = Field(description="How the run ended, in words (the table's last status line).")
    rounds: int
    agreement: dict[str, IssueValue] | None = Field(description="The agreed terms by issue id; None without a deal.")
    agreement_labels: dict[str, str] | None = Field(
        description="The agreed terms as a person reads them: issue display name → option label."
    )
    scorecard: Scorecard
    paths: RunPaths
    trace_id: str | None = Field(default=None, description="The OpenTelemetry trace id, when the run was exported.")

    @property
    def agreed(self) -> bool:
        return self.outcome == "agreement"

    def _repr_html_(self) -> str:
        """A summary table for Jupyter (escaped; see `pactlab.domain.notebook`)."""
        card = safe(self.scorecard.to_html(terms=False))
        return render_html("result.html.j2", package="pactlab.app", result=self, scorecard_html=card)


@dataclass(frozen=True)
class RunPlan:
    """Everything `prepare_run` settled: what `execute_run` runs (and what the CLI prints first)."""

    scenario: Scenario
    source: str
    agents: dict[str, str]
    seed: int
    policy_set: PolicySet | None
    negotiation_id: str
    out: Path
    mediator: str
    durability: Durability
    rounds_per_step: int
    eval_budget: float | None
    otel: str | None = None

    @property
    def folder(self) -> RunFolder:
        return RunFolder.of(self.out, self.negotiation_id)

    @property
    def transcript(self) -> Path:
        return self.out / self.negotiation_id / TRANSCRIPT

    @property
    def checkpoints(self) -> Path:
        return self.out / CHECKPOINTS


def parse_agents(scenario: Scenario, specs: Sequence[str], default: str, option: str = "--agent") -> dict[str, str]:
    """Map every party to a negotiator spec from ``PARTY=SPEC`` strings (a bare ``SPEC``: every party)."""
    from agents.registry import parse_spec, split_assignment

    chosen = dict.fromkeys(scenario.party_ids, default)
    for spec in specs:
        party, strategy = split_assignment(spec)
        try:
            parse_spec(strategy)
        except ValueError as exc:
            raise BadInput(f"{option} {spec}: {exc}") from None
        if not party:
            chosen = dict.fromkeys(scenario.party_ids, strategy)
        elif party not in chosen:
            raise BadInput(f"{option} {spec}: unknown party {party!r}; parties: {', '.join(scenario.party_ids)}")
        else:
            chosen[party] = strategy
    return chosen


def _agent_specs(agents: AgentsArg) -> list[str]:
    """The API's `agents` argument as CLI-style specs (checked by `parse_agents` like ``--agent``)."""
    if agents is None:
        return []
    if isinstance(agents, str):
        return [agents]
    if isinstance(agents, Mapping):
        return [f"{party}={spec}" for party, spec in agents.items()]
    return list(agents)


ScenarioArg = str | Path | Scenario | LoadedScenario
"""A scenario: a shipped scenario's name, a file, a `Scenario`, or what `load_scenario` returned."""


def _scenario(scenario: ScenarioArg) -> tuple[Scenario, str]:
    """The scenario and its source (its file; empty for a `Scenario` built in Python)."""
    if isinstance(scenario, Scenario):
        return scenario, ""
    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    return loaded.scenario, str(loaded.path)


def _policy_set(chosen: str | Path | PolicySet | None, scenario: Scenario) -> PolicySet | None:
    from policies import PolicySet, load_policy_set

    if isinstance(chosen, PolicySet):
        return chosen
    name = chosen if chosen is not None else scenario.policy_set
    if not name or str(name) == "none":
        return None
    return load_policy_set(name)[0]


def prepare_run(
    scenario: ScenarioArg,
    *,
    agents: AgentsArg = None,
    seed: int = 0,
    policies: str | Path | PolicySet | None = None,
    out: str | Path = DEFAULT_OUT,
    negotiation_id: str | None = None,
    mediator: str = "nash",
    durability: str = "sync",
    checkpoint_every: int | None = None,
    eval_budget: float | None = None,
    default_agent: str | None = None,
    local_llm: bool = False,
    option_names: Mapping[str, str] | None = None,
    otel: str | None = None,
) -> RunPlan:
    """Check a run's inputs and settle its plan; BadInput (exit 2) names the input and the fix.

    `policies` None takes the scenario's own policy set (as `pactlab run` does); ``"none"`` runs
    without a policy gate. `default_agent` plays every party `agents` leaves out (default: the
    default strategy). `local_llm`: LLM seats will get the local model server (no readiness check).
    `option_names` maps an argument to the name the caller shows it under (the CLI: ``--seed``, …).
    `otel`: where to export the run's OpenTelemetry trace when it ends (`pactlab.app.telemetry`).
    """
    from pactlab.domain.limits import seed_problem

    names = {"seed": "seed", "agents": "agents", "durability": "durability", "mediator": "mediator"}
    names.update(option_names or {})
    if (problem := seed_problem(seed)) is not None:
        raise BadInput(f"{names['seed']} {seed}: {problem}")
    loaded, source = _scenario(scenario)  # a bad scenario is reported before the workflow is loaded
    if durability not in DURABILITIES:
        raise BadInput(f"{names['durability']} {durability!r}: use sync, async or exit")
    from agents.llm_readiness import check_ready
    from agents.mediator import MEDIATORS
    from agents.registry import DEFAULT_STRATEGY

    chosen = parse_agents(loaded, _agent_specs(agents), default_agent or DEFAULT_STRATEGY, names["agents"])
    if mediator not in MEDIATORS:
        raise BadInput(f"{names['mediator']} {mediator!r}: use {' or '.join(MEDIATORS)}")
    if checkpoint_every is not None and checkpoint_every < 1:
        raise BadInput(f"checkpoint_every {checkpoint_every}: give at least 1 round between checkpoints")
    if otel is not None:
        from pactlab.app.telemetry import exporter_for

        exporter_for(otel)  # a missing SDK or a folder is refused before the run, not after it
    if not local_llm:
        check_ready([(loaded, chosen)], mediator=mediator == "llm")
    uses_llm = mediator == "llm" or any(spec.startswith("llm") for spec in chosen.values())
    from pactlab.workflow.runner import DEFAULT_ROUNDS_PER_STEP

    out_dir = Path(out)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    plan = RunPlan(
        scenario=loaded,
        source=source,
        agents=chosen,
        seed=seed,
        policy_set=_policy_set(policies, loaded),
        negotiation_id=negotiation_id or f"{loaded.id}-{stamp}-{secrets.token_hex(2)}",
        out=out_dir,
        mediator=mediator,
        durability=durability,  # narrowed to a Durability by the check above
        rounds_per_step=checkpoint_every or (1 if uses_llm else DEFAULT_ROUNDS_PER_STEP),
        eval_budget=eval_budget,
        otel=otel,
    )
    transcript = plan.transcript
    if transcript.exists() and transcript.stat().st_size > 0:  # an empty one: a run killed before it began
        raise Conflict(f"transcript {transcript} already exists; pick another negotiation id (--id) or --out")
    return plan


@contextmanager
def audit_stops_the_run() -> Iterator[None]:
    """An audit trail error stops the run; say that the checkpoints are kept (the error keeps its class)."""
    from evals.audit import AuditError

    try:
        yield
    except AuditError as exc:
        exc.add_note("the run stopped (checkpoints kept)")
        raise


MoveObserver = Callable[["MoveRecord", str, "str | None"], None]
"""Called after each move lands: the move, the table's status and how it ended (None while open)."""


def follow(events: Any, on_move: MoveObserver | None = None) -> Any:
    """Drain a run's events; call `on_move` for each move; return the `Scored` event (None if none came)."""
    from pactlab.workflow import MoveMade, Scored

    scored = None
    for event in events:
        if isinstance(event, MoveMade):
            if on_move is not None:
                on_move(event.move, event.status, event.ended_by)
        elif isinstance(event, Scored):
            scored = event
    return scored


def execute_run(plan: RunPlan, on_move: MoveObserver | None = None, *, runs: Negotiations | None = None) -> RunResult:
    """Run the plan through the workflow, write its outputs, return the result (see the module docstring).

    `runs` is an open checkpoint store to use (the CLI's); by default one is opened at
    ``OUT/checkpoints.sqlite`` and closed at the end.
    """
    from evals.scorecard import analyse
    from pactlab.workflow import Negotiations

    if runs is None:
        with Negotiations(plan.checkpoints, durability=plan.durability) as opened:
            return execute_run(plan, on_move, runs=opened)
    if runs.state(plan.negotiation_id) is not None:
        raise Conflict(
            f"negotiation id {plan.negotiation_id!r} already exists in {plan.checkpoints}; pick another (--id)"
        )
    analysis: OutcomeAnalysis | None = (
        None if plan.eval_budget is None else analyse(plan.scenario, budget=plan.eval_budget)
    )
    with audit_stops_the_run():
        events = runs.start(
            plan.scenario,
            agents=plan.agents,
            seed=plan.seed,
            negotiation_id=plan.negotiation_id,
            source=plan.source,
            rounds_per_step=plan.rounds_per_step,
            transcript=plan.transcript,
            policies=plan.policy_set,
            mediator=plan.mediator,
            analysis=analysis,
        )
        scored = follow(events, on_move)
    result = finish_run(runs, plan.negotiation_id, plan.scenario, scored, plan.out)
    if plan.otel is not None:
        from pactlab.app.telemetry import export_transcript

        trace = export_transcript(result.paths.transcript, plan.otel)
        result = result.model_copy(update={"trace_id": trace.trace_id})
    return result


def finish_run(
    runs: Negotiations,
    negotiation_id: str,
    scenario: Scenario,
    scored: Any,
    out: Path,
    *,
    only_missing: bool = False,
) -> RunResult:
    """A finished run's outputs written (only the missing ones with `only_missing`), as a `RunResult`."""
    from pactlab.workflow.outputs import write_outputs

    state = runs.state(negotiation_id)
    if scored is None or state is None:
        raise InternalError(f"negotiation {negotiation_id!r} ended without a scorecard")
    card: Scorecard = scored.scorecard
    write_outputs(out / negotiation_id, scenario, state, card, only_missing=only_missing)
    return result_of(state, scenario, card, out)


def result_of(state: NegotiationState, scenario: Scenario, card: Scorecard, out: Path) -> RunResult:
    """The typed result of a finished run from its state and scorecard."""
    from evals.termsheet import FORMATS
    from pactlab.app.rehearsal.wording import issue_name, option_text
    from pactlab.domain.outcome_space import OutcomeSpace

    negotiation_id = state["run"]["negotiation_id"]
    folder = RunFolder.of(out, negotiation_id)
    sheets = {fmt: folder.termsheet(fmt) for fmt in FORMATS if folder.termsheet(fmt).exists()}
    labels = None
    if card.agreement is not None:
        space = OutcomeSpace(scenario.issues)
        labels = {issue_name(scenario, k): option_text(space, k, v) for k, v in card.agreement.items()}
    policies = state["run"].get("policies")
    return RunResult(
        negotiation_id=negotiation_id,
        scenario_id=scenario.id,
        scenario_title=scenario.title,
        seed=int(state["run"]["seed"]),
        agents=dict(state["run"]["agents"]),
        policy_set=None if not policies else str(policies["name"]),
        outcome=card.outcome,
        ended_by=state["table"].get("ended_by"),
        rounds=card.rounds,
        agreement=card.agreement,
        agreement_labels=labels,
        scorecard=card,
        paths=RunPaths(
            folder=folder.path,
            checkpoints=out / CHECKPOINTS,
            transcript=folder.transcript,
            scorecard_json=folder.scorecard_json,
            scorecard_md=folder.scorecard_md,
            plot=folder.plot,
            termsheets=sheets,
        ),
    )


def run(
    scenario: ScenarioArg,
    *,
    agents: AgentsArg = None,
    seed: int = 0,
    policies: str | Path | PolicySet | None = None,
    out: str | Path = DEFAULT_OUT,
    negotiation_id: str | None = None,
    mediator: str = "nash",
    durability: str = "sync",
    checkpoint_every: int | None = None,
    eval_budget: float | None = None,
    on_move: MoveObserver | None = None,
    otel: str | None = None,
) -> RunResult:
    """Run a negotiation exactly as ``pactlab run`` does and return its typed result.

    `scenario`: a shipped scenario's name, a scenario file, a `Scenario` or a `LoadedScenario`. `agents`: a
    mapping party → negotiator spec (``{"platform": "boulware"}``), one spec for every party,
    or ``PARTY=SPEC`` strings; parties left out get the default strategy. `policies`: None for
    the scenario's own policy set, a shipped name or file, a `PolicySet`, or ``"none"``. The
    run writes its checkpoints, signed audit transcript, scorecard, plot and (for an agreement)
    term sheet under ``OUT/NEGOTIATION_ID/``. LLM negotiators (``llm`` specs) use the endpoint
    of OPENAI_BASE_URL / OPENAI_API_KEY / PACTLAB_LLM_MODEL. `on_move` is called after each move.
    `otel` exports the run's OpenTelemetry trace when it ends ('otlp', 'console' or a file path).

    Raises BadInput for bad input (naming the argument and the fix) and Conflict for a taken id.
    """
    plan = prepare_run(
        scenario,
        agents=agents,
        seed=seed,
        policies=policies,
        out=out,
        negotiation_id=negotiation_id,
        mediator=mediator,
        durability=durability,
        checkpoint_every=checkpoint_every,
        eval_budget=eval_budget,
        otel=otel,
    )
    return execute_run(plan, on_move)


__all__ = [
    "DEFAULT_OUT",
    "RunPaths",
    "RunPlan",
    "RunResult",
    "audit_stops_the_run",
    "execute_run",
    "finish_run",
    "follow",
    "parse_agents",
    "prepare_run",
    "result_of",
    "run",
]
