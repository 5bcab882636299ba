"""Benchmark: how right the opponent models are, on the shipped two-party scenarios.

Plays every shipped two-party scenario through the workflow, for each seed, with the
Pareto-seeking strategy (default, frequency model) against each of boulware, linear, conceder,
tit_for_tat and pareto, both ways round. Every opponent model is then run on the same public
record and asked, at the end, for its estimate of each party from that party's proposals: the
same bids for every model, so the figures compare the models and not the deals they led to.
Accuracy is the evaluator's (`evals.opponent_models.accuracy`): the Pearson correlation of the
estimated and the true utility over the outcome space (a seeded sample above 20,000 outcomes),
and |estimated − true reservation value| for the models that estimate one.

The models: pactlab's frequency model (`pareto(model=frequency)`) and Bayesian model
(`pareto(model=bayes)`, Hindriks & Tykhonov 2008), beside its uniform prior (the baseline an
uninformed guess gives, reservation value 0.475 included); and, when NegMAS is importable (the `bench`
extra), NegMAS 0.16's Genius opponent models on the same bids: GHardHeadedFrequencyModel,
GBayesianModel (random weight hypotheses, Python's `random` seeded per trace) and
GScalableBayesianModel. NegMAS's models estimate no reservation value. Without NegMAS only
the source is printed (Hindriks & Tykhonov 2008, whose accuracy figures are for their own
domains and are not transcribed here): install the `bench` extra for a measured reference.

    python -m benchmarks.opponent_models [--seeds N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from agents.strategies.bayesian_opponent import BayesianModel
from agents.strategies.opponent import Estimate, FrequencyModel, History, OpponentModel
from benchmarks.outcome_space import negmas_available, negmas_domain
from evals.opponent_models import ModelAccuracy, ModelEstimate, accuracy
from evals.scorecard import analyse
from pactlab.domain.catalog import load_scenario, shipped_scenarios
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import MoveRecord
from pactlab.workflow import MoveMade, Negotiations

OPPONENTS = ("boulware", "linear", "conceder", "tit_for_tat", "pareto")
LITERATURE = (
    "Hindriks & Tykhonov (2008), AAMAS, 'Opponent modelling in automated multi-issue negotiation using "
    "Bayesian learning' (figures for their own domains; install the bench extra for a measured reference)"
)


def two_party_scenarios() -> list[Scenario]:
    """Every shipped scenario with exactly two parties, in name order."""
    found = [load_scenario(name)[0] for name in sorted(shipped_scenarios())]
    return [s for s in found if len(s.parties) == 2]


def traces(scenario: Scenario, seeds: int, store: Negotiations) -> list[list[MoveRecord]]:
    """The public moves of each run: pareto against every strategy in OPPONENTS, both seats, every seed."""
    analysis = analyse(scenario)
    first, second = scenario.party_ids
    out: list[list[MoveRecord]] = []
    for seed in range(seeds):
        for other in OPPONENTS:
            for agents in ({first: "pareto", second: other}, {first: other, second: "pareto"}):
                moves = [
                    e.move
                    for e in store.start(
                        scenario,
                        agents=agents,
                        seed=seed,
                        negotiation_id=f"{scenario.id}-{seed}-{other}-{len(out)}",
                        analysis=analysis,
                    )
                    if isinstance(e, MoveMade)
                ]
                out.append(moves)
    return out


def _estimate(holder: str, about: str, model: str, found: Estimate) -> ModelEstimate:
    return ModelEstimate(
        holder=holder,
        about=about,
        model=model,
        tables=[[float(x) for x in t] for t in found.tables],
        reservation_value=found.reservation,
    )


def pactlab_estimates(scenario: Scenario, space: OutcomeSpace, moves: Sequence[MoveRecord]) -> list[ModelEstimate]:
    """Each pactlab model's final estimate of each party that proposed, from the whole record."""
    history = History(space)
    history.sync(moves)
    bayes = BayesianModel(space, scenario.protocol.max_rounds)
    models: list[OpponentModel] = [FrequencyModel(), bayes]
    out = []
    for holder, about in (scenario.party_ids, scenario.party_ids[::-1]):
        for model in models:
            found = model.estimate(history, about)
            if found is not None:
                out.append(_estimate(holder, about, model.name, found))
        if history.offers(about):  # the baseline: the Bayesian model's uniform prior, before any bid
            out.append(_estimate(holder, about, "bayes prior (no bids)", bayes.prior().estimate()))
    return out


def negmas_estimates(scenario: Scenario, space: OutcomeSpace, moves: Sequence[MoveRecord]) -> list[ModelEstimate]:
    """NegMAS's Genius models fed the same bids; their (additive) estimate read back as per-issue tables."""
    from negmas import make_os
    from negmas.gb.components.genius.models import (
        GBayesianModel,
        GHardHeadedFrequencyModel,
        GScalableBayesianModel,
    )

    utilities = analyse_utilities(scenario, space)
    issues, _ = negmas_domain(space, utilities)
    outcome_space = make_os(issues)
    factories: dict[str, Callable[..., Any]] = {
        "negmas GHardHeadedFrequencyModel": GHardHeadedFrequencyModel,
        "negmas GBayesianModel": GBayesianModel,
        "negmas GScalableBayesianModel": GScalableBayesianModel,
    }
    out = []
    for holder, about in (scenario.party_ids, scenario.party_ids[::-1]):
        bids = [
            tuple(m["terms"][i.id] for i in space.issues)
            for m in moves
            if m["party"] == about and m["kind"] == "propose" and m["terms"] is not None
        ]
        if not bids:
            continue
        for name, factory in factories.items():
            random.seed(len(bids))  # GBayesianModel draws its hypotheses with Python's random
            nmi = SimpleNamespace(outcome_space=outcome_space, n_negotiators=2)
            model = factory(negotiator=SimpleNamespace(nmi=nmi, private_info={}))  # a stand-in: the model reads nmi
            for bid in bids:
                model.on_partner_proposal(None, about, bid)
            base = [options[0] for options in space.options]
            tables = []
            for k, options in enumerate(space.options):
                row = []
                for option in options:
                    outcome = list(base)
                    outcome[k] = option
                    row.append(float(model.eval(tuple(outcome))))
                tables.append(row)
            out.append(ModelEstimate(holder=holder, about=about, model=name, tables=tables))
    return out


def analyse_utilities(scenario: Scenario, space: OutcomeSpace) -> dict[str, UtilityFunction]:
    return {p.id: UtilityFunction(space, p.private) for p in scenario.parties}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.opponent_models", description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds per pairing (default 5)")
    args = parser.parse_args(argv)
    with_negmas = negmas_available()
    scores: dict[str, list[ModelAccuracy]] = defaultdict(list)
    per_scenario: dict[tuple[str, str], list[float]] = defaultdict(list)
    runs = 0
    with tempfile.TemporaryDirectory() as tmp, Negotiations(Path(tmp) / "c.sqlite", durability="exit") as store:
        for scenario in two_party_scenarios():
            space = OutcomeSpace(scenario.issues)
            utilities = analyse_utilities(scenario, space)
            for moves in traces(scenario, args.seeds, store):
                runs += 1
                found = pactlab_estimates(scenario, space, moves)
                if with_negmas:
                    found += negmas_estimates(scenario, space, moves)
                for result in accuracy(space, utilities, found):
                    scores[result.model].append(result)
                    if result.pearson_r is not None:
                        per_scenario[scenario.id, result.model].append(result.pearson_r)
    print(
        f"{runs} negotiations (shipped two-party scenarios x {len(OPPONENTS)} opponents of pareto x 2 seats x "
        f"{args.seeds} seeds); each model estimates each proposing party from the same bids"
    )
    print(f"{'model':<36} {'pairs':>6} {'mean Pearson r':>15} {'sd':>6} {'mean |RV error|':>16}")
    for model, results in scores.items():
        rs = [r.pearson_r for r in results if r.pearson_r is not None]
        errors = [r.reservation_error for r in results if r.reservation_error is not None]
        rv = f"{statistics.fmean(errors):.3f}" if errors else "not estimated"
        sd = statistics.stdev(rs) if len(rs) > 1 else 0.0
        print(f"{model:<36} {len(results):>6} {statistics.fmean(rs):>15.3f} {sd:>6.3f} {rv:>16}")
    print("mean Pearson r per scenario:")
    for (scenario_id, model), rs in sorted(per_scenario.items()):
        print(f"  {scenario_id:<24} {model:<36} {statistics.fmean(rs):.3f}")
    if not with_negmas:
        print(f"reference (NegMAS not installed; pip install -e '.[bench]'): {LITERATURE}")


if __name__ == "__main__":
    main()
