"""Framework overhead per LLM turn, and tokens per negotiation with the local model (on demand).

`python -m benchmarks.llm_overhead [--turns N] [--local]`

- Overhead: LLM negotiators play real turns through the real openai SDK against a
  zero-latency OpenAI-compatible responder on loopback (a thread answering every chat request
  at once with a valid reply). The time per turn is then everything but the model: prompt
  building, the utility advisor, the HTTP round trip, validation, the screen, the reports.
- With `--local`, the same turns against the local model (llama.cpp, Gemma 3 270M), to put
  the overhead in proportion, and full runs of the shipped two-party scenarios to count tokens
  per negotiation (and per agreement).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from agents.base import Seat, take_reports
from agents.llm.config import endpoint_environment
from agents.llm.negotiator import LLMNegotiator
from pactlab.domain.catalog import load_scenario
from pactlab.domain.table import Turn

REPLY = {"action": "propose", "candidate": 1, "message": "We move toward you.", "rationale": "We concede a little."}


class _Instant(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", 0))
        self.rfile.read(length)
        body = json.dumps(
            {
                "id": "bench",
                "object": "chat.completion",
                "created": 0,
                "model": "instant",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": json.dumps({**REPLY, "reason": ""})},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        ).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def instant_responder() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Instant)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()


def turn_times(turns: int) -> list[float]:
    """Seconds per LLM negotiator turn on platform_material's opening table."""
    scenario, _ = load_scenario("platform_material")
    agent = LLMNegotiator(Seat.for_party(scenario, "supplier", 1), advisor="choose")
    times = []
    for n in range(turns):
        turn = Turn(
            party="supplier",
            round=n % 10,
            max_rounds=40,
            turn=2 * n + 1,
            parties_at_table=tuple(scenario.party_ids),
            proposal=None,
            proposer=None,
            accepted_by=frozenset(),
        )
        started = time.perf_counter()
        agent.act(turn)
        take_reports(agent)
        times.append(time.perf_counter() - started)
    return times


def _summary(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1000:.2f} ms, mean {statistics.fmean(times) * 1000:.2f} ms"


def full_runs() -> None:
    """Tokens per negotiation with local LLM negotiators on the shipped two-party scenarios."""
    from evals.audit import read_records
    from pactlab.workflow import Negotiations, Scored

    for name in ("platform_material", "boost_converter"):
        scenario, _ = load_scenario(name)
        with tempfile.TemporaryDirectory() as tmp, Negotiations(Path(tmp) / "c.sqlite") as runs:
            path = Path(tmp) / "t.jsonl"
            started = time.perf_counter()
            events = list(
                runs.start(
                    scenario,
                    agents=dict.fromkeys(scenario.party_ids, "llm(advisor=choose)"),
                    seed=1,
                    negotiation_id=name,
                    transcript=path,
                    rounds_per_step=1,
                )
            )
            elapsed = time.perf_counter() - started
            card = next(e for e in events if isinstance(e, Scored)).scorecard
            usage = card.llm_usage
            fallbacks = sum(1 for r in read_records(path) if r.kind == "llm_fallback")
            assert usage is not None
            print(
                f"{name}: {card.outcome} after {card.rounds} round(s), {usage.total.calls} calls, "
                f"{usage.total.requests} requests, {usage.total.repairs} repairs, {fallbacks} fallbacks, "
                f"{usage.total.prompt_tokens} prompt + {usage.total.completion_tokens} completion tokens, "
                f"{elapsed:.0f} s"
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.llm_overhead", description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=200, help="LLM turns timed against the instant responder")
    parser.add_argument("--local", action="store_true", help="also against the local model (pactlab[llm])")
    args = parser.parse_args(argv)
    with instant_responder() as url, endpoint_environment(url, "instant"):
        turn_times(5)  # warm-up: imports, offer book
        overhead = turn_times(args.turns)
    print(f"framework overhead per LLM turn (zero-latency responder, {args.turns} turns): {_summary(overhead)}")
    if not args.local:
        return
    from agents.llm import LocalModelServer

    with LocalModelServer() as server, endpoint_environment(server.base_url, server.model):
        model = turn_times(max(args.turns // 20, 5))
        print(f"local model turn (Gemma 3 270M, llama.cpp, choose mode): {_summary(model)}")
        share = statistics.median(overhead) / statistics.median(model)
        print(f"overhead as a share of a local model turn: {share:.2%}")
        full_runs()


if __name__ == "__main__":
    main()
