"""Secret environment values never show: not in repr, str, dumps or errors, only in Pulumi."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from planton_lambda import AwsLambda, SpecError, validate_spec
from planton_lambda.testing import run_mocked

SECRET = "S3CR3T-value-91f2"
SPEC: dict[str, Any] = {
    "function_name": "orders-api",
    "code_source_type": "CODE_SOURCE_TYPE_S3",
    "s3": {"bucket": "code-bucket", "key": "orders/v1.zip"},
    "runtime": "python3.13",
    "handler": "app.handler",
    "environment": {"STAGE": "dev"},
    "secret_environment": {"API_TOKEN": SECRET},
}


def test_spec_never_shows_a_secret_value() -> None:
    spec = validate_spec(SPEC)
    shown = [
        repr(spec),
        str(spec),
        repr(spec.secret_environment),
        str(spec.model_dump()),
        json.dumps(spec.model_dump(mode="json")),
        spec.model_dump_json(),
        spec.model_dump_json(by_alias=True),
    ]
    for text in shown:
        assert SECRET not in text
    assert spec.model_dump(mode="json")["secret_environment"] == {"API_TOKEN": "**********"}
    # Plain values stay readable; the secret is still there for the component.
    assert "dev" in repr(spec)
    assert spec.secret_environment["API_TOKEN"].get_secret_value() == SECRET


def test_component_spec_attribute_masks_and_pulumi_gets_the_secret() -> None:
    run = run_mocked(lambda: AwsLambda("orders", SPEC))
    assert SECRET not in repr(run.result.spec)
    function = run.one("aws:lambda/function:Function")
    assert function.inputs["environment"]["variables"]["API_TOKEN"] == SECRET
    assert function.is_secret("environment.variables.API_TOKEN")
    assert not function.is_secret("environment.variables.STAGE")


def test_secret_is_not_echoed_by_any_spec_error() -> None:
    bad = {**SPEC, "environment": {"API_TOKEN": "x"}, "memory_mb": SECRET}
    with pytest.raises(SpecError) as caught:
        validate_spec(bad)
    assert SECRET not in str(caught.value)


def test_secret_given_as_an_output_stays_secret() -> None:
    def program() -> AwsLambda:
        token = pulumi.Output.from_input(SECRET)  # not marked secret by its producer
        return AwsLambda("orders", {**SPEC, "secret_environment": {"API_TOKEN": token}})

    function = run_mocked(program).one("aws:lambda/function:Function")
    assert function.is_secret("environment.variables.API_TOKEN")
