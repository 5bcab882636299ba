"""Fuzzing the loader: every generated document loads or is refused as bad input, never anything else.

Three kinds of document: YAML structures of every scalar kind (huge and non-finite numbers,
control characters, tags, anchors and aliases), the shipped fixture with one value replaced
by a hostile scalar, and raw text built from YAML's punctuation. Each goes through
`parse_model` as a scenario, a sweep, a league and a policy set; the only exception allowed is
`FileError` (a `BadInput`, exit 2), and each of its problems names the source.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from pactlab.app.league.model import League
from pactlab.app.sweeps.model import Sweep
from pactlab.domain.loader import FileError, parse_model
from pactlab.domain.scenario import Scenario
from pactlab.errors import BadInput
from policies import PolicySet
from tests.hostile.inputs import base_scenario

MODELS: tuple[type[BaseModel], ...] = (Scenario, Sweep, League, PolicySet)
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HOSTILE_SCALARS = [
    ".inf",
    "-.inf",
    ".nan",
    "1e308",
    "-1e308",
    "1.0e+400",
    "9" * 40,
    "0x" + "f" * 30,
    "0o777",
    "1_000",
    "2001-13-45",
    "2001-12-14t21:59:43.10-05:00",
    "~",
    "null",
    "yes",
    "!!binary aGVsbG8=",
    "!!set {a, b}",
    "!!python/name:os.system",
    "!local x",
    "&a x",
    "*undefined",
    "'[/b]'",
    "':100:'",
    '"\\x00"',
    '"\\uffff"',
    "[]",
    "{}",
    "[[[[[]]]]]",
    "? [a]\n  : 1",
    "|\n  text",
    "'",
    '"',
    "- -",
    ": :",
    "%YAML 1.1",
    "---",
    "...",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(HOSTILE_SCALARS),
)
structures = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8) | st.integers(), children, max_size=4)
    ),
    max_leaves=25,
)


def _expect_loads_or_refuses(text: str) -> None:
    for model in MODELS:
        try:
            parse_model(text, model, source="fuzz.yaml")
        except FileError as exc:
            assert isinstance(exc, BadInput)
            assert exc.problems and all(p.file == "fuzz.yaml" for p in exc.problems), exc.problems
            for problem in exc.problems:
                assert str(problem).startswith("fuzz.yaml")


@FUZZ
@given(document=structures, root_is_mapping=st.booleans())
def test_any_yaml_structure_loads_or_is_refused(document: Any, root_is_mapping: bool) -> None:
    data = {"id": document} if root_is_mapping else document
    _expect_loads_or_refuses(yaml.safe_dump(data, allow_unicode=True))


SCALAR_LINE = re.compile(r"^(\s*(?:- )?[A-Za-z_]+: )(\S.*)$", re.MULTILINE)
SLOTS = [m.span(2) for m in SCALAR_LINE.finditer(base_scenario())]


@FUZZ
@given(slot=st.integers(0, len(SLOTS) - 1), value=st.sampled_from(HOSTILE_SCALARS) | st.text(max_size=20))
def test_the_fixture_with_one_hostile_value_loads_or_is_refused(slot: int, value: str) -> None:
    text = base_scenario()
    start, end = SLOTS[slot]
    _expect_loads_or_refuses(text[:start] + value + text[end:])


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("[]{}:-?&*!|>'\"%@`#,\n \t\x00\x85\ufeffab01.e+")), max_size=200))
def test_raw_text_loads_or_is_refused(text: str) -> None:
    _expect_loads_or_refuses(text)


def test_found_by_fuzzing_a_list_as_a_tier_id() -> None:
    """Once TypeError (unhashable list) in the dispute tier's kind-from-id check."""
    text = base_scenario().replace("  - id: working_level\n", "  - id: []\n")
    try:
        parse_model(text, Scenario, source="fuzz.yaml")
    except FileError as exc:
        assert any("dispute_ladder[0].id" in str(p) for p in exc.problems), exc.problems
    else:
        raise AssertionError("a list as a tier id was accepted")
