"""Designs expand into variants and runs with stable ids; a variant edits the scenario as written."""

from __future__ import annotations

from pactlab.app.sweeps import load_sweep
from pactlab.app.sweeps.settings import assign_negotiators, negotiator_kind, provider_of
from tests.sweeps.conftest import SMALL_SWEEP, WriteSweep


def test_grid_runs_every_combination_for_every_seed(write_sweep: WriteSweep) -> None:
    loaded = load_sweep(write_sweep(SMALL_SWEEP))
    assert len(loaded.variants) == 4 and len(loaded.runs) == 12
    assert [v.params for v in loaded.variants][:2] == [
        {"policies": "minimal", "negotiators.platform": "boulware"},
        {"policies": "minimal", "negotiators.platform": "pareto"},
    ]
    first = loaded.prepared[loaded.variants[0].sha256]
    assert first.agents == {"platform": "boulware", "supplier": "pareto"}
    assert first.policies is not None and first.policies.name == "minimal"
    assert first.scenario.protocol.max_rounds == 20 and first.kind == "strategy"
    ids = [r.run_id for r in loaded.runs]
    assert len(set(ids)) == 12 and ids[0].startswith("small-sweep-") and ids[0].endswith("-s0")
    # Deterministic: the same file plans the same ids.
    assert [r.run_id for r in load_sweep(write_sweep(SMALL_SWEEP)).runs] == ids


def test_fields_by_path_ranges_repetitions_and_ids(write_sweep: WriteSweep) -> None:
    loaded = load_sweep(
        write_sweep(
            """\
            name: paths
            scenario: platform_material
            seeds: [4]
            repetitions: 2
            grid:
              parties.supplier.private.reservation_value: {min: 0.4, max: 0.6, step: 0.1}
              parties.platform.private.weights.royalty_rate: [8, 16]
              issues.exclusivity_months.maximum: [24]
              policies: [none]
            """
        )
    )
    assert len(loaded.variants) == 6 and len(loaded.runs) == 12
    assert [v.params["parties.supplier.private.reservation_value"] for v in loaded.variants[::2]] == [0.4, 0.5, 0.6]
    last = loaded.prepared[loaded.variants[-1].sha256]
    scenario = last.scenario
    assert scenario.party("supplier").private.reservation_value == 0.6
    assert scenario.party("platform").private.weights["royalty_rate"] == 16
    assert scenario.issues[scenario.issue_ids.index("exclusivity_months")].values()[-1] == 24  # type: ignore[attr-defined]
    assert last.policies is None
    assert [r.run_id.rsplit("-", 2)[1:] for r in loaded.runs[:2]] == [["s4", "r0"], ["s4", "r1"]]


def test_random_design_is_seeded_and_drops_duplicates(write_sweep: WriteSweep) -> None:
    text = """\
        name: drawn
        scenario: platform_material
        random:
          n: 12
          seed: {seed}
          vary:
            parties.supplier.private.reservation_value: {{min: 0.4, max: 0.6}}
            protocol.max_rounds: {{min: 10, max: 40}}
            negotiators: [boulware, conceder]
        """
    first = load_sweep(write_sweep(text.format(seed=1)))
    again = load_sweep(write_sweep(text.format(seed=1)))
    other = load_sweep(write_sweep(text.format(seed=2)))
    assert [v.params for v in first.variants] == [v.params for v in again.variants]
    assert [v.params for v in first.variants] != [v.params for v in other.variants]
    for variant in first.variants:
        assert 0.4 <= variant.params["parties.supplier.private.reservation_value"] <= 0.6
        assert isinstance(variant.params["protocol.max_rounds"], int)
    few = load_sweep(
        write_sweep("name: few\nscenario: platform_material\nrandom: {n: 20, vary: {policies: [minimal, none]}}\n")
    )
    assert len(few.variants) == 2


def test_negotiator_forms() -> None:
    parties = ["platform", "supplier"]
    assert assign_negotiators(parties, {}) == {"platform": "pareto", "supplier": "pareto"}
    assert assign_negotiators(parties, {"negotiators": "boulware"}) == {"platform": "boulware", "supplier": "boulware"}
    both = {"negotiators": ["conceder", "supplier=pareto(e=0.5)"], "negotiators.platform": "linear"}
    assert assign_negotiators(parties, both) == {"platform": "linear", "supplier": "pareto(e=0.5)"}
    assert negotiator_kind("pareto(e=0.5)") == "strategy"
    assert negotiator_kind("llm(model=gpt-4o-mini)") == "llm"
    assert provider_of("llm(provider=openai, model=x)") == "openai" and provider_of("llm") == "default"
