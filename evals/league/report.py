"""Write a league's report: report.html (Jinja2, autoescaped), report.md and summary.json."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import jinja2

from evals import markdown
from evals.intervals import Interval
from evals.league.llm import LLM_METRICS
from evals.league.metrics import BY_KEY
from evals.league.runs import LeagueInfo, LeagueRun
from evals.league.summary import LeagueSummary, summarise, to_json
from evals.league.template import TEMPLATE
from evals.scorecard import approximate_summary

HTML = "report.html"
MARKDOWN = "report.md"
SUMMARY = "summary.json"


def write_report(info: LeagueInfo, runs: Sequence[LeagueRun], folder: Path) -> tuple[LeagueSummary, list[Path]]:
    """Summarise the runs and write the three report files into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    summary = summarise(info, runs)
    html_path, md_path, json_path = folder / HTML, folder / MARKDOWN, folder / SUMMARY
    html_path.write_text(render_html(summary, len(runs)), encoding="utf-8")
    md_path.write_text(render_markdown(summary), encoding="utf-8")
    json_path.write_text(json.dumps(to_json(summary), indent=2) + "\n", encoding="utf-8")
    return summary, [html_path, md_path, json_path]


def render_html(summary: LeagueSummary, total: int) -> str:
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    seeds = summary.info.seeds
    shown = ", ".join(map(str, seeds)) if len(seeds) <= 8 else f"{seeds[0]}…{seeds[-1]} ({len(seeds)})"
    return environment.from_string(TEMPLATE).render(
        s=summary,
        total=total,
        seeds=shown,
        rank_label=BY_KEY[summary.info.rank_by].label,
        llm_metrics=LLM_METRICS,
        llm_note=LLM_NOTE,
        versus_labels=list(VERSUS_LABELS.values()),
        versus_rows=versus_cells(summary),
        versus_note=VERSUS_NOTE,
        endpoint=endpoint_text(summary),
        approximate=approximate_summary(summary.approximate, summary.counts["done"]),
    )


def cell(interval: Interval, digits: int) -> str:
    """``0.812 [0.701, 0.923]``; ``–`` without values; no brackets for one value."""
    if interval.n == 0 or math.isnan(interval.estimate):
        return "–"
    text = f"{interval.estimate:.{digits}f}"
    return text if interval.n == 1 else f"{text} [{interval.low:.{digits}f}, {interval.high:.{digits}f}]"


def ranking_markdown(summary: LeagueSummary) -> str:
    """The ranking table in Markdown (what README quotes)."""
    metrics = summary.metrics
    head = ["#", "type", "runs", *[m.label for m in metrics], "beats"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in summary.rows:
        cells = [str(row.rank), markdown.code(row.spec, in_table=True), str(row.runs)]
        cells += [cell(row.metrics[m.key], m.digits) for m in metrics]
        cells.append(markdown.text(", ".join(row.beats)) or "–")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def endpoint_text(summary: LeagueSummary) -> str:
    """Where the LLM types found their model: ``local: gemma-3-270m (file …, SHA-256 …)``; empty if unknown."""
    found = summary.info.endpoint
    if not found:
        return ""
    text = f"{found.get('mode', '?')}: model {found.get('model', '?')}"
    if found.get("file"):
        text += f", file {found['file']} (SHA-256 {found.get('sha256', '?')})"
    if found.get("host"):
        text += f" at {found['host']}"
    return text


def llm_markdown(summary: LeagueSummary) -> str:
    """The LLM types' decision sources and costs in Markdown (empty without LLM types)."""
    if not summary.llm:
        return ""
    head = ["type", "runs", "decisions", *[m.label for m in LLM_METRICS], "models"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in summary.llm:
        cells = [markdown.code(row.spec, in_table=True), str(row.runs), str(row.decisions)]
        cells += [cell(row.metrics[m.key], m.digits) for m in LLM_METRICS]
        cells.append(markdown.text(", ".join(row.models)) or "–")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


VERSUS_LABELS = {
    "agreement": "agreement",
    "surplus": "own surplus",
    "others_surplus": "others' surplus",
    "false_claims": "false claims/run",
    "screen_hits": "screen hits/run",
}
VERSUS_NOTE = (
    "Each LLM type with a stance or an adversarial role against the baseline (the league's first LLM type with "
    "neither): its mean and, in brackets, the difference from the baseline's mean. Others' surplus is the mean "
    "surplus of the other seats in the runs it sat in: what the stance or role does to the other parties."
)


def versus_cells(summary: LeagueSummary) -> list[list[str]]:
    """The stances-and-roles table's rows (type, behaviour, baseline, then each compared figure with its Δ)."""
    rows = []
    for v in summary.versus:
        cells = [v.name, v.behaviour, v.baseline]
        for key in VERSUS_LABELS:
            value, delta = v.values[key], v.deltas[key]
            cells.append("–" if math.isnan(value) else f"{value:.3f} ({'–' if math.isnan(delta) else f'{delta:+.3f}'})")
        rows.append(cells)
    return rows


def versus_markdown(summary: LeagueSummary) -> str:
    """The stances and roles against the baseline LLM type in Markdown (empty without any)."""
    if not summary.versus:
        return ""
    head = ["type", "stance / role", "baseline", *VERSUS_LABELS.values()]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for cells in versus_cells(summary):  # names escaped; figures are ours ("1.000" is no list marker in a cell)
        names, figures = cells[:3], cells[3:]
        lines.append("| " + " | ".join([*(markdown.text(c) for c in names), *figures]) + " |")
    return "\n".join(lines)


LLM_NOTE = (
    "Decision sources per decision of the type's seats: own (the model's first reply valid), repaired (valid "
    "after a repair), fallback (the fallback strategy acted); shares per run, then the mean. An LLM agreement is "
    "an agreement whose deciding moves (each seat's last decision) were the model's, not the fallback's; model "
    "closed: the share of agreements that are LLM agreements. Tokens and seconds per agreement are the type's "
    "totals over its agreements (no interval); the per-run figures carry 95% intervals (Wilson for proportions, "
    "Student's t clipped to the range otherwise)."
)


def _approximate_lines(summary: LeagueSummary) -> list[str]:
    """The note on approximate figures (large outcome spaces), as Markdown lines; none when all are exact."""
    note = approximate_summary(summary.approximate, summary.counts["done"])
    return [] if note is None else [markdown.text(note), ""]


def render_markdown(summary: LeagueSummary) -> str:
    info = summary.info
    label = BY_KEY[info.rank_by].label
    counts = summary.counts
    out = [
        f"# League {info.name}",
        "",
        info.description,
        "",
        f"{sum(counts.values())} runs: {counts['done']} done, {counts['failed']} failed, "
        f"{counts['pending'] + counts['running']} not run yet; {len(summary.rows)} types × "
        f"{len(info.scenarios)} scenarios ({', '.join(info.scenarios)}) × all seats × {len(info.seeds)} seeds.",
        "",
        f"## Ranking by {label}",
        "",
        ranking_markdown(summary),
        "",
        "95% intervals: Wilson (statsmodels) for the agreement rate, Student's t (scipy) clipped to the metric's "
        "range otherwise. Beats: ahead on "
        f"{label} by a two-sided Mann–Whitney U test, Holm-adjusted over all pairs, at the 5% level.",
        "",
        *_approximate_lines(summary),
        f"## Pairwise tests on {label}",
        "",
        "| A | B | mean A | mean B | P(A>B) | p | p (Holm) | significant |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in summary.comparisons:
        verdict = f"yes ({markdown.text(c.better)} ahead)" if c.better else "no"
        first, second = markdown.text(c.first), markdown.text(c.second)
        out.append(
            f"| {first} | {second} | {c.first_mean:.3f} | {c.second_mean:.3f} | {c.superiority:.2f} "
            f"| {c.p_value:.4f} | {c.p_adjusted:.4f} | {verdict} |"
        )
    if summary.llm:
        where = endpoint_text(summary)
        out += ["", "## LLM seats", "", *([f"Endpoint: {markdown.text(where)}.", ""] if where else [])]
        out += [llm_markdown(summary), "", LLM_NOTE]
    if summary.versus:
        out += ["", "## Stances and roles against the baseline", "", versus_markdown(summary), "", VERSUS_NOTE]
    out += ["", "## Seats", "", "every type sat in every seat" if summary.covered else "INCOMPLETE seat coverage", ""]
    return "\n".join(out) + "\n"
