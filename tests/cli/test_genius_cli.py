"""`pactlab scenario import|export genius` as a user runs them: the imported scenario runs and is evaluated."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pactlab.app.cli import app, exit_codes

GENIUS = Path(__file__).parent.parent / "fixtures" / "genius"
PARTY = [
    str(GENIUS / "party" / "party_domain.xml"),
    *(str(GENIUS / "party" / f"party{n}_utility.xml") for n in (1, 2, 3)),
]
SUPPLY = [str(GENIUS / "supply" / n) for n in ("supply-domain.xml", "buyer.xml", "seller.xml")]
runner = CliRunner()


def pactlab(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pactlab", *args], capture_output=True, text=True, timeout=300)


def test_imported_party_domain_runs_end_to_end_and_is_evaluated(tmp_path: Path) -> None:
    imported = tmp_path / "party.yaml"
    done = pactlab("scenario", "import", "genius", *PARTY, "--out", str(imported), "--rounds", "20")
    assert done.returncode == 0, done.stderr
    assert "note: party2_utility.xml: discount factor 0.9 ignored" in done.stderr
    assert runner.invoke(app, ["scenario", "validate", str(imported)]).exit_code == 0
    run = pactlab("run", str(imported), "--policies", "none", "--out", str(tmp_path / "runs"), "-q")
    assert run.returncode in (exit_codes.AGREEMENT, exit_codes.NO_AGREEMENT), run.stderr
    [scorecard] = (tmp_path / "runs").glob("*/scorecard.json")
    card = json.loads(scorecard.read_text())
    assert card["scenario_id"] == "party"
    assert card["outcome_space_size"] == 4 * 3 * 3 * 3 * 2
    assert card["frontier_size"] > 0


def test_export_then_import_gives_the_same_scenario(tmp_path: Path) -> None:
    first = tmp_path / "supply.yaml"
    assert runner.invoke(app, ["scenario", "import", "genius", *SUPPLY, "--out", str(first)]).exit_code == 0
    out = tmp_path / "genius"
    exported = runner.invoke(app, ["scenario", "export", "genius", str(first), str(out)])
    assert exported.exit_code == 0, exported.output
    assert sorted(p.name for p in out.iterdir()) == ["buyer.xml", "seller.xml", "supply-domain.xml"]
    again = runner.invoke(app, ["scenario", "export", "genius", str(first), str(out)])
    assert again.exit_code == exit_codes.BAD_INPUT and "--force" in again.output
    back = runner.invoke(
        app,
        [
            "scenario",
            "import",
            "genius",
            str(out / "supply-domain.xml"),
            str(out / "buyer.xml"),
            str(out / "seller.xml"),
        ],
    )
    assert back.exit_code == 0
    assert "id: supply" in back.stdout and "Unit_price" in back.stdout


def test_a_shipped_scenario_exports_with_notes(tmp_path: Path) -> None:
    result = runner.invoke(app, ["scenario", "export", "genius", "platform_material", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "hard constraint(s) left out" in result.output
    assert (tmp_path / "platform_material-domain.xml").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            "<negotiation_template>&b;</negotiation_template>",
            "refused: the file declares a DTD or entities",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            "<negotiation_template>&e;</negotiation_template>",
            "refused: the file declares a DTD or entities",
        ),
        ("<negotiation_template><utility_space>", "not well-formed XML"),
    ],
    ids=["entity-expansion", "external-entity", "malformed"],
)
def test_hostile_xml_exits_2_with_a_clear_message(text: str, message: str, tmp_path: Path) -> None:
    domain = tmp_path / "hostile.xml"
    domain.write_text(text)
    done = pactlab("scenario", "import", "genius", str(domain), *PARTY[1:3])
    assert done.returncode == exit_codes.BAD_INPUT
    assert f"error: {domain}:1:" in done.stderr and message in done.stderr
    assert "Traceback" not in done.stderr and "root:" not in done.stderr
