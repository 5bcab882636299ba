"""Scenario files in the web app: folders listed and checked like the CLI checks them, uploads, starts, term sheets.

The browser sends ids from the listing, never paths: path tricks are unknown ids. Uploads are
size-limited, parsed as plain YAML only, bounded (aliases, nesting), and stored under the data
directory by their hash. An agreed rehearsal's debrief links its term sheet files.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

from evals.audit import read_records
from pactlab.app.rehearsal import View
from pactlab.app.web.library import Library, default_folders
from pactlab.domain.catalog import load_scenario, shipped_scenarios
from pactlab.domain.issues import IssueValue
from pactlab.domain.loader import FileError
from tests.rehearsal.conftest import SEED, play_to_end
from tests.web.conftest import Web, serve_web
from tests.web.scenario_files import BROKEN, SCRIPT, variant

YAML = {"content-type": "application/yaml"}


def cli_problems(path: Path) -> list[str]:
    """What ``pactlab scenario validate PATH`` prints for the file (one line per problem)."""
    with pytest.raises(FileError) as caught:
        load_scenario(str(path))
    return [str(p) for p in caught.value.problems]


@pytest.fixture
def deals(tmp_path: Path) -> Path:
    folder = tmp_path / "deals"
    folder.mkdir()
    text = variant("carbon_deal", "Carbon deal: our own file", rename={"supplier": "vendor", "Carbonis": "Veyra"})
    (folder / "carbon_deal.yaml").write_text(text, encoding="utf-8")
    (folder / "same_deal.yml").write_text(variant("same_deal", "The shipped deal, as a file"), encoding="utf-8")
    (folder / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    (folder / "notes.txt").write_text("not a scenario", encoding="utf-8")
    return folder


@pytest.fixture
def web(tmp_path: Path, deals: Path) -> Iterator[Web]:
    out = tmp_path / "r"
    yield from serve_web(out, Library([deals], out / "_uploads"))


def listing(web: Web) -> dict[str, dict[str, Any]]:
    response = web.client.get("/api/scenarios")
    assert response.status_code == 200
    return {entry["id"]: entry for entry in response.json()["scenarios"]}


def upload(web: Web, data: bytes, name: str = "my deal.yaml", **headers: str) -> Any:
    return web.client.post("/api/scenarios", content=data, headers={**YAML, "x-filename": name, **headers})


def run_start(view: View) -> dict[str, Any]:
    assert view.transcript is not None
    first = read_records(view.transcript)[0]
    assert first.kind == "run_start"
    return first.data


def test_the_listing_checks_every_file_as_the_cli_does(web: Web, deals: Path) -> None:
    entries = listing(web)
    assert list(entries) == ["deals:broken", "deals:carbon_deal", "deals:same_deal", *shipped_scenarios()]
    carbon = entries["deals:carbon_deal"]
    assert carbon["valid"] and carbon["title"] == "Carbon deal: our own file" and carbon["origin"] == "deals"
    assert [(p["id"], p["name"]) for p in carbon["parties"]] == [
        ("platform", "Nordvik Mobility"),
        ("vendor", "Veyra Advanced Materials"),
    ]
    assert len(carbon["issues"]) == 8 and carbon["problems"] == []
    # The invalid file: not startable, its problems exactly the CLI's, each at its line.
    broken = entries["deals:broken"]
    expected = cli_problems(deals / "broken.yaml")
    assert not broken["valid"] and broken["problems"] == expected and len(expected) == 2
    assert expected[0].startswith(f"{deals / 'broken.yaml'}:")
    assert any(":164:" in line and "reservation_value" in line and SCRIPT in line for line in expected)
    assert any("max_round" in line and "unknown field" in line for line in expected)
    # The page lists both, the problems as text (escaped), and offers only the valid files.
    page = web.client.get("/").text
    assert "Carbon deal: our own file" in page and "Veyra Advanced Materials" in page
    for line in expected:
        assert str(escape(line)) in page
    assert SCRIPT not in page and "&lt;script&gt;" in page
    assert '<option value="deals:carbon_deal">' in page and '<option value="deals:same_deal">' in page
    assert '<option value="deals:broken">' not in page
    refused = web.post("/api/rehearsals", {"scenario": "deals:broken", "seat": "platform"})
    assert refused.status_code == 400 and "not valid" in refused.json()["error"]
    assert web.service.ids() == []


def test_a_folder_file_starts_with_its_own_seats_and_is_recorded(web: Web, deals: Path) -> None:
    response = web.post("/api/rehearsals", {"scenario": "deals:carbon_deal", "seat": "vendor", "seed": SEED})
    assert response.status_code == 201, response.text
    view = web.service.view(response.json()["id"])
    assert view.id.startswith("carbon_deal-") and view.seat == "vendor"
    assert view.scenario.party_ids == ["platform", "vendor"]
    path = deals / "carbon_deal.yaml"
    start = run_start(view)
    assert start["scenario_source"] == str(path.resolve()) == view.source
    assert start["scenario_sha256"] == load_scenario(str(path))[0].sha256() == view.scenario_sha256
    page = web.client.get(f"/r/{view.id}").text
    assert "You are <strong>Veyra Advanced Materials</strong> (vendor)" in page


def test_a_valid_upload_is_stored_by_its_hash_and_starts(web: Web, deals: Path, tmp_path: Path) -> None:
    data = variant("uploaded_deal", "An uploaded deal").encode()
    digest = hashlib.sha256(data).hexdigest()
    before = sorted(p.name for p in deals.iterdir())
    response = upload(web, data, "my%20deal.yaml")
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["id"] == f"upload:{digest}" and answer["scenario"]["title"] == "An uploaded deal"
    stored = tmp_path / "r" / "_uploads" / f"{digest}.yaml"
    assert stored.read_bytes() == data
    assert sorted(p.name for p in deals.iterdir()) == before  # never in a scenario folder
    assert upload(web, data).json()["id"] == answer["id"]  # the same file again: the same id
    assert listing(web)[answer["id"]]["origin"] == "upload"
    started = web.post("/api/rehearsals", {"scenario": answer["id"], "seat": "supplier", "seed": SEED})
    assert started.status_code == 201, started.text
    view = web.service.view(started.json()["id"])
    assert view.seat == "supplier" and view.id.startswith("uploaded_deal-")
    start = run_start(view)
    assert start["scenario_source"] == str(stored.resolve())
    assert start["scenario_sha256"] == load_scenario(str(stored))[0].sha256()
    # The page lists the upload under its own heading.
    assert '<option value="upload:' + digest + '">An uploaded deal</option>' in web.client.get("/").text


def test_an_invalid_upload_shows_the_cli_problems_and_is_not_stored(
    web: Web, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = upload(web, BROKEN.encode(), "broken.yaml")
    assert response.status_code == 400
    answer = response.json()
    assert "broken.yaml is not a valid scenario (2 problems)" in answer["error"]
    monkeypatch.chdir(tmp_path / "deals")  # as `pactlab scenario validate broken.yaml` there prints them
    assert answer["errors"] == cli_problems(Path("broken.yaml"))
    assert not (tmp_path / "r" / "_uploads").exists()


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 9)}]\n" for n in range(8)
)
"""Nine levels of nine aliases each: 387 million values once expanded, in under 400 bytes."""


@pytest.mark.parametrize(
    ("data", "headers", "status", "words"),
    [
        (b"a: b\n" * 60_000, {}, 413, "at most 256 KiB"),
        (b"id: x\n", {"content-type": "text/plain"}, 415, "send the scenario file as YAML"),
        (b"id: x\n", {"content-type": "multipart/form-data; boundary=x"}, 415, "send the scenario file as YAML"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", {}, 400, "not UTF-8 text (byte 0)"),
        (b"\x00\x01\x02", {}, 400, "U+0000 is not allowed in a YAML file"),
        (b"just some words\n", {}, 400, "expected a mapping for Scenario"),
        (b"id: [unclosed\n", {}, 400, "YAML syntax error"),
        (BOMB.encode(), {}, 400, "too large once its aliases are expanded"),
        (b"a: &x [1, *x]\n", {}, 400, "alias *x repeats a node inside itself"),
        (b"a: " + b"[" * 5_000 + b"]" * 5_000 + b"\n", {}, 400, "nested too deeply"),
        (b"id: !!python/object/apply:os.system [echo pwned]\n", {}, 400, "is not allowed"),
        (b"id: !!python/name:os.system x\n", {}, 400, "is not allowed"),
        (b"? [a, b]\n: c\n", {}, 400, "a key must be a plain value"),
    ],
    ids=[
        "too-large",
        "text-plain",
        "multipart",
        "binary",
        "control-characters",
        "a-scalar",
        "syntax",
        "alias-bomb",
        "recursive-alias",
        "deep-nesting",
        "python-object",
        "python-name",
        "collection-key",
    ],
)
def test_bad_uploads_are_refused_quickly_and_nothing_is_stored(
    web: Web, tmp_path: Path, data: bytes, headers: dict[str, str], status: int, words: str
) -> None:
    began = time.monotonic()
    response = upload(web, data, "bad.yaml", **headers)
    assert time.monotonic() - began < 120  # a hang guard (no expansion, no deep recursion), not a speed check
    assert response.status_code == status, response.text
    answer = response.json()
    assert words in answer["error"] or any(words in line for line in answer.get("errors", [])), answer
    for line in answer.get("errors", []):
        assert line.startswith("bad.yaml")  # file:line:col: field: message, like the CLI
    assert not (tmp_path / "r" / "_uploads").exists()
    assert web.service.ids() == []


@pytest.mark.parametrize(
    "sid",
    [
        "../deals/carbon_deal.yaml",
        "deals/carbon_deal.yaml",
        "carbon_deal",
        "deals:carbon_deal.yaml",
        "deals:../deals/carbon_deal",
        "deals:/etc/passwd",
        "/etc/passwd",
        "../../../../etc/passwd",
        "upload:../../r/checkpoints.sqlite",
        "upload:" + "0" * 64,
        "shipped:platform_material",
        "platform_material.yaml",
        "ABSOLUTE",
        "SHIPPED_PATH",
        "",
        None,
        ["deals:carbon_deal"],
        {"id": "deals:carbon_deal"},
    ],
)
def test_paths_from_the_browser_are_not_ids(web: Web, deals: Path, sid: Any) -> None:
    if sid == "ABSOLUTE":
        sid = str((deals / "carbon_deal.yaml").resolve())
    elif sid == "SHIPPED_PATH":
        sid = str(shipped_scenarios()["platform_material"])
    response = web.post("/api/rehearsals", {"scenario": sid, "seat": "platform"})
    assert response.status_code == 400, response.text
    assert "unknown scenario" in response.json()["error"]
    assert web.service.ids() == []


def test_the_debrief_links_the_term_sheet_of_an_agreed_rehearsal(
    web: Web, nash_terms: dict[str, IssueValue], tmp_path: Path
) -> None:
    response = web.post("/api/rehearsals", {"scenario": "deals:same_deal", "seat": "platform", "seed": SEED})
    assert response.status_code == 201, response.text
    rid = response.json()["id"]
    assert web.client.get(f"/r/{rid}/termsheet.html").status_code == 409  # still under way
    view = play_to_end(web.service, web.service.view(rid), nash_terms)
    assert view.status == "agreement"
    run_dir = tmp_path / "r" / rid
    debrief = web.client.get(f"/r/{rid}/debrief").text
    assert f'id="termsheet-html" href="/r/{rid}/termsheet.html"' in debrief
    assert f'id="termsheet-md" href="/r/{rid}/termsheet.md"' in debrief
    assert ("termsheet-docx" in debrief) == (run_dir / "termsheet.docx").exists()
    assert str(escape(view.source)) in debrief and view.scenario_sha256 in debrief
    html = web.client.get(f"/r/{rid}/termsheet.html")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert html.content == (run_dir / "termsheet.html").read_bytes() and "Term sheet" in html.text
    assert "sandbox" in html.headers["content-security-policy"]
    markdown = web.client.get(f"/r/{rid}/termsheet.md")
    assert markdown.status_code == 200 and markdown.content == (run_dir / "termsheet.md").read_bytes()
    assert markdown.headers["content-disposition"].startswith("attachment")
    docx = web.client.get(f"/r/{rid}/termsheet.docx")
    assert docx.status_code == (200 if (run_dir / "termsheet.docx").exists() else 404)
    # Only those names, only from this run's folder.
    for url in (
        f"/r/{rid}/termsheet.jsonl",
        f"/r/{rid}/termsheet.%2e%2e%2ftranscript.jsonl",
        f"/r/{rid}/termsheet..%2Fscorecard.json",
        f"/r/{rid}/transcript.jsonl",
        f"/r/{rid}/scorecard.json",
        f"/r/{rid}%2F..%2F{rid}/termsheet.html",
        "/r/..%2F..%2Fetc/termsheet.html",
        "/r/nope/termsheet.html",
    ):
        assert web.client.get(url).status_code == 404, url


def test_no_term_sheet_without_a_deal(web: Web) -> None:
    rid = web.start(scenario="deals:same_deal")
    view = web.service.view(rid)
    web.service.submit(rid, {"kind": "walk_away", "reason": "not today", "by": "Ada", "turn": view.table["turn"]})
    assert web.service.view(rid).status == "walk_away"
    debrief = web.client.get(f"/r/{rid}/debrief")
    assert debrief.status_code == 200 and "termsheet-" not in debrief.text
    for fmt in ("html", "md", "docx"):
        assert web.client.get(f"/r/{rid}/termsheet.{fmt}").status_code == 404


def test_folders_get_unique_labels_and_the_shipped_folder_is_listed_once(tmp_path: Path) -> None:
    made = [tmp_path / "a" / "deals", tmp_path / "b" / "deals", tmp_path / "Shipped", tmp_path / "My Deals!"]
    for folder in made:
        folder.mkdir(parents=True)
    shipped = shipped_scenarios()["platform_material"].parent
    library = Library([*made, made[0], shipped], tmp_path / "_uploads")
    assert [(f.label, f.path) for f in library.folders] == [
        ("deals", made[0]),
        ("deals-2", made[1]),
        ("shipped-2", made[2]),
        ("my-deals", made[3]),
    ]
    (made[1] / "big.yaml").write_bytes(b"# padding\n" * 30_000)
    (made[1] / "twice.yaml").write_text(variant("twice", "Twice"), encoding="utf-8")
    (made[1] / "twice.yml").write_text(variant("twice_too", "Twice too"), encoding="utf-8")
    (made[1] / ".hidden.yaml").write_text(variant("hidden", "Hidden"), encoding="utf-8")
    entries = {f.id: f for f in library.files()}
    assert [sid for sid in entries if sid.startswith("deals-2:")] == [
        "deals-2:big",
        "deals-2:twice",
        "deals-2:twice.yml",
    ]
    assert entries["deals-2:big"].check.problems == (
        f"{made[1] / 'big.yaml'}: the file is too large (300,000 bytes): at most 256 KiB",
    )
    assert entries["deals-2:twice.yml"].check.scenario is not None
    assert sum(1 for f in entries.values() if f.origin == "shipped") == len(shipped_scenarios())


def test_the_default_folder_is_scenarios_where_the_server_starts(tmp_path: Path) -> None:
    assert default_folders(tmp_path) == []
    (tmp_path / "scenarios").mkdir()
    assert default_folders(tmp_path) == [tmp_path / "scenarios"]
