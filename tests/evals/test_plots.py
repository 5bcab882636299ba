"""The utility-space plot: a real PNG for two parties and a view per party for four."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

import evals.plots as plots
from evals.plots import plot_utility_space
from evals.scorecard import analyse
from pactlab.domain.issues import IssueValue
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import MoveKind, MoveRecord

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (after checking the signature)."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def move(turn: int, party: str, kind: MoveKind, terms: dict[str, IssueValue] | None = None) -> MoveRecord:
    return MoveRecord(turn=turn, round=0, party=party, kind=kind, terms=terms, message="", rationale="", reason="")


def four_party() -> Scenario:
    options = ["a", "b", "c", "d"]
    parties = []
    for n, pid in enumerate(["ada", "bo", "cy", "di"]):
        parties.append(
            {
                "id": pid,
                "name": pid.capitalize() + " Ltd",
                "core_business": "testing",
                "private": {
                    "reservation_value": 0.2 + 0.05 * n,
                    "weights": {"owner": 1 + n, "royalty": 2, "disclosed": 1},
                    "values": {
                        "owner": {o: (1.0 if i == n else 0.3) for i, o in enumerate(options)},
                        "royalty": {"linear": "up" if n % 2 else "down"},
                        "disclosed": {"true": 1.0 if n < 2 else 0.0, "false": 0.0 if n < 2 else 1.0},
                    },
                    "constraints": ["royalty <= 3"] if n == 0 else [],
                },
            }
        )
    return Scenario.model_validate(
        {
            "id": "four_party",
            "title": "Four parties, small",
            "issues": [
                {"id": "owner", "kind": "categorical", "options": options},
                {"id": "royalty", "kind": "numeric", "minimum": 0, "maximum": 4, "step": 1, "integer": True},
                {"id": "disclosed", "kind": "boolean"},
            ],
            "parties": parties,
        }
    )


TWO_PARTY_MOVES = [
    move(
        0,
        "alpha",
        "propose",
        {"foreground_ip": "alpha", "royalty_rate": 0, "exclusivity_months": 36, "use_case_disclosed": False},
    ),
    move(
        1,
        "beta",
        "propose",
        {"foreground_ip": "beta", "royalty_rate": 8, "exclusivity_months": 12, "use_case_disclosed": True},
    ),
    move(
        2,
        "alpha",
        "propose",
        {"foreground_ip": "joint", "royalty_rate": 4, "exclusivity_months": 24, "use_case_disclosed": True},
    ),
    move(3, "beta", "accept"),
]


def test_two_party_plot_is_a_png(two_party: Scenario, tmp_path: Path) -> None:
    deal = TWO_PARTY_MOVES[2]["terms"]
    out = plot_utility_space(two_party, TWO_PARTY_MOVES, deal, tmp_path / "sub" / "utility_space.png")
    assert out == tmp_path / "sub" / "utility_space.png"
    assert out.stat().st_size > 20_000
    width, height = png_size(out)
    assert width > 600 and height > 450


def test_plot_without_agreement_or_moves(two_party: Scenario, tmp_path: Path) -> None:
    analysis = analyse(two_party)
    out = plot_utility_space(two_party, [], None, tmp_path / "empty.png", analysis=analysis)
    assert out.stat().st_size > 10_000
    png_size(out)


def test_four_parties_give_a_view_per_party(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = four_party()
    analysis = analyse(scenario)
    terms: dict[str, IssueValue] = {"owner": "b", "royalty": 2, "disclosed": True}
    moves = [
        move(0, "ada", "propose", {"owner": "a", "royalty": 0, "disclosed": True}),
        move(1, "bo", "propose", {"owner": "b", "royalty": 3, "disclosed": True}),
        move(2, "cy", "propose", {"owner": "c", "royalty": 1, "disclosed": False}),
        move(3, "di", "propose", terms),
        move(4, "ada", "accept"),
    ]
    monkeypatch.setattr(plots, "_outcome_cloud", None)  # the per-party view draws no outcome cloud
    out = plot_utility_space(scenario, moves, terms, tmp_path / "four.png", analysis=analysis)
    assert out.stat().st_size > 40_000
    four_w, four_h = png_size(out)
    two = plot_utility_space(scenario.model_copy(), moves[:1], None, tmp_path / "again.png", analysis=analysis)
    assert two.read_bytes()[:8] == PNG_SIGNATURE
    assert four_w > 1200 and four_h > 500  # two charts side by side: outcomes by party, concessions


def test_large_spaces_are_subsampled_deterministically(two_party: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    analysis = analyse(two_party)
    full, feasible = plots._outcome_cloud(analysis)
    assert full.shape == (120, 2) and feasible.shape == (120,) and not feasible.all()
    monkeypatch.setattr(plots, "MAX_POINTS", 50)
    first, _ = plots._outcome_cloud(analysis)
    second, _ = plots._outcome_cloud(analysis)
    assert 30 <= first.shape[0] <= 50
    assert np.array_equal(first, second)


def test_analysis_of_another_scenario_is_refused(two_party: Scenario, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="different scenario"):
        plot_utility_space(two_party, [], None, tmp_path / "x.png", analysis=analyse(four_party()))
