"""The scenario files the web app offers: the person's folders, the uploads and the shipped scenarios, by id.

A browser never names a file: it gets the listing, each file under an id, and sends an id back.
Ids are looked up in the listing as it stands (a dictionary built from the folders' contents),
never joined to a path, so ``../x`` or ``/etc/passwd`` is simply not an id. The ids:

- a shipped scenario: its name, as on the command line (the file name without ``.yaml``);
- a file in a scenario folder: ``LABEL:NAME``, the folder's label (its name, made unique) and the
  file's name without ``.yaml`` / ``.yml`` (``deals:my_deal``);
- an upload: ``upload:SHA256``, the hash of its bytes.

Uploads are stored under the server's data directory (``<out>/_uploads/<sha256>.yaml``), never in
the scenario folders: a folder is the person's, the server only reads it. Every listed file is
checked with `pactlab.app.web.scenario_check` (checks are cached by the file's hash).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pactlab.app.web.scenario_check import MAX_BYTES, ScenarioCheck, check_scenario, too_large
from pactlab.domain.catalog import SHIPPED_SCENARIOS
from pactlab.domain.counterparts import uncertain_parties

SHIPPED = "shipped"
UPLOAD = "upload"
UPLOADS = "_uploads"
"""The uploads' folder under the data directory (a rehearsal id cannot start with '_', so no run takes it)."""

MAX_FILES = 200
"""Scenario files listed per folder at most (the first, by name)."""

CACHE = 256
"""Checked files kept in memory (by path and hash), so that a listing does not parse every file again."""

_UPLOAD_NAME = re.compile(r"^[0-9a-f]{64}\.yaml$")
_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Folder:
    """A folder of scenario files and the label its files' ids start with."""

    label: str
    path: Path


@dataclass(frozen=True)
class ScenarioFile:
    """One listed file: where it is, and what it holds (a scenario, or its problems)."""

    id: str
    origin: str  # "shipped", "upload", or a folder's label
    path: Path
    check: ScenarioCheck

    @property
    def valid(self) -> bool:
        return self.check.valid

    def summary(self) -> dict[str, Any]:
        """What the start form and ``/api/scenarios`` show of the file (plain data, for JSON)."""
        scenario = self.check.scenario
        return {
            "id": self.id,
            "origin": self.origin,
            "file": str(self.path) if self.origin != UPLOAD else f"uploaded, SHA-256 {self.check.sha256[:12]}…",
            "sha256": self.check.sha256,
            "valid": scenario is not None,
            "problems": list(self.check.problems),
            "title": None if scenario is None else scenario.title,
            "policy_set": None if scenario is None else scenario.policy_set,
            "parties": []
            if scenario is None
            else [{"id": p.id, "name": p.name, "core_business": p.core_business} for p in scenario.parties],
            "issues": [] if scenario is None else scenario.issue_ids,
            "uncertain": [] if scenario is None else uncertain_parties(scenario),  # who `--uncertain` can draw
        }


def default_folders(cwd: Path) -> list[Path]:
    """The scenario folders when none is named: ``./scenarios`` if it exists (the shipped ones come anyway)."""
    here = cwd / "scenarios"
    return [here] if here.is_dir() else []


class Library:
    """The scenario files of `folders` (in that order), the uploads under `uploads`, and the shipped scenarios.

    Thread-safe: the web server lists, uploads and starts from several threads.
    """

    def __init__(self, folders: Sequence[Path], uploads: Path, *, shipped: Path = SHIPPED_SCENARIOS) -> None:
        self.uploads = uploads
        self.shipped = Folder(SHIPPED, shipped)
        self.folders = _labelled(folders, shipped)
        self._cache: OrderedDict[tuple[str, str], ScenarioCheck] = OrderedDict()
        self._lock = threading.Lock()

    # -- listing ----------------------------------------------------------------------------------

    def origins(self) -> list[tuple[str, str]]:
        """Where listed files come from, in listing order: (origin, what to call it on the page)."""
        return [
            *((f.label, f"{f.path}{os.sep}") for f in self.folders),
            (UPLOAD, "Uploaded here"),
            (SHIPPED, "Shipped with pactlab"),
        ]

    def files(self) -> list[ScenarioFile]:
        """Every listed file, checked: the folders' first, then the uploads, then the shipped scenarios."""
        return [self._checked(sid, origin, path) for sid, (origin, path) in self._paths().items()]

    def find(self, sid: object) -> ScenarioFile | None:
        """The listed file with id `sid`, checked now; None for anything that is not a listed id."""
        if not isinstance(sid, str):
            return None
        found = self._paths().get(sid)
        return None if found is None else self._checked(sid, *found)

    def _paths(self) -> dict[str, tuple[str, Path]]:
        """Ids -> (origin, path) of every file in the listing, as the folders hold them now."""
        paths: dict[str, tuple[str, Path]] = {}
        for folder in self.folders:
            for name, path in _yaml_files(folder.path).items():
                paths[f"{folder.label}:{name}"] = (folder.label, path)
        if self.uploads.is_dir():
            for path in sorted(self.uploads.iterdir()):
                if _UPLOAD_NAME.match(path.name) and path.is_file():
                    paths[f"{UPLOAD}:{path.stem}"] = (UPLOAD, path)
        for name, path in _yaml_files(self.shipped.path).items():
            paths[name] = (SHIPPED, path)
        return paths

    def _checked(self, sid: str, origin: str, path: Path) -> ScenarioFile:
        try:
            size = path.stat().st_size
            check = too_large(size, str(path)) if size > MAX_BYTES else self._check(path.read_bytes(), str(path))
        except OSError as exc:
            check = ScenarioCheck(None, (f"{path}: cannot read file: {exc.strerror or exc}",), "")
        if origin == UPLOAD and check.valid and check.sha256 != path.stem:
            check = ScenarioCheck(None, (f"{path}: the stored upload no longer matches its hash",), check.sha256)
        return ScenarioFile(sid, origin, path, check)

    def _check(self, data: bytes, source: str) -> ScenarioCheck:
        key = (source, hashlib.sha256(data).hexdigest())
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        found = check_scenario(data, source)
        with self._lock:
            self._cache[key] = found
            while len(self._cache) > CACHE:
                self._cache.popitem(last=False)
        return found

    # -- uploads ----------------------------------------------------------------------------------

    def upload(self, data: bytes, name: str) -> ScenarioFile:
        """Check an uploaded file (`name` only labels its problems); a valid one is stored by its hash and listed."""
        check = self._check(data, name)
        digest = check.sha256
        path = self.uploads / f"{digest}.yaml"
        if not check.valid:
            return ScenarioFile(f"{UPLOAD}:{digest}", UPLOAD, Path(name), check)
        if not path.exists():
            self.uploads.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.uploads, prefix=".upload-", delete=False) as tmp:
                try:
                    tmp.write(data)
                    tmp.flush()
                    os.fsync(tmp.fileno())
                except BaseException:
                    Path(tmp.name).unlink(missing_ok=True)
                    raise
            os.replace(tmp.name, path)  # whole or not at all: a listing never sees half a file
        stored = self.find(f"{UPLOAD}:{digest}")
        assert stored is not None
        return stored


def _labelled(folders: Sequence[Path], shipped: Path) -> list[Folder]:
    """The folders with unique labels, each once, without the shipped folder (listed anyway)."""
    seen = {shipped.resolve()}
    taken = {SHIPPED, UPLOAD}
    found = []
    for folder in folders:
        resolved = folder.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        base = re.sub(r"[^a-z0-9_-]+", "-", resolved.name.lower()).strip("-") or "folder"
        label, n = base, 2
        while label in taken:
            label, n = f"{base}-{n}", n + 1
        taken.add(label)
        found.append(Folder(label, folder))
    return found


def _yaml_files(folder: Path) -> dict[str, Path]:
    """A folder's scenario files by name (without the suffix; the full name when two share it), sorted."""
    if not folder.is_dir():
        return {}
    files: dict[str, Path] = {}
    candidates = sorted(p for p in folder.iterdir() if p.suffix in _SUFFIXES and not p.name.startswith("."))
    for path in candidates[:MAX_FILES]:
        if path.is_file():
            files[path.stem if path.stem not in files else path.name] = path
    return files
