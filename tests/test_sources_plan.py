"""Event sources and triggers in `planton-lambda plan` (tree and JSON), and the mapping
options added with Planton's AwsLambdaEventSourceMapping kind (metrics, filter key)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from planton_lambda import AwsLambda, SpecError
from planton_lambda.cli import main
from planton_lambda.load.manifest import validate_spec
from planton_lambda.testing import ACCOUNT, run_mocked

REGION_ACCOUNT = f"us-east-1:{ACCOUNT}"
QUEUE = f"arn:aws:sqs:{REGION_ACCOUNT}:orders"
CLUSTER = f"arn:aws:kafka:{REGION_ACCOUNT}:cluster/events/0a1b2c3d-1111-2222-3333-444455556666-1"
DOCDB = f"arn:aws:rds:{REGION_ACCOUNT}:cluster:catalog"
SECRET = f"arn:aws:secretsmanager:{REGION_ACCOUNT}:secret:creds-AbCdEf"
KEY = f"arn:aws:kms:{REGION_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TOPIC = f"arn:aws:sns:{REGION_ACCOUNT}:orders-events"
API = f"arn:aws:execute-api:{REGION_ACCOUNT}:abc123/*/GET/orders"
ESM = "aws:lambda/eventSourceMapping:EventSourceMapping"

TRIGGERS: list[dict[str, Any]] = [
    {"name": "nightly", "type": "schedule", "expression": "cron(0 2 * * ? *)",
     "timezone": "Europe/Paris", "alias": "prod"},
    {"name": "created", "type": "eventbridge", "alias": "prod",
     "event_pattern": {"source": ["orders"]}},
    {"name": "events", "type": "sns", "topic_arn": TOPIC, "alias": "dev"},
    {"name": "uploads", "type": "s3", "bucket": "orders-uploads", "alias": "prod",
     "events": ["s3:ObjectCreated:*"], "manage_bucket_notification": True},
    {"name": "api", "type": "api_gateway", "source_arn": API, "alias": "prod"},
]  # fmt: skip


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


def problems(source: dict[str, Any]) -> list[str]:
    with pytest.raises(SpecError) as caught:
        validate_spec(spec(event_sources=[source]))
    return caught.value.problems


# -- plan shows every trigger's resources with its source and alias --------------------------


def test_plan_tree_and_json_show_each_trigger(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "orders.yaml"
    path.write_text(yaml.safe_dump(spec(triggers=TRIGGERS)), encoding="utf-8")
    assert main(["plan", str(path)]) == 0
    tree = capsys.readouterr().out
    for line in (
        "+ aws:scheduler/schedule:Schedule  orders-trigger-nightly",
        "scheduleExpression: cron(0 2 * * ? *)",
        "scheduleExpressionTimezone: Europe/Paris",
        "+ aws:cloudwatch/eventRule:EventRule  orders-trigger-created",
        'eventPattern: {"source":["orders"]}',
        "+ aws:cloudwatch/eventTarget:EventTarget  orders-trigger-created-target",
        "+ aws:sns/topicSubscription:TopicSubscription  orders-trigger-events",
        f"topic: {TOPIC}",
        "protocol: lambda",
        "+ aws:s3/bucketNotification:BucketNotification  orders-trigger-uploads-notification",
        "bucket: orders-uploads",
        "lambdaFunctions[0].events: [s3:ObjectCreated:*]",
        "+ aws:lambda/permission:Permission  orders-trigger-api-permission",
        f"sourceArn: {API}",
        "principal: apigateway.amazonaws.com",
        "statementId: trigger-uploads",
        "principal: s3.amazonaws.com",
        "qualifier: prod",
        "qualifier: dev",
    ):
        assert line in tree, line
    assert main(["plan", "--json", str(path)]) == 0
    items = {(i["type"], i["name"]): i["inputs"] for i in json.loads(capsys.readouterr().out)}
    schedule = items[("aws:scheduler/schedule:Schedule", "orders-trigger-nightly")]
    assert schedule["scheduleExpression"] == "cron(0 2 * * ? *)"
    assert schedule["name"] == "orders-nightly"
    subscription = items[("aws:sns/topicSubscription:TopicSubscription", "orders-trigger-events")]
    assert subscription["topic"] == TOPIC and subscription["protocol"] == "lambda"
    s3 = items[("aws:lambda/permission:Permission", "orders-trigger-uploads-permission")]
    assert s3["qualifier"] == "prod" and s3["sourceArn"].endswith(":s3:::orders-uploads")
    assert "sourceAccount" in s3
    api = items[("aws:lambda/permission:Permission", "orders-trigger-api-permission")]
    assert (api["principal"], api["sourceArn"]) == ("apigateway.amazonaws.com", API)
    rule = items[("aws:cloudwatch/eventRule:EventRule", "orders-trigger-created")]
    assert json.loads(rule["eventPattern"]) == {"source": ["orders"]}


# -- metrics and the filter key ----------------------------------------------------------------


def test_sqs_emits_event_count_only() -> None:
    found = problems({"name": "q", "type": "sqs", "source_arn": QUEUE,
                      "metrics": ["EventCount", "ErrorCount"]})  # fmt: skip
    assert found == [
        "event_sources[0].metrics[1]: ErrorCount is for kafka and self_managed_kafka only; "
        "sqs emits EventCount"
    ]


def test_metrics_are_listed_once() -> None:
    found = problems({"name": "q", "type": "sqs", "source_arn": QUEUE,
                      "metrics": ["EventCount", "EventCount"]})  # fmt: skip
    assert found == ["event_sources[0].metrics: a metric is listed twice"]


def test_documentdb_takes_no_filters() -> None:
    source = {
        "name": "docs", "type": "documentdb", "source_arn": DOCDB,
        "starting_position": "LATEST", "document_db": {"database_name": "catalog"},
        "source_access_configurations": [{"type": "BASIC_AUTH", "uri": SECRET}],
        "filters": [{"body": {"a": [1]}}],
    }  # fmt: skip
    assert problems(source) == [
        "event_sources[0].filters: Lambda does not filter DocumentDB change events"
    ]


def test_filter_key_must_be_a_key_arn() -> None:
    found = problems({"name": "q", "type": "sqs", "source_arn": QUEUE,
                      "filter_kms_key_arn": "alias/orders"})  # fmt: skip
    assert found[0].startswith("event_sources[0].filter_kms_key_arn: must be a KMS key ARN")


def test_kafka_metrics_and_filter_key_reach_the_mapping() -> None:
    source = {
        "name": "events", "type": "kafka", "source_arn": CLUSTER, "alias": "prod",
        "starting_position": "LATEST", "topics": ["orders"],
        "metrics": ["EventCount", "ErrorCount", "KafkaMetrics"], "filter_kms_key_arn": KEY,
    }  # fmt: skip
    run = run_mocked(lambda: AwsLambda("orders", spec(event_sources=[source])))
    inputs = run.one(ESM).inputs
    assert inputs["metricsConfig"] == {"metrics": ["EventCount", "ErrorCount", "KafkaMetrics"]}
    assert inputs["kmsKeyArn"] == KEY
    # The filter key is Lambda's to use: the execution role gains nothing on it.
    policy = json.loads(run.named("orders-role-policy").inputs["policy"])
    assert all(s["Resource"] != KEY for s in policy["Statement"])
