"""A run's opponent models are scored at the end: each model's estimates go to the audit trail as the
agent's own record, the scorecard reports their accuracy, a rescoring from the transcript agrees,
and no party's view of the run shows them."""

from __future__ import annotations

import json
from pathlib import Path

from evals.audit import read_records
from evals.transcript import party_view, read_transcript, rescore
from pactlab.domain.scenario import Scenario
from pactlab.workflow import Negotiations, Scored


def test_both_models_are_scored_on_a_shipped_two_party_scenario(shipped: dict[str, Scenario], tmp_path: Path) -> None:
    scenario = shipped["platform_material"]
    first, second = scenario.party_ids
    transcript = tmp_path / "t.jsonl"
    runs = Negotiations(tmp_path / "checkpoints.sqlite")
    events = list(
        runs.start(
            scenario,
            agents={first: "pareto(model=bayes)", second: "pareto(model=frequency)"},
            seed=3,
            negotiation_id="om",
            transcript=transcript,
        )
    )
    card = next(e for e in events if isinstance(e, Scored)).scorecard
    found = {(m.holder, m.about): m for m in card.opponent_models}
    assert set(found) == {(first, second), (second, first)}
    bayes, frequency = found[first, second], found[second, first]
    assert (bayes.model, frequency.model) == ("bayes", "frequency")
    for m in (bayes, frequency):
        assert m.pearson_r is not None and -1.0 <= m.pearson_r <= 1.0
        assert m.outcomes_compared > 0
    assert bayes.reservation_error is not None and 0 <= bayes.reservation_error <= 1
    assert bayes.reservation_value == scenario.party(second).private.reservation_value
    assert frequency.reservation_error is None and "no reservation value" in frequency.note

    records = read_records(transcript)
    estimates = [r for r in records if r.kind == "opponent_model"]
    assert sorted(r.actor for r in estimates) == sorted([first, second])
    assert [r.kind for r in records][-2:] == ["evaluation", "seal"]
    run = read_transcript(transcript)
    assert rescore(run).model_dump(mode="json") == card.model_dump(mode="json")
    for party in scenario.party_ids:  # what a party sees of the run holds no estimate
        view = json.dumps(party_view(run, party))
        assert "opponent_model" not in view and "reservation_estimate" not in view
    assert all(m["kind"] != "opponent_model" for m in run.moves)
