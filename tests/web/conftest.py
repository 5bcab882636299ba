"""The rehearsal tests' fixtures, for the web tests too."""

from tests.rehearsal.conftest import nash_terms, scenario

__all__ = ["nash_terms", "scenario"]
