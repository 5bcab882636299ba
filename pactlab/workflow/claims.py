"""The claims audit in a run: every party's words, as they land on the table, checked and recorded.

For each move of a party, `evals.claims.check_claims` checks what its words state about its own
position and about the table (its private profile and the moves before), and each claim becomes
a ``claim`` audit record by the evaluator, keyed by turn (a replay adds nothing). Deceptive
statements are not stopped (negotiators may bluff, in rehearsals too); they are made visible to
the auditor. The records hold private figures as evidence: they are for the auditor, never for a
party's view of the table.
"""

from __future__ import annotations

from collections.abc import Sequence

from evals.claims import Speaker, check_claims
from pactlab.domain.table import MoveRecord
from pactlab.workflow.context import NegotiationContext


def record_claims(ctx: NegotiationContext, move: MoveRecord, before: Sequence[MoveRecord]) -> None:
    """Check `move`'s words (against the moves `before` it) and write a ``claim`` record per claim."""
    if ctx.audit is None or move["party"] not in ctx.utilities:
        return
    party = ctx.scenario.party(move["party"])
    names = {p.id: p.name for p in ctx.scenario.parties}
    speaker = Speaker(party.id, party.name, party.private)
    claims = check_claims(move, speaker, ctx.space, before, names, ctx.utilities[party.id])
    for n, claim in enumerate(claims):
        ctx.record("claim", "evaluator", claim.model_dump(mode="json"), key=f"claim:{move['turn']}:{n}")
