"""Shared fixtures: the small two-party scenario and the shipped scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest

from pactlab.domain.catalog import shipped_scenarios
from pactlab.domain.loader import load_model
from pactlab.domain.scenario import Scenario

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def two_party() -> Scenario:
    return load_model(FIXTURES / "two_party.yaml", Scenario)


@pytest.fixture(scope="session")
def shipped() -> dict[str, Scenario]:
    return {name: load_model(path, Scenario) for name, path in shipped_scenarios().items()}
