"""A NegMAS negotiator at a pactlab table (needs the optional 'negmas' extra; skipped without it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.registry import make_negotiator, parse_spec
from evals.audit import read_records, verify
from pactlab.domain.catalog import load_scenario
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.workflow import MoveMade, Negotiations, Scored

pytest.importorskip("negmas")

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "two_party.yaml"


def test_specs_name_negmas_classes_only() -> None:
    assert parse_spec("negmas(AspirationNegotiator)") == ("negmas", {"negotiator": "AspirationNegotiator"})
    assert parse_spec("negmas(negmas.sao.NaiveTitForTatNegotiator)")[1]["negotiator"].endswith("TatNegotiator")
    for bad in ("negmas(os.system)", "negmas(NoSuchNegotiator)", "negmas(negmas.make_issue)"):
        with pytest.raises(ValueError, match="NegMAS"):
            parse_spec(bad)


@pytest.mark.parametrize("negotiator", ["AspirationNegotiator", "negmas.sao.NaiveTitForTatNegotiator"])
def test_a_negmas_negotiator_plays_a_negotiation_end_to_end(tmp_path: Path, negotiator: str) -> None:
    scenario, _ = load_scenario(str(FIXTURE))
    seat_party, other = scenario.party_ids
    transcript = tmp_path / "transcript.jsonl"
    runs = Negotiations(str(tmp_path / "checkpoints.sqlite"))
    try:
        events = list(
            runs.start(
                scenario,
                agents={seat_party: f"negmas({negotiator})", other: "conceder"},
                seed=3,
                negotiation_id="negmas-e2e",
                transcript=transcript,
            )
        )
    finally:
        runs.close()
    scored = [e for e in events if isinstance(e, Scored)]
    assert len(scored) == 1  # the run ended and was scored
    assert verify(transcript).ok

    space = OutcomeSpace(scenario.issues)
    utility = UtilityFunction(space, scenario.party(seat_party).private)
    moves = [e.move for e in events if isinstance(e, MoveMade)]
    ours = [m for m in moves if m["party"] == seat_party]
    assert ours, "the NegMAS seat never moved"
    standing: str | None = None  # who proposed the terms on the table
    for move in moves:
        if move["party"] == seat_party:
            assert move["kind"] in ("propose", "accept", "reject", "walk_away")
            if move["kind"] == "propose":
                assert move["terms"] is not None
                sheet = space.validate(move["terms"])  # a complete, valid term sheet
                assert utility.satisfies_constraints(sheet)  # within the seat's own hard constraints
            if move["kind"] in ("accept", "reject"):
                assert standing not in (None, seat_party)  # it answers another party's proposal
        if move["kind"] == "propose":
            standing = move["party"]
        elif move["kind"] == "reject":
            standing = None
    assert any(m["kind"] == "propose" and "NegMAS" in m["rationale"] for m in ours)
    assert len(read_records(transcript)) > len(moves)


def test_the_adapter_sees_only_its_own_seat() -> None:
    scenario, _ = load_scenario(str(FIXTURE))
    from agents.base import Seat

    seat = Seat.for_party(scenario, scenario.party_ids[0], seed=0)
    negotiator = make_negotiator("negmas(AspirationNegotiator)", seat)
    assert negotiator.seat is seat  # built from the seat alone: its space, its own utility function
