"""The replay's errors: a transcript it cannot replay (bad input), and its internal stop signal."""

from __future__ import annotations

from pactlab.errors import BadInput, PactlabError


class ReplayInputError(BadInput, ValueError):
    """The file cannot be replayed: not a transcript, no run start, or agents that cannot be rebuilt."""


class CodeVersionDiffers(BadInput):
    """The transcript was written by other code than this: its decisions need not re-derive here (``--force``)."""


class ReplayStop(PactlabError):
    """The replay cannot go on: the run asks for an input (a person's answer, a model reply) the
    transcript does not hold. Caught by the replay, which says where and why; never escapes it."""
