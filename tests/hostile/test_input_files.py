"""Issue 13's hostile and careless scenario files: each is refused with exit 2 at file:line, never a hang or traceback.

Each case once hung, ran out of memory or ended in a traceback (the issue names which); now
`pactlab scenario validate` names the file, the line, the field and what is valid.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.hostile.inputs import alias_bomb, assert_bad_input, base_scenario, edited, pactlab, uncertain

HUGE = "100000000000000000000000"  # 10**23: beyond 64 bits

CASES: dict[str, tuple[str | bytes, tuple[str, ...]]] = {
    # once a hang in the loader's construction of every alias
    "alias_bomb": (alias_bomb(), ("aliases are expanded", "PACTLAB_MAX_NODES")),
    # once a hang listing 8e300 values
    "step_1e-300": (edited("maximum: 8\n    step: 2", "maximum: 8\n    step: 1e-300"), ("'royalty_rate'", "8e+300")),
    # once 5.6 GB, then MemoryError
    "maximum_1e9": (
        edited("maximum: 8\n    step: 2", "maximum: 1000000000\n    step: 1"),
        ("'royalty_rate'", "1,000,000,001 values", "PACTLAB_MAX_ISSUE_VALUES"),
    ),
    # every issue within bounds, their product beyond int64 outcome indices
    "outcome_space_product": (
        edited(
            "  - id: use_case_disclosed\n",
            "".join(f"  - {{id: extra_{n}, kind: numeric, minimum: 0, maximum: 99999, step: 1}}\n" for n in range(4))
            + "  - id: use_case_disclosed\n",
        ),
        ("outcome space holds", "'extra_0' 100,000", "more than 1,000,000,000,000,000,000"),
    ),
    # once TypeError: unhashable type
    "complex_key": ("? [a, b]\n: 1\n" + base_scenario(), ("a key must be a plain value",)),
    "complex_key_mapping": (edited("id: two_party_fixture", "id: two_party_fixture\n? {a: 1}\n: 1"), ("plain value",)),
    # once UnicodeDecodeError
    "random_bytes": (b"id: x\n" + random.Random(13).randbytes(4096), ("not UTF-8",)),
    "utf16": (base_scenario().encode("utf-16"), ("UTF-16", "UTF-8")),
    # once RecursionError
    "deep_nesting": ("x: " + "[" * 20_000 + "]" * 20_000 + "\n", ("nested too deeply", "PACTLAB_MAX_DEPTH")),
    "deep_mappings": ("x:\n" + "".join("  " * k + f"k{k}:\n" for k in range(1, 200)), ("nested too deeply",)),
    # once a raw yaml error
    "nul_byte": (edited("title: A small", "title: A\x00small"), ("U+0000",)),
    "unknown_tag_python": (
        edited("title: A small two-party fixture", 'title: !!python/object/apply:os.system ["echo pwned"]'),
        ("not allowed",),
    ),
    "unknown_tag_local": (edited("title: A small", "title: !custom A small"), ("'!custom' is not allowed",)),
    # once OverflowError
    "inf_maximum": (edited("maximum: 8\n", "maximum: .inf\n"), ("issues[1].maximum", "not a finite number")),
    "minus_inf_minimum": (edited("minimum: 0\n    maximum: 8", "minimum: -.inf\n    maximum: 8"), ("finite",)),
    "nan_minimum": (edited("minimum: 0\n    maximum: 8", "minimum: .nan\n    maximum: 8"), ("issues[1].minimum",)),
    "inf_step": (edited("maximum: 8\n    step: 2", "maximum: 8\n    step: .inf"), ("issues[1].step", "finite")),
    # once msgpack TypeError mid-run
    "huge_stall_rounds": (edited("max_rounds: 20\n", f"max_rounds: 20\n  stall_rounds: {HUGE}\n"), ("stall_rounds",)),
    "stall_rounds_beyond_limit": (
        edited("max_rounds: 20\n", "max_rounds: 20\n  stall_rounds: 1000000000000\n"),
        ("protocol.stall_rounds", "10000"),
    ),
    "huge_max_rounds": (edited("max_rounds: 20\n", f"max_rounds: {HUGE}\n"), ("protocol.max_rounds", "64 bits")),
    "huge_tier_rounds": (
        edited("name: Working level", "name: Working level\n    max_rounds: 99999999999"),
        ("dispute_ladder[0].max_rounds",),
    ),
    # once passed validate and failed at run time
    "inf_weight": (
        edited("weights: {foreground_ip: 3,", "weights: {foreground_ip: .inf,"),
        ("parties[0].private.weights.foreground_ip", "finite"),
    ),
    # once ran with NaN utilities (PyYAML reads 1e308 as a string, pydantic as a float)
    "weights_1e308": (
        edited("weights: {foreground_ip: 3, royalty_rate: 2", "weights: {foreground_ip: 1e308, royalty_rate: 1e308"),
        ("parties[0].private.weights.foreground_ip", "too large", "PACTLAB_MAX_MAGNITUDE"),
    ),
    "weights_1.0e+308": (
        edited("weights: {foreground_ip: 3,", "weights: {foreground_ip: 1.0e+308,"),
        ("weights.foreground_ip", "too large"),
    ),
    "reservation_1e300": (
        edited("reservation_value: 0.3\n", "reservation_value: 1.0e+300\n"),
        ("parties[0].private.reservation_value", "too large"),
    ),
    "digits_beyond_python": (edited("max_rounds: 20\n", "max_rounds: " + "9" * 5000 + "\n"), ("cannot read",)),
    "bad_timestamp": (edited("title: A small", "date: 2001-13-45\ntitle: A small"), ("cannot read the value",)),
    # issue 16.6: malformed uncertainty blocks (pactlab.domain.uncertainty)
    "uncertainty_backwards_range": (
        uncertain("reservation_value: [0.7, 0.3]"),
        ("parties[1].uncertainty.reservation_value", "runs backwards", "[0.3, 0.7]"),
    ),
    "uncertainty_range_beyond_1": (
        uncertain("reservation_value: [0.2, 1.5]"),
        ("parties[1].uncertainty.reservation_value", "less than or equal to 1"),
    ),
    "uncertainty_inf_range": (uncertain("reservation_value: [0.2, .inf]"), ("uncertainty.reservation_value",)),
    "uncertainty_unknown_issue": (
        uncertain("weights: {ranges: {price: [1, 2]}}"),
        ("parties[1].uncertainty.weights.ranges.price", "unknown issue 'price'", "foreground_ip"),
    ),
    "uncertainty_unknown_option": (
        uncertain("values: {foreground_ip: {gamma: [0, 1]}}"),
        ("uncertainty.values.foreground_ip.gamma", "unknown option 'gamma'", "valid: alpha, beta, joint"),
    ),
    "uncertainty_two_weight_forms": (
        uncertain("weights: {concentration: 10, dirichlet: {royalty_rate: 2}}"),
        ("parties[1].uncertainty.weights", "exactly one of", "got dirichlet, concentration"),
    ),
    "uncertainty_probabilities": (
        uncertain("strategy: [{spec: boulware, probability: 0.5}, {spec: pareto, probability: 0.3}]"),
        ("parties[1].uncertainty.strategy", "add up to 0.8", "make them add up to 1"),
    ),
    "uncertainty_bad_spec": (
        uncertain("strategy: [{spec: 'boulware(e=', probability: 1}]"),
        ("uncertainty.strategy[0].spec", "cannot read the negotiator spec"),
    ),
    "uncertainty_unknown_key": (
        uncertain("walk_away: [0.2, 0.4]"),
        ("parties[1].uncertainty.walk_away", "unknown field 'walk_away'", "reservation_value"),
    ),
    "uncertainty_negative_weight": (
        uncertain("weights: {ranges: {royalty_rate: [-1, 2]}}"),
        ("uncertainty.weights.ranges.royalty_rate", "greater than or equal to 0"),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_scenario_validate_refuses(case: str, tmp_path: Path) -> None:
    content, expected = CASES[case]
    name = f"{case}.yaml"
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    assert_bad_input(pactlab("scenario", "validate", name, cwd=tmp_path), name, *expected)


def test_a_limit_is_raised_by_its_environment_variable(tmp_path: Path) -> None:
    """The documented way to raise a limit works: the same issue passes with PACTLAB_MAX_ISSUE_VALUES raised."""
    (tmp_path / "wide.yaml").write_text(edited("maximum: 8\n    step: 2", "maximum: 200000\n    step: 2"))
    refused = pactlab("scenario", "validate", "wide.yaml", cwd=tmp_path)
    assert_bad_input(refused, "wide.yaml", "100,001 values")
    allowed = pactlab("scenario", "validate", "wide.yaml", cwd=tmp_path, env={"PACTLAB_MAX_ISSUE_VALUES": "200000"})
    assert allowed.returncode == 0, allowed.stderr


def test_run_refuses_an_alias_bomb_policy_set(tmp_path: Path) -> None:
    (tmp_path / "scenario.yaml").write_text(base_scenario())
    (tmp_path / "bomb.yaml").write_text(alias_bomb())
    result = pactlab("run", "scenario.yaml", "--policies", "bomb.yaml", "--out", tmp_path / "out", cwd=tmp_path)
    assert_bad_input(result, "bomb.yaml", "aliases are expanded")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.jsonl"))


def test_run_refuses_a_seed_beyond_64_bits(tmp_path: Path) -> None:
    """Once a msgpack TypeError mid-run: a --seed the checkpoints cannot hold is bad input before anything runs."""
    (tmp_path / "scenario.yaml").write_text(base_scenario())
    result = pactlab("run", "scenario.yaml", "--seed", "99999999999999999999", "--out", tmp_path / "out", cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 2 and "Traceback" not in output, output
    assert "--seed" in result.stderr and "0 to 9223372036854775807" in result.stderr


def test_the_outcome_space_limit_can_be_lowered(tmp_path: Path) -> None:
    """PACTLAB_MAX_OUTCOMES lowers the outcome-space limit; the refusal names the largest issues and the size."""
    (tmp_path / "scenario.yaml").write_text(base_scenario())
    result = pactlab("scenario", "validate", "scenario.yaml", cwd=tmp_path, env={"PACTLAB_MAX_OUTCOMES": "100"})
    assert_bad_input(result, "scenario.yaml", "120 outcomes, more than 100", "'royalty_rate' 5")


def test_playbook_explain_refuses_an_alias_bomb(tmp_path: Path) -> None:
    """`playbook explain` peeks at the file before loading it; the peek is bounded like the loader."""
    (tmp_path / "bomb.yaml").write_text(alias_bomb())
    assert_bad_input(pactlab("playbook", "explain", "bomb.yaml", cwd=tmp_path), "bomb.yaml", "aliases are expanded")
