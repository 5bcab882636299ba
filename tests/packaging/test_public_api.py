"""`pactlab` re-exports the public API of its layers, completely, and loads it only on use."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import pactlab

LAYERS = ("pactlab.domain", "pactlab.workflow", "pactlab.errors")


@pytest.mark.parametrize("layer", LAYERS)
def test_every_public_name_of_a_layer_is_re_exported(layer: str) -> None:
    module = importlib.import_module(layer)
    missing = sorted(set(module.__all__) - set(pactlab.__all__))
    assert not missing, f"add {missing} to pactlab/__init__.py"
    for name in module.__all__:
        assert getattr(pactlab, name) is getattr(module, name)


def test_every_exported_name_resolves() -> None:
    for name in pactlab.__all__:
        assert getattr(pactlab, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nonesuch'"):
        _ = pactlab.nonesuch  # type: ignore[attr-defined]


def test_importing_pactlab_does_not_load_the_workflow() -> None:
    code = "import sys, pactlab; print(sorted(m for m in ('langgraph', 'pactlab.workflow') if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
