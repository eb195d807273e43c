"""The component as a Pulumi package: its schema, and construct as other languages call it.

No Pulumi CLI here: the schema comes from the provider the plugin serves, and `construct` runs
under the mock engine with inputs decoded the way the provider's gRPC server decodes them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import struct_pb2
from package_schema import fresh_schema
from pulumi.errors import InputPropertiesError
from pulumi.provider.server import ProviderServicer

from planton_lambda.resources.component import AwsLambda
from planton_lambda.resources.provider import TYPE_TOKEN, make_provider
from planton_lambda.testing import run_mocked

SNAPSHOT = Path(__file__).parent / "schema" / "planton-lambda.json"
FUNCTION = "aws:lambda/function:Function"
CONCURRENCY = "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig"
SIG = "4dabf18193072939515e22adb298388d"
OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
TABLE_URN = "urn:pulumi:dev::orders::aws:dynamodb/table:Table::orders"


def current_schema() -> dict[str, Any]:
    return fresh_schema()


# -- schema ----------------------------------------------------------------------------------


def test_schema_matches_the_snapshot() -> None:
    generated = current_schema()
    if os.environ.get("UPDATE_SCHEMA_SNAPSHOT"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(generated, indent=2, sort_keys=True) + "\n")
    assert SNAPSHOT.exists(), "no snapshot: run with UPDATE_SCHEMA_SNAPSHOT=1"
    assert generated == json.loads(SNAPSHOT.read_text()), (
        "the schema changed: review it, then refresh with UPDATE_SCHEMA_SNAPSHOT=1 pytest "
        "tests/test_provider.py"
    )


def all_properties(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any], bool]]:
    """(path, property, required) for every property of the component and its types."""
    found = []
    resource = doc["resources"][TYPE_TOKEN]
    owners = [
        (f"{TYPE_TOKEN}.inputs", resource["inputProperties"], resource["requiredInputs"]),
        (f"{TYPE_TOKEN}.outputs", resource["properties"], resource["required"]),
        *(
            (token, t.get("properties", {}), t.get("required", []))
            for token, t in doc["types"].items()
        ),
    ]
    for owner, props, required in owners:
        for name, prop in props.items():
            found.append((f"{owner}.{name}", prop, name in required))
    return found


def test_every_property_and_type_is_described() -> None:
    doc = current_schema()
    assert doc["resources"][TYPE_TOKEN]["description"].startswith("One AWS Lambda function")
    missing = [path for path, prop, _ in all_properties(doc) if not prop.get("description")]
    assert not missing
    for token, type_ in doc["types"].items():
        assert type_.get("description"), token
        for value in type_.get("enum", []):
            assert value.get("description"), f"{token}.{value['name']}"
    # docstring indentation is not carried into descriptions
    assert not [p for p, prop, _ in all_properties(doc) if "\n " in prop["description"]]


def test_optional_inputs_state_their_default() -> None:
    doc = current_schema()
    undocumented = [
        path
        for path, prop, required in all_properties(doc)
        if ".outputs." not in path
        and not required
        and "default" not in prop["description"]
        and "required" not in prop["description"]  # conditional: `required iff ...`
    ]
    assert not undocumented


def test_schema_shape() -> None:
    doc = current_schema()
    assert doc["name"] == "planton-lambda"
    resource = doc["resources"][TYPE_TOKEN]
    assert resource["isComponent"] is True
    assert sorted(resource["requiredInputs"]) == ["codeSourceType", "functionName"]
    inputs = resource["inputProperties"]
    assert inputs["memoryMb"]["type"] == "integer" and inputs["memoryMb"]["plain"] is True
    # values that may come from other resources are inputs (not plain)
    assert "plain" not in inputs["roleArn"]
    assert "plain" not in inputs["environment"]["additionalProperties"]
    assert "plain" not in inputs["subnets"]["items"]
    assert inputs["architecture"]["$ref"] == "#/types/planton-lambda:index:Architecture"
    enum_values = [v["value"] for v in doc["types"]["planton-lambda:index:TracingMode"]["enum"]]
    assert enum_values == ["PassThrough", "Active"]
    outputs = set(resource["properties"])
    assert outputs == {
        "functionArn", "functionName", "invokeArn", "qualifiedArn", "version", "roleArn",
        "logGroupName", "layerArns", "aliasArns", "functionUrl",
    }  # fmt: skip
    assert "functionUrl" not in resource["required"]
    component_outputs = {
        "".join(w.capitalize() if i else w for i, w in enumerate(k.split("_")))
        for k in AwsLambda.__annotations__
    }
    assert outputs == component_outputs


# -- construct, with inputs as they arrive over the wire -------------------------------------


def output_value(value: Any, *, secret: bool = False, deps: tuple[str, ...] = ()) -> Any:
    """An Output as a caller in another language sends it (the engine's output value)."""
    wired: dict[str, Any] = {SIG: OUTPUT_VALUE_SIG, "value": value}
    if secret:
        wired["secret"] = True
    if deps:
        wired["dependencies"] = list(deps)
    return wired


def wire(inputs: dict[str, Any]) -> dict[str, Any]:
    """What the provider's Construct receives: a protobuf Struct (every number a double),
    decoded by the SDK's own server code."""
    struct = struct_pb2.Struct()
    struct.update(inputs)
    decoding = ProviderServicer._construct_inputs(struct, {})
    try:
        decoding.send(None)
    except StopIteration as done:
        return dict(done.value)
    raise AssertionError("decoding the inputs waited on something")


def wire_spec(**fields: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "functionName": "orders-api",
        "codeSourceType": "CODE_SOURCE_TYPE_S3",
        "s3": {"bucket": "code-bucket", "key": "orders/v1.zip"},
        "runtime": "python3.13",
        "handler": "app.handler",
    }
    spec.update(fields)
    return spec


def construct(inputs: dict[str, Any]) -> Any:
    provider = make_provider("0.0.0")
    return run_mocked(lambda: provider.construct("orders", TYPE_TOKEN, wire(inputs), None))


def plain(value: Any) -> Any:
    """A recorded input's value, whether or not the record still wraps secrets."""
    if isinstance(value, dict) and value.get(SIG) == SECRET_SIG:
        return value["value"]
    return value


def test_construct_with_wire_shaped_inputs() -> None:
    inputs = wire_spec(
        memoryMb=512,  # arrives as 512.0
        timeoutSeconds=30,
        logRetentionDays=30,
        architecture="ARM64",
        environment={"TABLE": output_value("orders", deps=(TABLE_URN,)), "STAGE": "prod"},
        secretEnvironment={"DB_PASSWORD": output_value("hunter2", secret=True)},
        tags={"team": output_value("payments")},
        aliases=[{"name": "live", "provisionedConcurrency": 2}],
        role={
            "policyStatements": [
                {
                    "Effect": "Allow",
                    "Action": ["dynamodb:GetItem"],
                    "Resource": [output_value("arn:aws:dynamodb:us-east-1:1:table/orders")],
                }
            ]
        },
    )
    decoded = wire(inputs)
    assert decoded["memoryMb"] == 512.0 and isinstance(decoded["memoryMb"], float)

    run = construct(inputs)
    component = run.one(TYPE_TOKEN)
    assert component.name == "orders"
    fn = run.one(FUNCTION)
    assert fn.inputs["memorySize"] == 512
    assert fn.inputs["timeout"] == 30
    assert fn.inputs["architectures"] == ["arm64"]
    variables = fn.inputs["environment"]["variables"]
    assert plain(variables["TABLE"]) == "orders"
    assert plain(variables["STAGE"]) == "prod"
    secret = variables["DB_PASSWORD"]
    assert plain(secret) == "hunter2"
    if isinstance(secret, dict):  # the engine's wrapper: it must still say "secret"
        assert secret[SIG] == SECRET_SIG
    assert fn.inputs["tags"] == {"team": "payments"}
    assert run.one(CONCURRENCY).inputs["provisionedConcurrentExecutions"] == 2
    policy = run.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"]
    assert "arn:aws:dynamodb:us-east-1:1:table/orders" in policy
    assert f"{TYPE_TOKEN}${FUNCTION}::orders" in fn.urn


def construct_error(inputs: dict[str, Any]) -> tuple[InputPropertiesError, int]:
    provider = make_provider("0.0.0")

    def program() -> InputPropertiesError:
        with pytest.raises(InputPropertiesError) as caught:
            provider.construct("orders", TYPE_TOKEN, wire(inputs), None)
        return caught.value

    run = run_mocked(program)
    return run.result, len(run.resources)


def reasons(error: InputPropertiesError) -> dict[str, str]:
    return {e["property_path"]: e["reason"] for e in error.errors or []}


def test_spec_errors_come_back_per_property_in_schema_spelling() -> None:
    error, registered = construct_error(
        wire_spec(memoryMb=100, aliases=[{"name": "live", "provisionedConcurrency": 1.5}])
    )
    assert registered == 0
    found = reasons(error)
    assert set(found) == {"memoryMb", "aliases[0].provisionedConcurrency"}
    assert "128" in found["memoryMb"]
    assert found["aliases[0].provisionedConcurrency"] == "must be a whole number, got 1.5"


def test_whole_objects_and_integers_that_are_outputs_are_refused() -> None:
    secret_role = output_value({"permissionsBoundaryArn": "arn:aws:iam::aws:policy/B"}, secret=True)
    error, registered = construct_error(
        wire_spec(
            role=secret_role,
            memoryMb=output_value(512),
            architecture=output_value("ARM64"),
            aliases=[output_value({"name": "live"})],
            functionUrl={"authType": "AWS_IAM", "cors": output_value({"maxAge": 10})},
        )
    )
    assert registered == 0
    found = reasons(error)
    assert set(found) == {
        "role", "memoryMb", "architecture", "aliases[0]", "functionUrl.cors",
    }  # fmt: skip
    assert "where an object is expected" in found["role"]
    assert "where an integer is expected" in found["memoryMb"]
    assert "arn:aws:iam::aws:policy/B" not in str(error) + str(found)


def test_secret_where_a_plain_string_is_needed_is_refused_without_echo() -> None:
    error, registered = construct_error(
        wire_spec(handler=output_value("app.secret_handler", secret=True))
    )
    assert registered == 0
    assert "must be known before deployment" in reasons(error)["handler"]
    assert "secret_handler" not in str(error)
