"""A negotiation scenario: the parties, the issues, the protocol and the dispute-resolution ladder."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, TypeAdapter, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from pactlab.domain.clauses import Clause, check_clause
from pactlab.domain.ids import ID_PATTERN
from pactlab.domain.issues import Issue, NumericIssue, value_key
from pactlab.domain.limits import INT_MAX, INT_MIN, MAX_ROUNDS, outcome_space_problem
from pactlab.domain.playbook import Playbook
from pactlab.domain.playbook_compiler import PlaybookError, compile_playbook
from pactlab.domain.preferences import PrivateProfile, check_profile

RESERVED_ACTORS = {"mediator": "mediator of the dispute-resolution ladder", "ladder": "dispute-resolution ladder"}
"""Actor ids on the table that are not parties (scenario party ids may not take them)."""


class ModelSettings(BaseModel):
    """The operator's settings for a party's LLM negotiator; unset fields come from the CLI or the environment.

    Never shown to the other parties. API keys never go here: they come from the environment.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: Literal["openai", "vllm", "ollama", "llamacpp", "lmstudio", "compatible"] | None = None
    model: str | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)
    seed: int | None = Field(default=None, ge=INT_MIN, le=INT_MAX)
    max_tokens: int | None = Field(default=None, ge=16)
    output_mode: Literal["json_schema", "json_object", "tools", "prompt"] | None = None


def _private_or_playbook(schema: dict[str, Any]) -> None:
    """JSON Schema of a party: exactly one of `private` and `playbook` (never null), as the loader accepts."""
    properties = schema.get("properties", {})
    if "playbook" not in properties:  # the serialisation schema: playbooks are compiled away
        return
    schema["required"] = [name for name in schema.get("required", []) if name != "private"]
    schema["oneOf"] = [{"required": ["private"]}, {"required": ["playbook"]}]
    playbook = properties["playbook"]
    playbook["anyOf"] = [choice for choice in playbook.get("anyOf", []) if choice.get("type") != "null"]
    playbook.pop("default", None)


def _playbook_or_file(raw: Any) -> str:
    return "file" if isinstance(raw, str) else "playbook"


PlaybookSource = Annotated[
    Annotated[Playbook, Tag("playbook")] | Annotated[str, Tag("file")], Discriminator(_playbook_or_file)
]
"""A playbook written in place, or the path of its file (relative to the scenario file)."""

_PENDING = PrivateProfile(weights={"pending": 1.0}, values={}, reservation_value=0.0)
"""Stands in for the profile of a party whose playbook has errors of its own (they are what gets reported)."""


class Party(BaseModel):
    """An organisation at the table: public facts everyone sees, and its private profile.

    The profile is written as `private` (weights, values, reservation value) or as a `playbook`
    (`pactlab.domain.playbook`), which the scenario compiles into `private` against its issues.
    A playbook file (``playbook: path``) is read by the loader, relative to the scenario file.
    Dumps hold the compiled `private` only.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_private_or_playbook)

    id: str = Field(pattern=ID_PATTERN)
    name: str
    core_business: str = Field(description="What the organisation does; IP in this field is naturally its own.")
    fields: list[str] = Field(
        default_factory=list,
        description="Its core business as fields of use (identifiers): IP in these fields is naturally its own, "
        "and ownership split 'by_field' gives it to this party.",
    )
    facts: list[str] = Field(default_factory=list, description="Public facts: capabilities, assets, constraints.")
    private: PrivateProfile = Field(
        description="How the party values outcomes: weights, values, reservation value, hard constraints "
        "(or give a playbook instead)."
    )
    playbook: PlaybookSource | None = Field(
        default=None,
        exclude=True,
        description="The party's position as a negotiation playbook, instead of private: a mapping, or a file "
        "relative to the scenario file.",
    )
    llm: ModelSettings | None = Field(default=None, description="Settings for an LLM negotiator in this seat.")

    @model_validator(mode="before")
    @classmethod
    def _private_from_playbook(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "playbook" not in data:
            return data
        raw = data["playbook"]
        if "private" in data:
            if isinstance(raw, Playbook) and isinstance(data["private"], PrivateProfile):
                return data  # compiled by the scenario
            _fail(("playbook",), "give either 'private' or 'playbook', not both")
        if raw is None:
            _fail(("playbook",), "give a playbook (a mapping or a file), or drop the key")
        if isinstance(raw, str):
            _fail(
                ("playbook",),
                f"the playbook file {raw!r} was not read: load the scenario file with pactlab.domain.loader "
                "(or 'pactlab scenario validate'), which reads playbook files relative to it",
            )
        try:
            Playbook.model_validate(raw)
        except ValidationError:
            return {**data, "private": _PENDING}  # the playbook's own errors are reported at its fields
        _fail(("playbook",), "a playbook compiles against the scenario's issues: fix the issues first")
        return data  # unreachable


class AgreementRule(BaseModel):
    """When a proposal becomes an agreement.

    ``unanimity``: every party at the table accepts. ``quorum``: at least `quorum` parties
    accept (the proposer counts), and every party in `veto` is among them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["unanimity", "quorum"] = "unanimity"
    quorum: int | None = Field(default=None, ge=1)
    veto: list[str] = Field(default_factory=list, description="Parties whose acceptance is always required.")

    @model_validator(mode="after")
    def _quorum_needs_count(self) -> AgreementRule:
        if self.kind == "quorum" and self.quorum is None:
            raise ValueError("a quorum rule needs 'quorum: N' (how many parties must accept)")
        if self.kind == "unanimity" and self.quorum is not None:
            raise ValueError("'quorum' only applies with 'kind: quorum'")
        return self

    def met(self, accepting: set[str], parties: list[str]) -> bool:
        """Whether `accepting` (the proposer included) makes the proposal an agreement."""
        if not all(v in accepting for v in self.veto):
            return False
        if self.kind == "unanimity":
            return all(p in accepting for p in parties)
        assert self.quorum is not None
        return len(accepting & set(parties)) >= self.quorum

    def decisive(self, values: Mapping[str, float]) -> float:
        """The value of the party whose acceptance decides: how close a proposal is to agreement.

        `values` holds a figure per party (e.g. its surplus over its reservation value): under
        unanimity the lowest counts; under a quorum, the quorum-th highest, or a veto holder's
        if that is lower.
        """
        ranked = sorted(values.values(), reverse=True)
        if not ranked:
            return float("-inf")
        if self.kind == "unanimity":
            decisive = ranked[-1]
        else:
            assert self.quorum is not None
            decisive = ranked[min(self.quorum, len(ranked)) - 1]
        for v in self.veto:
            if v in values:
                decisive = min(decisive, values[v])
        return decisive

    def missing(self, accepting: set[str] | frozenset[str], parties: list[str]) -> int:
        """How many more acceptances `accepting` needs at least before the rule is met (0: it is met)."""
        accepting = set(accepting) & set(parties)
        vetoes = sum(1 for v in self.veto if v not in accepting)
        if self.kind == "unanimity":
            return sum(1 for p in parties if p not in accepting)
        assert self.quorum is not None
        return max(vetoes, self.quorum - len(accepting))

    def still_possible(self, at_table: list[str], parties: list[str]) -> bool:
        """Whether the parties still at the table can reach an agreement without those who left."""
        if not all(v in at_table for v in self.veto):
            return False
        if self.kind == "unanimity":
            return set(at_table) >= set(parties)
        assert self.quorum is not None
        return len(at_table) >= self.quorum


ProtocolKind = Literal["alternating", "stacked", "mediated"]
"""The negotiation protocols `pactlab.domain.protocol` implements (see its docstring and the README)."""


class Protocol(BaseModel):
    """How the negotiation runs: the protocol's kind, the round limit, who opens, the agreement rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_rounds: int = Field(default=30, ge=1, le=MAX_ROUNDS, description="A round is one turn of every party.")
    opener: str | None = Field(default=None, description="Party that speaks first; default: the first party.")
    agreement: AgreementRule = Field(default_factory=AgreementRule)
    stall_rounds: int | None = Field(
        default=3,
        ge=1,
        le=MAX_ROUNDS,
        description="Escalate to the next dispute tier after this many rounds without an improving offer "
        "(null: escalate only when a tier's time limit is used up).",
    )
    kind: ProtocolKind = Field(
        default="alternating",
        description="How moves change the table. 'alternating' (default): multi-party alternating offers; a "
        "counter-proposal replaces the proposal and the acceptances collected, a reject clears the table. "
        "'stacked': the Stacked Alternating Offers Protocol (Aydogan, Festen, Hindriks & Jonker 2017): a bid stands "
        "until someone counters; each party in turn accepts it, counters or walks away (a reject passes and leaves "
        "the bid standing). 'mediated': a single negotiating text from round 1: a mediator tables a text at every "
        "round's start, revised toward the parties that objected; parties accept it or state amendments (which "
        "leave the text standing). 'stacked' and 'mediated' remember acceptances per term sheet (see "
        "remember_acceptances).",
    )
    remember_acceptances: bool | None = Field(
        default=None,
        description="Whether the table remembers, per term sheet, who accepted or proposed it in the current "
        "dispute tier, so that re-proposing identical terms restores those acceptances (cleared when the dispute "
        "goes up a tier; a party that walks away is dropped). Default (null): on for 'stacked' and 'mediated', "
        "off for 'alternating'.",
    )

    @property
    def remembers(self) -> bool:
        """Whether acceptances are remembered per term sheet (the explicit setting, else the kind's default)."""
        if self.remember_acceptances is not None:
            return self.remember_acceptances
        return self.kind != "alternating"


_LATER_PROTOCOL_FIELDS = ("kind", "remember_acceptances")
"""Protocol fields added after scenarios were first hashed: left out of `Scenario.sha256` while at their defaults,
so that audit trails and sweep stores written before still name the same scenario."""

TierKind = Literal["negotiation", "executive", "mediation", "arbitration"]

DEFAULT_MANDATES: dict[TierKind, float] = {"negotiation": 0.5, "executive": 1.0, "mediation": 1.0, "arbitration": 1.0}
"""How much of its concession range a party's negotiator may give up by the end of a tier, by kind."""


class DisputeTier(BaseModel):
    """One rung of the dispute-resolution ladder (working level, executives, mediation, ...).

    `kind` says what happens at the tier: the parties negotiate (`negotiation`), their
    executives take over with a wider mandate (`executive`), a mediator puts a single
    negotiating text on the table for the parties to amend (`mediation`), or the dispute
    leaves the tool for binding arbitration (`arbitration`: the negotiation ends there, with
    arbitration noted as the remedy). Tiers whose id is one of the kinds default to that kind.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    name: str
    kind: TierKind = "negotiation"
    description: str = ""
    max_rounds: int | None = Field(default=None, ge=1, le=MAX_ROUNDS, description="Time limit of this tier, in rounds.")
    concession_mandate: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Share of each party's concession range (from its best acceptable outcome down to its "
        "reservation value) that its negotiator may give up by the end of this tier; default by kind: "
        "negotiation 0.5, executive, mediation and arbitration 1.",
    )

    @model_validator(mode="before")
    @classmethod
    def _kind_from_id(cls, data: object) -> object:
        if (
            isinstance(data, dict)
            and "kind" not in data
            and isinstance(data.get("id"), str)
            and data["id"] in DEFAULT_MANDATES
        ):
            return {**data, "kind": data["id"]}
        return data

    @property
    def mandate(self) -> float:
        return self.concession_mandate if self.concession_mandate is not None else DEFAULT_MANDATES[self.kind]


_ISSUES = TypeAdapter(list[Issue])


class Scenario(BaseModel):
    """Everything a negotiation needs; loaded from YAML by `pactlab.domain.loader`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    title: str
    context: str = Field(default="", description="The situation, as every party knows it.")
    policy_set: str | None = Field(default=None, description="Name of the policy set the scenario runs under.")
    issues: list[Issue] = Field(min_length=1)
    parties: list[Party] = Field(min_length=2)
    protocol: Protocol = Field(default_factory=Protocol)
    dispute_ladder: list[DisputeTier] = Field(
        default_factory=list, description="Ordered tiers, lowest first: working level -> ... -> arbitration."
    )

    @classmethod
    def file_references(cls, data: Any) -> list[tuple[str | int, ...]]:
        """Where the raw file names other files to load in place (for `pactlab.domain.loader`): playbooks."""
        parties = data.get("parties") if isinstance(data, dict) else None
        if not isinstance(parties, list):
            return []
        return [
            ("parties", n, "playbook")
            for n, party in enumerate(parties)
            if isinstance(party, dict) and isinstance(party.get("playbook"), str)
        ]

    @model_validator(mode="before")
    @classmethod
    def _compile_playbooks(cls, data: Any) -> Any:
        """Each party's playbook compiled into its private profile, against the scenario's issues."""
        parties = data.get("parties") if isinstance(data, dict) else None
        if not isinstance(parties, list):
            return data
        users = [n for n, p in enumerate(parties) if isinstance(p, dict) and "playbook" in p and "private" not in p]
        if not users:
            return data
        try:
            issues = _ISSUES.validate_python(data.get("issues"))
        except ValidationError:
            return data  # the issues' errors are reported; each party says its playbook waits for them
        compiled = list(parties)
        problems: list[tuple[tuple[str | int, ...], str]] = []
        for n in users:
            party = parties[n]
            try:
                playbook = Playbook.model_validate(party["playbook"])
            except ValidationError:
                continue  # reported at the playbook's fields
            where: tuple[str | int, ...] = ("parties", n, "playbook")
            if playbook.party is not None and playbook.party != party.get("id"):
                problems.append(((*where, "party"), f"written for {playbook.party!r}, used for {party.get('id')!r}"))
                continue
            try:
                result = compile_playbook(playbook, issues)
            except PlaybookError as exc:
                problems.extend(((*where, *loc), message) for loc, message in exc.problems)
                continue
            compiled[n] = {**party, "playbook": playbook, "private": result.profile}
        if problems:
            _raise_all(problems)
        return {**data, "parties": compiled}

    @model_validator(mode="after")
    def _cross_check(self) -> Scenario:
        errors: list[InitErrorDetails] = []

        def add(loc: tuple[str | int, ...], message: str) -> None:
            errors.append(InitErrorDetails(type=PydanticCustomError("scenario", message), loc=loc, input=None))

        too_large = outcome_space_problem(self.issues)
        if too_large is not None:
            add(("issues",), too_large)
        _duplicates([i.id for i in self.issues], ("issues",), "issue", add)
        _duplicates([p.id for p in self.parties], ("parties",), "party", add)
        _duplicates([t.id for t in self.dispute_ladder], ("dispute_ladder",), "tier", add)
        party_ids = [p.id for p in self.parties]
        for n, pid in enumerate(party_ids):
            if pid in RESERVED_ACTORS:
                add(("parties", n, "id"), f"{pid!r} is reserved for the {RESERVED_ACTORS[pid]}; choose another id")
        mandates = [t.mandate for t in self.dispute_ladder]
        for n in range(1, len(mandates)):
            if mandates[n] < mandates[n - 1]:
                add(
                    ("dispute_ladder", n, "concession_mandate"),
                    f"a higher tier cannot narrow the mandate ({mandates[n]:g} after {mandates[n - 1]:g}); "
                    f"give at least {mandates[n - 1]:g}",
                )
        for n, party in enumerate(self.parties):
            for path, message in check_profile(party.private, list(self.issues)):
                add(("parties", n, "private", *path), message)
        if self.protocol.opener is not None and self.protocol.opener not in party_ids:
            add(("protocol", "opener"), f"unknown party {self.protocol.opener!r}; parties: {', '.join(party_ids)}")
        rule = self.protocol.agreement
        for n, v in enumerate(rule.veto):
            if v not in party_ids:
                add(("protocol", "agreement", "veto", n), f"unknown party {v!r}; parties: {', '.join(party_ids)}")
        if rule.quorum is not None and rule.quorum > len(party_ids):
            add(("protocol", "agreement", "quorum"), f"quorum {rule.quorum} exceeds the {len(party_ids)} parties")
        self._check_clauses(add)
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self

    def _check_clauses(self, add: Callable[[tuple[str | int, ...], str], None]) -> None:
        party_fields = {p.id: p.fields for p in self.parties}
        seen_fields: dict[str, str] = {}
        for n, party in enumerate(self.parties):
            for field in party.fields:
                if field in seen_fields:
                    add(
                        ("parties", n, "fields"),
                        f"field {field!r} is already {seen_fields[field]!r}'s; fields are one party's",
                    )
                seen_fields[field] = party.id
        ownership = [i.id for i in self.issues if i.clause is not None and i.clause.kind == "ip_ownership"]
        tiers = [t.id for t in self.dispute_ladder] + sorted({t.kind for t in self.dispute_ladder})
        for n, issue in enumerate(self.issues):
            if issue.clause is None:
                continue
            options = None if isinstance(issue, NumericIssue) else [value_key(v) for v in issue.values()]
            for loc, message in check_clause(
                issue.clause,
                issue_kind=issue.kind,
                options=options,
                issue_ids=self.issue_ids,
                ownership_issues=ownership,
                party_fields=party_fields,
                tier_names=tiers,
                numeric_range=(issue.minimum, issue.maximum) if isinstance(issue, NumericIssue) else None,
            ):
                add(("issues", n, "clause", *loc), message)
        for kind in ("cost_share", "risk_allocation", "benefit"):
            declared = [i.id for i in self.issues if i.clause is not None and i.clause.kind == kind]
            if len(declared) > 1:
                add(("issues",), f"{len(declared)} issues declare a {kind} clause ({', '.join(declared)}); keep one")

    # -- clause meaning -------------------------------------------------------------------

    def clauses(self, kind: str | None = None) -> list[tuple[Issue, Clause]]:
        """The issues that declare a clause (of `kind`, if given), with it, in scenario order."""
        return [(i, i.clause) for i in self.issues if i.clause is not None and (kind is None or i.clause.kind == kind)]

    # -- conveniences -------------------------------------------------------------------

    @property
    def issue_ids(self) -> list[str]:
        return [i.id for i in self.issues]

    @property
    def party_ids(self) -> list[str]:
        return [p.id for p in self.parties]

    def party(self, party_id: str) -> Party:
        for p in self.parties:
            if p.id == party_id:
                return p
        raise KeyError(f"unknown party {party_id!r}; parties: {', '.join(self.party_ids)}")

    def speaking_order(self) -> list[str]:
        """Party ids in turn order, starting with the opener."""
        ids = self.party_ids
        start = ids.index(self.protocol.opener) if self.protocol.opener else 0
        return ids[start:] + ids[:start]

    def _repr_html_(self) -> str:
        """The scenario's public side as HTML tables, for Jupyter (see `pactlab.domain.notebook`)."""
        from pactlab.domain.notebook import render_html

        return render_html("scenario.html.j2", scenario=self)

    def sha256(self) -> str:
        """Hash of the scenario's canonical JSON form: what the audit trail records."""
        data = self.model_dump(mode="json")
        for key in _LATER_PROTOCOL_FIELDS:  # added later: at their defaults, a scenario hashes as it did before
            if data["protocol"].get(key) == Protocol.model_fields[key].default:
                data["protocol"].pop(key)
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def public_view(self) -> dict[str, object]:
        """The scenario as every party sees it: no private profiles."""
        data = self.model_dump(mode="json")
        for party in data["parties"]:
            party.pop("private")
            party.pop("llm", None)
        return data


def _raise_all(problems: Sequence[tuple[tuple[str | int, ...], str]]) -> None:
    """Raise (field path, message) pairs as one ValidationError, each located at its field."""
    errors = [InitErrorDetails(type=PydanticCustomError("scenario", m), loc=loc, input=None) for loc, m in problems]
    raise ValidationError.from_exception_data("Scenario", errors)


def _fail(loc: tuple[str | int, ...], message: str) -> None:
    _raise_all([(loc, message)])


def _duplicates(ids: list[str], loc: tuple[str, ...], what: str, add: object) -> None:
    seen: dict[str, int] = {}
    for n, i in enumerate(ids):
        if i in seen:
            add((*loc, n, "id"), f"duplicate {what} id {i!r} (first used at index {seen[i]}); ids must be unique")  # type: ignore[operator]
        else:
            seen[i] = n
