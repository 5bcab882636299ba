"""pactlab: AI agents negotiate the IP and risk terms of innovation partnerships.

The domain model (`pactlab.domain`) is the bottom layer; `agents`, `policies` and `evals` build
on it, `pactlab.workflow` wires them together, and `pactlab.app` holds the front ends.
"""

from pactlab.domain.actions import Accept, Action, Propose, Reject, WalkAway, parse_action
from pactlab.domain.constraints import Constraint, ConstraintSyntaxError
from pactlab.domain.issues import BooleanIssue, CategoricalIssue, Issue, IssueValue, NumericIssue
from pactlab.domain.loader import FileError, Problem, load_model
from pactlab.domain.outcome_space import InvalidOffer, OutcomeSpace, TermSheet, UtilityFunction
from pactlab.domain.preferences import LinearValue, OptionValues, PeakedValue, PrivateProfile
from pactlab.domain.scenario import AgreementRule, DisputeTier, Party, Protocol, Scenario
from pactlab.domain.table import MoveRecord, Turn
from pactlab.version import __version__

__all__ = [
    "Accept",
    "Action",
    "AgreementRule",
    "BooleanIssue",
    "CategoricalIssue",
    "Constraint",
    "ConstraintSyntaxError",
    "DisputeTier",
    "FileError",
    "InvalidOffer",
    "Issue",
    "IssueValue",
    "LinearValue",
    "MoveRecord",
    "NumericIssue",
    "OptionValues",
    "OutcomeSpace",
    "Party",
    "PeakedValue",
    "PrivateProfile",
    "Problem",
    "Propose",
    "Protocol",
    "Reject",
    "Scenario",
    "TermSheet",
    "Turn",
    "UtilityFunction",
    "WalkAway",
    "__version__",
    "load_model",
    "parse_action",
]
