"""User-facing errors: every problem on its own line, at its field path, no input echoed."""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
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


def field_path(loc: Sequence[int | str]) -> str:
    """`('aliases', 0, 'name')` -> `aliases[0].name`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "spec"


def describe(detail: ErrorDetails, root: type[BaseModel]) -> str:
    loc = [part for part in detail["loc"] if not _is_union_tag(part)]
    message = detail["msg"].removeprefix("Value error, ")
    if detail["type"] == "missing":
        message = "required"
    elif detail["type"] == "extra_forbidden":
        allowed = _fields_at(root, loc[:-1])
        message = "unknown field" + (f"; allowed: {', '.join(allowed)}" if allowed else "")
    return f"{field_path(loc)}: {message}"


def _is_union_tag(part: int | str) -> bool:
    # Pydantic names the union member it tried (`str`, `function-after[...]`): noise to users.
    return isinstance(part, str) and (part in {"str", "list[str]"} or "[" in part)


def _fields_at(root: type[BaseModel], loc: Sequence[int | str]) -> list[str]:
    model: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(model, "model_fields", {})
        if part not in fields:
            return []
        model = _model_in(fields[part].annotation)
        if model is None:
            return []
    return list(getattr(model, "model_fields", {}))


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The spec model inside `X | None`, `list[X]` or `Annotated[X, ...]`, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None
