"""What `pactlab playbook explain` prints: a playbook compiled against its scenario, and why.

Kept apart from the command module so that `pactlab --help` starts without the domain.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
import yaml
from rich.console import Console
from rich.markup import escape

from pactlab.app.cli import exit_codes
from pactlab.domain.catalog import load_scenario
from pactlab.domain.issues import NumericIssue, value_key
from pactlab.domain.loader import FileError, Problem, load_model, locate_problems, read_text
from pactlab.domain.playbook import Playbook
from pactlab.domain.playbook_compiler import OUTSIDE, ClauseExplanation, Compilation, PlaybookError, compile_playbook
from pactlab.domain.scenario import Scenario
from pactlab.domain.yaml_bounds import refusal

console = Console(emoji=False, highlight=False, soft_wrap=True)
errors = Console(emoji=False, stderr=True, highlight=False, soft_wrap=True)

SHOWN_POSITIONS = 13
"""A numeric clause with more grid values shows only its positions, its acceptable edges and the ends."""


def _bad_input(problems: list[Problem]) -> typer.Exit:
    for problem in problems:
        errors.print(f"[bold red]error:[/] {escape(str(problem))}")
    return typer.Exit(exit_codes.BAD_INPUT)


def _is_scenario(path: Path) -> bool:
    """Whether the file looks like a scenario (it has issues and parties) rather than a playbook."""
    try:
        text = read_text(path)
        root = yaml.compose(text, Loader=yaml.SafeLoader) if refusal(text) is None else None  # bounded, as the loader
    except (FileError, yaml.YAMLError, RecursionError):
        return False  # the loader says what is wrong
    keys = (
        {str(k.value) for k, _ in root.value if isinstance(k, yaml.ScalarNode)}
        if isinstance(root, yaml.MappingNode)
        else set()
    )
    return {"issues", "parties"} <= keys


def _scenario_for(playbook: Playbook, path: Path, named: str | None) -> Scenario:
    choice = named or playbook.scenario
    if choice is None:
        raise _bad_input(
            [Problem(str(path), None, None, "", "which scenario? pass --scenario or give the playbook 'scenario:'")]
        )
    beside = path.parent / choice
    try:
        scenario, _ = load_scenario(str(beside) if named is None and beside.is_file() else choice)
    except FileError as exc:
        raise _bad_input(exc.problems) from None
    return scenario


def explain(file: Path, scenario: str | None, party: str | None) -> None:
    """Print the profile a playbook compiles to — weights, values, constraints, reservation value — and why."""
    if _is_scenario(file):
        try:
            loaded = load_model(file, Scenario)
        except FileError as exc:
            raise _bad_input(exc.problems) from None
        chosen = [p for p in loaded.parties if p.playbook is not None and party in (None, p.id)]
        if not chosen:
            which = f"party {party!r}" if party else "no party"
            raise _bad_input([Problem(str(file), None, None, "", f"{which} of {loaded.id!r} uses a playbook")])
        for n, member in enumerate(chosen):
            assert isinstance(member.playbook, Playbook)  # files are read by the loader
            if n:
                console.print()
            _show(loaded, member.id, compile_playbook(member.playbook, loaded.issues), member.playbook)
        return
    try:
        playbook = load_model(file, Playbook)
    except FileError as exc:
        raise _bad_input(exc.problems) from None
    target = _scenario_for(playbook, file, scenario)
    seat = party or playbook.party
    if seat is not None and seat not in target.party_ids:
        message = f"no party {seat!r} in {target.id!r}; parties: {', '.join(target.party_ids)}"
        raise _bad_input([Problem(str(file), None, None, "", message)])
    if party is not None and playbook.party is not None and party != playbook.party:
        message = f"the playbook is written for {playbook.party!r}, not {party!r}"
        raise _bad_input([Problem(str(file), None, None, "", message)])
    try:
        compilation = compile_playbook(playbook, target.issues)
    except PlaybookError as exc:
        raise _bad_input(locate_problems(file, exc.problems)) from None
    _show(target, seat, compilation, playbook)


# -- the explanation ------------------------------------------------------------------------


def _show(scenario: Scenario, party: str | None, compiled: Compilation, playbook: Playbook) -> None:
    who = f"{party} ({scenario.party(party).name})" if party else "an unnamed party"
    console.rule(f"[bold]Playbook of {escape(who)}[/] — scenario {escape(scenario.id)}")
    if playbook.interests:
        console.print(escape(playbook.interests.strip()), style="italic")
    for clause in compiled.clauses:
        console.print()
        _show_clause(scenario, clause)
    unlisted = [i.id for i in scenario.issues if i.id not in {c.issue for c in compiled.clauses}]
    if unlisted:
        console.print()
        console.print(
            f"[bold]Not in the playbook[/] (weight 0: the party is indifferent): {escape(', '.join(unlisted))}"
        )
    console.print()
    console.print("[bold]Walk-away[/]")
    reservation = compiled.reservation
    console.print(f"  reservation value [bold]{reservation.value:.4f}[/]: {escape(reservation.rule)}")
    package = ", ".join(f"{issue}={value_key(v)}" for issue, v in reservation.package.items())
    console.print(f"  the package: {escape(package)}")
    if playbook.walk_away.require is not None:
        rule = playbook.walk_away.require
        of = f"the {rule.of}-priority clauses" if isinstance(rule.of, str) else ", ".join(rule.of)
        shown = compiled.requirement or "(always met: it constrains nothing)"
        console.print(
            f"  require at least {rule.at_least} of {escape(of)} at {rule.at.replace('_', ' ')} or better: "
            f"{escape(shown)}"
        )
    if compiled.extra_constraints:
        console.print("  further hard limits, as written: " + escape("; ".join(compiled.extra_constraints)))
    console.print()
    console.print("[bold]The compiled profile[/] (what `private:` would say):")
    console.print(escape(_profile_yaml(compiled)), markup=True)


def _show_clause(scenario: Scenario, clause: ClauseExplanation) -> None:
    console.print(f"[bold]{escape(clause.issue)}[/] — {escape(clause.label)}")
    console.print(f"  weight {clause.weight:g}, {clause.share:.0%} of the utility: {escape(clause.weight_rule)}")
    if clause.why:
        console.print(f"  why: {escape(clause.why)}")
    console.print(f"  values: {escape(clause.value_rule)}")
    issue = next(i for i in scenario.issues if i.id == clause.issue)
    positions = clause.positions
    if isinstance(issue, NumericIssue) and len(positions) > SHOWN_POSITIONS:
        inside = [float(p.position) for p in positions if p.role not in ("unacceptable", OUTSIDE)]
        edges = {issue.minimum, issue.maximum, min(inside), max(inside)}
        positions = [p for p in positions if p.role not in ("acceptable", OUTSIDE) or float(p.position) in edges]
        console.print(f"  ({len(clause.positions) - len(positions)} more values in between, valued along the line)")
    width = max(len(value_key(p.position)) for p in positions)
    for p in positions:
        console.print(f"    {escape(value_key(p.position)).ljust(width)}  {p.value:.3f}  {p.role}")
    if clause.constraints:
        console.print("  hard constraints: " + escape("; ".join(clause.constraints)))


def _profile_yaml(compiled: Compilation) -> str:
    data: dict[str, Any] = compiled.profile.model_dump(mode="json")
    data["values"] = {
        issue: fn["table"] if isinstance(fn, dict) and fn.get("kind") == "table" else fn
        for issue, fn in data["values"].items()
    }
    if not data.get("interests"):
        data.pop("interests", None)
    text = yaml.safe_dump({"private": data}, sort_keys=False, allow_unicode=True, width=110)
    return "  " + text.replace("\n", "\n  ").rstrip()
