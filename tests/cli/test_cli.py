"""The `pactlab` command as a user runs it: outputs, error messages and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pactlab.app.cli import app, exit_codes

FIXTURES = Path(__file__).parent.parent / "fixtures"
runner = CliRunner()


def pactlab(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pactlab", *args], capture_output=True, text=True, timeout=300, cwd=cwd
    )


def test_shipped_scenarios_validate() -> None:
    result = runner.invoke(app, ["scenario", "validate", "platform_material", "boost_converter", "ecosystem"])
    assert result.exit_code == 0, result.output
    assert result.output.count("ok ") == 3


def test_bad_scenario_exits_2_with_file_line_and_field(tmp_path: Path) -> None:
    text = (FIXTURES / "two_party.yaml").read_text().replace("step: 2\n", "step: two\n", 1)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    result = pactlab("scenario", "validate", str(bad))
    assert result.returncode == exit_codes.BAD_INPUT
    line = text.splitlines().index("    step: two") + 1
    assert f"{bad}:{line}:" in result.stderr
    assert "issues[1].step" in result.stderr
    assert "Traceback" not in result.stderr
    run = pactlab("run", str(bad), "--out", str(tmp_path))
    assert run.returncode == exit_codes.BAD_INPUT
    assert "issues[1].step" in run.stderr and "Traceback" not in run.stderr


def test_unknown_scenario_name_lists_the_shipped_ones(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "no_such_scenario", "--out", str(tmp_path)])
    assert result.exit_code == exit_codes.BAD_INPUT
    assert "ecosystem" in result.output


def test_schema_is_json_schema_of_a_scenario(tmp_path: Path) -> None:
    result = runner.invoke(app, ["scenario", "schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert {"issues", "parties", "protocol"} <= set(schema["properties"])
    target = tmp_path / "scenario.schema.json"
    assert runner.invoke(app, ["scenario", "schema", "--out", str(target)]).exit_code == 0
    assert json.loads(target.read_text()) == schema


@pytest.mark.parametrize(
    ("agent", "message"),
    [
        ("platform=telepathy", "boulware"),
        ("nobody=boulware", "unknown party 'nobody'"),
        ("boulware(e=-1)", "boulware(e=-1)"),
    ],
)
def test_bad_agent_option_exits_2(agent: str, message: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "platform_material", "--agent", agent, "--out", str(tmp_path)])
    assert result.exit_code == exit_codes.BAD_INPUT, result.output
    assert message in result.output


def test_run_prints_moves_and_scorecard_and_writes_outputs(tmp_path: Path) -> None:
    result = pactlab(
        "run",
        "platform_material",
        "--seed",
        "4",
        "--id",
        "demo",
        "--out",
        str(tmp_path),
        "--agent",
        "platform=boulware",
        "--agent",
        "supplier=conceder",
    )
    assert result.returncode in (exit_codes.AGREEMENT, exit_codes.NO_AGREEMENT), result.stderr
    assert "proposes" in result.stdout
    assert "Nash product / Nash bargaining solution" in result.stdout
    card = json.loads((tmp_path / "demo" / "scorecard.json").read_text())
    assert card["negotiation_id"] == "demo"
    expected = exit_codes.AGREEMENT if card["outcome"] == "agreement" else exit_codes.NO_AGREEMENT
    assert result.returncode == expected
    assert (tmp_path / "demo" / "scorecard.md").read_text().strip()
    assert (tmp_path / "demo" / "utility_space.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_agent_option_with_parameters_for_all_or_one_party(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "run",
            "boost_converter",
            "-q",
            "--out",
            str(tmp_path),
            "--id",
            "p",
            "--agent",
            "pareto(e=1)",
            "--agent",
            "vendor=boulware(e=0.3)",
        ],
    )
    assert result.exit_code in (exit_codes.AGREEMENT, exit_codes.NO_AGREEMENT), result.output
    assert "pareto(e=1)" in result.output and "boulware(e=0.3)" in result.output


def test_strategies_are_listed() -> None:
    result = runner.invoke(app, ["strategies"])
    assert result.exit_code == 0
    for name in ("boulware", "conceder", "linear", "tit_for_tat", "pareto"):
        assert name in result.output
