"""Apply one variant's settings: edit the scenario's dict form, re-validate it, pick policies and negotiators.

An invalid combination (a value of the wrong type, weights that no longer make a profile, a
peak outside an issue's new range) fails the Scenario model's own validation and is reported
as a `SettingError` naming the setting that caused it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from agents.registry import DEFAULT_STRATEGY, STRATEGIES, parse_spec, split_assignment
from pactlab.app.sweeps.paths import Location, PathError, dotted, locate, set_path
from pactlab.domain.scenario import Scenario
from pactlab.errors import BadInput
from policies import PolicySet

POLICIES = "policies"
NEGOTIATORS = "negotiators"
_SPEC_NAME = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)")
_PROVIDER = re.compile(r"\bprovider\s*=\s*['\"]?([A-Za-z0-9_.:/-]+)")

DEFAULT_PROVIDER = "default"
"""The provider of a model-backed spec that names none (its tokens-per-minute key in `limits`)."""

RunKind = Literal["strategy", "llm"]
PolicyResolver = Callable[[str, Scenario], PolicySet]
"""Loads a policy set by name or path and checks it against the scenario (raises ValueError)."""


class SettingError(BadInput, ValueError):
    """A setting that cannot apply; `key` names it (None: the combination as a whole)."""

    def __init__(self, key: str | None, message: str) -> None:
        self.key = key
        super().__init__(message)


class VariantError(BadInput, ValueError):
    """Every problem found with one variant."""

    def __init__(self, errors: list[SettingError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


@dataclass(frozen=True)
class Prepared:
    """What a variant runs with: the edited scenario, each party's negotiator, the policy set."""

    scenario: Scenario
    agents: dict[str, str]
    policies: PolicySet | None
    kind: RunKind
    providers: tuple[str, ...]
    source: str | None = None  # the scenario's file when it is not the sweep's base scenario (a league's)


def check_key(key: str, base: dict[str, Any]) -> None:
    """SettingError unless `key` is `policies`, `negotiators[.PARTY]` or a field path of `base`."""
    if key in (POLICIES, NEGOTIATORS):
        return
    if key.startswith(NEGOTIATORS + "."):
        party = key[len(NEGOTIATORS) + 1 :]
        parties = [p["id"] for p in base["parties"]]
        if party not in parties:
            raise SettingError(key, f"unknown party {party!r}; parties: {', '.join(parties)}")
        return
    try:
        locate(base, key)
    except PathError as exc:
        top_level = key.split(".")[0] not in base
        hint = " (or a setting: 'policies', 'negotiators', 'negotiators.PARTY')" if top_level else ""
        raise SettingError(key, f"{exc}{hint}") from None


def prepare(
    base: Scenario, settings: Mapping[str, Any], policies: PolicyResolver, *, check_specs: bool = True
) -> Prepared:
    """The scenario, negotiators and policy set of one variant; VariantError lists every problem."""
    data = base.model_dump(mode="json")
    written: dict[str, Location] = {}
    errors: list[SettingError] = []
    for key, value in settings.items():
        if key in (POLICIES, NEGOTIATORS) or key.startswith(NEGOTIATORS + "."):
            continue
        try:
            written[key] = set_path(data, key, value)
        except PathError as exc:
            errors.append(SettingError(key, str(exc)))
    scenario, problems = _validated(data, written, settings)
    errors += problems
    agents: dict[str, str] = {}
    try:
        agents = assign_negotiators(base.party_ids, settings, check_specs=check_specs)
    except SettingError as exc:
        errors.append(exc)
    policy_set = None
    if scenario is not None:
        try:
            policy_set = _policy_set(settings.get(POLICIES, "scenario"), scenario, policies)
        except SettingError as exc:
            errors.append(exc)
    if errors or scenario is None:
        raise VariantError(errors)
    kinds = {negotiator_kind(spec) for spec in agents.values()}
    providers = sorted({provider_of(spec) for spec in agents.values() if negotiator_kind(spec) == "llm"})
    return Prepared(scenario, agents, policy_set, "llm" if "llm" in kinds else "strategy", tuple(providers))


def assign_negotiators(parties: list[str], settings: Mapping[str, Any], *, check_specs: bool = True) -> dict[str, str]:
    """Each party's negotiator spec: ``negotiators`` as ``--agent`` forms, then ``negotiators.PARTY``."""
    chosen = dict.fromkeys(parties, DEFAULT_STRATEGY)
    given = settings.get(NEGOTIATORS)
    forms = [given] if isinstance(given, str) else given if given is not None else []
    if not isinstance(forms, list) or not all(isinstance(f, str) for f in forms):
        raise SettingError(NEGOTIATORS, f"give a spec such as 'pareto' or a list like ['lab=boulware'], not {given!r}")
    for form in forms:
        party, spec = split_assignment(form)
        if party is None:
            chosen = dict.fromkeys(parties, _checked(NEGOTIATORS, form, check_specs))
        elif party not in chosen:
            raise SettingError(NEGOTIATORS, f"{form!r}: unknown party {party!r}; parties: {', '.join(parties)}")
        else:
            chosen[party] = _checked(NEGOTIATORS, spec, check_specs)
    for key, spec in settings.items():
        if key.startswith(NEGOTIATORS + "."):
            if not isinstance(spec, str):
                raise SettingError(key, f"give a negotiator spec such as 'boulware' or 'pareto(e=0.5)', not {spec!r}")
            chosen[key[len(NEGOTIATORS) + 1 :]] = _checked(key, spec, check_specs)
    return chosen


def negotiator_kind(spec: str) -> RunKind:
    """``strategy`` for the CPU-bound strategy negotiators; ``llm`` for any other (model-backed) spec."""
    match = _SPEC_NAME.match(spec)
    name = match.group(1).lower() if match else ""
    return "strategy" if name in STRATEGIES and not name.startswith("llm") else "llm"


def provider_of(spec: str) -> str:
    """The provider a model-backed spec names (``provider=...``), else ``default``."""
    named = _PROVIDER.search(spec)
    return named.group(1) if named else DEFAULT_PROVIDER


def _checked(key: str, spec: str, check: bool) -> str:
    if check:
        try:
            parse_spec(spec)
        except ValueError as exc:
            raise SettingError(key, str(exc)) from None
    return spec


def _validated(
    data: dict[str, Any], written: Mapping[str, Location], settings: Mapping[str, Any]
) -> tuple[Scenario | None, list[SettingError]]:
    """The edited scenario, or None and a SettingError per validation error (blamed on its setting)."""
    try:
        return Scenario.model_validate(data), []
    except ValidationError as exc:
        errors = []
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if isinstance(p, (str, int)))
            key = _culprit(loc, written)
            message = str(error["msg"]).removeprefix("Value error, ")
            shown = ", ".join(f"{k} = {settings[k]!r}" for k in ([key] if key is not None else written))
            errors.append(SettingError(key, f"with {shown} the scenario does not validate: {dotted(loc)}: {message}"))
        return None, errors


def _culprit(loc: Location, written: Mapping[str, Location]) -> str | None:
    """The setting to blame: the most specific one whose field the error is at, inside or above;
    else the only field setting there is; else None (the combination)."""
    best: tuple[int, str] | None = None
    for key, path in written.items():
        n = min(len(path), len(loc))
        if path[:n] == loc[:n] and (best is None or len(path) > best[0]):
            best = (len(path), key)
    if best is None and len(written) == 1:
        return next(iter(written))
    return None if best is None else best[1]


def _policy_set(choice: Any, scenario: Scenario, resolve: PolicyResolver) -> PolicySet | None:
    if choice is None or choice == "none":
        return None
    if not isinstance(choice, str):
        raise SettingError(POLICIES, f"give a policy set's name or file, or 'none', not {choice!r}")
    name = scenario.policy_set if choice == "scenario" else choice
    if name is None:
        return None
    try:
        return resolve(name, scenario)
    except ValueError as exc:
        raise SettingError(POLICIES, f"policy set {name!r}: {exc}") from None
