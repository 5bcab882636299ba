"""The utility-space plots: their figures (deal, Nash point, each party's best and reservation value, the
frontier's range), the interactive charts drawn from them, and the static PNG/SVG files."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

import evals.plots as plots
from evals.charts import PLOTLY_JS, RENDER_JS, chart_div, figure_data, sweep_figure, utility_figure
from evals.plots import plot_utility_space
from evals.scorecard import OutcomeAnalysis, analyse
from evals.sweeps.frontiers import sweep_frontiers
from evals.sweeps.labels import factor_label
from evals.sweeps.runs import SweepRun
from evals.utility_view import frontier_points, utility_view
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


# -- the figures the charts draw (evals.utility_view), the interactive charts (evals.charts) -------------


def four_party_moves() -> tuple[list[MoveRecord], dict[str, IssueValue]]:
    terms: dict[str, IssueValue] = {"owner": "b", "royalty": 2, "disclosed": True}
    moves = [
        move(0, "ada", "propose", {"owner": "a", "royalty": 0, "disclosed": True}),
        move(1, "bo", "propose", {"owner": "b", "royalty": 3, "disclosed": True}),
        move(2, "ada", "propose", terms),
        move(3, "bo", "accept"),
    ]
    return moves, terms


def test_the_view_per_party_holds_the_deal_nash_best_reservation_and_frontier_range() -> None:
    scenario = four_party()
    analysis = analyse(scenario)
    moves, terms = four_party_moves()
    view = utility_view(scenario, moves, terms, analysis)
    frontier = np.asarray(analysis.frontier.utilities, dtype=float)
    deal = analysis.utilities_of(analysis.space.validate(terms))
    assert analysis.nash is not None
    assert view.agreement and view.frontier_exact and view.frontier_size == len(frontier)
    for n, p in enumerate(view.parties):
        column = frontier[:, analysis.frontier.parties.index(p.party)]
        assert p.name == scenario.party(p.party).name  # display names, not ids
        assert p.frontier_low == pytest.approx(column.min()) and p.frontier_high == pytest.approx(column.max())
        assert p.best == p.frontier_high
        # each party's best over the agreement space lies on the frontier: no feasible outcome beats it
        assert p.best == pytest.approx(max(u for u, ok in zip(*_feasible_utilities(analysis, n), strict=True) if ok))
        assert p.reservation == scenario.party(p.party).private.reservation_value
        assert p.deal == pytest.approx(deal[p.party])
        assert p.nash == pytest.approx(analysis.nash.utilities[p.party])
        assert p.frontier_low <= p.nash <= p.frontier_high
    assert [len(v) for v in view.offers.values()] == [2, 1]
    assert view.offers["ada"][1] == pytest.approx(list(deal.values()))
    assert view.outcomes == []  # no outcome cloud for more than two parties


def _feasible_utilities(analysis: OutcomeAnalysis, n: int) -> tuple[np.ndarray, np.ndarray]:
    every = np.arange(analysis.space.cardinality, dtype=np.int64)
    utility = list(analysis.utilities.values())[n]
    feasible = np.ones(every.size, dtype=bool)
    for u in analysis.utilities.values():
        feasible &= u.constraint_mask(every)
    return utility.of_outcomes(every), feasible


def test_a_large_space_frontier_is_sampled_with_supported_points() -> None:
    """The optimising path (forced on a small space): every sampled point is on the exact frontier, and each
    party's best is found exactly; the lower ends of the ranges are estimates (never below the true ones)."""
    scenario = four_party()
    exact = analyse(scenario)
    large = analyse(scenario, method="optimise")
    points, is_exact, note = frontier_points(large)
    assert not is_exact and note.startswith("sampled Pareto frontier") and "weighted-sum" in note
    true = {tuple(np.round(row, 9)) for row in np.asarray(exact.frontier.utilities, dtype=float)}
    assert len(points) >= 4 and {tuple(np.round(row, 9)) for row in points} <= true
    top, bottom = np.asarray(exact.frontier.utilities).max(axis=0), np.asarray(exact.frontier.utilities).min(axis=0)
    assert points.max(axis=0) == pytest.approx(top)
    assert (points.min(axis=0) >= bottom - 1e-9).all()
    view = utility_view(scenario, analysis=large)
    assert not view.frontier_exact and all(p.best is not None for p in view.parties)


def test_the_interactive_per_party_chart_draws_the_views_figures() -> None:
    scenario = four_party()
    moves, terms = four_party_moves()
    view = utility_view(scenario, moves, terms)
    data = figure_data(utility_figure(view, scale=100))
    traces = {t["name"]: t for t in data["data"]}
    names = [p.name for p in view.parties]
    bar = traces["range on the Pareto frontier"]
    assert bar["type"] == "bar" and list(bar["x"]) == names
    assert bar["base"] == pytest.approx([100 * (p.frontier_low or 0) for p in view.parties])
    assert np.add(bar["base"], bar["y"]) == pytest.approx([100 * (p.frontier_high or 0) for p in view.parties])
    assert traces["each party's best"]["y"] == pytest.approx([100 * (p.best or 0) for p in view.parties])
    assert traces["reservation value (walk-away)"]["y"] == pytest.approx([100 * p.reservation for p in view.parties])
    assert traces["the deal"]["y"] == pytest.approx([100 * (p.deal or 0) for p in view.parties])
    assert traces["Nash bargaining solution"]["y"] == pytest.approx([100 * (p.nash or 0) for p in view.parties])
    assert traces["Kalai–Smorodinsky solution"]["visible"] == "legendonly"  # a click away, not clutter
    assert data["layout"]["yaxis"]["title"]["text"] == "value (0–100)"
    html = str(chart_div(utility_figure(view), "c", "a <chart>"))
    assert html.startswith('<div class="pactlab-chart" id="c"') and "&lt;chart&gt;" in html and "<script" not in html


def test_the_interactive_two_party_chart_is_utility_space(two_party: Scenario) -> None:
    deal = TWO_PARTY_MOVES[2]["terms"]
    analysis = analyse(two_party)
    view = utility_view(two_party, TWO_PARTY_MOVES, deal, analysis)
    data = figure_data(utility_figure(view))
    traces = {t["name"]: t for t in data["data"]}
    frontier = traces["Pareto frontier"]
    assert np.allclose(np.column_stack([frontier["x"], frontier["y"]]), view.frontier)
    assert len(view.frontier) == len(analysis.frontier.outcomes)
    a, b = view.parties
    assert (traces["the deal"]["x"][0], traces["the deal"]["y"][0]) == pytest.approx((a.deal, b.deal))
    offers = traces[f"offers by {a.name} (2)"]
    assert np.allclose(np.column_stack([offers["x"], offers["y"]]), view.offers["alpha"])
    assert any(name.startswith("possible outcome") for name in traces)
    assert data["layout"]["xaxis"]["title"]["text"] == f"utility (0–1) to {a.name}"
    walk_aways = [s for s in data["layout"]["shapes"] if s["line"]["dash"] == "dash"]
    assert walk_aways[0]["x0"] == pytest.approx(a.reservation) and walk_aways[1]["y0"] == pytest.approx(b.reservation)


def test_static_plots_are_png_or_svg(tmp_path: Path) -> None:
    scenario = four_party()
    moves, terms = four_party_moves()
    svg = plot_utility_space(scenario, moves, terms, tmp_path / "four.svg")
    text = svg.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "Ada Ltd" in text and "each party" in text  # display names on the axis; the best marker in the legend


def test_plotly_js_is_local() -> None:
    assert PLOTLY_JS.is_file() and PLOTLY_JS.stat().st_size > 1_000_000
    assert "Plotly.newPlot" in RENDER_JS


def test_sweep_frontiers_one_per_set_of_preferences_labelled_by_display_names() -> None:
    """Variants that differ in a reservation value share a frontier; a changed weight gives another."""
    base = four_party()
    data = base.model_dump(mode="json")
    data["parties"][1]["private"]["reservation_value"] = 0.6
    stricter = Scenario.model_validate(data)
    data["parties"][0]["private"]["weights"]["owner"] = 9
    weighted = Scenario.model_validate(data)
    scenarios = {"v1": base, "v2": stricter, "v3": weighted}
    runs = [
        SweepRun(
            "r1",
            "v1",
            {"parties.ada.private.weights.owner": 1, "parties.bo.private.reservation_value": 0.25},
            0,
            "done",
        ),
        SweepRun(
            "r2", "v2", {"parties.ada.private.weights.owner": 1, "parties.bo.private.reservation_value": 0.6}, 0, "done"
        ),
        SweepRun(
            "r3", "v3", {"parties.ada.private.weights.owner": 9, "parties.bo.private.reservation_value": 0.6}, 0, "done"
        ),
    ]
    names = {p.id: p.name for p in base.parties} | {"owner": "Owner of the IP"}
    found = sweep_frontiers(scenarios, runs, lambda path: factor_label(path, names))
    assert found.distinct == 2 and [f.variants for f in found.frontiers] == [2, 1]
    assert [f.label for f in found.frontiers] == [
        "frontier: Ada Ltd: priority (weight) of Owner of the IP = 1",
        "frontier: Ada Ltd: priority (weight) of Owner of the IP = 9",
    ]
    exact = np.asarray(analyse(base).frontier.utilities, dtype=float)
    assert np.asarray(found.frontiers[0].points).min(axis=0) == pytest.approx(exact.min(axis=0), abs=1e-6)  # rounded
    assert "2 distinct Pareto frontier(s)" in found.note and "exact" in found.note
    assert sweep_frontiers({}, runs, str, "no sweep file").note == "no sweep file"

    # The chart: more than two parties, the frontiers' combined range per party and the agreements by level.
    agreements = {"low": [[0.5, 0.6, 0.7, 0.8]], "high": [[0.4, 0.5, 0.6, 0.7], [0.3, 0.3, 0.3, 0.3]]}
    shapes = [(f.label, f.points) for f in found.frontiers]
    data_ = figure_data(sweep_figure(names, base.party_ids, agreements, shapes, "by level", found.note))
    traces = {t["name"]: t for t in data_["data"]}
    every = np.concatenate([np.asarray(f.points) for f in found.frontiers])
    assert traces["range on the Pareto frontier"]["base"] == pytest.approx(every.min(axis=0).tolist())
    assert list(traces["high (2)"]["x"]) == [names[p] for p in base.party_ids] * 2
    assert traces["high (2)"]["y"] == pytest.approx([0.4, 0.5, 0.6, 0.7, 0.3, 0.3, 0.3, 0.3])


def test_a_two_party_sweep_chart_draws_each_frontier_as_a_line(two_party: Scenario) -> None:
    points = np.asarray(analyse(two_party).frontier.utilities, dtype=float).tolist()
    names = {p.id: p.name for p in two_party.parties}
    fig = sweep_figure(names, two_party.party_ids, {"a": [[0.5, 0.5]]}, [("Pareto frontier", points)], "t", "n")
    traces = {t["name"]: t for t in figure_data(fig)["data"]}
    line = traces["Pareto frontier"]
    assert line["mode"] == "lines" and len(line["x"]) == len(points) and list(line["x"]) == sorted(line["x"])
    assert traces["a (1)"]["x"] == [0.5]
    title = figure_data(fig)["layout"]["xaxis"]["title"]["text"]
    assert title == f"utility of {two_party.parties[0].name}"
