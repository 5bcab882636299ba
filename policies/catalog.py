"""Find policy sets by the name of a shipped set (``fair-and-open``, ``minimal``) or by path."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pactlab.domain.catalog import resolve_file, shipped_files
from pactlab.domain.loader import FileError, Problem, load_model, locate_problems
from pactlab.domain.scenario import Scenario
from policies.model import PolicySet

SHIPPED_POLICY_SETS = Path(str(resources.files("policies") / "sets"))


def shipped_policy_sets() -> dict[str, Path]:
    """Shipped policy-set names (file stems) and their paths."""
    return shipped_files(SHIPPED_POLICY_SETS)


def resolve_policy_set(name_or_path: str | Path) -> Path:
    """A policy-set file from a path, or from the name of a shipped set."""
    return resolve_file(name_or_path, SHIPPED_POLICY_SETS, "policy set")


def load_policy_set(name_or_path: str | Path, scenario: Scenario | None = None) -> tuple[PolicySet, Path]:
    """Load and validate a policy set; with `scenario`, also check that its parameters fit it.

    Raises FileError naming file, line and field of every problem.
    """
    path = resolve_policy_set(name_or_path)
    policy_set = load_model(path, PolicySet)
    if scenario is not None:
        problems = policy_problems(policy_set, path, scenario)
        if problems:
            raise FileError(problems)
    return policy_set, path


def policy_problems(policy_set: PolicySet, path: Path, scenario: Scenario) -> list[Problem]:
    """`policy_set.check_against(scenario)`, each problem located at its line in the file."""
    found = policy_set.check_against(scenario)
    return locate_problems(path, found) if found else []
