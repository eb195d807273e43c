"""Turning `StringValueOrRef`s into Pulumi inputs, one StackReference per referenced stack."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import cast

import pulumi

from planton_lambda.resources import deferred
from planton_lambda.spec.base import Loc
from planton_lambda.spec.function import reference_problem
from planton_lambda.spec.refs import StringValueOrRef


class References:
    """Resolves references for one component; stack references become its children."""

    def __init__(self, name: str, parent: pulumi.Resource | None) -> None:
        self._name = name
        self._parent = parent
        self._stacks: dict[str, pulumi.StackReference] = {}

    def resolve(
        self,
        ref: StringValueOrRef,
        loc: Loc,
        check: Callable[[str], str | None] | None = None,
    ) -> pulumi.Input[str]:
        """The value at `loc` (`("subnets", 0)`): a literal as it is (the spec checked it);
        an Output or a stack output checked against the field's rule (or `check`, for fields
        outside REFERENCE_RULES) once it resolves."""
        if ref.value_from is None:
            value = cast("pulumi.Input[str]", ref.value)
        else:
            stack = self._stack(ref.value_from.stack)
            value = stack.require_output(ref.value_from.output).apply(str)
        field = str(loc[0])
        rule = check or (lambda text: reference_problem(field, text))
        checked = deferred.checked(value, loc, rule)
        return cast("pulumi.Input[str]", checked)

    def resolve_optional(
        self, ref: StringValueOrRef | None, field: str
    ) -> pulumi.Input[str] | None:
        return None if ref is None else self.resolve(ref, (field,))

    def resolve_all(self, refs: list[StringValueOrRef], field: str) -> list[pulumi.Input[str]]:
        return [self.resolve(ref, (field, i)) for i, ref in enumerate(refs)]

    def _stack(self, stack_name: str) -> pulumi.StackReference:
        if stack_name not in self._stacks:
            slug = re.sub(r"[^A-Za-z0-9_-]+", "-", stack_name)
            self._stacks[stack_name] = pulumi.StackReference(
                f"{self._name}-{slug}",
                stack_name=stack_name,
                opts=pulumi.ResourceOptions(parent=self._parent),
            )
        return self._stacks[stack_name]
