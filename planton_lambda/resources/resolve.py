"""Turning `StringValueOrRef`s into Pulumi inputs, one StackReference per referenced stack."""

from __future__ import annotations

import re
from typing import cast

import pulumi

from planton_lambda.spec.refs import StringValueOrRef


class References:
    """Resolves references for one component; stack references become its children."""

    def __init__(self, name: str, parent: pulumi.Resource) -> None:
        self._name = name
        self._parent = parent
        self._stacks: dict[str, pulumi.StackReference] = {}

    def resolve(self, ref: StringValueOrRef) -> pulumi.Input[str]:
        if ref.value_from is None:
            return cast("pulumi.Input[str]", ref.value)
        stack = self._stack(ref.value_from.stack)
        return stack.require_output(ref.value_from.output).apply(str)

    def resolve_optional(self, ref: StringValueOrRef | None) -> pulumi.Input[str] | None:
        return None if ref is None else self.resolve(ref)

    def resolve_all(self, refs: list[StringValueOrRef]) -> list[pulumi.Input[str]]:
        return [self.resolve(ref) for ref in refs]

    def _stack(self, stack_name: str) -> pulumi.StackReference:
        if stack_name not in self._stacks:
            slug = re.sub(r"[^A-Za-z0-9_-]+", "-", stack_name)
            self._stacks[stack_name] = pulumi.StackReference(
                f"{self._name}-{slug}",
                stack_name=stack_name,
                opts=pulumi.ResourceOptions(parent=self._parent),
            )
        return self._stacks[stack_name]
