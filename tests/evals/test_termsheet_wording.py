"""Term-sheet wording from the scenario: default wording per clause kind with the parties' names, the
scenario's own Jinja2 templates, clear template errors, per-issue rationale, and a Word redline whose
tracked changes are counted exactly. No negotiation is run: transcripts are built in memory."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml

from evals.termsheet import (
    FORMATS,
    IssueNames,
    Signatories,
    TermSheetDocument,
    WordingError,
    check_wording,
    draft_term_sheet,
    issue_rationale,
    parse_formats,
    split_rationale,
    to_docx,
    to_html,
    to_markdown,
)
from evals.termsheet.rationale import distinctive_options
from pactlab.domain import clauses as clause_model
from pactlab.domain.catalog import shipped_files, shipped_folder
from pactlab.domain.issues import IssueValue
from pactlab.domain.scenario import Scenario, TierKind
from tests.evals.termsheet_helpers import (
    W,
    accepted_text,
    first_terms,
    invented,
    original_text,
    read_docx,
    synthetic_run,
    word_date,
    write_transcript,
)

PACKAGE = Path(__file__).resolve().parents[2] / "evals" / "termsheet"
ACME, BIRCH, CEDAR = "Acme Rotor Works", "Birch Sensor Systems", "Cedar Institute of Technology"


def _draft(terms: dict[str, IssueValue], scenario: Scenario | None = None, **kwargs: Any) -> TermSheetDocument:
    scenario = scenario or invented()
    proposals = [("acme", first_terms(scenario), ""), ("birch", terms, "")]
    return draft_term_sheet(synthetic_run(scenario, proposals, **kwargs))


def _texts(changes: dict[str, IssueValue], scenario: Scenario | None = None, **kwargs: Any) -> dict[str, str]:
    scenario = scenario or invented()
    doc = _draft({**first_terms(scenario), **changes}, scenario, **kwargs)
    return {c.issue_id: c.text for c in doc.clauses}


# -- default wording per clause kind -------------------------------------------------------------


def test_default_wording_names_the_parties_by_their_roles_in_each_clause() -> None:
    texts = _texts(
        {
            "results_owner": "each_in_own_field",
            "user_rights": "free_rights",
            "sales_scope": "wide",
            "lockout_period": 12,
            "fee_percent": 3,
            "signing_fee": 100,
            "budget_share": 50,
            "liability": "capped",
            "load_data_sharing": "confidential",
            "paper_delay": 6,
            "escalation": "whole_route",
            "test_site": "south_coast",
            "handover_weeks": 4,
        }
    )
    three = f"{ACME}, {BIRCH} and {CEDAR}"
    assert texts["results_owner"].endswith(
        f"is owned by each party in its own field of use: {ACME} in rotor blades; {BIRCH} in structural sensing; "
        f"{CEDAR} in composites research."
    )
    assert texts["user_rights"] == (
        f"{three} receive a non-exclusive, royalty-free licence to use the foreground IP they do not own, "
        "limited to the blade programme."
    )
    assert texts["sales_scope"] == (
        f"{BIRCH} may sell what it develops under this agreement to customers outside {ACME}' field "
        "(rotor blades for wind turbines), but not within it."
    )
    assert texts["lockout_period"].startswith(f"For 12 months after {ACME} launches")
    assert f"{BIRCH} supplies those results to no other customer in {ACME}' field" in texts["lockout_period"]
    assert texts["fee_percent"] == (
        f"{ACME} pays each of {BIRCH} and {CEDAR} a royalty of 3% of the price of each blade that carries the sensors."
    )
    assert texts["signing_fee"] == f"{ACME} pays {CEDAR} 100 kEUR on signature."
    assert texts["budget_share"] == (
        f"{ACME} bears 50% of the research and development cost; {BIRCH} and {CEDAR} bear the remaining 50% "
        "in equal shares."
    )
    assert f"is carried 50% by {ACME} and 50% by {BIRCH}." in texts["liability"]
    assert texts["liability"].endswith("capped at twice the annual fees.")
    assert texts["load_data_sharing"] == (
        f"{ACME} discloses the blade load measurements to {BIRCH} and {CEDAR} under a non-disclosure agreement."
    )
    assert texts["paper_delay"] == (
        f"{CEDAR} may publish a result 6 months after disclosing it to {ACME} and {BIRCH}, and not earlier."
    )
    assert "(1) Engineering leads: The engineering leads meet within a week; (2) Steering board:" in texts["escalation"]
    assert "(3) Arbitral tribunal: Binding arbitration on the open terms only." in texts["escalation"]
    assert texts["test_site"] == "The parties agree on Test site: south coast."  # kind: other
    assert texts["handover_weeks"] == "The parties agree on Handover time: 4 weeks."  # no clause: name, value, unit
    for text in texts.values():
        assert "_" not in text and "{" not in text, text


def test_a_single_owner_licenses_the_others_and_joint_owners_need_no_licence() -> None:
    owned = _texts({"results_owner": "acme_owns", "user_rights": "paid_rights"})
    assert owned["results_owner"].endswith(f"is owned by {ACME}.")
    assert owned["user_rights"] == (
        f"{BIRCH} and {CEDAR} receive a non-exclusive licence, against a royalty, to use the foreground IP they do "
        "not own."
    )
    shared = _texts({"results_owner": "shared", "user_rights": "sole_rights"})
    assert shared["results_owner"].endswith(f"is owned jointly by {ACME}, {BIRCH} and {CEDAR}.")
    assert shared["user_rights"].endswith("no licence to it is needed.")
    inventor = _texts(
        {"results_owner": "whoever_invents", "liability": "by_gain", "escalation": "straight_to_tribunal"}
    )
    assert "owned by the party whose people made the invention" in inventor["results_owner"]
    assert "in proportion to the benefit each captures" in inventor["liability"]
    assert inventor["escalation"] == (
        "Any dispute under this agreement is referred directly to Arbitral tribunal "
        "(Binding arbitration on the open terms only)."
    )


def test_parties_that_did_not_sign_drop_out_of_the_party_lists() -> None:
    texts = _texts({"fee_percent": 2, "load_data_sharing": "open_data"}, accepted_by=["acme", "birch"])
    assert texts["fee_percent"] == (
        f"{ACME} pays {BIRCH} a royalty of 2% of the price of each blade that carries the sensors."
    )
    assert texts["load_data_sharing"] == (
        f"{ACME} discloses the blade load measurements to {BIRCH} in full, without confidentiality restrictions."
    )
    assert CEDAR not in texts["budget_share"]


def _shipped_vocabulary() -> tuple[set[str], set[str]]:
    """The shipped scenarios' ids (issues, options, parties, fields, tiers) and their parties' names."""
    ids: set[str] = set()
    names: set[str] = set()
    for path in shipped_files(shipped_folder("scenarios")).values():
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        for issue in data["issues"]:
            ids |= {issue["id"], *(issue.get("options") or [])}
        for party in data["parties"]:
            ids |= {party["id"], *party.get("fields", [])}
            names |= {party["name"], *party["name"].split()}
        ids |= {t["id"] for t in data.get("dispute_ladder", [])}
    # the clause model's own words (kinds, scopes, levels, owner kinds) are shared vocabulary, not the scenarios'
    vocabulary = {
        str(v)
        for literal in (
            clause_model.ClauseKind,
            clause_model.LicenceScope,
            clause_model.CommercialisationScope,
            clause_model.DisclosureLevel,
            clause_model.OwnerKind,
            TierKind,
        )
        for v in get_args(literal)
    }
    return ids - vocabulary, names


SHIPPED_WORDS = ("car maker", "vehicle", "battery", "converter", "enclosure")


def _leaks(text: str) -> list[str]:
    ids, names = _shipped_vocabulary()
    found = [i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text)]
    found += [n for n in names if len(n) > 3 and re.search(rf"\b{re.escape(n)}\b", text)]
    return found + [w for w in SHIPPED_WORDS if w in text.lower()]


def test_the_term_sheet_package_knows_no_shipped_scenario() -> None:
    sources = [p for p in PACKAGE.rglob("*") if p.suffix in (".py", ".j2", ".css")]
    assert len(sources) > 15
    leaks = {str(p.relative_to(PACKAGE)): _leaks(p.read_text(encoding="utf-8")) for p in sources}
    assert {p: found for p, found in leaks.items() if found} == {}


def test_an_invented_scenario_reads_as_a_contract_with_no_shipped_word() -> None:
    scenario = invented()
    changes: dict[str, IssueValue] = {"results_owner": "each_in_own_field", "user_rights": "free_rights"}
    doc = _draft({**first_terms(scenario), **changes}, scenario)
    for rendered in (to_markdown(doc), to_html(doc)):
        assert _leaks(rendered) == []
        for name in (ACME, BIRCH, CEDAR):
            assert name in rendered


# -- the scenario's own templates ----------------------------------------------------------------


def test_option_and_clause_templates_word_the_clause() -> None:
    scenario = invented(
        {
            "results_owner": {
                "options.acme_owns.wording": "All results belong to {{ owner }}; {{ owners | names }} decides."
            },
            "fee_percent": {"wording": "{{ payer }} pays {{ payees | names }} {{ value }}{{ unit }} <b>per blade</b>."},
            "sales_scope": {
                "wording": "{{ holders | names }} sells {{ value_text }} ({{ scope }})"
                " for {{ customer | possessive }} sake.",
                "options.open.wording": "{{ holders | names }} sells anywhere.",
            },
        }
    )
    doc = _draft({**first_terms(scenario), "fee_percent": 4, "sales_scope": "wide"}, scenario)
    texts = {c.issue_id: c.text for c in doc.clauses}
    assert texts["results_owner"] == f"All results belong to {ACME}; {ACME} decides."
    assert texts["fee_percent"] == f"{ACME} pays {BIRCH} and {CEDAR} 4% <b>per blade</b>."
    assert texts["sales_scope"] == f"{BIRCH} sells wide (outside_customer_field) for {ACME}' sake."
    assert _texts({"sales_scope": "open"}, scenario)["sales_scope"] == f"{BIRCH} sells anywhere."
    page, markdown = to_html(doc), to_markdown(doc)
    assert "&lt;b&gt;per blade&lt;/b&gt;" in page and "<b>" not in page
    assert "&lt;b&gt;per blade&lt;/b&gt;" in markdown


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ owner }", r"issue 'results_owner', option 'acme_owns'.*syntax error on line 1.*fix the Jinja2 syntax"),
        ("{% if owner %}{{ owner }}", r"option 'acme_owns'.*syntax error.*endif"),
        ("{{ payer }} owns it", r"'payer' is undefined.*ip_ownership clause's template can use: issue, value, .*owner"),
        ("{{ owner.__class__.__mro__ }}", r"issue 'results_owner', option 'acme_owns'"),
        ("{{ owners | nosuchfilter }}", r"nosuchfilter"),
    ],
)
def test_a_broken_template_is_a_clear_error(template: str, expected: str) -> None:
    scenario = invented({"results_owner": {"options.acme_owns.wording": template}})
    with pytest.raises(WordingError, match=expected) as caught:
        _draft(first_terms(scenario), scenario)
    assert caught.value.issue == "results_owner" and caught.value.option == "acme_owns"
    assert "clause.options.acme_owns.wording" in str(caught.value)
    problems = check_wording(Signatories(scenario, tuple(scenario.party_ids)))
    assert len(problems) == 1 and "results_owner" in problems[0]


def test_the_cli_reports_a_broken_template_as_bad_input(tmp_path: Path) -> None:
    scenario = invented({"fee_percent": {"wording": "{{ payer }} pays {{ payee }}."}})
    path = write_transcript(synthetic_run(scenario, [("acme", first_terms(scenario), "")]), tmp_path / "t.jsonl")
    done = subprocess.run(
        [sys.executable, "-m", "pactlab", "termsheet", str(path)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 2, done.stdout + done.stderr
    message = " ".join(done.stderr.split())
    assert "issue 'fee_percent'" in message and "clause.wording" in message and "'payee' is undefined" in message
    assert "payer, payees" in message  # what the clause kind can use


def test_every_default_template_renders_every_option_of_the_shipped_and_invented_scenarios() -> None:
    from pactlab.domain.loader import load_model

    scenarios = [invented()] + [
        load_model(path, Scenario) for path in shipped_files(shipped_folder("scenarios")).values()
    ]
    for scenario in scenarios:
        assert check_wording(Signatories(scenario, tuple(scenario.party_ids))) == [], scenario.id


# -- per-issue rationale -------------------------------------------------------------------------

RATIONALE = (
    "Changed budget_share (25 → 50), sales_scope (narrow → wide) versus our previous offer: we concede on "
    "budget_share. We keep the Lock-out period short; the load data must stay withheld until launch. "
    "Against the proposal on the table, this changes liability, paper_delay."
)


def _names(issue_id: str) -> IssueNames:
    scenario = invented()
    options = {i.id: [str(v) for v in i.values()] if i.kind == "categorical" else [] for i in scenario.issues}
    issue = next(i for i in scenario.issues if i.id == issue_id)
    mine = distinctive_options(issue_id, options[issue_id], options, scenario.party_ids)
    return IssueNames(issue_id, issue.label, mine)


def test_the_rationale_splits_into_sentences_and_semicolon_parts_outside_brackets() -> None:
    assert split_rationale("A (x; y) b; c. D e! F") == ["A (x; y) b", "c.", "D e!", "F"]
    assert split_rationale("Keep a. b") == ["Keep a. b"]  # a sentence starts with a capital
    assert split_rationale("  ") == []


@pytest.mark.parametrize(
    ("issue_id", "expected"),
    [
        (
            "budget_share",
            "Changed budget_share (25 → 50), sales_scope (narrow → wide) versus our previous offer: we concede on "
            "budget_share.",
        ),
        ("lockout_period", "We keep the Lock-out period short."),  # by its display name
        ("load_data_sharing", "The load data must stay withheld until launch."),  # by an option
        ("paper_delay", "Against the proposal on the table, this changes liability, paper_delay."),
        ("test_site", ""),  # not mentioned: nothing, never the whole text
    ],
)
def test_a_clause_keeps_only_the_rationale_about_its_issue(issue_id: str, expected: str) -> None:
    assert issue_rationale(RATIONALE, _names(issue_id)) == expected


def test_short_common_options_do_not_count_as_naming_an_issue() -> None:
    names = _names("sales_scope")  # options narrow, wide, open: short ordinary words
    assert names.options == ("narrow",)
    assert issue_rationale("The market is wide open.", names) == ""
    assert _names("load_data_sharing").options == ("withheld", "confidential", "open_data")


def test_without_a_mention_the_moves_own_reason_for_the_issue_is_used() -> None:
    names = _names("signing_fee")
    assert issue_rationale("We move on price.", names, {"signing_fee": "Cash is  short."}) == "Cash is short."
    scenario = invented()
    terms = {**first_terms(scenario), "signing_fee": 150, "budget_share": 25}
    run = synthetic_run(
        scenario,
        [("acme", first_terms(scenario), "Opening."), ("birch", terms, "We concede on budget_share.")],
        reasons={1: {"signing_fee": "Our board needs the fee on signature."}},
    )
    clauses = {c.issue_id: c for c in draft_term_sheet(run).clauses}
    assert clauses["signing_fee"].origin.rationale == "Our board needs the fee on signature."
    assert clauses["budget_share"].origin.rationale == "We concede on budget_share."
    assert clauses["test_site"].origin.rationale == ""
    assert "(none given for this term)" in to_markdown(draft_term_sheet(run))


# -- Word: exact tracked changes -----------------------------------------------------------------


def test_docx_changes_to_a_changed_term_nest_inside_the_earlier_insertion() -> None:
    scenario = invented()
    base = first_terms(scenario)
    run = synthetic_run(
        scenario,
        [
            ("acme", {**base, "budget_share": 25}, "Opening."),
            ("birch", {**base, "budget_share": 50}, "We ask budget_share 50."),
            ("acme", {**base, "budget_share": 75}, "We take more of the budget."),
        ],
    )
    doc = draft_term_sheet(run)
    n, clause = next((n, c) for n, c in enumerate(doc.clauses, 1) if c.issue_id == "budget_share")
    paragraphs, comments = read_docx(to_docx(doc))
    paragraph = paragraphs[f"{n}. {clause.heading}"]
    ins = [e for e in paragraph.iter(f"{W}ins")]
    dels = [e for e in paragraph.iter(f"{W}del")]
    assert Counter(e.get(f"{W}author") for e in ins) == {BIRCH: 2, ACME: 2}  # 50 and 50 by Birch; 75, 25 by Acme
    assert Counter(e.get(f"{W}author") for e in dels) == {BIRCH: 2, ACME: 2}  # 25, 75 by Birch; Birch's 50s by Acme
    nested = [d for i in ins if i.get(f"{W}author") == BIRCH for d in i.iter(f"{W}del")]
    assert [d.get(f"{W}author") for d in nested] == [ACME, ACME]
    dates = {e.get(f"{W}author"): e.get(f"{W}date") for e in ins}
    assert dates == {BIRCH: word_date(clause.history[1].ts), ACME: word_date(clause.history[2].ts)}
    assert accepted_text(paragraph) == clause.text and "75%" in clause.text
    assert original_text(paragraph) == clause.history[0].text and "25%" in clause.history[0].text
    texts = [accepted_text(comments[e.get(f"{W}id")]) for e in paragraph.iter(f"{W}commentRangeStart")]
    assert len(texts) == 3
    for rev in clause.history:
        (text,) = [t for t in texts if rev.record_hash in t]
        assert f"Audit record {rev.seq}," in text
    (birch,) = [t for t in texts if clause.history[1].record_hash in t]
    assert "We ask budget_share 50." in birch and "Opening" not in birch


def test_formats_parse_from_repeated_or_listed_options() -> None:
    assert parse_formats(None) == ("md", "html")
    assert parse_formats(["docx", "md"]) == ("md", "docx")
    assert parse_formats(["html,docx"]) == ("html", "docx")
    assert parse_formats(["all"]) == FORMATS
    with pytest.raises(ValueError, match="--format pdf: use md, html, docx or all"):
        parse_formats(["pdf"])


def test_scenario_validate_renders_the_scenarios_own_templates(tmp_path: Path) -> None:
    """A broken template is found when the scenario is validated, not after a deal."""
    import yaml

    broken = invented({"fee_percent": {"wording": "{{ payer }} pays {{ payee }}."}})
    fine = invented({"fee_percent": {"wording": "{{ payer.name }} pays {{ value_text }}."}})
    for name, scenario in (("broken", broken), ("fine", fine)):
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(scenario.model_dump(mode="json"), sort_keys=False), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pactlab", "scenario", "validate", str(tmp_path / "broken.yaml")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    message = " ".join(done.stderr.split())
    assert done.returncode == 2 and "issue 'fee_percent'" in message and "'payee' is undefined" in message
    done = subprocess.run(
        [sys.executable, "-m", "pactlab", "scenario", "validate", str(tmp_path / "fine.yaml")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
