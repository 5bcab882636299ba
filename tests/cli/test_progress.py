"""Progress of the slow large-space steps: reported by the evaluator and the agents, drawn only on a terminal."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from rich.console import Console

from agents.base import Seat
from agents.strategies import offer_book
from benchmarks import generated_scenario
from evals.scorecard import analyse
from pactlab.app.cli import progress as cli_progress
from pactlab.domain import progress
from pactlab.domain.outcome_space import OutcomeSpace


@dataclass
class _Recorded:
    log: list[str]
    label: str

    def advance(self, steps: int = 1) -> None:
        self.log.append(f"advance {self.label} {steps}")

    def stop(self) -> None:
        self.log.append(f"stop {self.label}")


@dataclass
class Recorder:
    log: list[str] = field(default_factory=list)

    def start(self, label: str, total: int | None) -> _Recorded:
        self.log.append(f"start {label} {total}")
        return _Recorded(self.log, label)


def test_large_space_steps_report_their_progress() -> None:
    scenario = generated_scenario(10**7, 6, seed=3)
    recorder = Recorder()
    with progress.listening(recorder):
        analysis = analyse(scenario, budget=30.0)
        seat = Seat.for_party(scenario, scenario.party_ids[0], 1, OutcomeSpace(scenario.issues))
        book = offer_book(seat)
    assert analysis.large is not None and not book.enumerated
    label = "outcome analysis: Nash, Kalai-Smorodinsky, utilitarian points"
    assert recorder.log[0] == f"start {label} 3"
    assert recorder.log[1:5] == [f"advance {label} 1"] * 3 + [f"stop {label}"]
    book_label = f"{scenario.party_ids[0]}'s offer book: candidate offers"
    assert f"start {book_label} 12" in recorder.log and recorder.log[-1] == f"stop {book_label}"
    assert recorder.log.count(f"advance {book_label} 1") == 12


def test_without_a_listener_nothing_is_reported_and_nothing_breaks() -> None:
    with progress.task("anything", 2) as advance:
        advance(1)
    assert progress._listener is None


def test_bars_only_on_a_terminal_and_never_when_quiet() -> None:
    plain = Console(file=io.StringIO())
    with cli_progress.progress_bars(plain, quiet=False):
        assert progress._listener is None  # not a terminal: piped output stays clean
    terminal = Console(file=io.StringIO(), force_terminal=True)
    with cli_progress.progress_bars(terminal, quiet=True):
        assert progress._listener is None
    with cli_progress.progress_bars(terminal, quiet=False):
        listener = progress._listener
        assert isinstance(listener, cli_progress.RichListener)
        with progress.task("solving", 2) as advance:
            (task,) = listener.bars.tasks
            assert not task.visible  # shown only once the step has lasted DELAY seconds
            advance(2)
            assert task.completed == 2
        assert listener.bars.tasks == []  # a finished step's bar is gone
    assert progress._listener is None
