"""Load YAML files into pydantic models with errors that name the file, the line and the field.

A model may name values of its raw file that are paths of other files to load in their place
(a scenario's ``playbook: file.yaml``): a classmethod ``file_references(data)`` returns their
locations. Each such file is read relative to the file naming it, and errors inside it name
that file, its line and its own fields.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from pactlab.domain.yaml_bounds import refusal
from pactlab.errors import BadInput

M = TypeVar("M", bound=BaseModel)
_SCALARS = yaml.constructor.SafeConstructor()
Loc = tuple[Any, ...]


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
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FileError([Problem(str(path), None, None, "", f"cannot read file: {exc.strerror or exc}")]) from None
    except UnicodeDecodeError as exc:
        message = f"not UTF-8 text (byte {exc.start}): a YAML file is UTF-8 text"
        raise FileError([Problem(str(path), None, None, "", message)]) from None
    return parse_model(text, model, source=str(path))


def locate_problems(path: str | Path, found: Sequence[tuple[tuple[Any, ...], str]]) -> list[Problem]:
    """Problems found after loading (field path, message), each placed at its line in the file.

    For checks that need more than the file itself, such as a policy set checked against a scenario.
    """
    source = str(path)
    root = yaml.compose(Path(path).read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
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
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            problems.append(_at(source, node, _dotted(used), f"cannot read {named!r}: {exc.strerror or exc}"))
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
            key = _SCALARS.construct_object(key_node, deep=True)
            if key in result:
                problems.append(_at(source, key_node, _dotted((*path, key)), "duplicate key; each key may appear once"))
                continue
            result[key] = _construct(value_node, (*path, key), source, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, (*path, n), source, problems) for n, v in enumerate(node.value)]
    return _SCALARS.construct_object(node, deep=True)


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
