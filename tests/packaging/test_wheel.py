"""The wheel installs anywhere: built from the source tree, installed into a fresh virtual
environment outside the repository, it finds its shipped scenarios, policy sets and templates
as package data and runs a negotiation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from setuptools import find_namespace_packages

from pactlab.domain.catalog import shipped_files, shipped_folder

ROOT = Path(__file__).resolve().parents[2]


def test_the_package_list_names_every_package_on_disk() -> None:
    """pyproject.toml lists packages by hand (to map the shipped folders): keep it complete."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    on_disk = {
        name
        for name in find_namespace_packages(str(ROOT), include=["pactlab*", "agents*", "policies*", "evals*"])
        if (ROOT / name.replace(".", "/") / "__init__.py").exists()
    }
    assert on_disk <= listed, f"add to [tool.setuptools] packages: {sorted(on_disk - listed)}"
    assert {"pactlab.shipped.scenarios", "pactlab.shipped.sweeps"} <= listed


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_repository(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("pactlab-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for name, path in shipped_files(shipped_folder("scenarios")).items():
        assert f"pactlab/shipped/scenarios/{path.name}" in names, name
    for required in ("policies/sets/fair-and-open.yaml", "pactlab/py.typed", "pactlab/app/web/templates/base.html"):
        assert required in names
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/"))]

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True, capture_output=True, env=environment
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    def pactlab(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(env_dir / "bin" / "pactlab"), *args], cwd=elsewhere, capture_output=True, text=True, env=environment
        )

    listed = pactlab("scenario", "list")
    assert listed.returncode == 0, listed.stderr
    for name in shipped_files(shipped_folder("scenarios")):
        assert name in listed.stdout

    origin = subprocess.run(
        [str(python), "-c", "import pactlab; print(pactlab.__file__)"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=environment,
        check=True,
    ).stdout
    assert str(env_dir) in origin and str(ROOT) not in origin

    name = next(iter(shipped_files(shipped_folder("scenarios"))))
    run = pactlab("run", name, "--seed", "3", "--policies", "fair-and-open", "-q", "--id", "wheel", "--out", "out")
    assert run.returncode in (0, 3), run.stdout + run.stderr
    scorecard = json.loads((elsewhere / "out" / "wheel" / "scorecard.json").read_text(encoding="utf-8"))
    assert scorecard["outcome"] in ("agreement", "impasse", "walk_away")
    assert (elsewhere / "out" / "wheel" / "transcript.jsonl").exists()
