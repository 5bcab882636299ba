"""Replay a negotiation from its transcript alone and compare every record the replay writes with the recorded one.

The run start holds everything the run was started with (the scenario, agents, policies, seed,
mediator, mandates, pacing, and the LLM settings taken from the environment); the replay starts
the same negotiation, under the same id, through the real LangGraph workflow into a temporary
store and transcript, with the recorded inputs injected: people answer with their recorded moves
and approvals (`RecordedPeople`), LLM agents get the recorded replies through the real SDK
(`ReplayClient`), and keys are drawn anew in a temporary key directory. Strategy and mediator
decisions are recomputed; LLM decisions re-validated through the same parsing, guards, screen and
gate. Then the two record streams are compared in order (`compare`): the first record whose kind,
actor or data differ is a divergence, named by its line in the transcript.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from agents.human import Mandate
from evals.audit import read_records, verify
from evals.identity import KEYS_ENV
from pactlab.domain.scenario import Scenario
from pactlab.errors import BadInput
from pactlab.workflow.pause import answered_by
from pactlab.workflow.provenance import LLM_SETTING_VARIABLES, code_version
from pactlab.workflow.replay.compare import NOT_REPLAYED, comparable, differences, short
from pactlab.workflow.replay.errors import CodeVersionDiffers, ReplayInputError, ReplayStop
from pactlab.workflow.replay.people import RecordedPeople
from pactlab.workflow.runner import DEFAULT_ROUNDS_PER_STEP, Negotiations, Paused
from policies import PolicySet

MAX_DIVERGENCES = 20
"""Divergences listed at most (the first one is what matters: everything after a diverging move follows from it)."""


class Divergence(BaseModel):
    """Where the replay and the transcript part: the transcript's line (1-based), and why."""

    line: int
    reason: str


class ReplayReport(BaseModel):
    """The outcome of a replay: whether every recorded decision re-derived, and if not, where it did not."""

    path: str
    negotiation_id: str
    ok: bool = Field(description="Every record matched (and the transcript verifies).")
    records: int = Field(description="Records in the transcript.")
    compared: int = Field(description="Records the replay re-derived and compared.")
    divergences: list[Divergence] = Field(default_factory=list)
    code_recorded: dict[str, str] = Field(default_factory=dict)
    code_now: dict[str, str] = Field(default_factory=dict)
    forced: bool = Field(default=False, description="Replayed with other code than the recorded (--force).")
    verify_problem: str | None = Field(default=None, description="Why the transcript fails `audit verify`, if it does.")
    verify_line: int | None = None
    ending: Literal["sealed", "waiting", "cut"] = Field(
        description="sealed: the run ended; waiting: it waits for a person or a model reply the transcript does "
        "not hold yet; cut: the transcript stops before the run did (the replay played on)."
    )
    decisions: dict[str, int] = Field(
        default_factory=dict,
        description="Moves re-derived, by who decided them (strategy, mediator, llm, person, ladder).",
    )
    notes: list[str] = Field(default_factory=list)


Line = tuple[int, dict[str, Any]]


def read_lines(path: Path) -> list[Line]:
    """The transcript's records as (line, record), read leniently: a chain or signature broken by an edit
    does not stop a replay (it names the edited line itself); a line that is no record at all does."""
    if not path.is_file():
        raise ReplayInputError(f"no such file: {path}")
    lines: list[Line] = []
    for n, raw in enumerate(path.read_bytes().split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except (ValueError, RecursionError):
            raise ReplayInputError(f"{path} line {n} is not JSON: not a transcript record") from None
        if not (
            isinstance(obj, dict)
            and isinstance(obj.get("kind"), str)
            and isinstance(obj.get("actor"), str)
            and isinstance(obj.get("data"), dict)
        ):
            raise ReplayInputError(f"{path} line {n} is not a transcript record (kind, actor and data)")
        lines.append((n, obj))
    if not lines or lines[0][1]["kind"] != "run_start":
        raise ReplayInputError(f"{path}: the first record is not a run_start; not a pactlab transcript")
    missing = [f for f in ("negotiation_id", "scenario", "agents", "seed") if f not in lines[0][1]["data"]]
    if missing:
        raise ReplayInputError(f"{path} line 1: the run start lacks {', '.join(missing)}; it cannot be replayed")
    return lines


def replay(path: Path | str, *, force: bool = False) -> ReplayReport:
    """Re-execute the negotiation of the transcript at `path` and compare it record for record (module docstring).

    Raises `CodeVersionDiffers` when the transcript was written by other code (unless `force`) and
    `ReplayInputError` when the file cannot be replayed at all."""
    path = Path(path)
    lines = read_lines(path)
    start = lines[0][1]["data"]
    recorded_code = {str(k): str(v) for k, v in (start.get("code") or {}).items()}
    now = code_version()
    differs = recorded_code.get("sha256") != now["sha256"]
    if differs and not force:
        raise CodeVersionDiffers(
            f"{path} was written by pactlab {recorded_code.get('version', '?')} (code sha256 "
            f"{recorded_code.get('sha256', 'not recorded')[:16]}), this is {now['version']} (code sha256 "
            f"{now['sha256'][:16]}): its decisions need not re-derive under other code; check out the recorded "
            "version, or pass --force to replay anyway"
        )
    checked = verify(path, require_seal=False)
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="pactlab-replay-") as tmp:
        produced, stopped = _play(start, lines, Path(tmp), notes)
    recorded = [(n, r) for n, r in lines if r["kind"] not in NOT_REPLAYED]
    divergences, compared = _compare(recorded, produced, stopped)
    sealed = lines[-1][1]["kind"] == "seal"
    ending: Literal["sealed", "waiting", "cut"] = "sealed" if sealed else "waiting" if stopped else "cut"
    if not divergences and not sealed:
        if stopped:
            notes.append(f"the run waits here, as the transcript does: {stopped}")
        elif len(produced) > compared:
            notes.append(
                f"the transcript stops at line {lines[-1][0]} before the run ended (not sealed); the replay played on "
                f"{len(produced) - compared} more records"
            )
    if differs:
        notes.append("replayed with other code than the recorded one (--force)")
    problem = None if checked.ok or checked.incomplete else checked.problem
    return ReplayReport(
        path=str(path),
        negotiation_id=str(start["negotiation_id"]),
        ok=not divergences and problem is None,
        records=len(lines),
        compared=compared,
        divergences=divergences,
        code_recorded=recorded_code,
        code_now=now,
        forced=differs,
        verify_problem=problem,
        verify_line=None if problem is None else checked.first_bad,
        ending=ending,
        decisions=_decisions(start, [r for _, r in recorded[:compared]]),
        notes=notes,
    )


def _play(
    start: dict[str, Any], lines: list[Line], tmp: Path, notes: list[str]
) -> tuple[list[dict[str, Any]], str | None]:
    """Run the negotiation the run start describes, with the recorded inputs; its records, and why it stopped early."""
    try:
        scenario = Scenario.model_validate(start["scenario"])
        policy = start.get("policy_set")
        policies = PolicySet.model_validate(policy["rules"]) if isinstance(policy, Mapping) else None
        mandates = {str(p): Mandate.model_validate(m) for p, m in (start.get("mandates") or {}).items()}
    except (ValidationError, KeyError, TypeError) as exc:
        raise ReplayInputError(
            f"line 1: the run start does not describe a run pactlab can start: {exc!s:.300}"
        ) from None
    agents = {str(p): str(a) for p, a in start["agents"].items()}
    mediator = str(start.get("mediator", "nash"))
    models = any(a.startswith("llm") for a in [*agents.values(), mediator])
    transcript = tmp / "transcript.jsonl"
    people = RecordedPeople([(n, r) for n, r in lines if r["kind"] in ("human_move", "approval")])
    stopped: str | None = None
    with ExitStack() as stack:
        stack.enter_context(
            _environment({KEYS_ENV: str(tmp / "keys"), **_llm_environment(start, lines, models, notes)})
        )
        stack.enter_context(answered_by(people))
        if models:
            from agents.llm.calls import serving_clients
            from pactlab.workflow.replay.llm import RecordedResponses, ReplayClient

            responses = RecordedResponses([(n, r["data"]) for n, r in lines if r["kind"] == "llm_call"])
            stack.enter_context(serving_clients(lambda config: ReplayClient(config, responses)))
        runs = stack.enter_context(Negotiations(":memory:", durability="exit"))
        try:
            events = runs.start(
                scenario,
                agents=agents,
                seed=int(start["seed"]),
                negotiation_id=str(start["negotiation_id"]),
                source=str(start.get("scenario_source", "")),
                rounds_per_step=int(start.get("rounds_per_step", DEFAULT_ROUNDS_PER_STEP)),
                transcript=transcript,
                policies=policies,
                mediator=mediator,
                audit_fsync="seal",
                turn_by_turn=bool(start.get("turn_by_turn", False)),
                mandates=mandates or None,
            )
            for event in events:
                if isinstance(event, Paused):  # pragma: no cover - every question is answered from the transcript
                    stopped = f"the run asks a question the replay cannot answer: {short(event.question)}"
                    break
        except ReplayStop as stop:
            stopped = str(stop)
        except BadInput as exc:
            raise ReplayInputError(f"line 1: the run start's negotiation cannot be started here: {exc}") from None
        except (ValueError, ImportError) as exc:
            raise ReplayInputError(f"line 1: the run start's agents cannot be rebuilt here: {exc}") from None
    produced = [r.model_dump(mode="json") for r in read_records(transcript)] if transcript.exists() else []
    return produced, stopped


def _llm_environment(
    start: Mapping[str, Any], lines: list[Line], models: bool, notes: list[str]
) -> dict[str, str | None]:
    """The LLM settings the run's agents read from the environment: recorded at the run start (older
    transcripts: inferred from the first model call). Every other setting variable is unset."""
    settings: dict[str, str | None] = dict.fromkeys(LLM_SETTING_VARIABLES)
    recorded = start.get("llm_environment")
    if isinstance(recorded, Mapping):
        settings.update({k: str(v) for k, v in recorded.items() if k in settings})
        return settings
    if not models:
        return settings
    first = next((r["data"].get("call") for _, r in lines if r["kind"] == "llm_call"), None)
    if isinstance(first, Mapping):
        params = first.get("params") or {}
        settings.update(
            PACTLAB_LLM_PROVIDER=str(first.get("provider")),
            PACTLAB_LLM_MODEL=str(first.get("model_requested")),
            PACTLAB_LLM_OUTPUT_MODE=str(params.get("output_mode")),
            PACTLAB_LLM_MAX_TOKENS=str(params.get("max_tokens")),
            OPENAI_BASE_URL=f"http://{first.get('base_url_host')}",
        )
        notes.append("the run start holds no LLM settings (an older transcript): taken from the first model call")
    return settings


@contextmanager
def _environment(values: Mapping[str, str | None]) -> Iterator[None]:
    """Set (or, for None, unset) environment variables inside the block; the previous values come back after."""
    saved = {k: os.environ.get(k) for k in values}
    try:
        for key, value in values.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def _compare(recorded: list[Line], produced: list[dict[str, Any]], stopped: str | None) -> tuple[list[Divergence], int]:
    """The divergences between the recorded records and the replayed ones, in order; and how many were compared."""
    found: list[Divergence] = []
    compared = 0
    for (line, record), mine in zip(recorded, produced, strict=False):
        compared += 1
        kind, actor = record["kind"], record["actor"]
        if (kind, actor) != (mine["kind"], mine["actor"]):
            found.append(
                Divergence(
                    line=line,
                    reason=f"the transcript records {kind} by {actor}; the replay produces {mine['kind']} by "
                    f"{mine['actor']} ({short(mine['data'])})",
                )
            )
            return found, compared
        diff = differences(comparable(kind, record["data"]), comparable(kind, mine["data"]))
        if diff:
            found.append(Divergence(line=line, reason=_why(kind, actor, record["data"], diff)))
            if kind in ("move", "run_start") or len(found) >= MAX_DIVERGENCES:
                return found, compared  # what follows a diverging move follows from another table
    if len(recorded) > compared:
        line, record = recorded[compared]
        why = (
            f"the replay stops here: {stopped}"
            if stopped
            else f"the transcript records {record['kind']} by {record['actor']} that the replay does not produce "
            "(the replayed run ended before)"
        )
        found.append(Divergence(line=line, reason=why))
    elif len(produced) > compared and recorded and recorded[-1][1]["kind"] == "seal":
        mine = produced[compared]
        found.append(
            Divergence(
                line=recorded[-1][0],
                reason=f"the replay goes on past the seal with {mine['kind']} by {mine['actor']}",
            )
        )
    return found, compared


def _why(kind: str, actor: str, data: Mapping[str, Any], diff: list[tuple[str, Any, Any]]) -> str:
    shown = "; ".join(f"{p}: recorded {short(a, 80)}, replayed {short(b, 80)}" for p, a, b in diff[:3])
    more = f" (and {len(diff) - 3} more)" if len(diff) > 3 else ""
    if kind == "move":
        move = data.get("move") if isinstance(data.get("move"), Mapping) else {}
        turn = move.get("turn") if isinstance(move, Mapping) else None
        where = f" at turn {int(turn) + 1}" if isinstance(turn, int) else ""
        lead = f"{actor}'s move{where} is not the move its agent makes from the same inputs"
    elif kind == "llm_call":
        lead = f"{actor}'s recorded model reply does not yield the recorded decision"
        if any(p.endswith("messages_sha256") for p, _, _ in diff):
            lead = f"{actor}'s model was asked something else than recorded (the prompt differs)"
    elif kind == "run_start":
        lead = "the run start differs from the one the replay writes for it"
    else:
        lead = f"{kind} by {actor} differs from the replay"
    return f"{lead}: {shown}{more}"


def _decisions(start: Mapping[str, Any], records: list[dict[str, Any]]) -> dict[str, int]:
    """How many re-derived moves each kind of decider made."""
    agents = start.get("agents") or {}
    mediator = str(start.get("mediator", "nash"))
    counts: dict[str, int] = {}
    for record in records:
        if record["kind"] != "move":
            continue
        actor = record["actor"]
        if actor in agents:
            spec = str(agents[actor])
            who = "person" if spec == "human" else "llm" if spec.startswith("llm") else "strategy"
        elif actor == "mediator":
            who = "llm mediator" if mediator.startswith("llm") else "mediator"
        else:
            who = actor
        counts[who] = counts.get(who, 0) + 1
    return counts
