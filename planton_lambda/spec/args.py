"""AwsLambdaArgs: the component's typed inputs, and their one conversion into an AwsLambdaSpec.

The TypedDicts mirror AwsLambdaSpec field for field; the schema that other languages see is
read from them (through Pulumi's component analyzer), so this module follows its rules: no
string annotations (no `from __future__ import annotations`), `Enum`s rather than `Literal`s,
no unions other than `Optional` (`pulumi.Input` is the one union it understands), and a
docstring under every field, which becomes the field's description.

A value that may come from another resource (an ARN, an id, an environment or tag value) is
a `pulumi.Input`; everything else must be known before deployment, because the spec checks
it before anything is registered. `spec_input` turns args (from Python, or as they arrive
from another language: integers as floats, secrets and resource outputs as `pulumi.Output`s)
into the plain mapping `AwsLambdaSpec` validates.
"""

import enum
import functools
import types
import typing
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any, TypedDict

import pulumi
from typing_extensions import Required

from planton_lambda.errors import SpecError, field_path

if typing.TYPE_CHECKING:
    from planton_lambda.spec.function import AwsLambdaSpec

Path = tuple[str | int, ...]


class CodeSourceType(str, enum.Enum):
    """Where the function's code comes from."""

    CODE_SOURCE_TYPE_S3 = "CODE_SOURCE_TYPE_S3"
    """A zip in S3 (`s3`)."""
    CODE_SOURCE_TYPE_IMAGE = "CODE_SOURCE_TYPE_IMAGE"
    """A container image in ECR (`image_uri`)."""
    CODE_SOURCE_TYPE_LOCAL = "CODE_SOURCE_TYPE_LOCAL"
    """A local directory, zipped deterministically at deploy time (`local`)."""


class LayerCodeSourceType(str, enum.Enum):
    """Where a layer's code comes from."""

    CODE_SOURCE_TYPE_S3 = "CODE_SOURCE_TYPE_S3"
    """A zip in S3 (`s3`)."""
    CODE_SOURCE_TYPE_LOCAL = "CODE_SOURCE_TYPE_LOCAL"
    """A local directory, zipped deterministically at deploy time (`local`)."""


class Architecture(str, enum.Enum):
    """The instruction set the function runs on."""

    X86_64 = "X86_64"
    """Intel/AMD 64-bit."""
    ARM64 = "ARM64"
    """Graviton (ARM 64-bit)."""


class TracingMode(str, enum.Enum):
    """X-Ray tracing of the function."""

    PASS_THROUGH = "PassThrough"
    """Trace only when the caller's request is sampled."""
    ACTIVE = "Active"
    """Sample and trace requests; the created role gets the X-Ray permissions."""


class LogFormat(str, enum.Enum):
    """Format of the function's logs."""

    TEXT = "Text"
    """Plain text lines."""
    JSON = "JSON"
    """Structured JSON records."""


class FunctionUrlAuthType(str, enum.Enum):
    """Who may call a function URL."""

    AWS_IAM = "AWS_IAM"
    """Signed requests from principals allowed by IAM only."""
    NONE = "NONE"
    """Anyone on the internet (needs `public: true`)."""


class PolicyEffect(str, enum.Enum):
    """Whether an IAM statement allows or denies."""

    ALLOW = "Allow"
    """Allow the actions."""
    DENY = "Deny"
    """Deny the actions."""


class ApplicationLogLevel(str, enum.Enum):
    """The least severe application log record Lambda delivers (JSON logs only)."""

    TRACE = "TRACE"
    """Everything."""
    DEBUG = "DEBUG"
    """DEBUG and above."""
    INFO = "INFO"
    """INFO and above."""
    WARN = "WARN"
    """WARN and above."""
    ERROR = "ERROR"
    """ERROR and FATAL."""
    FATAL = "FATAL"
    """FATAL only."""


class SystemLogLevel(str, enum.Enum):
    """The least severe Lambda platform log record delivered (JSON logs only)."""

    DEBUG = "DEBUG"
    """Everything."""
    INFO = "INFO"
    """INFO and WARN."""
    WARN = "WARN"
    """WARN only."""


class RecursiveLoop(str, enum.Enum):
    """What Lambda does when it detects the function in a recursive loop."""

    ALLOW = "Allow"
    """Let the loop run."""
    TERMINATE = "Terminate"
    """Stop it (AWS's default)."""


class UpdateRuntimeOn(str, enum.Enum):
    """When runtime patches reach the function."""

    AUTO = "Auto"
    """As AWS releases them (AWS's default)."""
    FUNCTION_UPDATE = "FunctionUpdate"
    """On the next function update."""
    MANUAL = "Manual"
    """Never: pinned to runtime_version_arn."""


class InvokeMode(str, enum.Enum):
    """How a function URL returns the response."""

    BUFFERED = "BUFFERED"
    """Whole, up to 6 MB."""
    RESPONSE_STREAM = "RESPONSE_STREAM"
    """Streamed as the function produces it."""


class S3CodeArgs(TypedDict, total=False):
    """A zip object in S3."""

    bucket: Required[str]
    """Bucket name (3-63 characters)."""
    key: Required[str]
    """Object key (1-1024 characters)."""
    object_version: str | None
    """Object version; default: the latest version."""


class BundleFormat(str, enum.Enum):
    """The module format of an esbuild bundle."""

    ESM = "esm"
    """An ES module, index.mjs."""
    CJS = "cjs"
    """A CommonJS module, index.js."""


class BundleArgs(TypedDict, total=False):
    """A Node.js entry point bundled with esbuild into one file at the zip's root."""

    entry: Required[str]
    """The entry file (.ts, .mts, .js, .mjs ...), relative to local.path."""
    format: BundleFormat
    """esm (index.mjs) or cjs (index.js); the handler is index.<export>; default: esm."""
    minify: bool
    """Minify the bundle; default: false."""
    sourcemap: bool
    """Write index.mjs.map / index.js.map beside the bundle; default: false."""
    external: Sequence[str]
    """Packages left out of the bundle (e.g. @aws-sdk/*, provided at run time); default:
    none."""


class LocalCodeArgs(TypedDict, total=False):
    """A local directory, zipped deterministically at deploy time."""

    path: Required[str]
    """Directory; a relative path resolves against the working directory of the program."""
    excludes: Sequence[str]
    """Glob patterns left out of the zip; default: none (bytecode caches and VCS/venv
    folders are always left out)."""
    include: Sequence[str]
    """Glob patterns of secret-looking files (.env, *.pem, ...) to package anyway; default:
    none, such files are left out."""
    artifact_bucket: pulumi.Input[str] | None
    """An S3 bucket in the function's region: the zip is uploaded there, keyed
    <artifact_prefix>/<function_name>/<sha256>.zip, and deployed from it (up to 250 MB
    unzipped); default: none, a direct upload (up to 50 MB zipped)."""
    artifact_prefix: str
    """Key prefix of the uploaded zips; default: planton-lambda."""
    bundle: BundleArgs | None
    """Bundle a Node.js entry point with esbuild (functions only); default: none."""


class ImageConfigArgs(TypedDict, total=False):
    """Overrides of the container image's settings."""

    command: Sequence[str]
    """Overrides the image CMD; default: the image's."""
    entry_point: Sequence[str]
    """Overrides the image ENTRYPOINT; default: the image's."""
    working_directory: str | None
    """Overrides the image WORKDIR; default: the image's."""


class PolicyStatementArgs(TypedDict, total=False):
    """One IAM statement, written as AWS writes it."""

    Sid: str | None
    """Statement ID: letters and digits only; default: none."""
    Effect: Required[PolicyEffect]
    """Allow or Deny."""
    Action: Required[Sequence[str]]
    """IAM actions like s3:GetObject (at least one)."""
    Resource: Required[Sequence[pulumi.Input[str]]]
    """Resource ARNs, or * (at least one); may be outputs of other resources."""
    Condition: Mapping[str, Mapping[str, Any]] | None
    """IAM condition block: {operator: {key: value}}; default: none."""


class RoleArgs(TypedDict, total=False):
    """Options for the execution role the component creates."""

    managed_policy_arns: Sequence[str]
    """IAM policy ARNs attached to the role (at most 20); default: none."""
    policy_statements: Sequence[PolicyStatementArgs]
    """Extra statements of the role's inline policy; default: none."""
    permissions_boundary_arn: str | None
    """An IAM policy ARN bounding the role's permissions; default: none."""


class CorsArgs(TypedDict, total=False):
    """CORS settings of a function URL."""

    allow_origins: Sequence[str]
    """Origins allowed, e.g. https://example.com or * (at most 100); default: none."""
    allow_methods: Sequence[str]
    """GET, PUT, HEAD, POST, PATCH, DELETE or * (the URL answers OPTIONS itself); default:
    none."""
    allow_headers: Sequence[str]
    """Request headers allowed (at most 100); default: none."""
    expose_headers: Sequence[str]
    """Response headers exposed to the browser (at most 100); default: none."""
    allow_credentials: bool
    """Allow cookies and auth headers; default: false."""
    max_age: int
    """Seconds a browser caches the preflight answer, 0-86400; default: 0."""


class FunctionUrlArgs(TypedDict, total=False):
    """An HTTPS endpoint for the function."""

    auth_type: Required[FunctionUrlAuthType]
    """AWS_IAM: signed requests only; NONE: public (needs public: true)."""
    public: bool
    """True acknowledges an unauthenticated URL (auth_type NONE); default: false."""
    alias: str | None
    """The alias the URL invokes (an alias of this function); default: the function itself."""
    cors: CorsArgs | None
    """CORS settings of the URL; default: none."""
    invoke_mode: InvokeMode
    """BUFFERED or RESPONSE_STREAM; default: BUFFERED."""


class LayerArgs(TypedDict, total=False):
    """A layer version the component builds and publishes."""

    name: Required[str]
    """Layer name: 1-140 of [A-Za-z0-9_-], unique among the function's layers."""
    code_source_type: Required[LayerCodeSourceType]
    """Where the layer's code comes from."""
    s3: S3CodeArgs | None
    """The zip in S3; required iff code_source_type is CODE_SOURCE_TYPE_S3."""
    local: LocalCodeArgs | None
    """The local directory; required iff code_source_type is CODE_SOURCE_TYPE_LOCAL."""
    compatible_runtimes: Sequence[str]
    """Lambda runtime identifiers the layer supports (at most 15); default: none."""
    compatible_architectures: Sequence[Architecture]
    """Architectures the layer supports (at most 2); default: none."""
    description: str
    """At most 256 characters; default: empty."""


class AsyncInvokeConfigArgs(TypedDict, total=False):
    """Retries, event age and destinations of asynchronous invocations."""

    maximum_retry_attempts: int | None
    """Retries after a failed invocation, 0-2; default: AWS's 2."""
    maximum_event_age_seconds: int | None
    """Seconds an event may wait before it is discarded, 60-21600; default: AWS's 21600."""
    on_success_destination_arn: pulumi.Input[str] | None
    """Records of successful invocations: a standard SQS queue, standard SNS topic, Lambda
    function or EventBridge event bus ARN; the created role may send there; default: none."""
    on_failure_destination_arn: pulumi.Input[str] | None
    """Records of failed invocations: as on_success_destination_arn, or an S3 bucket ARN;
    default: none."""


class FileSystemConfigArgs(TypedDict, total=False):
    """An EFS access point mounted into the execution environment."""

    access_point_arn: Required[pulumi.Input[str]]
    """EFS access point ARN (arn:aws:elasticfilesystem:<region>:<account>:access-point/
    fsap-...)."""
    local_mount_path: Required[str]
    """Where it is mounted: /mnt/<name>."""


class RuntimeManagementArgs(TypedDict, total=False):
    """How runtime patches reach the function."""

    update_runtime_on: Required[UpdateRuntimeOn]
    """Auto, FunctionUpdate or Manual."""
    runtime_version_arn: str | None
    """The runtime version pinned; with (and only with) Manual; default: none."""


class InvokePermissionArgs(TypedDict, total=False):
    """A statement of the function's resource policy: who may invoke it."""

    statement_id: Required[str]
    """1-100 of [A-Za-z0-9_-], unique among the permissions."""
    principal: Required[str]
    """A service (s3.amazonaws.com), account ID, IAM ARN, or * (with a source or org
    condition)."""
    action: str
    """A Lambda action; default: lambda:InvokeFunction."""
    source_arn: pulumi.Input[str] | None
    """Only this resource may invoke; default: none."""
    source_account: str | None
    """Only sources owned by this 12-digit account; default: none."""
    principal_org_id: str | None
    """Only accounts of this AWS Organization (o-...); default: none."""
    function_url_auth_type: FunctionUrlAuthType | None
    """With action lambda:InvokeFunctionUrl only; default: none."""
    alias: str | None
    """The alias the statement applies to; default: the function."""


class RollbackAlarmsArgs(TypedDict, total=False):
    """CloudWatch alarms the component creates on the alias; any in ALARM rolls back."""

    errors: bool
    """Alarm on any invocation error of the alias; default: true."""
    throttles: bool
    """Alarm on any throttled invocation of the alias; default: false."""
    duration_p99_ms: int | None
    """Alarm when the alias's p99 duration reaches this many ms (1-900000); default: none."""


class DeploymentArgs(TypedDict, total=False):
    """The alias follows each new version through an AWS CodeDeploy deployment."""

    strategy: Required[str]
    """A CodeDeploy predefined Lambda configuration (AllAtOnce, Canary10Percent5Minutes,
    Canary10Percent10Minutes, Canary10Percent15Minutes, Canary10Percent30Minutes,
    Linear10PercentEvery1Minute, Linear10PercentEvery2Minutes, Linear10PercentEvery3Minutes,
    Linear10PercentEvery10Minutes, with or without CodeDeployDefault.Lambda), or a custom one
    written Canary<P>Percent<N>Minutes or Linear<P>PercentEvery<N>Minutes (P 1-99)."""
    alarms: Sequence[pulumi.Input[str]]
    """Names of existing CloudWatch alarms that roll the deployment back; with
    rollback_alarms at most 10; default: none."""
    rollback_alarms: RollbackAlarmsArgs
    """Alarms the component creates on the alias; default: errors only."""
    before_allow_traffic_hook: pulumi.Input[str] | None
    """A validation function (name or unqualified ARN) run before traffic shifts; default:
    none."""
    after_allow_traffic_hook: pulumi.Input[str] | None
    """A validation function (name or unqualified ARN) run after all traffic shifted;
    default: none."""
    wait: bool
    """pulumi up waits for the deployment and fails when it fails or rolls back; default:
    true."""
    timeout_minutes: int
    """How long pulumi up waits, 1-3000, at least the strategy's duration; default: 60."""


class MonitoringAlarmsArgs(TypedDict, total=False):
    """Thresholds of the alarms on the function and each alias; unset ones are not created."""

    errors: int | None
    """Alarm when errors in the window reach this (at least 1); default: none."""
    throttles: int | None
    """Alarm when throttles in the window reach this (at least 1); default: none."""
    duration_p99_ms: int | None
    """Alarm when the p99 duration in the window reaches this many ms; default: none."""
    evaluation_minutes: int
    """The window, 1-1440 minutes; default: 1."""


class MonitoringArgs(TypedDict, total=False):
    """CloudWatch alarms on the function and each alias, notifying SNS topics."""

    alarms: MonitoringAlarmsArgs
    """Thresholds; unset ones are not created; default: none."""
    notify_topic_arns: Sequence[pulumi.Input[str]]
    """SNS topic ARNs notified when an alarm fires; default: none."""


class AliasArgs(TypedDict, total=False):
    """An alias: a named pointer to a version, optionally splitting traffic (a canary)."""

    name: Required[str]
    """1-128 of [A-Za-z0-9_-], not only digits; unique among the aliases."""
    description: str
    """At most 256 characters; default: empty."""
    function_version: str
    """"current" (the version this deploy publishes), "$LATEST", or a version number like
    "3"; default: "current"."""
    additional_version_weights: Mapping[str, float]
    """At most one {version: weight} with 0 < weight < 1, version as in function_version
    but not $LATEST: the canary split; default: none."""
    provisioned_concurrency: int | None
    """At least 1: keeps that many environments warm on the alias; default: none."""
    async_invoke_config: AsyncInvokeConfigArgs | None
    """Asynchronous invocations through this alias; default: none."""
    deployment: DeploymentArgs | None
    """Shift the alias to each new version through AWS CodeDeploy (needs function_version
    current and no weights); default: none."""


class EventSourceType(str, enum.Enum):
    """The kind of poll-based event source."""

    SQS = "sqs"
    """An SQS queue."""
    KINESIS = "kinesis"
    """A Kinesis data stream (or a stream consumer)."""
    DYNAMODB = "dynamodb"
    """A DynamoDB stream."""
    KAFKA = "kafka"
    """An Amazon MSK cluster."""
    SELF_MANAGED_KAFKA = "self_managed_kafka"
    """A Kafka cluster reached through its bootstrap servers."""
    MQ = "mq"
    """An Amazon MQ broker."""
    DOCUMENTDB = "documentdb"
    """A DocumentDB change stream."""


class EventSourceMetric(str, enum.Enum):
    """A CloudWatch metric an event source mapping emits."""

    EVENT_COUNT = "EventCount"
    """Records processed, filtered out or dropped."""
    ERROR_COUNT = "ErrorCount"
    """Processing errors (Kafka only)."""
    KAFKA_METRICS = "KafkaMetrics"
    """Kafka consumer lag and throughput (Kafka only)."""


class StartingPosition(str, enum.Enum):
    """Where a stream or Kafka mapping starts reading."""

    TRIM_HORIZON = "TRIM_HORIZON"
    """The oldest record."""
    LATEST = "LATEST"
    """New records only."""
    AT_TIMESTAMP = "AT_TIMESTAMP"
    """From starting_position_timestamp (not DynamoDB)."""


class SourceAccessType(str, enum.Enum):
    """How Lambda reaches a Kafka, MQ or DocumentDB source."""

    BASIC_AUTH = "BASIC_AUTH"
    """A Secrets Manager secret with a user name and password."""
    VPC_SUBNET = "VPC_SUBNET"
    """A subnet (self-managed Kafka): subnet:<subnet-id>."""
    VPC_SECURITY_GROUP = "VPC_SECURITY_GROUP"
    """A security group (self-managed Kafka): security_group:<sg-id>."""
    SASL_SCRAM_512_AUTH = "SASL_SCRAM_512_AUTH"
    """A SASL/SCRAM-512 secret."""
    SASL_SCRAM_256_AUTH = "SASL_SCRAM_256_AUTH"
    """A SASL/SCRAM-256 secret (self-managed Kafka)."""
    VIRTUAL_HOST = "VIRTUAL_HOST"
    """The RabbitMQ virtual host name."""
    CLIENT_CERTIFICATE_TLS_AUTH = "CLIENT_CERTIFICATE_TLS_AUTH"
    """A secret with the mTLS client certificate."""
    SERVER_ROOT_CA_CERTIFICATE = "SERVER_ROOT_CA_CERTIFICATE"
    """A secret with the brokers' root CA (self-managed Kafka)."""


class FullDocument(str, enum.Enum):
    """What a DocumentDB update event carries."""

    UPDATE_LOOKUP = "UpdateLookup"
    """The change and the whole document."""
    DEFAULT = "Default"
    """The change only."""


class TriggerType(str, enum.Enum):
    """The kind of push-based trigger."""

    SCHEDULE = "schedule"
    """An EventBridge Scheduler schedule."""
    EVENTBRIDGE = "eventbridge"
    """An EventBridge rule."""
    SNS = "sns"
    """An SNS topic subscription."""
    S3 = "s3"
    """S3 bucket notifications."""
    API_GATEWAY = "api_gateway"
    """An API Gateway API."""


class FilterPolicyScope(str, enum.Enum):
    """What an SNS filter policy matches."""

    MESSAGE_ATTRIBUTES = "MessageAttributes"
    """The message attributes."""
    MESSAGE_BODY = "MessageBody"
    """The message body."""


class SourceAccessConfigurationArgs(TypedDict, total=False):
    """How Lambda reaches a Kafka, MQ or DocumentDB source."""

    type: Required[SourceAccessType]
    """The access type."""
    uri: Required[pulumi.Input[str]]
    """A Secrets Manager secret ARN (auth types), subnet:<subnet-id>, security_group:<sg-id>,
    or the RabbitMQ virtual host name."""


class DocumentDbConfigArgs(TypedDict, total=False):
    """Which change stream of a DocumentDB cluster a mapping reads."""

    database_name: Required[str]
    """The database: 1-63 characters without space / . $ "."""
    collection_name: str | None
    """One collection (1-57 characters); default: every collection."""
    full_document: FullDocument
    """What an update event carries; default: Default (the change only)."""


class EventSourceArgs(TypedDict, total=False):
    """A poll-based source: an event source mapping, optionally on an alias."""

    name: Required[str]
    """Unique among event_sources and triggers: 1-64 of [A-Za-z0-9_-]."""
    type: Required[EventSourceType]
    """The kind of source."""
    source_arn: pulumi.Input[str] | None
    """The queue, stream, cluster or broker ARN; required except for self_managed_kafka,
    where it is refused; default: none."""
    alias: str | None
    """The alias invoked (an alias of this function); default: the function itself."""
    enabled: bool
    """False pauses polling; default: true."""
    batch_size: int | None
    """Records per batch, 1-10000 (SQS FIFO: 10; SQS above 10 needs a batching window);
    default: AWS's (SQS 10, others 100)."""
    maximum_batching_window_seconds: int | None
    """0-300 seconds spent gathering a batch, not for SQS FIFO queues; default: AWS's."""
    starting_position: StartingPosition | None
    """Required for kinesis, dynamodb, Kafka and documentdb, refused for sqs and mq;
    default: none."""
    starting_position_timestamp: str | None
    """RFC 3339 time in the past, iff starting_position is AT_TIMESTAMP; default: none."""
    filters: Sequence[str]
    """Event filter patterns, JSON objects of up to 4096 characters (at most 5: AWS's default
    quota); default: none."""
    report_batch_item_failures: bool
    """The function reports failed items (not for mq, documentdb); default: false."""
    maximum_concurrency: int | None
    """SQS only: 2-1000 concurrent invocations; default: AWS's."""
    parallelization_factor: int | None
    """Kinesis and DynamoDB only: batches per shard, 1-10; default: 1."""
    bisect_batch_on_function_error: bool | None
    """Streams and Kafka only: split a failing batch and retry; default: false."""
    maximum_retry_attempts: int | None
    """Streams and Kafka only: -1 (until the record expires) to 10000; default: -1."""
    maximum_record_age_seconds: int | None
    """Streams and Kafka only: -1 (never) or 60-604800; default: -1."""
    tumbling_window_seconds: int | None
    """Kinesis and DynamoDB only: 0-900; default: none."""
    on_failure_destination_arn: pulumi.Input[str] | None
    """Streams and Kafka only: an SQS queue, SNS topic or S3 bucket ARN; default: none."""
    topics: Sequence[str]
    """Kafka only, required: exactly one topic; default: none."""
    queues: str | None
    """MQ only, required: the queue read; default: none."""
    bootstrap_servers: Sequence[str]
    """Self-managed Kafka only, required: 1-10 host:port servers; default: none."""
    source_access_configurations: Sequence[SourceAccessConfigurationArgs]
    """Kafka, MQ and DocumentDB: secrets, subnets, virtual host; default: none."""
    consumer_group_id: str | None
    """Kafka only: the consumer group joined; default: one AWS generates."""
    document_db: DocumentDbConfigArgs | None
    """DocumentDB only, required: the database read; default: none."""
    kms_key_arn: pulumi.Input[str] | None
    """The KMS key encrypting the source; the role gets kms:Decrypt on it; default: none."""
    metrics: Sequence[EventSourceMetric]
    """CloudWatch metrics emitted (billed): EventCount; ErrorCount and KafkaMetrics for Kafka
    only; default: none."""
    filter_kms_key_arn: pulumi.Input[str] | None
    """A customer managed KMS key ARN encrypting the filter criteria; default: AWS-owned."""


class TriggerArgs(TypedDict, total=False):
    """A push-based trigger, optionally on an alias; each type takes its own fields."""

    name: Required[str]
    """Unique among event_sources and triggers: 1-64 of [A-Za-z0-9_-]."""
    type: Required[TriggerType]
    """The kind of trigger."""
    alias: str | None
    """The alias invoked (an alias of this function); default: the function itself."""
    expression: str | None
    """Schedule, required: rate(value unit), cron(6 fields) or at(yyyy-mm-ddThh:mm:ss);
    default: none."""
    timezone: str | None
    """Schedule: an IANA time zone like Europe/Paris; default: UTC."""
    input: str | None
    """Schedule and eventbridge: the JSON event the function receives; default: AWS's."""
    enabled: bool
    """Schedule and eventbridge: false pauses it; default: true."""
    description: str | None
    """Schedule and eventbridge: up to 512 characters; default: none."""
    event_pattern: str | None
    """Eventbridge: the event pattern, a JSON object; default: none."""
    schedule_expression: str | None
    """Eventbridge: rate(...) or cron(...) on the default bus; default: none."""
    event_bus_name: pulumi.Input[str] | None
    """Eventbridge: the bus name or ARN; default: the default bus."""
    topic_arn: pulumi.Input[str] | None
    """SNS, required: the topic ARN; default: none."""
    filter_policy: str | None
    """SNS: the subscription's filter policy, a JSON object; default: none."""
    filter_policy_scope: FilterPolicyScope | None
    """SNS: what the filter policy matches; default: MessageAttributes."""
    bucket: pulumi.Input[str] | None
    """S3, required: the bucket name; default: none."""
    bucket_account: pulumi.Input[str] | None
    """S3: the bucket owner's account ID; default: the deploying account."""
    events: Sequence[str]
    """S3, required: event types like s3:ObjectCreated:*; default: none."""
    filter_prefix: str | None
    """S3: object key prefix; default: none."""
    filter_suffix: str | None
    """S3: object key suffix; default: none."""
    manage_bucket_notification: bool
    """S3: true creates the bucket's single notification configuration; default: false."""
    source_arn: pulumi.Input[str] | None
    """API Gateway, required: the execute-api ARN allowed to invoke; default: none."""


class AwsLambdaArgs(TypedDict, total=False):
    """Everything needed to deploy one Lambda function; the same fields as AwsLambdaSpec."""

    function_name: Required[str]
    """The function's physical name: 1-64 of [A-Za-z0-9_-]."""
    description: str
    """At most 256 characters; default: empty."""
    code_source_type: Required[CodeSourceType]
    """Where the function's code comes from."""
    s3: S3CodeArgs | None
    """The zip in S3; required iff code_source_type is CODE_SOURCE_TYPE_S3."""
    image_uri: pulumi.Input[str] | None
    """ECR image URI (<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag> or
    @sha256:<digest>); required iff code_source_type is CODE_SOURCE_TYPE_IMAGE."""
    local: LocalCodeArgs | None
    """The local directory; required iff code_source_type is CODE_SOURCE_TYPE_LOCAL."""
    runtime: str | None
    """A Lambda runtime identifier such as python3.13 or nodejs22.x; required for S3 and
    LOCAL code, not allowed for images; unknown ones refused, deprecated ones warned about."""
    runtime_block_acknowledged: bool
    """True: the function already exists, so a runtime AWS blocks for new functions (but not
    yet for updates) is accepted; default: false."""
    handler: str | None
    """1-128 characters without spaces, like index.handler; required for S3 and LOCAL code,
    not allowed for images."""
    image_config: ImageConfigArgs | None
    """Image CMD/ENTRYPOINT/WORKDIR overrides; CODE_SOURCE_TYPE_IMAGE only; default: none."""
    memory_mb: int
    """Memory in MB, 128-10240; default: 128."""
    timeout_seconds: int
    """Timeout in seconds, 1-900; default: 3."""
    ephemeral_storage_mb: int
    """/tmp size in MB, 512-10240; default: 512."""
    architecture: Architecture
    """Instruction set; default: X86_64."""
    role_arn: pulumi.Input[str] | None
    """An existing execution role's ARN; default: none, the component creates the role."""
    role: RoleArgs | None
    """Options for the role the component creates (only without role_arn); default: none."""
    environment: Mapping[str, pulumi.Input[str]]
    """Environment variables: keys [A-Za-z][A-Za-z0-9_]+ not reserved by Lambda; keys and
    values of environment and secret_environment together at most 4 KB; default: none."""
    secret_environment: Mapping[str, pulumi.Input[str]]
    """Like environment, but each value is stored as a Pulumi secret and never printed; a
    key may not also be in environment; default: none."""
    subnets: Sequence[pulumi.Input[str]]
    """VPC subnet IDs (subnet-...); with security_groups, or neither; default: none."""
    security_groups: Sequence[pulumi.Input[str]]
    """Security group IDs (sg-...); with subnets, or neither; default: none."""
    reserved_concurrency: int | None
    """Reserved concurrent executions, 0 or more (0 throttles the function; -1 means
    unreserved); default: unreserved."""
    layer_arns: Sequence[pulumi.Input[str]]
    """Existing layer version ARNs; with layers, at most 5; default: none."""
    layers: Sequence[LayerArgs]
    """Layers the component builds, used after layer_arns; default: none."""
    kms_key_arn: pulumi.Input[str] | None
    """A KMS key ARN (not an alias ARN) encrypting the environment; default: AWS's key."""
    tracing: TracingMode
    """X-Ray tracing; Active adds the X-Ray permissions; default: PassThrough."""
    dead_letter_target_arn: pulumi.Input[str] | None
    """An SQS queue or SNS topic ARN for failed asynchronous invocations; default: none."""
    log_retention_days: int
    """A CloudWatch retention (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653) or 0: never expire; default: 14."""
    log_format: LogFormat
    """Format of the function's logs; default: Text."""
    publish: bool | None
    """Publish a version on every change; default: true when any alias exists."""
    aliases: Sequence[AliasArgs]
    """Aliases, unique names; default: none."""
    function_url: FunctionUrlArgs | None
    """An HTTPS endpoint, on an alias when one is named; default: none."""
    event_sources: Sequence[EventSourceArgs]
    """Poll-based sources (queues, streams, Kafka, MQ, DocumentDB), each an event source
    mapping, optionally on an alias; default: none."""
    triggers: Sequence[TriggerArgs]
    """Push-based triggers (schedules, EventBridge rules, SNS, S3, API Gateway), optionally
    on an alias; default: none."""
    tags: Mapping[str, pulumi.Input[str]]
    """Tags on the function, role and log group: at most 50; keys 1-128 and values up to 256
    of letters, digits, spaces and _.:/=+-@; default: none."""
    file_system_config: FileSystemConfigArgs | None
    """An EFS access point mounted under /mnt (needs subnets); default: none."""
    snap_start: bool
    """SnapStart on published versions (Java 11+, Python 3.12+, .NET 8+); default: false."""
    application_log_level: ApplicationLogLevel | None
    """Application log filter (log_format JSON only); default: none."""
    system_log_level: SystemLogLevel | None
    """Platform log filter (log_format JSON only); default: none."""
    log_group: pulumi.Input[str] | None
    """Name of an existing log group the function logs to (none is created); default: none."""
    code_signing_config_arn: pulumi.Input[str] | None
    """A code signing config ARN (.zip packages only); default: none."""
    source_kms_key_arn: pulumi.Input[str] | None
    """KMS key ARN encrypting the .zip package at rest (.zip only); default: AWS's key."""
    source_code_hash: str | None
    """Base64 SHA-256 of the S3 package: a change redeploys (S3 only); default: none."""
    ipv6_allowed_for_dual_stack: bool
    """Outbound IPv6 on dual-stack subnets (needs subnets); default: false."""
    recursive_loop: RecursiveLoop
    """Allow or Terminate recursive loops; default: Terminate."""
    runtime_management: RuntimeManagementArgs | None
    """How runtime patches reach the function; default: AWS's Auto."""
    invoke_permissions: Sequence[InvokePermissionArgs]
    """Resource-policy statements letting others invoke the function; default: none."""
    async_invoke_config: AsyncInvokeConfigArgs | None
    """Asynchronous invocations of the function: retries, event age, destinations; default:
    none."""
    monitoring: MonitoringArgs | None
    """CloudWatch alarms on the function and each alias, notifying SNS topics; default:
    none."""
    keep_versions: int | None
    """After a deploy, delete published versions beyond the newest N (at least 1) that no
    alias, weight, deployment or provisioned concurrency uses; default: keep all."""
    region: str | None
    """Project Planton's region: the stack program deploys there; the component uses its
    provider's; default: none."""


# --- args -> the mapping AwsLambdaSpec validates -------------------------------------------

_OUTPUT_HELP = (
    "must be known before deployment, but is an output of another resource or a secret; "
    "the component checks this value before it registers anything, so give a plain value"
)


def spec_input(args: Mapping[str, Any]) -> dict[str, Any]:
    """The plain mapping `AwsLambdaSpec` validates, from args or a spec-shaped mapping.

    Enum members become their values and whole floats (`512.0`, as numbers arrive from
    other languages) become integers where the field is an integer. Outputs stay where the
    field is a `pulumi.Input` (the spec checks them once they resolve) and are refused
    elsewhere, as are fractional numbers for integers. Keys the args do not declare (a
    manifest's camelCase spellings, or mistakes) are left for the spec to judge.
    """
    converted, problems = _converted(args)
    if problems:
        raise SpecError(problems)
    return converted


def to_spec(args: Mapping[str, Any]) -> "AwsLambdaSpec":
    """Args (or a spec-shaped mapping) as a validated AwsLambdaSpec; every problem at once."""
    from planton_lambda.load.manifest import validate_spec

    converted, problems = _converted(args)
    try:
        spec = validate_spec(converted)
    except SpecError as error:
        # The spec also trips on what the conversion refused; keep the clearer message.
        refused = {problem.split(": ", 1)[0] for problem in problems}
        others = [p for p in error.problems if p.split(": ", 1)[0] not in refused]
        raise SpecError([*problems, *others]) from None
    if problems:
        raise SpecError(problems)
    return spec


def _converted(args: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    problems: list[str] = []
    converted = _convert(args, AwsLambdaArgs, (), problems)
    return typing.cast("dict[str, Any]", converted), problems


def field_names() -> frozenset[str]:
    """Every field name of the args tree (to tell fields from map keys in a path)."""
    names: set[str] = set()
    pending: list[Any] = [AwsLambdaArgs]
    seen: set[Any] = set()
    while pending:
        typed_dict = pending.pop()
        if typed_dict in seen:
            continue
        seen.add(typed_dict)
        for name, hint in _hints(typed_dict).items():
            names.add(name)
            pending.extend(_typed_dicts_in(hint))
    return frozenset(names)


def _typed_dicts_in(hint: Any) -> list[Any]:
    if typing.is_typeddict(hint):
        return [hint]
    return [found for part in typing.get_args(hint) for found in _typed_dicts_in(part)]


@functools.cache  # conversion looks up the same few types for every field of every call
def _hints(typed_dict: type) -> dict[str, Any]:
    # The module has no string annotations, so the TypedDict's own are the types themselves.
    return dict(typed_dict.__annotations__)


def _is_output_part(part: Any) -> bool:
    # pulumi.Input[T] is Union[T, Awaitable[T], "Output[T]"] (the last a forward reference).
    origin = typing.get_origin(part)
    return origin is pulumi.Output or origin is Awaitable or isinstance(part, typing.ForwardRef)


@functools.cache
def _unwrap(hint: Any) -> tuple[Any, bool]:
    """(the type inside Required/Optional/Input, whether an Output is allowed there)."""
    allows_output = False
    while True:
        origin = typing.get_origin(hint)
        if origin is Required:
            hint = typing.get_args(hint)[0]
        elif origin is typing.Union or origin is types.UnionType:
            parts = [a for a in typing.get_args(hint) if a is not type(None)]
            allows_output = allows_output or any(_is_output_part(a) for a in parts)
            hint = next(a for a in parts if not _is_output_part(a))
        else:
            return hint, allows_output


def _convert(value: Any, hint: Any, path: Path, problems: list[str]) -> Any:
    if value is None:
        return None
    kind, allows_output = _unwrap(hint)
    if isinstance(value, pulumi.Output):
        if not allows_output:
            problems.append(f"{field_path(path)}: {_OUTPUT_HELP}")
        return value
    origin = typing.get_origin(kind)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return value.value if isinstance(value, enum.Enum) else value
    if kind is int:
        return _integer(value, path, problems)
    if typing.is_typeddict(kind):
        if not isinstance(value, Mapping):
            return value
        hints = _hints(kind)
        return {
            key: _convert(item, hints[key], (*path, key), problems) if key in hints else item
            for key, item in value.items()
        }
    if origin in (Sequence, list):
        if not isinstance(value, list | tuple):
            return value
        (item_hint,) = typing.get_args(kind)
        return [_convert(item, item_hint, (*path, i), problems) for i, item in enumerate(value)]
    if origin in (Mapping, dict):
        if not isinstance(value, Mapping):
            return value
        _, item_hint = typing.get_args(kind)
        return {
            key: _convert(item, item_hint, (*path, key), problems) for key, item in value.items()
        }
    return value


def _integer(value: Any, path: Path, problems: list[str]) -> Any:
    if isinstance(value, float) and not isinstance(value, bool):
        if value.is_integer():
            return int(value)
        problems.append(f"{field_path(path)}: must be a whole number, got {value}")
    return value


__all__ = [
    "AliasArgs",
    "ApplicationLogLevel",
    "Architecture",
    "AsyncInvokeConfigArgs",
    "AwsLambdaArgs",
    "BundleArgs",
    "BundleFormat",
    "CodeSourceType",
    "CorsArgs",
    "DeploymentArgs",
    "DocumentDbConfigArgs",
    "EventSourceArgs",
    "EventSourceMetric",
    "EventSourceType",
    "FileSystemConfigArgs",
    "FilterPolicyScope",
    "FullDocument",
    "FunctionUrlArgs",
    "FunctionUrlAuthType",
    "ImageConfigArgs",
    "InvokeMode",
    "InvokePermissionArgs",
    "LayerArgs",
    "LayerCodeSourceType",
    "LocalCodeArgs",
    "LogFormat",
    "MonitoringAlarmsArgs",
    "MonitoringArgs",
    "PolicyEffect",
    "PolicyStatementArgs",
    "RecursiveLoop",
    "RoleArgs",
    "RollbackAlarmsArgs",
    "RuntimeManagementArgs",
    "S3CodeArgs",
    "SourceAccessConfigurationArgs",
    "SourceAccessType",
    "StartingPosition",
    "SystemLogLevel",
    "TracingMode",
    "TriggerArgs",
    "TriggerType",
    "UpdateRuntimeOn",
    "spec_input",
    "to_spec",
]
