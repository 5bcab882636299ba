"""Load YAML files into pydantic models with errors that name the file, the line and the field.

A model may name values of its raw file that are paths of other files to load in their place
(a scenario's ``playbook: file.yaml``): a classmethod ``file_references(data)`` returns their
locations. Each such file is read relative to the file naming it, and errors inside it name
that file, its line and its own fields.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from pactlab.domain.limits import MAX_FILE_BYTES, number_problem
from pactlab.domain.yaml_bounds import refusal
from pactlab.errors import BadInput

M = TypeVar("M", bound=BaseModel)
_SCALARS = yaml.constructor.SafeConstructor()
Loc = tuple[Any, ...]
_EXPONENT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)[eE][-+]?[0-9]+\Z")
"""A number with an exponent but no dot (``1e308``): PyYAML reads it as a string, pydantic as a float."""


@dataclass(frozen=True)
class _Included:
    """A file loaded in place of the value at `loc` of the including file."""

    loc: Loc
    source: str
    root: yaml.Node


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, located as precisely as the YAML allows."""

    file: str
    line: int | None
    column: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}:{self.column}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class FileError(BadInput, ValueError):
    """A file that cannot be loaded; `problems` lists every error found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_model(path: str | Path, model: type[M]) -> M:
    """Parse `path` as YAML and validate it as `model`, or raise FileError."""
    path = Path(path)
    return parse_model(read_text(path), model, source=str(path))


def read_text(path: str | Path, source: str | None = None) -> str:
    """The UTF-8 text of `path` (named `source` in problems), or FileError: unreadable, too large, not UTF-8.

    A file larger than `MAX_FILE_BYTES` is refused before it is read; a byte that is not UTF-8
    (random bytes, a UTF-16 file) is reported at its line and column.
    """
    path = Path(path)
    source = str(path) if source is None else source
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise FileError([Problem(source, None, None, "", f"cannot read file: {exc.strerror or exc}")]) from None
    if len(data) > MAX_FILE_BYTES:
        message = f"file is larger than {MAX_FILE_BYTES:,} bytes (PACTLAB_MAX_FILE_BYTES raises the limit)"
        raise FileError([Problem(source, None, None, "", message)])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        bom = " (a UTF-16 file: save it as UTF-8)" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        message = f"byte 0x{data[exc.start]:02x} is not UTF-8 text{bom}; a YAML file is UTF-8 text"
        raise FileError([Problem(source, line, column, "", message)]) from None


def locate_problems(path: str | Path, found: Sequence[tuple[tuple[Any, ...], str]]) -> list[Problem]:
    """Problems found after loading (field path, message), each placed at its line in the file.

    For checks that need more than the file itself, such as a policy set checked against a scenario.
    """
    source = str(path)
    root = yaml.compose(read_text(path), Loader=yaml.SafeLoader)
    if root is None:
        return [Problem(source, None, None, _dotted(loc), message) for loc, message in found]
    problems = []
    for loc, message in found:
        node, used = _locate(root, loc)
        problems.append(_at(source, node, _dotted(used), message))
    return problems


def parse_model(text: str, model: type[M], source: str = "<string>") -> M:
    """Parse `text` (the content of `source`) as YAML and validate it as `model`, or raise FileError.

    Files the model references (see the module docstring) are read relative to `source`'s folder.
    """
    root = _compose(text, source, model.__name__)
    problems: list[Problem] = []
    data = _construct(root, (), source, problems)
    if problems:
        raise FileError(problems)
    if not isinstance(data, dict):
        raise FileError([_at(source, root, "", f"expected a mapping for {model.__name__}, got {type(data).__name__}")])
    included = _include(model, data, root, source, problems)
    if problems:
        raise FileError(problems)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise FileError([_problem_from(err, root, source, model, included) for err in exc.errors()]) from None


def _compose(text: str, source: str, what: str) -> yaml.Node:
    """The YAML node tree of `text`, or FileError for a syntax error, a text out of bounds or an empty file."""
    refused = refusal(text)
    if refused is not None:
        raise FileError([Problem(source, refused.line, refused.column, refused.field, refused.message)])
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.reader.ReaderError as exc:  # a control character such as NUL: PyYAML gives its position
        at_line, at_column = _line_column(text, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        message = f"character U+{code:04X} is not allowed in a YAML file ({exc.reason}): remove it"
        raise FileError([Problem(source, at_line, at_column, "", message)]) from None
    except RecursionError:  # only with a depth limit raised past what the stack holds
        raise FileError([Problem(source, 1, 1, "", "nested too deeply to read")]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        message = f"YAML syntax error: {exc.problem or exc}" + (f" ({exc.context})" if exc.context else "")
        raise FileError([Problem(source, line, col, "", message)]) from None
    except yaml.YAMLError as exc:  # e.g. a control character, refused before any line
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise FileError([Problem(source, None, None, "", f"not a YAML text: {first}")]) from None
    if root is None:
        raise FileError([Problem(source, None, None, "", f"file is empty; expected a mapping for {what}")])
    return root


def _include(
    model: type[BaseModel], data: dict[Any, Any], root: yaml.Node, source: str, problems: list[Problem]
) -> list[_Included]:
    """Load each file the model references in place of its path (in `data`); problems go to `problems`."""
    references = getattr(model, "file_references", None)
    if references is None:
        return []
    base = Path(source).parent
    included: list[_Included] = []
    for loc in references(data):
        parent: Any = data
        for part in loc[:-1]:
            parent = parent[part]
        named = parent[loc[-1]]
        path = base / named
        node, used = _locate(root, loc)
        try:
            text = read_text(path)
        except FileError as exc:
            first = exc.problems[0]
            if first.line is None:  # the file as a whole: unreadable or too large
                problems.append(_at(source, node, _dotted(used), f"cannot read {named!r}: {first.message}"))
            else:
                problems.extend(exc.problems)
            continue
        try:
            sub_root = _compose(text, str(path), str(loc[-1]))
        except FileError as exc:
            problems.extend(exc.problems)
            continue
        found: list[Problem] = []
        parent[loc[-1]] = _construct(sub_root, (), str(path), found)
        problems.extend(found)
        included.append(_Included(tuple(loc), str(path), sub_root))
    return included


def _construct(node: yaml.Node, path: tuple[Any, ...], source: str, problems: list[Problem]) -> Any:
    """Plain Python data from a YAML node, reporting duplicate keys instead of dropping them."""
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, path, source, problems)
            if key in result:
                problems.append(_at(source, key_node, _dotted((*path, key)), "duplicate key; each key may appear once"))
                continue
            result[key] = _construct(value_node, (*path, key), source, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, (*path, n), source, problems) for n, v in enumerate(node.value)]
    return _scalar(node, path, source, problems)


def _scalar(node: yaml.Node, path: tuple[Any, ...], source: str, problems: list[Problem]) -> Any:
    """A scalar's value; a value PyYAML cannot build, or a number out of bounds, is a problem (value None)."""
    try:
        value = _SCALARS.construct_object(node, deep=True)
    except (ValueError, TypeError, OverflowError, yaml.YAMLError) as exc:  # e.g. 2001-13-45, a 5,000-digit int
        problems.append(_at(source, node, _dotted(path), f"cannot read the value {_excerpt(node)}: {exc}"))
        return None
    if not isinstance(value, Hashable):  # a collection as a key: refused by yaml_bounds before this
        problems.append(_at(source, node, _dotted(path), "a key must be a plain value, not a list or a mapping"))
        return None
    if isinstance(value, str) and isinstance(node, yaml.ScalarNode) and node.style is None and _EXPONENT.match(value):
        problem = number_problem(float(value))  # 1e308: a number in YAML 1.2 (and to pydantic), a string to PyYAML
    else:
        problem = number_problem(value)
    if problem is not None:
        problems.append(_at(source, node, _dotted(path), problem))
        return None
    return value


def _excerpt(node: yaml.Node) -> str:
    text = str(getattr(node, "value", ""))
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _line_column(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of character `position` of `text`."""
    return text.count("\n", 0, position) + 1, position - (text.rfind("\n", 0, position) + 1) + 1


def _problem_from(
    err: Any, root: yaml.Node, source: str, model: type[BaseModel], included: Sequence[_Included] = ()
) -> Problem:
    loc = tuple(err["loc"])
    kind = err["type"]
    prefix: Loc = ()
    for inc in included:
        if loc[: len(inc.loc)] == inc.loc and len(inc.loc) > len(prefix):
            prefix, root, source = inc.loc, inc.root, inc.source
    node, used = _locate(root, loc[len(prefix) :], names_absent_key=kind in ("missing", "extra_forbidden"))
    field = _dotted(used)
    message = str(err["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if kind == "missing":
        message = f"missing required field {loc[-1]!r}"
        field = _dotted(used)
    elif kind == "extra_forbidden":
        known = _known_fields(model, (*prefix, *used[:-1]))
        message = f"unknown field {loc[-1]!r}" + (f"; known fields: {', '.join(known)}" if known else "")
    elif "input" in err and kind not in ("scenario", "value_error") and not isinstance(err["input"], (dict, list)):
        message = f"{message} (got {err['input']!r})"
    return _at(source, node, field, message)


def _locate(root: yaml.Node, loc: tuple[Any, ...], names_absent_key: bool = False) -> tuple[yaml.Node, tuple[Any, ...]]:
    """The deepest YAML node on the error's path, and the part of the path that exists in the file.

    Pydantic's locations may contain union tags or validator names that are not keys of the
    file; those are skipped. Only when `names_absent_key` (a missing or unknown field) is the
    last part kept although the file lacks it. The node returned is the one to report at: a
    block mapping or sequence under a key is reported at its key (its own start is the line
    after it).
    """
    node: yaml.Node = root
    used: tuple[Any, ...] = ()
    report_at: yaml.Node = root
    for part in loc:
        child, key = None, None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and str(key_node.value) == str(part):
                    child, key = value_node, key_node
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            child = node.value[part]
        if child is not None:
            block = isinstance(child, yaml.CollectionNode) and not child.flow_style
            report_at = key if block and key is not None else child
            node, used = child, (*used, part)
        elif isinstance(part, int) or not isinstance(node, yaml.MappingNode):
            continue
        elif names_absent_key and part == loc[-1]:
            used = (*used, part)  # a missing or unknown key: report it on its parent mapping
    return report_at, used


def _known_fields(model: type[BaseModel], path: tuple[Any, ...]) -> list[str]:
    current: Any = model
    for part in path:
        current = _descend(current, part)
        if current is None:
            return []
    return list(current.model_fields) if isinstance(current, type) and issubclass(current, BaseModel) else []


def _descend(tp: Any, part: Any) -> Any:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        field = tp.model_fields.get(str(part))
        return _unwrap(field.annotation) if field else None
    origin = typing.get_origin(tp)
    if origin in (list, tuple) and isinstance(part, int):
        return _unwrap(typing.get_args(tp)[0])
    if origin is dict:
        return _unwrap(typing.get_args(tp)[1])
    return None


def _unwrap(tp: Any) -> Any:
    """The type under Annotated and Optional; of a union, its only model (e.g. ``Playbook | str``), if one."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [_unwrap(a) for a in typing.get_args(tp) if a is not type(None)]
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if len(args) == 1:
            return args[0]
        if len(models) == 1:
            return models[0]
    return tp


def _at(source: str, node: yaml.Node, field: str, message: str) -> Problem:
    mark = node.start_mark
    return Problem(source, mark.line + 1, mark.column + 1, field, message)


def _dotted(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
