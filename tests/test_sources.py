"""Event sources and triggers: AWS's rules, the role's statements, alias targeting, resources."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from planton_lambda import AwsLambda, SpecError
from planton_lambda.load.manifest import load_manifest, validate_spec
from planton_lambda.resources.sources import NAME_MAX, fit
from planton_lambda.testing import ACCOUNT, run_mocked

ESM = "aws:lambda/eventSourceMapping:EventSourceMapping"
PERMISSION = "aws:lambda/permission:Permission"
SCHEDULE = "aws:scheduler/schedule:Schedule"
RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
NOTIFICATION = "aws:s3/bucketNotification:BucketNotification"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"

REGION_ACCOUNT = f"us-east-1:{ACCOUNT}"
QUEUE = f"arn:aws:sqs:{REGION_ACCOUNT}:orders"
FIFO_QUEUE = f"arn:aws:sqs:{REGION_ACCOUNT}:orders.fifo"
STREAM = f"arn:aws:kinesis:{REGION_ACCOUNT}:stream/clicks"
TABLE_STREAM = f"arn:aws:dynamodb:{REGION_ACCOUNT}:table/orders/stream/2026-01-01T00:00:00.000"
CLUSTER = f"arn:aws:kafka:{REGION_ACCOUNT}:cluster/events/0a1b2c3d-1111-2222-3333-444455556666-1"
BROKER = f"arn:aws:mq:{REGION_ACCOUNT}:broker:jobs:b-1234abcd-12ab-34cd-56ef-1234567890ab"
DOCDB = f"arn:aws:rds:{REGION_ACCOUNT}:cluster:catalog"
SECRET = f"arn:aws:secretsmanager:{REGION_ACCOUNT}:secret:broker-creds-AbCdEf"
KEY = f"arn:aws:kms:{REGION_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
DLQ = f"arn:aws:sqs:{REGION_ACCOUNT}:orders-dlq"
TOPIC = f"arn:aws:sns:{REGION_ACCOUNT}:orders-events"
API = f"arn:aws:execute-api:{REGION_ACCOUNT}:abc123/*/GET/orders"
FUNCTION_ARN = f"arn:aws:lambda:{REGION_ACCOUNT}:function:orders"


def spec(**extra: Any) -> dict[str, Any]:
    return {
        "function_name": "orders",
        "code_source_type": "CODE_SOURCE_TYPE_S3",
        "s3": {"bucket": "code-bucket", "key": "orders.zip"},
        "runtime": "python3.13",
        "handler": "app.handler",
        "aliases": [{"name": "dev"}, {"name": "prod"}],
        **extra,
    }


def sqs(**extra: Any) -> dict[str, Any]:
    return {"name": "queue", "type": "sqs", "source_arn": QUEUE, **extra}


def problems(**extra: Any) -> list[str]:
    with pytest.raises(SpecError) as caught:
        validate_spec(spec(**extra))
    return caught.value.problems


def source_problems(source: dict[str, Any]) -> list[str]:
    return problems(event_sources=[source])


def trigger_problems(trigger: dict[str, Any]) -> list[str]:
    return problems(triggers=[trigger])


def policy_statements(run: Any) -> list[dict[str, Any]]:
    document = json.loads(run.named("orders-role-policy").inputs["policy"])
    return document["Statement"]


def statements_on(run: Any, resource: str) -> list[dict[str, Any]]:
    return [s for s in policy_statements(run) if s["Resource"] == resource]


# -- poll sources: AWS's rules --------------------------------------------------------------


def test_a_full_sqs_source_is_accepted() -> None:
    source = sqs(
        alias="dev",
        batch_size=100,
        maximum_batching_window_seconds=5,
        filters=[{"body": {"type": ["created"]}}],
        report_batch_item_failures=True,
        maximum_concurrency=50,
    )
    parsed = validate_spec(spec(event_sources=[source])).event_sources[0]
    assert parsed.filters == ['{"body":{"type":["created"]}}']


def test_sqs_batches_above_10_need_a_batching_window() -> None:
    assert source_problems(sqs(batch_size=11)) == [
        "event_sources[0].maximum_batching_window_seconds: an SQS batch_size above 10 (here 11) "
        "needs a batching window of at least 1 second"
    ]
    validate_spec(spec(event_sources=[sqs(batch_size=10)]))


def test_fifo_queues_take_10_messages_and_no_batching_window() -> None:
    found = source_problems(
        sqs(source_arn=FIFO_QUEUE, batch_size=11, maximum_batching_window_seconds=1)
    )
    assert any("batch_size: a FIFO queue takes at most 10" in p for p in found)
    assert any("maximum_batching_window_seconds: not supported for FIFO" in p for p in found)


@pytest.mark.parametrize("size", [0, 10_001])
def test_batch_size_range(size: int) -> None:
    assert any("batch_size" in p for p in source_problems(sqs(batch_size=size)))


def test_sqs_refuses_stream_options_and_a_starting_position() -> None:
    found = source_problems(
        sqs(
            starting_position="LATEST",
            parallelization_factor=2,
            bisect_batch_on_function_error=True,
            maximum_retry_attempts=0,
            tumbling_window_seconds=0,
            on_failure_destination_arn=DLQ,
            topics=["t"],
            queues="q",
        )
    )
    fields = {p.split(":")[0] for p in found}
    assert fields == {
        f"event_sources[0].{f}"
        for f in (
            "starting_position",
            "parallelization_factor",
            "bisect_batch_on_function_error",
            "maximum_retry_attempts",
            "tumbling_window_seconds",
            "on_failure_destination_arn",
            "topics",
            "queues",
        )
    }
    assert any("redrive policy" in p for p in found)


def test_streams_need_a_starting_position() -> None:
    for source_type, arn in (("kinesis", STREAM), ("dynamodb", TABLE_STREAM)):
        found = source_problems({"name": "s", "type": source_type, "source_arn": arn})
        assert found == [
            f"event_sources[0].starting_position: required for {source_type}: TRIM_HORIZON "
            f"(oldest records), LATEST (new records)"
            + ("" if source_type == "dynamodb" else " or AT_TIMESTAMP")
        ]


def test_at_timestamp_rules() -> None:
    kinesis = {"name": "s", "type": "kinesis", "source_arn": STREAM}
    assert source_problems(kinesis | {"starting_position": "AT_TIMESTAMP"}) == [
        "event_sources[0].starting_position_timestamp: required with starting_position AT_TIMESTAMP"
    ]
    validate_spec(
        spec(
            event_sources=[
                kinesis
                | {
                    "starting_position": "AT_TIMESTAMP",
                    "starting_position_timestamp": "2025-01-01T00:00:00Z",
                }
            ]
        )
    )
    found = source_problems(
        {
            "name": "s",
            "type": "dynamodb",
            "source_arn": TABLE_STREAM,
            "starting_position": "AT_TIMESTAMP",
            "starting_position_timestamp": "2999-01-01T00:00:00Z",
        }
    )
    assert any("AT_TIMESTAMP is not supported for DynamoDB" in p for p in found)
    assert any("in the future" in p for p in found)
    found = source_problems(
        kinesis
        | {"starting_position": "LATEST", "starting_position_timestamp": "2025-01-01T00:00:00Z"}
    )
    assert found == [
        "event_sources[0].starting_position_timestamp: only with starting_position AT_TIMESTAMP"
    ]


def test_the_source_arn_must_be_the_types() -> None:
    found = source_problems(
        {
            "name": "s",
            "type": "dynamodb",
            "source_arn": f"arn:aws:dynamodb:{REGION_ACCOUNT}:table/t",
            "starting_position": "LATEST",
        }
    )
    assert "the table's stream_arn, not the table's ARN" in found[0]
    assert any("required for type sqs" in p for p in source_problems({"name": "q", "type": "sqs"}))


def test_filters_are_json_objects_within_the_default_quota() -> None:
    found = source_problems(sqs(filters=["{not json", "[1]"]))
    assert found[0].startswith("event_sources[0].filters[0]: is not JSON")
    assert found[1] == "event_sources[0].filters[1]: must be a non-empty JSON object"
    found = source_problems(sqs(filters=[{"body": {"n": [i]}} for i in range(6)]))
    assert found == [
        "event_sources[0].filters: 6 filters; AWS's default quota is 5 per mapping (it can be "
        "raised to 10 through Service Quotas, after which split the mapping or combine patterns)"
    ]
    big = {"body": {"k": ["x" * 4100]}}
    assert "AWS allows 4096" in source_problems(sqs(filters=[big]))[0]


def test_maximum_concurrency_is_checked_at_the_default_quota() -> None:
    assert any("maximum_concurrency" in p for p in source_problems(sqs(maximum_concurrency=1)))
    found = source_problems(sqs(maximum_concurrency=1001))
    assert "Service Quotas" in found[0] and found[0].startswith(
        "event_sources[0].maximum_concurrency"
    )


def test_record_age_is_minus_one_or_60_to_a_week() -> None:
    kinesis = {"name": "s", "type": "kinesis", "source_arn": STREAM, "starting_position": "LATEST"}
    for good in (-1, 60, 604_800):
        validate_spec(spec(event_sources=[kinesis | {"maximum_record_age_seconds": good}]))
    for bad in (0, 59, 604_801):
        assert source_problems(kinesis | {"maximum_record_age_seconds": bad}) == [
            "event_sources[0].maximum_record_age_seconds: must be -1 (never discard) or 60-604800"
        ]


def test_kafka_needs_one_topic_and_a_position() -> None:
    found = source_problems({"name": "k", "type": "kafka", "source_arn": CLUSTER})
    assert any("starting_position: required for kafka" in p for p in found)
    assert any("topics: a Kafka mapping reads exactly one topic, got 0" in p for p in found)
    validate_spec(
        spec(
            event_sources=[
                {
                    "name": "k",
                    "type": "kafka",
                    "source_arn": CLUSTER,
                    "starting_position": "TRIM_HORIZON",
                    "topics": ["orders"],
                }
            ]
        )
    )


def test_self_managed_kafka_has_servers_and_no_arn() -> None:
    found = source_problems(
        {
            "name": "k",
            "type": "self_managed_kafka",
            "source_arn": CLUSTER,
            "topics": ["t"],
            "starting_position": "LATEST",
            "bootstrap_servers": ["not a server"],
        }
    )
    assert "event_sources[0].source_arn: self_managed_kafka has no source ARN" in found[0]
    assert any("bootstrap_servers[0]: must be host:port" in p for p in found)
    assert any("source_access_configurations: self_managed_kafka needs" in p for p in found)


def test_mq_needs_its_queue_and_credentials() -> None:
    found = source_problems({"name": "m", "type": "mq", "source_arn": BROKER})
    assert any("queues: required for mq" in p for p in found)
    assert any("exactly one BASIC_AUTH" in p for p in found)
    parsed = validate_spec(
        spec(
            event_sources=[
                {
                    "name": "m",
                    "type": "mq",
                    "source_arn": BROKER,
                    "queues": ["jobs"],
                    "source_access_configurations": [{"type": "BASIC_AUTH", "uri": SECRET}],
                }
            ]
        )
    )
    assert parsed.event_sources[0].queues == "jobs"
    found = source_problems(
        {
            "name": "m",
            "type": "mq",
            "source_arn": BROKER,
            "queues": "jobs",
            "source_access_configurations": [
                {"type": "BASIC_AUTH", "uri": SECRET},
                {"type": "VPC_SUBNET", "uri": "subnet:subnet-1"},
            ],
        }
    )
    assert found == [
        "event_sources[0].source_access_configurations[1].type: VPC_SUBNET is not for mq; "
        "allowed: BASIC_AUTH, VIRTUAL_HOST"
    ]


def test_access_uris_fit_their_type() -> None:
    found = source_problems(
        {
            "name": "m",
            "type": "mq",
            "source_arn": BROKER,
            "queues": "jobs",
            "source_access_configurations": [{"type": "BASIC_AUTH", "uri": "password"}],
        }
    )
    assert found[0].startswith(
        "event_sources[0].source_access_configurations[0].uri: BASIC_AUTH takes a Secrets "
        "Manager secret ARN"
    )


def test_documentdb_needs_a_database() -> None:
    found = source_problems(
        {
            "name": "d",
            "type": "documentdb",
            "source_arn": DOCDB,
            "starting_position": "LATEST",
            "source_access_configurations": [{"type": "BASIC_AUTH", "uri": SECRET}],
        }
    )
    assert found == ["event_sources[0].document_db: required for documentdb: {database_name, ...}"]


# -- names and aliases across the spec --------------------------------------------------------


def test_names_are_unique_across_sources_and_triggers_and_aliases_exist() -> None:
    found = problems(
        event_sources=[sqs(name="shared", alias="staging")],
        triggers=[{"name": "shared", "type": "api_gateway", "source_arn": API}],
    )
    assert found == [
        "event_sources[0].alias: 'staging' is not an alias of this spec (aliases: dev, prod)",
        "triggers[0].name: duplicate name 'shared' (also event_sources[0]); names are unique "
        "across event_sources and triggers",
    ]
    assert any("name: must be 1-64" in p for p in source_problems(sqs(name="a b")))
    assert any("name: must be 1-64" in p for p in source_problems(sqs(name="x" * 65)))


def test_derived_names_fit_aws_limits_for_the_longest_names() -> None:
    long = "f" * 64
    name = fit(f"{long}-{'t' * 64}", NAME_MAX)
    assert len(name) == NAME_MAX
    assert name != fit(f"{long}-{'t' * 63}u", NAME_MAX)  # the hash keeps them apart
    run = run_mocked(
        lambda: AwsLambda(
            "orders",
            spec(
                function_name=long,
                triggers=[
                    {"name": "t" * 64, "type": "schedule", "expression": "rate(5 minutes)"},
                    {"name": "r" * 64, "type": "eventbridge", "schedule_expression": "rate(1 day)"},
                ],
            ),
        )
    )
    assert len(run.one(SCHEDULE).inputs["name"]) <= 64
    assert len(run.one(RULE).inputs["name"]) <= 64
    scheduler_role = run.named("orders-trigger-" + "t" * 64 + "-role")
    assert len(scheduler_role.inputs["namePrefix"]) <= 38
    for permission in run.of_type(PERMISSION):
        assert len(permission.inputs["statementId"]) <= 100


# -- triggers: AWS's rules ----------------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "rate(1 minute)",
        "rate(5 minutes)",
        "cron(0 3 * * ? *)",
        "cron(0/15 8-17 ? * MON-FRI *)",
        "cron(0 12 L * ? 2026)",
        "cron(0 9 ? * 2#1 *)",
        "at(2026-12-31T23:59:00)",
    ],
)
def test_schedule_expressions_aws_accepts(expression: str) -> None:
    validate_spec(spec(triggers=[{"name": "s", "type": "schedule", "expression": expression}]))


@pytest.mark.parametrize(
    "expression, message",
    [
        ("rate(1 minutes)", "singular for 1"),
        ("rate(5 minute)", "singular for 1"),
        ("rate(0 minutes)", "must be rate(value unit)"),
        ("cron(0 3 * * *)", "6 fields"),
        ("cron(0 3 * * * *)", "one of day-of-month and day-of-week must be ?"),
        ("cron(61 3 ? * * *)", "cron fields not valid: minutes"),
        ("at(2026-02-30T00:00:00)", "not a valid date"),
        ("every day", "must be rate(value unit)"),
    ],
)
def test_schedule_expressions_aws_refuses(expression: str, message: str) -> None:
    found = trigger_problems({"name": "s", "type": "schedule", "expression": expression})
    assert len(found) == 1 and found[0].startswith("triggers[0].expression: ")
    assert message in found[0]


def test_timezones_are_iana_names() -> None:
    validate_spec(
        spec(
            triggers=[
                {
                    "name": "s",
                    "type": "schedule",
                    "expression": "rate(1 day)",
                    "timezone": "America/New_York",
                }
            ]
        )
    )
    found = trigger_problems(
        {"name": "s", "type": "schedule", "expression": "rate(1 day)", "timezone": "Paris"}
    )
    assert found[0].startswith("triggers[0].timezone: 'Paris' is not an IANA time zone")


def test_each_trigger_type_takes_its_own_fields() -> None:
    found = trigger_problems(
        {"name": "s", "type": "schedule", "topic_arn": TOPIC, "events": ["s3:ObjectCreated:*"]}
    )
    assert "triggers[0].expression: required for a schedule trigger" in found
    assert "triggers[0].topic_arn: only for sns triggers, not schedule" in found
    assert "triggers[0].events: only for s3 triggers, not schedule" in found


def test_eventbridge_rules() -> None:
    found = trigger_problems({"name": "r", "type": "eventbridge"})
    assert found == ["triggers[0].event_pattern: give event_pattern or schedule_expression (one)"]
    found = trigger_problems({"name": "r", "type": "eventbridge", "event_pattern": "[]"})
    assert found == ["triggers[0].event_pattern: must be a non-empty JSON object"]
    found = trigger_problems(
        {"name": "r", "type": "eventbridge", "schedule_expression": "at(2026-01-01T00:00:00)"}
    )
    assert "use a schedule trigger for at(...)" in found[0]
    found = trigger_problems(
        {
            "name": "r",
            "type": "eventbridge",
            "schedule_expression": "rate(1 day)",
            "event_bus_name": "orders-bus",
        }
    )
    assert found == [
        "triggers[0].event_bus_name: a scheduled rule runs on the default bus only; drop "
        "event_bus_name or use a schedule trigger"
    ]


def test_sns_rules() -> None:
    found = trigger_problems({"name": "t", "type": "sns", "topic_arn": f"{TOPIC}.fifo"})
    assert found == [
        "triggers[0].topic_arn: a FIFO topic delivers to SQS queues only, not to Lambda"
    ]
    found = trigger_problems(
        {"name": "t", "type": "sns", "topic_arn": TOPIC, "filter_policy_scope": "MessageBody"}
    )
    assert found == ["triggers[0].filter_policy_scope: only with a filter_policy"]


def test_s3_rules() -> None:
    found = trigger_problems(
        {
            "name": "b",
            "type": "s3",
            "bucket": "arn:aws:s3:::uploads",
            "events": ["s3:ObjectCreated"],
        }
    )
    assert found[0] == "triggers[0].bucket: must be a bucket name (3-63 of a-z 0-9 . -), not an ARN"
    assert found[1].startswith("triggers[0].events: unknown S3 event types ['s3:ObjectCreated']")


def test_overlapping_notifications_on_one_bucket_are_refused() -> None:
    def s3(name: str, **extra: Any) -> dict[str, Any]:
        return {
            "name": name,
            "type": "s3",
            "bucket": "uploads",
            "manage_bucket_notification": True,
            "events": ["s3:ObjectCreated:*"],
            **extra,
        }

    found = problems(triggers=[s3("a", filter_prefix="in/"), s3("b", filter_prefix="in/raw/")])
    assert found[0].startswith("triggers[1]: overlaps triggers[0] on bucket uploads")
    validate_spec(spec(triggers=[s3("a", filter_prefix="in/"), s3("b", filter_prefix="out/")]))


def test_api_gateway_takes_an_execute_api_arn() -> None:
    found = trigger_problems({"name": "a", "type": "api_gateway", "source_arn": TOPIC})
    assert found[0].startswith("triggers[0].source_arn: must be an execute-api ARN")


# -- resources, role statements and alias targeting -------------------------------------------


def test_sqs_mapping_targets_the_alias_and_the_role_reads_that_queue_only() -> None:
    source = sqs(
        alias="dev",
        batch_size=100,
        maximum_batching_window_seconds=5,
        filters=[{"body": {"type": ["created"]}}],
        report_batch_item_failures=True,
        maximum_concurrency=50,
        kms_key_arn=KEY,
    )
    run = run_mocked(lambda: AwsLambda("orders", spec(event_sources=[source])))
    mapping = run.one(ESM)
    assert mapping.name == "orders-source-queue"
    assert mapping.inputs["functionName"] == f"{FUNCTION_ARN}:dev"
    assert mapping.inputs["eventSourceArn"] == QUEUE
    assert mapping.inputs["batchSize"] == 100
    assert mapping.inputs["maximumBatchingWindowInSeconds"] == 5
    assert mapping.inputs["functionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping.inputs["scalingConfig"] == {"maximumConcurrency": 50}
    assert mapping.inputs["filterCriteria"] == {
        "filters": [{"pattern": '{"body":{"type":["created"]}}'}]
    }
    assert "startingPosition" not in mapping.inputs
    assert statements_on(run, QUEUE) == [
        {
            "Effect": "Allow",
            "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
            "Resource": QUEUE,
        }
    ]
    assert statements_on(run, KEY) == [
        {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": KEY}
    ]
    assert all(s["Resource"] != "*" for s in policy_statements(run))
    # The function (and so the mapping, which names it) waits for the role's permissions.
    assert run.named("orders-role-policy").urn in run.named("orders").dependencies


def test_kinesis_and_dynamodb_statements_and_failure_destination() -> None:
    consumer = f"{STREAM}/consumer/reader:1700000000"
    sources = [
        {
            "name": "clicks",
            "type": "kinesis",
            "source_arn": consumer,
            "starting_position": "LATEST",
            "on_failure_destination_arn": DLQ,
            "parallelization_factor": 4,
            "bisect_batch_on_function_error": True,
            "maximum_retry_attempts": 3,
        },
        {
            "name": "orders",
            "type": "dynamodb",
            "source_arn": TABLE_STREAM,
            "starting_position": "TRIM_HORIZON",
            "on_failure_destination_arn": f"arn:aws:sns:{REGION_ACCOUNT}:failures",
        },
    ]
    run = run_mocked(lambda: AwsLambda("orders", spec(event_sources=sources)))
    kinesis = run.named("orders-source-clicks").inputs
    assert kinesis["functionName"] == FUNCTION_ARN  # no alias: the function
    assert kinesis["destinationConfig"] == {"onFailure": {"destinationArn": DLQ}}
    assert kinesis["parallelizationFactor"] == 4 and kinesis["startingPosition"] == "LATEST"
    assert statements_on(run, STREAM)[0]["Action"] == [
        "kinesis:DescribeStream",
        "kinesis:DescribeStreamSummary",
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:ListShards",
        "kinesis:SubscribeToShard",
    ]
    assert statements_on(run, consumer)[0]["Action"] == [
        "kinesis:SubscribeToShard",
        "kinesis:DescribeStreamConsumer",
    ]
    assert statements_on(run, DLQ)[0]["Action"] == ["sqs:SendMessage"]
    assert statements_on(run, TABLE_STREAM)[0]["Action"] == [
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
    ]
    assert statements_on(run, f"arn:aws:sns:{REGION_ACCOUNT}:failures")[0]["Action"] == [
        "sns:Publish"
    ]


def test_kafka_mq_and_documentdb_statements() -> None:
    sources = [
        {
            "name": "msk",
            "type": "kafka",
            "source_arn": CLUSTER,
            "starting_position": "LATEST",
            "topics": ["orders"],
            "consumer_group_id": "orders-fn",
        },
        {
            "name": "mq",
            "type": "mq",
            "source_arn": BROKER,
            "queues": "jobs",
            "source_access_configurations": [{"type": "BASIC_AUTH", "uri": SECRET}],
        },
        {
            "name": "docs",
            "type": "documentdb",
            "source_arn": DOCDB,
            "starting_position": "LATEST",
            "document_db": {"database_name": "catalog", "full_document": "UpdateLookup"},
            "source_access_configurations": [{"type": "BASIC_AUTH", "uri": SECRET}],
        },
        {
            "name": "smk",
            "type": "self_managed_kafka",
            "starting_position": "TRIM_HORIZON",
            "topics": ["orders"],
            "bootstrap_servers": ["b1.example.com:9092", "b2.example.com:9092"],
            "source_access_configurations": [
                {"type": "VPC_SUBNET", "uri": "subnet:subnet-0abc"},
                {"type": "VPC_SECURITY_GROUP", "uri": "security_group:sg-0abc"},
            ],
        },
    ]
    run = run_mocked(lambda: AwsLambda("orders", spec(event_sources=sources)))
    head, tail = CLUSTER.split(":cluster/")
    assert statements_on(run, CLUSTER)[0]["Action"] == [
        "kafka:DescribeCluster",
        "kafka:DescribeClusterV2",
        "kafka:GetBootstrapBrokers",
    ]
    assert statements_on(run, f"{head}:topic/{tail}/orders")[0]["Action"] == [
        "kafka-cluster:DescribeTopic",
        "kafka-cluster:ReadData",
    ]
    assert statements_on(run, f"{head}:group/{tail}/orders-fn")
    assert statements_on(run, BROKER)[0]["Action"] == ["mq:DescribeBroker"]
    assert statements_on(run, DOCDB)[0]["Action"] == ["rds:DescribeDBClusters"]
    secrets = statements_on(run, [SECRET])
    assert secrets and all(s["Action"] == ["secretsmanager:GetSecretValue"] for s in secrets)
    wildcard = {a for s in statements_on(run, "*") for a in s["Action"]}
    assert wildcard <= {
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeVpcs",
        "ec2:DeleteNetworkInterface",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
        "rds:DescribeDBClusterParameters",
        "rds:DescribeDBSubnetGroups",
    }
    smk = run.named("orders-source-smk").inputs
    assert "eventSourceArn" not in smk
    assert smk["selfManagedEventSource"] == {
        "endpoints": {"KAFKA_BOOTSTRAP_SERVERS": "b1.example.com:9092,b2.example.com:9092"}
    }
    assert run.named("orders-source-msk").inputs["amazonManagedKafkaEventSourceConfig"] == {
        "consumerGroupId": "orders-fn"
    }
    assert run.named("orders-source-mq").inputs["queues"] == "jobs"
    assert run.named("orders-source-docs").inputs["documentDbEventSourceConfig"] == {
        "databaseName": "catalog",
        "fullDocument": "UpdateLookup",
    }


def test_no_source_statements_without_sources_and_none_with_an_existing_role() -> None:
    run = run_mocked(lambda: AwsLambda("orders", spec()))
    assert [s.get("Sid") for s in policy_statements(run)] == ["WriteOwnLogs"]
    existing = spec(role_arn=f"arn:aws:iam::{ACCOUNT}:role/given", event_sources=[sqs()])
    run = run_mocked(lambda: AwsLambda("orders", existing))
    assert not run.of_type(ROLE_POLICY)
    assert run.one(ESM).inputs["eventSourceArn"] == QUEUE


def test_schedule_has_its_own_role_allowed_to_invoke_only_the_alias() -> None:
    trigger = {
        "name": "nightly",
        "type": "schedule",
        "expression": "cron(0 3 * * ? *)",
        "timezone": "Europe/Paris",
        "alias": "prod",
        "input": {"job": "report"},
    }
    run = run_mocked(lambda: AwsLambda("orders", spec(triggers=[trigger])))
    schedule = run.one(SCHEDULE)
    role = run.named("orders-trigger-nightly-role")
    assert schedule.inputs["name"] == "orders-nightly"
    assert schedule.inputs["scheduleExpressionTimezone"] == "Europe/Paris"
    assert schedule.inputs["target"]["arn"] == f"{FUNCTION_ARN}:prod"
    assert schedule.inputs["target"]["roleArn"].endswith("orders-trigger-nightly-role")
    assert schedule.inputs["target"]["input"] == '{"job":"report"}'
    assert schedule.inputs["flexibleTimeWindow"] == {"mode": "OFF"}
    assert schedule.delete_before_replace
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "scheduler.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    ]
    policy = json.loads(run.named("orders-trigger-nightly-role-policy").inputs["policy"])
    assert policy["Statement"] == [
        {"Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": f"{FUNCTION_ARN}:prod"}
    ]
    assert run.named("orders-trigger-nightly-role-policy").urn in schedule.dependencies
    assert not run.of_type(PERMISSION)  # the schedule invokes through its role


def test_push_triggers_get_permissions_scoped_by_source_and_qualified_by_the_alias() -> None:
    triggers = [
        {
            "name": "rule",
            "type": "eventbridge",
            "event_pattern": {"source": ["shop"]},
            "alias": "prod",
            "input": "{}",
        },
        {
            "name": "topic",
            "type": "sns",
            "topic_arn": TOPIC,
            "alias": "dev",
            "filter_policy": {"kind": ["order"]},
        },
        {
            "name": "upload",
            "type": "s3",
            "bucket": "uploads",
            "events": ["s3:ObjectCreated:*"],
            "alias": "prod",
        },
        {"name": "api", "type": "api_gateway", "source_arn": API},
    ]
    run = run_mocked(lambda: AwsLambda("orders", spec(triggers=triggers)))
    permissions = {p.inputs["statementId"]: p.inputs for p in run.of_type(PERMISSION)}
    rule = permissions["trigger-rule"]
    assert rule["principal"] == "events.amazonaws.com" and rule["qualifier"] == "prod"
    assert rule["sourceArn"] == f"arn:aws:events:{REGION_ACCOUNT}:rule/orders-rule"
    topic = permissions["trigger-topic"]
    assert (topic["principal"], topic["sourceArn"], topic["qualifier"]) == (
        "sns.amazonaws.com",
        TOPIC,
        "dev",
    )
    upload = permissions["trigger-upload"]
    assert upload["principal"] == "s3.amazonaws.com"
    assert upload["sourceArn"] == "arn:aws:s3:::uploads"
    assert upload["sourceAccount"] == ACCOUNT
    api = permissions["trigger-api"]
    assert api["sourceArn"] == API and "qualifier" not in api
    assert run.one(TARGET).inputs["arn"] == f"{FUNCTION_ARN}:prod"
    assert run.named("orders-trigger-rule-permission").urn in run.one(TARGET).dependencies
    subscription = run.one(SUBSCRIPTION)
    assert subscription.inputs["endpoint"] == f"{FUNCTION_ARN}:dev"
    assert subscription.inputs["protocol"] == "lambda"
    assert subscription.inputs["filterPolicy"] == '{"kind":["order"]}'
    assert run.named("orders-trigger-topic-permission").urn in subscription.dependencies
    assert not run.of_type(NOTIFICATION)  # no opt-in: the bucket's configuration is left alone
    for permission in run.of_type(PERMISSION):
        assert permission.inputs["function"] == "orders"


def test_the_bucket_notification_is_opt_in_and_shared_per_bucket() -> None:
    def s3(name: str, **extra: Any) -> dict[str, Any]:
        return {
            "name": name,
            "type": "s3",
            "bucket": "uploads",
            "alias": "prod",
            "manage_bucket_notification": True,
            **extra,
        }

    triggers = [
        s3("images", events=["s3:ObjectCreated:*"], filter_suffix=".png"),
        s3("deletes", events=["s3:ObjectRemoved:*"]),
    ]
    run = run_mocked(lambda: AwsLambda("orders", spec(triggers=triggers)))
    notification = run.one(NOTIFICATION)
    assert notification.inputs["bucket"] == "uploads"
    assert notification.inputs["lambdaFunctions"] == [
        {
            "id": "images",
            "lambdaFunctionArn": f"{FUNCTION_ARN}:prod",
            "events": ["s3:ObjectCreated:*"],
            "filterSuffix": ".png",
        },
        {
            "id": "deletes",
            "lambdaFunctionArn": f"{FUNCTION_ARN}:prod",
            "events": ["s3:ObjectRemoved:*"],
        },
    ]
    for name in ("orders-trigger-images-permission", "orders-trigger-deletes-permission"):
        assert run.named(name).urn in notification.dependencies


def test_an_output_source_arn_is_checked_once_it_resolves() -> None:
    def program() -> None:
        wrong = pulumi.Output.from_input(TOPIC)
        AwsLambda("orders", spec(event_sources=[sqs(source_arn=wrong)]))

    with pytest.raises(Exception, match=r"event_sources\[0\]\.source_arn: must be an SQS queue"):
        run_mocked(program)


# -- per-environment example ----------------------------------------------------------------


def test_the_per_environment_example() -> None:
    from pathlib import Path

    path = Path(__file__).parent.parent / "programs" / "manifests" / "orders-per-environment.yaml"
    loaded = load_manifest(path)
    run = run_mocked(lambda: AwsLambda("orders-worker", loaded))
    mappings = {m.inputs["eventSourceArn"].rsplit(":", 1)[1]: m.inputs for m in run.of_type(ESM)}
    assert mappings["orders-dev"]["functionName"].endswith(":function:orders-worker:dev")
    assert mappings["orders-prod"]["functionName"].endswith(":function:orders-worker:prod")
    schedules = {s.inputs["name"]: s.inputs for s in run.of_type(SCHEDULE)}
    assert schedules["orders-worker-nightly-dev"]["target"]["arn"].endswith(":dev")
    assert schedules["orders-worker-nightly-prod"]["target"]["arn"].endswith(":prod")
