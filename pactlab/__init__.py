"""pactlab: AI agents negotiate the IP and risk terms of innovation partnerships.

The domain model (`pactlab.domain`) is the bottom layer; `agents`, `policies` and `evals` build
on it, `pactlab.workflow` wires them together, and `pactlab.app` holds the front ends.

`pactlab.run(scenario, agents=..., seed=...)` does what the ``pactlab run`` command does and
returns a typed `RunResult` (see `pactlab.app.runs`); `load_scenario(name_or_path)` gives a
`LoadedScenario` (``.scenario``, ``.path``).

The public API is re-exported here and imported on first use, so that `import pactlab` (and
the `pactlab` command's start) stays fast: the workflow loads LangGraph only when asked for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pactlab.version import __version__

if TYPE_CHECKING:
    from pactlab.app.runs import RunPaths, RunResult, run
    from pactlab.domain import (
        Accept,
        Action,
        AgreementRule,
        BooleanIssue,
        CategoricalIssue,
        Constraint,
        ConstraintSyntaxError,
        DisputeTier,
        FileError,
        InvalidOffer,
        Issue,
        IssueValue,
        LinearValue,
        MoveRecord,
        NumericIssue,
        OptionValues,
        OutcomeSpace,
        Party,
        PeakedValue,
        PrivateProfile,
        Problem,
        Propose,
        Protocol,
        Reject,
        Scenario,
        TermSheet,
        Turn,
        UtilityFunction,
        WalkAway,
        load_model,
        parse_action,
    )
    from pactlab.domain.catalog import (
        LoadedScenario,
        load_scenario,
        shipped_scenarios,
    )
    from pactlab.errors import (
        BadInput,
        Conflict,
        ExternalError,
        Incomplete,
        InternalError,
        NotFound,
        PactlabError,
        RecordError,
    )
    from pactlab.workflow import (
        Event,
        MoveMade,
        NegotiationBusy,
        NegotiationFinished,
        NegotiationNotFound,
        Negotiations,
        NegotiationState,
        NoForkPoint,
        NotWaiting,
        Paused,
        RunSpec,
        Scored,
        WaitingForPerson,
        build_graph,
    )

_SOURCES: dict[str, str] = {
    "Accept": "pactlab.domain",
    "Action": "pactlab.domain",
    "AgreementRule": "pactlab.domain",
    "BadInput": "pactlab.errors",
    "BooleanIssue": "pactlab.domain",
    "CategoricalIssue": "pactlab.domain",
    "Conflict": "pactlab.errors",
    "Constraint": "pactlab.domain",
    "ConstraintSyntaxError": "pactlab.domain",
    "DisputeTier": "pactlab.domain",
    "Event": "pactlab.workflow",
    "ExternalError": "pactlab.errors",
    "Incomplete": "pactlab.errors",
    "FileError": "pactlab.domain",
    "InternalError": "pactlab.errors",
    "InvalidOffer": "pactlab.domain",
    "Issue": "pactlab.domain",
    "IssueValue": "pactlab.domain",
    "LinearValue": "pactlab.domain",
    "LoadedScenario": "pactlab.domain.catalog",
    "MoveMade": "pactlab.workflow",
    "MoveRecord": "pactlab.domain",
    "NegotiationBusy": "pactlab.workflow",
    "NegotiationFinished": "pactlab.workflow",
    "NegotiationNotFound": "pactlab.workflow",
    "NegotiationState": "pactlab.workflow",
    "Negotiations": "pactlab.workflow",
    "NoForkPoint": "pactlab.workflow",
    "NotFound": "pactlab.errors",
    "NotWaiting": "pactlab.workflow",
    "NumericIssue": "pactlab.domain",
    "OptionValues": "pactlab.domain",
    "OutcomeSpace": "pactlab.domain",
    "PactlabError": "pactlab.errors",
    "Party": "pactlab.domain",
    "Paused": "pactlab.workflow",
    "PeakedValue": "pactlab.domain",
    "PrivateProfile": "pactlab.domain",
    "Problem": "pactlab.domain",
    "Propose": "pactlab.domain",
    "Protocol": "pactlab.domain",
    "RecordError": "pactlab.errors",
    "Reject": "pactlab.domain",
    "RunPaths": "pactlab.app.runs",
    "RunResult": "pactlab.app.runs",
    "RunSpec": "pactlab.workflow",
    "Scenario": "pactlab.domain",
    "Scored": "pactlab.workflow",
    "TermSheet": "pactlab.domain",
    "Turn": "pactlab.domain",
    "UtilityFunction": "pactlab.domain",
    "WaitingForPerson": "pactlab.workflow",
    "WalkAway": "pactlab.domain",
    "build_graph": "pactlab.workflow",
    "load_model": "pactlab.domain",
    "load_scenario": "pactlab.domain.catalog",
    "parse_action": "pactlab.domain",
    "run": "pactlab.app.runs",
    "shipped_scenarios": "pactlab.domain.catalog",
}
"""Each public name and the module it comes from."""

__all__ = [
    "Accept",
    "Action",
    "AgreementRule",
    "BadInput",
    "BooleanIssue",
    "CategoricalIssue",
    "Conflict",
    "Constraint",
    "ConstraintSyntaxError",
    "DisputeTier",
    "Event",
    "ExternalError",
    "FileError",
    "Incomplete",
    "InternalError",
    "InvalidOffer",
    "Issue",
    "IssueValue",
    "LinearValue",
    "LoadedScenario",
    "MoveMade",
    "MoveRecord",
    "NegotiationBusy",
    "NegotiationFinished",
    "NegotiationNotFound",
    "NegotiationState",
    "Negotiations",
    "NoForkPoint",
    "NotFound",
    "NotWaiting",
    "NumericIssue",
    "OptionValues",
    "OutcomeSpace",
    "PactlabError",
    "Party",
    "Paused",
    "PeakedValue",
    "PrivateProfile",
    "Problem",
    "Propose",
    "Protocol",
    "RecordError",
    "Reject",
    "RunPaths",
    "RunResult",
    "RunSpec",
    "Scenario",
    "Scored",
    "TermSheet",
    "Turn",
    "UtilityFunction",
    "WaitingForPerson",
    "WalkAway",
    "__version__",
    "build_graph",
    "load_model",
    "load_scenario",
    "parse_action",
    "run",
    "shipped_scenarios",
]


def __getattr__(name: str) -> Any:
    source = _SOURCES.get(name)
    if source is None:
        raise AttributeError(f"module 'pactlab' has no attribute {name!r}")
    value = getattr(importlib.import_module(source), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
