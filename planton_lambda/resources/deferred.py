"""Rules on values that are Outputs in Python (taken from other resources): checked on resolve.

A known value is checked with the spec, before anything is registered. An Output is only known
during the deployment, so its rule runs when it resolves, and a broken rule fails the
deployment with the same `field.path: message` a known value would have got.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pulumi

from planton_lambda.errors import SpecError, field_path
from planton_lambda.spec.function import (
    MAX_ENVIRONMENT_BYTES,
    env_text,
    environment_bytes,
    tag_problems,
)


def _fail(path: tuple[str | int, ...], message: str) -> None:
    raise SpecError([f"{field_path(path)}: {message}"])


def _expect_text(path: tuple[str | int, ...], value: Any) -> str:
    if not isinstance(value, str):
        _fail(path, "must be a string")
    return str(value)


# Off while an offline plan runs: its mocks answer with readable placeholders such as
# `arn:aws:lambda:<region>:<account>:layer:x:(new version)`, which are no real values.
_CHECKING: contextvars.ContextVar[bool] = contextvars.ContextVar("checking", default=True)


@contextmanager
def placeholders_unchecked() -> Iterator[None]:
    """Leave Outputs unchecked for the duration (registrations made inside it)."""
    token = _CHECKING.set(False)
    try:
        yield
    finally:
        _CHECKING.reset(token)


def checked(
    value: pulumi.Input[str] | None,
    path: tuple[str | int, ...],
    check: Callable[[str], str | None] = lambda _: None,
) -> pulumi.Input[str] | None:
    """`value` itself when known (already checked); an Output that fails on a broken rule."""
    if not isinstance(value, pulumi.Output) or not _CHECKING.get():
        return value

    def verify(resolved: Any) -> str:
        text = _expect_text(path, resolved)
        problem = check(text)
        if problem:
            _fail(path, problem)
        return text

    return value.apply(verify)


def _input(value: Any) -> pulumi.Input[str]:
    """A plain or SecretStr value as its text; an Output as it is."""
    text = env_text(value)
    return text if text is not None else value


def environment_variables(
    plain: Mapping[str, Any], secret: Mapping[str, Any]
) -> dict[str, pulumi.Input[str]]:
    """The function's variables: each secret wrapped on its own (plain values stay readable
    in diffs), and Lambda's 4 KB limit applied to the values that are Outputs once known."""
    variables: dict[str, pulumi.Input[str]] = {}
    for key, value in plain.items():
        variables[key] = _input(value)
    for key, value in secret.items():
        variables[key] = pulumi.Output.secret(_input(value))
    # The values only known once deployed (Outputs given in Python).
    pending = [k for env in (plain, secret) for k, v in env.items() if env_text(v) is None]
    if not pending or not _CHECKING.get():
        return variables
    known = environment_bytes(plain, secret)  # keys, and the values already known

    def within_limit(values: list[Any]) -> bool:
        size = known + sum(len(_expect_text(("environment",), v).encode()) for v in values)
        if size > MAX_ENVIRONMENT_BYTES:
            _fail(
                ("environment",),
                f"keys and values of environment and secret_environment total {size} bytes; "
                f"Lambda allows {MAX_ENVIRONMENT_BYTES}",
            )
        return True

    # The check's result carries no secret, so no plain value becomes secret through it.
    outputs = [variables[key] for key in pending]
    gate = pulumi.Output.unsecret(pulumi.Output.all(*outputs).apply(within_limit))
    for key in pending:
        variables[key] = pulumi.Output.all(gate, variables[key]).apply(lambda both: both[1])
    return variables


def _required(value: pulumi.Input[str] | None) -> pulumi.Input[str]:
    assert value is not None  # a tag value is never None: the spec refuses it
    return value


def tags(values: Mapping[str, Any]) -> dict[str, pulumi.Input[str]] | None:
    """Tags, with the values that are Outputs checked against AWS's tag rules once known."""
    if not values:
        return None

    def rule(key: str) -> Callable[[str], str | None]:
        return lambda text: "; ".join(tag_problems({key: text})) or None

    return {
        key: _required(checked(value, ("tags", key), rule(key))) for key, value in values.items()
    }
