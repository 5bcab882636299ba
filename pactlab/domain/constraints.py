"""Hard constraints: a small declarative language, parsed, never evaluated as Python.

Grammar (keywords are lower case)::

    constraint := "if" condition "then" condition | condition
    condition  := conjunct ("or" conjunct)*
    conjunct   := atom ("and" atom)*
    atom       := ISSUE OP VALUE | ISSUE "in" LIST | ISSUE "not" "in" LIST
    OP         := "==" | "!=" | "<" | "<=" | ">" | ">="
    LIST       := "[" VALUE ("," VALUE)* "]"

Examples: ``term_months <= 12``,
``if owner == seller then licence in [nonexclusive_royalty_free]``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from pactlab.domain.issues import CategoricalIssue, IssueValue, NumericIssue, _IssueBase, value_key
from pactlab.errors import BadInput

_TOKEN = re.compile(
    r"\s*(?:(?P<op><=|>=|==|!=|<|>)|(?P<punct>[\[\],])|(?P<str>'[^']*'|\"[^\"]*\")"
    r"|(?P<num>-?\d+(?:\.\d+)?)|(?P<word>[A-Za-z_][A-Za-z0-9_\-]*))"
)
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class ConstraintSyntaxError(BadInput, ValueError):
    """A constraint that does not parse; the message shows where and what was expected."""


@dataclass(frozen=True)
class Atom:
    issue: str
    op: str  # one of _COMPARE, "in" or "not in"
    values: tuple[IssueValue, ...]


@dataclass(frozen=True)
class Condition:
    """A disjunction of conjunctions of atoms."""

    any_of: tuple[tuple[Atom, ...], ...]

    def atoms(self) -> list[Atom]:
        return [atom for conj in self.any_of for atom in conj]


class Constraint(str):
    """A hard constraint in its text form, parsed on creation.

    Behaves as the string the user wrote (so it round-trips through YAML and JSON) and
    carries the parsed structure in `premise` (for ``if … then …``) and `condition`.
    """

    premise: Condition | None
    condition: Condition

    def __new__(cls, text: str) -> Constraint:
        self = super().__new__(cls, text.strip())
        self.premise, self.condition = _Parser(str(self)).parse()
        return self

    @property
    def issues(self) -> list[str]:
        atoms = self.condition.atoms() + (self.premise.atoms() if self.premise else [])
        return sorted({a.issue for a in atoms})

    def check_against(self, issues: Mapping[str, _IssueBase]) -> None:
        """Raise ValueError if the constraint names an unknown issue or an impossible value."""
        atoms = self.condition.atoms() + (self.premise.atoms() if self.premise else [])
        for atom in atoms:
            _option_table(atom, issues)

    def holds(self, terms: Mapping[str, IssueValue], issues: Mapping[str, _IssueBase]) -> bool:
        """Whether one term sheet satisfies the constraint."""

        def cond(c: Condition) -> bool:
            return any(
                all(bool(_option_table(a, issues)[issues[a.issue].index_of(terms[a.issue])]) for a in conj)
                for conj in c.any_of
            )

        if self.premise is not None and not cond(self.premise):
            return True
        return cond(self.condition)

    def mask(self, index_of: Callable[[str], np.ndarray], issues: Mapping[str, _IssueBase]) -> np.ndarray:
        """Vectorised: `index_of(issue_id)` gives each outcome's option index for that issue."""

        def cond(c: Condition) -> np.ndarray:
            result: np.ndarray | None = None
            for conj in c.any_of:
                part: np.ndarray | None = None
                for a in conj:
                    hit = _option_table(a, issues)[index_of(a.issue)]
                    part = hit if part is None else part & hit
                assert part is not None
                result = part if result is None else result | part
            assert result is not None
            return result

        if self.premise is None:
            return cond(self.condition)
        return np.asarray(~cond(self.premise) | cond(self.condition), dtype=bool)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: object, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(
            cls._validate,
            core_schema.str_schema(),
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )

    @classmethod
    def _validate(cls, value: str) -> Constraint:
        return value if isinstance(value, Constraint) else cls(value)


def _option_table(atom: Atom, issues: Mapping[str, _IssueBase]) -> np.ndarray:
    """For each option of the atom's issue, whether the atom holds."""
    issue = issues.get(atom.issue)
    if issue is None:
        raise ValueError(f"constraint names unknown issue {atom.issue!r}; known issues: {', '.join(issues)}")
    options = issue.values()
    targets = [_coerce(v, issue) for v in atom.values]
    if atom.op in ("in", "not in"):
        keys = {value_key(t) for t in targets}
        table = np.array([value_key(o) in keys for o in options])
        return ~table if atom.op == "not in" else table
    target = targets[0]
    if atom.op in ("<", "<=", ">", ">="):
        if isinstance(issue, CategoricalIssue):
            if not issue.ordered:
                raise ValueError(
                    f"{atom.op!r} needs an ordered issue, but {issue.id!r} is unordered; use == or 'in [...]'"
                )
            position = issue.index_of(target)
            return np.array([_COMPARE[atom.op](i, position) for i in range(len(options))])
        if not isinstance(issue, NumericIssue):
            raise ValueError(f"{atom.op!r} does not apply to the yes/no issue {issue.id!r}; use == or !=")
    return np.array([_COMPARE[atom.op](o, target) for o in options])


def _coerce(value: IssueValue, issue: _IssueBase) -> IssueValue:
    if isinstance(issue, NumericIssue):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{issue.id!r} is numeric; compare it with a number, not {value!r}")
        return value
    if isinstance(issue, CategoricalIssue):
        key = value_key(value)
        issue.index_of(key)  # raises with the valid options
        return key
    if not isinstance(value, bool):
        raise ValueError(f"{issue.id!r} is yes/no; compare it with true or false, not {value!r}")
    return value


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            m = _TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                bad = len(text) - len(text[pos:].lstrip())  # the character itself, not the blanks before it
                raise ConstraintSyntaxError(f"unexpected character {text[bad]!r} at position {bad} in {text!r}")
            kind = m.lastgroup or ""
            self.tokens.append((kind, m.group(kind), m.start(kind)))
            pos = m.end()
        self.i = 0

    def parse(self) -> tuple[Condition | None, Condition]:
        if not self.tokens:
            raise ConstraintSyntaxError("empty constraint; write e.g. 'term_months <= 12'")
        premise = None
        if self._peek_word("if"):
            self.i += 1
            premise = self._condition()
            self._expect_word("then")
        condition = self._condition()
        if self.i != len(self.tokens):
            self._fail("end of constraint")
        return premise, condition

    def _condition(self) -> Condition:
        conjuncts = [self._conjunct()]
        while self._peek_word("or"):
            self.i += 1
            conjuncts.append(self._conjunct())
        return Condition(tuple(conjuncts))

    def _conjunct(self) -> tuple[Atom, ...]:
        atoms = [self._atom()]
        while self._peek_word("and"):
            self.i += 1
            atoms.append(self._atom())
        return tuple(atoms)

    def _atom(self) -> Atom:
        issue = self._take("word", "an issue id")
        if self._peek_word("not"):
            self.i += 1
            self._expect_word("in")
            return Atom(issue, "not in", self._list())
        if self._peek_word("in"):
            self.i += 1
            return Atom(issue, "in", self._list())
        op = self._take("op", "a comparison (==, !=, <, <=, >, >=, in, not in)")
        return Atom(issue, op, (self._value(),))

    def _list(self) -> tuple[IssueValue, ...]:
        self._take("punct", "'['", expected_text="[")
        values = [self._value()]
        while self._peek_punct(","):
            self.i += 1
            values.append(self._value())
        self._take("punct", "']'", expected_text="]")
        return tuple(values)

    def _value(self) -> IssueValue:
        if self.i >= len(self.tokens):
            self._fail("a value")
        kind, text, _ = self.tokens[self.i]
        self.i += 1
        if kind == "num":
            return float(text) if "." in text else int(text)
        if kind == "str":
            return text[1:-1]
        if kind == "word":
            return {"true": True, "false": False}.get(text.lower(), text)
        self.i -= 1
        self._fail("a value")
        raise AssertionError  # unreachable

    def _peek_word(self, word: str) -> bool:
        return self.i < len(self.tokens) and self.tokens[self.i][:2] == ("word", word)

    def _peek_punct(self, p: str) -> bool:
        return self.i < len(self.tokens) and self.tokens[self.i][:2] == ("punct", p)

    def _expect_word(self, word: str) -> None:
        if not self._peek_word(word):
            self._fail(f"'{word}'")
        self.i += 1

    def _take(self, kind: str, what: str, expected_text: str | None = None) -> str:
        if self.i < len(self.tokens):
            k, text, _ = self.tokens[self.i]
            if k == kind and (expected_text is None or text == expected_text):
                self.i += 1
                return text
        self._fail(what)
        raise AssertionError  # unreachable

    def _fail(self, expected: str) -> None:
        if self.i < len(self.tokens):
            _, text, pos = self.tokens[self.i]
            found = f"{text!r} at position {pos}"
        else:
            found = "the end"
        raise ConstraintSyntaxError(f"expected {expected} but found {found} in {self.text!r}")


def parse_constraints(texts: Sequence[str]) -> list[Constraint]:
    return [Constraint(t) for t in texts]
