"""The base every spec model shares, and the way rules spanning fields report errors."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic.alias_generators import to_camel
from pydantic_core import InitErrorDetails, PydanticCustomError

Loc = tuple[str | int, ...]


class SpecModel(BaseModel):
    """Snake_case fields that also accept Project Planton's camelCase spelling.

    Inputs are never echoed in errors (`hide_input_in_errors`), so a secret in a wrong
    place cannot leak through an error message.
    """

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        loc_by_alias=False,
        hide_input_in_errors=True,
        arbitrary_types_allowed=True,
    )

    @model_validator(mode="before")
    @classmethod
    def _one_spelling_per_field(cls, data: Any) -> Any:
        # `memory_mb` and `memoryMb` name the same field: giving both is ambiguous.
        if isinstance(data, dict):
            raise_errors(
                cls.__name__,
                [
                    ((name,), f"given twice, as {name} and {field.alias}: keep one")
                    for name, field in cls.model_fields.items()
                    if field.alias and field.alias != name and name in data and field.alias in data
                ],
            )
        return data


def raise_errors(model: str, errors: Iterable[tuple[Loc, str]]) -> None:
    """Raise every rule violation at once, each at its own field path.

    Pydantic prefixes these locations with the path of the enclosing model, so a rule
    checked inside an alias is reported as `aliases[0].<field>`.
    """
    details = [
        InitErrorDetails(type=PydanticCustomError("spec_rule", message), loc=loc, input=None)
        for loc, message in errors
    ]
    if details:
        raise ValidationError.from_exception_data(model, details)
