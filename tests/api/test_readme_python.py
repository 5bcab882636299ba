"""The README's "From Python / Jupyter" example runs as written, and what it displays renders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import pactlab

README = Path(__file__).parents[2] / "README.md"


def _python_example() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("### From Python / Jupyter", 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1, "the section has one python example"
    return str(blocks[0])


def test_the_readme_example_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(_python_example(), str(README), "exec"), namespace)
    result = namespace["result"]
    assert isinstance(result, pactlab.RunResult)
    printed = capsys.readouterr().out
    assert printed.startswith(f"{result.negotiation_id} {result.outcome} after {result.rounds} rounds")
    assert result.paths.transcript.is_file() and str(result.paths.transcript).startswith("transcripts")
    # What Jupyter shows for the scenario, the result and the scorecard.
    scenario = namespace["scenario"]
    assert isinstance(scenario, pactlab.Scenario)
    html = scenario._repr_html_()
    for party in scenario.parties:
        assert party.name.replace("'", "&#39;") in html
    for issue in scenario.issues:
        assert issue.label.replace("&", "&amp;").replace("'", "&#39;") in html
    shown = result._repr_html_()
    assert result.negotiation_id in shown and "<table>" in shown
    for label in (result.agreement_labels or {}).values():
        assert label in shown
    assert 'title="What the deal gives a side above its walk-away point' in result.scorecard._repr_html_()


def test_notebook_html_escapes_the_scenario_text() -> None:
    scenario = pactlab.load_scenario("platform_material").scenario
    party = scenario.parties[0].model_copy(update={"name": "<script>alert(1)</script>"})
    hostile = scenario.model_copy(update={"title": "A & <b>B</b>", "parties": [party, *scenario.parties[1:]]})
    html = hostile._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "A &amp; &lt;b&gt;B&lt;/b&gt;" in html
