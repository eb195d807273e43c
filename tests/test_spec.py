"""AwsLambdaSpec and AliasSpec rules: each one refused and accepted, with a useful message."""

from __future__ import annotations

import copy
import os
import warnings
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pydantic import ValidationError

from planton_lambda import (
    AliasSpec,
    AwsLambdaSpec,
    DeprecatedRuntimeWarning,
    SpecError,
    load_manifest,
    validate_spec,
)
from planton_lambda.spec import runtimes as runtime_table
from planton_lambda.spec.function import LOG_RETENTION_DAYS
from planton_lambda.spec.refs import StringValueOrRef

S3 = "CODE_SOURCE_TYPE_S3"
IMAGE = "CODE_SOURCE_TYPE_IMAGE"
LOCAL = "CODE_SOURCE_TYPE_LOCAL"
IMAGE_URI = "123456789012.dkr.ecr.us-east-1.amazonaws.com/analytics-job:2025-11-01"
ROLE_ARN = "arn:aws:iam::123456789012:role/lambda-api-role"
LAYER_ARN = "arn:aws:lambda:us-east-1:123456789012:layer:deps:3"
SECRET = "s3cr3t-Value-9f8e7d"

_BASE: dict[str, Any] = {
    "function_name": "orders-api",
    "code_source_type": S3,
    "s3": {"bucket": "code-bucket", "key": "orders/v1.zip"},
    "runtime": "python3.13",
    "handler": "app.handler",
}
_SOURCES: dict[str, dict[str, Any]] = {
    S3: {"s3": {"bucket": "code-bucket", "key": "orders/v1.zip"}},
    IMAGE: {"image_uri": IMAGE_URI},
    LOCAL: {"local": {"path": "src"}},
}


def spec(**fields: Any) -> dict[str, Any]:
    """A valid S3 spec with `fields` replacing its own; a value of None removes the field."""
    data = copy.deepcopy(_BASE)
    data.update(copy.deepcopy(fields))
    return {key: value for key, value in data.items() if value is not None}


def image_spec(**fields: Any) -> dict[str, Any]:
    image: dict[str, Any] = {
        "code_source_type": IMAGE,
        "s3": None,
        "runtime": None,
        "handler": None,
        "image_uri": IMAGE_URI,
    }
    return spec(**{**image, **fields})


def problems(data: Any) -> list[str]:
    """The error lines a spec produces; fails the test when the spec is valid."""
    with pytest.raises(SpecError) as caught:
        validate_spec(data)
    assert str(caught.value).splitlines()[1:] == [f"  {p}" for p in caught.value.problems]
    return caught.value.problems


def refused(data: Any, path: str, *fragments: str) -> str:
    """Assert that one error line is at `path` and holds every fragment; return it."""
    lines = problems(data)
    at_path = [line for line in lines if line.startswith(f"{path}: ")]
    assert at_path, f"no error at {path!r} in {lines}"
    for line in at_path:
        if all(fragment in line for fragment in fragments):
            return line
    raise AssertionError(f"no error at {path} mentions {fragments}: {at_path}")


def accepted(data: Any) -> AwsLambdaSpec:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecatedRuntimeWarning)
        return validate_spec(data)


def alias(**fields: Any) -> dict[str, Any]:
    return {"name": "live", **fields}


# --- function_name, description -------------------------------------------------------


@pytest.mark.parametrize("name", ["a", "orders-api", "A_b-9", "x" * 64])
def test_function_name_accepted(name: str) -> None:
    assert accepted(spec(function_name=name)).function_name == name


@pytest.mark.parametrize("name", ["", "x" * 65, "orders api", "orders.api", "ordérs", "a/b"])
def test_function_name_refused(name: str) -> None:
    line = refused(spec(function_name=name), "function_name")
    assert line == "function_name: must be 1-64 of [A-Za-z0-9_-]"


def test_function_name_required() -> None:
    assert refused(spec(function_name=None), "function_name") == "function_name: required"


def test_description_length() -> None:
    assert accepted(spec(description="d" * 256)).description == "d" * 256
    refused(spec(description="d" * 257), "description", "at most 256 characters")


# --- code source ----------------------------------------------------------------------


@pytest.mark.parametrize("source", [S3, IMAGE, LOCAL])
def test_each_code_source_with_its_own_field(source: str) -> None:
    fields: dict[str, Any] = {"code_source_type": source, "s3": None, **_SOURCES[source]}
    if source == IMAGE:
        fields.update(runtime=None, handler=None)
    parsed = accepted(spec(**fields))
    assert parsed.code_source_type == source
    assert parsed.is_image == (source == IMAGE)


@pytest.mark.parametrize(("source", "field"), [(S3, "s3"), (IMAGE, "image_uri"), (LOCAL, "local")])
def test_code_source_field_required(source: str, field: str) -> None:
    fields: dict[str, Any] = {"code_source_type": source, "s3": None}
    if source == IMAGE:
        fields.update(runtime=None, handler=None)
    refused(spec(**fields), field, f"required when code_source_type is {source}")


@pytest.mark.parametrize(
    ("source", "extra", "kind"),
    [
        (S3, "image_uri", IMAGE),
        (S3, "local", LOCAL),
        (IMAGE, "s3", S3),
        (IMAGE, "local", LOCAL),
        (LOCAL, "s3", S3),
        (LOCAL, "image_uri", IMAGE),
    ],
)
def test_code_source_field_of_another_type_refused(source: str, extra: str, kind: str) -> None:
    fields: dict[str, Any] = {"code_source_type": source, "s3": None, **_SOURCES[source]}
    fields.update(_SOURCES[kind])
    if source == IMAGE:
        fields.update(runtime=None, handler=None)
    refused(spec(**fields), extra, f"only allowed when code_source_type is {kind}")


def test_code_source_type_enum_and_required() -> None:
    refused(
        spec(code_source_type="ZIP"),
        "code_source_type",
        "CODE_SOURCE_TYPE_S3",
        "CODE_SOURCE_TYPE_IMAGE",
        "CODE_SOURCE_TYPE_LOCAL",
    )
    # Without code_source_type, one code source names it (Planton's newest spec has no such
    # field); with none given it is required.
    assert accepted(spec(code_source_type=None)).code_source_type == "CODE_SOURCE_TYPE_S3"
    assert (
        refused(spec(code_source_type=None, s3=None), "code_source_type")
        == "code_source_type: required"
    )


def test_image_uri_must_be_ecr() -> None:
    refused(image_spec(image_uri="docker.io/library/python:3.13"), "image_uri", "ECR image URI")
    digest = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:" + "a" * 64
    assert accepted(image_spec(image_uri=digest)).image_uri == digest


# --- runtime, handler, image_config ---------------------------------------------------


@pytest.mark.parametrize("source", [S3, LOCAL])
@pytest.mark.parametrize("field", ["runtime", "handler"])
def test_runtime_and_handler_required_for_zip(source: str, field: str) -> None:
    data = spec(**{"s3": None, **_SOURCES[source], "code_source_type": source})
    data.pop(field)
    refused(data, field, f"required for {source}")


@pytest.mark.parametrize("field", ["runtime", "handler"])
def test_runtime_and_handler_forbidden_for_image(field: str) -> None:
    value = "python3.13" if field == "runtime" else "app.handler"
    refused(image_spec(**{field: value}), field, "not allowed for CODE_SOURCE_TYPE_IMAGE")


def test_handler_without_spaces() -> None:
    refused(spec(handler="app handler"), "handler", "without spaces")
    refused(spec(handler="h" * 129), "handler", "1-128 characters")
    assert accepted(spec(handler="h" * 128)).handler == "h" * 128


def test_image_config_only_for_images() -> None:
    config = {"command": ["app.handler"], "entry_point": ["/lambda-entrypoint.sh"]}
    refused(spec(image_config=config), "image_config", "only allowed for CODE_SOURCE_TYPE_IMAGE")
    parsed = accepted(image_spec(image_config=config))
    assert parsed.image_config is not None
    assert parsed.image_config.command == ["app.handler"]


def test_unknown_runtime_names_the_supported_set() -> None:
    line = refused(spec(runtime="python2.7"), "runtime", "unknown Lambda runtime 'python2.7'")
    supported = line.split("supported: ", 1)[1].split(", ")
    assert supported == runtime_table.supported_identifiers()
    assert {"python3.13", "nodejs22.x", "java21", "dotnet8", "ruby3.4", "provided.al2023"} <= set(
        supported
    )


def test_deprecated_runtime_warns_with_date_and_successor() -> None:
    with pytest.warns(DeprecatedRuntimeWarning) as caught:
        parsed = validate_spec(spec(runtime="nodejs18.x", handler="index.handler"))
    assert parsed.runtime == "nodejs18.x"
    message = str(caught[0].message)
    assert "nodejs18.x" in message
    assert "2025-09-01" in message
    assert "nodejs24.x" in message


@pytest.mark.parametrize("runtime", ["python3.14", "nodejs24.x", "java25"])
def test_current_runtime_does_not_warn(runtime: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert validate_spec(spec(runtime=runtime)).runtime == runtime


def test_runtime_deprecation_dates() -> None:
    import datetime as dt

    nodejs18 = runtime_table.lookup("nodejs18.x")
    assert nodejs18 is not None
    assert not nodejs18.is_deprecated(dt.date(2025, 8, 31))
    assert nodejs18.is_deprecated(dt.date(2025, 9, 1))
    assert runtime_table.lookup("python2.7") is None


def test_layer_compatible_runtimes_are_checked() -> None:
    layer = {
        "name": "deps",
        "code_source_type": S3,
        "s3": {"bucket": "bkt", "key": "k.zip"},
        "compatible_runtimes": ["python3.13", "cobol"],
    }
    refused(spec(layers=[layer]), "layers[0].compatible_runtimes[1]", "unknown Lambda runtime")


# --- sizes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "low", "high"),
    [("memory_mb", 128, 10240), ("timeout_seconds", 1, 900), ("ephemeral_storage_mb", 512, 10240)],
)
def test_numeric_bounds(field: str, low: int, high: int) -> None:
    assert getattr(accepted(spec(**{field: low})), field) == low
    assert getattr(accepted(spec(**{field: high})), field) == high
    for value in (low - 1, high + 1):
        line = refused(spec(**{field: value}), field)
        assert line == f"{field}: must be from {low} to {high}"


def test_numeric_defaults() -> None:
    parsed = accepted(spec())
    assert (parsed.memory_mb, parsed.timeout_seconds, parsed.ephemeral_storage_mb) == (128, 3, 512)
    assert parsed.architecture == "X86_64"
    assert parsed.tracing == "PassThrough"
    assert parsed.log_format == "Text"
    assert parsed.log_retention_days == 14


def test_whole_numbers_only() -> None:
    refused(spec(memory_mb=256.5), "memory_mb", "whole number")
    refused(spec(timeout_seconds="soon"), "timeout_seconds", "whole number")


def test_architecture_enum() -> None:
    assert accepted(spec(architecture="ARM64")).architecture == "ARM64"
    assert accepted(spec(architecture="arm64")).architecture == "ARM64"  # Planton's spelling
    refused(spec(architecture="Arm64"), "architecture", "'X86_64' or 'ARM64'")


# --- role -----------------------------------------------------------------------------


def test_role_and_role_arn_are_exclusive() -> None:
    role = {"managed_policy_arns": ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]}
    refused(spec(role=role, role_arn=ROLE_ARN), "role", "role_arn", "not both")
    assert accepted(spec(role=role)).role is not None
    assert accepted(spec(role_arn=ROLE_ARN)).role_arn is not None


def test_role_options_are_checked() -> None:
    refused(
        spec(role={"managed_policy_arns": ["AmazonS3ReadOnlyAccess"]}),
        "role.managed_policy_arns[0]",
        "must be an IAM policy ARN",
    )
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    parsed = accepted(spec(role={"policy_statements": [statement]}))
    assert parsed.role is not None
    assert parsed.role.policy_statements[0].document() == statement
    refused(
        spec(role={"policy_statements": [{**statement, "Effect": "Maybe"}]}),
        "role.policy_statements[0].Effect",
        "'Allow' or 'Deny'",
    )
    refused(
        spec(role={"policy_statements": [{**statement, "Action": "get everything"}]}),
        "role.policy_statements[0].Action",
        "IAM actions",
    )


# --- environment ----------------------------------------------------------------------


@pytest.mark.parametrize("field", ["environment", "secret_environment"])
@pytest.mark.parametrize("key", ["A", "1AB", "A-B", "A B", "_X"])
def test_environment_key_pattern_refused(field: str, key: str) -> None:
    refused(spec(**{field: {key: "v"}}), field, f"invalid keys [{key!r}]", "at least 2 characters")


@pytest.mark.parametrize("key", ["AB", "STAGE", "table_name", "X1", "AWS_LAMBDA_EXEC_WRAPPER"])
def test_environment_key_accepted(key: str) -> None:
    assert accepted(spec(environment={key: "v"})).environment == {key: "v"}


@pytest.mark.parametrize("field", ["environment", "secret_environment"])
@pytest.mark.parametrize(
    "key", ["AWS_REGION", "AWS_LAMBDA_FUNCTION_NAME", "AWS_ACCESS_KEY_ID", "LAMBDA_TASK_ROOT"]
)
def test_reserved_environment_keys_refused(field: str, key: str) -> None:
    refused(
        spec(**{field: {key: "v"}}),
        field,
        f"[{key!r}]",
        "reserved by the Lambda runtime",
        "AWS_LAMBDA_*",
        "except AWS_LAMBDA_DOTNET_PREJIT, AWS_LAMBDA_EXEC_WRAPPER",
    )


def test_environment_size_edge() -> None:
    # Keys and values of both maps count: 2 + 2046 + 2 + 2046 = 4096 bytes.
    fits = spec(environment={"AA": "x" * 2046}, secret_environment={"BB": "y" * 2046})
    assert accepted(fits).secret_environment["BB"].get_secret_value() == "y" * 2046
    too_big = spec(environment={"AA": "x" * 2046}, secret_environment={"BB": "y" * 2047})
    refused(too_big, "environment", "total 4097 bytes", "Lambda allows 4096")


def test_environment_size_counts_utf8_bytes() -> None:
    assert accepted(spec(environment={"AB": "é" * 2047})).environment  # 2 + 4094 bytes
    refused(spec(environment={"AB": "é" * 2048}), "environment", "total 4098 bytes")


def test_key_in_environment_and_secret_environment_refused() -> None:
    data = spec(environment={"DB_PASSWORD": "x"}, secret_environment={"DB_PASSWORD": SECRET})
    line = refused(data, "secret_environment", "['DB_PASSWORD']", "also in environment")
    assert SECRET not in line


def test_environment_values_must_be_strings() -> None:
    refused(spec(environment={"PORT": 5432}), "environment.PORT", "must be a string")
    refused(spec(environment=["STAGE=prod"]), "environment", "must be a mapping")


def _secret_leaking_specs() -> list[dict[str, Any]]:
    return [
        spec(secret_environment={"A": SECRET}),  # bad key
        spec(secret_environment={"AWS_REGION": SECRET}),  # reserved key
        spec(secret_environment={"BIG": SECRET * 400}),  # over 4 KB
        spec(environment={"DUP": "x"}, secret_environment={"DUP": SECRET}),  # in both
        spec(secret_environment=[SECRET]),  # not a mapping
        spec(secret_environment=SECRET),  # not a mapping
        spec(secret_environment={"KEY": [SECRET]}),  # value not a string
        spec(secret_environment={"KEY": SECRET, "X": 1}, memory_mb=1, function_name="bad name"),
        spec(secret_environment={"KEY": SECRET}, bogus=SECRET),  # the secret in an unknown field
        spec(secret_environment={"KEY": SECRET}, role_arn=SECRET, function_name=SECRET),
    ]


@pytest.mark.parametrize("data", _secret_leaking_specs())
def test_secret_values_never_in_messages(data: dict[str, Any]) -> None:
    with pytest.raises(SpecError) as caught:
        validate_spec(data)
    assert SECRET not in str(caught.value)
    assert all(SECRET not in line for line in caught.value.problems)
    with pytest.raises(ValidationError) as raw:
        AwsLambdaSpec.model_validate(data)
    assert SECRET not in str(raw.value)
    assert SECRET not in repr(raw.value)


def test_secret_values_never_in_manifest_errors(tmp_path: Path) -> None:
    manifest = tmp_path / "lambda.yaml"
    manifest.write_text(
        "function_name: orders\ncode_source_type: CODE_SOURCE_TYPE_S3\n"
        "s3: {bucket: code-bucket, key: k.zip}\nruntime: python3.13\nhandler: app.handler\n"
        f"secret_environment: {{X: {SECRET}, AWS_REGION: {SECRET}}}\n"
    )
    with pytest.raises(SpecError) as caught:
        load_manifest(manifest)
    assert SECRET not in str(caught.value)
    assert str(manifest) in str(caught.value)


# --- network, concurrency, layers ----------------------------------------------------


def test_subnets_and_security_groups_go_together() -> None:
    refused(spec(subnets=["subnet-abc123"]), "security_groups", "give both")
    refused(spec(security_groups=["sg-xyz789"]), "subnets", "give both")
    parsed = accepted(spec(subnets=["subnet-abc123"], security_groups=["sg-xyz789"]))
    assert [ref.literal for ref in parsed.subnets] == ["subnet-abc123"]
    assert accepted(spec()).subnets == []


@pytest.mark.parametrize(("given", "expected"), [(-1, None), (0, 0), (50, 50), (None, None)])
def test_reserved_concurrency_accepted(given: int | None, expected: int | None) -> None:
    assert accepted(spec(reserved_concurrency=given)).reserved_concurrency == expected


def test_reserved_concurrency_below_minus_one_refused() -> None:
    refused(spec(reserved_concurrency=-2), "reserved_concurrency", "must be at least 0")


def _layer(name: str, **fields: Any) -> dict[str, Any]:
    return {
        "name": name,
        "code_source_type": S3,
        "s3": {"bucket": "bkt", "key": f"{name}.zip"},
        **fields,
    }


def test_at_most_five_layers() -> None:
    arns = [LAYER_ARN.replace("deps", f"l{i}") for i in range(3)]
    assert len(accepted(spec(layer_arns=arns, layers=[_layer("a"), _layer("b")])).layers) == 2
    refused(
        spec(layer_arns=arns, layers=[_layer("a"), _layer("b"), _layer("c")]),
        "layers",
        "6 layers",
        "at most 5",
    )
    refused(spec(layer_arns=[LAYER_ARN] * 6), "layers", "6 layers", "at most 5")


@pytest.mark.parametrize(
    ("field", "value"), [("layers", [_layer("deps")]), ("layer_arns", [LAYER_ARN])]
)
def test_layers_refused_for_images(field: str, value: list[Any]) -> None:
    refused(image_spec(**{field: value}), field, "container image functions cannot use layers")


def test_duplicate_layer_names_refused() -> None:
    refused(
        spec(layers=[_layer("deps"), _layer("tools"), _layer("deps")]),
        "layers[2].name",
        "duplicate layer name 'deps'",
    )


def test_layer_spec_rules() -> None:
    refused(spec(layers=[_layer("bad name")]), "layers[0].name", "must be 1-140 of [A-Za-z0-9_-]")
    refused(
        spec(layers=[_layer("deps", s3=None)]),
        "layers[0].s3",
        "required when code_source_type is CODE_SOURCE_TYPE_S3",
    )
    refused(
        spec(layers=[_layer("deps", code_source_type=IMAGE)]),
        "layers[0].code_source_type",
        "'CODE_SOURCE_TYPE_S3' or 'CODE_SOURCE_TYPE_LOCAL'",
    )
    refused(
        spec(layers=[_layer("deps", local={"path": "layer"})]),
        "layers[0].local",
        "only allowed when code_source_type is CODE_SOURCE_TYPE_LOCAL",
    )
    layer = accepted(spec(layers=[_layer("deps", compatible_architectures=["ARM64"])])).layers[0]
    assert layer.compatible_architectures == ["ARM64"]


# --- logs, tracing --------------------------------------------------------------------


@pytest.mark.parametrize("days", LOG_RETENTION_DAYS)
def test_log_retention_allowed_values(days: int) -> None:
    assert accepted(spec(log_retention_days=days)).log_retention_days == days


def test_log_retention_includes_never_expire_and_cloudwatch_values() -> None:
    assert {0, 1, 3, 5, 7, 14, 30, 365, 3653} <= set(LOG_RETENTION_DAYS)


@pytest.mark.parametrize("days", [2, -1, 10, 4000])
def test_log_retention_other_values_refused(days: int) -> None:
    refused(
        spec(log_retention_days=days),
        "log_retention_days",
        f"{days} is not a CloudWatch retention",
        "0, 1, 3, 5, 7, 14, 30",
    )


def test_log_format_and_tracing_enums() -> None:
    parsed = accepted(spec(log_format="JSON", tracing="Active"))
    assert (parsed.log_format, parsed.tracing) == ("JSON", "Active")
    refused(spec(log_format="json"), "log_format", "'Text' or 'JSON'")
    refused(spec(tracing="active"), "tracing", "'PassThrough' or 'Active'")


# --- publish and aliases --------------------------------------------------------------


def test_publish_defaults_to_whether_aliases_exist() -> None:
    assert accepted(spec()).publishes is False
    assert accepted(spec(aliases=[alias()])).publishes is True
    assert accepted(spec(publish=True)).publishes is True
    pinned = accepted(spec(publish=False, aliases=[alias(function_version="3")]))
    assert pinned.publishes is False


@pytest.mark.parametrize("name", ["live", "a" * 128, "1a", "prod_v2-blue", "A"])
def test_alias_names_accepted(name: str) -> None:
    assert accepted(spec(aliases=[alias(name=name)])).aliases[0].name == name


@pytest.mark.parametrize("name", ["123", "0", "a" * 129, "", "a.b", "live now"])
def test_alias_names_refused(name: str) -> None:
    refused(
        spec(aliases=[alias(name=name)]),
        "aliases[0].name",
        "1-128 of letters, digits, '-' and '_'",
        "not only digits",
    )


def test_duplicate_alias_names_refused() -> None:
    data = spec(aliases=[alias(), alias(name="beta"), alias(function_version="3")])
    refused(data, "aliases[2].name", "duplicate alias name 'live'")


@pytest.mark.parametrize("version", ["current", "$LATEST", "3", "42", 7])
def test_function_version_accepted(version: str | int) -> None:
    parsed = accepted(spec(aliases=[alias(function_version=version)]))
    assert parsed.aliases[0].function_version == str(version)


@pytest.mark.parametrize("version", ["v3", "0", "03", "latest", "", "-1", "3.0"])
def test_function_version_refused(version: str) -> None:
    refused(
        spec(aliases=[alias(function_version=version)]),
        "aliases[0].function_version",
        "is not a version",
        '"current"',
        '"$LATEST"',
        'a version number like "3"',
    )


def test_alias_function_version_defaults_to_current() -> None:
    assert AliasSpec(name="live").function_version == "current"


def test_canary_weights_accepted() -> None:
    canary = alias(function_version="3", additional_version_weights={"current": 0.1})
    parsed = accepted(spec(aliases=[canary]))
    assert parsed.aliases[0].additional_version_weights == {"current": 0.1}
    assert parsed.aliases[0].versions() == {"3", "current"}
    assert parsed.alias_named("live") is parsed.aliases[0]
    numbered = alias(function_version="current", additional_version_weights={4: 0.5})
    assert accepted(spec(aliases=[numbered])).aliases[0].additional_version_weights == {"4": 0.5}


def test_at_most_one_additional_version() -> None:
    weights = {"4": 0.1, "current": 0.1}
    refused(
        spec(aliases=[alias(function_version="3", additional_version_weights=weights)]),
        "aliases[0].additional_version_weights",
        "at most one additional version",
    )


@pytest.mark.parametrize("weight", [0, 1, 1.5, -0.1])
def test_weight_strictly_between_0_and_1(weight: float) -> None:
    data = spec(aliases=[alias(function_version="3", additional_version_weights={"4": weight})])
    refused(
        data,
        "aliases[0].additional_version_weights",
        "weight must be between 0 and 1 (exclusive); version 4 has",
    )


@pytest.mark.parametrize("weight", [0.01, 0.5, 0.99])
def test_weight_inside_bounds_accepted(weight: float) -> None:
    data = spec(aliases=[alias(function_version="3", additional_version_weights={"4": weight})])
    assert accepted(data).aliases[0].additional_version_weights == {"4": weight}


def test_weight_on_latest_refused() -> None:
    data = spec(aliases=[alias(function_version="3", additional_version_weights={"$LATEST": 0.2})])
    refused(
        data, "aliases[0].additional_version_weights", "$LATEST cannot receive weighted traffic"
    )


def test_weight_on_invalid_version_refused() -> None:
    data = spec(aliases=[alias(function_version="3", additional_version_weights={"v4": 0.2})])
    refused(data, "aliases[0].additional_version_weights", "'v4' is not a version")


@pytest.mark.parametrize("version", ["3", "current"])
def test_weight_on_the_function_version_refused(version: str) -> None:
    data = spec(
        aliases=[alias(function_version=version, additional_version_weights={version: 0.2})]
    )
    refused(
        data,
        "aliases[0].additional_version_weights",
        f"version {version} is already the alias's function_version",
    )


def test_latest_alias_cannot_split_traffic_or_provision() -> None:
    weighted = alias(function_version="$LATEST", additional_version_weights={"3": 0.2})
    refused(
        spec(aliases=[weighted]),
        "aliases[0].additional_version_weights",
        "an alias on $LATEST cannot split traffic",
    )
    provisioned = alias(function_version="$LATEST", provisioned_concurrency=2)
    refused(
        spec(aliases=[provisioned]),
        "aliases[0].provisioned_concurrency",
        "an alias on $LATEST cannot have provisioned concurrency",
    )
    assert accepted(spec(aliases=[alias(function_version="$LATEST")])).aliases[0].name == "live"


def test_provisioned_concurrency_with_weights_refused_with_hint() -> None:
    data = alias(
        function_version="3", additional_version_weights={"current": 0.1}, provisioned_concurrency=5
    )
    line = refused(spec(aliases=[data]), "aliases[0].provisioned_concurrency", "weighted alias")
    assert "unweighted alias" in line
    assert "promote" in line


def test_provisioned_concurrency_on_unweighted_alias() -> None:
    parsed = accepted(spec(aliases=[alias(provisioned_concurrency=5)]))
    assert parsed.aliases[0].provisioned_concurrency == 5
    refused(
        spec(aliases=[alias(provisioned_concurrency=0)]),
        "aliases[0].provisioned_concurrency",
        "must be at least 1",
    )


@pytest.mark.parametrize(
    "refers_to_current",
    [alias(), alias(function_version="3", additional_version_weights={"current": 0.1})],
)
def test_current_needs_publishing(refers_to_current: dict[str, Any]) -> None:
    refused(
        spec(publish=False, aliases=[refers_to_current]),
        "aliases[0]",
        "refers to 'current'",
        "publish is false",
        "set publish: true",
    )
    assert accepted(spec(aliases=[refers_to_current])).publishes


# --- function URL ---------------------------------------------------------------------


def test_function_url_auth_none_needs_public() -> None:
    refused(spec(function_url={"auth_type": "NONE"}), "function_url.public", "set public: true")
    parsed = accepted(spec(function_url={"auth_type": "NONE", "public": True}))
    assert parsed.function_url is not None
    assert parsed.function_url.public is True
    assert accepted(spec(function_url={"auth_type": "AWS_IAM"})).function_url is not None
    refused(
        spec(function_url={"auth_type": "AWS_IAM", "public": True}),
        "function_url.public",
        "auth_type NONE only",
    )
    refused(
        spec(function_url={"auth_type": "OPEN"}), "function_url.auth_type", "'AWS_IAM' or 'NONE'"
    )


def test_function_url_alias_must_exist() -> None:
    url = {"auth_type": "AWS_IAM", "alias": "beta"}
    refused(
        spec(function_url=url, aliases=[alias()]),
        "function_url.alias",
        "'beta' is not an alias of this spec",
        "aliases: live",
    )
    refused(spec(function_url=url), "function_url.alias", "aliases: none")
    parsed = accepted(spec(function_url=url, aliases=[alias(name="beta")]))
    assert parsed.function_url is not None
    assert parsed.function_url.alias == "beta"


def test_function_url_cors_methods() -> None:
    url = {"auth_type": "AWS_IAM", "cors": {"allow_methods": ["get", "POST"]}}
    parsed = accepted(spec(function_url=url))
    assert parsed.function_url is not None and parsed.function_url.cors is not None
    assert parsed.function_url.cors.allow_methods == ["GET", "POST"]
    url["cors"] = {"allow_methods": ["FETCH"]}
    refused(spec(function_url=url), "function_url.cors.allow_methods", "unknown methods")


# --- StringValueOrRef -----------------------------------------------------------------


@pytest.mark.parametrize(
    "given",
    [
        {"value": ROLE_ARN},
        ROLE_ARN,
        {"valueFrom": {"stack": "acme/iam/prod", "output": "roleArn"}},
        {"value_from": {"stack": "iam", "output": "roleArn"}},
    ],
)
def test_string_value_or_ref_forms(given: Any) -> None:
    ref = accepted(spec(role_arn=given)).role_arn
    assert ref is not None
    if isinstance(given, str) or "value" in given:
        assert (ref.value, ref.literal, ref.value_from) == (ROLE_ARN, ROLE_ARN, None)
    else:
        assert ref.value is None and ref.literal is None
        assert ref.value_from is not None
        assert ref.value_from.output == "roleArn"


def test_string_value_or_ref_accepts_an_output() -> None:
    output = pulumi.Output.from_input(ROLE_ARN)
    data = {
        **spec(security_groups=["sg-1"]),
        "role_arn": output,
        "subnets": [pulumi.Output.from_input("x")],
    }
    parsed = accepted(data)
    assert parsed.role_arn is not None
    assert parsed.role_arn.value is output
    assert parsed.role_arn.literal is None  # unknown before deployment: no shape check
    assert isinstance(StringValueOrRef.model_validate(output).value, pulumi.Output)


@pytest.mark.parametrize(
    "given", [{}, {"value": ROLE_ARN, "value_from": {"stack": "iam", "output": "roleArn"}}]
)
def test_string_value_or_ref_needs_exactly_one(given: dict[str, Any]) -> None:
    refused(spec(role_arn=given), "role_arn", "give exactly one of value or value_from")


def test_string_value_or_ref_shapes() -> None:
    refused(spec(role_arn=5), "role_arn", "must be a string, {value: ...} or value_from")
    refused(spec(role_arn={"value": 5}), "role_arn.value", "must be a string")
    refused(spec(role_arn={"value": " "}), "role_arn.value", "must not be empty")
    refused(
        spec(role_arn={"value_from": {"stack": "a b", "output": "x"}}),
        "role_arn.value_from.stack",
        "must be a stack name",
    )
    refused(
        spec(role_arn={"value_from": {"stack": "iam"}}), "role_arn.value_from.output", "required"
    )
    refused(spec(role_arn={"val": ROLE_ARN}), "role_arn.val", "allowed: value, value_from")


@pytest.mark.parametrize(
    ("field", "bad", "good", "what"),
    [
        ("role_arn", "lambda-role", ROLE_ARN, "an IAM role ARN"),
        (
            "kms_key_arn",
            "alias/mine",
            "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "a KMS key ARN",
        ),
        (
            "dead_letter_target_arn",
            "arn:aws:s3:::bucket",
            "arn:aws:sqs:us-east-1:123456789012:orders-dlq",
            "an SQS queue or SNS topic ARN",
        ),
    ],
)
def test_literal_arn_shapes(field: str, bad: str, good: str, what: str) -> None:
    refused(spec(**{field: {"value": bad}}), field, f"must be {what}")
    assert getattr(accepted(spec(**{field: {"value": good}})), field).literal == good
    from_stack = {"value_from": {"stack": "org/shared/prod", "output": "arn"}}
    assert getattr(accepted(spec(**{field: from_stack})), field).value_from is not None


def test_sns_dead_letter_target_accepted() -> None:
    arn = "arn:aws:sns:us-east-1:123456789012:failures"
    assert accepted(spec(dead_letter_target_arn=arn)).dead_letter_target_arn is not None


def test_literal_list_shapes() -> None:
    refused(spec(layer_arns=["deps:3"]), "layer_arns[0]", "must be a layer version ARN")
    refused(spec(layer_arns=[LAYER_ARN.removesuffix(":3")]), "layer_arns[0]", "layer version ARN")
    assert accepted(spec(layer_arns=[LAYER_ARN])).layer_arns[0].literal == LAYER_ARN
    vpc = spec(subnets=["subnet-abc123", "10.0.0.0/24"], security_groups=["sg-1", "default"])
    lines = problems(vpc)
    assert "subnets[1]: must be a subnet ID (subnet-...)" in lines
    assert "security_groups[1]: must be a security group ID (sg-...)" in lines
    assert len(lines) == 2


# --- spellings, unknown fields, error reporting --------------------------------------


def test_camel_case_spellings_accepted() -> None:
    camel = {
        "functionName": "orders-api",
        "codeSourceType": S3,
        "s3": {"bucket": "code-bucket", "key": "orders/v1.zip", "objectVersion": "v7"},
        "runtime": "python3.13",
        "handler": "app.handler",
        "memoryMb": 512,
        "timeoutSeconds": 30,
        "ephemeralStorageMb": 1024,
        "roleArn": {"valueFrom": {"stack": "acme/iam/prod", "output": "roleArn"}},
        "secretEnvironment": {"API_KEY": SECRET},
        "reservedConcurrency": -1,
        "layerArns": [LAYER_ARN],
        "logRetentionDays": 30,
        "logFormat": "JSON",
        "aliases": [
            {"name": "live", "functionVersion": "3", "additionalVersionWeights": {"current": 0.25}}
        ],
        "functionUrl": {"authType": "AWS_IAM", "alias": "live"},
    }
    snake = {
        "function_name": "orders-api",
        "code_source_type": S3,
        "s3": {"bucket": "code-bucket", "key": "orders/v1.zip", "object_version": "v7"},
        "runtime": "python3.13",
        "handler": "app.handler",
        "memory_mb": 512,
        "timeout_seconds": 30,
        "ephemeral_storage_mb": 1024,
        "role_arn": {"value_from": {"stack": "acme/iam/prod", "output": "roleArn"}},
        "secret_environment": {"API_KEY": SECRET},
        "reserved_concurrency": None,
        "layer_arns": [LAYER_ARN],
        "log_retention_days": 30,
        "log_format": "JSON",
        "aliases": [
            {
                "name": "live",
                "function_version": "3",
                "additional_version_weights": {"current": 0.25},
            }
        ],
        "function_url": {"auth_type": "AWS_IAM", "alias": "live"},
    }
    from_camel = accepted(camel)
    assert from_camel == accepted(snake)
    assert from_camel.memory_mb == 512
    assert from_camel.s3 is not None and from_camel.s3.object_version == "v7"


def test_same_field_in_both_spellings_refused() -> None:
    refused(
        spec(memoryMb=256, memory_mb=512), "memory_mb", "given twice, as memory_mb and memoryMb"
    )


def test_unknown_fields_refused_naming_allowed_fields() -> None:
    line = refused(spec(bogus=1), "bogus", "unknown field; allowed: ")
    assert line.split("allowed: ", 1)[1].split(", ") == list(AwsLambdaSpec.model_fields)
    refused(
        spec(s3={"bucket": "bkt", "key": "k", "acl": "private"}),
        "s3.acl",
        "allowed: bucket, key, object_version",
    )
    refused(
        spec(aliases=[alias(weights={"3": 0.1})]),
        "aliases[0].weights",
        "additional_version_weights",
        "provisioned_concurrency",
    )


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("memory_mbb", "memory_mb"),
        ("functionname", "function_name"),
        ("timeoutSecond", "timeout_seconds"),
    ],
)
def test_unknown_field_suggests_the_closest(typo: str, meant: str) -> None:
    refused(spec(**{typo: 1}), typo, f"did you mean {meant}?")


def test_field_errors_reported_together() -> None:
    data = spec(
        function_name="bad name",
        memory_mb=64,
        timeout_seconds=0,
        architecture="arm",
        log_retention_days=2,
        bogus=True,
    )
    lines = problems(data)
    assert [line.split(":", 1)[0] for line in lines] == [
        "function_name",
        "memory_mb",
        "timeout_seconds",
        "architecture",
        "log_retention_days",
        "bogus",
    ]
    with pytest.raises(SpecError, match=r"invalid spec \(6 errors\)"):
        validate_spec(data)


def test_rule_errors_reported_together() -> None:
    data = spec(
        handler=None,
        image_config={"command": ["x"]},
        subnets=["subnet-1"],
        aliases=[alias(), alias()],
        environment={"AB": "x"},
        secret_environment={"AB": "y"},
        function_url={"auth_type": "AWS_IAM", "alias": "nope"},
    )
    paths = {line.split(":", 1)[0] for line in problems(data)}
    assert paths == {
        "handler",
        "image_config",
        "security_groups",
        "aliases[1].name",
        "secret_environment",
        "function_url.alias",
    }


def test_alias_rules_reported_together_across_aliases() -> None:
    data = spec(
        aliases=[
            alias(name="1"),
            alias(name="b", function_version="v1"),
            alias(name="c", function_version="3", additional_version_weights={"4": 2.0}),
        ]
    )
    paths = [line.split(":", 1)[0] for line in problems(data)]
    assert paths == [
        "aliases[0].name",
        "aliases[1].function_version",
        "aliases[2].additional_version_weights",
    ]


def test_spec_must_be_a_mapping() -> None:
    assert problems(["not", "a", "spec"]) == ["spec: must be a mapping (key: value pairs)"]
    assert problems(None) == ["spec: must be a mapping (key: value pairs)"]


def test_validate_spec_passes_a_spec_through() -> None:
    parsed = accepted(spec())
    assert validate_spec(parsed) is parsed


def test_spec_error_is_a_value_error_with_source() -> None:
    with pytest.raises(ValueError, match=r"^lambda\.yaml: invalid spec \(1 error\)"):
        validate_spec(spec(memory_mb=1), source="lambda.yaml")


# --- local paths ----------------------------------------------------------------------


def _local_manifest(folder: Path, path: str) -> Path:
    manifest = folder / "lambda.yaml"
    manifest.write_text(
        "apiVersion: aws.project-planton.org/v1\nkind: AwsLambda\nmetadata: {name: local-fn}\n"
        "spec:\n  function_name: local-fn\n  code_source_type: CODE_SOURCE_TYPE_LOCAL\n"
        f"  local: {{path: {path}}}\n  runtime: python3.13\n  handler: app.handler\n"
        f"  layers:\n    - {{name: deps, code_source_type: CODE_SOURCE_TYPE_LOCAL,"
        f" local: {{path: ../layers/deps}}}}\n"
    )
    return manifest


def test_local_path_resolves_against_the_manifest_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "service"
    folder.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    parsed = load_manifest(_local_manifest(folder, "src"))
    base = folder.resolve()
    assert parsed.local is not None
    assert parsed.local.path == str(base / "src")
    assert parsed.layers[0].local is not None
    assert parsed.layers[0].local.path == str(tmp_path.resolve() / "layers" / "deps")


def test_local_path_in_code_resolves_against_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    data = spec(
        code_source_type=LOCAL, s3=None, local={"path": "./src/../src", "excludes": ["*.md"]}
    )
    parsed = accepted(data)
    assert parsed.local is not None
    assert parsed.local.path == os.path.normpath(Path.cwd() / "src")
    assert parsed.local.excludes == ["*.md"]
    absolute = accepted(spec(code_source_type=LOCAL, s3=None, local={"path": str(tmp_path)}))
    assert absolute.local is not None and absolute.local.path == str(tmp_path)


def test_local_path_with_explicit_base_dir(tmp_path: Path) -> None:
    data = spec(code_source_type=LOCAL, s3=None, local={"path": "fn"})
    parsed = validate_spec(data, base_dir=tmp_path)
    assert parsed.local is not None and parsed.local.path == str(tmp_path / "fn")
