"""Reading Project Planton manifests (or bare specs) from YAML files or text."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from planton_lambda.errors import ManifestError, SpecError
from planton_lambda.load.yamlread import STDIN, load_documents, read_text, source_name
from planton_lambda.spec.function import AwsLambdaSpec
from planton_lambda.spec.parity import accept_planton_spellings

API_VERSION = "aws.project-planton.org/v1"
# Planton's newest group (plantonhq/openmcf apis/dev/planton/...): the same kind, accepted too.
API_VERSIONS = (API_VERSION, "aws.planton.dev/v1")
KIND = "AwsLambda"
TEXT_SOURCE = "<text>"


class Metadata(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str = Field(min_length=1)


class AwsLambdaManifest(BaseModel):
    """The Project Planton resource envelope around an AwsLambdaSpec."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    apiVersion: Literal["aws.project-planton.org/v1", "aws.planton.dev/v1"]  # camelCase key
    kind: Literal["AwsLambda"]
    metadata: Metadata
    spec: AwsLambdaSpec


def load_manifest(path_or_text: str | os.PathLike[str]) -> AwsLambdaSpec:
    """The validated spec of a manifest file, or of YAML text holding a manifest or bare spec.

    A `pathlib.Path` is always a file; a string is YAML text when it holds a line break or
    starts with `{`, standard input when it is `-`, and a file path otherwise. Files are read
    within the bounds of planton_lambda.load.yamlread (regular files, 1 MiB, no alias bombs).
    Raises ManifestError when the input cannot be read as a manifest, SpecError when the
    spec breaks a rule. Relative `local.path`s resolve against the manifest's folder.
    """
    return load_manifest_document(path_or_text)[1]


def load_manifest_document(
    path_or_text: str | os.PathLike[str],
) -> tuple[dict[str, Any], AwsLambdaSpec]:
    """The manifest's YAML mapping (for `metadata.name`) and its validated spec, from one
    bounded read: as load_manifest, for callers that need the envelope too."""
    text, source, base_dir = _read(path_or_text)
    data = parse_document(text, source)
    return data, validate_spec(spec_mapping(data, source), source=source, base_dir=base_dir)


def resource_name(document: Mapping[str, Any], spec: AwsLambdaSpec) -> str:
    """The component's resource name: the manifest's `metadata.name`, else `function_name`.

    The one rule for `plan MANIFEST` and the stack program alike, so a plan names every
    resource the way `pulumi up` will.
    """
    metadata = document.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    return name if isinstance(name, str) and name else spec.function_name


def _read(path_or_text: str | os.PathLike[str]) -> tuple[str, str, Path]:
    if isinstance(path_or_text, str) and _looks_like_text(path_or_text):
        return path_or_text, TEXT_SOURCE, Path.cwd()
    text = read_text(path_or_text, what="a manifest")
    if isinstance(path_or_text, str) and path_or_text == STDIN:
        return text, source_name(path_or_text), Path.cwd()
    path = Path(path_or_text)
    return text, str(path), path.resolve().parent


def _looks_like_text(value: str) -> bool:
    # A file name may hold `: ` ("orders: v2.yaml"), so only a line break or a leading
    # brace (one-line JSON or flow YAML) makes a string text.
    return "\n" in value or value.lstrip().startswith("{")


def parse_document(text: str, source: str) -> dict[str, Any]:
    """One YAML mapping, or a one-line ManifestError naming the source, line and column."""
    documents = [doc for doc in load_documents(text, source) if doc is not None]
    if not documents:
        what = "empty"
    elif len(documents) > 1:
        what = f"holds {len(documents)} YAML documents, not one"
    elif not isinstance(documents[0], dict):
        what = f"top level is a {_yaml_kind(documents[0])}, not a mapping"
    else:
        return documents[0]
    raise ManifestError(f"{source}: {what}; expected one AwsLambda manifest or spec")


def _yaml_kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


def read_envelope(
    data: Mapping[str, Any],
    source: str,
    *,
    kind: str,
    api_versions: Sequence[str],
    names: str,
) -> tuple[str, dict[str, Any]]:
    """`metadata.name` and `spec` of a Planton resource (apiVersion, kind, metadata, spec),
    or a one-line ManifestError naming the file; `names` says what the name names."""
    if data.get("apiVersion") not in api_versions:
        for_kind = "" if kind == KIND else f" for kind {kind}"
        raise ManifestError(
            f"{source}: apiVersion is {data.get('apiVersion')!r}; expected "
            f"{' or '.join(api_versions)}{for_kind}"
        )
    if data.get("kind") != kind:
        raise ManifestError(f"{source}: kind is {data.get('kind')!r}; expected {kind}")
    unknown = sorted(map(str, data.keys() - {"apiVersion", "kind", "metadata", "spec"}))
    if unknown:
        raise ManifestError(
            f"{source}: unknown top-level keys {unknown}; allowed: apiVersion, kind, metadata, spec"
        )
    metadata = data.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    if not isinstance(name, str) or not name:
        raise ManifestError(f"{source}: metadata.name is required (the {names}'s name)")
    spec = data.get("spec")
    if not isinstance(spec, dict):
        raise ManifestError(f"{source}: spec is missing or not a mapping")
    return name, spec


def spec_mapping(data: dict[str, Any], source: str) -> Any:
    """The spec inside a manifest envelope, or the mapping itself when it is a bare spec."""
    if not {"apiVersion", "kind", "metadata", "spec"} & data.keys():
        return data
    name, spec = read_envelope(data, source, kind=KIND, api_versions=API_VERSIONS, names="resource")
    if "function_name" not in spec and "functionName" not in spec:
        # Planton's newest spec has no function_name: the function is named metadata.name.
        spec = {**spec, "function_name": name}
    return spec


def validate_spec(
    data: Any, *, source: str | None = None, base_dir: str | os.PathLike[str] | None = None
) -> AwsLambdaSpec:
    """Validate a spec mapping, turning pydantic's errors into a SpecError."""
    if isinstance(data, AwsLambdaSpec):
        return data
    try:
        return AwsLambdaSpec.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as error:
        raise SpecError.from_validation_error(error, AwsLambdaSpec, source) from None


def manifest_json_schema() -> dict[str, Any]:
    """JSON Schema of the manifest, for editors (YAML language server) and CI checks."""
    schema = AwsLambdaManifest.model_json_schema(by_alias=False)
    accept_planton_spellings(schema, AwsLambdaManifest.model_json_schema(by_alias=True))
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Project Planton AwsLambda manifest"
    return schema
