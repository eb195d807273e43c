"""`StringValueOrRef`: a literal string, a Pulumi stack output, or (in Python) an Output."""

from __future__ import annotations

import re
from typing import Annotated, Any

import pulumi
from pydantic import AfterValidator, Field, GetJsonSchemaHandler, WithJsonSchema, model_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from planton_lambda.spec.base import SpecModel, raise_errors

_REF_HELP = "value_from: {stack, output}"
_STACK = r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+){0,2}$"


def _str_or_output(value: Any) -> Any:
    if isinstance(value, pulumi.Output):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a string")
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _any_str_or_output(value: Any) -> Any:
    if isinstance(value, pulumi.Output | str):
        return value
    raise ValueError("must be a string")


# In YAML this is a string; Python callers may also pass a pulumi.Output[str] (a value taken
# from another resource), which is checked once it is known.
LiteralOrOutput = Annotated[
    Any, AfterValidator(_str_or_output), WithJsonSchema({"type": "string", "minLength": 1})
]
# The same, where AWS allows an empty string (environment and tag values).
TextOrOutput = Annotated[
    Any, AfterValidator(_any_str_or_output), WithJsonSchema({"type": "string"})
]


def is_known(value: Any) -> bool:
    """Whether a value is known before deployment (a plain string, not an Output)."""
    return not isinstance(value, pulumi.Output)


def matches(pattern: re.Pattern[str], text: str) -> bool:
    """The whole text matches: `re.match` with `$` would let a trailing newline through."""
    return pattern.fullmatch(text) is not None


class StackOutputRef(SpecModel):
    """An output of another Pulumi stack, read through a StackReference."""

    stack: Annotated[
        str,
        Field(
            pattern=_STACK,
            description="a stack name: org/project/stack (or project/stack, stack)",
        ),
    ]
    output: Annotated[str, Field(min_length=1, description="name of the stack output")]

    @model_validator(mode="before")
    @classmethod
    def _not_a_planton_resource_ref(cls, data: Any) -> Any:
        # Project Planton's own references name a resource it manages: {kind, name, fieldPath}.
        if isinstance(data, dict) and "kind" in data and "stack" not in data:
            raise ValueError(
                "a Project Planton resource reference (kind, name, fieldPath) cannot be "
                "resolved here: give the value itself, or {stack, output} of the Pulumi stack "
                "that exports it"
            )
        return data


class StringValueOrRef(SpecModel):
    """`{value: "..."}` or `{value_from: {stack, output}}`; a bare string means `{value: ...}`."""

    value: LiteralOrOutput | None = Field(None, description="the string itself")
    value_from: StackOutputRef | None = Field(None, description="an output of another Pulumi stack")

    @model_validator(mode="before")
    @classmethod
    def _wrap_plain(cls, data: Any) -> Any:
        if isinstance(data, str | pulumi.Output):
            return {"value": data}
        if not isinstance(data, dict | StringValueOrRef):
            raise ValueError(f"must be a string, {{value: ...}} or {_REF_HELP}")
        return data

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # In YAML a bare string is the common spelling; editors should accept it.
        return {"anyOf": [{"type": "string", "minLength": 1}, handler(core_schema)]}

    @model_validator(mode="after")
    def _exactly_one(self) -> StringValueOrRef:
        if (self.value is None) == (self.value_from is None):
            raise_errors(
                "StringValueOrRef",
                [((), f"give exactly one of value or {_REF_HELP}")],
            )
        return self

    @property
    def literal(self) -> str | None:
        """The plain string, when the value is known before deployment."""
        return self.value if isinstance(self.value, str) else None

    def check_literal(self, pattern: re.Pattern[str], what: str) -> str | None:
        """An error message when a known value does not look like `what`."""
        text = self.literal
        if text is not None and not matches(pattern, text):
            return f"must be {what}"
        return None
