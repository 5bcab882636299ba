"""A person's moves carry their name and signature across reloads, continues and what-if branches.

The name is given once; later answers that name nobody (a reloaded browser page, a continued
rehearsal) are recorded under the person seated at that seat, signed with that person's key.
"""

from __future__ import annotations

from pathlib import Path

from evals.audit import read_records, verify
from evals.scorecard import analyse
from evals.transcript import seated_people
from pactlab.app.rehearsal import Rehearsals
from pactlab.domain.catalog import load_scenario


def _human_moves(transcript: Path) -> list[tuple[str, str]]:
    return [(r.data["by"], r.sig.by) for r in read_records(transcript) if r.kind == "human_move"]


def test_the_persons_name_and_key_survive_reload_and_fork(tmp_path: Path) -> None:
    scenario, _ = load_scenario("platform_material")
    nash = analyse(scenario).nash
    assert nash is not None
    terms = dict(nash.terms.terms)
    move = {"kind": "propose", "terms": terms, "rationale": "We propose these terms: " + ", ".join(terms)}
    with Rehearsals(tmp_path) as service:
        view = service.start("platform_material", "platform", seed=3, negotiation_id="named")
        view = service.submit(view.id, {**move, "by": "Ada"})
    with Rehearsals(tmp_path) as service:  # a new process: the page reloaded, or --continue
        view = service.submit("named", {**move, "by": ""})
        transcript = view.transcript
        assert transcript is not None
        assert _human_moves(transcript) == [("Ada", "person:Ada"), ("Ada", "person:Ada")]
        assert seated_people(transcript) == {"platform": "Ada"}
        branch = service.fork("named", 2)
        assert branch.transcript is not None
        branch = service.submit(branch.id, {**move, "by": ""})
        moves = _human_moves(branch.transcript)
        assert moves and all(m == ("Ada", "person:Ada") for m in moves)
    for path in (transcript, branch.transcript):
        report = verify(path, require_seal=False)
        assert report.ok, report.problem
        assert "person:Ada" in report.identities
