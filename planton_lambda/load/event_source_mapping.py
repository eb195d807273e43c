"""Reading Planton's separate kind `AwsLambdaEventSourceMapping` as one of our event sources.

Planton's reference is plantonhq/planton `catalog/aws/awslambdaeventsourcemapping/v1alpha1`
(apiVersion `aws.planton.dev/v1alpha1`; the same kind was published as `aws.planton.dev/v1`):
a mapping of its own, naming the function by ARN and inferring the source type from the
source's ARN. Every field maps onto an `EventSourceSpec` field (see FIELD_MAP) and is then held
to the same AWS rules; what we cannot honour is refused, naming the field.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import Field, ValidationError

from planton_lambda.errors import SpecError, describe
from planton_lambda.load.manifest import _read, parse_document, read_envelope
from planton_lambda.spec.base import SpecModel
from planton_lambda.spec.refs import StringValueOrRef
from planton_lambda.spec.sources import KAFKA, SELF_MANAGED_KAFKA, EventSourceSpec

KIND = "AwsLambdaEventSourceMapping"
API_VERSIONS = ("aws.planton.dev/v1alpha1", "aws.planton.dev/v1")

# Planton's spec field (camelCase) -> ours. Fields Planton writes 0 for "AWS's default" are in
# ZERO_IS_DEFAULT (its proto: IGNORE_IF_ZERO_VALUE; maximumRetryAttempts has explicit presence,
# so 0 there means no retries).
FIELD_MAP: dict[str, str] = {
    "eventSourceArn": "source_arn",
    "selfManagedKafka": "bootstrap_servers",
    "disabled": "enabled",
    "batchSize": "batch_size",
    "maximumBatchingWindowSeconds": "maximum_batching_window_seconds",
    "filters": "filters",
    "kmsKeyArn": "filter_kms_key_arn",
    "functionResponseTypes": "report_batch_item_failures",
    "scalingMaxConcurrency": "maximum_concurrency",
    "metrics": "metrics",
    "startingPosition": "starting_position",
    "startingPositionTimestamp": "starting_position_timestamp",
    "parallelizationFactor": "parallelization_factor",
    "maximumRecordAgeSeconds": "maximum_record_age_seconds",
    "maximumRetryAttempts": "maximum_retry_attempts",
    "bisectBatchOnFunctionError": "bisect_batch_on_function_error",
    "tumblingWindowSeconds": "tumbling_window_seconds",
    "onFailureDestinationArn": "on_failure_destination_arn",
    "topics": "topics",
    "kafkaConsumerGroupId": "consumer_group_id",
    "sourceAccessConfigurations": "source_access_configurations",
    "mqQueue": "queues",
    "documentDb": "document_db",
}
ZERO_IS_DEFAULT = frozenset(
    {
        "batchSize",
        "maximumBatchingWindowSeconds",
        "scalingMaxConcurrency",
        "parallelizationFactor",
        "maximumRecordAgeSeconds",
        "tumblingWindowSeconds",
    }
)
# Planton fields with no counterpart here, and why.
REFUSED: dict[str, str] = {
    "schemaRegistry": "a Kafka schema registry is not supported by planton-lambda (the "
    "poller's registry access and its IAM grants are not modelled); remove it or deploy the "
    "mapping with Planton",
    "provisionedPollers": "provisioned-mode pollers are not supported by planton-lambda; "
    "remove it (the mapping then scales on demand) or deploy the mapping with Planton",
}
_SERVICE_TYPES = {  # the ARN's service -> our source type
    "sqs": "sqs",
    "kinesis": "kinesis",
    "dynamodb": "dynamodb",
    "kafka": "kafka",
    "mq": "mq",
    "rds": "documentdb",
}
# lambda FunctionName (an ARN here, optionally qualified by a version or alias).
_FUNCTION_ARN = re.compile(
    r"arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d):\d{12}:function:"
    r"[A-Za-z0-9_-]{1,64}(:(\$LATEST|[A-Za-z0-9_-]{1,128}))?"
)


class _Spec(SpecModel):
    """Planton's spec, field for field; checked further once mapped onto EventSourceSpec."""

    region: str = Field(min_length=1)
    function_arn: StringValueOrRef
    event_source_arn: StringValueOrRef | None = None
    self_managed_kafka: dict[str, Any] | None = None
    disabled: bool = False
    batch_size: int | None = None
    maximum_batching_window_seconds: int | None = None
    filters: list[Any] = Field(default_factory=list)
    kms_key_arn: StringValueOrRef | None = None
    function_response_types: list[str] = Field(default_factory=list)
    scaling_max_concurrency: int | None = None
    metrics: list[str] = Field(default_factory=list)
    starting_position: str | None = None
    starting_position_timestamp: str | None = None
    parallelization_factor: int | None = None
    maximum_record_age_seconds: int | None = None
    maximum_retry_attempts: int | None = None
    bisect_batch_on_function_error: bool | None = None
    tumbling_window_seconds: int | None = None
    on_failure_destination_arn: StringValueOrRef | None = None
    topics: list[str] = Field(default_factory=list)
    kafka_consumer_group_id: str | None = None
    source_access_configurations: list[Any] = Field(default_factory=list)
    schema_registry: Any = None
    provisioned_pollers: Any = None
    mq_queue: str | None = None
    document_db: dict[str, Any] | None = None


@dataclass(frozen=True)
class EventSourceMappingManifest:
    """A validated AwsLambdaEventSourceMapping: what `event_source_mapping` creates."""

    name: str  # metadata.name: the resource's name
    region: str
    function_arn: StringValueOrRef  # the function, or an alias when the ARN is qualified
    source: EventSourceSpec


def is_event_source_mapping(document: Mapping[str, Any]) -> bool:
    return document.get("kind") == KIND


def load_event_source_mapping(path_or_text: str | os.PathLike[str]) -> EventSourceMappingManifest:
    """The validated mapping of an AwsLambdaEventSourceMapping manifest file (or YAML text,
    or `-` for standard input, as `load_manifest` reads them). Raises ManifestError when the
    input is not such a manifest, SpecError (at Planton's field paths) when a rule is broken."""
    text, source, _ = _read(path_or_text)
    return event_source_mapping_from_document(parse_document(text, source), source)


def event_source_mapping_from_document(
    data: Mapping[str, Any], source: str
) -> EventSourceMappingManifest:
    name, spec = read_envelope(data, source, kind=KIND, api_versions=API_VERSIONS, names="mapping")
    try:
        planton = _Spec.model_validate(spec)
    except ValidationError as error:
        raise SpecError.from_validation_error(error, _Spec, source) from None
    problems = [f"spec.{key}: {why}" for key, why in _refused(planton).items()]
    problems += _source_problems(planton)
    if problems:
        raise SpecError(problems, source)
    ours = _ours(name, planton)
    try:
        mapped = EventSourceSpec.model_validate(ours)
    except ValidationError as error:
        raise SpecError(
            [_planton_path(describe(d, EventSourceSpec)) for d in error.errors()], source
        ) from None
    region_problems = _region_problems(planton, mapped)
    if region_problems:
        raise SpecError(region_problems, source)
    return EventSourceMappingManifest(name, planton.region, planton.function_arn, mapped)


def _refused(planton: _Spec) -> dict[str, str]:
    refused = {}
    if planton.schema_registry is not None:
        refused["schemaRegistry"] = REFUSED["schemaRegistry"]
    if planton.provisioned_pollers is not None:
        refused["provisionedPollers"] = REFUSED["provisionedPollers"]
    return refused


def _source_problems(planton: _Spec) -> list[str]:
    # Planton's rule exactly_one_event_source.
    if (planton.event_source_arn is None) == (planton.self_managed_kafka is None):
        return [
            "spec.eventSourceArn: give exactly one of eventSourceArn (SQS, Kinesis, DynamoDB, "
            "MSK, MQ, DocumentDB) or selfManagedKafka"
        ]
    if planton.event_source_arn is not None and planton.event_source_arn.literal is None:
        return [
            "spec.eventSourceArn: the source type is read from the ARN, so it must be the ARN "
            "itself ({value: arn:aws:...}), not a reference"
        ]
    if planton.self_managed_kafka is not None:
        servers = planton.self_managed_kafka.get("bootstrapServers")
        extra = set(planton.self_managed_kafka) - {"bootstrapServers"}
        if extra:
            return [
                f"spec.selfManagedKafka: unknown keys {sorted(extra)}; allowed: bootstrapServers"
            ]
        if not isinstance(servers, list) or not servers:
            return ["spec.selfManagedKafka.bootstrapServers: required, a list of host:port"]
    if planton.kms_key_arn is not None and planton.kms_key_arn.value_from is not None:
        return ["spec.kmsKeyArn: give the key ARN itself ({value: arn:aws:kms:...})"]
    unsupported = [t for t in planton.function_response_types if t != "ReportBatchItemFailures"]
    if unsupported:
        return ["spec.functionResponseTypes: the only response type is ReportBatchItemFailures"]
    return []


def source_type(arn: str) -> str | None:
    """Our source type for a source ARN (`arn:aws:sqs:...` -> sqs), as Planton infers it."""
    parts = arn.split(":")
    return _SERVICE_TYPES.get(parts[2]) if len(parts) > 2 and parts[0] == "arn" else None


def _ours(name: str, planton: _Spec) -> dict[str, Any]:
    given = planton.model_dump(exclude_unset=True)
    ours: dict[str, Any] = {"name": name}
    if planton.self_managed_kafka is not None:
        ours["type"] = SELF_MANAGED_KAFKA
        ours["bootstrap_servers"] = planton.self_managed_kafka["bootstrapServers"]
    else:
        assert planton.event_source_arn is not None
        arn = planton.event_source_arn.literal or ""
        # An ARN of no known service: `kafka`'s rule then names what a source ARN looks like.
        ours["type"] = source_type(arn) or KAFKA
        ours["source_arn"] = planton.event_source_arn
    for planton_field, field in FIELD_MAP.items():
        snake = _snake(planton_field)
        if snake not in given or planton_field in ("eventSourceArn", "selfManagedKafka"):
            continue
        value = getattr(planton, snake)
        if planton_field in ZERO_IS_DEFAULT and value == 0:
            continue
        if planton_field == "disabled":
            value = not value
        elif planton_field == "functionResponseTypes":
            value = "ReportBatchItemFailures" in value
        elif planton_field == "filters":
            value = [f.get("pattern") if isinstance(f, dict) else f for f in value]
        elif planton_field == "kmsKeyArn":
            value = value.value
        elif planton_field == "mqQueue" and value == "":
            continue
        ours[field] = value
    return ours


def _snake(camel: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), camel)


_OURS_TO_PLANTON = {ours: planton for planton, ours in FIELD_MAP.items()} | {
    "type": "eventSourceArn",
    "name": "metadata.name",
}


def _planton_path(problem: str) -> str:
    """`maximum_concurrency: ...` -> `spec.scalingMaxConcurrency (maximum_concurrency): ...`."""
    path, _, message = problem.partition(": ")
    head = re.split(r"[.\[]", path, maxsplit=1)[0]
    planton = _OURS_TO_PLANTON.get(head)
    if planton is None:
        return f"spec: {problem}"
    rest = path[len(head) :]
    where = planton if planton.startswith("metadata.") else f"spec.{planton}"
    return f"{where}{rest} ({path}): {message}"


def function_arn_problem(text: str) -> str | None:
    if _FUNCTION_ARN.fullmatch(text):
        return None
    return "must be a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>)"


def _region_problems(planton: _Spec, mapped: EventSourceSpec) -> list[str]:
    """Planton's `region`: "must be the region of both the function and the event source"
    (its spec.region comment); Lambda reads a source only in the mapping's region."""
    problems = []
    function = planton.function_arn.literal
    if function is not None:
        match = _FUNCTION_ARN.fullmatch(function)
        if match is None:
            problems.append(
                "spec.functionArn: must be a Lambda function ARN "
                "(arn:aws:lambda:<region>:<account>:function:<name>[:<alias>])"
            )
        elif match.group(1) != planton.region:
            problems.append(
                f"spec.functionArn: the function is in {match.group(1)}, not in "
                f"spec.region {planton.region}"
            )
    arn = mapped.source_arn.literal if mapped.source_arn else None
    if arn is not None and arn.split(":")[3] != planton.region:
        problems.append(
            f"spec.eventSourceArn: the source is in {arn.split(':')[3]}, not in "
            f"spec.region {planton.region}"
        )
    return problems
