"""Nothing in policies/ — code or shipped sets — names an issue, option or party of a shipped scenario.

The rules judge clause meaning; a scenario's ids are its own. The words of the clause vocabulary
(licence scopes, disclosure levels, owner kinds, clause kinds...) are meanings, not ids, even where
a shipped scenario happens to use one as an option id too (``under_nda``, ``joint``).
"""

from __future__ import annotations

import re
import typing
from pathlib import Path

import policies
from pactlab.domain import clauses
from pactlab.domain.catalog import load_scenario, shipped_scenarios
from pactlab.domain.issues import CategoricalIssue

POLICIES = Path(policies.__file__).parent


def vocabulary() -> set[str]:
    """Every word the clause model defines as a meaning."""
    words = set(clauses.LICENCE_SCOPES) | set(clauses.DISCLOSURE_LEVELS) | {"non_owner", "all"}
    for alias in (clauses.OwnerKind, clauses.CommercialisationScope, clauses.ClauseKind):
        words |= set(typing.get_args(alias))
    return words


def shipped_ids() -> set[str]:
    ids: set[str] = set()
    for name in shipped_scenarios():
        scenario, _ = load_scenario(name)
        ids |= set(scenario.issue_ids) | set(scenario.party_ids)
        ids |= {o for i in scenario.issues if isinstance(i, CategoricalIssue) for o in i.options}
    return ids - vocabulary()


def test_the_vocabulary_is_not_all_there_is() -> None:
    ids = shipped_ids()
    assert {"foreground_ip", "licence_to_non_owner", "split_by_field", "platform", "supplier"} <= ids
    assert "under_nda" not in ids and "nonexclusive_royalty_free" not in ids


def test_no_shipped_scenario_id_appears_in_policies() -> None:
    files = sorted(p for p in POLICIES.rglob("*") if p.suffix in (".py", ".yaml"))
    assert any(p.suffix == ".yaml" for p in files) and any(p.name == "rules.py" for p in files)
    ids = shipped_ids()
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for word in sorted(ids):
            for match in re.finditer(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", text, re.IGNORECASE):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(POLICIES.parent)}:{line}: {word}")
    assert not found, "\n".join(found)
