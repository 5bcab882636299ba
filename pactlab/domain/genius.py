"""GENIUS/ANAC negotiation domains: read a domain and its profiles as a scenario, write a scenario back.

GENIUS (and the ANAC competitions run on it, whose scenarios NegMAS ships) describes a
negotiation in XML: one *domain* file (``<negotiation_template><utility_space><objective>``
with one ``<issue>`` per negotiated term) and one *profile* per party (``<utility_space>``
with the same issues, each value's ``evaluation``, a ``<weight>`` per issue, a
``<reservation value>`` and a ``<discount_factor value>``). The semantics followed here are
GENIUS's own (``genius.core.utility``: ``AdditiveUtilitySpace``, ``EvaluatorDiscrete``,
``EvaluatorInteger``, ``EvaluatorReal``):

- utility = sum over issues of weight × evaluation (capped at 1);
- a discrete issue evaluates an item as its ``evaluation`` divided by the issue's largest
  evaluation (0 for every item when that is below 1e-5);
- an integer issue evaluates ``v`` as ``offset + slope × (v − lowerbound)`` clamped to [0, 1]
  (``<evaluator ftype="linear" slope=… offset=…>``; ``parameter1``/``parameter0`` are read as
  slope/offset when those are absent, as NegMAS writes them);
- a real issue evaluates ``v`` as ``parameter1 × v + parameter0`` clamped to [0, 1] (``linear``),
  ``parameter0`` (``constant``) or GENIUS's triangle rising from ``parameter0`` to its top at
  ``parameter2`` and falling to ``parameter1`` (``triangular``).

How that maps onto a pactlab scenario (`read_genius`):

- issues keep the domain's order; discrete issues become categorical issues whose options are
  the items' values as written (spaces and all), integer issues numeric issues with step 1,
  real issues numeric issues on a grid of ``real_steps`` intervals (a continuous GENIUS issue
  has no grid: the outcome space is that grid, and utilities are exact on it);
- ids: GENIUS names may hold spaces and other characters pactlab ids do not allow; each is
  mapped deterministically (`genius_id`) and the original name kept as the issue's ``name``
  (parties: the profile file's name);
- each profile becomes a party's private profile with the same utility for every outcome:
  weights as written, value functions as GENIUS evaluates them (``{linear: up|down}`` or
  ``{peak: …}`` when those are exact, a table of values otherwise). Weights that sum to less
  than 1 are folded into the values (still exact); weights summing to more than 1 are
  normalised and the reservation value divided by the same sum (GENIUS would cap utilities at
  1; a note says so);
- the reservation value is kept (a negative one reads as 0); a discount factor below 1 is
  **ignored** with a note: pactlab does not discount utilities over time;
- two or more profiles give a scenario with that many parties (unanimity, pactlab's default
  protocol).

`genius_files` writes a scenario back: one domain and one profile per party (named by party
id), with the same utility for every outcome. Categorical and yes/no issues become discrete
issues; numeric issues with step 1 become integer issues when every party's value function is
GENIUS-linear on them, other numeric issues discrete issues listing their values. What GENIUS
cannot say is left out with a note: hard constraints, quorum and veto rules, the dispute
ladder, clause meanings, interests.

Files are parsed with defusedxml: a DTD (the carrier of entity-expansion bombs and external
entities) is refused, as are files over `MAX_FILE_BYTES`; every problem is a `GeniusError`
naming the file, the line, the element and the fix.
"""

from __future__ import annotations

import math
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NoReturn

import numpy as np
import yaml
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from pydantic import ValidationError

from pactlab.domain.ids import CONSTRAINT_KEYWORDS
from pactlab.domain.issues import BooleanIssue, CategoricalIssue, IssueValue, NumericIssue, value_key
from pactlab.domain.preferences import LinearValue, OptionValues, PeakedValue, value_vector
from pactlab.domain.scenario import RESERVED_ACTORS, Scenario
from pactlab.errors import BadInput

MAX_FILE_BYTES = 16 * 2**20
"""The largest GENIUS file read (the ANAC domains are well under 1 MB)."""

MAX_ISSUE_VALUES = 10_000
"""The most values one issue may take (an integer range, or a real issue's grid)."""

DEFAULT_REAL_STEPS = 10
"""Intervals a real (continuous) GENIUS issue is divided into, unless told otherwise."""

WEIGHT_SUM_TOLERANCE = 1e-6
"""Weights that miss 1 by more than this get a note (a smaller miss is rounding in the file, mapped silently)."""

LARGE_OUTCOME_SPACE = 1_000_000
"""Above this many outcomes, the import notes that the evaluator (which enumerates them) will be slow."""

_EXACT = 1e-12
"""How close a value function must come to GENIUS's values to stand for them."""

_DISCRETE_MAX_FLOOR = 1e-5
"""GENIUS evaluates every item of a discrete issue as 0 when its largest evaluation is below this."""

_FUNCTION_KEYS = {"linear", "peak", "table", "kind"}
"""Keys that would make a short option table read as something else (`pactlab.domain.preferences`)."""

GeniusKind = Literal["discrete", "integer", "real"]


class GeniusError(BadInput, ValueError):
    """A GENIUS file that cannot be read, or a scenario that cannot be written as one; says where and the fix."""

    def __init__(self, file: str, message: str, *, line: int | None = None, element: str = "") -> None:
        self.file = file
        self.line = line
        self.element = element
        self.message = message
        where = file if line is None else f"{file}:{line}"
        at = f" {element}:" if element else ""
        super().__init__(f"{where}:{at} {message}")


# -- reading XML safely ----------------------------------------------------------------------


class _LineBuilder:
    """An ElementTree target that remembers the line each element starts on."""

    def __init__(self) -> None:
        self._builder = ET.TreeBuilder()
        self.expat: Any = None
        self.lines: dict[int, int] = {}

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        element = self._builder.start(tag, attrs)
        if self.expat is not None:
            self.lines[id(element)] = int(self.expat.CurrentLineNumber)
        return element

    def end(self, tag: str) -> ET.Element:
        return self._builder.end(tag)

    def data(self, data: str) -> None:
        self._builder.data(data)

    def close(self) -> ET.Element:
        return self._builder.close()


@dataclass(frozen=True)
class _Document:
    """A parsed GENIUS file: its root element and where each element starts."""

    file: str
    root: ET.Element
    lines: Mapping[int, int]

    def fail(self, element: ET.Element | None, message: str) -> NoReturn:
        if element is None:
            raise GeniusError(self.file, message)
        raise GeniusError(self.file, message, line=self.lines.get(id(element)), element=_describe(element))


def _describe(element: ET.Element) -> str:
    """``<issue index="2" name="Harddisk">``: the element as a person finds it in the file."""
    keys = [k for k in ("index", "name", "value") if k in element.attrib]
    attrs = "".join(f' {k}="{element.attrib[k]}"' for k in keys)
    return f"<{element.tag}{attrs}>"


def _parse(path: Path) -> _Document:
    """The XML of `path`, parsed without DTDs or entities; GeniusError if it is unsafe, too big or malformed."""
    file = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise GeniusError(
                file, f"{size} bytes is more than a GENIUS file may have ({MAX_FILE_BYTES}); check the file"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise GeniusError(file, f"cannot read file: {exc.strerror or exc}") from None
    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    builder.expat = getattr(parser, "parser", None)
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as exc:
        line = getattr(builder.expat, "CurrentLineNumber", None)
        raise GeniusError(
            file,
            f"refused: the file declares a DTD or entities ({type(exc).__name__}); GENIUS files need neither, and "
            "entity expansion (XML bombs) and external entities are never read — remove the <!DOCTYPE …> part",
            line=line,
        ) from None
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":")[0]
        raise GeniusError(
            file, f"not well-formed XML ({reason}, column {column + 1}); fix the XML", line=line
        ) from None
    return _Document(file, root, builder.lines)


# -- ids -------------------------------------------------------------------------------------


def genius_id(
    name: str, taken: set[str] | None = None, *, fallback: str = "item", reserved: set[str] | None = None
) -> str:
    """A pactlab id for the GENIUS `name`: deterministic, unique among `taken` (which it joins).

    Accents are dropped (``é`` → ``e``), every run of other characters becomes ``_``, a
    leading digit gets a ``_`` before it; a word of the constraint language or a `reserved`
    id gets ``_`` after it, a clash with an id already taken ``_2``, ``_3``, ….
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    base = re.sub(r"[^A-Za-z0-9_]+", "_", ascii_name).strip("_") or fallback
    if base[0].isdigit():
        base = "_" + base
    if base in CONSTRAINT_KEYWORDS or (reserved is not None and base in reserved):
        base = base + "_"
    taken = taken if taken is not None else set()
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}_{n}"
    taken.add(candidate)
    return candidate


# -- the domain ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Issue:
    """One issue of a GENIUS domain, as declared there."""

    index: int
    name: str
    kind: GeniusKind
    element: ET.Element
    items: list[str] = field(default_factory=list)
    lower: float = 0.0
    upper: float = 0.0


def _kind(doc: _Document, element: ET.Element) -> GeniusKind:
    raw = (element.get("type") or element.get("etype") or "discrete").strip().lower()
    if raw not in ("discrete", "integer", "real"):
        doc.fail(element, f'type="{raw}" is not supported; GENIUS additive issues are discrete, integer or real')
    kind: GeniusKind = raw  # type: ignore[assignment]
    return kind


def _number(doc: _Document, element: ET.Element, attr: str, *, default: float | None = None) -> float:
    raw = element.get(attr)
    if raw is None:
        if default is not None:
            return default
        doc.fail(element, f"missing attribute {attr}=; give a number")
    try:
        value = float(raw)
    except ValueError:
        doc.fail(element, f'{attr}="{raw}" is not a number; give a number')
    if not math.isfinite(value):
        doc.fail(element, f'{attr}="{raw}" is not a finite number; give a finite number')
    return value


def _index(doc: _Document, element: ET.Element) -> int:
    raw = element.get("index")
    try:
        return int(raw) if raw is not None else doc.fail(element, 'missing attribute index=; give index="N"')
    except ValueError:
        doc.fail(element, f'index="{raw}" is not a whole number; give index="N"')


def _bounds(doc: _Document, element: ET.Element, kind: GeniusKind) -> tuple[float, float]:
    """An integer or real issue's bounds: attributes of the issue, or of its ``<range>``."""
    holder = element
    found = element.find("range")
    if found is not None:
        holder = found
    elif "lowerbound" not in element.attrib and "upperbound" not in element.attrib:
        doc.fail(element, f'a {kind} issue needs bounds; give lowerbound="…" upperbound="…" or a <range>')
    lower = _number(doc, holder, "lowerbound")
    upper = _number(doc, holder, "upperbound")
    if kind == "integer" and not (lower.is_integer() and upper.is_integer()):
        doc.fail(holder, "an integer issue needs whole-number bounds")
    if upper <= lower:
        doc.fail(
            holder, f"upperbound ({upper:g}) must be greater than lowerbound ({lower:g}); an issue needs two values"
        )
    if kind == "integer" and upper - lower + 1 > MAX_ISSUE_VALUES:
        doc.fail(
            holder,
            f"{int(upper - lower + 1)} values is more than an issue may take ({MAX_ISSUE_VALUES}); narrow the range",
        )
    return lower, upper


def _objective(doc: _Document, container: ET.Element) -> ET.Element:
    objectives = container.findall("objective")
    if len(objectives) != 1:
        doc.fail(container, f"expected one <objective> holding the issues, found {len(objectives)}")
    objective = objectives[0]
    if objective.find("objective") is not None:
        doc.fail(
            objective.find("objective"), "nested objectives are not supported; list every <issue> under one <objective>"
        )
    return objective


def _read_domain(doc: _Document) -> tuple[str, list[_Issue]]:
    """The objective's name and the issues of a domain file, in order."""
    root = doc.root
    if root.tag == "utility_space" and root.find("objective/weight") is not None:
        doc.fail(
            root,
            "this is a profile (it has weights); give the domain (<negotiation_template>) first, then the profiles",
        )
    if root.tag != "negotiation_template":
        doc.fail(root, "a GENIUS domain's root element is <negotiation_template>; is this a GENIUS domain file?")
    space = root.find("utility_space")
    if space is None:
        doc.fail(root, "no <utility_space> in the domain; the issues go in <utility_space><objective>")
    objective = _objective(doc, space)
    issues: list[_Issue] = []
    seen: dict[int, ET.Element] = {}
    for element in objective.findall("issue"):
        index = _index(doc, element)
        if index in seen:
            doc.fail(element, f"index {index} is used by another issue too; give each issue its own index")
        seen[index] = element
        name = element.get("name")
        if not name:
            doc.fail(element, 'the issue has no name; give name="…"')
        kind = _kind(doc, element)
        if kind == "discrete":
            items: list[str] = []
            for item in element.findall("item"):
                value = item.get("value")
                if value is None:
                    doc.fail(item, 'the item has no value; give value="…"')
                if value in items:
                    doc.fail(item, f"item {value!r} is listed twice; each value must be unique")
                items.append(value)
            if len(items) < 2:
                doc.fail(element, f"a discrete issue needs at least two <item>s (found {len(items)})")
            if len(items) > MAX_ISSUE_VALUES:
                doc.fail(element, f"{len(items)} items is more than an issue may take ({MAX_ISSUE_VALUES})")
            issues.append(_Issue(index, name, kind, element, items=items))
        else:
            lower, upper = _bounds(doc, element, kind)
            issues.append(_Issue(index, name, kind, element, lower=lower, upper=upper))
    if not issues:
        doc.fail(objective, "the domain has no <issue>; a negotiation needs at least one issue")
    title = objective.get("name") or ""
    return title, issues


# -- profiles --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Profile:
    """What one GENIUS profile says, evaluated on pactlab's issues."""

    weights: list[float]
    evaluations: list[np.ndarray]
    reservation: float
    discount: float | None


def _grid(issue: _Issue, real_steps: int) -> NumericIssue | CategoricalIssue:
    """The pactlab issue for a GENIUS issue (its id is set by the caller)."""
    if issue.kind == "discrete":
        return CategoricalIssue(id="pending", name=issue.name, options=issue.items)
    if issue.kind == "integer":
        return NumericIssue(
            id="pending", name=issue.name, minimum=issue.lower, maximum=issue.upper, step=1, integer=True
        )
    step = (issue.upper - issue.lower) / real_steps
    return NumericIssue(id="pending", name=issue.name, minimum=issue.lower, maximum=issue.upper, step=step)


def _evaluator_parameter(doc: _Document, evaluator: ET.Element, *names: str, default: float | None = None) -> float:
    for name in names:
        if name in evaluator.attrib:
            return _number(doc, evaluator, name)
    if default is not None:
        return default
    doc.fail(evaluator, f"missing attribute {names[0]}=; give a number")


def _evaluate(doc: _Document, element: ET.Element, issue: _Issue, grid: Sequence[IssueValue]) -> np.ndarray:
    """GENIUS's evaluation of each of `grid`'s values under the profile's `element` for `issue`."""
    if issue.kind == "discrete":
        figures: dict[str, float] = {}
        for item in element.findall("item"):
            value = item.get("value")
            if value is None:
                doc.fail(item, 'the item has no value; give value="…"')
            if value not in issue.items:
                doc.fail(
                    item, f"{value!r} is not an item of {issue.name!r} in the domain; items: {', '.join(issue.items)}"
                )
            if "evaluation" not in item.attrib:
                doc.fail(item, 'the item has no evaluation; give evaluation="N" (a number ≥ 0)')
            figure = _number(doc, item, "evaluation")
            if figure < 0:
                doc.fail(item, f"evaluation {figure:g} is negative; GENIUS evaluations are ≥ 0")
            figures[value] = figure
        missing = [v for v in issue.items if v not in figures]
        if missing:
            doc.fail(
                element, f"no evaluation for item(s) {', '.join(map(repr, missing))}; give every item an evaluation"
            )
        top = max(figures.values())
        if top < _DISCRETE_MAX_FLOOR:
            return np.zeros(len(issue.items))
        return np.array([figures[v] / top for v in issue.items], dtype=float)
    xs = np.array(grid, dtype=float)
    evaluator = element.find("evaluator")
    if issue.kind == "integer":
        if evaluator is None:
            doc.fail(element, 'no <evaluator>; give <evaluator ftype="linear" slope="…" offset="…"/>')
        held = element.find("range")
        lower = _number(doc, element if held is None else held, "lowerbound", default=issue.lower)
        slope = _evaluator_parameter(doc, evaluator, "slope", "parameter1")
        offset = _evaluator_parameter(doc, evaluator, "offset", "parameter0")
        return np.clip(offset + slope * (xs - lower), 0.0, 1.0)
    if evaluator is None:
        doc.fail(element, 'no <evaluator>; give <evaluator ftype="linear" parameter0="…" parameter1="…"/>')
    ftype = (evaluator.get("ftype") or "linear").lower()
    if ftype == "linear":
        offset = _evaluator_parameter(doc, evaluator, "parameter0", "offset")
        slope = _evaluator_parameter(doc, evaluator, "parameter1", "slope")
        return np.clip(slope * xs + offset, 0.0, 1.0)
    if ftype == "constant":
        constant = _evaluator_parameter(doc, evaluator, "parameter0")
        if not 0 <= constant <= 1:
            doc.fail(evaluator, f"a constant evaluation must lie in 0..1 (got {constant:g})")
        return np.full(len(xs), constant)
    if ftype == "triangular":
        low = _evaluator_parameter(doc, evaluator, "parameter0")
        high = _evaluator_parameter(doc, evaluator, "parameter1")
        top = _evaluator_parameter(doc, evaluator, "parameter2")
        if not low <= top <= high or low == high:
            doc.fail(evaluator, "a triangle needs parameter0 ≤ parameter2 ≤ parameter1 (start, end, top), start < end")
        rising = np.where(top > low, (xs - low) / (top - low if top > low else 1.0), 1.0)
        falling = np.where(high > top, 1.0 - (xs - top) / (high - top if high > top else 1.0), 0.0)
        return np.where(xs < low, 0.0, np.where(xs < top, rising, np.where(xs < high, falling, 0.0)))
    doc.fail(evaluator, f'ftype="{ftype}" is not supported; use linear, constant or triangular')


def _read_profile(doc: _Document, domain: list[_Issue], grids: list[list[IssueValue]]) -> _Profile:
    root = doc.root
    if root.tag == "negotiation_template":
        doc.fail(
            root, "this is a domain (<negotiation_template>), not a profile; give the domain first, then the profiles"
        )
    if root.tag != "utility_space":
        doc.fail(root, "a GENIUS profile's root element is <utility_space>; is this a GENIUS profile?")
    if root.get("type", "").lower() == "nonlinear" or root.find(".//utility_function") is not None:
        doc.fail(
            root, "a non-linear (hyper-rectangle) utility space; pactlab reads linear-additive GENIUS profiles only"
        )
    objective = _objective(doc, root)
    by_index = {issue.index: n for n, issue in enumerate(domain)}
    weights: list[float | None] = [None] * len(domain)
    for element in objective.findall("weight"):
        index = _index(doc, element)
        if objective.get("index") == str(index) and index not in by_index:
            continue  # the objective's own weight: GENIUS evaluates nothing with it
        if index not in by_index:
            doc.fail(
                element, f"no issue has index {index} in the domain; indices: {', '.join(str(i.index) for i in domain)}"
            )
        value = _number(doc, element, "value")
        if value < 0:
            doc.fail(element, f"weight {value:g} is negative; weights are ≥ 0")
        weights[by_index[index]] = value
    evaluations: list[np.ndarray | None] = [None] * len(domain)
    for element in objective.findall("issue"):
        index = _index(doc, element)
        if index not in by_index:
            doc.fail(
                element, f"no issue has index {index} in the domain; indices: {', '.join(str(i.index) for i in domain)}"
            )
        n = by_index[index]
        issue = domain[n]
        if element.get("name") not in (None, issue.name):
            doc.fail(element, f"the domain's issue {index} is {issue.name!r}; use the same name, or fix the index")
        kind = _kind(doc, element)
        if kind != issue.kind:
            doc.fail(element, f"the domain declares {issue.name!r} {issue.kind}, not {kind}; use the domain's type")
        evaluations[n] = _evaluate(doc, element, issue, grids[n])
    for n, issue in enumerate(domain):
        if evaluations[n] is None:
            doc.fail(
                objective, f'no <issue index="{issue.index}"> ({issue.name!r}) in the profile; evaluate every issue'
            )
        if weights[n] is None:
            doc.fail(
                objective,
                f'no <weight index="{issue.index}"> ({issue.name!r}); give every issue a weight (0 to ignore it)',
            )
    reservation = 0.0
    held = root.find("reservation")
    if held is None:
        held = objective.find("reservation")
    if held is not None:
        reservation = _number(doc, held, "value")
        if reservation > 1:
            doc.fail(held, f"reservation value {reservation:g} is above 1, the best utility; give a value in 0..1")
    discount: float | None = None
    factor = root.find("discount_factor")
    if factor is None:
        factor = objective.find("discount_factor")
    if factor is not None:
        discount = _number(doc, factor, "value")
    return _Profile(
        weights=[w if w is not None else 0.0 for w in weights],
        evaluations=[e if e is not None else np.zeros(0) for e in evaluations],
        reservation=reservation,
        discount=discount,
    )


# -- value functions -------------------------------------------------------------------------


def _value_function(issue: CategoricalIssue | NumericIssue | BooleanIssue, target: np.ndarray) -> dict[str, Any]:
    """The simplest value function (as YAML data) whose values are `target` on `issue`'s values."""
    candidates: list[OptionValues | LinearValue | PeakedValue] = []
    if isinstance(issue, NumericIssue):
        candidates = [LinearValue(linear="up"), LinearValue(linear="down")]
        for peak, other in ((issue.minimum, target[-1]), (issue.maximum, target[0])):
            if 0.0 <= other <= 1.0:
                candidates.append(PeakedValue(peak=peak, floor=_tidy(other)))
    for fn in candidates:
        if np.allclose(value_vector(issue, fn), target, rtol=0.0, atol=_EXACT):
            return fn.model_dump()
    table = {value_key(v): _tidy(t) for v, t in zip(issue.values(), target, strict=True)}
    return {"table": table} if _FUNCTION_KEYS & set(table) else table


# -- import ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GeniusImport:
    """A GENIUS domain read as a scenario: the data to write as YAML, the validated scenario, and notes."""

    data: dict[str, Any]
    scenario: Scenario
    notes: list[str]

    def yaml(self) -> str:
        """The scenario as a YAML file the loader accepts, with a header naming its source and the notes."""
        header = [f"# {line}" for line in self.data["context"].splitlines()]
        header += [f"# note: {note}" for note in self.notes]
        body = yaml.safe_dump(self.data, sort_keys=False, allow_unicode=True, width=100)
        return "\n".join(header) + "\n" + body


def read_genius(
    domain: str | Path,
    profiles: Sequence[str | Path],
    *,
    real_steps: int = DEFAULT_REAL_STEPS,
    max_rounds: int | None = None,
) -> GeniusImport:
    """Read a GENIUS domain file and two or more profile files as a pactlab scenario (see the module docstring)."""
    domain_path = Path(domain)
    if len(profiles) < 2:
        raise GeniusError(str(domain_path), f"got {len(profiles)} profile(s); give at least two, one per party")
    if not 1 <= real_steps <= MAX_ISSUE_VALUES - 1:
        raise GeniusError(str(domain_path), f"real steps must lie in 1..{MAX_ISSUE_VALUES - 1} (got {real_steps})")
    doc = _parse(domain_path)
    objective_name, genius_issues = _read_domain(doc)
    notes: list[str] = []
    issue_ids: set[str] = set()
    issues: list[CategoricalIssue | NumericIssue] = []
    for gi in genius_issues:
        grid = _grid(gi, real_steps)
        issues.append(grid.model_copy(update={"id": genius_id(gi.name, issue_ids, fallback="issue")}))
        if gi.kind == "real":
            notes.append(
                f"real issue {gi.name!r} ({gi.lower:g}..{gi.upper:g}) is negotiated on a grid of {real_steps} steps "
                f"({real_steps + 1} values; --real-steps changes it); utilities are exact on the grid"
            )
    grids = [issue.values() for issue in issues]
    cardinality = math.prod(len(g) for g in grids)
    if cardinality > LARGE_OUTCOME_SPACE:
        notes.append(
            f"the outcome space has {cardinality:,} outcomes; evaluating runs (which enumerates them) will be slow"
        )

    party_ids: set[str] = set()
    parties: list[dict[str, Any]] = []
    for raw in profiles:
        path = Path(raw)
        profile_doc = _parse(path)
        profile = _read_profile(profile_doc, genius_issues, grids)
        party_id = genius_id(path.stem, party_ids, fallback="party", reserved=set(RESERVED_ACTORS))
        private, more = _private(profile, issues, path)
        notes.extend(more)
        parties.append(
            {
                "id": party_id,
                "name": path.stem,
                "core_business": f"the party of GENIUS profile {path.name}",
                "private": private,
            }
        )
    stem = re.sub(r"[-_ ]?domain$", "", domain_path.stem, flags=re.IGNORECASE) or domain_path.stem
    title = objective_name if objective_name and objective_name.lower() != "root" else stem
    names = ", ".join(Path(p).name for p in profiles)
    data: dict[str, Any] = {
        "id": genius_id(stem, fallback="genius_domain"),
        "title": title,
        "context": f"Imported from the GENIUS domain {domain_path.name} with the profiles {names}.",
        "issues": [_issue_data(issue) for issue in issues],
        "parties": parties,
    }
    if max_rounds is not None:
        data["protocol"] = {"max_rounds": max_rounds}
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:  # a bug of this module, or a limit of pactlab's: say which file
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise GeniusError(
            str(domain_path), f"the imported scenario does not validate at {where}: {first['msg']}"
        ) from None
    return GeniusImport(data=data, scenario=scenario, notes=notes)


def _issue_data(issue: CategoricalIssue | NumericIssue) -> dict[str, Any]:
    data: dict[str, Any] = {"id": issue.id, "name": issue.name, "kind": issue.kind}
    if isinstance(issue, CategoricalIssue):
        data["options"] = list(issue.options)
    else:
        data.update(minimum=_plain(issue.minimum), maximum=_plain(issue.maximum), step=_plain(issue.step))
        if issue.integer:
            data["integer"] = True
    return data


def _tidy(x: float) -> float:
    """`x` to 15 significant digits: 0.9 rather than 0.9000000000000001 (a change far below any tolerance)."""
    return float(f"{float(x):.15g}")


def _plain(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x


def _private(
    profile: _Profile, issues: Sequence[CategoricalIssue | NumericIssue], path: Path
) -> tuple[dict[str, Any], list[str]]:
    """A party's private profile with GENIUS's utility for every outcome, and what had to be noted."""
    notes: list[str] = []
    total = math.fsum(profile.weights)
    if total <= 0:
        raise GeniusError(str(path), "every weight is 0; give at least one issue a positive weight")
    fold, reservation = 1.0, profile.reservation
    if total < 1 - _EXACT:
        fold = total  # weights as written; values scaled so that sum(w × v) / sum(w) is GENIUS's utility
        if total < 1 - WEIGHT_SUM_TOLERANCE:
            notes.append(f"{path.name}: weights sum to {total:g} < 1; folded into the values (utilities unchanged)")
    elif total > 1 + _EXACT:
        reservation = reservation / total
        if total > 1 + WEIGHT_SUM_TOLERANCE:
            notes.append(
                f"{path.name}: weights sum to {total:g} > 1; normalised to 1 and the reservation value divided by "
                f"{total:g} (GENIUS would cap utilities at 1)"
            )
    if reservation < 0:
        notes.append(f"{path.name}: reservation value {reservation:g} < 0 read as 0 (utilities are never negative)")
        reservation = 0.0
    if profile.discount is not None and 0 < profile.discount < 1:
        notes.append(
            f"{path.name}: discount factor {profile.discount:g} ignored; pactlab does not discount utilities over time"
        )
    values = {
        issue.id: _value_function(issue, evaluation * fold)
        for issue, evaluation in zip(issues, profile.evaluations, strict=True)
    }
    weights = {issue.id: _plain(w) for issue, w in zip(issues, profile.weights, strict=True)}
    return {"reservation_value": _tidy(reservation), "weights": weights, "values": values}, notes


# -- export ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GeniusExport:
    """A scenario written as GENIUS files: the domain's name and text, each profile's, and what was left out."""

    domain_file: str
    domain: str
    profiles: dict[str, str]
    notes: list[str]

    def files(self) -> dict[str, str]:
        return {self.domain_file: self.domain, **self.profiles}

    def write(self, folder: str | Path, *, force: bool = False) -> list[Path]:
        """Write every file into `folder` (created); refuses to overwrite unless `force`."""
        out = Path(folder)
        targets = [out / name for name in self.files()]
        existing = [str(p) for p in targets if p.exists()]
        if existing and not force:
            raise GeniusError(existing[0], "exists; pass --force to overwrite it, or choose another folder")
        try:
            out.mkdir(parents=True, exist_ok=True)
            for path, text in zip(targets, self.files().values(), strict=True):
                path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise GeniusError(str(out), f"cannot write: {exc.strerror or exc}") from None
        return targets


def _genius_linear(xs: np.ndarray, lower: float, target: np.ndarray) -> tuple[float, float] | None:
    """(slope, offset) with clamp(offset + slope × (x − lower), 0, 1) == target, or None if no line does."""
    candidates = [((target[-1] - target[0]) / (xs[-1] - xs[0]), float(target[0]))]
    inner = np.flatnonzero((target > _EXACT) & (target < 1 - _EXACT))
    if len(inner) >= 2:
        a, b = inner[0], inner[-1]
        slope = (target[b] - target[a]) / (xs[b] - xs[a])
        candidates.append((float(slope), float(target[a] - slope * (xs[a] - lower))))
    for slope, offset in candidates:
        if np.allclose(np.clip(offset + slope * (xs - lower), 0.0, 1.0), target, rtol=0.0, atol=_EXACT):
            return float(slope), float(offset)
    return None


def _sub(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, tag, attrs)


def _issue_element(parent: ET.Element, index: int, name: str, kind: GeniusKind) -> ET.Element:
    return _sub(parent, "issue", index=str(index), etype=kind, type=kind, vtype=kind, name=name)


def genius_files(scenario: Scenario) -> GeniusExport:
    """`scenario` as GENIUS XML: a domain and one profile per party, with the same utility for every outcome."""
    notes: list[str] = []
    weights: dict[str, np.ndarray] = {}
    values: dict[str, list[np.ndarray]] = {}
    for party in scenario.parties:
        profile = party.private
        weights[party.id] = profile.normalised_weights(scenario.issue_ids)
        values[party.id] = [
            value_vector(issue, profile.values[issue.id])
            if issue.id in profile.values
            else np.zeros(len(issue.values()))
            for issue in scenario.issues
        ]
        if profile.constraints:
            notes.append(
                f"{party.id}: {len(profile.constraints)} hard constraint(s) left out (GENIUS profiles have none)"
            )
    rule = scenario.protocol.agreement
    if rule.kind != "unanimity" or rule.veto:
        notes.append("the agreement rule (quorum, veto) is left out: GENIUS domains do not say how deals are agreed")
    if scenario.dispute_ladder:
        notes.append("the dispute-resolution ladder is left out: GENIUS has none")

    # how each issue is written: integer (every party's value function GENIUS-linear on it) or discrete
    kinds: list[GeniusKind] = []
    lines: list[dict[str, tuple[float, float]]] = []
    for n, issue in enumerate(scenario.issues):
        fits: dict[str, tuple[float, float]] = {}
        if isinstance(issue, NumericIssue) and issue.integer and issue.step == 1:
            xs = np.array(issue.values(), dtype=float)
            for party in scenario.parties:
                fit = _genius_linear(xs, issue.minimum, values[party.id][n])
                if fit is None:
                    break
                fits[party.id] = fit
        if len(fits) == len(scenario.parties):
            kinds.append("integer")
        else:
            kinds.append("discrete")
            if isinstance(issue, NumericIssue):
                notes.append(f"numeric issue {issue.id!r} written as discrete items (its values listed)")
        lines.append(fits)

    domain_root = ET.Element("negotiation_template")
    space = _sub(domain_root, "utility_space", number_of_issues=str(len(scenario.issues)))
    objective = _sub(
        space, "objective", index="0", etype="objective", type="objective", description="", name=scenario.title
    )
    for n, (issue, kind) in enumerate(zip(scenario.issues, kinds, strict=True), start=1):
        element = _issue_element(objective, n, issue.name or issue.id, kind)
        if kind == "integer":
            assert isinstance(issue, NumericIssue)
            element.set("lowerbound", str(int(issue.minimum)))
            element.set("upperbound", str(int(issue.maximum)))
        else:
            for k, value in enumerate(issue.values(), start=1):
                _sub(element, "item", index=str(k), value=value_key(value), cost="0", description=value_key(value))

    profiles: dict[str, str] = {}
    for party in scenario.parties:
        root = ET.Element("utility_space")
        objective = _sub(
            root, "objective", index="0", etype="objective", type="objective", description="", name=scenario.title
        )
        written: list[float] = []
        for n, (issue, kind) in enumerate(zip(scenario.issues, kinds, strict=True), start=1):
            element = _issue_element(objective, n, issue.name or issue.id, kind)
            w = float(weights[party.id][n - 1])
            vector = values[party.id][n - 1]
            if kind == "integer":
                assert isinstance(issue, NumericIssue)
                element.set("lowerbound", str(int(issue.minimum)))
                element.set("upperbound", str(int(issue.maximum)))
                slope, offset = lines[n - 1][party.id]
                _sub(element, "evaluator", ftype="linear", slope=repr(_tidy(slope)), offset=repr(_tidy(offset)))
                written.append(w)
            else:
                top = float(vector.max()) if len(vector) else 0.0
                for k, (value, v) in enumerate(zip(issue.values(), vector, strict=True), start=1):
                    _sub(element, "item", index=str(k), value=value_key(value), evaluation=repr(_tidy(v)))
                # GENIUS divides by the largest evaluation; the weight carries it back
                written.append(w * top if top >= _DISCRETE_MAX_FLOOR else 0.0)
        for n, w in enumerate(written, start=1):
            _sub(objective, "weight", index=str(n), value=repr(_tidy(w)))
        _sub(root, "discount_factor", value="1.0")
        _sub(root, "reservation", value=repr(_tidy(party.private.reservation_value)))
        profiles[f"{party.id}.xml"] = _xml_text(root)
    return GeniusExport(
        domain_file=f"{scenario.id}-domain.xml", domain=_xml_text(domain_root), profiles=profiles, notes=notes
    )


def _xml_text(root: ET.Element) -> str:
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


__all__ = [
    "DEFAULT_REAL_STEPS",
    "MAX_FILE_BYTES",
    "MAX_ISSUE_VALUES",
    "GeniusError",
    "GeniusExport",
    "GeniusImport",
    "genius_files",
    "genius_id",
    "read_genius",
]
