"""The debrief's interactive utility chart (`evals.charts`, Plotly) and the scripts that draw it.

plotly.js is served from the plotly package on this machine (``/vendor/plotly.min.js``), never a
CDN; ``/vendor/charts.js`` draws every chart div from its ``data-figure`` JSON, since the app's
Content-Security-Policy forbids inline scripts. plotly.js does add a stylesheet of its own at run
time (its ``addStyleRule``: hover labels, the mode bar), which a strict ``style-src`` refuses
(plotly/plotly.js#2355, #7543), so a page that carries a chart is sent with `chart_csp`: the
app's policy with inline *styles* allowed; scripts stay ``'self'`` only. The chart shows every
party's values, so the debrief leaves it out while a related rehearsal is still under way (like
the PNG plot).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response
from markupsafe import Markup

from evals.charts import PLOTLY_JS, RENDER_JS, chart_div, utility_figure
from evals.utility_view import utility_view
from pactlab.app.rehearsal import Rehearsals
from pactlab.app.rehearsal.view import View

router = APIRouter()

CACHE = "public, max-age=86400"


@router.get("/vendor/plotly.min.js")
async def plotly_js() -> FileResponse:
    return FileResponse(PLOTLY_JS, media_type="text/javascript", headers={"Cache-Control": CACHE})


@router.get("/vendor/charts.js")
async def charts_js() -> Response:
    return Response(RENDER_JS, media_type="text/javascript", headers={"Cache-Control": CACHE})


def chart_csp(csp: str) -> str:
    """The app's Content-Security-Policy `csp` with inline styles allowed (for plotly.js's own stylesheet)."""
    return csp.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


def debrief_chart(service: Rehearsals, view: View) -> Markup:
    """The finished rehearsal's utility chart on the pages' 0–100 value scale."""
    table = view.table
    agreement = table["proposal"] if table["status"] == "agreement" else None
    figures = utility_view(view.scenario, view.moves, agreement, service.analysis(view.scenario))
    label = "The deal against the Nash point, each party's best and walk-away value, and the Pareto frontier"
    return chart_div(utility_figure(figures, scale=100), "utility-chart", label)


__all__ = ["chart_csp", "debrief_chart", "router"]
