"""The keys a run signs its audit trail with: one identity per party, the mediator, the operator, and each person.

At a run's start the operator draws a secret (kept in the run spec, so in the checkpoint, never
in the transcript); an identity whose name has a key in the key directory (`evals.identity.KeyStore`,
``$PACTLAB_KEYS``) signs with that key, every other one with an ephemeral key derived from the
secret. The run start records every identity's public key; a person who sits down later is
seated by an ``identity`` record. A resumed run, a replayed step and a what-if branch rebuild the
same keyring from the spec, and so sign with the same keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from evals.identity import (
    MEDIATOR,
    OPERATOR,
    KeyPair,
    Keyring,
    KeyStore,
    KeyStoreError,
    Role,
    new_run_secret,
    person_identity,
)
from pactlab.workflow.state import RunSpec


def new_signing(party_ids: Sequence[str], store: KeyStore | None = None) -> dict[str, Any]:
    """The spec's ``signing`` entry for a new run: a fresh secret, and which identities have configured keys."""
    store = store if store is not None else KeyStore()
    names = [OPERATOR, MEDIATOR, *party_ids]
    configured = []
    for name in names:
        try:
            if store.has(name):
                configured.append(name)
        except KeyStoreError:  # a party id that cannot be a key file name: ephemeral
            continue
    return {"secret": new_run_secret(), "configured": configured, "key_dir": str(store.directory)}


def keyring_for(spec: RunSpec, declared: Mapping[str, Mapping[str, Any]] | None = None) -> Keyring:
    """The run's keyring from its spec; `declared` (the transcript's identities) re-seats the people seated so far."""
    signing = spec.get("signing")
    if not signing:
        return Keyring.ephemeral_operator()
    store = KeyStore(signing.get("key_dir"))
    ring = Keyring()
    roles: list[tuple[str, Role]] = [(OPERATOR, "operator"), (MEDIATOR, "mediator")]
    roles += [(p, "party") for p in spec["agents"]]
    for name, role in roles:
        configured = name in signing.get("configured", [])
        pair = store.load(name) if configured else KeyPair.derived(signing["secret"], name)
        ring.add(pair, role=role, ephemeral=not configured)
    for name, identity in (declared or {}).items():
        if identity.get("role") == "person" and isinstance(identity.get("seat"), str):
            seat_person(ring, spec, str(identity["seat"]), str(identity.get("display_name") or name))
    return ring


def seat_person(ring: Keyring, spec: RunSpec | None, party: str, display_name: str) -> dict[str, Any]:
    """Seat the person `display_name` at `party`'s seat (a key from the key directory, else ephemeral).

    Returns the ``identity`` record's data."""
    name = person_identity(display_name)
    signing: dict[str, Any] = (spec.get("signing") if spec is not None else None) or {}
    store = KeyStore(signing.get("key_dir"))
    try:
        configured = store.has(name)
    except KeyStoreError:
        configured = False
    if configured:
        pair = store.load(name)
    elif "secret" in signing:
        pair = KeyPair.derived(signing["secret"], name)
    else:  # a run without a signing entry (built by hand): a key for this process only
        pair = KeyPair.generate(name)
    ring.add(pair, role="person", ephemeral=not configured, display_name=display_name, seat=party)
    ring.seat_person(party, name)
    return {"name": name, "identity": ring.identities[name]}
