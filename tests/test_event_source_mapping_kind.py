"""Planton's separate kind AwsLambdaEventSourceMapping: read, mapped onto EventSourceSpec,
refused where it cannot be honoured, validated and planned by the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from planton_lambda import SpecError
from planton_lambda.cli import main
from planton_lambda.cli.plan import plan_event_source_mapping
from planton_lambda.errors import ManifestError
from planton_lambda.load.event_source_mapping import (
    FIELD_MAP,
    REFUSED,
    load_event_source_mapping,
    source_type,
)

FIXTURES = Path(__file__).parent / "fixtures" / "planton" / "esm"
CONVERTED = FIXTURES / "sqs-worker.yaml"
VERBATIM = FIXTURES / "sqs-worker.planton.yaml"
ESM = "aws:lambda/eventSourceMapping:EventSourceMapping"
ACCOUNT = "123456789012"
FUNCTION = f"arn:aws:lambda:us-west-2:{ACCOUNT}:function:orders-worker"
QUEUE = f"arn:aws:sqs:us-west-2:{ACCOUNT}:orders-queue"
STREAM = f"arn:aws:kinesis:us-west-2:{ACCOUNT}:stream/clicks"
DLQ = f"arn:aws:sqs:us-west-2:{ACCOUNT}:clicks-dlq"
SECRET = f"arn:aws:secretsmanager:us-west-2:{ACCOUNT}:secret:kafka-AbCdEf"


def manifest(**spec: Any) -> str:
    document = {
        "apiVersion": "aws.planton.dev/v1alpha1",
        "kind": "AwsLambdaEventSourceMapping",
        "metadata": {"name": "orders-worker-queue"},
        "spec": {
            "region": "us-west-2",
            "functionArn": {"value": FUNCTION},
            "eventSourceArn": {"value": QUEUE},
            **spec,
        },
    }
    return yaml.safe_dump(document, sort_keys=False)


def problems(**spec: Any) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_event_source_mapping(manifest(**spec))
    return caught.value.problems


def test_the_converted_planton_example_maps_every_field_it_sets() -> None:
    mapping = load_event_source_mapping(CONVERTED)
    assert mapping.name == "planton-oss-e2e-lambda-esm-sqs"
    assert mapping.region == "us-west-2"
    assert mapping.function_arn.literal is not None
    assert mapping.function_arn.literal.endswith(":planton-oss-e2e-lambda-smoke:live")
    source = mapping.source
    assert (source.type, source.batch_size, source.maximum_batching_window_seconds) == (
        "sqs",
        25,
        5,
    )
    assert source.report_batch_item_failures is True
    assert source.metrics == ["EventCount"]
    assert source.maximum_concurrency == 50
    assert source.filters == ['{"body":{"type":["order.created"]}}']


def test_plan_of_the_converted_example_is_the_mapping_alone() -> None:
    plan = plan_event_source_mapping(load_event_source_mapping(CONVERTED))
    assert [(r.type, r.name, r.parent) for r in plan.resources] == [
        (ESM, "planton-oss-e2e-lambda-esm-sqs", None)
    ]
    inputs = plan.resources[0].inputs
    assert inputs["functionName"].endswith("function:planton-oss-e2e-lambda-smoke:live")
    assert inputs["region"] == "us-west-2"
    assert inputs["scalingConfig"] == {"maximumConcurrency": 50}
    assert inputs["metricsConfig"] == {"metrics": ["EventCount"]}
    assert inputs["functionResponseTypes"] == ["ReportBatchItemFailures"]


def test_planton_canonical_example_is_refused_at_planton_paths() -> None:
    with pytest.raises(SpecError) as caught:
        load_event_source_mapping(VERBATIM)
    text = "\n".join(caught.value.problems)
    assert "spec.scalingMaxConcurrency (maximum_concurrency): 2500 is above 1000" in text
    assert "spec.metrics[1] (metrics[1]): ErrorCount is for kafka" in text


@pytest.mark.parametrize(
    "arn, kind",
    [
        (QUEUE, "sqs"),
        (STREAM, "kinesis"),
        (f"arn:aws:dynamodb:us-west-2:{ACCOUNT}:table/t/stream/2026", "dynamodb"),
        (f"arn:aws:kafka:us-west-2:{ACCOUNT}:cluster/c/uuid", "kafka"),
        (f"arn:aws:mq:us-west-2:{ACCOUNT}:broker:b:b-1234", "mq"),
        (f"arn:aws:rds:us-west-2:{ACCOUNT}:cluster:docs", "documentdb"),
    ],
)
def test_the_source_type_is_read_from_the_arn(arn: str, kind: str) -> None:
    assert source_type(arn) == kind


def test_stream_fields_map_and_zero_means_aws_default() -> None:
    mapping = load_event_source_mapping(
        manifest(
            eventSourceArn={"value": STREAM},
            startingPosition="LATEST",
            batchSize=0,
            parallelizationFactor=4,
            maximumRetryAttempts=0,  # explicit presence: no retries
            maximumRecordAgeSeconds=0,
            bisectBatchOnFunctionError=True,
            tumblingWindowSeconds=0,
            onFailureDestinationArn={"value": DLQ},
            disabled=True,
        )
    )
    source = mapping.source
    assert source.type == "kinesis" and source.enabled is False
    assert source.batch_size is None and source.maximum_record_age_seconds is None
    assert source.maximum_retry_attempts == 0 and source.parallelization_factor == 4
    assert source.on_failure_destination_arn is not None
    assert source.on_failure_destination_arn.literal == DLQ


def test_self_managed_kafka_maps_to_bootstrap_servers() -> None:
    text = manifest(
        selfManagedKafka={"bootstrapServers": ["k1.example.com:9092"]},
        startingPosition="TRIM_HORIZON",
        topics=["orders"],
        kafkaConsumerGroupId="orders-workers",
        sourceAccessConfigurations=[{"type": "SASL_SCRAM_512_AUTH", "uri": SECRET}],
        metrics=["EventCount", "KafkaMetrics"],
    ).replace(f"  eventSourceArn:\n    value: {QUEUE}\n", "")
    source = load_event_source_mapping(text).source
    assert source.type == "self_managed_kafka"
    assert source.bootstrap_servers == ["k1.example.com:9092"]
    assert source.consumer_group_id == "orders-workers"


@pytest.mark.parametrize("field", sorted(REFUSED))
def test_what_cannot_be_honoured_is_refused_by_name(field: str) -> None:
    assert any(p.startswith(f"spec.{field}: ") for p in problems(**{field: {"uri": "x"}}))


def test_every_planton_field_is_mapped_or_refused() -> None:
    # The fields of Planton's generated reference (catalog/aws/awslambdaeventsourcemapping).
    planton = {
        "region", "functionArn", "eventSourceArn", "selfManagedKafka", "disabled", "batchSize",
        "maximumBatchingWindowSeconds", "filters", "kmsKeyArn", "functionResponseTypes",
        "scalingMaxConcurrency", "metrics", "startingPosition", "startingPositionTimestamp",
        "parallelizationFactor", "maximumRecordAgeSeconds", "maximumRetryAttempts",
        "bisectBatchOnFunctionError", "tumblingWindowSeconds", "onFailureDestinationArn",
        "topics", "kafkaConsumerGroupId", "sourceAccessConfigurations", "schemaRegistry",
        "provisionedPollers", "mqQueue", "documentDb",
    }  # fmt: skip
    assert planton - {"region", "functionArn"} == set(FIELD_MAP) | set(REFUSED)


def test_source_rules_and_references() -> None:
    assert any("exactly one of eventSourceArn" in p for p in problems(
        selfManagedKafka={"bootstrapServers": ["k:9092"]}
    ))  # fmt: skip
    assert any("not a reference" in p for p in problems(
        eventSourceArn={"value_from": {"stack": "org/queues/prod", "output": "arn"}}
    ))  # fmt: skip
    planton_ref = {"valueFrom": {"kind": "AwsSqsQueue", "name": "q", "fieldPath": "x"}}
    assert any("Project Planton resource reference" in p for p in problems(
        eventSourceArn=planton_ref
    ))  # fmt: skip
    assert any(p.startswith("spec.startingPosition (starting_position): not allowed for sqs")
               for p in problems(startingPosition="LATEST"))  # fmt: skip


def test_region_must_be_the_function_and_source_region() -> None:
    found = problems(region="eu-west-1")
    assert any(p.startswith("spec.functionArn: the function is in us-west-2") for p in found)
    assert any(p.startswith("spec.eventSourceArn: the source is in us-west-2") for p in found)


def test_wrong_api_version_is_a_manifest_error() -> None:
    with pytest.raises(ManifestError, match=r"aws\.planton\.dev/v1alpha1"):
        load_event_source_mapping(manifest().replace("v1alpha1", "v9"))


def test_cli_validates_and_plans_the_kind(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["validate", str(CONVERTED)]) == 0
    assert "valid (AwsLambdaEventSourceMapping: sqs -> " in capsys.readouterr().out
    assert main(["validate", str(VERBATIM)]) == 1
    assert "spec.scalingMaxConcurrency" in capsys.readouterr().err
    assert main(["plan", str(CONVERTED)]) == 0
    out = capsys.readouterr().out
    assert f"+ {ESM}  planton-oss-e2e-lambda-esm-sqs" in out
    assert "scalingConfig.maximumConcurrency: 50" in out
    assert "1 resource to create" in out
    assert main(["plan", "--json", str(CONVERTED)]) == 0
    (item,) = json.loads(capsys.readouterr().out)
    assert item["type"] == ESM and item["inputs"]["region"] == "us-west-2"
