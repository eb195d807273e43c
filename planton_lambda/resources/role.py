"""The function's execution role: trust Lambda only, allow only what the spec uses."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from planton_lambda.resources import deferred
from planton_lambda.spec.function import AwsLambdaSpec
from planton_lambda.spec.iam import EXECUTION_SIDS, RoleOptions, resource_problem

# IAM role names are at most 64 characters (botocore iam roleNameType); with `name_prefix` the
# provider appends a 26-character unique suffix, so a prefix is at most 38 (the provider's own
# limit for aws_iam_role name_prefix). Unique names also let a replacement be created first.
ROLE_NAME_MAX = 64
ROLE_NAME_SUFFIX = 26
ROLE_PREFIX_MAX = ROLE_NAME_MAX - ROLE_NAME_SUFFIX
# The inline policy's name is scoped to its role, so a fixed one never collides.
EXECUTION_POLICY_NAME = "lambda-execution"
LOGS_SID, VPC_SID, XRAY_SID, DEAD_LETTER_SID, KMS_SID = EXECUTION_SIDS

TRUST_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}

# Lambda creates and deletes the Hyperplane ENIs in the function's subnets itself, and
# Describe* admits no resource narrower than "*": this is AWS's own
# AWSLambdaVPCAccessExecutionRole, and it applies only to functions with subnets.
VPC_ACTIONS = [
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
]
# X-Ray has no resource-level permissions: "*" is the only resource it accepts.
XRAY_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]


@dataclass(frozen=True)
class PolicyInputs:
    """The resolved values the execution policy is written from."""

    log_group_arn: str
    vpc: bool = False
    active_tracing: bool = False
    dead_letter_target_arn: str | None = None
    kms_key_arn: str | None = None
    extra_statements: list[dict[str, Any]] = field(default_factory=list)


def execution_policy(inputs: PolicyInputs) -> dict[str, Any]:
    """The inline policy document: each statement exists only when the spec needs it."""
    statements: list[dict[str, Any]] = [
        _allow(LOGS_SID, ["logs:CreateLogStream", "logs:PutLogEvents"],
               f"{inputs.log_group_arn}:*"),
    ]  # fmt: skip
    if inputs.vpc:
        statements.append(_allow(VPC_SID, VPC_ACTIONS, "*"))
    if inputs.active_tracing:
        statements.append(_allow(XRAY_SID, XRAY_ACTIONS, "*"))
    if inputs.dead_letter_target_arn:
        statements.append(
            _allow(DEAD_LETTER_SID, [_dead_letter_action(inputs.dead_letter_target_arn)],
                   inputs.dead_letter_target_arn)
        )  # fmt: skip
    if inputs.kms_key_arn:
        statements.append(_allow(KMS_SID, ["kms:Decrypt"], inputs.kms_key_arn))
    statements.extend(inputs.extra_statements)
    return {"Version": "2012-10-17", "Statement": statements}


def _allow(sid: str, actions: list[str], resource: str) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}


def _dead_letter_action(arn: str) -> str:
    return "sns:Publish" if arn.split(":")[2:3] == ["sns"] else "sqs:SendMessage"


@dataclass
class ExecutionRole:
    role: aws.iam.Role
    # The function must wait for these, or Lambda may check a role without its permissions.
    grants: list[pulumi.Resource]


def create_execution_role(
    name: str,
    spec: AwsLambdaSpec,
    *,
    log_group_arn: pulumi.Input[str],
    dead_letter_target_arn: pulumi.Input[str] | None,
    kms_key_arn: pulumi.Input[str] | None,
    parent: pulumi.Resource,
    source_statements: pulumi.Input[list[dict[str, Any]]] | None = None,
    more_statements: pulumi.Input[list[dict[str, Any]]] | None = None,
) -> ExecutionRole:
    options = spec.role
    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(
        f"{name}-role",
        name_prefix=role_name_prefix(spec.function_name),
        assume_role_policy=json.dumps(TRUST_POLICY),
        description=f"Execution role of Lambda function {spec.function_name}",
        permissions_boundary=options.permissions_boundary_arn if options else None,
        tags=deferred.tags(spec.tags),
        opts=child,
    )
    # Statement groups, resolved with the rest (a statement may hold another resource's ARN):
    # the component's own further statements, the user's, then the event sources' reads.
    groups = [
        more_statements or [],
        _statements(options) if options else [],
        source_statements or [],
    ]
    policy = pulumi.Output.all(log_group_arn, dead_letter_target_arn, kms_key_arn, *groups).apply(
        lambda resolved: json.dumps(
            execution_policy(
                PolicyInputs(
                    log_group_arn=resolved[0],
                    vpc=bool(spec.subnets),
                    active_tracing=spec.tracing == "Active",
                    dead_letter_target_arn=resolved[1],
                    kms_key_arn=resolved[2],
                    extra_statements=[s for group in resolved[3:] for s in group],
                )
            )
        )
    )
    grants: list[pulumi.Resource] = [
        aws.iam.RolePolicy(
            f"{name}-role-policy",
            name=EXECUTION_POLICY_NAME,
            role=role.id,
            policy=policy,
            opts=child,
        )
    ]
    for arn in options.managed_policy_arns if options else []:
        grants.append(
            aws.iam.RolePolicyAttachment(
                f"{name}-role-{_policy_slug(arn)}", role=role.name, policy_arn=arn, opts=child
            )
        )
    return ExecutionRole(role, grants)


def _statements(options: RoleOptions) -> list[dict[str, Any]]:
    """The user's statements, each Output resource checked once it resolves."""
    documents = []
    for i, statement in enumerate(options.policy_statements):
        document = statement.document()
        resources = document["Resource"]
        loc = ("role", "policy_statements", i, "Resource")
        if isinstance(resources, list):
            document["Resource"] = [deferred.checked(r, loc, resource_problem) for r in resources]
        else:
            document["Resource"] = deferred.checked(resources, loc, resource_problem)
        documents.append(document)
    return documents


def role_name_prefix(function_name: str) -> str:
    """`<function_name>-`, cut to fit: the role's name is this plus the provider's suffix."""
    return f"{function_name[: ROLE_PREFIX_MAX - 1]}-"


def _policy_slug(arn: str) -> str:
    """A stable child name per policy ARN, so reordering the list replaces nothing."""
    account = arn.split(":")[4]
    policy = arn.split(":policy/", 1)[-1]
    owner = "" if account == "aws" else f"{account}-"
    return re.sub(r"[^A-Za-z0-9_-]+", "-", owner + policy).strip("-")
