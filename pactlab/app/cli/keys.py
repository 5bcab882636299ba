"""`pactlab keys new|list|export`: the Ed25519 identities that sign audit records, kept outside transcripts.

The key directory is ``$PACTLAB_KEYS`` or ``~/.config/pactlab/keys`` (``--dir`` overrides). A run
signs for an identity (``operator``, ``mediator``, a party id, ``person:NAME``) with the key of that
name when the directory has one, else with an ephemeral per-run key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

keys_app = typer.Typer(help="Create and export the keys that sign audit records.", no_args_is_help=True)
console = Console(highlight=False)

DirOption = Annotated[
    Path | None, typer.Option("--dir", help="The key directory (default: $PACTLAB_KEYS or ~/.config/pactlab/keys).")
]


@keys_app.command("new")
def keys_new(
    name: Annotated[str, typer.Argument(help="The identity: operator, mediator, a party id, or person:NAME.")],
    directory: DirOption = None,
) -> None:
    """Create an Ed25519 key pair (the private key is written with mode 0600)."""
    from evals.identity import KeyStore

    store = KeyStore(directory)
    pair = store.new(name)
    console.print(escape(f"created {name} in {store.directory}: public key {pair.public_key}"))


@keys_app.command("list")
def keys_list(directory: DirOption = None) -> None:
    """List the keys in the key directory with their public keys."""
    from evals.identity import KeyStore

    store = KeyStore(directory)
    names = store.names()
    if not names:
        console.print(escape(f"no keys in {store.directory}; create one with 'pactlab keys new NAME'"))
    for name in names:
        console.print(escape(f"{name}\t{store.public_key(name)}"))


@keys_app.command("export")
def keys_export(
    names: Annotated[list[str] | None, typer.Argument(help="The keys to export (default: all).")] = None,
    directory: DirOption = None,
    output: Annotated[Path | None, typer.Option("--out", help="Write the trust file here instead of stdout.")] = None,
) -> None:
    """Write the public keys as a trust file ({name: key}) for `pactlab audit verify --trust`."""
    from evals.identity import KeyStore

    text = json.dumps(KeyStore(directory).export(names or None), indent=2, sort_keys=True)
    if output is None:
        print(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        console.print(escape(f"wrote {output}"))
