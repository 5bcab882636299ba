"""Judging a league: per negotiator type metrics with bounded 95% confidence intervals, a ranking
with pairwise significance tests, and the report (HTML, Markdown, JSON).

Works on plain run records (`runs.LeagueRun`: a run's scenario, who sat in which seat, its
scorecard as JSON), so the figures come from a league's result store alone:

- `stats`: Wilson intervals (statsmodels), Student-t intervals clipped to a metric's range
  (scipy), Mann–Whitney U tests with Holm's correction (scipy, statsmodels);
- `metrics`: what is measured per type and each metric's possible range;
- `llm`: the LLM harness: per LLM type, decision sources (own, repaired, fallback), LLM agreements,
  tokens, seconds and screen hits, read from the runs' audit trails;
- `summary`: observations per (run, type), the table, the ranking, seat coverage;
- `template`, `report`: the HTML page (Jinja2, autoescaped), Markdown and JSON.
"""
