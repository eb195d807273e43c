"""Finding the spec a stack deploys, the way the stack program and `plan --stack` both do.

Sources, first match wins:
1. config `planton-lambda:spec`: the spec (or a whole manifest) inline;
2. config `planton-lambda:manifest`: a manifest file path;
3. config `planton-cloud:stack-input`, or the file named by `STACK_INPUT_YAML_FILE`:
   Project Planton's stack input, whose `target` is the manifest.
A config value may be a mapping or its JSON or YAML text (the engine hands objects to the
program as JSON; `pulumi config set KEY '{...}'` stores JSON text). Relative paths resolve against
`config_base_dir`. Every file is read through planton_lambda.load.yamlread, within its bounds.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planton_lambda.errors import ManifestError, field_path
from planton_lambda.load.manifest import parse_document, resource_name, spec_mapping, validate_spec
from planton_lambda.load.yamlread import (
    check_bounds,
    load_document,
    load_file,
    load_json,
    read_text,
)
from planton_lambda.spec.function import AwsLambdaSpec

NAMESPACE = "planton-lambda"
SPEC_KEY = f"{NAMESPACE}:spec"
MANIFEST_KEY = f"{NAMESPACE}:manifest"
STACK_INPUT_KEY = "planton-cloud:stack-input"
STACK_INPUT_ENV = "STACK_INPUT_YAML_FILE"

# What stands in for a `secure:` value under `secret_environment` offline: the value is
# encrypted with the stack's key, which an offline plan does not have. It becomes a Pulumi
# secret like any secret_environment value, so it is shown as [secret], never as this text.
ENCRYPTED_PLACEHOLDER = "(encrypted in the stack file; not readable offline)"
_SECRET_FIELDS = frozenset({"secret_environment", "secretEnvironment"})

# Pulumi's stack names: 1-100 of [A-Za-z0-9_.-], optionally qualified `org/[project/]name`;
# the stack file is named after the last part. pulumi/pulumi pkg/backend/diy/backend.go
# (validateStackName, stackNameAndProjectRegexp); https://www.pulumi.com/docs/iac/concepts/stacks/
_STACK_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")

ConfigGetter = Callable[[str], Any]


@dataclass(frozen=True)
class StackSpec:
    """The spec to deploy and the resource name the component gets."""

    name: str
    spec: AwsLambdaSpec
    source: str


def program_dir(project_dir: Path) -> Path:
    """The working directory the Pulumi engine gives the project's program.

    As pulumi/pulumi's `getPwdMain` (pkg/engine/project.go): without `main`, the project
    folder; with `main` a folder, that folder; with `main` a file, the file's folder.
    """
    project = read_project(project_dir) if (project_dir / "Pulumi.yaml").is_file() else {}
    main = project.get("main")
    if not main:
        return project_dir
    target = (project_dir / str(main)).resolve()
    return target if target.is_dir() else target.parent


def config_base_dir(project_dir: Path) -> Path:
    """The folder that relative paths in stack config (a manifest path, the stack-input
    file, `local.path` in an inline spec) resolve against: the program's working directory,
    as a relative path in the program itself would (`main: programs/` makes it `programs/`).

    The one place this rule lives, so the stack program and `plan --stack` agree on it.
    """
    return program_dir(project_dir)


def find_project_dir(start: str | os.PathLike[str]) -> Path:
    """The nearest folder at or above `start` holding Pulumi.yaml."""
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        if (folder / "Pulumi.yaml").is_file():
            return folder
    raise ManifestError(f"{start}: no Pulumi.yaml here or in any parent folder")


def spec_from_config(get: ConfigGetter, project_dir: Path) -> StackSpec:
    """Read the stack's spec through `get(key)`, which returns a config value or None."""
    base_dir = config_base_dir(project_dir)
    inline = get(SPEC_KEY)
    if inline is not None:
        return _from_mapping(_config_object(inline, SPEC_KEY), SPEC_KEY, base_dir)
    manifest_path = get(MANIFEST_KEY)
    if manifest_path is not None:
        if not isinstance(manifest_path, str) or not manifest_path:
            raise ManifestError(f"{MANIFEST_KEY}: must be a manifest file path")
        return _from_file(base_dir / manifest_path)
    stack_input = get(STACK_INPUT_KEY)
    if stack_input is not None:
        value = _config_object(stack_input, STACK_INPUT_KEY)
        return _from_stack_input(value, STACK_INPUT_KEY, base_dir)
    stack_input_file = os.environ.get(STACK_INPUT_ENV)
    if stack_input_file:
        path = base_dir / stack_input_file
        return _from_stack_input(load_file(path, what="a stack input"), str(path), path.parent)
    raise ManifestError(
        f"no spec in stack config: set {SPEC_KEY} (inline) or {MANIFEST_KEY} (a path), "
        f"or {STACK_INPUT_KEY} / ${STACK_INPUT_ENV} (Project Planton stack input)"
    )


def stack_file_config(project_dir: Path, stack: str) -> dict[str, Any]:
    """The `config:` of Pulumi.<stack>.yaml, as plain YAML values.

    Encrypted values stay as Pulumi writes them, `{secure: <ciphertext>}`; spec_from_config
    decides what they may stand for.
    """
    path = project_dir / f"Pulumi.{stack_file_name(stack)}.yaml"
    data = load_file(path, what="a stack file")
    if data is None:  # an empty stack file is a stack without config
        return {}
    if not isinstance(data, Mapping):
        raise ManifestError(f"{path}: top level is not a mapping (config: ...)")
    config = data.get("config") or {}
    if not isinstance(config, Mapping):
        raise ManifestError(f"{path}: config is not a mapping")
    return {str(key): value for key, value in config.items()}


def stack_file_name(stack: str) -> str:
    """The name part of a stack name as Pulumi accepts it (`dev`, `org/project/dev`)."""
    name = stack.rsplit("/", 1)[-1]
    if stack.count("/") > 2 or not _STACK_NAME.fullmatch(name):
        raise ManifestError(
            f"stack name {stack[:100]!r} is not a Pulumi stack name: 1-100 letters, digits, "
            "'-', '_' or '.' (optionally org/project/ before it)"
        )
    return name


def read_project(project_dir: Path) -> dict[str, Any]:
    """Pulumi.yaml as a mapping."""
    path = project_dir / "Pulumi.yaml"
    data = load_file(path, what="Pulumi.yaml")
    if data is not None and not isinstance(data, Mapping):
        raise ManifestError(f"{path}: top level is not a mapping (name: ..., runtime: ...)")
    return dict(data or {})


def _config_object(value: Any, source: str) -> Any:
    """A config value as data, within the bounds of planton_lambda.load.yamlread.

    Text is JSON when it starts with `{` or `[` (how the engine passes objects, and what
    `pulumi config set KEY '{...}'` stores), YAML otherwise (a value set from a YAML file).
    """
    if not isinstance(value, str):
        check_bounds(value, source)
        return value
    if value.lstrip().startswith(("{", "[")):
        return load_json(value, source)
    return load_document(value, source)


def _from_mapping(value: Any, source: str, base_dir: Path) -> StackSpec:
    if not isinstance(value, Mapping):
        raise ManifestError(f"{source}: expected a mapping (a spec or a manifest)")
    data = _decrypted(dict(value), source)
    spec = validate_spec(spec_mapping(data, source), source=source, base_dir=base_dir)
    return StackSpec(resource_name(data, spec), spec, source)


def _from_file(path: Path) -> StackSpec:
    text = read_text(path, what="a manifest")
    data = parse_document(text, str(path))
    spec = validate_spec(spec_mapping(data, str(path)), source=str(path), base_dir=path.parent)
    return StackSpec(resource_name(data, spec), spec, str(path))


def _from_stack_input(value: Any, source: str, base_dir: Path) -> StackSpec:
    target = value.get("target") if isinstance(value, Mapping) else None
    if not isinstance(target, Mapping):
        raise ManifestError(f"{source}: stack input has no target manifest")
    return _from_mapping(target, f"{source} (target)", base_dir)


def _decrypted(data: Any, source: str, loc: tuple[str | int, ...] = ()) -> Any:
    """`data` with each `{secure: ...}` under secret_environment replaced by the placeholder.

    Pulumi stores an encrypted config value as `{secure: <ciphertext>}` and decrypts it only
    for a deployment; here (an offline plan or test) it has no key. A secret_environment value
    becomes a secret whatever it is, so a placeholder loses nothing a plan shows; anywhere
    else the value decides what is deployed, so it is refused, naming the key.
    """
    if isinstance(data, Mapping):
        if _is_encrypted(data):
            if len(loc) >= 2 and loc[-2] in _SECRET_FIELDS:
                return ENCRYPTED_PLACEHOLDER
            where = f"{source}.{field_path(loc)}" if loc else source
            raise ManifestError(
                f"{where}: is encrypted (secure:) and cannot be read offline; only "
                "secret_environment values may be encrypted: give this value in plain config "
                "or in a manifest file"
            )
        return {key: _decrypted(item, source, (*loc, str(key))) for key, item in data.items()}
    if isinstance(data, list):
        return [_decrypted(item, source, (*loc, index)) for index, item in enumerate(data)]
    return data


def _is_encrypted(value: Mapping[str, Any]) -> bool:
    return set(value.keys()) == {"secure"} and isinstance(value["secure"], str)
