"""Fairness measures on hand-computed values."""

from __future__ import annotations

import pytest

from evals.fairness import gini, min_max_ratio, surplus


def test_surplus_is_utility_minus_reservation_in_utility_order() -> None:
    got = surplus({"b": 0.5, "a": 0.9}, {"a": 0.4, "b": 0.6, "c": 0.1})
    assert list(got) == ["b", "a"]
    assert got["a"] == pytest.approx(0.5)
    assert got["b"] == pytest.approx(-0.1)


def test_surplus_needs_every_reservation_value() -> None:
    with pytest.raises(KeyError, match="b"):
        surplus({"a": 0.5, "b": 0.5}, {"a": 0.1})


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([0.2, 0.4], 0.5),
        ([0.3, 0.1, 0.6], 1 / 6),
        ([0.25, 0.25, 0.25], 1.0),
        ([0.0, 0.0], 1.0),  # no one gains: equal, trivially
        ([0.0, 0.5], 0.0),
        ([-0.1, 0.5], 0.0),  # someone worse off than without the deal
        ([-0.1, -0.2], 0.0),
        ([], 1.0),
    ],
)
def test_min_max_ratio(values: list[float], expected: float) -> None:
    assert min_max_ratio(values) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1.0, 1.0, 1.0], 0.0),
        ([0.0, 0.0, 1.0], 2 / 3),  # one takes all: 1 - 1/n
        ([0.0, 1.0], 0.5),
        ([1.0, 2.0, 3.0, 4.0], 0.25),  # 20 / (2 * 4 * 10)
        ([2.0, 4.0, 6.0, 8.0], 0.25),  # scale-free
        ([0.2, 0.6], 0.4 / (2 * 0.8)),
        ([0.0, 0.0], 0.0),
        ([], 0.0),
    ],
)
def test_gini(values: list[float], expected: float) -> None:
    assert gini(values) == pytest.approx(expected)


def test_gini_refuses_negative_values() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        gini([0.3, -0.1])


def test_gini_is_order_free() -> None:
    assert gini([0.1, 0.7, 0.3]) == gini([0.7, 0.3, 0.1])
