"""The offline plan: run a program under the mock engine, as a preview, and show what it registers.

The run is a preview (`pulumi preview`): values AWS only knows after the deploy (ids,
generated names, URLs) stay unknown and print as `(known after deploy)`; a version the
deploy publishes prints as `(new version)`. Secrets print as `[secret]`, and are compared by
value (in this process only) so a secret-only change still shows as a change.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets as _secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pydantic import BaseModel

from planton_lambda.cli.replacements import forces_replacement
from planton_lambda.load.event_source_mapping import EventSourceMappingManifest
from planton_lambda.resources.deferred import placeholders_unchecked
from planton_lambda.spec.function import AwsLambdaSpec
from planton_lambda.spec.refs import StackOutputRef, StringValueOrRef
from planton_lambda.testing import (
    NEW_VERSION,
    UNKNOWN,
    LambdaMocks,
    MockRun,
    RecordedResource,
    run_mocked,
    run_stack_program,
)

SECRET = "[secret]"
UNKNOWN_TEXT = "(known after deploy)"
STACK_TYPE = "pulumi:pulumi:Stack"
POLICY_KEYS = frozenset({"policy", "assumeRolePolicy"})

# Compares secrets without keeping them: a keyed digest whose key lives only in this process.
_SECRET_KEY = _secrets.token_bytes(32)


class SecretValue:
    """A secret input: prints as `[secret]`, equal to another only when the values are."""

    __slots__ = ("_digest",)

    def __init__(self, value: Any) -> None:
        canonical = json.dumps(value, sort_keys=True, default=str).encode()
        self._digest = hmac.new(_SECRET_KEY, canonical, hashlib.sha256).digest()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretValue) and hmac.compare_digest(self._digest, other._digest)

    def __hash__(self) -> int:
        return hash(self._digest)

    def __str__(self) -> str:
        return SECRET

    __repr__ = __str__


@dataclass(frozen=True)
class PlannedResource:
    type: str
    name: str
    inputs: dict[str, Any]
    parent: str | None  # the parent's name
    urn: str = ""
    parent_urn: str = ""
    custom: bool = True
    replace_on_changes: tuple[str, ...] = ()
    delete_before_replace: bool = False

    @property
    def key(self) -> tuple[str, str]:
        """Identity across two plans (of one stack or two): the URN without stack and project."""
        parts = self.urn.split("::", 3)
        return (parts[2], parts[3]) if len(parts) == 4 else (self.type, self.name)

    def as_json(self) -> dict[str, Any]:
        return {"type": self.type, "name": self.name, "inputs": _jsonable(self.inputs)}


@dataclass(frozen=True)
class Plan:
    """What a program registers, in construction order, and what its stack exports."""

    resources: list[PlannedResource]
    outputs: dict[str, Any] = field(default_factory=dict)
    stack: str | None = None


# -- running ---------------------------------------------------------------------------------


class PlanMocks(LambdaMocks):
    """Mocks for a preview: nothing AWS generates is invented.

    Ids, generated role names and URLs are left out so the engine marks them unknown; ARNs
    keep `<account>`/`<region>` placeholders unless the stack configures `aws:region`.
    """

    def current_region(self) -> str:
        return self.region or self.configured_region or "<region>"

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        _, state = super().new_resource(args)
        if args.typ == "aws:lambda/functionUrl:FunctionUrl":
            state.pop("functionUrl", None)
        if args.typ == "aws:lambda/layerVersion:LayerVersion":  # AWS numbers it on publish
            state.update(arn=f"{state['layerArn']}:{NEW_VERSION}", version=NEW_VERSION)
        if args.typ == "aws:iam/role:Role" and not args.inputs.get("name"):
            state.pop("name", None)
            state.pop("arn", None)
        known = self.stack_outputs.get(args.inputs.get("name", args.name))
        if args.typ == "pulumi:pulumi:StackReference" and not known:
            state.pop("outputs", None)  # unknown: a reference this plan has no placeholder for
        # An empty id is unknown in a preview (what the engine reports for a create).
        return "", state


def plan_spec(spec: AwsLambdaSpec, name: str | None = None) -> Plan:
    """What `AwsLambda(name, spec)` registers (name defaults to `function_name`)."""
    from planton_lambda.resources.component import AwsLambda

    # Values from other resources are placeholders here: checked on a real deploy instead.
    with placeholders_unchecked():
        run = run_mocked(
            lambda: AwsLambda(name or spec.function_name, spec), mocks=_mocks(spec), preview=True
        )
    return _plan(run)


def plan_event_source_mapping(manifest: EventSourceMappingManifest) -> Plan:
    """What Planton's AwsLambdaEventSourceMapping kind creates: the mapping alone."""
    from planton_lambda.resources.mapping import create_event_source_mapping

    with placeholders_unchecked():
        run = run_mocked(
            lambda: create_event_source_mapping(manifest),
            mocks=_mocks(manifest.function_arn, manifest.source),
            preview=True,
        )
    return _plan(run)


def plan_stack(stack: str, project_dir: str | os.PathLike[str] = ".") -> Plan:
    """What the project's program registers with the stack's config, as `pulumi preview -s`."""
    from planton_lambda.load.stack import find_project_dir

    root = find_project_dir(project_dir)
    with placeholders_unchecked():
        run = run_stack_program(root, stack, mocks=_mocks(None), preview=True)
    return _plan(run, stack)


def _mocks(*models: BaseModel | None) -> PlanMocks:
    """Mocks whose computed values read as placeholders, never as real-looking numbers."""
    placeholders: dict[str, dict[str, Any]] = {}
    for ref in (r for m in models if m is not None for r in _references_in(m)):
        placeholders.setdefault(ref.stack, {})[ref.output] = f"(output {ref.output} of {ref.stack})"
    return PlanMocks(
        published_version=NEW_VERSION,
        stack_outputs=placeholders,
        account="<account>",
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


def _plan(run: MockRun[Any], stack: str | None = None) -> Plan:
    names = {r.urn: r.name for r in run.resources}
    resources = [_planned(r, names) for r in run.resources]
    outputs = {
        key: SecretValue(value) if key in run.secret_exports else _display(value, "", frozenset())
        for key, value in run.exports.items()
    }
    return Plan(resources, outputs, stack)


def _planned(resource: RecordedResource, names: Mapping[str, str]) -> PlannedResource:
    return PlannedResource(
        type=resource.type,
        name=resource.name,
        inputs=_display(resource.inputs, "", resource.secrets),
        parent=names.get(resource.parent),
        urn=resource.urn,
        parent_urn=resource.parent if resource.parent in names else "",
        custom=resource.custom,
        replace_on_changes=resource.replace_on_changes,
        delete_before_replace=resource.delete_before_replace,
    )


def _display(value: Any, path: str, secret_paths: frozenset[str]) -> Any:
    """Inputs fit to print: secrets hidden, archives by path, whole numbers as ints."""
    if path in secret_paths:
        return SecretValue(value)
    if isinstance(value, dict):
        return {
            k: _display(v, f"{path}.{k}" if path else k, secret_paths)
            for k, v in sorted(value.items())
        }
    if isinstance(value, list):
        return [_display(v, f"{path}[{i}]", secret_paths) for i, v in enumerate(value)]
    if isinstance(value, pulumi.Archive | pulumi.Asset):
        return _asset_text(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is UNKNOWN:
        return UNKNOWN_TEXT
    return value


def _asset_text(value: pulumi.Archive | pulumi.Asset) -> str:
    kind = "archive" if isinstance(value, pulumi.Archive) else "asset"
    where = getattr(value, "path", None) or getattr(value, "uri", None)
    return f"{kind} {where}" if where else kind


def _jsonable(value: Any) -> Any:
    if isinstance(value, SecretValue):
        return SECRET
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def to_json(plan: Plan) -> str:
    """The resources as `{"type", "name", "inputs"}`; a stack plan ends with the stack itself,
    carrying its `outputs`."""
    items = [r.as_json() for r in plan.resources]
    if plan.stack is not None:
        items.append(
            {
                "type": STACK_TYPE,
                "name": plan.stack,
                "inputs": {},
                "outputs": _jsonable(plan.outputs),
            }
        )
    return json.dumps(items, indent=2)


# -- readable tree -----------------------------------------------------------------------

KEY_INPUTS: dict[str, list[str]] = {
    "aws:cloudwatch/logGroup:LogGroup": ["name", "retentionInDays"],
    "aws:iam/role:Role": ["name", "namePrefix", "assumeRolePolicy", "permissionsBoundary"],
    "aws:iam/rolePolicy:RolePolicy": ["policy"],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["policyArn"],
    "aws:lambda/layerVersion:LayerVersion": [
        "layerName", "compatibleRuntimes", "compatibleArchitectures", "code", "s3Bucket", "s3Key",
    ],
    "aws:lambda/function:Function": [
        "name", "runtime", "handler", "packageType", "imageUri", "s3Bucket", "s3Key",
        "s3ObjectVersion", "code", "codeSha256", "memorySize", "timeout", "ephemeralStorage",
        "architectures", "publish",
        "layers", "environment", "vpcConfig", "reservedConcurrentExecutions", "tracingConfig",
        "deadLetterConfig", "kmsKeyArn", "loggingConfig",
        "fileSystemConfig", "snapStart", "codeSigningConfigArn", "sourceKmsKeyArn",
        "sourceCodeHash",
    ],
    "aws:lambda/alias:Alias": ["name", "functionVersion", "routingConfig"],
    "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig": [
        "qualifier", "provisionedConcurrentExecutions",
    ],
    "aws:lambda/functionUrl:FunctionUrl": ["authorizationType", "qualifier", "invokeMode", "cors"],
    "aws:lambda/permission:Permission": [
        "statementId", "action", "principal", "qualifier", "functionUrlAuthType",
        "invokedViaFunctionUrl", "sourceArn", "sourceAccount", "principalOrgId",
    ],
    "aws:lambda/eventSourceMapping:EventSourceMapping": [
        "functionName", "eventSourceArn", "selfManagedEventSource", "topics", "queues", "enabled",
        "batchSize", "maximumBatchingWindowInSeconds", "startingPosition", "filterCriteria",
        "functionResponseTypes", "scalingConfig", "destinationConfig", "metricsConfig",
        "kmsKeyArn", "region",
    ],
    "aws:scheduler/schedule:Schedule": [
        "name", "scheduleExpression", "scheduleExpressionTimezone", "state", "target",
    ],
    "aws:cloudwatch/eventRule:EventRule": [
        "name", "eventBusName", "eventPattern", "scheduleExpression", "state",
    ],
    "aws:cloudwatch/eventTarget:EventTarget": ["rule", "targetId", "arn", "input"],
    "aws:sns/topicSubscription:TopicSubscription": [
        "topic", "protocol", "endpoint", "filterPolicy",
    ],
    "aws:s3/bucketNotification:BucketNotification": ["bucket", "lambdaFunctions"],
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": [
        "qualifier", "maximumRetryAttempts", "maximumEventAgeInSeconds", "destinationConfig",
    ],
    "aws:lambda/functionRecursionConfig:FunctionRecursionConfig": ["recursiveLoop"],
    "aws:lambda/runtimeManagementConfig:RuntimeManagementConfig": [
        "qualifier", "updateRuntimeOn", "runtimeVersionArn",
    ],
    "pulumi:providers:aws": ["region"],
    "aws:s3/bucketObjectv2:BucketObjectv2": ["bucket", "key", "contentType"],
    "pulumi:pulumi:StackReference": ["name"],
    # Progressive delivery (planton_lambda.resources.delivery).
    "aws:codedeploy/application:Application": ["name", "computePlatform"],
    "aws:codedeploy/deploymentConfig:DeploymentConfig": [
        "deploymentConfigName", "trafficRoutingConfig",
    ],
    "aws:codedeploy/deploymentGroup:DeploymentGroup": [
        "deploymentGroupName", "deploymentConfigName", "deploymentStyle",
        "autoRollbackConfiguration", "alarmConfiguration",
    ],
    "aws:cloudwatch/metricAlarm:MetricAlarm": [
        "name", "metricName", "dimensions", "statistic", "extendedStatistic", "threshold",
        "period", "alarmActions",
    ],
    "pulumi-python:dynamic/planton-lambda:Rollout": [
        "alias", "target_version", "strategy", "deployment_group", "hooks", "wait",
        "timeout_minutes",
    ],
    "pulumi-python:dynamic/planton-lambda:VersionRetention": ["keep"],
}  # fmt: skip

COLOURS = {"+": "32", "-": "31", "~": "33", "+-": "35"}


def paint(mark: str, text: str, colour: bool) -> str:
    return f"\033[{COLOURS[mark]}m{text}\033[0m" if colour and mark in COLOURS else text


def render_tree(plan: Plan, colour: bool = False) -> str:
    children: dict[str, list[PlannedResource]] = {}
    for resource in plan.resources:
        children.setdefault(resource.parent_urn, []).append(resource)
    lines: list[str] = []
    for root in children.get("", []):
        _render(root, children, lines, prefix="", last=True, top=True, colour=colour)
    creates = len(plan.resources)
    lines.append("")
    if plan.outputs:
        lines.append("Outputs:")
        for key, value in plan.outputs.items():
            lines.extend(f"    {path}: {_scalar(leaf)}" for path, leaf in flatten(value, key))
        lines.append("")
    lines.append(f"{creates} resource{'s' if creates != 1 else ''} to create")
    return "\n".join(lines)


def _render(
    resource: PlannedResource,
    children: Mapping[str, list[PlannedResource]],
    lines: list[str],
    *,
    prefix: str,
    last: bool,
    colour: bool,
    top: bool = False,
) -> None:
    branch = "" if top else ("└─ " if last else "├─ ")
    lines.append(f"{prefix}{branch}{paint('+', '+', colour)} {resource.type}  {resource.name}")
    inner = prefix if top else prefix + ("   " if last else "│  ")
    kids = children.get(resource.urn, []) if resource.urn else []
    detail_prefix = inner + ("│  " if kids else "   ")
    for line in key_input_lines(resource):
        lines.append(f"{detail_prefix}{line}")
    for i, kid in enumerate(kids):
        _render(kid, children, lines, prefix=inner, last=i == len(kids) - 1, colour=colour)


def key_input_lines(resource: PlannedResource) -> list[str]:
    keys = KEY_INPUTS.get(resource.type, [])
    lines: list[str] = []
    for key in keys:
        if key not in resource.inputs:
            continue
        value = resource.inputs[key]
        if key in POLICY_KEYS:
            lines.extend(f"{key}: {line}" for line in _policy_summary(value))
            continue
        for path, leaf in flatten(value, key):
            lines.append(f"{path}: {_scalar(leaf)}")
    return lines


def _policy_statements(document: Any) -> list[dict[str, Any]] | None:
    try:
        policy = json.loads(document) if isinstance(document, str) else document
        statements = policy["Statement"]
    except (TypeError, ValueError, KeyError):
        return None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not all(isinstance(s, dict) for s in statements):
        return None
    return statements


def _policy_summary(document: Any) -> list[str]:
    statements = _policy_statements(document)
    if statements is None:
        return [_scalar(document)]
    return [statement_summary(s) for s in statements]


def statement_summary(statement: Mapping[str, Any]) -> str:
    """`Allow logs:PutLogEvents on arn:…` for one IAM statement."""
    actions = _as_list(statement.get("Action") or statement.get("NotAction"))
    target = statement.get("Resource") or statement.get("Principal")
    if isinstance(target, dict):
        target = ", ".join(f"{k}={_scalar(v)}" for k, v in target.items())
    elif isinstance(target, list):
        target = ", ".join(map(str, target))
    text = f"{statement.get('Effect', 'Allow')} {', '.join(actions)} on {target}"
    if statement.get("Condition"):
        text += f" if {json.dumps(statement['Condition'], sort_keys=True)}"
    return text


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(value)] if isinstance(value, str) else [str(v) for v in value]


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
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return json.dumps(_jsonable(value), sort_keys=True)
    return str(value)


# -- comparing two plans ---------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    kind: str  # "add", "remove", "update" or "replace"
    type: str
    name: str
    fields: tuple[tuple[str, Any, Any], ...] = ()  # (path, before, after)
    replaced_by: tuple[str, ...] = ()  # the changed paths that force the replacement


MARKS = {"add": "+", "remove": "-", "update": "~", "replace": "+-"}


def compare(before: Plan, after: Plan) -> list[Change]:
    """What changes from `before` to `after`, resource by resource and field by field, in
    `after`'s order, removals last."""
    old = {r.key: r for r in before.resources}
    new = {r.key: r for r in after.resources}
    changes: list[Change] = []
    for key, resource in new.items():
        if key not in old:
            changes.append(Change("add", resource.type, resource.name))
            continue
        fields = changed_fields(old[key].inputs, resource.inputs)
        if not fields:
            continue
        forcing = forces_replacement(
            resource.type, [path for path, _, _ in fields], resource.replace_on_changes
        )
        kind = "replace" if forcing else "update"
        changes.append(Change(kind, resource.type, resource.name, fields, tuple(forcing)))
    changes.extend(Change("remove", r.type, r.name) for key, r in old.items() if key not in new)
    return changes


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[Any, ...]:
    old = dict(flatten(before, "")) if before else {}
    new = dict(flatten(after, "")) if after else {}
    fields: list[tuple[str, Any, Any]] = []
    for path in sorted(old.keys() | new.keys()):
        key = path.lstrip(".")
        was, now = old.get(path), new.get(path)
        if was == now:
            continue
        if key in POLICY_KEYS:
            statements = policy_changes(key, was, now)
            if statements is not None:
                fields.extend(statements)
                continue
        fields.append((key, was, now))
    return tuple(fields)


def policy_changes(key: str, before: Any, after: Any) -> list[tuple[str, Any, Any]] | None:
    """A policy document's change as one entry per statement added, removed or changed.

    Statements match by `Sid`, then by effect and actions; None when either side is not a
    policy document (then the whole value is shown).
    """
    old = _policy_statements(before) if before is not None else []
    new = _policy_statements(after) if after is not None else []
    if old is None or new is None:
        return None
    old_left = [s for s in old if s not in new]
    new_left = [s for s in new if s not in old]
    pairs: list[tuple[dict[str, Any] | None, dict[str, Any] | None]] = []
    for match in (_sid, _effect_and_actions):
        for statement in list(new_left):
            twin = next((s for s in old_left if match(s) and match(s) == match(statement)), None)
            if twin is not None:
                pairs.append((twin, statement))
                old_left.remove(twin)
                new_left.remove(statement)
    pairs.extend((s, None) for s in old_left)
    pairs.extend((None, s) for s in new_left)
    return [(f"{key}.Statement[{_label(was or now or {})}]", was, now) for was, now in pairs]


def _sid(statement: Mapping[str, Any]) -> str:
    return str(statement.get("Sid") or "")


def _effect_and_actions(statement: Mapping[str, Any]) -> str:
    actions = sorted(_as_list(statement.get("Action") or statement.get("NotAction")))
    return f"{statement.get('Effect', 'Allow')} {', '.join(actions)}"


def _label(statement: Mapping[str, Any]) -> str:
    return _sid(statement) or _effect_and_actions(statement)


def render_changes(changes: list[Change], colour: bool = False) -> str:
    if not changes:
        return "no changes"
    lines = []
    for change in changes:
        mark = MARKS[change.kind]
        lines.append(f"{paint(mark, mark, colour)} {change.type}  {change.name}")
        for path, before, after in change.fields:
            forced = "  (forces replacement)" if path in change.replaced_by else ""
            lines.append(f"    {path}: {_change_text(before)} → {_change_text(after)}{forced}")
    counts = {kind: sum(c.kind == kind for c in changes) for kind in MARKS}
    lines.append("")
    lines.append(
        f"{counts['add']} to add, {counts['update']} to update, "
        f"{counts['replace']} to replace, {counts['remove']} to remove"
    )
    return "\n".join(lines)


def _change_text(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, dict) and ("Effect" in value or "Action" in value):
        return statement_summary(value)
    return _scalar(value)


def changes_json(changes: list[Change]) -> str:
    items = []
    for change in changes:
        item: dict[str, Any] = {"action": change.kind, "type": change.type, "name": change.name}
        item["fields"] = [
            {"path": p, "before": _jsonable(b), "after": _jsonable(a)} for p, b, a in change.fields
        ]
        if change.replaced_by:
            item["replaced_by"] = list(change.replaced_by)
        items.append(item)
    return json.dumps(items, indent=2)
