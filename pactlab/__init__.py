"""pactlab: AI agents negotiate the IP and risk terms of innovation partnerships.

The domain model lives here; `agents`, `policies` and `evals` build on it.
"""

from pactlab.actions import Accept, Action, Propose, Reject, WalkAway, parse_action
from pactlab.constraints import Constraint, ConstraintSyntaxError
from pactlab.issues import BooleanIssue, CategoricalIssue, Issue, IssueValue, NumericIssue
from pactlab.loader import FileError, Problem, load_model
from pactlab.outcome_space import InvalidOffer, OutcomeSpace, TermSheet, UtilityFunction
from pactlab.preferences import LinearValue, OptionValues, PeakedValue, PrivateProfile
from pactlab.scenario import AgreementRule, DisputeTier, Party, Protocol, Scenario
from pactlab.table import MoveRecord, Turn

__version__ = "0.1.0"

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
    "load_model",
    "parse_action",
]
