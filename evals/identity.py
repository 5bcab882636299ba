"""Who wrote a record: Ed25519 identities, the key directory, and the keyring a run signs with.

An identity is a name (a party id, ``operator``, ``mediator``, ``person:<name>``) and an Ed25519
key pair. Every audit record is signed by the identity of its actor (`Keyring.signer_for`):

- a party's records by the party's key (its agent acts for it), a person's moves at a seat by
  the person's key;
- the mediator's records by the mediator's key;
- everything the operator's process decides itself (run start, policy gate, ladder, evaluation,
  seal) by the operator's key.

Keys people and organisations keep live in a key directory outside transcripts
(`KeyStore`: ``$PACTLAB_KEYS`` or ``~/.config/pactlab/keys``; private keys written 0600). A run
without configured keys gets ephemeral per-run keys: their public halves are recorded in the
run start, so every record is still signed, and the operator process holds the private halves
for the agents it runs (in the run's checkpoint, so a resumed run signs with the same keys).

What a signature proves: the record was written by the holder of that key. Pinning keys
(`audit verify --trust FILE`, a JSON object ``{identity: public key}``) is what makes a
transcript rewritten with new keys fail.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from pactlab.errors import BadInput, NotFound

Role = Literal["operator", "party", "person", "mediator"]

OPERATOR = "operator"
MEDIATOR = "mediator"
PERSON_PREFIX = "person:"
KEYS_ENV = "PACTLAB_KEYS"

RECORD_CONTEXT = b"pactlab/audit-record/v1\n"
"""Prefix of the message a record's signature covers (then the record's hex hash): domain separation."""
AGREEMENT_CONTEXT = b"pactlab/agreement/v1\n"
"""Prefix of the message a party signs for an agreement (then the agreed terms' hex hash)."""

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@ -]{0,79}$")


class KeyStoreError(BadInput, ValueError):
    """A key name, key file or trust file that cannot be used."""


class UnknownKey(NotFound, LookupError):
    """No key of that name in the key directory."""


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def person_identity(name: str) -> str:
    """The identity name of a person seated at a table (``person:Ada``)."""
    return PERSON_PREFIX + name


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise KeyStoreError(
            f"key name {name!r} is not usable: 1-80 letters, digits, space or _.:@-, starting with a letter or digit"
        )
    return name


def verify_signature(public_key: str, message: bytes, signature: str) -> bool:
    """Whether `signature` (base64) is the Ed25519 signature of `message` under `public_key` (base64, raw 32 bytes)."""
    try:
        Ed25519PublicKey.from_public_bytes(unb64(public_key)).verify(unb64(signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def record_message(record_hash: str) -> bytes:
    return RECORD_CONTEXT + record_hash.encode("ascii")


def agreement_message(terms_sha256: str) -> bytes:
    return AGREEMENT_CONTEXT + terms_sha256.encode("ascii")


@dataclass(frozen=True)
class KeyPair:
    """An Ed25519 private key and its identity name."""

    name: str
    private: Ed25519PrivateKey

    @classmethod
    def generate(cls, name: str) -> KeyPair:
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_raw(cls, name: str, private_b64: str) -> KeyPair:
        return cls(name, Ed25519PrivateKey.from_private_bytes(unb64(private_b64)))

    @classmethod
    def derived(cls, run_secret: str, name: str) -> KeyPair:
        """An ephemeral per-run key: HMAC-SHA256(run secret, name) as the Ed25519 seed.

        The operator keeps one random secret per run (in its checkpoint); every identity of the
        run, a person seated later included, gets its key from it, so a resumed run, a replayed
        step or a branch signs with the same keys without storing one private key per identity.
        """
        seed = hmac.new(unb64(run_secret), name.encode("utf-8"), hashlib.sha256).digest()
        return cls(name, Ed25519PrivateKey.from_private_bytes(seed))

    @cached_property
    def public_key(self) -> str:
        """The raw public key in base64 (derived once: every record's signature names it)."""
        raw = self.private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return b64(raw)

    def raw_private(self) -> str:
        raw = self.private.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        return b64(raw)

    def sign(self, message: bytes) -> str:
        return b64(self.private.sign(message))


@dataclass
class Keyring:
    """The private keys a process signs records with, and who signs for which actor.

    `identities` describes every identity (role, display name, public key, seat for a person,
    whether the key is ephemeral): it is what the run start records. A person seated for a party
    signs that party's records once `seat_person` put them there.
    """

    keys: dict[str, KeyPair] = field(default_factory=dict)
    identities: dict[str, dict[str, object]] = field(default_factory=dict)
    seated: dict[str, str] = field(default_factory=dict)  # party -> person identity

    @classmethod
    def ephemeral_operator(cls) -> Keyring:
        """A keyring with only an ephemeral operator key: every record is signed by the operator."""
        ring = cls()
        ring.add(KeyPair.generate(OPERATOR), role="operator", ephemeral=True)
        return ring

    def add(
        self, pair: KeyPair, *, role: Role, ephemeral: bool, display_name: str | None = None, seat: str | None = None
    ) -> None:
        self.keys[pair.name] = pair
        identity: dict[str, object] = {
            "role": role,
            "public_key": pair.public_key,
            "display_name": display_name or pair.name,
            "ephemeral": ephemeral,
        }
        if seat is not None:
            identity["seat"] = seat
        self.identities[pair.name] = identity

    def seat_person(self, party: str, person: str) -> None:
        self.seated[party] = person

    def seated_name(self, party: str) -> str | None:
        """The display name of the person last seated for `party`, if any."""
        person = self.seated.get(party)
        return None if person is None else str(self.identities[person]["display_name"])

    def signer_for(self, actor: str) -> str:
        """The identity that signs `actor`'s records: a person seated for it, the actor itself, else the operator."""
        if actor in self.seated:
            return self.seated[actor]
        return actor if actor in self.keys else OPERATOR

    def sign(self, signer: str, message: bytes) -> str:
        try:
            return self.keys[signer].sign(message)
        except KeyError:
            raise KeyStoreError(f"no private key for {signer!r} in this process's keyring") from None

    def public_key(self, signer: str) -> str:
        try:
            return self.keys[signer].public_key
        except KeyError:
            raise KeyStoreError(f"no key for {signer!r} in this process's keyring") from None

    def parties(self) -> list[str]:
        return [n for n, i in self.identities.items() if i["role"] == "party"]

    def ephemeral_secrets(self) -> dict[str, str]:
        """The ephemeral private keys (raw, base64), for the run's checkpoint: a resumed run signs with them."""
        return {n: self.keys[n].raw_private() for n, i in self.identities.items() if i["ephemeral"] and n in self.keys}


def default_key_dir() -> Path:
    """``$PACTLAB_KEYS``, or ``~/.config/pactlab/keys`` (never inside a transcript folder)."""
    configured = os.environ.get(KEYS_ENV)
    return Path(configured).expanduser() if configured else Path.home() / ".config" / "pactlab" / "keys"


class KeyStore:
    """A directory of named Ed25519 keys: ``NAME.key`` (PKCS#8 PEM, mode 0600) and ``NAME.pub`` (base64)."""

    def __init__(self, directory: Path | str | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_key_dir()

    def _stem(self, name: str) -> str:
        return check_name(name).replace(":", "_").replace(" ", "_")

    def new(self, name: str) -> KeyPair:
        """Create a key pair named `name`; refuses to overwrite an existing one."""
        stem = self._stem(name)
        private_path = self.directory / f"{stem}.key"
        if private_path.exists():
            raise KeyStoreError(f"a key named {name!r} already exists in {self.directory}; pick another name")
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        pair = KeyPair.generate(name)
        pem = pair.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
        meta = {"name": name, "public_key": pair.public_key}
        (self.directory / f"{stem}.pub").write_text(json.dumps(meta) + "\n", encoding="utf-8")
        return pair

    def names(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(self._meta(p)["name"] for p in self.directory.glob("*.pub"))

    def public_key(self, name: str) -> str:
        path = self.directory / f"{self._stem(name)}.pub"
        if not path.is_file():
            raise UnknownKey(f"no key named {name!r} in {self.directory}; create it with 'pactlab keys new {name}'")
        return self._meta(path)["public_key"]

    def load(self, name: str) -> KeyPair:
        path = self.directory / f"{self._stem(name)}.key"
        if not path.is_file():
            raise UnknownKey(f"no key named {name!r} in {self.directory}; create it with 'pactlab keys new {name}'")
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyStoreError(f"{path} is not an Ed25519 private key")
        return KeyPair(name, key)

    def has(self, name: str) -> bool:
        return (self.directory / f"{self._stem(name)}.key").is_file()

    def export(self, names: Iterable[str] | None = None) -> dict[str, str]:
        """A trust file's content: ``{name: public key}`` for the named keys (all by default)."""
        return {n: self.public_key(n) for n in (self.names() if names is None else names)}

    @staticmethod
    def _meta(path: Path) -> dict[str, str]:
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
            return {"name": str(meta["name"]), "public_key": str(meta["public_key"])}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise KeyStoreError(f"{path} is not a pactlab public key file: {exc}") from None


def new_run_secret() -> str:
    """A fresh random secret for a run's ephemeral keys (see `KeyPair.derived`)."""
    return b64(os.urandom(32))


def read_trust(path: Path | str) -> dict[str, str]:
    """A trust file: a JSON object ``{identity: base64 Ed25519 public key}`` (what `keys export` writes)."""
    try:
        obj = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KeyStoreError(f"cannot read the trust file {path}: {exc}") from None
    if isinstance(obj, Mapping) and isinstance(obj.get("keys"), Mapping):
        obj = obj["keys"]
    if not isinstance(obj, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in obj.items()):
        raise KeyStoreError(f"the trust file {path} must be a JSON object of identity name to base64 public key")
    for name, key in obj.items():
        try:
            Ed25519PublicKey.from_public_bytes(unb64(key))
        except ValueError:
            raise KeyStoreError(
                f"the trust file {path}: the key of {name!r} is not a base64 Ed25519 public key"
            ) from None
    return dict(obj)


def terms_sha256(canonical_terms: str) -> str:
    return hashlib.sha256(canonical_terms.encode("utf-8")).hexdigest()
