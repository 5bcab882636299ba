"""`pactlab.run` is the `pactlab run` command's twin: same policy set, ladder, transcript and outputs.

Both call `pactlab.app.runs`; these tests hold them to it by comparing what each writes.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import pactlab
from pactlab.app.cli import exit_codes
from pactlab.domain.catalog import LoadedScenario, load_scenario

SCENARIO = "platform_material"
SEED = 3


def normalised(transcript: Path, negotiation_id: str, out: Path) -> list[dict[str, Any]]:
    """The transcript's records with what differs between two runs of one seed replaced: the negotiation
    id, the output folder, timestamps, hashes, signatures and the run's ephemeral public keys."""
    text = transcript.read_text(encoding="utf-8")
    text = text.replace(negotiation_id, "<ID>").replace(str(out), "<OUT>")
    rows = []
    for line in text.splitlines():
        record = json.loads(line)
        for field in ("ts", "hash", "prev_hash", "sig"):
            record.pop(field)
        rows.append(record)
    return [_unsigned(row) for row in rows]


SIGNED = {"signatures", "signature", "public_key", "sig", "hash", "prev_hash", "last_hash", "root_hash", "timestamp"}
"""Fields whose values follow from the run's own keys, ids or times (each run signs with new keys; a tree
head's root hashes the records' timestamps)."""


def _unsigned(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "<SIGNED>" if k in SIGNED else _unsigned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unsigned(v) for v in value]
    return value


def test_api_and_cli_write_the_same_transcript_and_scorecard(tmp_path: Path) -> None:
    api_out, cli_out = tmp_path / "api", tmp_path / "cli"
    result = pactlab.run(SCENARIO, agents={"platform": "pareto"}, seed=SEED, out=api_out)
    command = ["run", SCENARIO, "--agent", "platform=pareto", "--seed", str(SEED), "--out", str(cli_out), "-q"]
    done = subprocess.run(
        [sys.executable, "-m", "pactlab", *command],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == (exit_codes.AGREEMENT if result.agreed else exit_codes.NO_AGREEMENT), done.stderr
    cli_id = re.findall(r"negotiation id (\S+)", done.stdout)[-1]
    assert result.negotiation_id != cli_id

    api_records = normalised(result.paths.transcript, result.negotiation_id, api_out)
    cli_records = normalised(cli_out / cli_id / "transcript.jsonl", cli_id, cli_out)
    assert [(r["kind"], r["actor"]) for r in api_records] == [(r["kind"], r["actor"]) for r in cli_records]
    for api_record, cli_record in zip(api_records, cli_records, strict=True):
        assert api_record == cli_record
    # the scenario's own policy set governed both (Negotiations.start alone applies none)
    start = api_records[0]["data"]
    assert start["policy_set"]["name"] == load_scenario(SCENARIO).scenario.policy_set == result.policy_set

    api_card = json.loads(result.paths.scorecard_json.read_text())
    cli_card = json.loads((cli_out / cli_id / "scorecard.json").read_text())
    api_card.pop("negotiation_id"), cli_card.pop("negotiation_id")
    assert api_card == cli_card
    assert result.scorecard.model_dump(mode="json", exclude={"negotiation_id"}) == api_card
    written = sorted(p.name for p in (cli_out / cli_id).iterdir())
    assert sorted(p.name for p in result.paths.folder.iterdir()) == written


def test_the_result_is_typed_and_names_its_files(tmp_path: Path) -> None:
    loaded = load_scenario(SCENARIO)
    assert isinstance(loaded, LoadedScenario)
    scenario, path = loaded  # still unpacks as the (scenario, path) it used to be
    assert scenario is loaded.scenario and path == loaded.path
    result = pactlab.run(loaded, seed=SEED, out=tmp_path, negotiation_id="twin-1")
    assert isinstance(result, pactlab.RunResult)
    assert result.negotiation_id == "twin-1"
    assert result.outcome == result.scorecard.outcome
    assert result.paths.transcript == tmp_path / "twin-1" / "transcript.jsonl"
    for file in (result.paths.transcript, result.paths.scorecard_json, result.paths.plot):
        assert file.is_file()
    if result.agreed:
        assert result.agreement == result.scorecard.agreement
        assert set(result.paths.termsheets) == {"md", "html", "docx"}
        assert result.agreement_labels is not None
        names = {issue.label for issue in scenario.issues}
        assert set(result.agreement_labels) == names
    with pytest.raises(pactlab.Conflict, match="twin-1"):
        pactlab.run(SCENARIO, seed=SEED, out=tmp_path, negotiation_id="twin-1")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"agents": {"nobody": "boulware"}}, "agents nobody=boulware: unknown party 'nobody'"),
        ({"agents": "telepathy"}, "agents telepathy"),
        ({"mediator": "oracle"}, "mediator 'oracle'"),
        ({"durability": "never"}, "durability 'never'"),
        ({"policies": "no_such_policy_set"}, "no_such_policy_set"),
    ],
)
def test_bad_arguments_raise_bad_input_naming_the_argument(
    tmp_path: Path, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(pactlab.BadInput, match=re.escape(message)):
        pactlab.run(SCENARIO, out=tmp_path, **kwargs)
    assert not (tmp_path / "checkpoints.sqlite").exists()


def test_policies_none_runs_without_a_gate(tmp_path: Path) -> None:
    result = pactlab.run(SCENARIO, seed=SEED, out=tmp_path, policies="none")
    assert result.policy_set is None
    first = json.loads(result.paths.transcript.read_text().splitlines()[0])
    assert first["data"]["policy_set"] is None
