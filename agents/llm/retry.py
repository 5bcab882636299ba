"""Transient HTTP faults and how long to wait: the tenacity policy around every model request.

Worth retrying: timeouts, dropped connections, 408/409, 429 (unless the quota is spent), 5xx
(unless the server quotes a validation error on the request itself) and 2xx bodies that are not
a chat completion (`MalformedResponse`). The server's `Retry-After` (or `retry-after-ms`) wins;
otherwise exponential backoff with jitter. Attempts and total time, waits included, are bounded.
The SDK's own retries are off, so nothing is retried twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime

import openai
from tenacity import RetryCallState, Retrying, retry_if_exception, wait_exponential_jitter

from pactlab.errors import ExternalError


class MalformedResponse(ExternalError):
    """A 2xx answer whose body is not a chat completion (cut or garbled by a proxy): retried as transient."""

    def __init__(self, message: str, body: str) -> None:
        super().__init__(message)
        self.body = body


def is_transient(exc: BaseException) -> bool:
    """Worth retrying: timeouts, dropped connections, 408/409/429 (not insufficient_quota), 5xx, garbled bodies."""
    if isinstance(exc, MalformedResponse | openai.APIConnectionError):  # APITimeoutError is a connection error
        return True
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code == 429:
            return "insufficient_quota" not in (exc.code, exc.type)
        if exc.status_code >= 500:
            return not _rejected_request(exc)
        return exc.status_code in (408, 409)
    return False


def _rejected_request(exc: openai.APIStatusError) -> bool:
    """llama-cpp-python answers a request it cannot validate (e.g. `json_schema` mode) with a 500 that quotes
    pydantic's error on the request body: retrying the same request cannot help."""
    return "validation error" in exc.message and "'body'" in exc.message


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The server's requested wait: `retry-after-ms`, else `retry-after` (seconds or an HTTP date)."""
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    if (value := headers.get("retry-after")) is not None:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
            except (TypeError, ValueError):
                return None
    return None


def describe_error(exc: BaseException) -> str:
    """The error class and message (and HTTP status) for the record, at most 500 characters."""
    if isinstance(exc, openai.APIStatusError):
        return f"{type(exc).__name__} {exc.status_code}: {exc.message}"[:500]
    return f"{type(exc).__name__}: {exc}"[:500]


def retrying(
    *,
    max_attempts: int,
    max_seconds: float,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
    before_sleep: Callable[[RetryCallState], None],
) -> Retrying:
    """The policy for one request, its time budget starting now: retry transient faults, re-raise the last.

    `sleep` and `clock` let tests observe the backoff without waiting; `before_sleep` records each wait.
    """
    started = clock()

    def stop(state: RetryCallState) -> bool:
        return state.attempt_number >= max_attempts or clock() - started + state.upcoming_sleep > max_seconds

    backoff = wait_exponential_jitter(multiplier=0.5, max=20, jitter=0.5)

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, openai.APIStatusError):
            asked = retry_after_seconds(exc.response.headers)
            if asked is not None:
                return asked
        return float(backoff(state))

    return Retrying(
        sleep=sleep,
        stop=stop,
        wait=wait,
        retry=retry_if_exception(is_transient),
        before_sleep=before_sleep,
        reraise=True,
    )
