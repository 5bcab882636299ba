"""Contract language for each clause: the scenario's own Jinja2 template, or the default for its kind.

Which template words a clause, first found wins:
1. the agreed option's ``wording`` (``clause.options.OPTION.wording`` in the scenario file);
2. the clause's ``wording`` (``clause.wording``), for every option without its own;
3. the default template of the clause's kind (``templates/clauses/KIND.j2``, package data);
4. for an issue without a clause, ``templates/clauses/none.j2``: a neutral sentence with the
   issue's name and the agreed value (with its unit).

Templates are rendered in Jinja2's sandbox (a scenario file is input, not code) with
`StrictUndefined`: a variable the clause kind does not define is an error, not a silent blank.
Any error becomes a `WordingError` that names the issue, the option and where the template
sits in the scenario file, and says how to fix it. The variables are those of
`evals.termsheet.variables`; the filters are `names` (a list of parties or words as
"A, B and C"), `verb` (pick the singular or plural form for a list of parties), `possessive`
("Acme's", "Acme Works'"), `number`, `percent` and `months`.

The rendered text is plain text with its whitespace collapsed (templates may spread over
lines); the Markdown, HTML and Word renderers escape it for their format.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from importlib.resources import files

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from evals.termsheet.errors import WordingError
from evals.termsheet.variables import (
    COMMON,
    KIND_VARIABLES,
    AnyIssue,
    Signatories,
    clause_variables,
    number,
    value_text,
)
from pactlab.domain.issues import IssueValue, value_key

NO_CLAUSE = "none"
"""The default template's name for an issue that declares no clause."""


def join_names(items: Sequence[object] | object) -> str:
    """'A', 'A and B', 'A, B and C' (a single item is its own text)."""
    names = [str(i) for i in items] if isinstance(items, (list, tuple)) else [str(items)]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def verb(parties: Sequence[object] | object, singular: str, plural: str) -> str:
    """`singular` for one party (or a single party), `plural` for several."""
    many = isinstance(parties, (list, tuple)) and len(parties) != 1
    return plural if many else singular


def percent(x: float | int) -> str:
    return f"{number(x)}%"


def months(x: float | int) -> str:
    return f"{number(x)} month" if x == 1 else f"{number(x)} months"


def possessive(name: object) -> str:
    """A name's possessive: "Acme's", "Acme Works'"."""
    text = str(name)
    return f"{text}'" if text.endswith("s") else f"{text}'s"


def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.filters.update(
        names=join_names, verb=verb, number=number, percent=percent, months=months, possessive=possessive
    )
    return env


_ENV = _environment()


@cache
def default_template(kind: str) -> Template:
    """The packaged default template of a clause kind (or of `NO_CLAUSE`)."""
    source = (files("evals.termsheet") / "templates" / "clauses" / f"{kind}.j2").read_text(encoding="utf-8")
    return _ENV.from_string(source)


def _scenario_template(source: str, issue: str, option: str | None, where: str) -> Template:
    try:
        return _compiled(source)
    except TemplateSyntaxError as exc:
        raise WordingError(
            issue,
            option,
            where,
            f"template syntax error on line {exc.lineno}: {exc.message}",
            "fix the Jinja2 syntax (variables go in {{ }}, logic in {% %})",
        ) from None


@cache
def _compiled(source: str) -> Template:
    return _ENV.from_string(source)


def _where(issue: AnyIssue, option: str | None) -> str:
    clause = issue.clause
    if option is not None and clause is not None:
        meaning = (getattr(clause, "options", None) or {}).get(option)
        if meaning is not None and meaning.wording is not None:
            return f"issue {issue.id}: clause.options.{option}.wording"
    return f"issue {issue.id}: clause.wording"


def _template_for(issue: AnyIssue, value: IssueValue) -> tuple[Template, str | None]:
    """The template that words `issue` at `value`, and where it comes from (None: a default)."""
    clause = issue.clause
    option = value_key(value)
    if clause is None:
        return default_template(NO_CLAUSE), None
    meaning = (getattr(clause, "options", None) or {}).get(option)
    source = meaning.wording if meaning is not None and meaning.wording is not None else clause.wording
    if source is None:
        return default_template(clause.kind), None
    where = _where(issue, option)
    return _scenario_template(source, issue.id, option if issue.kind != "numeric" else None, where), where


def word_clause(sig: Signatories, issue: AnyIssue, value: IssueValue, terms: Mapping[str, IssueValue]) -> str:
    """`issue` at `value` in plain contract language (the rest of the deal being `terms`)."""
    template, where = _template_for(issue, value)
    option = None if issue.kind == "numeric" else value_key(value)
    variables = clause_variables(sig, issue, value, terms)
    try:
        text = template.render(variables)
    except (TemplateError, SecurityError, TypeError, ValueError, ArithmeticError) as exc:
        problem, fix = _explain(exc, issue.clause.kind if issue.clause is not None else "free-form")
        raise WordingError(issue.id, option, where or "default template", problem, fix) from None
    return " ".join(text.split())


def _explain(exc: Exception, kind: str) -> tuple[str, str]:
    """What went wrong rendering a template, and how to fix it."""
    if isinstance(exc, UndefinedError):
        available = ", ".join((*COMMON, *KIND_VARIABLES.get(kind, ())))
        return exc.message or str(exc), f"a {kind} clause's template can use: {available}"
    if isinstance(exc, SecurityError):
        return f"not allowed in a template: {exc}", "use only the documented variables and filters"
    if isinstance(exc, TemplateError):
        return f"{type(exc).__name__}: {exc}", "see the README's term-sheet section for the variables and filters"
    return f"{type(exc).__name__}: {exc}", "check the filters and the arithmetic in the template"


def word_unknown(issue_id: str, value_shown: str) -> str:
    """A term the scenario does not list (an old transcript, say): its id read as words, and the value."""
    name = issue_id.replace("_", " ")
    return f"The parties agree on {name}: {value_shown}."


def check_wording(sig: Signatories) -> list[str]:
    """Every wording problem of the scenario, rendering each issue at each value with the first values of
    the others; empty if every template renders. Meant for validating a scenario before a run."""
    scenario = sig.scenario
    first: dict[str, IssueValue] = {i.id: i.values()[0] for i in scenario.issues}
    problems: list[str] = []
    for issue in scenario.issues:
        for value in issue.values():
            try:
                word_clause(sig, issue, value, {**first, issue.id: value})
            except WordingError as exc:
                problems.append(str(exc))
    return problems


__all__ = [
    "NO_CLAUSE",
    "check_wording",
    "default_template",
    "join_names",
    "months",
    "percent",
    "possessive",
    "value_text",
    "verb",
    "word_clause",
    "word_unknown",
]
