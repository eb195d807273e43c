"""User-facing errors: every problem on its own line, at its field path, no input echoed."""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Sequence
from typing import Any

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails


class PlantonLambdaError(Exception):
    """Base of the errors a user can act on; the CLI prints them without a traceback."""


class ManifestError(PlantonLambdaError):
    """A manifest that cannot be read: missing file, bad YAML, wrong kind or apiVersion."""


class SpecError(PlantonLambdaError, ValueError):
    """An invalid spec; `problems` holds one `path: message` line per error."""

    def __init__(self, problems: Sequence[str], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        where = f"{source}: " if source else ""
        count = len(self.problems)
        header = f"{where}invalid spec ({count} error{'s' if count != 1 else ''})"
        super().__init__("\n".join([header, *(f"  {p}" for p in self.problems)]))

    @classmethod
    def from_validation_error(
        cls, error: ValidationError, root: type[BaseModel], source: str | None = None
    ) -> SpecError:
        return cls([describe(detail, root) for detail in error.errors()], source)


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_$-]+")  # whole key (fullmatch): "0\n" is quoted


def field_path(loc: Sequence[int | str]) -> str:
    """`('aliases', 0, 'name')` -> `aliases[0].name`; odd keys are quoted: `tags['a b']`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not _PLAIN_KEY.fullmatch(part):
            path += f"[{part!r}]"
        else:
            path += f".{part}" if path else part
    return path or "spec"


# Pydantic's wording for a wrong type, said the way the rest of the messages say things.
_TYPE_MESSAGES = {
    "model_type": "must be a mapping (key: value pairs)",
    "model_attributes_type": "must be a mapping (key: value pairs)",
    "dict_type": "must be a mapping (key: value pairs)",
    "list_type": "must be a list",
    "string_type": "must be a string (quote numbers and booleans in YAML)",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
}
_BOUND_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def describe(detail: ErrorDetails, root: type[BaseModel]) -> str:
    """One `path: what is wrong and what is allowed` line; never the offending input."""
    loc = [part for part in detail["loc"] if not _is_union_tag(part)]
    kind = detail["type"]
    message = detail["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind == "missing":
        message = "required"
    elif kind == "extra_forbidden":
        message = _unknown_field(root, loc)
    elif kind == "invalid_key" and loc:
        # The offending key is the last part of the location: report it at its mapping.
        message = f"key {loc[-1]!r} must be a string"
        loc = loc[:-1]
    elif kind == "string_pattern_mismatch":
        info = _field_at(root, loc)
        if info is not None and info.description:
            message = f"must be {info.description}"
        else:
            message = f"must match the pattern {detail.get('ctx', {}).get('pattern', '')}"
    elif kind in _BOUND_ERRORS:
        message = _bounds(_field_at(root, loc)) or _must(message)
    elif kind in _TYPE_MESSAGES:
        message = _TYPE_MESSAGES[kind]
    else:
        message = _must(message)
    return f"{field_path(loc)}: {message}"


def _must(message: str) -> str:
    """`Input should be X` / `String should have X` -> `must be X` / `must have X`."""
    for prefix in ("Input should ", "String should ", "List should ", "Dictionary should "):
        if message.startswith(prefix):
            return "must " + message.removeprefix(prefix)
    return message


def _bounds(info: FieldInfo | None) -> str | None:
    """`must be from 128 to 10240` from a field's ge/le (gt/lt) constraints."""
    if info is None:
        return None
    low = high = None
    for item in info.metadata:
        if isinstance(item, Ge):
            low = f"at least {item.ge}"
        elif isinstance(item, Gt):
            low = f"greater than {item.gt}"
        elif isinstance(item, Le):
            high = f"at most {item.le}"
        elif isinstance(item, Lt):
            high = f"less than {item.lt}"
    if low is None and high is None:
        return None
    wanted = " and ".join(part for part in (low, high) if part)
    if low and high and low.startswith("at least") and high.startswith("at most"):
        wanted = f"from {low.removeprefix('at least ')} to {high.removeprefix('at most ')}"
    note = f" ({info.description})" if info.description else ""
    return f"must be {wanted}{note}"


def _unknown_field(root: type[BaseModel], loc: Sequence[int | str]) -> str:
    model = _unwrap(_annotation_at(root, loc[:-1]))
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return "unknown field"
    allowed = list(model.model_fields)
    message = f"unknown field; allowed: {', '.join(allowed)}"
    if loc and isinstance(loc[-1], str):
        spellings = {name: name for name in allowed}
        spellings.update(
            {f.alias: name for name, f in model.model_fields.items() if f.alias is not None}
        )
        close = difflib.get_close_matches(loc[-1], list(spellings), n=1, cutoff=0.75)
        if close:
            message = f"unknown field (did you mean {spellings[close[0]]}?); allowed: " + ", ".join(
                allowed
            )
    return message


def _is_union_tag(part: int | str) -> bool:
    # Pydantic names the union member it tried (`str`, `function-after[...]`): noise to users.
    return isinstance(part, str) and (part in {"str", "list[str]"} or "[" in part)


def _fields_at(root: type[BaseModel], loc: Sequence[int | str]) -> list[str]:
    """The field names of the model found at `loc` (empty when there is none)."""
    model = _unwrap(_annotation_at(root, loc))
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _field_at(root: type[BaseModel], loc: Sequence[int | str]) -> FieldInfo | None:
    """The FieldInfo (description, constraints) of the value at `loc`, if one declares it."""
    return _walk(root, loc)[1]


def _annotation_at(root: type[BaseModel], loc: Sequence[int | str]) -> Any:
    return _walk(root, loc)[0]


def _walk(root: type[BaseModel], loc: Sequence[int | str]) -> tuple[Any, FieldInfo | None]:
    """Follow `loc` through models, lists and mappings to the declared type at its end.

    Returns that type and the FieldInfo that declares it: a model field's, or the
    `Annotated[..., Field(...)]` of a list item or mapping value. `(None, None)` when the
    location does not lead to a declaration.
    """
    annotation: Any = root
    info: FieldInfo | None = None
    for part in loc:
        current = _unwrap(annotation)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return None, None
            annotation, info = field.annotation, field
            continue
        origin = typing.get_origin(current)
        args = typing.get_args(current)
        if origin is list and isinstance(part, int) and args:
            annotation = args[0]
        elif origin is dict and len(args) == 2:
            annotation = args[1]
        else:
            return None, None
        info = _declared_info(annotation)
    return annotation, info


def _declared_info(annotation: Any) -> FieldInfo | None:
    """The Field(...) inside `Annotated[X, Field(...)]` (possibly within `| None`)."""
    if typing.get_origin(annotation) is typing.Annotated:
        for meta in reversed(typing.get_args(annotation)[1:]):
            if isinstance(meta, FieldInfo):
                return meta
        return _declared_info(typing.get_args(annotation)[0])
    members = _union_members(annotation)
    if members is not None and len(members) == 1:
        return _declared_info(members[0])
    return None


def _unwrap(annotation: Any) -> Any:
    """`X` from `Annotated[X, ...]`, `X | None`; a union of several types stays as it is,
    except that a union holding one spec model yields that model."""
    while True:
        if typing.get_origin(annotation) is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        members = _union_members(annotation)
        if members is None:
            return annotation
        if len(members) == 1:
            annotation = members[0]
            continue
        models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
        return models[0] if len(models) == 1 else annotation


def _union_members(annotation: Any) -> list[Any] | None:
    """The non-None members of a union, or None when `annotation` is not a union."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    return None
