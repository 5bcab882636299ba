"""Sweep files for the exploration tests, written into a temporary folder."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

SMALL_SWEEP = """\
name: small-sweep
scenario: platform_material
seeds: {count: 3}
fixed:
  protocol.max_rounds: 20
  negotiators.supplier: pareto
grid:
  policies: [minimal, fair-and-open]
  negotiators.platform: [boulware, pareto]
"""
"""2 x 2 variants x 3 seeds = 12 strategy runs of a few tenths of a second each."""

WriteSweep = Callable[..., Path]


@pytest.fixture
def write_sweep(tmp_path: Path) -> WriteSweep:
    """Write a sweep file (dedented) under tmp_path and return its path."""

    def write(text: str, name: str = "test_sweep.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write
