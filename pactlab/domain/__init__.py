"""The domain: what a partnership negotiation is, independent of who negotiates it and how it runs.

Issues and their options, preferences and hard constraints, the scenario, the outcome space,
actions, the table and the protocol, the dispute-resolution ladder, and the YAML loader. This
layer imports nothing else of the project (an import-linter contract checks it).
"""

from pactlab.domain.actions import Accept, Action, Propose, Reject, WalkAway, parse_action
from pactlab.domain.constraints import Constraint, ConstraintSyntaxError
from pactlab.domain.issues import BooleanIssue, CategoricalIssue, Issue, IssueValue, NumericIssue
from pactlab.domain.loader import FileError, Problem, load_model
from pactlab.domain.outcome_space import InvalidOffer, OutcomeSpace, TermSheet, UtilityFunction
from pactlab.domain.preferences import LinearValue, OptionValues, PeakedValue, PrivateProfile
from pactlab.domain.scenario import AgreementRule, DisputeTier, Party, Protocol, Scenario
from pactlab.domain.table import MoveRecord, Turn

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
