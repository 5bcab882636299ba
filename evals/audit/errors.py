"""The audit trail's errors: one base, `AuditError`, under pactlab's error tree."""

from __future__ import annotations

from pathlib import Path

from pactlab.errors import Conflict, ExternalError, Incomplete, PactlabError, RecordError


class AuditError(PactlabError):
    """Base class of the audit trail's errors."""


class AuditWriteError(AuditError, ExternalError):
    """A record could not be written: the run must stop (nothing is dropped silently)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"cannot write the audit trail {path}: {reason}")
        self.path = path
        self.reason = reason


class AuditIncomplete(AuditError, Incomplete):
    """A transcript without its seal whose every record verifies: a run cut short, not tampering."""


class TranscriptTaken(AuditError, Conflict):
    """Another writer created the transcript between this writer's check and its creation."""


class AuditConflict(AuditError, Conflict):
    """A replayed, keyed append differs from the record already written under that key."""

    def __init__(self, message: str, *, seq: int, key: str) -> None:
        super().__init__(message)
        self.seq = seq
        self.key = key


class AuditKeyMismatch(AuditError, Conflict):
    """Reopening a transcript with other keys than the ones that signed it: its records could not verify."""


class AuditSealed(AuditError, Conflict):
    """The transcript is sealed: nothing more may be appended."""


class AuditCorrupt(AuditError, RecordError):
    """A transcript is malformed or fails verification (reading it, or reopening it to append)."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line
