"""The offline plan: run the real component under the mock engine and show what it registers."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from planton_lambda.refs import StackOutputRef, StringValueOrRef
from planton_lambda.spec import AwsLambdaSpec
from planton_lambda.stack import find_project_dir, spec_from_config, stack_file_config
from planton_lambda.testing import (
    NEW_VERSION,
    SIGNATURE_KEY,
    LambdaMocks,
    RecordedResource,
    is_secret,
    run_mocked,
    run_stack_program,
)

SECRET = "[secret]"
UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
ARCHIVE_SIGNATURE = "0def7320c3a5731c473e5ecbe6d01bc7"
COMPONENT_TYPE = "planton:aws:AwsLambda"


@dataclass(frozen=True)
class PlannedResource:
    type: str
    name: str
    inputs: dict[str, Any]
    parent: str | None

    def as_json(self) -> dict[str, Any]:
        return {"type": self.type, "name": self.name, "inputs": self.inputs}


def plan_spec(
    spec: AwsLambdaSpec, name: str | None = None, region: str | None = None
) -> list[PlannedResource]:
    """What `AwsLambda(name, spec)` registers, with versions as `(new version)` placeholders."""
    from planton_lambda.component import AwsLambda

    run = run_mocked(
        lambda: AwsLambda(name or spec.function_name, spec), mocks=_mocks(spec, region)
    )
    return _planned(run.resources)


def plan_stack(stack: str, project_dir: str | os.PathLike[str] = ".") -> list[PlannedResource]:
    """What the stack program registers with Pulumi.<stack>.yaml's config, as `pulumi up` would."""
    root = find_project_dir(project_dir)
    file_config = stack_file_config(root, stack)
    spec = spec_from_config(file_config.get, root).spec
    run = run_stack_program(root, stack, mocks=_mocks(spec, file_config.get("aws:region")))
    return _planned(run.resources)


def _mocks(spec: AwsLambdaSpec, region: Any = None) -> LambdaMocks:
    """Mocks whose computed values read as placeholders, never as real-looking numbers."""
    placeholders: dict[str, dict[str, Any]] = {}
    for ref in stack_references(spec):
        placeholders.setdefault(ref.stack, {})[ref.output] = f"(output {ref.output} of {ref.stack})"
    return LambdaMocks(
        published_version=NEW_VERSION,
        stack_outputs=placeholders,
        account="<account>",
        region=region if isinstance(region, str) else "<region>",
    )


def stack_references(model: BaseModel) -> Iterator[StackOutputRef]:
    """Every `value_from` reference anywhere in a spec."""
    for field_name in type(model).model_fields:
        yield from _references_in(getattr(model, field_name))


def _references_in(value: Any) -> Iterator[StackOutputRef]:
    if isinstance(value, StringValueOrRef):
        if value.value_from is not None:
            yield value.value_from
    elif isinstance(value, BaseModel):
        yield from stack_references(value)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _references_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _references_in(item)


def _planned(resources: list[RecordedResource]) -> list[PlannedResource]:
    names = {r.urn: r.name for r in resources}
    return [
        PlannedResource(r.type, r.name, _display(r.inputs), names.get(r.parent)) for r in resources
    ]


def _display(value: Any) -> Any:
    """Inputs fit to print: secrets hidden, archives by path, whole numbers as ints."""
    if is_secret(value):
        return SECRET
    if isinstance(value, dict):
        if value.get(SIGNATURE_KEY) == ARCHIVE_SIGNATURE:
            return f"archive {value.get('path', '')}".strip()
        return {k: _display(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_display(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value == UNKNOWN_SENTINEL:
        return "(known after deploy)"
    return value


def to_json(resources: list[PlannedResource]) -> str:
    return json.dumps([r.as_json() for r in resources], indent=2)


# -- readable tree -----------------------------------------------------------------------

KEY_INPUTS: dict[str, list[str]] = {
    "aws:cloudwatch/logGroup:LogGroup": ["name", "retentionInDays"],
    "aws:iam/role:Role": ["assumeRolePolicy", "permissionsBoundary"],
    "aws:iam/rolePolicy:RolePolicy": ["policy"],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["policyArn"],
    "aws:lambda/layerVersion:LayerVersion": [
        "layerName", "compatibleRuntimes", "compatibleArchitectures", "code", "s3Bucket", "s3Key",
    ],
    "aws:lambda/function:Function": [
        "name", "runtime", "handler", "packageType", "imageUri", "s3Bucket", "s3Key", "code",
        "codeSha256", "memorySize", "timeout", "ephemeralStorage", "architectures", "publish",
        "layers", "environment", "vpcConfig", "reservedConcurrentExecutions", "tracingConfig",
        "deadLetterConfig", "kmsKeyArn", "loggingConfig",
    ],
    "aws:lambda/alias:Alias": ["name", "functionVersion", "routingConfig"],
    "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig": [
        "qualifier", "provisionedConcurrentExecutions",
    ],
    "aws:lambda/functionUrl:FunctionUrl": ["authorizationType", "qualifier", "cors"],
    "aws:lambda/permission:Permission": [
        "action", "principal", "qualifier", "functionUrlAuthType", "invokedViaFunctionUrl",
    ],
    "pulumi:pulumi:StackReference": ["name"],
}  # fmt: skip


def render_tree(resources: list[PlannedResource]) -> str:
    children: dict[str | None, list[PlannedResource]] = {}
    for resource in resources:
        children.setdefault(resource.parent, []).append(resource)
    lines: list[str] = []
    for root in [r for r in resources if r.parent not in {x.name for x in resources}]:
        _render(root, children, lines, prefix="", last=True, top=True)
    creates = len(resources)
    lines.append("")
    lines.append(f"{creates} resource{'s' if creates != 1 else ''} to create")
    return "\n".join(lines)


def _render(
    resource: PlannedResource,
    children: Mapping[str | None, list[PlannedResource]],
    lines: list[str],
    *,
    prefix: str,
    last: bool,
    top: bool = False,
) -> None:
    branch = "" if top else ("└─ " if last else "├─ ")
    lines.append(f"{prefix}{branch}+ {resource.type}  {resource.name}")
    inner = prefix if top else prefix + ("   " if last else "│  ")
    kids = children.get(resource.name, []) if resource.type == COMPONENT_TYPE else []
    detail_prefix = inner + ("│  " if kids else "   ")
    for line in key_input_lines(resource):
        lines.append(f"{detail_prefix}{line}")
    for i, kid in enumerate(kids):
        _render(kid, children, lines, prefix=inner, last=i == len(kids) - 1)


def key_input_lines(resource: PlannedResource) -> list[str]:
    keys = KEY_INPUTS.get(resource.type, [])
    lines: list[str] = []
    for key in keys:
        if key not in resource.inputs:
            continue
        value = resource.inputs[key]
        if key in {"policy", "assumeRolePolicy"}:
            lines.extend(f"{key}: {line}" for line in _policy_summary(value))
            continue
        for path, leaf in flatten(value, key):
            lines.append(f"{path}: {_scalar(leaf)}")
    return lines


def _policy_summary(document: Any) -> list[str]:
    try:
        policy = json.loads(document) if isinstance(document, str) else document
        statements = policy["Statement"]
    except (TypeError, ValueError, KeyError):
        return [_scalar(document)]
    lines = []
    for statement in statements:
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        target = statement.get("Resource") or statement.get("Principal")
        if isinstance(target, dict):
            target = ", ".join(f"{k}={v}" for k, v in target.items())
        elif isinstance(target, list):
            target = ", ".join(target)
        lines.append(f"{statement.get('Effect', 'Allow')} {', '.join(actions)} on {target}")
    return lines


def flatten(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """(`a.b.c`, leaf) pairs; lists of scalars stay whole."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from flatten(item, f"{path}.{key}")
    elif isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        for i, item in enumerate(value):
            yield from flatten(item, f"{path}[{i}]")
    else:
        yield path, value


def _scalar(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


# -- comparing two plans ---------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    kind: str  # "add", "remove" or "update"
    type: str
    name: str
    fields: tuple[tuple[str, Any, Any], ...] = ()  # (path, before, after)


def compare(before: list[PlannedResource], after: list[PlannedResource]) -> list[Change]:
    """What changes from `before` to `after`, resource by resource and field by field."""
    old = {(r.type, r.name): r for r in before}
    new = {(r.type, r.name): r for r in after}
    changes: list[Change] = []
    for key, resource in new.items():
        if key not in old:
            changes.append(Change("add", *key))
            continue
        fields = _changed_fields(old[key].inputs, resource.inputs)
        if fields:
            changes.append(Change("update", *key, fields))
    changes.extend(Change("remove", *key) for key in old if key not in new)
    return changes


def _changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[Any, ...]:
    old = dict(flatten(before, "")) if before else {}
    new = dict(flatten(after, "")) if after else {}
    paths = sorted(old.keys() | new.keys())
    return tuple(
        (path.lstrip("."), old.get(path), new.get(path))
        for path in paths
        if old.get(path) != new.get(path)
    )


def render_changes(changes: list[Change]) -> str:
    if not changes:
        return "no changes"
    marks = {"add": "+", "remove": "-", "update": "~"}
    lines = []
    for change in changes:
        lines.append(f"{marks[change.kind]} {change.type}  {change.name}")
        for path, before, after in change.fields:
            lines.append(f"    {path}: {_scalar_or_none(before)} → {_scalar_or_none(after)}")
    counts = {kind: sum(c.kind == kind for c in changes) for kind in marks}
    lines.append("")
    lines.append(
        f"{counts['add']} to add, {counts['update']} to update, {counts['remove']} to remove"
    )
    return "\n".join(lines)


def changes_json(changes: list[Change]) -> str:
    return json.dumps(
        [
            {
                "change": c.kind,
                "type": c.type,
                "name": c.name,
                "fields": [{"path": p, "before": b, "after": a} for p, b, a in c.fields],
            }
            for c in changes
        ],
        indent=2,
    )


def _scalar_or_none(value: Any) -> str:
    return "(none)" if value is None else _scalar(value)
