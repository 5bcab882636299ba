"""pactlab's exceptions: one root, and one class per way a request can fail.

Every exception pactlab defines derives from `PactlabError`, through the subclass that says
what went wrong; the `pactlab` command maps each to its exit code in one place
(`pactlab.app.cli.errors`). Modules keep their own, more specific classes and derive them
from one of these. A class that callers catch as a builtin keeps that base too, after the
pactlab one (``class FileError(BadInput, ValueError)``), but new code should catch the
pactlab classes. This module imports nothing else of the project: every layer uses it.

The hierarchy, with the exit code of the `pactlab` command and where each class lives:

* PactlabError ............................. 1  (the root; not raised itself)
  + BadInput ............................... 2  a file, option or answer that does not validate
  |  - FileError                                pactlab.domain.loader
  |  - _Refused (a bound of the YAML text)       pactlab.domain.yaml_bounds (becomes a FileError)
  |  - PlaybookError                            pactlab.domain.playbook_compiler
  |  - GeniusError                              pactlab.domain.genius
  |  - ConstraintSyntaxError                    pactlab.domain.constraints
  |  - InvalidOffer                             pactlab.domain.outcome_space
  |  - IllegalMove                              pactlab.domain.protocol
  |  - InvalidSubmission                        agents.human
  |  - LLMConfigError                           agents.llm.config
  |  - TranscriptError                          evals.transcript
  |  - KeyStoreError                            evals.identity
  |  - NoAgreement (the CLI: exit 3)            evals.termsheet
  |  - WordingError                             evals.termsheet
  |  - RehearsalError                           pactlab.app.rehearsal.errors
  |  - BadJson, BodyTooLarge                    pactlab.app.web.limits
  |  - PathError                                pactlab.app.sweeps.paths
  |  - PlanError                                pactlab.app.sweeps.plan
  |  - SettingError, VariantError               pactlab.app.sweeps.settings
  |  - TelemetryUnavailable                     pactlab.app.telemetry
  |  - ReplayInputError, CodeVersionDiffers     pactlab.workflow.replay.errors
  + NotFound ............................... 4  no such negotiation, or nothing to resume
  |  - NegotiationNotFound                      pactlab.workflow.runner
  |  - NegotiationFinished                      pactlab.workflow.runner
  |     - WaitingForPerson                      pactlab.workflow.runner
  |  - NoForkPoint                              pactlab.workflow.runner
  |  - UnknownRehearsal                         pactlab.app.rehearsal.errors
  |  - NoSweep                                  pactlab.app.sweeps.reading
  |  - NoLeague                                 pactlab.app.league.reading
  |  - UnknownKey                               evals.identity
  + RecordError ............................ 5  a tampered, truncated or malformed transcript
  |  - AuditCorrupt (and AuditError)            evals.audit.errors
  |  - ForkError                                pactlab.app.rehearsal.forks
  |  + Incomplete ........................... 7  cut short by a crash: unsealed, every record intact
  |     - AuditIncomplete (AuditError)          evals.audit.errors
  + Conflict ............................... 6  already exists, already sealed, another writer
  |  - AuditConflict, AuditSealed (AuditError)  evals.audit.errors
  |  - AuditKeyMismatch (AuditError)            evals.audit.errors
  |  - TranscriptTaken (AuditError)             evals.audit.errors
  |  - NegotiationExists, NotWaiting            pactlab.workflow.runner
  |  - NegotiationBusy                          pactlab.workflow.writer_lock
  |  - StoreMismatch, SweepBusy                 pactlab.app.sweeps.store
  + ExternalError .......................... 1  something outside pactlab failed (no traceback)
  |  - AuditWriteError (and AuditError)         evals.audit.errors
  |  - LocalServerError                         agents.llm.local_server
  |  - MalformedResponse                        agents.llm.retry (retried inside the client)
  |  - InvalidReply                             agents.llm.repair (repaired inside the client)
  + InternalError .......................... 1  a bug: reported with its traceback
  - Leave                                       pactlab.app.cli.terminal (the person left; never escapes)
  - ReplayStop                                  pactlab.workflow.replay.errors (a replay's stop; never escapes)

`AuditError`, the base of the audit trail's errors (`evals.audit`), derives from `PactlabError`;
each of its subclasses also derives from the class above that says what it means.
"""

from __future__ import annotations

__all__ = [
    "BadInput",
    "Conflict",
    "ExternalError",
    "Incomplete",
    "InternalError",
    "NotFound",
    "PactlabError",
    "RecordError",
]


class PactlabError(Exception):
    """The root of every exception pactlab defines: catch it to catch them all."""


class BadInput(PactlabError):
    """Raised when a file, option or answer does not validate: a scenario, policy or sweep file, an offer, a move."""


class NotFound(PactlabError):
    """Raised when no negotiation, rehearsal or sweep has the id asked for, or nothing is left to resume."""


class RecordError(PactlabError):
    """Raised when an audit transcript is tampered with, truncated or malformed: it fails verification."""


class Incomplete(RecordError):
    """Raised when a transcript is cut short by a crash: unsealed, but every record it holds verifies."""


class Conflict(PactlabError):
    """Raised when the request clashes with what exists: an id or file already taken, a sealed record, a writer."""


class ExternalError(PactlabError):
    """Raised when something outside pactlab fails: a file that cannot be written, a model server that won't start."""


class InternalError(PactlabError):
    """Raised when pactlab breaks one of its own invariants: a bug, reported with its traceback."""
