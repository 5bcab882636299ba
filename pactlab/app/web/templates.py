"""The pages' Jinja2 templates, loaded from the package (``pactlab.app.web/templates``), not from a path.

Loading them as package resources works wherever the package is installed (a wheel, a zip, an
editable checkout) and keeps the app free of paths built from ``__file__``.
"""

from __future__ import annotations

import jinja2
from fastapi.templating import Jinja2Templates

from evals.glossary import GLOSSARY, tip
from pactlab.app.rehearsal.wording import change_text, points_text
from pactlab.app.web.display import kind_of
from pactlab.domain.issues import value_key

PACKAGE = "pactlab.app.web"


def load_templates() -> Jinja2Templates:
    """The templates, with the helpers they use: ``vk`` (an option as text), ``pts`` and ``delta``
    (value to you, 0–100), ``kind_of`` (an issue's kind), and ``tip`` and ``glossary`` (what a
    figure means: `evals.glossary`, shown as tooltips by the ``term`` macro of ``_terms.html``)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader(PACKAGE, "templates"),
        autoescape=jinja2.select_autoescape(),
    )
    env.filters["vk"] = value_key
    env.filters["pts"] = points_text  # a utility on the one 0–100 scale of value to you
    env.filters["delta"] = change_text  # a change of value to you, a loss negative (as in the terminal)
    env.globals["kind_of"] = kind_of
    env.globals["tip"] = tip  # a figure's one-line explanation (evals.glossary), for the pages' tooltips
    env.globals["glossary"] = GLOSSARY
    return Jinja2Templates(env=env)
