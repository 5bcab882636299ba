"""Bad sweep files fail before anything runs, naming file:line:column and what is valid."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pactlab.app.cli import app, exit_codes
from pactlab.app.sweeps import load_sweep
from pactlab.domain.loader import FileError
from tests.sweeps.conftest import WriteSweep

SHIPPED = Path(__file__).resolve().parents[2] / "sweeps"


def problems(path: Path) -> list[str]:
    with pytest.raises(FileError) as caught:
        load_sweep(path)
    return [str(p) for p in caught.value.problems]


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_unknown_field_path_lists_the_valid_keys(write_sweep: WriteSweep) -> None:
    path = write_sweep(
        """\
        name: bad
        scenario: platform_material
        grid:
          parties.supplier.private.reservation_valu: [0.4, 0.5]
          issues.royalty_rate.max: [6, 8]
          parties.lab.private.reservation_value: [0.4]
        """
    )
    found = problems(path)
    assert len(found) == 3
    rv, royalty, lab = found
    assert rv.startswith(f"{path}:{line_of(path, 'reservation_valu:')}:")
    assert "no field 'reservation_valu' (did you mean 'reservation_value'?)" in rv
    assert "valid: weights, values, reservation_value, constraints, interests" in rv
    assert "issues.royalty_rate has no field 'max' (did you mean 'maximum'?)" in royalty
    assert "minimum, maximum, step" in royalty
    assert "parties has no item 'lab'; valid: platform, supplier" in lab


def test_value_of_the_wrong_type_is_located_at_the_value(write_sweep: WriteSweep) -> None:
    path = write_sweep(
        """\
        name: bad
        scenario: platform_material
        grid:
          protocol.max_rounds: [20, twenty]
          parties.supplier.private.reservation_value: [0.4, 1.5]
        """
    )
    rounds, reservation = problems(path)
    line = line_of(path, "protocol.max_rounds")
    assert rounds.startswith(f"{path}:{line}:")
    assert "grid.protocol.max_rounds[1]" in rounds and "'twenty'" in rounds and "valid integer" in rounds
    assert "reservation_value[1]" in reservation and "less than or equal to 1" in reservation


@pytest.mark.parametrize(
    ("design", "message"),
    [
        ("grid: {}", "empty grid: give at least one setting with values to vary"),
        ("grid:\n  protocol.max_rounds: []", "no values"),
        ("grid:\n  protocol.max_rounds: 20", "20 is a single value; give a list of values"),
        ("grid:\n  protocol.max_rounds: {min: 10, max: 30}", "a grid range needs a step"),
        ("variants: []", "empty list of variants"),
        ("random: {n: 3, vary: {}}", "empty random design"),
        ("grid: {protocol.max_rounds: [20]}\nvariants: [{policies: minimal}]", "one design, not grid and variants"),
        ("variants:\n  - {policies: minimal}\n  - {policies: minimal}", "repeats variant 0"),
        ("fixed: {policies: minimal}\ngrid: {policies: [minimal]}", "set under 'fixed' too"),
        ("seeds: 3", "give a list of seeds, e.g. [3], or {count: 3}"),
    ],
)
def test_bad_designs(write_sweep: WriteSweep, design: str, message: str) -> None:
    path = write_sweep(f"name: bad\nscenario: platform_material\n{design}\n")
    found = problems(path)
    assert any(message in p for p in found), found
    assert all(p.startswith(f"{path}:") for p in found)


def test_unknown_negotiator_policy_set_party_and_scenario(write_sweep: WriteSweep) -> None:
    path = write_sweep(
        """\
        name: bad
        scenario: platform_material
        variants:
          - {negotiators: boulwar}
          - {negotiators: ["lab=boulware"]}
          - {policies: strict}
        """
    )
    found = "\n".join(problems(path))
    assert "variants[0].negotiators: unknown strategy 'boulwar'; valid strategies: boulware" in found
    assert "unknown party 'lab'; parties: platform, supplier" in found
    assert "variants[2].policies: policy set 'strict'" in found and "shipped: fair-and-open, minimal" in found
    party = write_sweep("name: bad\nscenario: platform_material\nfixed: {negotiators.lab: pareto}\n", "p_sweep.yaml")
    (problem,) = problems(party)
    assert problem.startswith(f"{party}:3:") and "fixed.negotiators.lab: unknown party 'lab'" in problem
    missing = write_sweep("name: bad\nscenario: nowhere\n", "missing_sweep.yaml")
    (problem,) = problems(missing)
    assert problem.startswith(f"{missing}:2:11: scenario:")
    assert "not a shipped scenario (shipped: " in problem and "boost_converter" in problem


def test_an_invalid_combination_is_blamed_on_its_setting(write_sweep: WriteSweep) -> None:
    path = write_sweep(
        """\
        name: bad
        scenario: platform_material
        variants:
          - issues.royalty_rate.maximum: 5
        """
    )
    (problem,) = problems(path)
    # The supplier's royalty value function peaks at 6, outside the new range 0..5.
    assert "variants[0].issues.royalty_rate.maximum" in problem
    assert "peak 6.0 lies outside 'royalty_rate''s range 0.0..5.0" in problem


def test_cli_reports_problems_and_runs_nothing(write_sweep: WriteSweep, tmp_path: Path) -> None:
    path = write_sweep("name: bad\nscenario: platform_material\ngrid:\n  protocol.max_round: [10]\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["explore", str(path), "--out", str(out)])
    assert result.exit_code == exit_codes.BAD_INPUT
    assert f"{path}:4:" in result.output and "did you mean 'max_rounds'" in result.output
    assert not out.exists()


def test_shipped_sweeps_load() -> None:
    files = sorted(SHIPPED.glob("*.yaml"))
    assert len(files) >= 2 and all("sweep" in f.name for f in files)
    strategy = load_sweep(SHIPPED / "platform_material_sweep.yaml")
    assert len(strategy.runs) == 72 and {p.kind for p in strategy.prepared.values()} == {"strategy"}
    # The LLM example's structure validates without asking the registry about `llm`.
    llm = load_sweep(SHIPPED / "llm_vs_strategies_sweep.yaml", check_specs=False)
    kinds = [llm.prepared[v.sha256].kind for v in llm.variants]
    assert kinds.count("llm") == 4 and kinds.count("strategy") == 2
    assert len(llm.runs) == 6 * 3 * 2


def test_dry_run_lists_the_variants_and_runs_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    sweep = SHIPPED / "platform_material_sweep.yaml"
    result = CliRunner().invoke(app, ["explore", str(sweep), "--out", str(out), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "24 variant(s) (grid) × 3 seed(s) × 1 repetition(s) = 72 runs (strategy)" in result.output
    assert result.output.count("negotiators.platform=") == 24
    assert not out.exists()
