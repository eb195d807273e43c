"""Finding the spec a stack deploys, the way the stack program and `plan --stack` both do.

Sources, first match wins:
1. config `planton-lambda:spec`: the spec (or a whole manifest) inline;
2. config `planton-lambda:manifest`: a manifest file path;
3. config `planton-cloud:stack-input`, or the file named by `STACK_INPUT_YAML_FILE`:
   Project Planton's stack input, whose `target` is the manifest.
Relative paths resolve against the Pulumi project's folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from planton_lambda.errors import ManifestError
from planton_lambda.manifest import parse_document, spec_mapping, validate_spec
from planton_lambda.spec import AwsLambdaSpec

NAMESPACE = "planton-lambda"
SPEC_KEY = f"{NAMESPACE}:spec"
MANIFEST_KEY = f"{NAMESPACE}:manifest"
STACK_INPUT_KEY = "planton-cloud:stack-input"
STACK_INPUT_ENV = "STACK_INPUT_YAML_FILE"

ConfigGetter = Callable[[str], Any]


@dataclass(frozen=True)
class StackSpec:
    """The spec to deploy and the resource name the component gets."""

    name: str
    spec: AwsLambdaSpec
    source: str


def find_project_dir(start: str | os.PathLike[str]) -> Path:
    """The nearest folder at or above `start` holding Pulumi.yaml."""
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        if (folder / "Pulumi.yaml").is_file():
            return folder
    raise ManifestError(f"{start}: no Pulumi.yaml here or in any parent folder")


def spec_from_config(get: ConfigGetter, project_dir: Path) -> StackSpec:
    """Read the stack's spec through `get(key)`, which returns a config value or None."""
    inline = get(SPEC_KEY)
    if inline is not None:
        return _from_mapping(inline, SPEC_KEY, project_dir)
    manifest_path = get(MANIFEST_KEY)
    if manifest_path is not None:
        path = project_dir / str(manifest_path)
        return _from_file(path)
    stack_input = get(STACK_INPUT_KEY)
    if stack_input is not None:
        return _from_stack_input(stack_input, STACK_INPUT_KEY, project_dir)
    stack_input_file = os.environ.get(STACK_INPUT_ENV)
    if stack_input_file:
        path = project_dir / stack_input_file
        return _from_stack_input(_read_yaml(path), str(path), path.parent)
    raise ManifestError(
        f"no spec in stack config: set {SPEC_KEY} (inline) or {MANIFEST_KEY} (a path), "
        f"or {STACK_INPUT_KEY} / ${STACK_INPUT_ENV} (Project Planton stack input)"
    )


def stack_file_config(project_dir: Path, stack: str) -> dict[str, Any]:
    """The `config:` of Pulumi.<stack>.yaml, as plain YAML values."""
    path = project_dir / f"Pulumi.{stack}.yaml"
    data = _read_yaml(path)
    config = data.get("config", {}) if isinstance(data, Mapping) else None
    if not isinstance(config, Mapping):
        raise ManifestError(f"{path}: config is not a mapping")
    return dict(config)


def read_project(project_dir: Path) -> dict[str, Any]:
    """Pulumi.yaml as a mapping."""
    data = _read_yaml(project_dir / "Pulumi.yaml")
    return dict(data) if isinstance(data, Mapping) else {}


def _from_mapping(value: Any, source: str, base_dir: Path) -> StackSpec:
    if not isinstance(value, Mapping):
        raise ManifestError(f"{source}: expected a mapping (a spec or a manifest)")
    data = dict(value)
    spec = validate_spec(spec_mapping(data, source), source=source, base_dir=base_dir)
    return StackSpec(_resource_name(data, spec), spec, source)


def _from_file(path: Path) -> StackSpec:
    text = _read_text(path)
    data = parse_document(text, str(path))
    spec = validate_spec(spec_mapping(data, str(path)), source=str(path), base_dir=path.parent)
    return StackSpec(_resource_name(data, spec), spec, str(path))


def _from_stack_input(value: Any, source: str, base_dir: Path) -> StackSpec:
    target = value.get("target") if isinstance(value, Mapping) else None
    if not isinstance(target, Mapping):
        raise ManifestError(f"{source}: stack input has no target manifest")
    return _from_mapping(target, f"{source} (target)", base_dir)


def _resource_name(data: Mapping[str, Any], spec: AwsLambdaSpec) -> str:
    metadata = data.get("metadata")
    if isinstance(metadata, Mapping) and isinstance(metadata.get("name"), str):
        return str(metadata["name"])
    return spec.function_name


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ManifestError(f"{path}: cannot read: {error}") from None


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(_read_text(path))
    except yaml.YAMLError as error:
        raise ManifestError(f"{path}: invalid YAML: {error}") from None
