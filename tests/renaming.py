"""Rename every id of a scenario consistently: issues, options, parties, fields and ladder tiers.

Nothing is special about a scenario's ids (DESIGN.md): policies and term sheets work from what
the clauses mean, so a scenario whose every id is renamed must be judged, negotiated and scored
exactly like the original, up to the names. This helper makes the renamed scenario for such
tests. It works on the parsed file (a dict as ``yaml.safe_load`` gives it) or on
``Scenario.model_dump(mode="json")``, and renames everywhere an id is referenced:

- issues: ids, categorical options, the clause (option keys, ``of``, ``dependent_terms``,
  every party reference, owners, ``fields`` maps, shares, dispute-route tiers);
- parties: ids, ``fields``, the keys of ``weights`` and ``values`` and of each value table,
  and the hard constraints' text (issue ids and option values); an ``uncertainty`` block's issue
  and option keys;
- the protocol's opener and agreement veto; the dispute ladder's tier ids (a tier whose kind
  came from its id gets the kind written out, so renaming it keeps its kind).

Free text (titles, descriptions, interests, issue names) is left alone. `Renaming` maps term
sheets forward and turns the new names in a text (a verdict's reason, a constraint) back into
the old ones, for comparing what the rules say about the original and the renamed scenario.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pactlab.domain.issues import IssueValue
from pactlab.domain.scenario import DEFAULT_MANDATES, Scenario

OWNER_KINDS = ("joint", "by_field", "inventor")
LICENSEES = ("non_owner", "all")
PARTY_REFS = ("customer", "beneficiary", "payer", "bearer", "rest_borne_by", "discloser", "publisher")
PARTY_LISTS = ("holders", "grantors", "payees")
_CONSTRAINT_TOKEN = re.compile(r"'[^']*'|\"[^\"]*\"|[A-Za-z_][A-Za-z0-9_\-]*")
_NAME = re.compile(r"[A-Za-z0-9_]+")


@dataclass(frozen=True)
class Renaming:
    """Old id -> new id, for each kind of id; `options` per (old) issue id."""

    issues: dict[str, str]
    options: dict[str, dict[str, str]]
    parties: dict[str, str]
    fields: dict[str, str]
    tiers: dict[str, str]

    def party(self, old: str) -> str:
        return self.parties.get(old, old)

    def option(self, issue: str, value: IssueValue) -> IssueValue:
        """An issue's value under the new names (numbers and yes/no values stay as they are)."""
        if isinstance(value, str):
            return self.options.get(issue, {}).get(value, value)
        return value

    def terms(self, terms: Mapping[str, IssueValue]) -> dict[str, IssueValue]:
        """A term sheet under the new names."""
        return {self.issues.get(i, i): self.option(i, v) for i, v in terms.items()}

    def undo(self, text: str) -> str:
        """`text` with every new name turned back into the old one (new names are unique, so this is exact)."""
        back: dict[str, str] = {}
        for table in (self.issues, self.parties, self.fields, self.tiers, *self.options.values()):
            back.update({new: old for old, new in table.items()})
        return _NAME.sub(lambda m: back.get(m.group(0), m.group(0)), text)


def renaming_for(data: Mapping[str, Any], prefix: str = "r") -> Renaming:
    """New names for every id in a scenario's data: ``{prefix}_term_N``, ``{prefix}_opt_N_M``, ``{prefix}_org_N``...

    The new names are opaque and sort differently from the old ones, so an order that leaned on
    the names would show.
    """
    issues = list(data["issues"])
    parties = list(data["parties"])
    count = len(issues)
    return Renaming(
        issues={i["id"]: f"{prefix}_term_{count - n}" for n, i in enumerate(issues)},
        options={
            i["id"]: {o: f"{prefix}_opt_{count - n}_{m}" for m, o in enumerate(i.get("options") or [])}
            for n, i in enumerate(issues)
            if i.get("kind", "categorical") == "categorical"
        },
        parties={p["id"]: f"{prefix}_org_{len(parties) - n}" for n, p in enumerate(parties)},
        fields={
            f: f"{prefix}_field_{n}_{m}" for n, p in enumerate(parties) for m, f in enumerate(p.get("fields") or [])
        },
        tiers={t["id"]: f"{prefix}_tier_{n}" for n, t in enumerate(data.get("dispute_ladder") or [])},
    )


def rename_constraint(text: str, renaming: Renaming) -> str:
    """A hard constraint's text under the new names: issue ids, and option values of the issue they follow."""
    expect_issue = True
    issue = ""

    def swap(match: re.Match[str]) -> str:
        nonlocal expect_issue, issue
        token = match.group(0)
        if token in ("if", "then", "and", "or"):
            expect_issue = True
            return token
        if expect_issue:
            expect_issue, issue = False, token
            return renaming.issues.get(token, token)
        if token in ("in", "not"):
            return token
        if token[0] in "'\"":
            return f"{token[0]}{renaming.option(issue, token[1:-1])}{token[0]}"
        return str(renaming.option(issue, token))

    return _CONSTRAINT_TOKEN.sub(swap, text)


def _clause(clause: dict[str, Any], issue: str, r: Renaming) -> dict[str, Any]:
    out = dict(clause)
    for key in PARTY_REFS:
        if isinstance(out.get(key), str):
            out[key] = r.party(out[key])
    for key in PARTY_LISTS:
        if isinstance(out.get(key), list):
            out[key] = [r.party(p) for p in out[key]]
    if isinstance(out.get("to"), str) and out["to"] not in LICENSEES:
        out["to"] = r.party(out["to"])
    if isinstance(out.get("of"), str):
        out["of"] = r.issues.get(out["of"], out["of"])
    if isinstance(out.get("dependent_terms"), list):
        out["dependent_terms"] = [r.issues.get(i, i) for i in out["dependent_terms"]]
    if isinstance(out.get("options"), dict):
        out["options"] = {
            (r.option(issue, k) if isinstance(k, str) else k): _meaning(m, r) for k, m in out["options"].items()
        }
    return out


def _meaning(meaning: Any, r: Renaming) -> Any:
    if not isinstance(meaning, dict):
        return meaning
    out = dict(meaning)
    if isinstance(out.get("owner"), str) and out["owner"] not in OWNER_KINDS:
        out["owner"] = r.party(out["owner"])
    if isinstance(out.get("fields"), dict):
        out["fields"] = {r.fields.get(f, f): r.party(p) for f, p in out["fields"].items()}
    if isinstance(out.get("shares"), dict):
        out["shares"] = {r.party(p): s for p, s in out["shares"].items()}
    if isinstance(out.get("tiers"), list):
        out["tiers"] = [r.tiers.get(t, t) for t in out["tiers"]]
    return out


def _values(issue: str, fn: Any, r: Renaming) -> Any:
    if not isinstance(fn, dict) or "linear" in fn or "peak" in fn:
        return fn
    if "table" in fn and isinstance(fn["table"], dict):
        return {**fn, "table": {(r.option(issue, k) if isinstance(k, str) else k): v for k, v in fn["table"].items()}}
    return {(r.option(issue, k) if isinstance(k, str) else k): v for k, v in fn.items()}


def _party(party: dict[str, Any], r: Renaming) -> dict[str, Any]:
    out = dict(party, id=r.party(party["id"]))
    if "fields" in out:
        out["fields"] = [r.fields.get(f, f) for f in out["fields"]]
    private = dict(out["private"])
    private["weights"] = {r.issues.get(i, i): w for i, w in private["weights"].items()}
    private["values"] = {r.issues.get(i, i): _values(i, fn, r) for i, fn in private["values"].items()}
    if "constraints" in private:
        private["constraints"] = [rename_constraint(str(c), r) for c in private["constraints"]]
    out["private"] = private
    if isinstance(out.get("uncertainty"), dict):
        out["uncertainty"] = _uncertainty(out["uncertainty"], r)
    return out


def _uncertainty(block: dict[str, Any], r: Renaming) -> dict[str, Any]:
    """An uncertainty block (pactlab.domain.uncertainty) under the new names: issue keys and option keys."""
    out = dict(block)
    weights = dict(out.get("weights") or {})
    for form in ("ranges", "dirichlet"):
        if isinstance(weights.get(form), dict):
            weights[form] = {r.issues.get(i, i): w for i, w in weights[form].items()}
    if isinstance(weights.get("alternatives"), list):
        weights["alternatives"] = [
            {**a, "weights": {r.issues.get(i, i): w for i, w in a["weights"].items()}} for a in weights["alternatives"]
        ]
    if out.get("weights") is not None:
        out["weights"] = weights
    if isinstance(out.get("values"), dict):
        out["values"] = {
            r.issues.get(i, i): {(r.option(i, k) if isinstance(k, str) else k): v for k, v in opts.items()}
            for i, opts in out["values"].items()
        }
    return out


def rename_scenario(data: Mapping[str, Any], renaming: Renaming) -> dict[str, Any]:
    """A renamed deep copy of a scenario's data (see the module docstring for what is renamed)."""
    r = renaming
    out = copy.deepcopy(dict(data))
    issues = []
    for issue in out["issues"]:
        old = issue["id"]
        renamed = dict(issue, id=r.issues[old])
        if isinstance(issue.get("options"), list):
            renamed["options"] = [r.option(old, o) for o in issue["options"]]
        if isinstance(issue.get("clause"), dict):
            renamed["clause"] = _clause(issue["clause"], old, r)
        issues.append(renamed)
    out["issues"] = issues
    out["parties"] = [_party(p, r) for p in out["parties"]]
    protocol = dict(out.get("protocol") or {})
    if isinstance(protocol.get("opener"), str):
        protocol["opener"] = r.party(protocol["opener"])
    if isinstance(protocol.get("agreement"), dict) and protocol["agreement"].get("veto"):
        protocol["agreement"] = {**protocol["agreement"], "veto": [r.party(p) for p in protocol["agreement"]["veto"]]}
    if protocol:
        out["protocol"] = protocol
    ladder = []
    for tier in out.get("dispute_ladder") or []:
        kind = tier.get("kind") or (tier["id"] if tier["id"] in DEFAULT_MANDATES else None)
        ladder.append(dict(tier, id=r.tiers[tier["id"]], **({"kind": kind} if kind else {})))
    if ladder:
        out["dispute_ladder"] = ladder
    return out


def renamed(scenario: Scenario | Mapping[str, Any], prefix: str = "r") -> tuple[Scenario, Renaming]:
    """The scenario with every id renamed, validated again, and the renaming used."""
    data = scenario.model_dump(mode="json") if isinstance(scenario, Scenario) else scenario
    renaming = renaming_for(data, prefix)
    return Scenario.model_validate(rename_scenario(data, renaming)), renaming
