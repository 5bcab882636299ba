"""JSON Schemas of pactlab's files, versioned, so that other tools can read and verify them.

`audit-record-v1.json` is one line of an audit transcript (`evals.audit.AuditRecord`), generated
from the model: `python -m evals.schemas` writes it again, and a test keeps the file equal to
what the model says.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

AUDIT_RECORD_V1 = Path(__file__).with_name("audit-record-v1.json")

_RULES = (
    "One record per line, each line the RFC 8785 (JCS) canonical JSON of the record, UTF-8, ending in a newline. "
    "`hash` is the hex SHA-256 of the canonical JSON of the record without `hash` and `sig`; `prev_hash` is the "
    "previous line's `hash` (64 zeros for seq 0). `sig.ed25519` is the Ed25519 signature, by `sig.key`, of the "
    "bytes 'pactlab/audit-record/v1\\n' followed by the ASCII hex `hash`. The run_start record (seq 0) declares "
    "every signer in `data.identities` ({name: {role, public_key, display_name, ephemeral, seat?}}); a record by "
    "a declared identity is signed by it (a party's by the party or a person seated for it), any other record by "
    "'operator'. The last record is the seal (kind 'seal'): `data.records` and `data.last_hash` name what precedes "
    "it; for an agreement, `data.agreement.signatures` holds each party's Ed25519 signature of "
    "'pactlab/agreement/v1\\n' followed by `data.agreement.terms_sha256`, the SHA-256 of the terms' canonical JSON. "
    "A 'tree_head' record (by 'operator', at each round's end) holds "
    "`data.tree_size` (its own seq), `data.root_hash`, the hex RFC 9162 Merkle tree hash of the lines before it (leaf "
    "= SHA-256(0x00 || the line's UTF-8 bytes without the newline), node = SHA-256(0x01 || left || right)), "
    "`data.timestamp`, `data.round` and `data.signature`, the operator's Ed25519 signature of "
    "'pactlab/tree-head/v1\\n' followed by the canonical JSON of {root_hash, timestamp, tree_size}."
)


def audit_record_schema() -> dict[str, Any]:
    """The JSON Schema of an audit record, from the pydantic model, with the hashing and signing rules."""
    from evals.audit import AuditRecord

    schema = AuditRecord.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:pactlab:schema:audit-record:v1",
        "version": 1,
        **schema,
        "description": _RULES,
    }


def render() -> str:
    return json.dumps(audit_record_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> None:
    AUDIT_RECORD_V1.write_text(render(), encoding="utf-8")
    print(f"wrote {AUDIT_RECORD_V1}")


if __name__ == "__main__":
    main()
