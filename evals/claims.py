"""The claims audit: what a party says about its own position or about the table, checked in code.

A party's message, rationale or reason may state facts ("we cannot go above 4 %", "exclusivity is
our top priority", "our walk-away point is 0.3", "you proposed 6 % earlier"). Negotiators may
bluff (in rehearsals too); the auditor must see which statements were true. `check_claims` is a
pure function of one move, the speaker's private profile and the public record before the move.
It finds statements by rule-based patterns, sentence by sentence, and maps them to issues and
options through the scenario's display names and labels (an issue's name, its id read as words,
an option's id read as words): nothing here knows any scenario's words. Each claim gets a verdict:

- ``limit`` (an own bound on an issue: "cannot go above X", "need at least X", "cannot accept
  OPTION", "must have OPTION"): **true** when no outcome past the bound is acceptable to the
  party (at or above its reservation value and within its hard limits), **false** when one is
  (the evidence names the best such outcome's worth); unverifiable when the bound lies outside
  the issue's range or the space is too large to decide under hard limits;
- ``priority`` ("X is our top priority", "X matters little to us", "X is a high priority"):
  against the ranking and tiers of the profile's normalised weights (`priority_tier`: the same
  high / medium / low the LLM seat's brief uses);
- ``reservation`` ("our walk-away point is 0.3"): against the reservation value, within the
  privacy screen's tolerance of 0.01; unverifiable when stated in an issue's terms;
- ``table`` ("you proposed 6 % earlier", "we offered joint ownership"): against the proposals of
  the named party (you / they: the other parties; we: the speaker; or a party by name or id)
  before this move;
- ``outside`` ("we have a better offer elsewhere"): always unverifiable (neither the profile nor
  the record holds outside offers).

Statements that match no pattern are no claim at all; a pattern that matches but cannot be tied
to an issue is reported as unverifiable only where the statement is clearly a claim (priority,
table, outside option), so that ordinary prose yields no noise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from pactlab.domain.issues import CategoricalIssue, IssueValue, NumericIssue, value_key
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.preferences import PrivateProfile, priority_tier
from pactlab.domain.table import MoveRecord
from pactlab.domain.tolerance import at_least

Verdict = Literal["true", "false", "unverifiable"]
About = Literal["limit", "priority", "reservation", "table", "outside"]
VERDICTS: tuple[Verdict, ...] = ("true", "false", "unverifiable")
FIELDS = ("message", "rationale", "reason")

RESERVATION_TOLERANCE = 0.01
"""A stated walk-away figure within this of the reservation value (0-1 scale) is true (the screen's tolerance)."""

MENTION_WINDOW = 50
"""A bound or value belongs to an issue named within this many characters of it."""

ENUMERATION_LIMIT = 2_000_000
"""Outcome spaces up to this size are checked outcome by outcome; larger ones by the additive bound."""


class Claim(BaseModel):
    """One checked statement: who said it where, what it is about, the verdict and its evidence."""

    model_config = ConfigDict(frozen=True)

    party: str
    turn: int
    field: str = Field(description="The move's field it was found in: message, rationale or reason.")
    text: str = Field(description="The sentence stating it.")
    about: About
    issue: str | None = Field(default=None, description="The issue it is about, if any.")
    verdict: Verdict
    evidence: str = Field(description="What the verdict rests on (private figures included: for the auditor).")


@dataclass(frozen=True)
class Speaker:
    """The party whose move is checked: its id, display name and private profile."""

    id: str
    name: str
    profile: PrivateProfile


# -- words -------------------------------------------------------------------------------------------

_FIRST_PERSON = re.compile(r"\b(we|our|ours|us|i|my|me)\b")
_NUMBER = r"(\d+(?:\.\d+)?|\.\d+)\s*(%|percent\b|per cent\b)?"
_NEGATION = re.compile(
    r"\b(cannot|can't|can ?not|won't|will not|unable to|not able to|refuse to|never|could not|couldn't|no way)\b"
)
_REQUIREMENT = re.compile(r"\b(must|need|needs|require|requires|insist on|have to|has to)\b")
_UPPER = r"above|over|beyond|more than|higher than|in excess of|exceed|exceeds|exceeding|past"
_LOWER = r"below|under|less than|lower than|beneath"
_ABS_UPPER = r"at most|no more than|not more than|a maximum of|maximum of|maximum|up to|a ceiling of|ceiling of"
_ABS_LOWER = r"at least|no less than|not less than|a minimum of|minimum of|minimum|a floor of"
_GAP = r"\s+(?:[a-z]+\s+){0,3}?"
_BOUND = re.compile(
    rf"\b(?:(?P<abs_up>{_ABS_UPPER})|(?P<abs_lo>{_ABS_LOWER})|(?P<up>{_UPPER})|(?P<lo>{_LOWER})){_GAP}{_NUMBER}"
)
_WILLING = re.compile(r"\b(we|i) (can|could|will|would|may) (only )?(accept|pay|offer|give|grant|agree|go|take)\b")
_REFUSED = re.compile(r"\b(unacceptable|not acceptable|a deal ?breaker|out of the question|off the table)\b")
_TOP = re.compile(
    r"\b(top|highest|main|first|biggest|overriding|primary|chief|number one|most important|key) "
    r"(priority|priorities|concern|concerns|interest)\b|\bmatters? (the )?most\b|\bcare (the )?most about\b"
    r"|\bmost important\b|\babove all\b"
)
_HIGH = re.compile(r"\b(high|major|important) (priority|priorities|concern)\b|\bvery important\b|\bmatters? a lot\b")
_LOW = re.compile(
    r"\b(low|lowest|minor|least) (priority|priorities|concern|importance)\b|\bmatters? (very )?little\b"
    r"|\bmatters? (the )?least\b|\b(do not|don't|does not|doesn't) (really |much )?care (much )?about\b"
    r"|\bnot a priority\b|\bnot important\b|\bless important\b"
)
_RESERVATION = re.compile(
    r"\b(walk ?away( point)?|reservation (value|point)|bottom line|batna|reservation)\s+(point\s+)?"
    r"(is|of|at|=|stands at|sits at|would be|lies at)\s+(about|around|roughly|only|just|exactly)?\s*" + _NUMBER
)
_TABLE = re.compile(r"\b(proposed|offered|suggested|asked for|put forward|demanded|tabled)\b")
_OUTSIDE = re.compile(
    r"\b(another|other|better|competing|alternative|rival) (offer|offers|bid|bids|partner|partners|supplier|"
    r"suppliers|buyer|buyers|option|options|deal|deals)\b"
)
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")


def _norm(text: str) -> str:
    """Lower case, underscores and dashes as spaces, single spaces (numbers keep their dots)."""
    return " ".join(re.sub(r"[_\-/]", " ", text.lower()).split())


_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "from",
        "into",
        "over",
        "under",
        "that",
        "this",
        "your",
        "our",
        "their",
        "which",
        "whose",
        "what",
        "when",
        "where",
        "who",
        "about",
        "other",
        "others",
        "share",
        "shares",
        "cost",
        "costs",
        "term",
        "terms",
        "rate",
        "value",
        "values",
        "period",
        "party",
        "parties",
    ]
)


@dataclass(frozen=True)
class Vocabulary:
    """How the scenario's issues and options are named in words (display names and labels only)."""

    phrases: dict[str, tuple[str, ...]]  # issue id -> its label and its id read as words
    keywords: dict[str, tuple[str, ...]]  # issue id -> words of its display name no other issue's name has
    options: dict[str, dict[str, str]]  # issue id -> option phrase -> option

    @classmethod
    def of(cls, space: OutcomeSpace) -> Vocabulary:
        phrases = {i.id: tuple(dict.fromkeys((_norm(i.label), _norm(i.id)))) for i in space.issues}
        words = {i.id: {w for w in re.findall(r"[a-z]{4,}", _norm(i.name)) if w not in _STOP} for i in space.issues}
        keywords = {
            i: tuple(sorted(w for w in ws if not any(w in other for j, other in words.items() if j != i)))
            for i, ws in words.items()
        }
        options = {i.id: {_norm(o): o for o in i.options} for i in space.issues if isinstance(i, CategoricalIssue)}
        return cls(phrases, keywords, options)

    def issue_mentions(self, text: str, near: int | None = None) -> dict[str, int]:
        """Issue id -> position of its first mention in `text` (normalised), or of the mention nearest `near`."""
        found: dict[str, int] = {}
        for issue, phrases in self.phrases.items():
            spots = [
                m.start() for p in (*phrases, *self.keywords[issue]) for m in re.finditer(rf"\b{re.escape(p)}\b", text)
            ]
            if spots:
                found[issue] = min(spots) if near is None else min(spots, key=lambda x: abs(x - near))
        return found

    def option_mentions(self, text: str) -> list[tuple[str, str, int]]:
        """(issue, option, position) for every option phrase in `text`, longest phrases first."""
        found = [
            (issue, option, m.start(), m.end())
            for issue, options in self.options.items()
            for phrase, option in options.items()
            for m in re.finditer(rf"\b{re.escape(phrase)}\b", text)
        ]
        kept: list[tuple[str, str, int, int]] = []
        for hit in sorted(
            found, key=lambda h: h[2] - h[3]
        ):  # longest first; a shorter phrase inside one is not a mention
            if not any(k[2] < hit[3] and hit[2] < k[3] for k in kept):
                kept.append(hit)
        return [(issue, option, start) for issue, option, start, _ in sorted(kept, key=lambda h: h[2])]


@lru_cache(maxsize=8)
def vocabulary(space: OutcomeSpace) -> Vocabulary:
    """The space's vocabulary, built once per outcome space (a run checks every move against it)."""
    return Vocabulary.of(space)


# -- the checker -------------------------------------------------------------------------------------


def check_claims(
    move: MoveRecord,
    speaker: Speaker,
    space: OutcomeSpace,
    record: Sequence[MoveRecord],
    names: Mapping[str, str] | None = None,
    utility: UtilityFunction | None = None,
) -> list[Claim]:
    """The claims in `move`'s words, each with its verdict: checked against `speaker`'s profile and the
    public `record` (the moves before this one); `names` maps the parties' ids to their display names;
    `utility` is the speaker's utility function if the caller has it already."""
    if not any(move.get(f) for f in FIELDS):
        return []
    utility = utility if utility is not None else UtilityFunction(space, speaker.profile)
    checker = _Checker(speaker, space, utility, vocabulary(space), record, dict(names or {}))
    out: list[Claim] = []
    for field in FIELDS:
        text = str(move.get(field) or "")
        for sentence in _SENTENCE.split(text):
            if sentence.strip():
                out.extend(
                    Claim(
                        party=speaker.id,
                        turn=move["turn"],
                        field=field,
                        text=sentence.strip(),
                        about=about,
                        issue=issue,
                        verdict=verdict,
                        evidence=evidence,
                    )
                    for about, issue, verdict, evidence in checker.sentence(_norm(sentence))
                )
    return out


Found = tuple[About, str | None, Verdict, str]


@dataclass
class _Checker:
    speaker: Speaker
    space: OutcomeSpace
    utility: UtilityFunction
    vocab: Vocabulary
    record: Sequence[MoveRecord]
    names: dict[str, str]

    def sentence(self, text: str) -> Iterable[Found]:
        table = self._table(text)
        if table is not None:
            yield table
            return
        first = bool(_FIRST_PERSON.search(text))
        reservation = self._reservation(text) if first else None
        if reservation is not None:
            yield reservation
            return
        if first:
            yield from self._priority(text)
            yield from self._limits(text)
            if _OUTSIDE.search(text) and re.search(r"\b(we|i)\b (have|got|received|could get|can get)\b", text):
                yield (
                    "outside",
                    None,
                    "unverifiable",
                    "an outside option is held neither in the profile nor in the record",
                )

    # -- own position ------------------------------------------------------------------------------

    def _reservation(self, text: str) -> Found | None:
        m = _RESERVATION.search(text)
        if m is None:
            return None
        rv = self.speaker.profile.reservation_value
        if self.vocab.issue_mentions(text):
            return (
                "reservation",
                None,
                "unverifiable",
                "the walk-away point is stated in an issue's terms, not as a worth",
            )
        number, percent = float(m.group(7)), m.group(8)
        stated = number / 100 if percent or number > 1 else number
        if stated > 1:
            return ("reservation", None, "unverifiable", f"{m.group(7)} is not a worth on the 0-1 scale")
        verdict: Verdict = "true" if abs(stated - rv) <= RESERVATION_TOLERANCE + 1e-12 else "false"
        return ("reservation", None, verdict, f"stated {stated:.2f}; the party's reservation value is {rv:.2f}")

    def _priority(self, text: str) -> Iterable[Found]:
        kind = "top" if _TOP.search(text) else "low" if _LOW.search(text) else "high" if _HIGH.search(text) else None
        if kind is None:
            return
        mentioned = sorted(self.vocab.issue_mentions(text).items(), key=lambda kv: kv[1])
        if not mentioned:
            if re.search(r"\bpriorit", text):  # "our top priority is speed": a claim, about nothing checkable
                yield ("priority", None, "unverifiable", "names no issue of the scenario")
            return
        weights = self.speaker.profile.normalised_weights(self.space.issue_ids)
        share = dict(zip(self.space.issue_ids, (float(w) for w in weights), strict=True))
        ranked = sorted(share, key=lambda i: -share[i])
        for issue, _ in mentioned:
            rank = ranked.index(issue) + 1
            tier = priority_tier(share[issue])
            where = f"{issue} has weight {share[issue]:.2f}, rank {rank} of {len(ranked)} ({tier} priority)"
            if kind == "top":  # among the top as many issues as the sentence names (ties count)
                ok = share[issue] >= share[ranked[len(mentioned) - 1]] - 1e-9
            elif kind == "low":
                ok = tier == "low"
            else:
                ok = tier == "high"
            claim = {"top": "a top priority", "low": "a low priority", "high": "a high priority"}[kind]
            yield ("priority", issue, "true" if ok else "false", f"claimed {claim}; {where}")

    def _limits(self, text: str) -> Iterable[Found]:
        negated = bool(_NEGATION.search(text))
        required = bool(_REQUIREMENT.search(text))
        for m in _BOUND.finditer(text):
            if m.group("up") or m.group("lo"):
                if not (negated or required):
                    continue
                side = "upper" if bool(m.group("up")) == negated else "lower"  # cannot exceed X / must exceed X
            else:
                side = "upper" if m.group("abs_up") else "lower"
                if not (negated or required or _WILLING.search(text)):
                    continue
            mentions = self.vocab.issue_mentions(text, near=m.start())
            issue = self._numeric_issue(mentions, m.start(), m.group(6) or "", text[m.end() : m.end() + 16])
            if issue is None:
                continue
            yield self._bound(issue, side, float(m.group(5)))
        if negated or required or _REFUSED.search(text):
            for issue, option, pos in self.vocab.option_mentions(text):
                spec = self.space.by_id[issue]
                assert isinstance(spec, CategoricalIssue)
                chosen = np.array([o == option for o in spec.options])
                if negated or _REFUSED.search(text[pos:]):
                    yield self._region(issue, chosen, f"{issue} = {option}", "cannot accept")
                elif required:
                    yield self._region(issue, ~chosen, f"{issue} other than {option}", "must have")

    def _numeric_issue(self, mentions: Mapping[str, int], at: int, percent: str, after: str) -> str | None:
        numeric = {i.id: i for i in self.space.issues if isinstance(i, NumericIssue)}
        named = {i: p for i, p in mentions.items() if i in numeric and abs(p - at) <= MENTION_WINDOW}
        if named:
            return min(named, key=lambda i: abs(named[i] - at))
        unit = "%" if percent else after.split()[0] if after.split() else ""
        fits = [
            i
            for i, issue in numeric.items()
            if unit and _norm(issue.unit) and unit.startswith(_norm(issue.unit).rstrip("s"))
        ]
        return fits[0] if len(fits) == 1 else None

    def _k(self, issue: str) -> int:
        return self.space.issue_ids.index(issue)

    def _bound(self, issue: str, side: str, bound: float) -> Found:
        spec = self.space.by_id[issue]
        assert isinstance(spec, NumericIssue)
        values = np.array(spec.values(), dtype=float)
        tol = 1e-9 * max(1.0, abs(bound))
        past = values > bound + tol if side == "upper" else values < bound - tol
        word = "above" if side == "upper" else "below"
        unit = spec.unit
        if not past.any():
            return (
                "limit",
                issue,
                "unverifiable",
                f"no value of {issue} lies {word} {bound:g}{unit}: the bound says nothing",
            )
        return self._region(issue, past, f"{issue} {word} {bound:g}{unit}", "cannot go")

    def _region(self, issue: str, picks: npt.NDArray[np.bool_], label: str, claim: str) -> Found:
        """A claim that no outcome whose `issue` option is among `picks` is acceptable to the speaker, checked."""
        rv = self.utility.reservation_value
        k = self._k(issue)
        if not picks.any():
            return ("limit", issue, "unverifiable", f"no outcome has {label}")
        if self.space.cardinality <= ENUMERATION_LIMIT:
            col = self.space.issue_column(issue)
            mask = picks[col] & self.utility.constraint_mask()
            utils = self.utility.over_space()
            best = float(utils[mask].max()) if mask.any() else None
            exact = True
        else:
            tables = self.utility.tables
            best = float(sum(float(t.max()) for j, t in enumerate(tables) if j != k) + float(tables[k][picks].max()))
            exact = not self.utility.constraints
        if best is None or not at_least(best, rv):
            why = "no outcome within its hard limits" if best is None else f"the best is worth {best:.2f}"
            return ("limit", issue, "true", f"{claim}: with {label}, {why}, below the reservation value {rv:.2f}")
        if not exact:
            return ("limit", issue, "unverifiable", f"the space is too large to decide {label} under the hard limits")
        return (
            "limit",
            issue,
            "false",
            f"an outcome with {label} is worth {best:.2f}, at or above the reservation value {rv:.2f}",
        )

    # -- the table ---------------------------------------------------------------------------------

    def _table(self, text: str) -> Found | None:
        m = _TABLE.search(text)
        if m is None:
            return None
        parties = self._who(text[: m.start()].split()[-4:])
        if parties is None:
            return None
        rest = text[m.end() :]
        stated = self._stated_value(rest)
        if stated is None:
            return ("table", None, "unverifiable", "names no issue value that the record could confirm")
        issue, value = stated
        proposals = [mv for mv in self.record if mv["party"] in parties and mv["kind"] == "propose" and mv["terms"]]
        for mv in proposals:
            if _same(mv["terms"].get(issue), value):  # type: ignore[union-attr]
                return (
                    "table",
                    issue,
                    "true",
                    f"round {mv['round'] + 1}: {mv['party']} proposed {issue} = {value_key(value)}",
                )
        shown = sorted({value_key(mv["terms"][issue]) for mv in proposals if mv["terms"] and issue in mv["terms"]})
        who_text = ", ".join(sorted(parties))
        if not proposals:
            return ("table", issue, "false", f"{who_text} made no proposal before this move")
        return ("table", issue, "false", f"{who_text} proposed {issue} as {', '.join(shown)}, never {value_key(value)}")

    def _who(self, before: list[str]) -> set[str] | None:
        """Whose proposals a statement is about, from the words before its verb (the nearest subject wins)."""
        others = {mv["party"] for mv in self.record} | set(self.names)
        others.discard(self.speaker.id)
        phrase = " ".join(before)
        for n in range(len(before) - 1, -1, -1):
            word = before[n]
            if word in ("you", "they"):
                return others
            if word in ("we", "i"):
                return {self.speaker.id}
            for party, name in self.names.items():
                tail = " ".join(before[n:])
                if tail.startswith(_norm(party)) or tail.startswith(_norm(name).split()[0]):
                    return {party} if _norm(party) in phrase or _norm(name).split()[0] in phrase else None
        return None

    def _stated_value(self, rest: str) -> tuple[str, IssueValue] | None:
        options = self.vocab.option_mentions(rest)
        if options:
            issue, option, _ = min(options, key=lambda o: o[2])
            return issue, option
        m = re.search(_NUMBER, rest)
        if m is None:
            return None
        mentions = self.vocab.issue_mentions(rest, near=m.start())
        found = self._numeric_issue(mentions, m.start(), m.group(2) or "", rest[m.end() : m.end() + 16])
        if found is None:
            return None
        spec = self.space.by_id[found]
        number = float(m.group(1))
        return found, int(number) if isinstance(spec, NumericIssue) and spec.integer and number.is_integer() else number


def _same(a: IssueValue | None, b: IssueValue) -> bool:
    if a is None:
        return False
    if isinstance(a, (int, float)) and not isinstance(a, bool) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) < 1e-9
    return a == b


# -- the tally -----------------------------------------------------------------------------------


class PartyTruth(BaseModel):
    """One party's words as the auditor saw them: privacy-screen hits and claims by verdict."""

    model_config = ConfigDict(frozen=True)

    screen_hits: int = Field(default=0, description="Private figures the privacy screen withheld from its words.")
    claims_true: int = 0
    claims_false: int = 0
    claims_unverifiable: int = 0


def truthfulness(records: Iterable[object]) -> dict[str, PartyTruth] | None:
    """Per party, its screen hits and claims by verdict, from the audit trail's ``screen`` and ``claim``
    records (anything with ``kind`` and ``data``); None when there are neither."""
    rows: dict[str, dict[str, int]] = {}
    for record in records:
        kind, data = getattr(record, "kind", None), getattr(record, "data", {})
        if kind not in ("screen", "claim") or not isinstance(data, Mapping):
            continue
        row = rows.setdefault(str(data.get("party", "")), dict(PartyTruth().model_dump()))
        if kind == "screen":
            row["screen_hits"] += len(data.get("hits", []))
        elif data.get("verdict") in VERDICTS:
            row[f"claims_{data['verdict']}"] += 1
    return {party: PartyTruth.model_validate(row) for party, row in sorted(rows.items())} or None


__all__ = ["Claim", "PartyTruth", "Speaker", "Vocabulary", "check_claims", "truthfulness"]
