"""The league report's Jinja2 template: one self-contained HTML page (autoescaped; styles inline)."""

TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>League {{ s.info.name }} — pactlab</title>
<style>
 body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 78rem;
        padding: 0 1rem; color: #1d2733; line-height: 1.45; }
 h1 { margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #d5dbe3; padding-bottom: .2rem; }
 .lead { color: #4a5868; margin-top: 0; }
 table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .88rem; display: block; overflow-x: auto; }
 th, td { padding: .28rem .6rem; border-bottom: 1px solid #e4e8ee; text-align: right; vertical-align: top; }
 td { white-space: nowrap; } th { background: #f3f5f8; } td.l, th.l { text-align: left; }
 .ci { color: #6b7785; font-size: .8rem; }
 .note { color: #4a5868; font-size: .86rem; max-width: 60rem; }
 .counts span { display: inline-block; margin-right: 1.2rem; }
 .yes { color: #17663a; } .no { color: #9b1c1c; }
 code { background: #f3f5f8; padding: 0 .25rem; border-radius: 3px; }
 pre { white-space: pre-wrap; font-size: .78rem; background: #f8f9fb; padding: .4rem; }
</style>
</head>
<body>
{% macro cell(i, digits) -%}
{%- if i.n == 0 or i.estimate != i.estimate %}–{% else %}{{ "%.*f"|format(digits, i.estimate) }}
{%- if i.n > 1 %} <span class="ci">[{{ "%.*f"|format(digits, i.low) }}, {{ "%.*f"|format(digits, i.high) }}]</span>
{%- endif %}{% endif -%}
{%- endmacro %}
<h1>League <code>{{ s.info.name }}</code></h1>
<p class="lead">{{ s.info.description }}</p>
<p class="counts" data-runs="{{ total }}" data-done="{{ s.counts.done }}">
 <span><b>{{ total }}</b> runs</span><span><b>{{ s.counts.done }}</b> done</span>
 <span><b>{{ s.counts.failed }}</b> failed</span>
<span><b>{{ s.counts.pending + s.counts.running }}</b> not run yet</span>
 <span><b>{{ s.rows|length }}</b> negotiator types</span><span><b>{{ s.info.scenarios|length }}</b> scenarios</span>
 <span>seeds {{ seeds }}</span>
</p>
{% if s.info.command %}<p class="note">Produced by <code>{{ s.info.command }}</code>.</p>{% endif %}
{% if approximate %}<p class="note">{{ approximate }}</p>{% endif %}

<h2>Ranking by {{ rank_label }}</h2>
<p class="note">One observation per run and type at its table (a type holding several seats counts their mean).
Brackets: 95% confidence intervals — Wilson score interval (statsmodels) for the agreement rate; Student's t
interval (scipy) for the others, clipped to each metric's possible range:
{% for m in s.metrics %}{{ m.label }}
 [{{ "%g"|format(s.ranges[m.key][0]) }}, {{ "%.3g"|format(s.ranges[m.key][1]) }}]
{%- if not loop.last %}, {% endif %}{% endfor %}.
<b>Beats</b>: types it is ahead of on {{ rank_label }} by a two-sided Mann–Whitney U test, Holm-adjusted over
all pairs, at the 5% level.</p>
<table><tr><th>#</th><th class="l">type</th><th class="l">spec</th><th>runs</th>
{% for m in s.metrics %}<th>{{ m.label }}</th>{% endfor %}<th class="l">beats</th></tr>
{% for r in s.rows %}<tr><td>{{ r.rank }}</td><td class="l"><b>{{ r.name }}</b></td>
<td class="l"><code>{{ r.spec }}</code></td>
<td>{{ r.runs }}</td>{% for m in s.metrics %}<td>{{ cell(r.metrics[m.key], m.digits) }}</td>{% endfor %}
<td class="l">{{ r.beats|join(", ") or "–" }}</td></tr>
{% endfor %}</table>

{% if s.llm %}
<h2>LLM seats</h2>
{% if endpoint %}<p class="note">Endpoint: <code>{{ endpoint }}</code>.</p>{% endif %}
<p class="note">{{ llm_note }}</p>
<table><tr><th class="l">type</th><th>runs</th><th>decisions</th>
{% for m in llm_metrics %}<th title="{{ m.description }}">{{ m.label }}</th>{% endfor %}<th class="l">models</th></tr>
{% for r in s.llm %}<tr><td class="l"><b>{{ r.name }}</b></td><td>{{ r.runs }}</td><td>{{ r.decisions }}</td>
{% for m in llm_metrics %}<td>{{ cell(r.metrics[m.key], m.digits) }}</td>{% endfor %}
<td class="l">{{ r.models|join(", ") or "–" }}</td></tr>
{% endfor %}</table>
{% endif %}

{% if versus_rows %}
<h2>Stances and roles against the baseline</h2>
<p class="note">{{ versus_note }}</p>
<table><tr><th class="l">type</th><th class="l">stance / role</th><th class="l">baseline</th>
{% for label in versus_labels %}<th>{{ label }}</th>{% endfor %}</tr>
{% for cells in versus_rows %}<tr>{% for c in cells %}<td{% if loop.index <= 3 %} class="l"{% endif %}>{{ c }}</td>
{% endfor %}</tr>
{% endfor %}</table>
{% endif %}

<h2>Pairwise tests on {{ rank_label }}</h2>
<table><tr><th class="l">type A</th><th class="l">type B</th><th>mean A</th><th>mean B</th><th>U</th>
<th>P(A&gt;B)</th><th>p</th><th>p (Holm)</th><th class="l">significant</th></tr>
{% for c in s.comparisons %}<tr><td class="l">{{ c.first }}</td><td class="l">{{ c.second }}</td>
<td>{{ "%.3f"|format(c.first_mean) }}</td><td>{{ "%.3f"|format(c.second_mean) }}</td><td>{{ "%.1f"|format(c.u) }}</td>
<td>{{ "%.2f"|format(c.superiority) }}</td><td>{{ "%.4f"|format(c.p_value) }}</td>
<td>{{ "%.4f"|format(c.p_adjusted) }}</td>
<td class="l">{% if c.significant %}
<span class="yes">yes: {{ c.better }} ahead</span>{% else %}no{% endif %}</td></tr>
{% endfor %}</table>

<h2>{{ rank_label|capitalize }} by scenario</h2>
<table><tr><th class="l">type</th>{% for sc in s.info.scenarios %}<th>{{ sc }}</th>{% endfor %}</tr>
{% for r in s.rows %}<tr><td class="l">{{ r.name }}</td>
{% for sc in s.info.scenarios %}<td>
{% if s.by_scenario.get(sc, {}).get(r.name) %}{{ cell(s.by_scenario[sc][r.name], 3) }}{% else %}–{% endif %}</td>
{% endfor %}</tr>
{% endfor %}</table>

<h2>Head to head: {{ rank_label }} of the row type against the column type</h2>
<table><tr><th class="l">type \\ against</th>{% for r in s.rows %}<th>{{ r.name }}</th>{% endfor %}</tr>
{% for r in s.rows %}<tr><td class="l">{{ r.name }}</td>
{% for o in s.rows %}<td>
{% if s.head_to_head.get(r.name, {}).get(o.name) %}{{ cell(s.head_to_head[r.name][o.name], 3) }}
{%- else %}–{% endif %}</td>{% endfor %}</tr>
{% endfor %}</table>

<h2>Seats</h2>
<p class="note">Seating: for every ordered pair of different types (focal, opponent) and every seat, the focal
type sits in that seat and the opponent type in every other seat; an assignment that repeats (with two
parties, A in the first seat against B is B in the second against A) runs once.{% if s.info.self_play %} Every
type also plays against itself.{% endif %} Runs per scenario, seat and type (planned):
<b class="{{ 'yes' if s.covered else 'no' }}">
{{- "every type sat in every seat" if s.covered else "some type never sat in some seat" }}</b>.</p>
{% for sc, seats in s.coverage.items() %}
<table><tr><th class="l">{{ sc }}: seat</th>{% for r in s.rows %}<th>{{ r.name }}</th>{% endfor %}</tr>
{% for seat, types in seats.items() %}<tr><td class="l">{{ seat }}</td>{% for r in s.rows %}
<td>{{ types.get(r.name, 0) }}</td>{% endfor %}</tr>
{% endfor %}</table>
{% endfor %}

{% if s.failed %}
<h2>Failed runs</h2>
<p class="note">Run <code>pactlab league</code> again with the same file and <code>--out</code> to rerun them.</p>
<table><tr><th class="l">run</th><th class="l">error</th></tr>
{% for run_id, error in s.failed %}<tr><td class="l"><code>{{ run_id }}</code></td>
<td class="l"><pre>{{ error }}</pre></td></tr>
{% endfor %}</table>
{% endif %}
<p class="note">Generated by <code>pactlab league</code>; figures in <code>summary.json</code>.</p>
</body>
</html>
"""
