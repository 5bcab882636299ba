"""A scripted OpenAI-compatible HTTP server on 127.0.0.1 (a real socket, for runs, sweeps and leagues that
reach their model through OPENAI_BASE_URL). It answers `choose`-mode negotiator requests by the model named
in the request, so each behaviour is deterministic, never a real model's quality or mistakes:

- ``good``: accepts when the advisor recommends it, else proposes candidate 1;
- ``flaky``: as ``good``, but the first reply to every request is not JSON (a repair always follows);
- ``broken``: never a JSON object (every decision ends with the fallback);
- ``leaky``: as ``good``, with a message quoting the party's walk-away point (the screen must catch it);
- ``liar``: as ``good``, with a message stating a walk-away point of 0.01 (false for every shipped
  profile: the claims audit must flag it).

A two-step turn (`agents.llm.turn`) is answered the same way: its decision step (a request for a
``DecisionReply``) accepts when the advisor recommends it and counters otherwise; its terms step
(a ``TermsChoice``) picks candidate 1.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REPAIR_MARK = "was invalid"
RESERVATION = re.compile(r"at least ([0-9]+\.[0-9]+) to you")


def choose(body: dict[str, Any]) -> str:
    """The reply text for one chat request (see the module docstring)."""
    model = str(body.get("model", "good"))
    texts = [str(m.get("content") or "") for m in body.get("messages", [])]
    last = texts[-1] if texts else ""
    repairing = any(REPAIR_MARK in t for t in texts)
    if model == "broken" or (model == "flaky" and not repairing):
        return "I think we should talk about this later."
    message = "We can move toward you on the terms that matter most."
    if model == "leaky":
        found = RESERVATION.search("\n".join(texts))
        message = f"Our walk-away point is {found.group(1) if found else '0.42'}, so this is close to it."
    if model == "liar":
        message = "Our walk-away point is 0.01, so we are flexible."
    request = json.dumps(body)
    accept = "the advisor recommends: accept" in last
    if "DecisionReply" in request:
        decision = "accept" if accept else "counter"
        return json.dumps({"decision": decision, "message": "Agreed." if accept else message, "reason": "Our aim."})
    if "TermsChoice" in request:
        return json.dumps({"candidate": 1, "message": message, "rationale": "Closer."})
    if accept:
        reply = {
            "action": "accept",
            "candidate": 1,
            "message": "Agreed.",
            "rationale": "It meets our aim.",
            "reason": "",
        }
    else:
        reply = {"action": "propose", "candidate": 1, "message": message, "rationale": "Closer.", "reason": ""}
    return json.dumps(reply)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # /v1/models
        self._send({"object": "list", "data": [{"id": "good", "object": "model"}]})

    def do_POST(self) -> None:  # /v1/chat/completions
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        content = choose(body)
        self._send(
            {
                "id": "chatcmpl-scripted",
                "object": "chat.completion",
                "created": 0,
                "model": body.get("model", "good"),
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
                ],
                "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
            }
        )

    def _send(self, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


@contextmanager
def scripted_server() -> Iterator[str]:
    """Serve on a free loopback port; yield the base URL (``http://127.0.0.1:PORT/v1``)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
