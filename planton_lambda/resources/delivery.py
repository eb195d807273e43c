"""Progressive delivery on AWS CodeDeploy, CloudWatch alarms and version retention.

Per component with any `aliases[].deployment`: one CodeDeploy application (compute platform
Lambda) and one CodeDeploy service role. Per such alias: a deployment group (blue/green with
traffic control, automatic rollback), a DeploymentConfig when the strategy is custom, the
rollback alarms on the alias, and the rollout (planton_lambda.rollout.provider). `monitoring`
adds alarms on the function and on each alias; `keep_versions` adds the retention step.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
from pulumi import dynamic

from planton_lambda.resources.resolve import References
from planton_lambda.rollout.provider import RetentionProvider, RolloutProvider
from planton_lambda.spec.alias import AliasSpec
from planton_lambda.spec.delivery import (
    DeploymentSpec,
    alarm_name_problem,
    application_name,
    custom_config_name,
    deployment_group_name,
    hook_function_name,
    hook_problem,
    topic_problem,
)
from planton_lambda.spec.function import AwsLambdaSpec

# AWS's managed policy for CodeDeploy's Lambda deployments (https://docs.aws.amazon.com/
# codedeploy/latest/userguide/getting-started-create-service-role.html; its statements:
# cloudwatch:DescribeAlarms, lambda:UpdateAlias/GetAlias/GetProvisionedConcurrencyConfig,
# sns:Publish, s3:GetObject(Version) on CodeDeploy's buckets, lambda:InvokeFunction on
# functions named CodeDeployHook_*). Our hooks may have any name: the role also gets
# lambda:InvokeFunction on exactly those.
MANAGED_POLICY = "iam::aws:policy/service-role/AWSCodeDeployRoleForLambda"
CODEDEPLOY_PRINCIPAL = "codedeploy.amazonaws.com"
# AutoRollbackEvent (codedeploy service-2.json). Stop-on-alarm only when alarms are listed.
ROLLBACK_EVENTS = ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST"]
ALARM_EVENT = "DEPLOYMENT_STOP_ON_ALARM"
# The CloudWatch metrics of an alias carry the dimensions FunctionName and Resource
# (`<function>:<alias>`): https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
# kind -> (metric, statistic or extended statistic)
METRICS = {
    "errors": ("Errors", "Sum"),
    "throttles": ("Throttles", "Sum"),
    "duration-p99": ("Duration", "p99"),
}


class Rollout(dynamic.Resource, module="planton-lambda", name="Rollout"):
    """Shifts an alias to the version this deploy published, through CodeDeploy."""

    deployment_id: pulumi.Output[str]
    status: pulumi.Output[str]

    def __init__(
        self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None
    ) -> None:
        outputs = {"deployment_id": None, "status": None, "previous_version": None}
        super().__init__(RolloutProvider(), name, {**props, **outputs}, opts)


class VersionRetention(dynamic.Resource, module="planton-lambda", name="VersionRetention"):
    """Deletes published versions beyond the newest `keep` that nothing uses."""

    deleted: pulumi.Output[list[str]]

    def __init__(
        self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(RetentionProvider(), name, {**props, "deleted": None}, opts)


@dataclass
class Delivery:
    application: aws.codedeploy.Application | None = None
    role: aws.iam.Role | None = None
    groups: dict[str, aws.codedeploy.DeploymentGroup] = field(default_factory=dict)
    configs: dict[str, aws.codedeploy.DeploymentConfig] = field(default_factory=dict)
    alarms: dict[str, aws.cloudwatch.MetricAlarm] = field(default_factory=dict)
    rollouts: dict[str, Rollout] = field(default_factory=dict)
    retention: VersionRetention | None = None


@dataclass
class _Context:
    name: str
    spec: AwsLambdaSpec
    function: aws.lambda_.Function
    aliases: dict[str, aws.lambda_.Alias]
    refs: References
    parent: pulumi.Resource

    def opts(self, **more: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self.parent, **more)


def create_delivery(
    name: str,
    spec: AwsLambdaSpec,
    function: aws.lambda_.Function,
    aliases: dict[str, aws.lambda_.Alias],
    refs: References,
    parent: pulumi.Resource,
    after: list[pulumi.Resource],
) -> Delivery:
    """Every delivery resource; `after` are what a rollout must follow (provisioned
    concurrency, event sources, permissions on the aliases)."""
    ctx = _Context(name, spec, function, aliases, refs, parent)
    delivery = Delivery()
    deployed = [(i, a) for i, a in enumerate(spec.aliases) if a.deployment is not None]
    if deployed:
        delivery.application = aws.codedeploy.Application(
            f"{name}-codedeploy",
            name=application_name(spec.function_name),
            compute_platform="Lambda",
            tags=spec.tags or None,
            # A fixed name: a replacement (compute platform) must delete the old one first.
            opts=ctx.opts(delete_before_replace=True),
        )
        hooks = _hook_arns(ctx, deployed)
        delivery.role, grants = _service_role(ctx, hooks)
        for index, alias in deployed:
            _deployment(ctx, delivery, index, alias, grants, after)
    if spec.monitoring is not None:
        _monitoring(ctx, delivery)
    if spec.keep_versions is not None:
        delivery.retention = _retention(ctx, delivery, after)
    return delivery


def _hook_arns(ctx: _Context, deployed: list[tuple[int, AliasSpec]]) -> list[pulumi.Output[str]]:
    """The ARN of every hook function, each checked once it resolves."""
    invoke = pulumi.InvokeOptions(parent=ctx.parent)
    prefix = pulumi.Output.all(
        aws.get_partition_output(opts=invoke).partition,
        aws.get_region_output(opts=invoke).region,
        aws.get_caller_identity_output(opts=invoke).account_id,
    ).apply(lambda p: f"arn:{p[0]}:lambda:{p[1]}:{p[2]}:function:")
    arns = []
    for index, alias in deployed:
        deployment = alias.deployment
        assert deployment is not None
        for field_name, ref in _hook_fields(deployment):
            loc = ("aliases", index, "deployment", field_name)
            value = ctx.refs.resolve(ref, loc, hook_problem)
            arns.append(
                pulumi.Output.all(prefix, value).apply(
                    lambda p: p[1] if p[1].startswith("arn:") else f"{p[0]}{p[1]}"
                )
            )
    return arns


def _hook_fields(deployment: DeploymentSpec) -> list[tuple[str, Any]]:
    return [
        (name, ref)
        for name, ref in (
            ("before_allow_traffic_hook", deployment.before_allow_traffic_hook),
            ("after_allow_traffic_hook", deployment.after_allow_traffic_hook),
        )
        if ref is not None
    ]


def _service_role(
    ctx: _Context, hook_arns: list[pulumi.Output[str]]
) -> tuple[aws.iam.Role, list[pulumi.Resource]]:
    """CodeDeploy's role: AWS's managed Lambda policy, plus invoke on the hooks only."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": CODEDEPLOY_PRINCIPAL},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = aws.iam.Role(
        f"{ctx.name}-codedeploy-role",
        assume_role_policy=json.dumps(trust),
        description=f"CodeDeploy deployments of {ctx.spec.function_name}",
        tags=ctx.spec.tags or None,
        opts=ctx.opts(),
    )
    partition = aws.get_partition_output(opts=pulumi.InvokeOptions(parent=ctx.parent)).partition
    grants: list[pulumi.Resource] = [
        aws.iam.RolePolicyAttachment(
            f"{ctx.name}-codedeploy-lambda",
            role=role.name,
            policy_arn=partition.apply(lambda p: f"arn:{p}:{MANAGED_POLICY}"),
            opts=ctx.opts(),
        )
    ]
    if hook_arns:
        policy = pulumi.Output.all(*hook_arns).apply(
            lambda arns: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "InvokeDeploymentHooks",
                            "Effect": "Allow",
                            "Action": "lambda:InvokeFunction",
                            "Resource": sorted(set(arns)),
                        }
                    ],
                }
            )
        )
        grants.append(
            aws.iam.RolePolicy(
                f"{ctx.name}-codedeploy-hooks", role=role.id, policy=policy, opts=ctx.opts()
            )
        )
    return role, grants


def _deployment(
    ctx: _Context,
    delivery: Delivery,
    index: int,
    alias: AliasSpec,
    grants: list[pulumi.Resource],
    after: list[pulumi.Resource],
) -> None:
    deployment = alias.deployment
    assert deployment is not None and delivery.application and delivery.role
    strategy = deployment.resolved_strategy()
    key = f"{ctx.name}-{alias.name}"
    config_name: pulumi.Input[str]
    if strategy.config_name is not None:
        config_name = strategy.config_name
    else:
        routing = (
            aws.codedeploy.DeploymentConfigTrafficRoutingConfigArgs(
                type="TimeBasedCanary",
                time_based_canary=aws.codedeploy.DeploymentConfigTrafficRoutingConfigTimeBasedCanaryArgs(
                    percentage=strategy.percentage, interval=strategy.interval_minutes
                ),
            )
            if strategy.kind == "canary"
            else aws.codedeploy.DeploymentConfigTrafficRoutingConfigArgs(
                type="TimeBasedLinear",
                time_based_linear=aws.codedeploy.DeploymentConfigTrafficRoutingConfigTimeBasedLinearArgs(
                    percentage=strategy.percentage, interval=strategy.interval_minutes
                ),
            )
        )
        config = aws.codedeploy.DeploymentConfig(
            f"{key}-deployment-config",
            # The name follows every setting: a change creates a config of another name
            # first, moves the group to it, then deletes the old one (no collision).
            deployment_config_name=custom_config_name(ctx.spec.function_name, alias.name, strategy),
            compute_platform="Lambda",
            traffic_routing_config=routing,
            opts=ctx.opts(),
        )
        delivery.configs[alias.name] = config
        config_name = config.deployment_config_name
    alarm_names: list[pulumi.Input[str]] = [
        ctx.refs.resolve(ref, ("aliases", index, "deployment", "alarms", i), alarm_name_problem)
        for i, ref in enumerate(deployment.alarms)
    ]
    rollback = deployment.rollback_alarms
    thresholds = {
        "errors": 1 if rollback.errors else None,
        "throttles": 1 if rollback.throttles else None,
        "duration-p99": rollback.duration_p99_ms,
    }
    for kind, threshold in thresholds.items():
        if threshold is None:
            continue
        alarm = _alarm(
            ctx, f"{key}-{kind}-rollback", f"{alias.name}-{kind}-rollback", kind, threshold,
            minutes=1, alias=alias.name, description=f"rolls back deployments of {alias.name}",
        )  # fmt: skip
        delivery.alarms[f"{alias.name}-{kind}-rollback"] = alarm
        alarm_names.append(alarm.name)
    rollback_events = [*ROLLBACK_EVENTS, *([ALARM_EVENT] if alarm_names else [])]
    group = aws.codedeploy.DeploymentGroup(
        f"{key}-deployment-group",
        app_name=delivery.application.name,
        deployment_group_name=deployment_group_name(alias.name),
        service_role_arn=delivery.role.arn,
        deployment_config_name=config_name,
        deployment_style=aws.codedeploy.DeploymentGroupDeploymentStyleArgs(
            deployment_option="WITH_TRAFFIC_CONTROL", deployment_type="BLUE_GREEN"
        ),
        auto_rollback_configuration=aws.codedeploy.DeploymentGroupAutoRollbackConfigurationArgs(
            enabled=True, events=rollback_events
        ),
        alarm_configuration=aws.codedeploy.DeploymentGroupAlarmConfigurationArgs(
            enabled=True, alarms=alarm_names
        )
        if alarm_names
        else None,
        tags=ctx.spec.tags or None,
        # The name is fixed (the CLI finds the group by it): a replacement deletes first.
        opts=ctx.opts(depends_on=grants, delete_before_replace=True),
    )
    delivery.groups[alias.name] = group
    events = {"before_allow_traffic_hook": "BeforeAllowTraffic"}
    hooks = {
        events.get(f, "AfterAllowTraffic"): ctx.refs.resolve(
            ref, ("aliases", index, "deployment", f), hook_problem
        )
        for f, ref in _hook_fields(deployment)
    }
    delivery.rollouts[alias.name] = Rollout(
        f"{key}-rollout",
        {
            "function_name": ctx.function.name,
            "function_arn": ctx.function.arn,
            "alias": ctx.aliases[alias.name].name,
            "target_version": ctx.function.version,
            "application": delivery.application.name,
            "deployment_group": group.deployment_group_name,
            "hooks": {
                event: pulumi.Output.from_input(value).apply(hook_function_name)
                for event, value in hooks.items()
            },
            "strategy": strategy.config_name or config_name,
            "wait": deployment.wait,
            "timeout_minutes": deployment.timeout_minutes,
        },
        ctx.opts(depends_on=[ctx.aliases[alias.name], group, *grants, *after]),
    )


def _alarm(
    ctx: _Context,
    resource_name: str,
    suffix: str,
    kind: str,
    threshold: int,
    *,
    minutes: int,
    alias: str | None,
    description: str,
    actions: list[pulumi.Input[str]] | None = None,
) -> aws.cloudwatch.MetricAlarm:
    metric, statistic = METRICS[kind]
    dimensions: dict[str, pulumi.Input[str]] = {"FunctionName": ctx.function.name}
    if alias is not None:
        dimensions["Resource"] = ctx.function.name.apply(lambda fn: f"{fn}:{alias}")
    percentile = statistic.startswith("p")
    return aws.cloudwatch.MetricAlarm(
        resource_name,
        # AlarmName: 1-255 characters; function (64) and alias (128) names keep it under that.
        name=f"{ctx.spec.function_name}-{suffix}",
        alarm_description=f"{ctx.spec.function_name}: {description}",
        namespace="AWS/Lambda",
        metric_name=metric,
        dimensions=dimensions,
        statistic=None if percentile else statistic,
        extended_statistic=statistic if percentile else None,
        period=60 * minutes,
        evaluation_periods=1,
        threshold=threshold,
        comparison_operator="GreaterThanOrEqualToThreshold",
        # No invocations is no error: an idle alias must not hold a deployment back.
        treat_missing_data="notBreaching",
        alarm_actions=actions or None,
        tags=ctx.spec.tags or None,
        # A fixed name: a replacement deletes the old alarm first.
        opts=ctx.opts(delete_before_replace=True),
    )


def _monitoring(ctx: _Context, delivery: Delivery) -> None:
    monitoring = ctx.spec.monitoring
    assert monitoring is not None
    topics: list[pulumi.Input[str]] = [
        ctx.refs.resolve(ref, ("monitoring", "notify_topic_arns", i), topic_problem)
        for i, ref in enumerate(monitoring.notify_topic_arns)
    ]
    minutes = monitoring.alarms.evaluation_minutes
    targets: list[str | None] = [None, *(alias.name for alias in ctx.spec.aliases)]
    for alias in targets:
        for kind, threshold in monitoring.alarms.thresholds().items():
            where = f"{alias}-{kind}" if alias else kind
            delivery.alarms[where] = _alarm(
                ctx, f"{ctx.name}-{where}-alarm", where, kind, threshold, minutes=minutes,
                alias=alias, description=f"{kind} of {alias or 'the function'}", actions=topics,
            )  # fmt: skip


def _retention(ctx: _Context, delivery: Delivery, after: list[pulumi.Resource]) -> VersionRetention:
    groups = [
        pulumi.Output.all(group.app_name, group.deployment_group_name)
        for group in delivery.groups.values()
    ]
    return VersionRetention(
        f"{ctx.name}-version-retention",
        {
            "function_name": ctx.function.name,
            "function_arn": ctx.function.arn,
            "keep": ctx.spec.keep_versions,
            "latest_version": ctx.function.version,
            "groups": groups,
        },
        ctx.opts(
            depends_on=[
                *ctx.aliases.values(),
                *delivery.rollouts.values(),
                *after,
            ]
        ),
    )
