"""Nothing is special about a scenario's ids: rename every issue, option, party, field and tier id
of a shipped scenario, run it through the real CLI, and the run is the same run under new names —
the same moves, the same scorecard numbers, the same term sheet, word for word once the names
are mapped back.

Each scenario runs under its own policy set (fair-and-open) and under `minimal`, with the same
seed, the default strategy agents and the dispute-resolution ladder.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from evals.audit import read_records, verify
from pactlab.app.cli import app
from pactlab.domain.catalog import load_scenario, shipped_scenarios
from tests.renaming import Renaming, renamed

SCENARIOS = sorted(shipped_scenarios())
ANONYMOUS = {"scenario_id", "scenario_title", "negotiation_id"}


def run(scenario_file: Path, out: Path, policies: str) -> Path:
    args = ["run", str(scenario_file), "--seed", "7", "--policies", policies, "-q", "--id", "run", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code in (0, 3), result.output
    run_dir = out / "run"
    assert verify(run_dir / "transcript.jsonl").ok
    return run_dir


def moves(run_dir: Path) -> list[dict[str, Any]]:
    return [r.data for r in read_records(run_dir / "transcript.jsonl") if r.kind == "move"]


def undo(text: str, renaming: Renaming) -> str:
    """`text` under the old names: ids as written, and ids shown to people with spaces for underscores."""
    pairs: dict[str, str] = {}
    for table in (renaming.issues, renaming.parties, renaming.fields, renaming.tiers, *renaming.options.values()):
        pairs.update({new.replace("_", " "): old.replace("_", " ") for old, new in table.items()})
    for shown in sorted(pairs, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(shown)}\b", pairs[shown], text)
    return renaming.undo(text)


def back(value: Any, renaming: Renaming) -> Any:
    """A JSON value with every new name turned back into the old one (keys and strings alike)."""
    return json.loads(undo(json.dumps(value, sort_keys=True), renaming))


@pytest.mark.slow
@pytest.mark.parametrize("policies", ["fair-and-open", "minimal"])
@pytest.mark.parametrize("name", SCENARIOS)
def test_a_renamed_scenario_runs_the_same_run(name: str, policies: str, tmp_path: Path) -> None:
    scenario, source = load_scenario(name)
    other, renaming = renamed(scenario)
    assert set(other.issue_ids).isdisjoint(scenario.issue_ids)
    assert set(other.party_ids).isdisjoint(scenario.party_ids)
    renamed_file = tmp_path / "renamed.yaml"
    renamed_file.write_text(yaml.safe_dump(other.model_dump(mode="json"), sort_keys=False), encoding="utf-8")

    original = run(source, tmp_path / "original", policies)
    again = run(renamed_file, tmp_path / "renamed", policies)

    first, second = moves(original), moves(again)
    assert len(first) == len(second) > 0
    assert back(second, renaming) == json.loads(json.dumps(first, sort_keys=True))

    card = json.loads((original / "scorecard.json").read_text(encoding="utf-8"))
    card_renamed = json.loads((again / "scorecard.json").read_text(encoding="utf-8"))
    for key in ANONYMOUS:
        card.pop(key, None)
        card_renamed.pop(key, None)
    assert back(card_renamed, renaming) == json.loads(json.dumps(card, sort_keys=True))

    if card["outcome"] == "agreement":
        for sheet in ("termsheet.md", "termsheet.html"):
            text = (original / sheet).read_text(encoding="utf-8")
            text_renamed = (again / sheet).read_text(encoding="utf-8")
            text = text.replace(scenario.sha256(), other.sha256())  # the scenario's hash covers its names
            assert undo(text_renamed, renaming) == strip_run_facts(text, original, again, renaming)


def strip_run_facts(text: str, original: Path, again: Path, renaming: Renaming) -> str:
    """The original term sheet as the renamed run would word it: only run facts that are not
    names differ (the audit records' hashes, which cover the renamed data, and their times)."""
    first = {r.seq: r for r in read_records(original / "transcript.jsonl")}
    second = {r.seq: r for r in read_records(again / "transcript.jsonl")}
    for seq, record in first.items():
        digest, other = record.hash, second[seq].hash
        text = text.replace(digest, other).replace(digest[:12], other[:12]).replace(record.ts, second[seq].ts)
    return text
