"""Notebook rendering: `_repr_html_` of scenarios, run results and scorecards, from Jinja2 templates.

Each layer keeps its templates beside its code (``<package>/notebook_templates/*.html.j2``);
this one function renders them with autoescaping on, so a scenario's text (titles, names,
option labels) is always escaped. Jinja2 is a plain library, so the domain may use it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

FOLDER = "notebook_templates"


@cache
def _environment(package: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader(package, FOLDER),
        autoescape=True,  # every template here is HTML
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["pct"] = lambda value: "–" if value is None else f"{value * 100:.1f}"
    env.filters["num"] = lambda value, digits=3: "–" if value is None else f"{value:.{digits}f}"
    return env


def render_html(template: str, *, package: str = "pactlab.domain", **context: Any) -> str:
    """Render ``<package>/notebook_templates/<template>`` with `context` (escaped) to an HTML string."""
    return _environment(package).get_template(template).render(**context)


def safe(html: str) -> Markup:
    """HTML rendered by another notebook template, to embed unescaped (it was escaped when rendered)."""
    return Markup(html)


__all__ = ["render_html", "safe"]
