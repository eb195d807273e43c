"""Event source mappings, schedules, EventBridge rules, SNS, S3 and API Gateway triggers.

Everything invokes the alias named in the spec (its ARN, or the function qualified by it),
never a pinned version: a new deploy moves the alias, and every source follows it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from planton_lambda.resources import deferred
from planton_lambda.resources.resolve import References
from planton_lambda.spec.base import Loc
from planton_lambda.spec.function import AwsLambdaSpec
from planton_lambda.spec.refs import StringValueOrRef
from planton_lambda.spec.sources import (
    API_GATEWAY,
    DOCUMENTDB,
    DYNAMODB,
    EVENTBRIDGE,
    KAFKA,
    KINESIS,
    MQ,
    S3,
    SCHEDULE,
    SECRET_ACCESS_TYPES,
    SELF_MANAGED_KAFKA,
    SNS,
    SQS,
    EventSourceSpec,
    TriggerSpec,
    access_uri_problem,
    source_reference_problem,
    trigger_reference_problem,
)

# Physical names derived from function_name (1-64) and a source or trigger name (1-64): an
# EventBridge rule and a Scheduler schedule are named 1-64 characters (events RuleName,
# scheduler Name); an IAM role name_prefix is at most 38 (64 less the provider's 26-character
# suffix, as for the execution role).
NAME_MAX = 64
ROLE_PREFIX_MAX = 38
# lambda AddPermission StatementId: 1-100 of [a-zA-Z0-9-_]; "trigger-" + a 64-character name fits.
STATEMENT_PREFIX = "trigger-"

# The read actions Lambda's poller takes with the execution role, per source type: AWS's
# managed policies AWSLambdaSQSQueueExecutionRole, AWSLambdaKinesisExecutionRole,
# AWSLambdaDynamoDBExecutionRole and AWSLambdaMSKExecutionRole list them on "*"; here they are
# granted on the one source ARN.
SQS_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
# https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html (execution role permissions):
# the managed policy's kinesis:ListStreams is an account-wide list Lambda does not need.
KINESIS_ACTIONS = [
    "kinesis:DescribeStream",
    "kinesis:DescribeStreamSummary",
    "kinesis:GetRecords",
    "kinesis:GetShardIterator",
    "kinesis:ListShards",
    "kinesis:SubscribeToShard",
]
KINESIS_CONSUMER_ACTIONS = ["kinesis:SubscribeToShard", "kinesis:DescribeStreamConsumer"]
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/iam-policy-example-lamda-process-dynamodb-streams.html
# grants these four on the stream ARN.
DYNAMODB_ACTIONS = [
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
]
MSK_ACTIONS = ["kafka:DescribeCluster", "kafka:DescribeClusterV2", "kafka:GetBootstrapBrokers"]
# https://docs.aws.amazon.com/lambda/latest/dg/with-msk-permissions.html (IAM authentication,
# used when no SASL/SCRAM or mTLS secret is given): on the cluster, its topics and groups.
MSK_IAM_CLUSTER_ACTIONS = [
    "kafka-cluster:Connect",
    "kafka-cluster:DescribeClusterDynamicConfiguration",
]
MSK_IAM_TOPIC_ACTIONS = ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"]
MSK_IAM_GROUP_ACTIONS = ["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"]
# Lambda's pollers for MSK, self-managed Kafka in a VPC, Amazon MQ and DocumentDB attach network
# interfaces to the source's VPC with the execution role (AWSLambdaMSKExecutionRole; with-mq.html;
# with-documentdb.html); AWS SAM's MQ event docs (sam-property-function-mq.html) list exactly
# these six for a broker in a VPC. EC2's Describe* actions take no resource narrower than "*",
# and the interfaces do not exist before Lambda creates them, so these are granted on "*".
SOURCE_VPC_ACTIONS = [
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeVpcs",
    "ec2:DeleteNetworkInterface",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
]
MQ_ACTIONS = ["mq:DescribeBroker"]
# https://docs.aws.amazon.com/lambda/latest/dg/with-documentdb.html: DescribeDBClusters on the
# cluster; its parameter group and subnet group are not named by the cluster ARN, so
# DescribeDBClusterParameters and DescribeDBSubnetGroups are granted on "*".
DOCUMENTDB_CLUSTER_ACTIONS = ["rds:DescribeDBClusters"]
DOCUMENTDB_ACCOUNT_ACTIONS = ["rds:DescribeDBClusterParameters", "rds:DescribeDBSubnetGroups"]


def fit(text: str, limit: int) -> str:
    """`text`, or when longer than `limit` its start and a hash of the whole: stable and unique."""
    if len(text) <= limit:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    return f"{text[: limit - 9]}-{digest}"


def _allow(actions: list[str], resource: str | list[str]) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


@dataclass(frozen=True)
class ResolvedSource:
    """A source's references, as known once deployed."""

    source_arn: str | None = None
    failure_destination_arn: str | None = None
    kms_key_arn: str | None = None
    secret_arns: tuple[str, ...] = ()


def poll_statements(source: EventSourceSpec, resolved: ResolvedSource) -> list[dict[str, Any]]:
    """The execution role's statements for one poll source: its reads on its own ARN only."""
    arn = resolved.source_arn
    statements: list[dict[str, Any]] = []
    if source.type == SQS and arn:
        statements.append(_allow(SQS_ACTIONS, arn))
    elif source.type == KINESIS and arn:
        stream, _, consumer = arn.partition("/consumer/")
        statements.append(_allow(KINESIS_ACTIONS, stream))
        if consumer:
            statements.append(_allow(KINESIS_CONSUMER_ACTIONS, arn))
    elif source.type == DYNAMODB and arn:
        statements.append(_allow(DYNAMODB_ACTIONS, arn))
    elif source.type == KAFKA and arn:
        statements.append(_allow(MSK_ACTIONS, arn))
        statements.extend(_msk_iam_statements(source, arn))
        statements.append(_allow(SOURCE_VPC_ACTIONS, "*"))
    elif source.type == MQ and arn:
        statements.append(_allow(MQ_ACTIONS, arn))
        statements.append(_allow(SOURCE_VPC_ACTIONS, "*"))
    elif source.type == DOCUMENTDB and arn:
        statements.append(_allow(DOCUMENTDB_CLUSTER_ACTIONS, arn))
        statements.append(_allow(DOCUMENTDB_ACCOUNT_ACTIONS, "*"))
        statements.append(_allow(SOURCE_VPC_ACTIONS, "*"))
    elif source.type == SELF_MANAGED_KAFKA:
        kinds = {c.type for c in source.source_access_configurations}
        if "VPC_SUBNET" in kinds:
            statements.append(_allow(SOURCE_VPC_ACTIONS, "*"))
    secrets = sorted(set(resolved.secret_arns))
    if secrets:
        statements.append(_allow(["secretsmanager:GetSecretValue"], secrets))
    if resolved.kms_key_arn:
        statements.append(_allow(["kms:Decrypt"], resolved.kms_key_arn))
    if resolved.failure_destination_arn:
        statements.extend(failure_destination_statements(resolved.failure_destination_arn))
    return statements


def _msk_iam_statements(source: EventSourceSpec, cluster_arn: str) -> list[dict[str, Any]]:
    kinds = {c.type for c in source.source_access_configurations}
    if kinds & {"SASL_SCRAM_512_AUTH", "CLIENT_CERTIFICATE_TLS_AUTH"}:
        return []  # the secret authenticates; IAM access control is not used
    # arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid> names the topics
    # (topic/<name>/<uuid>/<topic>) and groups (group/<name>/<uuid>/<group>) under it.
    head, sep, tail = cluster_arn.partition(":cluster/")
    if not sep:
        return [_allow([*MSK_IAM_CLUSTER_ACTIONS], cluster_arn)]
    topic = source.topics[0] if source.topics else "*"
    group = source.consumer_group_id or "*"
    return [
        _allow(MSK_IAM_CLUSTER_ACTIONS, cluster_arn),
        _allow(MSK_IAM_TOPIC_ACTIONS, f"{head}:topic/{tail}/{topic}"),
        _allow(MSK_IAM_GROUP_ACTIONS, f"{head}:group/{tail}/{group}"),
    ]


def failure_destination_statements(arn: str) -> list[dict[str, Any]]:
    """Send on the failure destination only: SQS SendMessage, SNS Publish, or S3 writes
    (https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html: s3:PutObject and
    s3:ListBucket for an S3 destination)."""
    service = arn.split(":")[2]
    if service == "sqs":
        return [_allow(["sqs:SendMessage"], arn)]
    if service == "sns":
        return [_allow(["sns:Publish"], arn)]
    return [_allow(["s3:ListBucket"], arn), _allow(["s3:PutObject"], f"{arn}/*")]


@dataclass
class ResolvedSources:
    """Each source's inputs, resolved once: the role's statements and the mappings share them."""

    inputs: list[dict[str, pulumi.Input[str] | None]] = field(default_factory=list)
    access_uris: list[list[pulumi.Input[str]]] = field(default_factory=list)

    def statements(self, spec: AwsLambdaSpec) -> pulumi.Input[list[dict[str, Any]]]:
        """Every poll source's statements, once its references are known."""
        if not spec.event_sources:
            return []  # the common case: nothing to resolve
        per_source = [
            pulumi.Output.all(
                item["source_arn"],
                item["on_failure_destination_arn"],
                item["kms_key_arn"],
                pulumi.Output.all(
                    *[
                        uri
                        for config, uri in zip(
                            source.source_access_configurations, uris, strict=True
                        )
                        if config.type in SECRET_ACCESS_TYPES
                    ]
                ),
            ).apply(_statements_of(source))
            for source, item, uris in zip(
                spec.event_sources, self.inputs, self.access_uris, strict=True
            )
        ]
        return pulumi.Output.all(*per_source).apply(
            lambda lists: [statement for group in lists for statement in group]
        )


def _statements_of(source: EventSourceSpec) -> Callable[[list[Any]], list[dict[str, Any]]]:
    def build(values: list[Any]) -> list[dict[str, Any]]:
        resolved = ResolvedSource(values[0], values[1], values[2], tuple(values[3]))
        return poll_statements(source, resolved)

    return build


def resolve_sources(spec: AwsLambdaSpec, refs: References) -> ResolvedSources:
    resolved = ResolvedSources()
    for i, source in enumerate(spec.event_sources):
        item: dict[str, pulumi.Input[str] | None] = {}
        for name in ("source_arn", "on_failure_destination_arn", "kms_key_arn"):
            ref: StringValueOrRef | None = getattr(source, name)
            item[name] = (
                None
                if ref is None
                else refs.resolve(ref, ("event_sources", i, name), _source_rule(name, source.type))
            )
        resolved.inputs.append(item)
        resolved.access_uris.append(
            [
                _checked_uri(
                    config.type,
                    config.uri,
                    ("event_sources", i, "source_access_configurations", j, "uri"),
                )
                for j, config in enumerate(source.source_access_configurations)
            ]
        )
    return resolved


def _checked_uri(kind: str, uri: pulumi.Input[str], loc: Loc) -> pulumi.Input[str]:
    checked = deferred.checked(uri, loc, lambda text: access_uri_problem(kind, text))
    assert checked is not None
    return checked


def _source_rule(name: str, source_type: str) -> Callable[[str], str | None]:
    return lambda text: source_reference_problem(name, source_type, text)


@dataclass
class Targets:
    """What a source or trigger invokes: the function, or one of its aliases."""

    function: aws.lambda_.Function
    aliases: dict[str, aws.lambda_.Alias]

    def arn(self, alias: str | None) -> pulumi.Output[str]:
        return self.aliases[alias].arn if alias else self.function.arn

    def qualifier(self, alias: str | None) -> pulumi.Input[str] | None:
        return self.aliases[alias].name if alias else None


@dataclass
class SourceResources:
    mappings: dict[str, aws.lambda_.EventSourceMapping] = field(default_factory=dict)
    triggers: dict[str, list[pulumi.Resource]] = field(default_factory=dict)


def create_event_sources(
    name: str,
    spec: AwsLambdaSpec,
    resolved: ResolvedSources,
    refs: References,
    targets: Targets,
    parent: pulumi.Resource,
) -> SourceResources:
    """Every event source mapping, then every trigger's resources, targeting their alias."""
    created = SourceResources()
    tags = deferred.tags(spec.tags)
    for source, item, uris in zip(
        spec.event_sources, resolved.inputs, resolved.access_uris, strict=True
    ):
        created.mappings[source.name] = event_source_mapping(
            f"{name}-source-{source.name}",
            source,
            access_uris=uris,
            function_name=targets.arn(source.alias),
            source_arn=item["source_arn"],
            failure_destination_arn=item["on_failure_destination_arn"],
            tags=tags,
            opts=pulumi.ResourceOptions(parent=parent),
        )
    if spec.triggers:
        _Triggers(name, spec, targets, parent, created).create(refs)
    return created


def event_source_mapping(
    resource_name: str,
    source: EventSourceSpec,
    *,
    function_name: pulumi.Input[str],
    source_arn: pulumi.Input[str] | None,
    failure_destination_arn: pulumi.Input[str] | None,
    access_uris: list[pulumi.Input[str]] | None = None,
    tags: Any = None,
    region: str | None = None,
    opts: pulumi.ResourceOptions | None = None,
) -> aws.lambda_.EventSourceMapping:
    """One mapping from a validated source: only the options its type admits are set."""
    lam = aws.lambda_
    uris = access_uris or [c.uri for c in source.source_access_configurations]
    access = [
        lam.EventSourceMappingSourceAccessConfigurationArgs(type=c.type, uri=uri)
        for c, uri in zip(source.source_access_configurations, uris, strict=True)
    ]
    group = source.consumer_group_id
    return lam.EventSourceMapping(
        resource_name,
        function_name=function_name,
        event_source_arn=source_arn,
        enabled=source.enabled,
        batch_size=source.batch_size,
        maximum_batching_window_in_seconds=source.maximum_batching_window_seconds,
        starting_position=source.starting_position,
        starting_position_timestamp=source.starting_position_timestamp,
        filter_criteria=lam.EventSourceMappingFilterCriteriaArgs(
            filters=[
                lam.EventSourceMappingFilterCriteriaFilterArgs(pattern=p) for p in source.filters
            ]
        )
        if source.filters
        else None,
        function_response_types=["ReportBatchItemFailures"]
        if source.report_batch_item_failures
        else None,
        scaling_config=lam.EventSourceMappingScalingConfigArgs(
            maximum_concurrency=source.maximum_concurrency
        )
        if source.maximum_concurrency is not None
        else None,
        parallelization_factor=source.parallelization_factor,
        bisect_batch_on_function_error=source.bisect_batch_on_function_error,
        maximum_retry_attempts=source.maximum_retry_attempts,
        maximum_record_age_in_seconds=source.maximum_record_age_seconds,
        tumbling_window_in_seconds=source.tumbling_window_seconds,
        destination_config=lam.EventSourceMappingDestinationConfigArgs(
            on_failure=lam.EventSourceMappingDestinationConfigOnFailureArgs(
                destination_arn=failure_destination_arn
            )
        )
        if failure_destination_arn is not None
        else None,
        topics=source.topics or None,
        queues=source.queues,
        self_managed_event_source=lam.EventSourceMappingSelfManagedEventSourceArgs(
            endpoints={"KAFKA_BOOTSTRAP_SERVERS": ",".join(source.bootstrap_servers)}
        )
        if source.type == SELF_MANAGED_KAFKA
        else None,
        source_access_configurations=access or None,
        amazon_managed_kafka_event_source_config=lam.EventSourceMappingAmazonManagedKafkaEventSourceConfigArgs(
            consumer_group_id=group
        )
        if source.type == KAFKA and group
        else None,
        self_managed_kafka_event_source_config=lam.EventSourceMappingSelfManagedKafkaEventSourceConfigArgs(
            consumer_group_id=group
        )
        if source.type == SELF_MANAGED_KAFKA and group
        else None,
        document_db_event_source_config=lam.EventSourceMappingDocumentDbEventSourceConfigArgs(
            database_name=source.document_db.database_name,
            collection_name=source.document_db.collection_name,
            full_document=source.document_db.full_document,
        )
        if source.document_db is not None
        else None,
        metrics_config=lam.EventSourceMappingMetricsConfigArgs(metrics=list(source.metrics))
        if source.metrics
        else None,
        kms_key_arn=source.filter_kms_key_arn,
        region=region,
        tags=tags,
        opts=opts,
    )


SCHEDULER_TRUST = "scheduler.amazonaws.com"


class _Triggers:
    """The resources of every trigger, in the spec's order."""

    def __init__(
        self,
        name: str,
        spec: AwsLambdaSpec,
        targets: Targets,
        parent: pulumi.Resource,
        created: SourceResources,
    ) -> None:
        self.name = name
        self.spec = spec
        self.targets = targets
        self.parent = parent
        self.created = created
        self.tags = deferred.tags(spec.tags)
        self._account: pulumi.Output[str] | None = None
        self._partition: pulumi.Output[str] | None = None

    def create(self, refs: References) -> None:
        self.refs = refs
        notifications: dict[str, list[tuple[int, TriggerSpec, aws.lambda_.Permission]]] = {}
        for i, trigger in enumerate(self.spec.triggers):
            if trigger.type == SCHEDULE:
                resources = self._schedule(trigger)
            elif trigger.type == EVENTBRIDGE:
                resources = self._eventbridge(i, trigger)
            elif trigger.type == SNS:
                resources = self._sns(i, trigger)
            elif trigger.type == S3:
                resources = self._s3_permission(i, trigger)
                if trigger.manage_bucket_notification:
                    assert trigger.bucket is not None
                    key = trigger.bucket.literal or f"#{i}"  # an Output: its own resource
                    permission = resources[0]
                    assert isinstance(permission, aws.lambda_.Permission)
                    notifications.setdefault(key, []).append((i, trigger, permission))
            else:
                assert trigger.type == API_GATEWAY
                resources = [
                    self._permission(
                        trigger, "apigateway.amazonaws.com", self._ref(i, trigger, "source_arn")
                    )
                ]
            self.created.triggers[trigger.name] = resources
        for entries in notifications.values():
            self._bucket_notification(entries)

    # -- helpers --------------------------------------------------------------------------
    def _opts(self, **kwargs: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self.parent, **kwargs)

    def _ref(self, i: int, trigger: TriggerSpec, field: str) -> pulumi.Input[str]:
        ref = getattr(trigger, field)
        loc: Loc = ("triggers", i, field)
        return self.refs.resolve(ref, loc, lambda text: trigger_reference_problem(field, text))

    def _physical(self, trigger: TriggerSpec) -> str:
        return fit(f"{self.spec.function_name}-{trigger.name}", NAME_MAX)

    def account(self) -> pulumi.Output[str]:
        if self._account is None:
            identity = aws.get_caller_identity_output(
                opts=pulumi.InvokeOutputOptions(parent=self.parent)
            )
            self._account = identity.account_id
        return self._account

    def partition(self) -> pulumi.Output[str]:
        if self._partition is None:
            result = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self.parent))
            self._partition = result.partition
        return self._partition

    def _permission(
        self,
        trigger: TriggerSpec,
        principal: str,
        source_arn: pulumi.Input[str],
        source_account: pulumi.Input[str] | None = None,
    ) -> aws.lambda_.Permission:
        return aws.lambda_.Permission(
            f"{self.name}-trigger-{trigger.name}-permission",
            statement_id=f"{STATEMENT_PREFIX}{trigger.name}",
            action="lambda:InvokeFunction",
            function=self.targets.function.name,
            qualifier=self.targets.qualifier(trigger.alias),
            principal=principal,
            source_arn=source_arn,
            source_account=source_account,
            opts=self._opts(deleted_with=self.targets.function),
        )

    # -- per type -------------------------------------------------------------------------
    def _schedule(self, trigger: TriggerSpec) -> list[pulumi.Resource]:
        """An EventBridge Scheduler schedule with its own role, allowed to invoke only the
        target (https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html: the
        execution role trusts scheduler.amazonaws.com, conditioned on the account)."""
        base = f"{self.name}-trigger-{trigger.name}"
        target = self.targets.arn(trigger.alias)
        trust = self.account().apply(
            lambda account: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": SCHEDULER_TRUST},
                            "Action": "sts:AssumeRole",
                            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
                        }
                    ],
                }
            )
        )
        role = aws.iam.Role(
            f"{base}-role",
            name_prefix=fit(f"{self.spec.function_name}-{trigger.name}", ROLE_PREFIX_MAX - 1) + "-",
            assume_role_policy=trust,
            description=f"EventBridge Scheduler role of {self.spec.function_name}/{trigger.name}",
            tags=self.tags,
            opts=self._opts(),
        )
        policy = aws.iam.RolePolicy(
            f"{base}-role-policy",
            name="invoke-function",
            role=role.id,
            policy=pulumi.Output.from_input(target).apply(
                lambda arn: json.dumps(
                    {"Version": "2012-10-17", "Statement": [_allow(["lambda:InvokeFunction"], arn)]}
                )
            ),
            opts=self._opts(),
        )
        schedule = aws.scheduler.Schedule(
            base,
            name=self._physical(trigger),
            description=trigger.description,
            schedule_expression=trigger.expression,
            schedule_expression_timezone=trigger.timezone,
            state="ENABLED" if trigger.enabled else "DISABLED",
            flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
            target=aws.scheduler.ScheduleTargetArgs(
                arn=target, role_arn=role.arn, input=trigger.input
            ),
            opts=self._opts(depends_on=[policy], delete_before_replace=True),
        )
        return [schedule, role, policy]

    def _eventbridge(self, i: int, trigger: TriggerSpec) -> list[pulumi.Resource]:
        base = f"{self.name}-trigger-{trigger.name}"
        bus = self._ref(i, trigger, "event_bus_name") if trigger.event_bus_name else None
        rule = aws.cloudwatch.EventRule(
            base,
            name=self._physical(trigger),
            description=trigger.description,
            event_bus_name=bus,
            event_pattern=trigger.event_pattern,
            schedule_expression=trigger.schedule_expression,
            state="ENABLED" if trigger.enabled else "DISABLED",
            tags=self.tags,
            opts=self._opts(delete_before_replace=True),
        )
        permission = self._permission(trigger, "events.amazonaws.com", rule.arn)
        target = aws.cloudwatch.EventTarget(
            f"{base}-target",
            rule=rule.name,
            event_bus_name=bus,
            target_id=trigger.name,
            arn=self.targets.arn(trigger.alias),
            input=trigger.input,
            opts=self._opts(depends_on=[permission]),
        )
        return [rule, permission, target]

    def _sns(self, i: int, trigger: TriggerSpec) -> list[pulumi.Resource]:
        topic = self._ref(i, trigger, "topic_arn")
        permission = self._permission(trigger, "sns.amazonaws.com", topic)
        subscription = aws.sns.TopicSubscription(
            f"{self.name}-trigger-{trigger.name}",
            topic=topic,
            protocol="lambda",
            endpoint=self.targets.arn(trigger.alias),
            filter_policy=trigger.filter_policy,
            filter_policy_scope=trigger.filter_policy_scope,
            opts=self._opts(depends_on=[permission]),
        )
        return [permission, subscription]

    def _s3_permission(self, i: int, trigger: TriggerSpec) -> list[pulumi.Resource]:
        # https://docs.aws.amazon.com/lambda/latest/dg/with-s3.html: a bucket ARN holds no
        # account, so the permission also names the owner (source_account): another account's
        # bucket of the same name cannot invoke the function.
        bucket = self._ref(i, trigger, "bucket")
        account = (
            self._ref(i, trigger, "bucket_account") if trigger.bucket_account else self.account()
        )
        arn = pulumi.Output.all(self.partition(), bucket).apply(
            lambda values: f"arn:{values[0]}:s3:::{values[1]}"
        )
        return [self._permission(trigger, "s3.amazonaws.com", arn, account)]

    def _bucket_notification(
        self, entries: list[tuple[int, TriggerSpec, aws.lambda_.Permission]]
    ) -> None:
        """The bucket's one notification configuration (it replaces any other: S3 keeps a single
        configuration per bucket), after the permissions S3 checks on PutBucketNotification."""
        i, first, _ = entries[0]
        notification = aws.s3.BucketNotification(
            f"{self.name}-trigger-{first.name}-notification",
            bucket=self._ref(i, first, "bucket"),
            lambda_functions=[
                aws.s3.BucketNotificationLambdaFunctionArgs(
                    id=trigger.name,
                    lambda_function_arn=self.targets.arn(trigger.alias),
                    events=trigger.events,
                    filter_prefix=trigger.filter_prefix,
                    filter_suffix=trigger.filter_suffix,
                )
                for _, trigger, _ in entries
            ],
            opts=self._opts(depends_on=[permission for _, _, permission in entries]),
        )
        for _, trigger, _ in entries:
            self.created.triggers.setdefault(trigger.name, []).append(notification)
