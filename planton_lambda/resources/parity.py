"""Resources and role statements of the Project Planton v1 fields (planton_lambda.spec.parity).

Function arguments (EFS, SnapStart, log levels, code signing, source key, source hash), the
existing log group's ARN, the execution role's statements for EFS and the asynchronous
destinations, and the function's satellites: invoke permissions, asynchronous invocation
configs (function and per alias), recursion and runtime management configs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from planton_lambda.resources.resolve import References
from planton_lambda.spec.function import AwsLambdaSpec
from planton_lambda.spec.parity import (
    AsyncInvokeConfig,
    access_point_problem,
    destination_kind,
    on_failure_problem,
    on_success_problem,
    reference_checks,
    source_arn_problem,
)

# Lambda mounts the file system as the execution role: it needs ClientMount, and ClientWrite
# unless the mount is read-only (https://docs.aws.amazon.com/lambda/latest/dg/
# configuration-filesystem.html, "Execution role permissions": these two, "included in the
# AmazonElasticFileSystemClientReadWriteAccess managed policy"). ClientRootAccess is not
# among them: it is AmazonElasticFileSystemClientFullAccess's addition, for NFS clients that
# act as root, and Lambda mounts through an access point that imposes its POSIX user.
EFS_ACTIONS = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
# What the execution role needs per destination type (https://docs.aws.amazon.com/lambda/
# latest/dg/invocation-async-retain-records.html, the table of destination types and their
# "required permissions"; S3: s3:PutObject and s3:ListBucket, as kafka-on-failure.html lists
# for S3 on-failure destinations too).
_DESTINATION_SIDS = {
    "sqs": ("SendToAsyncQueues", ["sqs:SendMessage"]),
    "sns": ("PublishToAsyncTopics", ["sns:Publish"]),
    "lambda": ("InvokeAsyncFunctions", ["lambda:InvokeFunction"]),
    "events": ("PutAsyncEvents", ["events:PutEvents"]),
    "s3": ("WriteAsyncFailuresToS3", ["s3:PutObject"]),
}
S3_LIST_SID = "ListAsyncFailureBuckets"


def _input(value: Any) -> pulumi.Input[str]:
    return value  # type: ignore[no-any-return]


@dataclass
class ResolvedInputs:
    """The new reference fields as Pulumi inputs (Outputs checked once they resolve)."""

    access_point_arn: pulumi.Input[str] | None
    log_group_name: pulumi.Input[str] | None
    references: dict[str, pulumi.Input[str] | None]
    async_configs: list[AsyncConfig]

    @property
    def destinations(self) -> list[pulumi.Input[str]]:
        """Every asynchronous destination, whichever config names it."""
        return [arn for _, _, arns in self.async_configs for arn in arns.values()]


# (alias or None for the function, the config, {destination field: its input})
AsyncConfig = tuple[str | None, AsyncInvokeConfig, dict[str, pulumi.Input[str]]]


def resolve_inputs(spec: AwsLambdaSpec, refs: References) -> ResolvedInputs:
    fs = spec.file_system_config
    access_point = (
        refs.resolve(fs.access_point_arn, ("file_system_config", "access_point_arn"),
                     access_point_problem)
        if fs is not None
        else None
    )  # fmt: skip
    references = {
        field: refs.resolve(ref, (field,), check) if (ref := getattr(spec, field)) else None
        for field, check in reference_checks().items()
    }
    return ResolvedInputs(
        access_point_arn=access_point,
        log_group_name=references.pop("log_group"),
        references=references,
        async_configs=async_configs(spec, refs),
    )


def async_configs(spec: AwsLambdaSpec, refs: References) -> list[AsyncConfig]:
    """The function's asynchronous invocation config, then each alias's."""
    places: list[tuple[str | None, tuple[str | int, ...], AsyncInvokeConfig | None]] = [
        (None, ("async_invoke_config",), spec.async_invoke_config),
        *(
            (alias.name, ("aliases", i, "async_invoke_config"), alias.async_invoke_config)
            for i, alias in enumerate(spec.aliases)
        ),
    ]
    found: list[AsyncConfig] = []
    for alias, loc, config in places:
        if config is None:
            continue
        arns = {
            field: refs.resolve(
                ref,
                (*loc, field),
                on_success_problem if field.startswith("on_success") else on_failure_problem,
            )
            for field, ref in config.destinations()
        }
        found.append((alias, config, arns))
    return found


def existing_log_group_arn(name: pulumi.Input[str], parent: pulumi.Resource) -> pulumi.Output[str]:
    """The ARN of a log group the function writes to but the component does not create.

    Looked up under the component's provider (its region and account), so the role is granted
    on that one log group only.
    """
    invoke = pulumi.InvokeOptions(parent=parent)
    partition = aws.get_partition_output(opts=invoke).partition
    region = aws.get_region_output(opts=invoke).region
    account = aws.get_caller_identity_output(opts=invoke).account_id
    return pulumi.Output.all(partition, region, account, name).apply(
        lambda p: f"arn:{p[0]}:logs:{p[1]}:{p[2]}:log-group:{p[3]}"
    )


def role_statements(inputs: ResolvedInputs) -> pulumi.Input[list[dict[str, Any]]]:
    """The execution role's statements for EFS and the asynchronous destinations."""
    if inputs.access_point_arn is None and not inputs.destinations:
        return []  # the common case: nothing to resolve
    return pulumi.Output.all(inputs.access_point_arn, *inputs.destinations).apply(
        lambda resolved: statements_for(resolved[0], resolved[1:])
    )


def statements_for(
    access_point_arn: str | None, destinations: Sequence[str]
) -> list[dict[str, Any]]:
    """Least privilege: EFS client actions on that access point's file system only, and
    send/publish/invoke/put on exactly the destinations."""
    statements: list[dict[str, Any]] = []
    if access_point_arn:
        statements.append(_efs_statement(access_point_arn))
    by_kind: dict[str, list[str]] = {}
    for arn in destinations:
        kind = destination_kind(arn)
        if kind is not None and arn not in by_kind.setdefault(kind, []):
            by_kind[kind].append(arn)
    for kind, arns in by_kind.items():
        sid, actions = _DESTINATION_SIDS[kind]
        # s3:PutObject authorizes on the object ARN (<bucket>/<key>), s3:ListBucket on the
        # bucket ARN (Service Authorization Reference, Amazon S3: resource types `object`
        # and `bucket`); Lambda writes the records under its own keys, so every key.
        resources = [f"{arn}/*" for arn in arns] if kind == "s3" else arns
        statements.append(_allow(sid, actions, resources))
        if kind == "s3":
            statements.append(_allow(S3_LIST_SID, ["s3:ListBucket"], arns))
    return statements


def _efs_statement(access_point_arn: str) -> dict[str, Any]:
    # The access point ARN does not name its file system; the file systems of the access
    # point's region and account (an access point belongs to a file system of its own account
    # and region), narrowed by the elasticfilesystem:AccessPointArn condition key, grant the
    # mount through that access point only. ClientMount and ClientWrite take the resource
    # type `file-system` and that condition key (Service Authorization Reference, Amazon
    # Elastic File System); this is AWS's own pattern (https://docs.aws.amazon.com/efs/latest/
    # ug/access-points-iam-policy.html: Resource file-system/*, StringEquals
    # elasticfilesystem:AccessPointArn).
    partition, region, account = access_point_arn.split(":")[1:2] + access_point_arn.split(":")[3:5]
    return {
        "Sid": "MountFileSystem",
        "Effect": "Allow",
        "Action": EFS_ACTIONS,
        "Resource": f"arn:{partition}:elasticfilesystem:{region}:{account}:file-system/*",
        "Condition": {"StringEquals": {"elasticfilesystem:AccessPointArn": access_point_arn}},
    }


def _allow(sid: str, actions: list[str], resources: list[str]) -> dict[str, Any]:
    resource: str | list[str] = resources[0] if len(resources) == 1 else resources
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}


def function_args(spec: AwsLambdaSpec, inputs: ResolvedInputs) -> dict[str, Any]:
    """The `aws.lambda_.Function` arguments of the new fields (None: AWS's default)."""
    fs = spec.file_system_config
    return {
        "file_system_config": aws.lambda_.FunctionFileSystemConfigArgs(
            arn=_input(inputs.access_point_arn), local_mount_path=fs.local_mount_path
        )
        if fs is not None
        else None,
        "snap_start": aws.lambda_.FunctionSnapStartArgs(apply_on="PublishedVersions")
        if spec.snap_start
        else None,
        "code_signing_config_arn": inputs.references["code_signing_config_arn"],
        "source_kms_key_arn": inputs.references["source_kms_key_arn"],
        "source_code_hash": spec.source_code_hash,
    }


def logging_levels(spec: AwsLambdaSpec) -> dict[str, Any]:
    """The log levels of `aws.lambda_.FunctionLoggingConfigArgs` (JSON logs only)."""
    return {
        "application_log_level": spec.application_log_level,
        "system_log_level": spec.system_log_level,
    }


@dataclass
class Satellites:
    permissions: dict[str, aws.lambda_.Permission]
    async_configs: dict[str, aws.lambda_.FunctionEventInvokeConfig]
    recursion: aws.lambda_.FunctionRecursionConfig | None
    runtime_management: aws.lambda_.RuntimeManagementConfig | None
    # The same config on the version this deploy publishes (see _runtime_management).
    published_runtime_management: aws.lambda_.RuntimeManagementConfig | None = None


def create_satellites(
    name: str,
    spec: AwsLambdaSpec,
    function: aws.lambda_.Function,
    aliases: dict[str, aws.lambda_.Alias],
    inputs: ResolvedInputs,
    refs: References,
    parent: pulumi.Resource,
) -> Satellites:
    # Deleting the function deletes its policy and configs with it.
    child = pulumi.ResourceOptions(parent=parent, deleted_with=function)
    permissions = {}
    for i, permission in enumerate(spec.invoke_permissions):
        source_arn = (
            refs.resolve(permission.source_arn, ("invoke_permissions", i, "source_arn"),
                         source_arn_problem)
            if permission.source_arn is not None
            else None
        )  # fmt: skip
        permissions[permission.statement_id] = aws.lambda_.Permission(
            f"{name}-permission-{permission.statement_id}",
            function=function.name,
            # An alias, never a pinned version: invocations follow the alias.
            qualifier=aliases[permission.alias].name if permission.alias else None,
            statement_id=permission.statement_id,
            action=permission.action,
            principal=permission.principal,
            source_arn=source_arn,
            source_account=permission.source_account,
            principal_org_id=permission.principal_org_id,
            function_url_auth_type=permission.function_url_auth_type,
            opts=child,
        )
    configs = {}
    for alias, config, arns in inputs.async_configs:
        key = alias or "$function"
        configs[key] = aws.lambda_.FunctionEventInvokeConfig(
            f"{name}-{alias}-async" if alias else f"{name}-async",
            function_name=function.name,
            qualifier=aliases[alias].name if alias else None,
            maximum_retry_attempts=config.maximum_retry_attempts,
            maximum_event_age_in_seconds=config.maximum_event_age_seconds,
            destination_config=_destinations(arns),
            opts=child,
        )
    # Terminate is AWS's default, and deleting the config restores it (FunctionRecursionConfig
    # docs): only Allow needs the resource.
    recursion = (
        aws.lambda_.FunctionRecursionConfig(
            f"{name}-recursion", function_name=function.name, recursive_loop="Allow", opts=child
        )
        if spec.recursive_loop == "Allow"
        else None
    )
    latest, published = _runtime_management(name, spec, function, child)
    return Satellites(permissions, configs, recursion, latest, published)


def _runtime_management(
    name: str, spec: AwsLambdaSpec, function: aws.lambda_.Function, child: pulumi.ResourceOptions
) -> tuple[aws.lambda_.RuntimeManagementConfig | None, aws.lambda_.RuntimeManagementConfig | None]:
    """The runtime management config of $LATEST, and of the version this deploy publishes.

    A published version is a copy of $LATEST and keeps its own runtime update mode (Auto
    versions move to new runtime versions, FunctionUpdate and Manual ones do not:
    https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html), and
    PutRuntimeManagementConfig takes `$LATEST` or a published version number as qualifier
    (botocore lambda model). The function publishes before $LATEST's config can exist (first
    deploy) or change (a deploy changing both), so that version would keep the old mode: the
    config is also put on `function.version`. A new version replaces that resource (qualifier
    forces replacement); `retain_on_delete` keeps the replaced one from resetting the older
    version to Auto (the provider's delete puts Auto), so each version keeps the mode it was
    published with.
    """
    management = spec.runtime_management
    if management is None:
        return None, None
    settings = {
        "function_name": function.name,
        "update_runtime_on": management.update_runtime_on,
        "runtime_version_arn": management.runtime_version_arn,
    }
    latest = aws.lambda_.RuntimeManagementConfig(
        f"{name}-runtime-management", **settings, opts=child
    )
    if not spec.publishes:
        return latest, None
    published = aws.lambda_.RuntimeManagementConfig(
        f"{name}-runtime-management-published",
        **settings,
        qualifier=function.version,
        opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(retain_on_delete=True)),
    )
    return latest, published


def _destinations(
    arns: dict[str, pulumi.Input[str]],
) -> aws.lambda_.FunctionEventInvokeConfigDestinationConfigArgs | None:
    if not arns:
        return None
    success = arns.get("on_success_destination_arn")
    failure = arns.get("on_failure_destination_arn")
    return aws.lambda_.FunctionEventInvokeConfigDestinationConfigArgs(
        on_success=aws.lambda_.FunctionEventInvokeConfigDestinationConfigOnSuccessArgs(
            destination=success
        )
        if success is not None
        else None,
        on_failure=aws.lambda_.FunctionEventInvokeConfigDestinationConfigOnFailureArgs(
            destination=failure
        )
        if failure is not None
        else None,
    )
