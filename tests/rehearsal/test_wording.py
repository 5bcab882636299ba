"""The rehearsal's words and numbers: counter-offer defaults, the one value scale, move sentences."""

from __future__ import annotations

from pactlab.app.rehearsal import Rehearsals
from pactlab.app.rehearsal.wording import change_text, move_sentence, own_previous, points_text
from pactlab.domain.issues import IssueValue, value_key
from tests.rehearsal.conftest import SCENARIO, SEAT, SEED, counter


def test_the_counter_offer_starts_from_the_persons_own_position(
    service: Rehearsals, nash_terms: dict[str, IssueValue]
) -> None:
    view = service.start(SCENARIO, SEAT, seed=SEED)
    assert view.ideal is not None
    assert view.defaults() == view.ideal  # nothing offered yet: the opening position
    view = service.submit(view.id, counter(view, nash_terms))
    assert view.table["proposal"] is not None and view.table["proposer"] != SEAT
    keys = {k: value_key(v) for k, v in view.defaults().items()}
    # the person's own last offer, never the other side's proposal on the table
    assert keys == {k: value_key(v) for k, v in nash_terms.items()}
    assert keys != {k: value_key(v) for k, v in view.table["proposal"].items()}


def test_move_sentences_describe_the_change_from_the_partys_own_previous_offer(
    service: Rehearsals, nash_terms: dict[str, IssueValue]
) -> None:
    view = service.start(SCENARIO, SEAT, seed=SEED)
    for _ in range(3):
        view = service.submit(view.id, counter(view, nash_terms))
    scenario = view.scenario
    names = {p.id: p.name for p in scenario.parties}
    labels = [i.label for i in scenario.issues]
    for n, move in enumerate(view.moves):
        sentence = move_sentence(scenario, view.moves, n, SEAT)
        assert "=" not in sentence  # no key=value dumps
        if move["party"] == SEAT:
            assert sentence.startswith(f"You ({names[SEAT]})")
        else:
            assert sentence.startswith(names[move["party"]])
        if move["kind"] != "propose":
            continue
        before = own_previous(view.moves, n)
        if before is None:
            assert " open" in sentence and all(label in sentence for label in labels)
            continue
        changed = [i for i in scenario.issues if value_key(before[i.id]) != value_key(move["terms"][i.id])]
        if not changed:
            assert "previous offer unchanged" in sentence
            if move["party"] != SEAT:  # the agent's message says the same
                assert "maintain our previous proposal" in move["message"]
        else:
            assert all(i.label in sentence for i in changed)
            assert all(i.label not in sentence for i in scenario.issues if i not in changed)


def test_one_scale_and_one_sign() -> None:
    assert points_text(0.339) == "33.9"
    assert points_text(None) == "–"
    assert change_text(-0.03) == "−3.0"  # a loss is negative, in the terminal and on the page alike
    assert change_text(0.03) == "+3.0"
    assert change_text(0.0) == "±0.0"


def test_option_values_and_contributions(service: Rehearsals) -> None:
    view = service.start(SCENARIO, SEAT, seed=SEED)
    assert view.ideal is not None
    total = 0.0
    for k, issue in enumerate(view.scenario.issues):
        for option in issue.values():
            value = view.option_value(k, option)
            assert value is not None and -1e-9 <= value <= 1 + 1e-9
        part = view.contribution(k, view.ideal[issue.id])
        assert part is not None
        total += part
    worth = view.worth(view.ideal)
    assert worth is not None and abs(total - worth) < 1e-6  # the breakdown adds up to the deal's value


def test_a_deleted_rehearsal_leaves_the_lists_and_keeps_its_transcript(service: Rehearsals) -> None:
    import pytest

    from evals.audit import verify
    from pactlab.app.rehearsal import UnknownRehearsal

    view = service.start(SCENARIO, SEAT, seed=SEED)
    other = service.start(SCENARIO, SEAT, seed=SEED)
    archived = service.delete(view.id)
    assert archived == service.out / "archive" / view.id
    kept = verify(archived / "transcript.jsonl")
    assert kept.records >= 1 and (kept.ok or kept.incomplete)  # intact; unsealed: the run never finished
    assert view.id not in service.ids() and other.id in service.ids()
    with pytest.raises(UnknownRehearsal):
        service.view(view.id)
    with pytest.raises(UnknownRehearsal):
        service.delete(view.id)
