"""Shared fixtures: a minimal valid spec, and component runs under the mock engine."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from minimal_spec import BASE_SPEC

from planton_lambda.testing import LambdaMocks, MockRun, run_mocked

SpecFactory = Callable[..., dict[str, Any]]


@pytest.fixture
def make_spec() -> SpecFactory:
    """A valid S3 spec with the given fields added or replaced."""

    def make(**fields: Any) -> dict[str, Any]:
        spec = copy.deepcopy(BASE_SPEC)
        spec.update(fields)
        return spec

    return make


Deploy = Callable[..., MockRun[Any]]


@pytest.fixture
def deploy() -> Deploy:
    """Run one AwsLambda under the mock engine and return what it registered."""
    from planton_lambda import AwsLambda

    def run(spec: Any, name: str = "orders", **kwargs: Any) -> MockRun[Any]:
        stack_outputs = kwargs.pop("stack_outputs", {})
        mocks = kwargs.pop("mocks", None) or LambdaMocks(stack_outputs=stack_outputs)
        return run_mocked(lambda: AwsLambda(name, spec, **kwargs), mocks=mocks)

    return run
