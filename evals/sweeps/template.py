"""The sweep report's Jinja2 template: one self-contained HTML page (styles inline, plots as data URIs)."""

TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Sweep {{ s.info.name }} — pactlab</title>
<style>
 body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 78rem;
        padding: 0 1rem; color: #1d2733; line-height: 1.45; }
 h1 { margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #d5dbe3; padding-bottom: .2rem; }
 .lead { color: #4a5868; margin-top: 0; }
 table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .84rem; max-width: 100%; }
 th, td { padding: .25rem .45rem; border-bottom: 1px solid #e4e8ee; text-align: right; vertical-align: top; }
 th { font-weight: 600; white-space: normal; }
 td { white-space: nowrap; } td.l, td.terms { white-space: normal; text-align: left; }
 table.variants td.l { min-width: 14rem; max-width: 24rem; } table.variants td.l span { display: block; }
 .wide { max-width: 100%; overflow-x: auto; }
 .pactlab-chart { width: 100%; min-height: 560px; }
 .path { color: #6b7785; font-size: .75rem; font-weight: normal; } abbr.small { color: #b35c00; text-decoration: none; }
 th { background: #f3f5f8; } td.l, th.l { text-align: left; }
 .ci { color: #6b7785; font-size: .8rem; white-space: nowrap; }
 .note { color: #4a5868; font-size: .86rem; max-width: 60rem; }
 .counts span { display: inline-block; margin-right: 1.2rem; }
 img { max-width: 100%; border: 1px solid #e4e8ee; }
 code { background: #f3f5f8; padding: 0 .25rem; border-radius: 3px; }
 .terms { text-align: left; font-size: .8rem; }
 pre { white-space: pre-wrap; font-size: .78rem; background: #f8f9fb; padding: .4rem; }
</style>
</head>
<body>
<h1>Sweep <code>{{ s.info.name }}</code></h1>
<p class="lead">{{ s.info.scenario_title }}{% if s.info.description %} — {{ s.info.description }}{% endif %}</p>
<p class="counts" data-runs="{{ total }}" data-done="{{ s.counts.done }}">
 <span><b>{{ total }}</b> runs</span>
 <span><b>{{ s.counts.done }}</b> done</span>
 <span><b>{{ s.counts.failed }}</b> failed</span>
 <span><b>{{ s.counts.pending + s.counts.running }}</b> not run yet</span>
 <span><b>{{ s.variants_total }}</b> variants ({{ s.info.design }})</span>
 <span>seeds {{ seeds }}</span>
</p>
<p class="note">Every figure is over the <b>done</b> runs, as each run's scorecard defines it: without agreement
a run counts 0 surplus and 0 Nash ratio, and its Pareto distance is measured from the reservation point.
<b>Surplus</b>: a party's utility minus its reservation value. <b>Nash ratio</b>: the deal's Nash product over
the Nash bargaining solution's. <b>Pareto distance</b>: how far the outcome lies from the Pareto frontier in
utility space (0 on it). <b>Policy violations</b>: failed rule verdicts of the policy gate per run (from the
audit trail). Brackets give 95% confidence intervals, each bounded to its measure's range:
the Wilson score interval (statsmodels) for the agreement rate, Student's t interval of the mean (scipy)
otherwise, clipped to what the measure can take (Nash ratio 0–1, surplus between minus the walk-away value
and one minus it, Pareto distance 0–√parties, violations from 0); over the seeds of a variant, and over
seeds and the other factors'
levels for a factor level. Hover an interval for its method.</p>
<p class="note" id="methods">{{ methods }}
Every run's scorecard is in <code>{{ csv_name }}</code>.</p>

{% macro measures_header() -%}
<th>runs</th><th>agreement</th>{% for p in s.parties %}<th>surplus<br>{{ name(p) }}</th>{% endfor %}
<th>Nash ratio</th><th>Pareto distance</th><th>policy violations</th>
{%- endmacro %}
{% macro measures(g) -%}
<td>{{ g.runs }}</td><td>{{ pct(g.agreement) }}</td>
{% for p in s.parties %}<td>{{ est(g.surplus[p]) }}</td>{% endfor %}
<td>{{ est(g.nash_ratio) }}</td><td>{{ est(g.pareto_distance) }}</td><td>{{ est(g.violations, 1) }}</td>
{%- endmacro %}

<h2>All runs</h2>
<table><tr><th class="l"></th>{{ measures_header() }}</tr>
<tr><td>all done runs</td>{{ measures(s.overall) }}</tr></table>
{% if approximate %}<p class="note">{{ approximate }}</p>{% endif %}

{% for factor, groups in s.factors.items() %}
<h2>By {{ label(factor) }} <span class="path">{{ factor }}</span></h2>
<table><tr><th class="l">level</th>{{ measures_header() }}</tr>
{% for g in groups %}<tr><td class="l">{{ g.label }}</td>{{ measures(g) }}</tr>
{% endfor %}</table>
{% if charts.get(factor) %}{{ charts[factor] }}
<p class="note">Each point is one run's agreement, in its own variant's utilities. {{ frontier_note }}.
Hover for figures; click a level in the legend to hide it.</p>{% endif %}
{% if plots.get(factor) -%}
<details><summary>Static picture (PNG)</summary>
<img alt="agreements in utility space by {{ label(factor) }}" src="data:image/png;base64,{{ plots[factor] }}">
</details>
{%- endif %}
{% endfor %}

<h2>Policy violations by rule</h2>
{% if s.rules %}
<table><tr><th class="l">rule</th><th>failed verdicts</th><th>per done run</th></tr>
{% for rule, n in s.rules.items() %}<tr><td class="l"><code>{{ rule }}</code></td><td>{{ n }}</td>
<td>{{ "%.2f"|format(n / s.overall.runs) }}</td></tr>{% endfor %}
</table>
{% else %}<p class="note">No rule failed in any run.</p>{% endif %}

<h2>Most robust term sheets</h2>
<p class="note">Agreed term sheets, by the number of variants in which the same term sheet was agreed
(then by runs). A term sheet agreed across many variants survives changes in priorities, walk-away points,
negotiators and policies.</p>
{% if s.robust %}
<table><tr><th>#</th><th>variants</th><th>runs</th>
{% for p in s.parties %}<th>mean utility<br>{{ name(p) }}</th>{% endfor %}
<th class="l">term sheet</th><th class="l">agreed under</th></tr>
{% for d in s.robust %}<tr><td>{{ loop.index }}</td>
<td>{{ d.variants }} / {{ s.variants_total }}</td><td>{{ d.runs }}</td>
{% for p in s.parties %}<td>{{ num(d.mean_utility.get(p)) }}</td>{% endfor %}
<td class="terms">{% for issue, value in d.terms.items() -%}
{{ name(issue) }}: <b>{{ value }}</b>{% if not loop.last %}; {% endif %}{% endfor %}</td>
<td class="terms">{% for f, lv in d.levels.items() -%}
{{ label(f) }}: {{ lv|join(", ") }}{% if not loop.last %}<br>{% endif %}{% endfor %}</td></tr>
{% endfor %}</table>
{% else %}<p class="note">No run ended in agreement.</p>{% endif %}

<h2>By variant</h2>
<div class="wide" id="variants"><table class="variants"><tr><th class="l">variant</th>{{ measures_header() }}</tr>
{% for g in s.variants %}<tr><td class="l">{% for f, v in g.params.items() -%}
<span>{{ label(f) }}: <b>{{ v if v is string else v|tojson }}</b></span>
{%- else %}base scenario{% endfor %}</td>{{ measures(g) }}</tr>
{% endfor %}</table></div>

{% if failed %}
<h2>Failed runs</h2>
<p class="note">Run <code>pactlab explore</code> again with the same sweep and <code>--out</code> to rerun them.</p>
<table><tr><th class="l">run</th><th class="l">error</th></tr>
{% for r in failed %}<tr><td class="l"><code>{{ r.run_id }}</code></td><td class="l"><pre>{{ r.error }}</pre></td></tr>
{% endfor %}</table>
{% endif %}
<p class="note">Generated by <code>pactlab report</code>.</p>
{% if charts %}<script src="{{ plotly_js }}"></script>
<script>{{ render_js }}</script>{% endif %}
</body>
</html>
"""
