"""Event sources (poll-based: event source mappings) and triggers (push-based), per alias.

Every rule names its source. Unless said otherwise the shapes and ranges are botocore's
service models (`lambda/2015-03-31`, `scheduler/2021-06-30`, `events/2015-10-07`,
`s3/2006-03-01`: service-2.json), read with the AWS docs they point to.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from collections.abc import Sequence
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, WithJsonSchema, model_validator

from planton_lambda.spec.base import Loc, SpecModel, raise_errors
from planton_lambda.spec.refs import LiteralOrOutput, StringValueOrRef, is_known, matches

SQS, KINESIS, DYNAMODB = "sqs", "kinesis", "dynamodb"
KAFKA, SELF_MANAGED_KAFKA, MQ, DOCUMENTDB = "kafka", "self_managed_kafka", "mq", "documentdb"
SourceType = Literal[
    "sqs", "kinesis", "dynamodb", "kafka", "self_managed_kafka", "mq", "documentdb"
]
SOURCE_TYPES: tuple[str, ...] = (SQS, KINESIS, DYNAMODB, KAFKA, SELF_MANAGED_KAFKA, MQ, DOCUMENTDB)
STREAMS = (KINESIS, DYNAMODB)
KAFKAS = (KAFKA, SELF_MANAGED_KAFKA)

SCHEDULE, EVENTBRIDGE, SNS, S3, API_GATEWAY = "schedule", "eventbridge", "sns", "s3", "api_gateway"
TriggerType = Literal["schedule", "eventbridge", "sns", "s3", "api_gateway"]
TRIGGER_TYPES: tuple[str, ...] = (SCHEDULE, EVENTBRIDGE, SNS, S3, API_GATEWAY)

# The names of sources and triggers: the contract's 1-64 of [A-Za-z0-9_-] (whole value).
_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
NAME_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"

# --- ARNs of each source, as the source services write them ------------------------------
_P = r"arn:aws[a-z-]*"
_REGION_ACCOUNT = r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d:\d{12}"
SOURCE_ARNS: dict[str, tuple[re.Pattern[str], str]] = {
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-queues.html
    # (queue names: 1-80 of [A-Za-z0-9_-], a FIFO queue's ending in .fifo)
    SQS: (
        re.compile(
            rf"{_P}:sqs:{_REGION_ACCOUNT}:[A-Za-z0-9_-]{{1,75}}(\.fifo|[A-Za-z0-9_-]{{0,5}})"
        ),
        "an SQS queue ARN (arn:aws:sqs:<region>:<account>:<queue>)",
    ),
    # A stream, or a stream's enhanced fan-out consumer (CreateEventSourceMapping EventSourceArn)
    KINESIS: (
        re.compile(
            rf"{_P}:kinesis:{_REGION_ACCOUNT}:stream/[A-Za-z0-9_.-]{{1,128}}"
            r"(/consumer/[A-Za-z0-9_.-]{1,128}:\d+)?"
        ),
        "a Kinesis stream or stream consumer ARN (arn:aws:kinesis:<region>:<account>:stream/"
        "<name>)",
    ),
    DYNAMODB: (
        re.compile(rf"{_P}:dynamodb:{_REGION_ACCOUNT}:table/[A-Za-z0-9_.-]{{3,255}}/stream/\S+"),
        "a DynamoDB stream ARN (arn:aws:dynamodb:<region>:<account>:table/<table>/stream/"
        "<label>), the table's stream_arn, not the table's ARN",
    ),
    KAFKA: (
        re.compile(rf"{_P}:kafka:{_REGION_ACCOUNT}:(cluster|vpc-connection)/\S+"),
        "an MSK cluster ARN (arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>)",
    ),
    MQ: (
        re.compile(rf"{_P}:mq:{_REGION_ACCOUNT}:broker:[A-Za-z0-9_-]+:b-[0-9a-f-]+"),
        "an Amazon MQ broker ARN (arn:aws:mq:<region>:<account>:broker:<name>:<id>)",
    ),
    DOCUMENTDB: (
        re.compile(rf"{_P}:rds:{_REGION_ACCOUNT}:cluster:[A-Za-z][A-Za-z0-9-]{{0,62}}"),
        "a DocumentDB cluster ARN (arn:aws:rds:<region>:<account>:cluster:<name>)",
    ),
}
_FAILURE_DESTINATION = re.compile(
    rf"{_P}:(sqs|sns):{_REGION_ACCOUNT}:[A-Za-z0-9_.-]+|{_P}:s3:::[a-z0-9][a-z0-9.-]{{1,61}}[a-z0-9]"
)
FAILURE_DESTINATION_HELP = (
    "an SQS queue, SNS topic or S3 bucket ARN (OnFailure.Destination: the destinations Lambda "
    "takes for streams and Kafka)"
)
_KEY_ARN = re.compile(rf"{_P}:kms:[a-z0-9-]+:\d{{12}}:key/[A-Za-z0-9-]+")
KEY_HELP = (
    "a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>), not an alias ARN: an IAM "
    "grant on an alias ARN allows nothing on the key"
)
_SECRET_ARN = re.compile(rf"{_P}:secretsmanager:[a-z0-9-]+:\d{{12}}:secret:[A-Za-z0-9/_+=.@-]+")

# --- limits ------------------------------------------------------------------------------
BATCH_MAX = 10_000  # BatchSize: 1-10000 for every type (its documentation, per source)
SQS_FIFO_BATCH_MAX = 10  # "For FIFO queues the max is 10" (same documentation)
# "By default, you can have five different filters per event source. You can request a quota
# increase for up to 10": https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
FILTERS_DEFAULT_QUOTA = 5
PATTERN_MAX = 4096  # Filter.Pattern: 0-4096 characters
# ScalingConfig.MaximumConcurrency 2-1000; pulumi-aws (EventSourceMappingScalingConfig): "You
# need to raise a Service Quota Ticket to increase the concurrency beyond 1000".
MAX_CONCURRENCY_DEFAULT_QUOTA = 1000
MAX_RECORD_AGE = 604_800  # MaximumRecordAgeInSeconds: -1, or 60-604800 (pulumi-aws docs)

StartingPosition = Literal["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"]
# EventSourceMappingMetric (botocore lambda/2015-03-31; https://docs.aws.amazon.com/lambda/
# latest/api/API_EventSourceMappingMetricsConfig.html): "ErrorCount (Amazon MSK and
# self-managed Apache Kafka)", "KafkaMetrics (Amazon MSK and self-managed Apache Kafka)".
Metric = Literal["EventCount", "ErrorCount", "KafkaMetrics"]
KAFKA_ONLY_METRICS = ("ErrorCount", "KafkaMetrics")
# SourceAccessType, and which source admits which (SourceAccessConfiguration.Type's docs).
AccessType = Literal[
    "BASIC_AUTH",
    "VPC_SUBNET",
    "VPC_SECURITY_GROUP",
    "SASL_SCRAM_512_AUTH",
    "SASL_SCRAM_256_AUTH",
    "VIRTUAL_HOST",
    "CLIENT_CERTIFICATE_TLS_AUTH",
    "SERVER_ROOT_CA_CERTIFICATE",
]
SECRET_ACCESS_TYPES = frozenset(
    {
        "BASIC_AUTH",
        "SASL_SCRAM_512_AUTH",
        "SASL_SCRAM_256_AUTH",
        "CLIENT_CERTIFICATE_TLS_AUTH",
        "SERVER_ROOT_CA_CERTIFICATE",
    }
)
ACCESS_TYPES_BY_SOURCE: dict[str, frozenset[str]] = {
    KAFKA: frozenset({"SASL_SCRAM_512_AUTH", "CLIENT_CERTIFICATE_TLS_AUTH"}),
    SELF_MANAGED_KAFKA: frozenset(
        {
            "BASIC_AUTH",
            "VPC_SUBNET",
            "VPC_SECURITY_GROUP",
            "SASL_SCRAM_512_AUTH",
            "SASL_SCRAM_256_AUTH",
            "CLIENT_CERTIFICATE_TLS_AUTH",
            "SERVER_ROOT_CA_CERTIFICATE",
        }
    ),
    MQ: frozenset({"BASIC_AUTH", "VIRTUAL_HOST"}),
    # https://docs.aws.amazon.com/lambda/latest/dg/with-documentdb.html: BASIC_AUTH, the
    # cluster's Secrets Manager secret
    DOCUMENTDB: frozenset({"BASIC_AUTH"}),
}
# Endpoint (host:port), Topic, ConsumerGroupId (URI), DatabaseName, CollectionName.
_ENDPOINT = re.compile(
    r"(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9])\.)*"
    r"([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9\-]*[A-Za-z0-9]):[0-9]{1,5}"
)
_TOPIC = re.compile(r"[^.][a-zA-Z0-9\-_.]{0,248}")
_CONSUMER_GROUP = re.compile(r"[a-zA-Z0-9-/*:_+=.@-]{1,200}")
_DATABASE = re.compile(r"[^ /\.$\x22]{1,63}")
_COLLECTION = re.compile(r"(?!system\.)[_a-zA-Z0-9][^$]{0,56}")


def json_text(value: Any) -> Any:
    """A YAML mapping (or list) as compact JSON text; text is kept as given, checked later."""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), sort_keys=False)
    return value


JsonText = Annotated[
    str,
    BeforeValidator(json_text),
    WithJsonSchema({"anyOf": [{"type": "string", "minLength": 1}, {"type": "object"}]}),
]


def json_object_problem(text: str, limit: int | None = None) -> str | None:
    """Why `text` is not a JSON object (within `limit` characters), or None."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return f"is not JSON ({error.msg} at character {error.pos})"
    if not isinstance(document, dict) or not document:
        return "must be a non-empty JSON object"
    if limit is not None and len(text) > limit:
        return f"is {len(text)} characters as JSON; AWS allows {limit}"
    return None


class SourceAccessConfiguration(SpecModel):
    """How Lambda reaches a Kafka, MQ or DocumentDB source: a secret, a subnet, a host."""

    type: AccessType = Field(description="the access type (SourceAccessType)")
    uri: LiteralOrOutput = Field(
        description="a Secrets Manager secret ARN (auth types), subnet:<subnet-id>, "
        "security_group:<sg-id>, or the RabbitMQ virtual host name"
    )

    @model_validator(mode="after")
    def _uri_fits_type(self) -> SourceAccessConfiguration:
        problem = access_uri_problem(self.type, self.uri) if is_known(self.uri) else None
        if problem:
            raise_errors("SourceAccessConfiguration", [(("uri",), problem)])
        return self


def access_uri_problem(kind: str, uri: str) -> str | None:
    if kind in SECRET_ACCESS_TYPES and not matches(_SECRET_ARN, uri):
        return (
            f"{kind} takes a Secrets Manager secret ARN "
            "(arn:aws:secretsmanager:<region>:<account>:secret:<name>)"
        )
    if kind == "VPC_SUBNET" and not matches(re.compile(r"subnet:subnet-[0-9a-z]+"), uri):
        return "VPC_SUBNET takes subnet:<subnet-id>"
    if kind == "VPC_SECURITY_GROUP" and not matches(
        re.compile(r"security_group:sg-[0-9a-z]+"), uri
    ):
        return "VPC_SECURITY_GROUP takes security_group:<sg-id>"
    return None


class DocumentDbConfig(SpecModel):
    """Which change stream of a DocumentDB cluster the mapping reads."""

    database_name: str = Field(description='the database: 1-63 characters, no space / . $ "')
    collection_name: str | None = Field(
        None, description="one collection (1-57 characters); default: every collection"
    )
    full_document: Literal["UpdateLookup", "Default"] = Field(
        "Default", description="UpdateLookup: updates carry the whole document"
    )

    @model_validator(mode="after")
    def _names(self) -> DocumentDbConfig:
        errors: list[tuple[Loc, str]] = []
        if not matches(_DATABASE, self.database_name):
            errors.append((("database_name",), 'must be 1-63 characters without space / . $ "'))
        if self.collection_name is not None and not matches(_COLLECTION, self.collection_name):
            errors.append(
                (
                    ("collection_name",),
                    "must be 1-57 characters, start with a letter, digit "
                    "or _, hold no $ and not start with system.",
                )
            )
        raise_errors("DocumentDbConfig", errors)
        return self


def _one_queue(value: Any) -> Any:
    # pulumi-aws takes MQ's queue as one string; AWS's Queues list holds exactly one.
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    if isinstance(value, list):
        raise ValueError(f"Amazon MQ mappings read exactly one queue, got {len(value)}")
    return value


class EventSourceSpec(SpecModel):
    """A poll-based source: Lambda reads it and invokes the function (or an alias) in batches."""

    name: str = Field(
        description="unique among event_sources and triggers: 1-64 of [A-Za-z0-9_-]",
        json_schema_extra={"pattern": NAME_PATTERN},
    )
    type: SourceType = Field(description="the kind of source")
    source_arn: StringValueOrRef | None = Field(
        None, description="the queue, stream, cluster or broker ARN (not for self_managed_kafka)"
    )
    alias: str | None = Field(None, description="the alias invoked; default: the function")
    enabled: bool = Field(True, description="false pauses polling")
    batch_size: Annotated[int | None, Field(ge=1, le=BATCH_MAX)] = Field(
        None,
        description="records per batch, 1-10000 (SQS FIFO: 10); default: AWS's (SQS 10, "
        "others 100)",
    )
    maximum_batching_window_seconds: Annotated[int | None, Field(ge=0, le=300)] = Field(
        None, description="0-300 seconds spent gathering a batch (not for SQS FIFO queues)"
    )
    starting_position: StartingPosition | None = Field(
        None,
        description="required for kinesis, dynamodb, Kafka and documentdb; refused for "
        "sqs and mq; AT_TIMESTAMP not for dynamodb",
    )
    starting_position_timestamp: str | None = Field(
        None, description="RFC 3339 time, e.g. 2026-01-01T00:00:00Z; iff AT_TIMESTAMP"
    )
    filters: list[JsonText] = Field(
        default_factory=list,
        description="event filter patterns (JSON objects, up to 4096 characters each); AWS's "
        "default quota is 5 per mapping",
    )
    report_batch_item_failures: bool = Field(
        False, description="the function reports failed items (not for mq, documentdb)"
    )
    maximum_concurrency: Annotated[int | None, Field(ge=2)] = Field(
        None, description="sqs only: 2-1000 concurrent invocations (AWS's default quota)"
    )
    parallelization_factor: Annotated[int | None, Field(ge=1, le=10)] = Field(
        None, description="kinesis and dynamodb only: batches per shard, 1-10"
    )
    bisect_batch_on_function_error: bool | None = Field(
        None, description="streams and Kafka only: split a failing batch and retry"
    )
    maximum_retry_attempts: Annotated[int | None, Field(ge=-1, le=10_000)] = Field(
        None, description="streams and Kafka only: -1 (until the record expires) to 10000"
    )
    maximum_record_age_seconds: int | None = Field(
        None, description="streams and Kafka only: -1 (never) or 60-604800"
    )
    tumbling_window_seconds: Annotated[int | None, Field(ge=0, le=900)] = Field(
        None, description="kinesis and dynamodb only: 0-900"
    )
    on_failure_destination_arn: StringValueOrRef | None = Field(
        None,
        description="streams and Kafka only: SQS queue, SNS topic or S3 bucket ARN (an "
        "SQS source uses its queue's redrive policy)",
    )
    topics: list[str] = Field(
        default_factory=list, description="kafka and self_managed_kafka: exactly one topic"
    )
    queues: Annotated[str | None, BeforeValidator(_one_queue)] = Field(
        None, description="mq only, required: the one queue the mapping reads"
    )
    bootstrap_servers: list[str] = Field(
        default_factory=list,
        description="self_managed_kafka only, required: 1-10 host:port bootstrap servers",
    )
    source_access_configurations: list[SourceAccessConfiguration] = Field(
        default_factory=list, description="Kafka, mq and documentdb: secrets, subnets, hosts"
    )
    consumer_group_id: str | None = Field(
        None, description="Kafka only: the consumer group to join (1-200 characters)"
    )
    document_db: DocumentDbConfig | None = Field(
        None, description="documentdb only, required: the database (and collection) read"
    )
    kms_key_arn: StringValueOrRef | None = Field(
        None,
        description="the key encrypting the source (an SSE-KMS queue or stream): the "
        "role gets kms:Decrypt on it",
    )
    metrics: list[Metric] = Field(
        default_factory=list,
        description="CloudWatch metrics the mapping emits (billed): EventCount; ErrorCount and "
        "KafkaMetrics for kafka and self_managed_kafka only",
    )
    filter_kms_key_arn: LiteralOrOutput | None = Field(
        None,
        description="a customer managed KMS key ARN encrypting the filter criteria at rest "
        "(the mapping's KMSKeyArn); default: AWS-owned encryption",
    )

    @model_validator(mode="after")
    def _rules(self) -> EventSourceSpec:
        raise_errors("EventSourceSpec", source_violations(self))
        return self

    @property
    def is_fifo(self) -> bool:
        arn = self.source_arn.literal if self.source_arn else None
        return self.type == SQS and arn is not None and arn.endswith(".fifo")


def _only(
    spec: Any, fields: Sequence[str], types: Sequence[str], what: str
) -> list[tuple[Loc, str]]:
    """Errors for `fields` set on a type not in `types`."""
    if spec.type in types:
        return []
    errors: list[tuple[Loc, str]] = []
    for field in fields:
        value = getattr(spec, field)
        if not (value is None or value is False or value == []):
            errors.append(((field,), f"only for {what}; not allowed for type {spec.type}"))
    return errors


def source_violations(spec: EventSourceSpec) -> list[tuple[Loc, str]]:
    errors: list[tuple[Loc, str]] = []
    if not matches(_NAME, spec.name):
        errors.append((("name",), "must be 1-64 of letters, digits, '-' and '_'"))
    errors += _source_arn_violations(spec)
    errors += _position_violations(spec)
    errors += _batch_violations(spec)
    errors += _filter_violations(spec)
    # Which options each type admits: CreateEventSourceMapping's member docs ("(Kinesis and
    # DynamoDB Streams only)", "(Kinesis, DynamoDB Streams, Amazon MSK, and self-managed Apache
    # Kafka)", "(Amazon SQS only)") and with-mq.html / with-documentdb.html's parameter tables.
    errors += _only(spec, ["maximum_concurrency"], [SQS], "sqs")
    errors += _only(
        spec, ["parallelization_factor", "tumbling_window_seconds"], STREAMS, "kinesis, dynamodb"
    )
    errors += _only(
        spec,
        ["bisect_batch_on_function_error", "maximum_retry_attempts", "maximum_record_age_seconds"],
        (*STREAMS, *KAFKAS),
        "kinesis, dynamodb, kafka, self_managed_kafka",
    )
    if spec.type == SQS and spec.on_failure_destination_arn is not None:
        errors.append(
            (
                ("on_failure_destination_arn",),
                "an SQS source sends failed messages to its "
                "queue's dead-letter queue: set a redrive policy on the queue instead",
            )
        )
    else:
        errors += _only(
            spec,
            ["on_failure_destination_arn"],
            (*STREAMS, *KAFKAS),
            "kinesis, dynamodb, kafka, self_managed_kafka",
        )
    errors += _only(
        spec,
        ["report_batch_item_failures"],
        (SQS, *STREAMS, *KAFKAS),
        "sqs, kinesis, dynamodb, kafka, self_managed_kafka",
    )
    errors += _only(spec, ["topics", "consumer_group_id"], KAFKAS, "kafka, self_managed_kafka")
    errors += _only(spec, ["queues"], [MQ], "mq")
    errors += _only(spec, ["bootstrap_servers"], [SELF_MANAGED_KAFKA], "self_managed_kafka")
    errors += _only(spec, ["document_db"], [DOCUMENTDB], "documentdb")
    errors += _only(
        spec,
        ["source_access_configurations"],
        tuple(ACCESS_TYPES_BY_SOURCE),
        "kafka, self_managed_kafka, mq, documentdb",
    )
    errors += _family_violations(spec)
    errors += _number_violations(spec)
    errors += _metric_violations(spec)
    return errors


def _metric_violations(spec: EventSourceSpec) -> list[tuple[Loc, str]]:
    errors: list[tuple[Loc, str]] = []
    if len(set(spec.metrics)) != len(spec.metrics):
        errors.append((("metrics",), "a metric is listed twice"))
    if spec.type not in KAFKAS:
        for i, metric in enumerate(spec.metrics):
            if metric in KAFKA_ONLY_METRICS:
                errors.append(
                    (
                        ("metrics", i),
                        f"{metric} is for kafka and self_managed_kafka only; "
                        f"{spec.type} emits EventCount",
                    )
                )
    # KMSKeyArn: "(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()"; a key ARN (not an alias) here.
    key = spec.filter_kms_key_arn
    if key is not None and is_known(key) and not matches(_KEY_ARN, key):
        errors.append(
            (
                ("filter_kms_key_arn",),
                "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)",
            )
        )
    return errors


def _source_arn_violations(spec: EventSourceSpec) -> list[tuple[Loc, str]]:
    loc: Loc = ("source_arn",)
    if spec.type == SELF_MANAGED_KAFKA:
        # pulumi-aws: event_source_arn is "Incompatible with Self Managed Kafka source".
        if spec.source_arn is not None:
            return [(loc, "self_managed_kafka has no source ARN: give bootstrap_servers")]
        return []
    if spec.source_arn is None:
        return [(loc, f"required for type {spec.type}")]
    pattern, what = SOURCE_ARNS[spec.type]
    problem = spec.source_arn.check_literal(pattern, what)
    return [(loc, problem)] if problem else []


def _position_violations(spec: EventSourceSpec) -> list[tuple[Loc, str]]:
    # StartingPosition: "Required for Amazon Kinesis and Amazon DynamoDB Stream event sources.
    # AT_TIMESTAMP is supported only for Amazon Kinesis streams, Amazon DocumentDB, Amazon MSK,
    # and self-managed Apache Kafka"; pulumi-aws: "Must not be provided if getting events from
    # SQS"; with-kafka.html, with-msk.html, with-documentdb.html: required; with-mq.html: none.
    errors: list[tuple[Loc, str]] = []
    loc: Loc = ("starting_position",)
    position = spec.starting_position
    if spec.type in (SQS, MQ):
        if position is not None:
            errors.append(
                (loc, f"not allowed for {spec.type}: Lambda reads a queue as messages arrive")
            )
    elif position is None:
        errors.append(
            (
                loc,
                f"required for {spec.type}: TRIM_HORIZON (oldest records), LATEST (new "
                f"records){'' if spec.type == DYNAMODB else ' or AT_TIMESTAMP'}",
            )
        )
    elif position == "AT_TIMESTAMP" and spec.type == DYNAMODB:
        errors.append(
            (loc, "AT_TIMESTAMP is not supported for DynamoDB streams; use TRIM_HORIZON or LATEST")
        )
    stamp_loc: Loc = ("starting_position_timestamp",)
    if position == "AT_TIMESTAMP" and spec.starting_position_timestamp is None:
        errors.append((stamp_loc, "required with starting_position AT_TIMESTAMP"))
    if spec.starting_position_timestamp is not None:
        if position != "AT_TIMESTAMP":
            errors.append((stamp_loc, "only with starting_position AT_TIMESTAMP"))
        else:
            problem = _timestamp_problem(spec.starting_position_timestamp)
            if problem:
                errors.append((stamp_loc, problem))
    return errors


def _timestamp_problem(text: str) -> str | None:
    # pulumi-aws: "Timestamp in RFC3339 format"; StartingPositionTimestamp "cannot be in the
    # future".
    if not matches(re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)"), text):
        return "must be an RFC 3339 time with a zone, like 2026-01-01T00:00:00Z"
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return "is not a valid date and time"
    if moment > dt.datetime.now(dt.timezone.utc):
        return "is in the future; AWS reads from a past moment only"
    return None


def _batch_violations(spec: EventSourceSpec) -> list[tuple[Loc, str]]:
    errors: list[tuple[Loc, str]] = []
    size, window = spec.batch_size, spec.maximum_batching_window_seconds
    if spec.is_fifo:
        # https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html: "For FIFO
        # queues, the maximum is 10"; "Batching window is not supported for FIFO queues".
        if size is not None and size > SQS_FIFO_BATCH_MAX:
            errors.append(
                (
                    ("batch_size",),
                    f"a FIFO queue takes at most {SQS_FIFO_BATCH_MAX} "
                    f"messages per batch, got {size}",
                )
            )
        if window is not None:
            errors.append((("maximum_batching_window_seconds",), "not supported for FIFO queues"))
    elif spec.type == SQS and size is not None and size > 10 and not window:
        # MaximumBatchingWindowInSeconds: "when you set BatchSize to a value greater than 10,
        # you must set MaximumBatchingWindowInSeconds to at least 1" (botocore also names the
        # streams there, but their default batch of 100 runs with a 0 window: SQS only).
        errors.append(
            (
                ("maximum_batching_window_seconds",),
                f"an SQS batch_size above 10 "
                f"(here {size}) needs a batching window of at least 1 second",
            )
        )
    return errors


def _filter_violations(spec: EventSourceSpec) -> list[tuple[Loc, str]]:
    errors: list[tuple[Loc, str]] = []
    # invocation-eventfiltering.html: "Lambda doesn't support event filtering for Amazon
    # DocumentDB."
    if spec.type == DOCUMENTDB and spec.filters:
        errors.append((("filters",), "Lambda does not filter DocumentDB change events"))
    if len(spec.filters) > FILTERS_DEFAULT_QUOTA:
        errors.append(
            (
                ("filters",),
                f"{len(spec.filters)} filters; AWS's default quota is "
                f"{FILTERS_DEFAULT_QUOTA} per mapping (it can be raised to 10 through Service "
                "Quotas, after which split the mapping or combine patterns)",
            )
        )
    for i, pattern in enumerate(spec.filters):
        problem = json_object_problem(pattern, PATTERN_MAX)
        if problem:
            errors.append((("filters", i), problem))
    return errors


def _family_violations(spec: EventSourceSpec) -> list[tuple[Loc, str]]:
    errors: list[tuple[Loc, str]] = []
    if spec.type in KAFKAS:
        # Topics: a list of 1-1 (CreateEventSourceMapping); Topic: 1-249, pattern [^.]...
        if len(spec.topics) != 1:
            errors.append(
                (("topics",), f"a Kafka mapping reads exactly one topic, got {len(spec.topics)}")
            )
        for i, topic in enumerate(spec.topics):
            if not matches(_TOPIC, topic):
                errors.append((("topics", i), "1-249 of [a-zA-Z0-9._-], not starting with ."))
        if spec.consumer_group_id is not None and not matches(
            _CONSUMER_GROUP, spec.consumer_group_id
        ):
            errors.append((("consumer_group_id",), "1-200 of [a-zA-Z0-9-/*:_+=.@]"))
    if spec.type == SELF_MANAGED_KAFKA:
        # SelfManagedEventSource.Endpoints: KAFKA_BOOTSTRAP_SERVERS, 1-10 Endpoint (host:port)
        servers = spec.bootstrap_servers
        if not 1 <= len(servers) <= 10:
            errors.append((("bootstrap_servers",), f"1-10 host:port servers, got {len(servers)}"))
        for i, server in enumerate(servers):
            if not matches(_ENDPOINT, server) or len(server) > 300:
                errors.append((("bootstrap_servers", i), "must be host:port"))
        # pulumi-aws: self_managed_event_source "If set, configuration must also include
        # source_access_configuration".
        if not spec.source_access_configurations:
            errors.append(
                (
                    ("source_access_configurations",),
                    "self_managed_kafka needs at "
                    "least one: an auth secret, or VPC_SUBNET and VPC_SECURITY_GROUP",
                )
            )
    if spec.type == MQ and spec.queues is None:
        errors.append((("queues",), "required for mq: the name of the queue to read"))
    if spec.type == MQ and spec.queues is not None and not 1 <= len(spec.queues) <= 1000:
        errors.append((("queues",), "1-1000 characters"))
    if spec.type in (MQ, DOCUMENTDB):
        # with-mq.html and with-documentdb.html: the broker's / cluster's credentials are a
        # BASIC_AUTH Secrets Manager secret, required.
        kinds = [c.type for c in spec.source_access_configurations]
        if kinds.count("BASIC_AUTH") != 1:
            errors.append(
                (
                    ("source_access_configurations",),
                    f"{spec.type} needs exactly one BASIC_AUTH entry: the credentials secret's ARN",
                )
            )
    if spec.type == DOCUMENTDB and spec.document_db is None:
        errors.append((("document_db",), "required for documentdb: {database_name, ...}"))
    allowed = ACCESS_TYPES_BY_SOURCE.get(spec.type)
    if allowed is not None:
        if len(spec.source_access_configurations) > 22:
            errors.append((("source_access_configurations",), "at most 22 entries"))
        for i, config in enumerate(spec.source_access_configurations):
            if config.type not in allowed:
                errors.append(
                    (
                        ("source_access_configurations", i, "type"),
                        f"{config.type} is not for "
                        f"{spec.type}; allowed: {', '.join(sorted(allowed))}",
                    )
                )
    return errors


def _number_violations(spec: EventSourceSpec) -> list[tuple[Loc, str]]:
    errors: list[tuple[Loc, str]] = []
    age = spec.maximum_record_age_seconds
    if age is not None and age != -1 and not 60 <= age <= MAX_RECORD_AGE:
        errors.append(
            (("maximum_record_age_seconds",), f"must be -1 (never discard) or 60-{MAX_RECORD_AGE}")
        )
    concurrency = spec.maximum_concurrency
    if concurrency is not None and concurrency > MAX_CONCURRENCY_DEFAULT_QUOTA:
        errors.append(
            (
                ("maximum_concurrency",),
                f"{concurrency} is above {MAX_CONCURRENCY_DEFAULT_QUOTA}, "
                "AWS's default limit; it can be raised with a Service Quotas request, after which "
                "this check would need AWS's new value",
            )
        )
    for field in ("on_failure_destination_arn", "kms_key_arn"):
        ref = getattr(spec, field)
        pattern, what = (
            (_FAILURE_DESTINATION, FAILURE_DESTINATION_HELP)
            if field == "on_failure_destination_arn"
            else (_KEY_ARN, KEY_HELP)
        )
        problem = ref.check_literal(pattern, what) if ref is not None else None
        if problem:
            errors.append(((field,), problem))
    return errors


def source_reference_problem(field: str, source_type: str, text: str) -> str | None:
    """The rule of a source's reference field, for values known only once resolved."""
    if field == "source_arn":
        pattern, what = SOURCE_ARNS[source_type]
    elif field == "on_failure_destination_arn":
        pattern, what = _FAILURE_DESTINATION, FAILURE_DESTINATION_HELP
    else:
        pattern, what = _KEY_ARN, KEY_HELP
    return None if matches(pattern, text) else f"must be {what}"


# --- triggers ----------------------------------------------------------------------------

# https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html: "If the
# value is equal to 1, then the unit must be singular. If the value is greater than 1, the unit
# must be plural"; EventBridge Scheduler's rate(value unit) takes the same units
# (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html).
_RATE = re.compile(r"rate\(([1-9][0-9]*) (minute|minutes|hour|hours|day|days)\)")
_CRON = re.compile(r"cron\(([^()]+)\)")
_AT = re.compile(r"at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)")
# Cron fields (eb-scheduled-rule-pattern.html, "Cron expressions"): minutes 0-59, hours 0-23,
# day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 1-7 or SUN-SAT, year 1970-2199.
_MONTHS = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"
_DAYS = "SUN|MON|TUE|WED|THU|FRI|SAT"
_CRON_FIELDS: list[tuple[str, str]] = [
    ("minutes", r"[0-5]?\d"),
    ("hours", r"[01]?\d|2[0-3]"),
    ("day-of-month", r"0?[1-9]|[12]\d|3[01]"),
    ("month", rf"0?[1-9]|1[0-2]|{_MONTHS}"),
    ("day-of-week", rf"[1-7]|{_DAYS}"),
    ("year", r"19[7-9]\d|2[01]\d\d"),
]


def _cron_field_ok(index: int, text: str) -> bool:
    value = _CRON_FIELDS[index][1]
    item = rf"(\*|{value})(-({value}))?(/\d+)?"
    if index == 2:  # day-of-month: ? L W, nW, L-n
        item = rf"\?|L|LW|L-\d{{1,2}}|({value})W|{item}"
    elif index == 4:  # day-of-week: ? L, nL, n#k
        item = rf"\?|L|({value})L|({value})#[1-5]|{item}"
    return matches(re.compile(rf"({item})(,({item}))*", re.IGNORECASE), text)


def schedule_expression_problem(expression: str, *, allow_at: bool) -> str | None:
    """Why `expression` is not a rate(...), cron(...) (or, for Scheduler, at(...)), or None."""
    kinds = "rate(value unit), cron(6 fields)" + (" or at(yyyy-mm-ddThh:mm:ss)" if allow_at else "")
    if len(expression) > 256:
        return "at most 256 characters"
    rate = _RATE.fullmatch(expression)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2)
        if (value == 1) == unit.endswith("s"):
            return f"rate({value} {unit}): the unit is singular for 1 and plural otherwise"
        return None
    cron = _CRON.fullmatch(expression)
    if cron:
        fields = cron.group(1).split()
        if len(fields) != 6:
            return (
                f"a cron expression has 6 fields (minutes hours day-of-month month "
                f"day-of-week year), got {len(fields)}"
            )
        bad = [_CRON_FIELDS[i][0] for i, f in enumerate(fields) if not _cron_field_ok(i, f)]
        if bad:
            return f"cron fields not valid: {', '.join(bad)}"
        # "You can't specify the Day-of-month and Day-of-week fields in the same cron
        # expression. If you specify a value or a * in one of the fields, you must use a ?
        # (question mark) in the other."
        if (fields[2] == "?") == (fields[4] == "?"):
            return "one of day-of-month and day-of-week must be ? (and only one)"
        return None
    at = _AT.fullmatch(expression) if allow_at else None
    if at:
        try:
            dt.datetime.fromisoformat(at.group(1))
        except ValueError:
            return f"at({at.group(1)}) is not a valid date and time"
        return None
    if expression.startswith("at(") and not allow_at:
        return (
            "an EventBridge rule takes rate(...) or cron(...); use a schedule trigger for at(...)"
        )
    return f"must be {kinds}"


@cache
def timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


# SNS topics: https://docs.aws.amazon.com/sns/latest/dg/sns-create-topic.html (1-256 of
# [A-Za-z0-9_-], FIFO topics ending .fifo).
_TOPIC_ARN = re.compile(
    rf"{_P}:sns:{_REGION_ACCOUNT}:[A-Za-z0-9_-]{{1,251}}(\.fifo|[A-Za-z0-9_-]{{0,5}})"
)
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
# https://docs.aws.amazon.com/apigateway/latest/developerguide/arn-format-reference.html:
# arn:aws:execute-api:<region>:<account>:<api-id>/<stage>/<method>/<path> (wildcards allowed)
_EXECUTE_API = re.compile(rf"{_P}:execute-api:{_REGION_ACCOUNT}:[a-z0-9*]+(/[^\s/]*)*")
# EventBusNameOrArn (events PutRule)
_EVENT_BUS = re.compile(
    r"(arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus/)?[/.\-_A-Za-z0-9]{1,256}"
)
# s3 Event enum
S3_EVENTS: tuple[str, ...] = (
    "s3:ReducedRedundancyLostObject",
    "s3:ObjectCreated:*",
    "s3:ObjectCreated:Put",
    "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectRemoved:*",
    "s3:ObjectRemoved:Delete",
    "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectRestore:*",
    "s3:ObjectRestore:Post",
    "s3:ObjectRestore:Completed",
    "s3:Replication:*",
    "s3:Replication:OperationFailedReplication",
    "s3:Replication:OperationNotTracked",
    "s3:Replication:OperationMissedThreshold",
    "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:ObjectRestore:Delete",
    "s3:LifecycleTransition",
    "s3:IntelligentTiering",
    "s3:ObjectAcl:Put",
    "s3:LifecycleExpiration:*",
    "s3:LifecycleExpiration:Delete",
    "s3:LifecycleExpiration:DeleteMarkerCreated",
    "s3:ObjectTagging:*",
    "s3:ObjectTagging:Put",
    "s3:ObjectTagging:Delete",
)
EVENTBRIDGE_INPUT_MAX = 8192  # events Target.Input: at most 8192 characters

# Which fields each trigger type takes (besides name, type and alias).
TRIGGER_FIELDS: dict[str, tuple[str, ...]] = {
    SCHEDULE: ("expression", "timezone", "input", "enabled", "description"),
    EVENTBRIDGE: (
        "event_pattern",
        "schedule_expression",
        "event_bus_name",
        "input",
        "enabled",
        "description",
    ),
    SNS: ("topic_arn", "filter_policy", "filter_policy_scope"),
    S3: (
        "bucket",
        "events",
        "filter_prefix",
        "filter_suffix",
        "manage_bucket_notification",
        "bucket_account",
    ),
    API_GATEWAY: ("source_arn",),
}
TRIGGER_REQUIRED: dict[str, tuple[str, ...]] = {
    SCHEDULE: ("expression",),
    EVENTBRIDGE: (),
    SNS: ("topic_arn",),
    S3: ("bucket", "events"),
    API_GATEWAY: ("source_arn",),
}


class TriggerSpec(SpecModel):
    """A push-based trigger: a schedule, rule, topic, bucket or API invokes the function."""

    name: str = Field(
        description="unique among event_sources and triggers: 1-64 of [A-Za-z0-9_-]",
        json_schema_extra={"pattern": NAME_PATTERN},
    )
    type: TriggerType = Field(description="the kind of trigger")
    alias: str | None = Field(None, description="the alias invoked; default: the function")
    expression: str | None = Field(
        None, description="schedule: rate(value unit), cron(6 fields) or at(yyyy-mm-ddThh:mm:ss)"
    )
    timezone: str | None = Field(
        None, description="schedule: an IANA time zone like Europe/Paris; default: UTC"
    )
    input: JsonText | None = Field(
        None, description="schedule, eventbridge: the JSON event the function receives"
    )
    enabled: bool = Field(True, description="schedule, eventbridge: false pauses it")
    description: str | None = Field(None, description="schedule, eventbridge: up to 512 characters")
    event_pattern: JsonText | None = Field(
        None, description="eventbridge: the event pattern (JSON object, up to 4096 characters)"
    )
    schedule_expression: str | None = Field(
        None, description="eventbridge: rate(...) or cron(...), default bus only"
    )
    event_bus_name: StringValueOrRef | None = Field(
        None, description="eventbridge: the bus name or ARN; default: the default bus"
    )
    topic_arn: StringValueOrRef | None = Field(None, description="sns: the topic ARN")
    filter_policy: JsonText | None = Field(
        None, description="sns: the subscription's filter policy (JSON object)"
    )
    filter_policy_scope: Literal["MessageAttributes", "MessageBody"] | None = Field(
        None, description="sns: what the filter policy matches; default: MessageAttributes"
    )
    bucket: StringValueOrRef | None = Field(None, description="s3: the bucket name")
    bucket_account: StringValueOrRef | None = Field(
        None, description="s3: the bucket owner's account ID; default: the deploying account"
    )
    events: list[str] = Field(
        default_factory=list, description="s3: event types like s3:ObjectCreated:*"
    )
    filter_prefix: Annotated[str | None, Field(min_length=1, max_length=1024)] = Field(
        None, description="s3: object key prefix"
    )
    filter_suffix: Annotated[str | None, Field(min_length=1, max_length=1024)] = Field(
        None, description="s3: object key suffix"
    )
    manage_bucket_notification: bool = Field(
        False,
        description="s3: true creates the bucket's notification configuration (one per "
        "bucket, replacing any other); false creates only the permission",
    )
    source_arn: StringValueOrRef | None = Field(
        None, description="api_gateway: the execute-api ARN allowed to invoke"
    )

    @model_validator(mode="after")
    def _rules(self) -> TriggerSpec:
        raise_errors("TriggerSpec", trigger_violations(self))
        return self


_TRIGGER_DEFAULTS: dict[str, Any] = {"enabled": True, "manage_bucket_notification": False}


def trigger_violations(spec: TriggerSpec) -> list[tuple[Loc, str]]:
    errors: list[tuple[Loc, str]] = []
    if not matches(_NAME, spec.name):
        errors.append((("name",), "must be 1-64 of letters, digits, '-' and '_'"))
    own = TRIGGER_FIELDS[spec.type]
    for field in {f for fields in TRIGGER_FIELDS.values() for f in fields} - set(own):
        value = getattr(spec, field)
        if value not in (None, []) and value != _TRIGGER_DEFAULTS.get(field, object()):
            owners = [t for t, fields in TRIGGER_FIELDS.items() if field in fields]
            errors.append(((field,), f"only for {', '.join(owners)} triggers, not {spec.type}"))
    for field in TRIGGER_REQUIRED[spec.type]:
        if getattr(spec, field) in (None, []):
            errors.append(((field,), f"required for a {spec.type} trigger"))
    errors += _TRIGGER_RULES[spec.type](spec)
    if spec.description is not None and len(spec.description) > 512:
        errors.append((("description",), "at most 512 characters"))
    return errors


def _schedule_rules(spec: TriggerSpec) -> list[tuple[Loc, str]]:
    errors: list[tuple[Loc, str]] = []
    if spec.expression is not None:
        problem = schedule_expression_problem(spec.expression, allow_at=True)
        if problem:
            errors.append((("expression",), problem))
    # ScheduleExpressionTimezone: an IANA name ("Time zones on EventBridge Scheduler")
    if spec.timezone is not None and spec.timezone not in timezones():
        errors.append(
            (
                ("timezone",),
                f"{spec.timezone!r} is not an IANA time zone name like "
                "Europe/Paris or America/New_York",
            )
        )
    if spec.input is not None:
        problem = _json_problem(spec.input)
        if problem:
            errors.append((("input",), problem))
    return errors


def _json_problem(text: str) -> str | None:
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return f"is not JSON ({error.msg} at character {error.pos})"
    return None


def _eventbridge_rules(spec: TriggerSpec) -> list[tuple[Loc, str]]:
    errors: list[tuple[Loc, str]] = []
    # pulumi-aws EventRule: "At least one of schedule_expression or event_pattern is required";
    # the contract takes one or the other.
    if (spec.event_pattern is None) == (spec.schedule_expression is None):
        errors.append((("event_pattern",), "give event_pattern or schedule_expression (one)"))
    if spec.event_pattern is not None:
        problem = json_object_problem(spec.event_pattern, 4096)  # PutRule EventPattern: 4096
        if problem:
            errors.append((("event_pattern",), problem))
    if spec.schedule_expression is not None:
        problem = schedule_expression_problem(spec.schedule_expression, allow_at=False)
        if problem:
            errors.append((("schedule_expression",), problem))
        # pulumi-aws EventRule.schedule_expression: "Can only be used on the default event bus"
        bus = spec.event_bus_name.literal if spec.event_bus_name else None
        if spec.event_bus_name is not None and bus != "default":
            errors.append(
                (
                    ("event_bus_name",),
                    "a scheduled rule runs on the default bus only; "
                    "drop event_bus_name or use a schedule trigger",
                )
            )
    if spec.event_bus_name is not None:
        problem = spec.event_bus_name.check_literal(_EVENT_BUS, "an event bus name or ARN")
        if problem:
            errors.append((("event_bus_name",), problem))
    if spec.input is not None:
        problem = _json_problem(spec.input)
        if problem is None and len(spec.input) > EVENTBRIDGE_INPUT_MAX:
            problem = f"at most {EVENTBRIDGE_INPUT_MAX} characters"
        if problem:
            errors.append((("input",), problem))
    return errors


def _sns_rules(spec: TriggerSpec) -> list[tuple[Loc, str]]:
    errors: list[tuple[Loc, str]] = []
    if spec.topic_arn is not None:
        problem = spec.topic_arn.check_literal(
            _TOPIC_ARN, "an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)"
        )
        literal = spec.topic_arn.literal
        if problem is None and literal is not None and literal.endswith(".fifo"):
            # https://docs.aws.amazon.com/sns/latest/dg/fifo-topic-code-examples.html and
            # sns-fifo-topics.html: FIFO topics deliver to SQS queues only.
            problem = "a FIFO topic delivers to SQS queues only, not to Lambda"
        if problem:
            errors.append((("topic_arn",), problem))
    if spec.filter_policy is not None:
        # https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html:
        # a JSON object of at most 256 KB.
        problem = json_object_problem(spec.filter_policy, 256 * 1024)
        if problem:
            errors.append((("filter_policy",), problem))
    if spec.filter_policy_scope is not None and spec.filter_policy is None:
        errors.append((("filter_policy_scope",), "only with a filter_policy"))
    return errors


def _s3_rules(spec: TriggerSpec) -> list[tuple[Loc, str]]:
    errors: list[tuple[Loc, str]] = []
    if spec.bucket is not None:
        problem = spec.bucket.check_literal(
            _BUCKET, "a bucket name (3-63 of a-z 0-9 . -), not an ARN"
        )
        if problem:
            errors.append((("bucket",), problem))
    if spec.bucket_account is not None:
        problem = spec.bucket_account.check_literal(re.compile(r"\d{12}"), "a 12-digit account ID")
        if problem:
            errors.append((("bucket_account",), problem))
    unknown = [e for e in spec.events if e not in S3_EVENTS]
    if unknown:
        errors.append(
            (
                ("events",),
                f"unknown S3 event types {unknown}; e.g. "
                "s3:ObjectCreated:*, s3:ObjectRemoved:* (AWS's list: see the README)",
            )
        )
    if len(set(spec.events)) != len(spec.events):
        errors.append((("events",), "an event type is listed twice"))
    return errors


def _api_gateway_rules(spec: TriggerSpec) -> list[tuple[Loc, str]]:
    if spec.source_arn is None:
        return []
    problem = spec.source_arn.check_literal(
        _EXECUTE_API,
        "an execute-api ARN (arn:aws:execute-api:<region>:<account>:<api-id>/<stage>/<method>/"
        "<path>, * allowed)",
    )
    return [(("source_arn",), problem)] if problem else []


_TRIGGER_RULES = {
    SCHEDULE: _schedule_rules,
    EVENTBRIDGE: _eventbridge_rules,
    SNS: _sns_rules,
    S3: _s3_rules,
    API_GATEWAY: _api_gateway_rules,
}

TRIGGER_REFERENCE_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    "topic_arn": (_TOPIC_ARN, "an SNS topic ARN"),
    "bucket": (_BUCKET, "a bucket name"),
    "bucket_account": (re.compile(r"\d{12}"), "a 12-digit account ID"),
    "source_arn": (_EXECUTE_API, "an execute-api ARN"),
    "event_bus_name": (_EVENT_BUS, "an event bus name or ARN"),
}


def trigger_reference_problem(field: str, text: str) -> str | None:
    pattern, what = TRIGGER_REFERENCE_RULES[field]
    return None if matches(pattern, text) else f"must be {what}"


# --- rules across the spec ---------------------------------------------------------------


def s3_overlap(a: TriggerSpec, b: TriggerSpec) -> bool:
    """Whether two notifications on one bucket could match the same object for the same event:
    S3 refuses such a configuration ("Configurations overlap", https://docs.aws.amazon.com/
    AmazonS3/latest/userguide/notification-how-to-filtering.html)."""

    def event_overlap(x: str, y: str) -> bool:
        return (
            x == y
            or (x.endswith("*") and y.startswith(x[:-1]))
            or (y.endswith("*") and x.startswith(y[:-1]))
        )

    if not any(event_overlap(x, y) for x in a.events for y in b.events):
        return False
    pa, pb = a.filter_prefix or "", b.filter_prefix or ""
    sa, sb = a.filter_suffix or "", b.filter_suffix or ""
    return (pa.startswith(pb) or pb.startswith(pa)) and (sa.endswith(sb) or sb.endswith(sa))


def spec_violations(
    sources: list[EventSourceSpec], triggers: list[TriggerSpec], aliases: Sequence[str]
) -> list[tuple[Loc, str]]:
    """Unique names, aliases that exist, and S3 notifications S3 would refuse together."""
    errors: list[tuple[Loc, str]] = []
    seen: dict[str, str] = {}
    entries: list[tuple[str, int, Any]] = [
        *(("event_sources", i, s) for i, s in enumerate(sources)),
        *(("triggers", i, t) for i, t in enumerate(triggers)),
    ]
    known = ", ".join(aliases) or "none"
    for field, i, entry in entries:
        where = f"{field}[{i}]"
        if entry.name in seen:
            errors.append(
                (
                    (field, i, "name"),
                    f"duplicate name {entry.name!r} (also "
                    f"{seen[entry.name]}); names are unique across event_sources and "
                    "triggers",
                )
            )
        else:
            seen[entry.name] = where
        if entry.alias is not None and entry.alias not in aliases:
            errors.append(
                (
                    (field, i, "alias"),
                    f"{entry.alias!r} is not an alias of this spec (aliases: {known})",
                )
            )
    managed = [
        (i, t)
        for i, t in enumerate(triggers)
        if t.type == S3 and t.manage_bucket_notification and t.bucket and t.bucket.literal
    ]
    for n, (i, a) in enumerate(managed):
        for j, b in managed[:n]:
            assert a.bucket and b.bucket
            if a.bucket.literal == b.bucket.literal and s3_overlap(a, b):
                errors.append(
                    (
                        ("triggers", i),
                        f"overlaps triggers[{j}] on bucket {a.bucket.literal}: "
                        "the same event and overlapping prefix/suffix; S3 refuses overlapping "
                        "notification configurations",
                    )
                )
    return errors
