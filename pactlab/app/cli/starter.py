"""The starter scenario `pactlab scenario new` writes: commented, valid, runnable, a playbook per party.

It is text, not a dumped model, so that it can carry comments that teach the format. The tests
validate it against the loader and the JSON Schema and run it through `pactlab run`.
"""

from __future__ import annotations

import string

MIN_PARTIES = 2
MAX_PARTIES = 6


def _ids(parties: int) -> list[str]:
    return [f"party_{letter}" for letter in string.ascii_lowercase[:parties]]


def _issues(ids: list[str]) -> str:
    lead, partner = ids[0], ids[1]
    owners = "\n".join(f"        {pid}: {{owner: {pid}}}" for pid in ids)
    return f"""\
issues:
  # Categorical: one of named options. `clause:` says what each option means as a contract
  # term, which policies and term sheets read (optional; see pactlab/domain/clauses.py).
  - id: results_ip
    kind: categorical
    name: Foreground IP ownership
    description: Who owns the IP the partnership creates.
    options: [{", ".join(ids)}, joint, split_by_field]
    clause:
      kind: ip_ownership
      options:
{owners}
        joint: {{owner: joint}}
        split_by_field: {{owner: by_field}}
  - id: licence_back
    kind: categorical
    name: Licence to the non-owner
    options: [none, nonexclusive_royalty_bearing, nonexclusive_royalty_free]
    ordered: true
    clause:
      kind: licence
      options:
        none: {{scope: none}}
        nonexclusive_royalty_bearing: {{scope: nonexclusive_royalty_bearing}}
        nonexclusive_royalty_free: {{scope: nonexclusive_royalty_free}}
  # Numeric: every step from minimum to maximum.
  - id: royalty
    kind: numeric
    name: Royalty rate
    description: Royalty {partner} pays {lead} on sales of products using the results, in %.
    minimum: 0
    maximum: 8
    step: 1
    integer: true
    unit: "%"
    clause: {{kind: royalty, payer: {partner}, payees: [{lead}]}}
  - id: exclusivity
    kind: numeric
    name: Exclusivity period
    description: Months during which {partner} serves no one else in {lead}'s field.
    minimum: 0
    maximum: 24
    step: 6
    integer: true
    unit: months
    clause: {{kind: exclusivity, grantors: [{partner}], beneficiary: {lead}}}
  # Yes/no.
  - id: use_case_disclosed
    kind: boolean
    name: Use case disclosed under NDA
    clause:
      kind: disclosure
      discloser: {lead}
      options:
        "true": {{level: under_nda}}
        "false": {{level: none}}
"""


def _lead_playbook() -> str:
    return """\
    # A playbook: per clause a priority (high 3, medium 2, low 1, or a number: the weight), the
    # preferred position, fallbacks in the order you would concede them, and what you will not
    # sign. `pactlab playbook explain FILE` shows the profile it compiles to, and why.
    playbook:
      interests: Own the results in our field and keep others out of it for a while.
      clauses:
        results_ip:
          priority: high
          preferred: {me}
          fallbacks: [split_by_field, joint]
          unacceptable: others
          why: the results sit at the core of our business
        exclusivity:
          priority: medium
          preferred: 24
          fallbacks: [18, 12]        # numeric: each farther from the preferred value
          # without `acceptable:`, only values between the positions are acceptable
        royalty:
          priority: medium
          preferred: 8
          acceptable: {{min: 2}}      # a numeric range: below 2 % is unacceptable
        use_case_disclosed:
          priority: low
          preferred: false
          fallbacks: [true]
      walk_away:
        below: fallback_1            # worth less than every clause at its first fallback: walk away
"""


def _partner_playbook() -> str:
    return """\
    playbook:
      interests: Sell the results outside the lead's field; keep exclusivity short and royalties low.
      clauses:
        results_ip:
          priority: high
          preferred: {me}
          fallbacks: [split_by_field, joint]
          unacceptable: others
        licence_back:
          priority: medium
          preferred: nonexclusive_royalty_free
          fallbacks: [nonexclusive_royalty_bearing]
          unacceptable: [none]
        royalty:
          priority: high
          preferred: 0
          fallbacks: [2, 4]
        exclusivity:
          priority: low
          preferred: 0
          acceptable: {{max: 18}}
        use_case_disclosed:
          priority: medium
          preferred: true
          fallbacks: [false]
      walk_away:
        below: last_fallback
        # also walk away unless at least one high-priority clause is at its first fallback or better
        require: {{at_least: 1, of: high, at: fallback_1}}
"""


def _contributor_playbook() -> str:
    return """\
    playbook:
      interests: Keep the right to use the results, through joint or split ownership and a free licence.
      clauses:
        results_ip:
          priority: high
          preferred: joint
          fallbacks: [split_by_field, {me}]
          unacceptable: others
        licence_back:
          priority: high
          preferred: nonexclusive_royalty_free
          fallbacks: [nonexclusive_royalty_bearing]
          unacceptable: [none]
        use_case_disclosed:
          priority: low
          preferred: true
          unacceptable: others
      walk_away:
        below: last_fallback
"""


def _parties(ids: list[str]) -> str:
    out = ["parties:"]
    for n, pid in enumerate(ids):
        letter = pid.rsplit("_", 1)[-1].upper()
        role = ["lead", "partner"][n] if n < 2 else "contributor"
        playbook = {"lead": _lead_playbook, "partner": _partner_playbook, "contributor": _contributor_playbook}[role]
        out.append(
            f"""\
  - id: {pid}
    name: Party {letter}                 # what people read; ids are what files refer to
    core_business: the {role}'s business, in a phrase
    fields: [field_{letter.lower()}]            # its core business as fields of use (for owner: by_field)
    facts:
      - A public fact every party knows.
{playbook().format(me=pid)}"""
        )
    return "\n".join(out)


def starter_scenario(parties: int = 2) -> str:
    """The text of a commented starter scenario with `parties` parties, each with a playbook."""
    if not MIN_PARTIES <= parties <= MAX_PARTIES:
        raise ValueError(f"a starter scenario has {MIN_PARTIES} to {MAX_PARTIES} parties, not {parties}")
    ids = _ids(parties)
    header = f"""\
# A starter scenario: {parties} parties negotiate the IP terms of a joint development.
# Validate it with `pactlab scenario validate FILE`, run it with `pactlab run FILE`, and see what
# each playbook compiles to with `pactlab playbook explain FILE`. Editors can check it against
# `pactlab scenario schema --out scenario.schema.json`. Ids: letters, digits, underscores.
id: starter
title: A starter partnership
context: >-
  {parties} organisations develop something together and negotiate who owns the results, who
  may use them, and on which terms.
# policy_set: fair-and-open              # the rules the negotiation runs under (`pactlab run --policies`)

"""
    protocol = f"""
protocol:
  max_rounds: 30
  opener: {ids[0]}
  agreement: {{kind: unanimity}}       # or {{kind: quorum, quorum: N, veto: [PARTY]}}

# Disputes climb tier by tier when the parties stall or a tier's time limit runs out.
dispute_ladder:
  - {{id: working_level, name: Working level, max_rounds: 6}}
  - {{id: executive, name: Executives, max_rounds: 6}}
  - {{id: mediation, name: Mediation, max_rounds: 6}}
  - {{id: arbitration, name: Arbitration}}
"""
    return header + _issues(ids) + "\n" + _parties(ids) + protocol


__all__ = ["MAX_PARTIES", "MIN_PARTIES", "starter_scenario"]
