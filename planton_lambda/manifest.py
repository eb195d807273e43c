"""Reading Project Planton manifests (or bare specs) from YAML files or text."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from planton_lambda.errors import ManifestError, SpecError
from planton_lambda.spec import AwsLambdaSpec

API_VERSION = "aws.project-planton.org/v1"
KIND = "AwsLambda"


class Metadata(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str = Field(min_length=1)


class AwsLambdaManifest(BaseModel):
    """The Project Planton resource envelope around an AwsLambdaSpec."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    apiVersion: Literal["aws.project-planton.org/v1"]  # the manifest's own (camelCase) key
    kind: Literal["AwsLambda"]
    metadata: Metadata
    spec: AwsLambdaSpec


def load_manifest(path_or_text: str | os.PathLike[str]) -> AwsLambdaSpec:
    """The validated spec of a manifest file, or of YAML text holding a manifest or bare spec.

    Raises ManifestError when the file cannot be read as a manifest, SpecError when the
    spec breaks a rule. Relative `local.path`s resolve against the manifest's folder.
    """
    text, source, base_dir = _read(path_or_text)
    data = parse_document(text, source)
    return validate_spec(spec_mapping(data, source), source=source, base_dir=base_dir)


def _read(path_or_text: str | os.PathLike[str]) -> tuple[str, str, Path]:
    if isinstance(path_or_text, str) and _looks_like_text(path_or_text):
        return path_or_text, "<text>", Path.cwd()
    path = Path(path_or_text)
    try:
        return path.read_text(encoding="utf-8"), str(path), path.resolve().parent
    except FileNotFoundError:
        raise ManifestError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ManifestError(f"{path}: is a directory, not a manifest file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ManifestError(f"{path}: cannot read: {error}") from None


def _looks_like_text(value: str) -> bool:
    return "\n" in value or value.lstrip().startswith("{") or ": " in value


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (YAML keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *anchor` may override keys
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: the mapping constructor reports it
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice in one mapping", key_node.start_mark
                )
        return super().construct_mapping(node, deep=deep)


def parse_document(text: str, source: str) -> dict[str, Any]:
    """One YAML mapping, or a one-line ManifestError naming the source and line."""
    try:
        documents = [doc for doc in yaml.load_all(text, Loader=_StrictLoader) if doc is not None]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(error, "problem", None) or "not valid YAML"
        problem = " ".join(str(problem).split())
        raise ManifestError(f"{source}: invalid YAML{where}: {problem}") from None
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


def spec_mapping(data: dict[str, Any], source: str) -> Any:
    """The spec inside a manifest envelope, or the mapping itself when it is a bare spec."""
    if not {"apiVersion", "kind", "metadata", "spec"} & data.keys():
        return data
    if data.get("apiVersion") != API_VERSION:
        raise ManifestError(
            f"{source}: apiVersion is {data.get('apiVersion')!r}; expected {API_VERSION}"
        )
    if data.get("kind") != KIND:
        raise ManifestError(f"{source}: kind is {data.get('kind')!r}; expected {KIND}")
    unknown = sorted(map(str, data.keys() - {"apiVersion", "kind", "metadata", "spec"}))
    if unknown:
        raise ManifestError(
            f"{source}: unknown top-level keys {unknown}; allowed: apiVersion, kind, metadata, spec"
        )
    metadata = data.get("metadata")
    if (
        not isinstance(metadata, dict)
        or not isinstance(metadata.get("name"), str)
        or not (metadata["name"])
    ):
        raise ManifestError(f"{source}: metadata.name is required (the resource's name)")
    if not isinstance(data.get("spec"), dict):
        raise ManifestError(f"{source}: spec is missing or not a mapping")
    return data["spec"]


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
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Project Planton AwsLambda manifest"
    return schema
