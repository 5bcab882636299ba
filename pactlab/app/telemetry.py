"""OpenTelemetry export of a run: a trace built from its signed transcript, for an operations team's tools.

Why from the transcript and not from live instrumentation: the transcript is the one record of
what happened (signed, verified before export), so the trace can never disagree with the audit;
and a run that was resumed, or ran on a worker, exports the same trace as one that ran here.

The trace: one span for the negotiation, one per round, one ``invoke_agent PARTY`` span per
model-backed decision and one ``chat MODEL`` client span per request to the model, following the
OpenTelemetry GenAI semantic conventions (operation, provider, request and response model, token
usage, finish reasons, errors). Moves, gate refusals and fallbacks are events on their round.

Never exported: message texts, rationales, prompts, model replies, private profiles (weights,
option values, reservation values) or proposals' terms. Attributes are read from an allow-list
of public, numeric or categorical fields, so a new private field in a record cannot leak by
accident.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from pactlab.errors import BadInput

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Span, Tracer

    from evals.audit import AuditRecord

TRACER_NAME = "pactlab"
OTLP = "otlp"
CONSOLE = "console"
TARGETS_HELP = (
    "Where the trace goes: 'otlp' (OTLP over HTTP; endpoint and headers from the standard "
    "OTEL_EXPORTER_OTLP_* variables), 'console', or a file path (one span per line, JSON)."
)


class TelemetryUnavailable(BadInput):
    """`--otel` was asked for but the OpenTelemetry SDK is not installed (the `otel` extra)."""


@dataclass(frozen=True)
class ExportSummary:
    """What an export sent: how many spans, and where."""

    spans: int
    target: str
    trace_id: str


def _ns(ts: str) -> int:
    """A record's UTC timestamp in nanoseconds since the epoch."""
    moment = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    return int(moment.timestamp() * 1_000_000) * 1000


def _sdk() -> Any:
    try:
        from opentelemetry.sdk import trace as sdk_trace
    except ImportError:
        raise TelemetryUnavailable(
            "OpenTelemetry export needs the SDK: pip install 'pactlab[otel]' (opentelemetry-sdk and the OTLP exporter)"
        ) from None
    return sdk_trace


class _JsonLinesExporter:
    """A span exporter that appends each finished span to a file, one JSON object per line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: TextIO | None = None

    def export(self, spans: Sequence[ReadableSpan]) -> Any:
        from opentelemetry.sdk.trace.export import SpanExportResult

        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("a", encoding="utf-8")
        for span in spans:
            self._handle.write(json.dumps(json.loads(span.to_json()), separators=(",", ":")) + "\n")
        self._handle.flush()
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


def exporter_for(target: str) -> SpanExporter:
    """The exporter `--otel TARGET` names; BadInput for a target that cannot work here."""
    _sdk()
    if target == OTLP:
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError:
            raise TelemetryUnavailable("--otel otlp needs the OTLP exporter: pip install 'pactlab[otel]'") from None
        return OTLPSpanExporter()
    if target == CONSOLE:
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    path = Path(target)
    if path.is_dir():
        raise BadInput(f"--otel {target}: a folder; give a file path, 'otlp' or 'console'")
    return _JsonLinesExporter(path)  # type: ignore[return-value]


@contextmanager
def _provider(exporter: SpanExporter, records: Sequence[AuditRecord]) -> Iterator[TracerProvider]:
    sdk_trace = _sdk()
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    from pactlab.version import __version__

    start = records[0].data if records else {}
    resource = Resource.create(
        {
            "service.name": "pactlab",
            "service.version": __version__,
            "pactlab.negotiation.id": str(start.get("negotiation_id", "")),
        }
    )
    provider = sdk_trace.TracerProvider(resource=resource)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    try:
        yield provider
    finally:
        provider.shutdown()


def export_records(records: Sequence[AuditRecord], exporter: SpanExporter, target: str = "") -> ExportSummary:
    """Send the trace of a verified transcript's records to `exporter`."""
    if not records or records[0].kind != "run_start":
        raise BadInput("not a pactlab run: the transcript does not start with a run_start record")
    with _provider(exporter, records) as provider:
        tracer = provider.get_tracer(TRACER_NAME)
        count, trace_id = _trace(records, tracer)
    return ExportSummary(spans=count, target=target, trace_id=trace_id)


def export_transcript(path: Path, target: str) -> ExportSummary:
    """Verify the transcript at `path`, then export its trace to `target` (see `TARGETS_HELP`)."""
    from evals.audit import AuditCorrupt, read_records, verify

    exporter = exporter_for(target)
    report = verify(path, require_seal=False)
    if not report.ok:
        raise AuditCorrupt(f"{path}: line {report.first_bad}: {report.problem}", line=report.first_bad)
    return export_records(read_records(path), exporter, target)


# -- building the trace --------------------------------------------------------------------------------------------


def _trace(records: Sequence[AuditRecord], tracer: Tracer) -> tuple[int, str]:
    from opentelemetry import trace
    from opentelemetry.trace import SpanKind

    start = records[0]
    end = records[-1]
    info = start.data
    scenario_id = _dict(info.get("scenario")).get("id")
    root = tracer.start_span(
        f"negotiation {scenario_id}" if isinstance(scenario_id, str) else "negotiation",
        kind=SpanKind.INTERNAL,
        start_time=_ns(start.ts),
        attributes=_attrs(
            {
                "pactlab.negotiation.id": info.get("negotiation_id"),
                "pactlab.scenario": scenario_id,
                "pactlab.scenario.sha256": info.get("scenario_sha256"),
                "pactlab.policy_set": info.get("policy_set"),
                "pactlab.seed": info.get("seed"),
                "pactlab.parties": sorted(str(a) for a in (info.get("agents") or {})),
            }
        ),
    )
    count = 1
    root_context = trace.set_span_in_context(root)
    round_span: Span | None = None
    round_no: int | None = None
    last_ts = start.ts
    for record, round_of in zip(records[1:], _rounds(records[1:]), strict=True):
        if round_of != round_no:
            if round_span is not None:
                round_span.end(end_time=_ns(last_ts))
                round_span = None
            round_no = round_of
            if round_of is not None:
                round_span = tracer.start_span(
                    f"round {round_of}",
                    context=root_context,
                    start_time=_ns(last_ts),
                    attributes={"pactlab.round": round_of},
                )
                count += 1
        parent = round_span if round_span is not None else root
        if record.kind == "llm_call":
            count += _model_call(record, tracer, trace.set_span_in_context(parent))
        else:
            _event(record, parent)
        if record.kind == "seal":
            root.set_attributes(_attrs({"pactlab.outcome": record.data.get("outcome"), "pactlab.sealed": True}))
        last_ts = record.ts
    if round_span is not None:
        round_span.end(end_time=_ns(last_ts))
    trace_id = format(root.get_span_context().trace_id, "032x")
    root.end(end_time=_ns(end.ts))
    return count, trace_id


def _rounds(records: Sequence[AuditRecord]) -> list[int | None]:
    """The round of each record: that of the next move (a model call, a gate verdict and a fallback lead
    up to the move they decide); None after the last move (the evaluation, the seal)."""
    out: list[int | None] = []
    upcoming: int | None = None
    for record in reversed(records):
        if record.kind == "move":
            table = record.data.get("table")
            value = table.get("round") if isinstance(table, dict) else None
            upcoming = value if isinstance(value, int) else upcoming
        out.append(upcoming)
    out.reverse()
    return out


def _event(record: AuditRecord, span: Span) -> None:
    """A public event on the round's span: who did what kind of thing, never what they said."""
    data = record.data
    attributes: dict[str, Any] = {"pactlab.record.seq": record.seq, "pactlab.actor": record.actor}
    if record.kind == "move":
        move = _dict(data.get("move"))
        table = _dict(data.get("table"))
        attributes |= {
            "pactlab.move.kind": move.get("kind"),
            "pactlab.table.status": table.get("status"),
            "pactlab.table.tier": table.get("tier"),
        }
    elif record.kind == "gate":
        attributes |= {"pactlab.gate.blocked": bool(data.get("blocked"))}
    elif record.kind == "evaluation":
        card = _dict(data.get("scorecard"))
        attributes |= {"pactlab.outcome": card.get("outcome")}
    span.add_event(record.kind, attributes=_attrs(attributes), timestamp=_ns(record.ts))


def _model_call(record: AuditRecord, tracer: Tracer, context: Any) -> int:
    """One ``invoke_agent`` span for a model-backed decision and a ``chat`` client span per request."""
    from opentelemetry.trace import SpanKind, Status, StatusCode

    data = record.data
    call = _dict(data.get("call"))
    party = str(data.get("party") or record.actor)
    requests = [r for r in call.get("requests") or [] if isinstance(r, dict)]
    end = _ns(record.ts)
    total = sum(float(r.get("latency_s") or 0.0) + float(r.get("retry_wait_s") or 0.0) for r in requests)
    start = end - int(max(total, float(call.get("latency_s") or 0.0)) * 1e9)
    params = _dict(call.get("params"))
    provider = str(call.get("provider") or "openai")
    host, _, port = str(call.get("base_url_host") or "").partition(":")
    agent = tracer.start_span(
        f"invoke_agent {party}",
        context=context,
        kind=SpanKind.INTERNAL,
        start_time=start,
        attributes=_attrs(
            {
                "gen_ai.operation.name": "invoke_agent",
                "gen_ai.agent.name": party,
                "gen_ai.provider.name": provider,
                "gen_ai.request.model": call.get("model_requested"),
                "gen_ai.usage.input_tokens": call.get("prompt_tokens"),
                "gen_ai.usage.output_tokens": call.get("completion_tokens"),
                "pactlab.llm.advisor": data.get("advisor"),
                "pactlab.llm.repairs": call.get("repairs"),
                "pactlab.llm.attempts": call.get("attempts"),
                "pactlab.llm.decided": data.get("action") is not None,
            }
        ),
    )
    from opentelemetry import trace

    inner = trace.set_span_in_context(agent)
    at = start
    count = 1
    for request in requests:
        latency = int(float(request.get("latency_s") or 0.0) * 1e9)
        at += int(float(request.get("retry_wait_s") or 0.0) * 1e9)
        model = call.get("model_requested") or ""
        chat = tracer.start_span(
            f"chat {model}".strip(),
            context=inner,
            kind=SpanKind.CLIENT,
            start_time=at,
            attributes=_attrs(
                {
                    "gen_ai.operation.name": "chat",
                    "gen_ai.provider.name": provider,
                    "gen_ai.request.model": model,
                    "gen_ai.response.model": request.get("model"),
                    "gen_ai.request.max_tokens": params.get("max_tokens"),
                    "gen_ai.request.temperature": params.get("temperature"),
                    "gen_ai.request.seed": params.get("seed"),
                    "gen_ai.usage.input_tokens": request.get("prompt_tokens"),
                    "gen_ai.usage.output_tokens": request.get("completion_tokens"),
                    "gen_ai.response.finish_reasons": _finish_reasons(request.get("finish_reason")),
                    "server.address": host or None,
                    "server.port": int(port) if port.isdigit() else None,
                    "error.type": _error_type(request.get("error")),
                    "pactlab.llm.repair": request.get("repair"),
                }
            ),
        )
        if request.get("error"):
            chat.set_status(Status(StatusCode.ERROR))
        at += latency
        chat.end(end_time=min(at, end))
        count += 1
    if call.get("failure"):
        agent.set_status(Status(StatusCode.ERROR))
        agent.set_attribute("error.type", "fallback")
    agent.end(end_time=end)
    return count


def _error_type(error: Any) -> str | None:
    """The exception class of a failed request ("APITimeoutError: ..." -> "APITimeoutError"), never its text."""
    if not isinstance(error, str) or not error:
        return None
    head = error.split(":", 1)[0].strip()
    return head if head.isidentifier() else "error"


def _finish_reasons(reason: Any) -> list[str] | None:
    return [str(reason)] if reason else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _attrs(values: dict[str, Any]) -> dict[str, Any]:
    """OpenTelemetry attributes: drop missing values, keep scalars and lists of strings."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool | int | float | str) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            out[key] = value
    return out


__all__ = [
    "CONSOLE",
    "OTLP",
    "TARGETS_HELP",
    "ExportSummary",
    "TelemetryUnavailable",
    "export_records",
    "export_transcript",
    "exporter_for",
]
