"""Issue 13's hostile sweep and league files: sized before anything expands, refused with exit 2 at file:line.

Grids of 1000×1000 values, `random.n: 100000` and `seeds: {count: 100000}` × `repetitions: 1000`
once hung `pactlab explore`; seeds beyond 64 bits once ended in SQLite's OverflowError in the
sweep store. `--dry-run` would expand the design, so it is what these tests call.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pactlab.app.sweeps.model import Sweep
from pactlab.app.sweeps.plan import PlanError, design_size, variants
from pactlab.domain.limits import MAX_VARIANTS, SEED_MAX
from tests.hostile.inputs import alias_bomb, assert_bad_input, base_scenario, pactlab

HEAD = "name: hostile\nscenario: scenario.yaml\n"

SWEEPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "grid_1000x1000": (
        HEAD + "grid:\n"
        "  protocol.max_rounds: {min: 1, max: 1000, step: 1}\n"
        "  parties.alpha.private.weights.royalty_rate: {min: 1, max: 1000, step: 1}\n",
        ("1,000,000 variants", "PACTLAB_MAX_VARIANTS"),
    ),
    "grid_listed_values": (
        HEAD + "grid:\n  protocol.max_rounds: [" + ", ".join(map(str, range(1, 1001))) + "]\n"
        "  parties.alpha.private.weights.royalty_rate: [" + ", ".join(map(str, range(1, 1001))) + "]\n",
        ("1,000,000 variants",),
    ),
    "random_n_100000": (
        HEAD + "random:\n  n: 100000\n  vary:\n    parties.alpha.private.reservation_value: {min: 0.1, max: 0.5}\n",
        ("100,000 variants",),
    ),
    "seeds_times_repetitions": (
        HEAD + "seeds: {count: 100000}\nrepetitions: 1000\n",
        ("100,000,000 runs", "PACTLAB_MAX_RUNS"),
    ),
    "range_step_1e-300": (
        HEAD + "grid:\n  parties.alpha.private.reservation_value: {min: 0, max: 1, step: 1e-300}\n",
        ("the range takes 1e+300 values",),
    ),
    "huge_seed": (HEAD + "seeds: [99999999999999999999]\n", ("seeds", "64 bits")),
    "seed_beyond_store": (HEAD + "seeds: [9223372036854775808]\n", ("seeds",)),
    "negative_seed": (HEAD + "seeds: [-1]\n", ("seeds[0]",)),
    "seed_range_past_max": (HEAD + f"seeds: {{count: 2, start: {SEED_MAX}}}\n", ("lower 'start'",)),
    "huge_random_seed": (
        HEAD + "random:\n  n: 2\n  seed: 99999999999999999999\n  vary:\n    protocol.max_rounds: [5, 10]\n",
        ("random.seed",),
    ),
    "alias_bomb": (alias_bomb(), ("aliases are expanded",)),
    "inf_in_grid": (HEAD + "grid:\n  parties.alpha.private.reservation_value: [0.1, .inf]\n", ("finite",)),
}


@pytest.mark.parametrize("case", sorted(SWEEPS))
def test_explore_refuses(case: str, tmp_path: Path) -> None:
    text, expected = SWEEPS[case]
    (tmp_path / "scenario.yaml").write_text(base_scenario())
    name = f"{case}.yaml"
    (tmp_path / name).write_text(text)
    result = pactlab("explore", name, "--out", tmp_path / "out", "--dry-run", cwd=tmp_path)
    assert_bad_input(result, name, *expected)


LEAGUE = "name: hostile\nnegotiators: [boulware, conceder]\nscenarios: [scenario.yaml]\n"


@pytest.mark.parametrize(
    ("case", "text", "expected"),
    [
        ("league_seeds", LEAGUE + "seeds: {count: 100000}\nrepetitions: 1000\n", ("runs", "PACTLAB_MAX_RUNS")),
        ("league_huge_seed", LEAGUE + "seeds: [99999999999999999999]\n", ("64 bits",)),
        ("league_bomb", alias_bomb(), ("aliases are expanded",)),
    ],
)
def test_league_refuses(case: str, text: str, expected: tuple[str, ...], tmp_path: Path) -> None:
    (tmp_path / "scenario.yaml").write_text(base_scenario())
    name = f"{case}.yaml"
    (tmp_path / name).write_text(text)
    result = pactlab("league", name, "--out", tmp_path / "out", "--dry-run", cwd=tmp_path)
    assert_bad_input(result, name, *expected)


def test_the_size_is_counted_without_expanding() -> None:
    """A design far beyond any memory is sized arithmetically and refused before one variant is built."""
    sweep = Sweep.model_validate(
        {
            "name": "big",
            "scenario": "x",
            "grid": {f"k{n}": {"min": 0, "max": 99_999, "step": 1} for n in range(6)},
        }
    )
    count, runs, where = design_size(sweep)
    assert count == 100_000**6 and runs == count and where == ("grid",)
    with pytest.raises(PlanError, match="variants"):
        variants(sweep)


def test_random_draws_from_a_stepped_range_as_before() -> None:
    """Drawing an index instead of listing the range keeps every draw (and so every variant's hash) unchanged."""
    import random

    sweep = Sweep.model_validate(
        {"name": "r", "scenario": "x", "random": {"n": 40, "seed": 3, "vary": {"a": {"min": 0, "max": 2, "step": 0.1}}}}
    )
    rng = random.Random(3)
    grid = sweep.random.vary["a"].values()  # type: ignore[union-attr]
    expected = [rng.choice(grid) for _ in range(40)]
    drawn = []
    for v in variants(sweep):
        drawn.append(v.params["a"])
    assert drawn == list(dict.fromkeys(expected))
    assert len(grid) <= MAX_VARIANTS
