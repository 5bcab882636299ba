"""Harness: how many GENIUS/ANAC domains under a folder import, and whether each round-trips exactly.

Run ``python -m benchmarks.genius_import FOLDER…`` (e.g. the scenario folders NegMAS ships:
``tests/data/scenarios`` of its repository, or the ``scenarios``/``tests/data`` folders of an
installed ``negmas``; with no folder, those of an installed ``negmas`` are used when found).
Every folder holding exactly one domain (``<negotiation_template>``) and two or more profiles
(``<utility_space>``) is imported with `pactlab.domain.genius.read_genius`; then, for spaces
up to ``--max-outcomes``, exported with `genius_files`, imported again, and every outcome's
utility compared (within ``UTILITY_TOLERANCE``) with the first import's, with the reservation
values. Prints the counts, and the refusals grouped by reason (each with one example).
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from pactlab.domain.genius import GeniusError, genius_files, read_genius
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.scenario import Scenario
from pactlab.domain.tolerance import UTILITY_TOLERANCE


def _negmas_folders() -> list[Path]:
    spec = importlib.util.find_spec("negmas")
    if spec is None or spec.origin is None:
        return []
    root = Path(spec.origin).parent
    return [p for p in (root / "scenarios", root / "tests" / "data") if p.is_dir()]


def _candidates(folders: Sequence[Path]) -> list[tuple[Path, list[Path]]]:
    """(domain, profiles) of every folder with one domain file and at least two profiles."""
    found = []
    for folder in sorted({p.parent for top in folders for p in top.rglob("*.xml")}):
        domains: list[Path] = []
        profiles: list[Path] = []
        for path in sorted(folder.glob("*.xml")):
            try:
                tag = ET.parse(path).getroot().tag
            except ET.ParseError:
                continue
            if tag == "negotiation_template":
                domains.append(path)
            elif tag == "utility_space":
                profiles.append(path)
        if len(domains) == 1 and len(profiles) >= 2:
            found.append((domains[0], profiles))
    return found


def same_utilities(first: Scenario, second: Scenario) -> bool:
    """Whether two scenarios give each outcome (in order) the same utilities, and the same reservation values."""
    a, b = OutcomeSpace(first.issues), OutcomeSpace(second.issues)
    if a.shape != b.shape or first.party_ids != second.party_ids:
        return False
    for p, q in zip(first.parties, second.parties, strict=True):
        u, v = UtilityFunction(a, p.private).over_space(), UtilityFunction(b, q.private).over_space()
        if not np.allclose(u, v, rtol=0.0, atol=UTILITY_TOLERANCE):
            return False
        if abs(p.private.reservation_value - q.private.reservation_value) > UTILITY_TOLERANCE:
            return False
    return True


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.genius_import", description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="*", type=Path, help="folders searched for GENIUS domains (recursively)")
    parser.add_argument("--max-outcomes", type=int, default=200_000, help="round-trip spaces up to this size")
    args = parser.parse_args(argv)
    folders = list(args.folders) or _negmas_folders()
    if not folders:
        print("no folder given and no negmas installed (pip install negmas, or pass a folder of GENIUS domains)")
        return
    candidates = _candidates(folders)
    imported = identical = skipped = 0
    refused: Counter[str] = Counter()
    example: dict[str, str] = {}
    for domain, profiles in candidates:
        try:
            first = read_genius(domain, profiles)
        except GeniusError as exc:
            reason = re.sub(r"'[^']*'|\"[^\"]*\"|-?\d+(\.\d+)?(e-?\d+)?", "…", exc.message)
            refused[reason] += 1
            example.setdefault(reason, str(exc))
            continue
        imported += 1
        if OutcomeSpace(first.scenario.issues).cardinality > args.max_outcomes:
            skipped += 1
            continue
        with tempfile.TemporaryDirectory() as tmp:
            exported = genius_files(first.scenario)
            exported.write(tmp)
            second = read_genius(Path(tmp) / exported.domain_file, [Path(tmp) / n for n in exported.profiles])
        if same_utilities(first.scenario, second.scenario):
            identical += 1
        else:
            print(f"round trip differs: {domain}")
    print(f"GENIUS domains found: {len(candidates)} (one domain and >= 2 profiles per folder)")
    print(f"imported: {imported}; refused: {len(candidates) - imported}")
    print(
        f"round trip (import -> export -> import) with identical utilities: {identical} of "
        f"{imported - skipped} (skipped {skipped} with more than {args.max_outcomes:,} outcomes)"
    )
    for reason, n in refused.most_common():
        print(f"  refused {n}x: {example[reason]}")


if __name__ == "__main__":
    main()
