"""The fast path of `canonical_json` writes exactly the bytes the `rfc8785` package writes, or refuses alike.

`canonical_json` hands a value to Python's C JSON encoder only when that encoder is known to agree
with RFC 8785 (`evals.audit.record._jcs_as_json`); these tests compare both on the values where
they could part: floats in every notation, whole floats, -0.0, huge integers, keys that sort
differently by code point and by UTF-16 unit, control characters, lone surrogates, tuples. And a
real run's transcript, written by the writer that assembles each line from its payload's
canonical text, is byte for byte what `rfc8785` makes of each record.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from evals.audit import canonical_json, verify
from pactlab.domain.catalog import load_scenario
from pactlab.workflow import Negotiations

KEYS = st.one_of(
    st.text(max_size=6),
    st.sampled_from(["a", "b", "é", "\ue000", "\U0001f600", "\uffff", "\U00010000", "A", "_"]),
)
FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1.0, 1e-4, 9.999e-5, 1e16, 1e21, 1e-7, 0.1, 123.456, 2.5e15, -1e16, 5e-324]),
)
INTS = st.one_of(st.integers(), st.sampled_from([2**53 - 1, 2**53, -(2**53 - 1), -(2**53), 0]))
TEXT = st.one_of(st.text(), st.sampled_from(['\x00\x1f"\\\b\f\n\r\t\x7f', "\u2028\u2029", "\ud800", "x\udfffy"]))
SCALARS = st.one_of(st.none(), st.booleans(), INTS, FLOATS, TEXT)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(KEYS, inner, max_size=4),
    ),
    max_leaves=20,
)


def _reference(value: Any) -> str | None:
    try:
        return rfc8785.dumps(value).decode("utf-8")
    except rfc8785.CanonicalizationError:
        return None


@settings(max_examples=600, deadline=None, database=None)
@given(value=VALUES)
def test_the_fast_path_agrees_with_rfc8785(value: Any) -> None:
    expected = _reference(value)
    if expected is None:
        with pytest.raises(ValueError, match="RFC 8785"):
            canonical_json(value)
    else:
        assert canonical_json(value) == expected


@pytest.mark.parametrize(
    "value",
    [1.0, -0.0, 1e21, 1e-7, 1e16, 9.999e-5, 2**53, {"\U0001f600": 1, "\uffff": 2}, {"k": [1.5, (2, 3.25)]}],
)
def test_values_where_python_and_ecmascript_differ(value: Any) -> None:
    expected = _reference(value)
    if expected is None:  # 2**53: beyond the integers RFC 8785 allows
        with pytest.raises(ValueError, match="RFC 8785"):
            canonical_json(value)
    else:
        assert canonical_json(value) == expected


def test_a_runs_transcript_is_rfc8785_line_for_line(tmp_path: Path) -> None:
    scenario, _ = load_scenario("platform_material")
    transcript = tmp_path / "t.jsonl"
    with Negotiations(tmp_path / "c.sqlite") as runs:
        events = runs.start(
            scenario,
            agents=dict.fromkeys(scenario.party_ids, "pareto"),
            seed=1,
            negotiation_id="n",
            transcript=transcript,
        )
        list(events)
    lines = transcript.read_bytes().splitlines()
    assert len(lines) > 10
    for line in lines:
        obj = json.loads(line)
        assert line == rfc8785.dumps(obj)
        body = {k: v for k, v in obj.items() if k not in ("hash", "sig")}
        assert obj["hash"] == hashlib.sha256(rfc8785.dumps(body)).hexdigest()
    report = verify(transcript)
    assert report.ok, report.problem
