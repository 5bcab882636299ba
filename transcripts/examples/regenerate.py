"""Write the example transcripts again: `python transcripts/examples/regenerate.py [strategy|rehearsal|llm]`.

Each example is a real run's folder, kept in the repository so that a reader can open a record
and the tests can verify and replay it (tests/workflow/test_examples.py):

- `strategy-platform-material/`: two strategy negotiators' deal, `pactlab run platform_material --seed 7`;
- `rehearsal-platform-material/` and its what-if branch `rehearsal-platform-material-b1/`: a
  person (Ada) plays the platform, proposes the Nash terms until the deal, then forks at turn 3
  and walks away there instead;
- `llm-platform-material/`: the platform played by the local model (Gemma 3 270M through
  llama.cpp's server; needs the `llm` extra), the supplier by the Pareto strategy, seed 1.

Only the transcripts, scorecards and term sheets are kept; checkpoints and plots are not.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
KEEP = ("transcript.jsonl", "scorecard.json", "scorecard.md", "termsheet.md")


def keep(run_dir: Path, name: str) -> None:
    target = HERE / name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    for file in KEEP:
        if (run_dir / file).exists():
            shutil.copy2(run_dir / file, target / file)
    print(f"wrote {target}")


def pactlab_run(out: Path, negotiation_id: str, *args: str) -> None:
    command = [sys.executable, "-m", "pactlab", "run", "platform_material", "--id", negotiation_id, "--out", str(out)]
    subprocess.run([*command, "-q", *args], check=False)
    keep(out / negotiation_id, negotiation_id)


def rehearsal(out: Path) -> None:
    from evals.scorecard import analyse
    from pactlab.app.rehearsal import Rehearsals
    from pactlab.domain.catalog import load_scenario
    from pactlab.domain.issues import value_key

    scenario, _ = load_scenario("platform_material")
    nash = analyse(scenario).nash
    assert nash is not None
    terms = dict(nash.terms.terms)
    with Rehearsals(out) as service:
        view = service.start("platform_material", "platform", seed=3, negotiation_id="rehearsal-platform-material")
        while not view.finished:
            before = view.table["proposal"] or {}
            changed = [k for k, v in terms.items() if value_key(before.get(k, "")) != value_key(v)]
            rationale = (
                "We propose " + ", ".join(f"{k} = {value_key(terms[k])}" for k in changed) if changed else "Same."
            )
            view = service.submit(view.id, {"kind": "propose", "terms": terms, "rationale": rationale, "by": "Ada"})
        branch = service.fork(view.id, 3)
        service.submit(branch.id, {"kind": "walk_away", "reason": "What if we leave here?", "by": "Ada"})
        keep(service.run_dir(view.id), view.id)
        keep(service.run_dir(branch.id), branch.id)


def main(which: list[str]) -> None:
    chosen = which or ["strategy", "rehearsal"]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        if "strategy" in chosen:
            pactlab_run(out, "strategy-platform-material", "--seed", "7")
        if "rehearsal" in chosen:
            rehearsal(out / "rehearsals")
        if "llm" in chosen:
            pactlab_run(out, "llm-platform-material", "--seed", "1", "--llm", "local", "--agent", "supplier=pareto")


if __name__ == "__main__":
    main(sys.argv[1:])
