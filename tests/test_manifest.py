"""Reading manifests: Planton envelope or bare spec, from a file or text; one-line errors;
the shipped example manifests; the JSON Schema."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml

from planton_lambda import (
    AwsLambdaSpec,
    DeprecatedRuntimeWarning,
    ManifestError,
    SpecError,
    load_manifest,
    manifest_json_schema,
)

MANIFESTS = Path(__file__).resolve().parent.parent / "programs" / "manifests"
SHIPPED = ["hello-world-api", "image-processor", "analytics-job"]

SPEC_YAML = """\
function_name: orders-api
code_source_type: CODE_SOURCE_TYPE_S3
s3: {bucket: code-bucket, key: orders/v1.zip}
runtime: python3.13
handler: app.handler
memory_mb: 256
"""
MANIFEST_YAML = (
    "apiVersion: aws.project-planton.org/v1\nkind: AwsLambda\nmetadata:\n  name: orders\nspec:\n"
    + "".join(f"  {line}\n" for line in SPEC_YAML.splitlines())
)


def write(folder: Path, text: str, name: str = "lambda.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def manifest_error(source: Any) -> str:
    """The message of the ManifestError that loading `source` raises; always one line."""
    with pytest.raises(ManifestError) as caught:
        load_manifest(source)
    message = str(caught.value)
    assert "\n" not in message
    assert "Traceback" not in message
    return message


# --- what is accepted -----------------------------------------------------------------


@pytest.mark.parametrize("text", [MANIFEST_YAML, SPEC_YAML])
def test_manifest_and_bare_spec_from_text(text: str) -> None:
    parsed = load_manifest(text)
    assert isinstance(parsed, AwsLambdaSpec)
    assert (parsed.function_name, parsed.memory_mb) == ("orders-api", 256)


@pytest.mark.parametrize("text", [MANIFEST_YAML, SPEC_YAML])
def test_manifest_and_bare_spec_from_a_file(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    from_path = load_manifest(path)
    from_str = load_manifest(str(path))
    assert from_path == from_str
    assert from_path.function_name == "orders-api"


def test_manifest_from_text_equals_manifest_from_file(tmp_path: Path) -> None:
    assert load_manifest(write(tmp_path, MANIFEST_YAML)) == load_manifest(MANIFEST_YAML)


def test_json_text_is_yaml_too() -> None:
    data = yaml.safe_load(MANIFEST_YAML)
    assert load_manifest(json.dumps(data)).function_name == "orders-api"


def test_camel_case_manifest(tmp_path: Path) -> None:
    text = MANIFEST_YAML.replace("function_name", "functionName").replace("memory_mb", "memoryMb")
    text = text.replace("code_source_type", "codeSourceType") + "  reservedConcurrency: -1\n"
    parsed = load_manifest(write(tmp_path, text))
    assert parsed == load_manifest(MANIFEST_YAML)
    assert parsed.reserved_concurrency is None


def test_yaml_anchors_and_merge_keys(tmp_path: Path) -> None:
    text = (
        SPEC_YAML + "tags: &tags {team: orders}\nenvironment:\n  <<: {STAGE: dev}\n  STAGE: prod\n"
    )
    parsed = load_manifest(write(tmp_path, text))
    assert parsed.environment == {"STAGE": "prod"}
    assert parsed.tags == {"team": "orders"}


# --- what is refused, in one line naming the file ------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    assert manifest_error(missing) == f"{missing}: no such file"
    assert manifest_error(str(missing)) == f"{missing}: no such file"


def test_directory_is_not_a_manifest(tmp_path: Path) -> None:
    assert str(tmp_path) in manifest_error(tmp_path)


def test_bad_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, SPEC_YAML + "environment: {STAGE: prod\n")
    message = manifest_error(path)
    assert message.startswith(f"{path}: invalid YAML (line ")
    assert re.search(r"\(line 8, column \d+\)", message), message


def test_bad_yaml_in_text_names_the_line() -> None:
    message = manifest_error("function_name: a\n  bad: indentation: here\n")
    assert message.startswith("<text>: invalid YAML (line 2")


def test_duplicate_key_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, SPEC_YAML + "memory_mb: 512\n")
    message = manifest_error(path)
    assert message.startswith(f"{path}: invalid YAML (line 7, column 1)")
    assert "'memory_mb' appears twice" in message


def test_wrong_kind(tmp_path: Path) -> None:
    path = write(tmp_path, MANIFEST_YAML.replace("kind: AwsLambda", "kind: GcpCloudFunction"))
    assert manifest_error(path) == f"{path}: kind is 'GcpCloudFunction'; expected AwsLambda"


def test_wrong_api_version(tmp_path: Path) -> None:
    path = write(tmp_path, MANIFEST_YAML.replace("aws.project-planton.org/v1", "v2"))
    message = manifest_error(path)
    assert message == (
        f"{path}: apiVersion is 'v2'; expected aws.project-planton.org/v1 or aws.planton.dev/v1"
    )


def test_envelope_without_spec_or_name(tmp_path: Path) -> None:
    envelope = "apiVersion: aws.project-planton.org/v1\nkind: AwsLambda\nmetadata: {name: x}\n"
    assert "spec is missing" in manifest_error(write(tmp_path, envelope))
    nameless = MANIFEST_YAML.replace("  name: orders\n", "  labels: {}\n")
    assert "metadata.name is required" in manifest_error(write(tmp_path, nameless, "b.yaml"))
    extra = MANIFEST_YAML + "extra: 1\n"
    assert "unknown top-level keys ['extra']" in manifest_error(write(tmp_path, extra, "c.yaml"))


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("- function_name: a\n", "top level is a list"),
        ("just words\n", "top level is a string"),
        ("42\n", "top level is a int"),
        ("", "empty"),
        ("# only a comment\n", "empty"),
    ],
)
def test_non_mapping(tmp_path: Path, text: str, what: str) -> None:
    path = write(tmp_path, text)
    message = manifest_error(path)
    assert message.startswith(f"{path}: {what}")
    assert "expected one AwsLambda manifest or spec" in message


def test_multiple_documents(tmp_path: Path) -> None:
    path = write(tmp_path, MANIFEST_YAML + "---\n" + MANIFEST_YAML)
    assert manifest_error(path).startswith(f"{path}: holds 2 YAML documents, not one")


def test_invalid_spec_in_manifest_names_file_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, MANIFEST_YAML.replace("memory_mb: 256", "memory_mb: 64"))
    with pytest.raises(SpecError) as caught:
        load_manifest(path)
    assert caught.value.source == str(path)
    assert str(caught.value).splitlines() == [
        f"{path}: invalid spec (1 error)",
        "  memory_mb: must be from 128 to 10240",
    ]


def test_undecodable_file(tmp_path: Path) -> None:
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\xff\xfe\x00bad")
    assert manifest_error(path).startswith(f"{path}: ")


# --- the shipped example manifests ----------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_manifest_is_a_planton_manifest(name: str) -> None:
    data = yaml.safe_load((MANIFESTS / f"{name}.yaml").read_text())
    assert data["apiVersion"] == "aws.project-planton.org/v1"
    assert data["kind"] == "AwsLambda"
    assert data["metadata"] == {"name": name}
    assert data["spec"]["function_name"] == name


def test_hello_world_api_validates_on_a_current_runtime() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecatedRuntimeWarning)
        parsed = load_manifest(MANIFESTS / "hello-world-api.yaml")
    assert parsed.runtime == "nodejs24.x"
    assert parsed.handler == "index.handler"
    assert (parsed.memory_mb, parsed.timeout_seconds) == (256, 10)
    assert parsed.role_arn is not None
    assert parsed.role_arn.literal == "arn:aws:iam::123456789012:role/lambda-api-role"
    assert parsed.s3 is not None
    assert (parsed.s3.bucket, parsed.s3.key) == ("my-lambda-code", "hello-world/v1.0.0.zip")
    assert parsed.environment == {"STAGE": "production", "TABLE_NAME": "hello-table"}


def test_image_processor_validates() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parsed = load_manifest(MANIFESTS / "image-processor.yaml")
    assert parsed.runtime == "python3.11"
    assert [s.literal for s in parsed.subnets] == ["subnet-abc123", "subnet-def456"]
    assert [s.literal for s in parsed.security_groups] == ["sg-xyz789"]
    assert parsed.reserved_concurrency == 50
    assert parsed.architecture == "ARM64"
    assert parsed.environment["DB_NAME"] == "images"


def test_analytics_job_validates() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parsed = load_manifest(MANIFESTS / "analytics-job.yaml")
    assert parsed.is_image
    assert parsed.runtime is None and parsed.handler is None
    assert (
        parsed.image_uri == "123456789012.dkr.ecr.us-east-1.amazonaws.com/analytics-job:2025-11-01"
    )
    assert (parsed.memory_mb, parsed.timeout_seconds) == (3072, 900)
    assert parsed.environment == {"OUTPUT_BUCKET": "analytics-results", "JOB_PARAM": "full"}


# --- JSON Schema ----------------------------------------------------------------------


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow `$ref` (and a single non-null `anyOf` member) to the object schema."""
    while True:
        if "$ref" in node:
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
        elif "anyOf" in node:
            objects = [n for n in node["anyOf"] if "$ref" in n or n.get("type") == "object"]
            if len(objects) != 1:
                return node
            node = objects[0]
        else:
            return node


def test_schema_is_json_and_describes_the_envelope() -> None:
    schema = manifest_json_schema()
    assert json.loads(json.dumps(schema)) == schema
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["type"] == "object"
    assert set(schema["properties"]) == {"apiVersion", "kind", "metadata", "spec"}
    assert set(schema["required"]) == {"apiVersion", "kind", "metadata", "spec"}
    assert schema["additionalProperties"] is False
    assert schema["properties"]["apiVersion"]["enum"] == [
        "aws.project-planton.org/v1",
        "aws.planton.dev/v1",
    ]
    assert schema["properties"]["kind"]["const"] == "AwsLambda"


def test_schema_spec_matches_the_model() -> None:
    schema = manifest_json_schema()
    spec = _resolve(schema, schema["properties"]["spec"])
    # Every field, also in camelCase and Planton's spellings (tests/test_parity.py); in a
    # manifest metadata.name names the function and the one code source gives its type.
    assert set(AwsLambdaSpec.model_fields) <= set(spec["properties"])
    assert spec["additionalProperties"] is False
    assert spec["required"] == []
    props = spec["properties"]
    assert props["memory_mb"]["minimum"] == 128 and props["memory_mb"]["maximum"] == 10240
    assert props["architecture"]["enum"] == ["X86_64", "ARM64", "x86_64", "arm64"]
    assert 0 in props["log_retention_days"]["enum"]
    runtimes = [option for option in props["runtime"]["anyOf"] if "enum" in option]
    assert "nodejs22.x" in runtimes[0]["enum"]
    assert props["environment"]["propertyNames"]["pattern"] == "^[A-Za-z][A-Za-z0-9_]+$"
    # A bare string is the usual YAML spelling of a StringValueOrRef: editors accept both.
    ref = schema["$defs"]["StringValueOrRef"]["anyOf"]
    assert {"type": "string", "minLength": 1} in ref
    assert any(
        set(option.get("properties", {})) == {"value", "value_from", "valueFrom"} for option in ref
    )


def _check_keys(schema: dict[str, Any], node: dict[str, Any], data: Any, path: str) -> None:
    """Every key of `data` is a property of the schema node that describes it."""
    node = _resolve(schema, node)
    if isinstance(data, dict):
        if "properties" in node:
            for key, value in data.items():
                assert key in node["properties"], f"{path}.{key} is not in the schema"
                _check_keys(schema, node["properties"][key], value, f"{path}.{key}")
        else:  # a map (environment, tags) or a StringValueOrRef written as a mapping
            options = [_resolve(schema, o) for o in node.get("anyOf", [])]
            objects = [o for o in options if "properties" in o]
            if objects:
                _check_keys(schema, objects[0], data, path)
    elif isinstance(data, list) and "items" in node:
        for i, item in enumerate(data):
            _check_keys(schema, node["items"], item, f"{path}[{i}]")


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_manifest_keys_are_in_the_schema(name: str) -> None:
    schema = manifest_json_schema()
    data = yaml.safe_load((MANIFESTS / f"{name}.yaml").read_text())
    _check_keys(schema, schema, data, name)


def test_schema_check_notices_an_unknown_key() -> None:
    schema = manifest_json_schema()
    data = yaml.safe_load(MANIFEST_YAML)
    data["spec"]["s3"]["acl"] = "private"
    with pytest.raises(AssertionError, match=r"spec\.s3\.acl"):
        _check_keys(schema, schema, data, "manifest")
