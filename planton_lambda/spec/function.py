"""AwsLambdaSpec: the validated, declarative description of one Lambda function."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import unicodedata
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, Literal

import pulumi
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    SecretStr,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from planton_lambda.errors import SpecError, field_path
from planton_lambda.spec import runtimes
from planton_lambda.spec.alias import CURRENT, LATEST, AliasSpec
from planton_lambda.spec.base import Loc, SpecModel, raise_errors
from planton_lambda.spec.delivery import MonitoringSpec, delivery_violations
from planton_lambda.spec.iam import RoleOptions
from planton_lambda.spec.packaging import (
    DEFAULT_ARTIFACT_PREFIX,
    BundleSpec,
    bucket_name_problem,
    bundle_violations,
    entry_problems,
    prefix_problem,
)
from planton_lambda.spec.parity import (
    AsyncInvokeConfig,
    FileSystemConfig,
    InvokePermission,
    RuntimeManagement,
    parity_violations,
    planton_spellings,
)
from planton_lambda.spec.refs import (
    LiteralOrOutput,
    StringValueOrRef,
    TextOrOutput,
    is_known,
    matches,
)
from planton_lambda.spec.sources import EventSourceSpec, TriggerSpec, spec_violations

MAX_LAYERS = 5
MAX_ENVIRONMENT_BYTES = 4096
LOG_RETENTION_DAYS = (
    0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip

# Set by the Lambda runtime; AWS refuses them in a function's configuration.
RESERVED_ENVIRONMENT_KEYS = frozenset(
    {
        "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION",
        "AWS_EXECUTION_ENV", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "TZ",
    }
)  # fmt: skip
# AWS_LAMBDA_* is the runtime's, except the hooks AWS documents for users to set.
USER_SETTABLE_AWS_LAMBDA_KEYS = frozenset({"AWS_LAMBDA_EXEC_WRAPPER", "AWS_LAMBDA_DOTNET_PREJIT"})

# Field patterns (pydantic's Rust engine: `$` is the end of the text) and whole-value checks
# (`matches`, i.e. fullmatch: Python's `$` would accept a trailing newline). AWS's shapes are in
# botocore's lambda/2015-03-31/service-2.json unless said otherwise.
_FUNCTION_NAME = r"^[A-Za-z0-9_-]{1,64}$"  # FunctionName (the unqualified name; 64 on create)
_ENV_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]+")  # EnvironmentVariableName
_ECR_IMAGE = re.compile(
    r"\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/[a-z0-9][a-z0-9._/-]*"
    r"(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})"
)
_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[A-Za-z0-9+=,.@_/-]+")  # RoleArn
# A key ARN only: in an IAM policy an alias ARN names the alias, not the key behind it, so a
# kms:Decrypt grant on it allows nothing (https://docs.aws.amazon.com/kms/latest/developerguide/
# alias-authorization.html: control access by alias with the kms:RequestAlias condition).
_KMS_KEY_ARN = re.compile(r"arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+")
_DLQ_ARN = re.compile(r"arn:aws[a-z-]*:(sqs|sns):[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+")
_LAYER_ARN = re.compile(r"arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]+:\d+")
_SUBNET = re.compile(r"subnet-[A-Za-z0-9]+")
_SECURITY_GROUP = re.compile(r"sg-[A-Za-z0-9]+")
# Tags land on the function, the role and the log group: IAM's tagKeyType/tagValueType
# (iam/2010-05-08/service-2.json) is the strictest: letters, spaces, digits and _.:/=+-@.
_TAG_PUNCTUATION = frozenset("_.:/=+-@")
_KMS_KEY_HELP = (
    "a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>), not an alias ARN: an IAM "
    "grant on an alias ARN allows nothing on the key"
)

S3_SOURCE = "CODE_SOURCE_TYPE_S3"
IMAGE_SOURCE = "CODE_SOURCE_TYPE_IMAGE"
LOCAL_SOURCE = "CODE_SOURCE_TYPE_LOCAL"
CodeSourceType = Literal["CODE_SOURCE_TYPE_S3", "CODE_SOURCE_TYPE_IMAGE", "CODE_SOURCE_TYPE_LOCAL"]
LayerSourceType = Literal["CODE_SOURCE_TYPE_S3", "CODE_SOURCE_TYPE_LOCAL"]
Architecture = Literal["X86_64", "ARM64"]


class DeprecatedRuntimeWarning(UserWarning):
    """A runtime AWS has deprecated: still accepted, but due for an upgrade."""


def _check_runtime(identifier: str) -> str:
    if runtimes.lookup(identifier) is None:
        supported = ", ".join(runtimes.supported_identifiers())
        raise ValueError(f"unknown Lambda runtime {identifier!r}; supported: {supported}")
    return identifier


def today(info: ValidationInfo) -> dt.date:
    """The date runtime rules are judged on: `context={"today": date}` in tests, else today."""
    given = (info.context or {}).get("today")
    return given if isinstance(given, dt.date) else dt.date.today()


def warn_deprecated(identifiers: Iterable[str], on: dt.date) -> None:
    for identifier in identifiers:
        runtime = runtimes.lookup(identifier)
        if runtime is not None and runtime.is_deprecated(on):
            warnings.warn(
                runtime.deprecation_message(), DeprecatedRuntimeWarning, stacklevel=_caller_level()
            )


def _caller_level() -> int:
    """The warnings stacklevel of the first frame outside this package and pydantic."""
    level = 1
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        module = str(frame.f_globals.get("__name__", ""))
        if not module.startswith(("planton_lambda", "pydantic")):
            return level
        frame, level = frame.f_back, level + 1
    return 1


RuntimeId = Annotated[
    str,
    AfterValidator(_check_runtime),
    Field(
        description="a Lambda runtime identifier",
        json_schema_extra={"enum": runtimes.supported_identifiers()},
    ),
]


class S3Code(SpecModel):
    bucket: Annotated[str, Field(min_length=3, max_length=63)]
    key: Annotated[str, Field(min_length=1, max_length=1024)]
    object_version: Annotated[str | None, Field(min_length=1)] = None


class LocalCode(SpecModel):
    """A directory zipped deterministically at deploy time."""

    path: Annotated[
        str,
        Field(
            min_length=1,
            description="directory; relative to the manifest's folder (or the working "
            "directory for a spec given in code)",
        ),
    ]
    excludes: list[str] = Field(
        default_factory=list, description="glob patterns left out of the zip"
    )
    include: list[str] = Field(
        default_factory=list,
        description="glob patterns of secret-looking files (.env, *.pem, ...) to package "
        "anyway; such files are left out otherwise",
    )

    artifact_bucket: StringValueOrRef | None = Field(
        None,
        description="an S3 bucket (in the function's region) the zip is uploaded to, keyed "
        "<artifact_prefix>/<function_name>/<sha256>.zip; allows up to 250 MB unzipped",
    )
    artifact_prefix: str = Field(
        DEFAULT_ARTIFACT_PREFIX, description="the key prefix of uploaded zips (artifact_bucket)"
    )
    bundle: BundleSpec | None = Field(
        None, description="bundle a Node.js entry point with esbuild (functions only)"
    )

    @field_validator("path")
    @classmethod
    def _resolve(cls, path: str, info: ValidationInfo) -> str:
        base = (info.context or {}).get("base_dir")
        return os.path.normpath(Path(base or os.getcwd(), os.path.expanduser(path)))

    @model_validator(mode="after")
    def _artifact(self) -> LocalCode:
        errors: list[tuple[Loc, str]] = []
        bucket = self.artifact_bucket.literal if self.artifact_bucket is not None else None
        problem = bucket_name_problem(bucket) if bucket is not None else None
        if problem:
            errors.append((("artifact_bucket",), problem))
        problem = prefix_problem(self.artifact_prefix)
        if problem:
            errors.append((("artifact_prefix",), problem))
        raise_errors("LocalCode", errors)
        return self


class ImageConfig(SpecModel):
    command: list[str] = Field(default_factory=list, description="overrides the image CMD")
    entry_point: list[str] = Field(
        default_factory=list, description="overrides the image ENTRYPOINT"
    )
    working_directory: str | None = Field(None, description="overrides the image WORKDIR")


# Function URL CORS, as botocore's lambda service model bounds it: AllowOriginsList (0-100 of
# Origin, 1-253 characters), HeadersList (0-100 of Header, at most 1024), AllowMethodsList (0-6
# of Method, at most 6 characters: so no OPTIONS, which the URL answers itself), MaxAge 0-86400.
CORS_METHODS = ("GET", "PUT", "HEAD", "POST", "PATCH", "DELETE", "*")
Origin = Annotated[str, Field(min_length=1, max_length=253)]
Header = Annotated[str, Field(min_length=1, max_length=1024)]


class CorsSpec(SpecModel):
    allow_origins: list[Origin] = Field(
        default_factory=list, max_length=100, description="e.g. https://example.com or *"
    )
    allow_methods: list[str] = Field(
        default_factory=list,
        max_length=6,
        description="GET, PUT, HEAD, POST, PATCH, DELETE or * (the URL answers OPTIONS itself)",
    )
    allow_headers: list[Header] = Field(
        default_factory=list, max_length=100, description="request headers allowed"
    )
    expose_headers: list[Header] = Field(
        default_factory=list, max_length=100, description="response headers exposed to the browser"
    )
    allow_credentials: bool = Field(False, description="allow cookies and auth headers")
    max_age: Annotated[int, Field(ge=0, le=86400)] = 0

    @field_validator("allow_methods")
    @classmethod
    def _methods(cls, methods: list[str]) -> list[str]:
        unknown = [m for m in methods if m.upper() not in CORS_METHODS]
        if unknown:
            hint = (
                " (preflight OPTIONS requests are answered by the URL itself)"
                if any(m.upper() == "OPTIONS" for m in unknown)
                else ""
            )
            raise ValueError(f"unknown methods {unknown}; allowed: {', '.join(CORS_METHODS)}{hint}")
        upper = [m.upper() for m in methods]
        repeated = sorted({m for m in upper if upper.count(m) > 1})
        if repeated:
            raise ValueError(f"methods {repeated} are listed more than once")
        return upper


class FunctionUrlSpec(SpecModel):
    auth_type: Literal["AWS_IAM", "NONE"] = Field(
        description="AWS_IAM: signed requests only; NONE: public (needs public: true)"
    )
    public: Annotated[
        bool, Field(description="true acknowledges an unauthenticated URL (auth_type NONE)")
    ] = False
    alias: Annotated[str | None, Field(description="the alias the URL invokes")] = None
    cors: CorsSpec | None = Field(None, description="CORS settings of the URL")
    invoke_mode: Literal["BUFFERED", "RESPONSE_STREAM"] = Field(
        "BUFFERED", description="BUFFERED (up to 6 MB) or RESPONSE_STREAM (streamed response)"
    )

    @model_validator(mode="after")
    def _public_matches_auth(self) -> FunctionUrlSpec:
        if self.auth_type == "NONE" and not self.public:
            raise_errors(
                "FunctionUrlSpec",
                [(("public",), "auth_type NONE makes the URL open to anyone: set public: true")],
            )
        if self.auth_type == "AWS_IAM" and self.public:
            raise_errors(
                "FunctionUrlSpec",
                [(("public",), "public applies to auth_type NONE only; AWS_IAM URLs are private")],
            )
        return self


class LayerSpec(SpecModel):
    """A layer version the component builds and publishes."""

    name: Annotated[
        str, Field(pattern=r"^[A-Za-z0-9_-]{1,140}$", description="1-140 of [A-Za-z0-9_-]")
    ]
    code_source_type: LayerSourceType = Field(description="where the layer's code comes from")
    s3: S3Code | None = Field(None, description="required iff CODE_SOURCE_TYPE_S3")
    local: LocalCode | None = Field(None, description="required iff CODE_SOURCE_TYPE_LOCAL")
    compatible_runtimes: list[RuntimeId] = Field(default_factory=list, max_length=15)
    compatible_architectures: list[Architecture] = Field(default_factory=list, max_length=2)
    description: Annotated[str, Field(max_length=256)] = ""

    @model_validator(mode="after")
    def _source(self, info: ValidationInfo) -> LayerSpec:
        errors = _code_source_violations(self.code_source_type, self)
        if self.local is not None and self.local.bundle is not None:
            errors.append((("local", "bundle"), "bundles are for functions, not layers"))
        raise_errors("LayerSpec", errors)
        warn_deprecated(self.compatible_runtimes, today(info))
        return self


def _code_source_violations(source: str, spec: LayerSpec | AwsLambdaSpec) -> list[tuple[Loc, str]]:
    """`s3`, `local` and `image_uri` must match code_source_type: exactly one is given."""
    wanted = {S3_SOURCE: "s3", LOCAL_SOURCE: "local", IMAGE_SOURCE: "image_uri"}
    errors: list[tuple[Loc, str]] = []
    for kind, field in wanted.items():
        if field not in type(spec).model_fields:
            continue
        given = getattr(spec, field) is not None
        if kind == source and not given:
            errors.append(((field,), f"required when code_source_type is {source}"))
        elif kind != source and given:
            errors.append(((field,), f"only allowed when code_source_type is {kind}"))
    return errors


def ecr_image_problem(uri: str) -> str | None:
    """Why `uri` is not an image Lambda can run (it takes ECR images only), or None."""
    if matches(_ECR_IMAGE, uri):
        return None
    return (
        "must be an ECR image URI: <account>.dkr.ecr.<region>.amazonaws.com/"
        "<repository>:<tag> or @sha256:<digest>"
    )


# The shape of each reference field's value: checked on a literal with the spec, and on an
# Output (or a stack output) by the component once it resolves.
REFERENCE_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    "role_arn": (_ROLE_ARN, "an IAM role ARN (arn:aws:iam::<account>:role/<name>)"),
    "kms_key_arn": (_KMS_KEY_ARN, _KMS_KEY_HELP),
    "dead_letter_target_arn": (
        _DLQ_ARN,
        "an SQS queue or SNS topic ARN (arn:aws:sqs|sns:<region>:<account>:<name>)",
    ),
    "layer_arns": (
        _LAYER_ARN,
        "a layer version ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>)",
    ),
    "subnets": (_SUBNET, "a subnet ID (subnet-...)"),
    "security_groups": (_SECURITY_GROUP, "a security group ID (sg-...)"),
}


def reference_problem(field: str, text: str) -> str | None:
    """Why a resolved reference value does not fit its field, or None."""
    pattern, what = REFERENCE_RULES[field]
    return None if matches(pattern, text) else f"must be {what}"


MAX_TAGS = 50  # https://docs.aws.amazon.com/lambda/latest/dg/configuration-tags.html


def _tag_text_ok(text: str) -> bool:
    # \p{L}, \p{Z} and \p{N} of the tag pattern are these Unicode categories.
    return all(unicodedata.category(ch)[0] in "LZN" or ch in _TAG_PUNCTUATION for ch in text)


def tag_problems(tags: Mapping[str, Any]) -> list[str]:
    """AWS's tag rules (IAM's tagKeyType/tagValueType, the strictest of the three services),
    checked on every key and on the values known before deployment."""
    problems: list[str] = []
    if len(tags) > MAX_TAGS:
        problems.append(f"at most {MAX_TAGS} tags, got {len(tags)}")
    bad_keys = [
        k for k in tags
        if not 1 <= len(k) <= 128 or k.lower().startswith("aws:") or not _tag_text_ok(k)
    ]  # fmt: skip
    if bad_keys:
        problems.append(
            f"keys {bad_keys}: a key is 1-128 letters, digits, spaces and _.:/=+-@, and does "
            "not start with 'aws:'"
        )
    bad_values = [
        k for k, v in tags.items() if is_known(v) and (len(v) > 256 or not _tag_text_ok(v))
    ]
    if bad_values:
        problems.append(
            f"values of {bad_values}: a value is at most 256 letters, digits, spaces and _.:/=+-@"
        )
    return problems


def env_text(value: Any) -> str | None:
    """An environment value as text, or None while it is an Output (unknown until deployed)."""
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    return value if isinstance(value, str) else None


def environment_bytes(*envs: Mapping[str, Any]) -> int:
    """Bytes of the keys and the known values, as Lambda counts them against its 4 KB."""
    total = 0
    for env in envs:
        for key, value in env.items():
            total += len(key.encode()) + len((env_text(value) or "").encode())
    return total


def _reserved(key: str) -> bool:
    if key in RESERVED_ENVIRONMENT_KEYS:
        return True
    return key.startswith("AWS_LAMBDA_") and key not in USER_SETTABLE_AWS_LAMBDA_KEYS


_ENV_HELP = "keys [A-Za-z][A-Za-z0-9_]+, not reserved by Lambda; 4 KB in total"
_ENV_SCHEMA = {"propertyNames": {"pattern": f"^{_ENV_KEY.pattern}$"}}
EnvMap = Annotated[
    dict[str, TextOrOutput], Field(description=_ENV_HELP, json_schema_extra=_ENV_SCHEMA)
]


def _secret(value: Any) -> Any:
    # Masked in repr, str and model_dump*: only the component unwraps it, as a Pulumi secret.
    if isinstance(value, str):
        return SecretStr(value)
    if isinstance(value, SecretStr | pulumi.Output):
        return value
    raise ValueError("must be a string")


SecretValue = Annotated[
    Any, BeforeValidator(_secret), WithJsonSchema({"type": "string", "writeOnly": True})
]
SecretEnvMap = Annotated[
    dict[str, SecretValue],
    Field(
        description=f"{_ENV_HELP}; values are Pulumi secrets, masked when printed",
        json_schema_extra=_ENV_SCHEMA,
    ),
]


class AwsLambdaSpec(SpecModel):
    """Everything needed to deploy one Lambda function. See the README's spec reference."""

    function_name: Annotated[
        str, Field(pattern=_FUNCTION_NAME, description="1-64 of [A-Za-z0-9_-]")
    ]
    description: Annotated[str, Field(max_length=256)] = ""
    code_source_type: CodeSourceType = Field(description="where the function's code comes from")
    s3: S3Code | None = Field(None, description="required iff CODE_SOURCE_TYPE_S3")
    image_uri: Annotated[LiteralOrOutput | None, Field(description="ECR image URI")] = None
    local: LocalCode | None = Field(None, description="required iff CODE_SOURCE_TYPE_LOCAL")
    runtime: RuntimeId | None = Field(
        None,
        description="required for S3/LOCAL, forbidden for IMAGE; a Lambda runtime identifier "
        "(unknown ones refused, deprecated ones warned about)",
    )
    runtime_block_acknowledged: bool = Field(
        False,
        description="true: the function already exists, so a runtime AWS blocks for new "
        "functions (but not yet for updates) is accepted",
    )
    handler: Annotated[
        str | None,
        Field(
            pattern=r"^\S{1,128}$",
            description="1-128 characters without spaces, like index.handler",
        ),
    ] = None
    image_config: ImageConfig | None = Field(None, description="CODE_SOURCE_TYPE_IMAGE only")
    memory_mb: Annotated[int, Field(ge=128, le=10240)] = 128
    timeout_seconds: Annotated[int, Field(ge=1, le=900)] = 3
    ephemeral_storage_mb: Annotated[int, Field(ge=512, le=10240)] = 512
    architecture: Architecture = Field("X86_64", description="instruction set; ARM64 is Graviton")
    role_arn: StringValueOrRef | None = Field(
        None, description="an existing execution role; when absent the component creates one"
    )
    role: RoleOptions | None = Field(
        None, description="options for the role the component creates (only without role_arn)"
    )
    environment: EnvMap = Field(default_factory=dict)
    secret_environment: SecretEnvMap = Field(default_factory=dict)
    subnets: list[StringValueOrRef] = Field(
        default_factory=list, description="VPC subnet IDs; with security_groups, or neither"
    )
    security_groups: list[StringValueOrRef] = Field(
        default_factory=list, description="security group IDs; with subnets, or neither"
    )
    reserved_concurrency: Annotated[
        int | None, Field(ge=0, description="0 throttles the function; -1 or unset: unreserved")
    ] = None
    layer_arns: list[StringValueOrRef] = Field(
        default_factory=list, description="existing layer versions; with layers, at most 5"
    )
    layers: list[LayerSpec] = Field(
        default_factory=list, description="layers the component builds, used after layer_arns"
    )
    kms_key_arn: StringValueOrRef | None = Field(
        None, description="customer managed key encrypting the environment"
    )
    tracing: Literal["PassThrough", "Active"] = Field(
        "PassThrough", description="X-Ray tracing; Active adds the X-Ray permissions"
    )
    dead_letter_target_arn: Annotated[
        StringValueOrRef | None, Field(description="SQS queue or SNS topic ARN")
    ] = None
    log_retention_days: Annotated[
        int,
        Field(
            description="a CloudWatch retention (1, 3, 5, 7, 14, 30, ..., 3653) or 0: never expire",
            json_schema_extra={"enum": list(LOG_RETENTION_DAYS)},
        ),
    ] = 14
    log_format: Literal["Text", "JSON"] = Field("Text", description="format of the function's logs")
    publish: Annotated[bool | None, Field(description="default: true when any alias exists")] = None
    aliases: list[AliasSpec] = Field(default_factory=list, description="unique names")
    function_url: FunctionUrlSpec | None = Field(
        None, description="an HTTPS endpoint, on an alias when one is named"
    )
    event_sources: list[EventSourceSpec] = Field(
        default_factory=list,
        description="poll-based sources (queues, streams, Kafka, MQ, DocumentDB), each an "
        "event source mapping, optionally on an alias",
    )
    triggers: list[TriggerSpec] = Field(
        default_factory=list,
        description="push-based triggers (schedules, EventBridge rules, SNS, S3, API Gateway), "
        "optionally on an alias",
    )
    tags: dict[str, TextOrOutput] = Field(
        default_factory=dict,
        description="on the function, role and log group; at most 50; keys 1-128 and values "
        "up to 256 of letters, digits, spaces and _.:/=+-@",
    )
    # Project Planton v1 parity (planton_lambda.spec.parity holds the models and rules).
    file_system_config: FileSystemConfig | None = Field(
        None, description="an EFS access point mounted under /mnt (needs subnets)"
    )
    snap_start: bool = Field(False, description="SnapStart on published versions")
    application_log_level: Literal["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"] | None = (
        Field(None, description="TRACE, DEBUG, INFO, WARN, ERROR or FATAL (log_format JSON only)")
    )
    system_log_level: Literal["DEBUG", "INFO", "WARN"] | None = Field(
        None, description="DEBUG, INFO or WARN (log_format JSON only)"
    )
    log_group: StringValueOrRef | None = Field(
        None, description="name of an existing log group; then the component creates none"
    )
    code_signing_config_arn: StringValueOrRef | None = Field(
        None, description="a code signing config ARN (.zip packages only)"
    )
    source_kms_key_arn: StringValueOrRef | None = Field(
        None, description="KMS key encrypting the .zip package at rest (.zip packages only)"
    )
    source_code_hash: str | None = Field(
        None, description="base64 SHA-256 of the S3 package: a change redeploys (S3 only)"
    )
    ipv6_allowed_for_dual_stack: bool = Field(
        False, description="outbound IPv6 on dual-stack subnets (needs subnets)"
    )
    recursive_loop: Literal["Allow", "Terminate"] = Field(
        "Terminate", description="Terminate: Lambda stops recursive loops; Allow: it does not"
    )
    runtime_management: RuntimeManagement | None = Field(
        None, description="how runtime patches reach the function; default: AWS's Auto"
    )
    invoke_permissions: list[InvokePermission] = Field(
        default_factory=list, description="resource-policy statements letting others invoke"
    )
    async_invoke_config: AsyncInvokeConfig | None = Field(
        None, description="retries, event age and destinations of asynchronous invocations"
    )
    monitoring: MonitoringSpec | None = Field(
        None, description="CloudWatch alarms on the function and each alias, notifying topics"
    )
    keep_versions: Annotated[int | None, Field(ge=1)] = Field(
        None,
        description="after a deploy, delete published versions beyond the newest N "
        "that no alias, weight, deployment or provisioned concurrency uses",
    )
    region: Annotated[
        str | None,
        Field(
            pattern=r"^[a-z]{2}(-[a-z]+)+-\d$",
            description="Project Planton's region: the stack program deploys there (the "
            "component itself uses its provider's region)",
        ),
    ] = None

    @model_validator(mode="before")
    @classmethod
    def _planton_spellings(cls, data: Any) -> Any:
        return planton_spellings(data)

    @field_validator("reserved_concurrency", mode="before")
    @classmethod
    def _unreserved(cls, value: Any) -> Any:
        # Project Planton writes -1 for "no reservation".
        return None if value == -1 else value

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, days: int) -> int:
        if days not in LOG_RETENTION_DAYS:
            allowed = ", ".join(map(str, LOG_RETENTION_DAYS))
            raise ValueError(f"{days} is not a CloudWatch retention; use one of {allowed}")
        return days

    @field_validator("image_uri")
    @classmethod
    def _ecr_uri(cls, uri: Any) -> Any:
        problem = ecr_image_problem(uri) if uri is not None and is_known(uri) else None
        if problem:
            raise ValueError(problem)
        return uri

    @field_validator("environment", "secret_environment")
    @classmethod
    def _env_keys(cls, env: dict[str, Any]) -> dict[str, Any]:
        problems = []
        bad = [k for k in env if not matches(_ENV_KEY, k)]
        if bad:
            problems.append(
                f"invalid keys {bad}: a key is at least 2 characters, starts with a letter "
                "and holds only letters, digits and '_'"
            )
        reserved = [k for k in env if matches(_ENV_KEY, k) and _reserved(k)]
        if reserved:
            problems.append(
                f"keys {reserved} are reserved by the Lambda runtime; not allowed: "
                f"{', '.join(sorted(RESERVED_ENVIRONMENT_KEYS))} and AWS_LAMBDA_* (except "
                f"{', '.join(sorted(USER_SETTABLE_AWS_LAMBDA_KEYS))})"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return env

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: dict[str, Any]) -> dict[str, Any]:
        problems = tag_problems(tags)
        if problems:
            raise ValueError("; ".join(problems))
        return tags

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> AwsLambdaSpec:
        raise_errors("AwsLambdaSpec", [*self._violations(), *self._runtime_violations(info)])
        return self

    def _runtime_violations(self, info: ValidationInfo) -> list[tuple[Loc, str]]:
        """AWS's schedule: warn once deprecated; refuse once creating (then updating) is blocked.

        https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html ("Runtime use after
        deprecation"): past the block-create date only existing functions can be updated, past
        block-update no function on the runtime can be changed.
        """
        runtime = runtimes.lookup(self.runtime) if self.runtime else None
        if runtime is None:
            return []
        on = today(info)
        if runtime.update_blocked(on):
            return [(("runtime",), runtime.blocked_message(updates=True))]
        if runtime.create_blocked(on) and not self.runtime_block_acknowledged:
            return [(("runtime",), runtime.blocked_message(updates=False))]
        warn_deprecated([runtime.identifier], on)
        return []

    @property
    def publishes(self) -> bool:
        """Whether each deploy publishes a version (default: when any alias exists)."""
        return self.publish if self.publish is not None else bool(self.aliases)

    @property
    def is_image(self) -> bool:
        return self.code_source_type == IMAGE_SOURCE

    def _violations(self) -> list[tuple[Loc, str]]:
        return [
            *_code_source_violations(self.code_source_type, self),
            *self._package_violations(),
            *bundle_violations(
                self.local.bundle if self.local else None, self.runtime, self.handler, ("local",)
            ),
            *self._environment_violations(),
            *self._reference_violations(),
            *self._network_and_layer_violations(),
            *self._alias_violations(),
            *spec_violations(self.event_sources, self.triggers, [a.name for a in self.aliases]),
            *parity_violations(self),
            *delivery_violations(self),
        ]

    def _package_violations(self) -> list[tuple[Loc, str]]:
        errors: list[tuple[Loc, str]] = []
        if self.is_image:
            for field in ("runtime", "handler"):
                if getattr(self, field) is not None:
                    errors.append(((field,), "not allowed for CODE_SOURCE_TYPE_IMAGE"))
        else:
            for field in ("runtime", "handler"):
                if getattr(self, field) is None:
                    errors.append(((field,), f"required for {self.code_source_type}"))
            if self.image_config is not None:
                errors.append((("image_config",), "only allowed for CODE_SOURCE_TYPE_IMAGE"))
        if self.role is not None and self.role_arn is not None:
            errors.append(
                (("role",), "give role_arn (an existing role) or role (options for the "
                 "role the component creates), not both")
            )  # fmt: skip
        return errors

    def _environment_violations(self) -> list[tuple[Loc, str]]:
        errors: list[tuple[Loc, str]] = []
        both = sorted(set(self.environment) & set(self.secret_environment))
        if both:
            errors.append(
                (("secret_environment",), f"keys {both} are also in environment; a key goes in "
                 "environment or in secret_environment, not both")
            )  # fmt: skip
        size = environment_bytes(self.environment, self.secret_environment)
        if size > MAX_ENVIRONMENT_BYTES:
            errors.append(
                (("environment",), f"keys and values of environment and secret_environment "
                 f"total {size} bytes; Lambda allows {MAX_ENVIRONMENT_BYTES}")
            )  # fmt: skip
        return errors

    def _reference_violations(self) -> list[tuple[Loc, str]]:
        errors: list[tuple[Loc, str]] = []
        for field, (pattern, what) in REFERENCE_RULES.items():
            value = getattr(self, field)
            places = enumerate(value) if isinstance(value, list) else [(None, value)]
            for i, ref in places:
                problem = ref.check_literal(pattern, what) if ref is not None else None
                if problem:
                    errors.append(((field,) if i is None else (field, i), problem))
        return errors

    def _network_and_layer_violations(self) -> list[tuple[Loc, str]]:
        errors: list[tuple[Loc, str]] = []
        if bool(self.subnets) != bool(self.security_groups):
            missing = "security_groups" if self.subnets else "subnets"
            errors.append(((missing,), "subnets and security_groups go together: give both"))
        count = len(self.layer_arns) + len(self.layers)
        if count > MAX_LAYERS:
            errors.append(
                (("layers",), f"layer_arns and layers together hold {count} layers; "
                 f"a function uses at most {MAX_LAYERS}")
            )  # fmt: skip
        if self.is_image:
            for field in ("layer_arns", "layers"):
                if getattr(self, field):
                    errors.append(
                        ((field,), "container image functions cannot use layers; put the "
                         "layer's content in the image")
                    )  # fmt: skip
        names = [layer.name for layer in self.layers]
        for i, name in enumerate(names):
            if name in names[:i]:
                errors.append(
                    (("layers", i, "name"), f"duplicate layer name {name!r}; names must be unique")
                )
        return errors

    def _alias_violations(self) -> list[tuple[Loc, str]]:
        errors: list[tuple[Loc, str]] = []
        names = [alias.name for alias in self.aliases]
        for i, alias in enumerate(self.aliases):
            if alias.name in names[:i]:
                errors.append(
                    (("aliases", i, "name"), f"duplicate alias name {alias.name!r}; alias "
                     "names must be unique")
                )  # fmt: skip
            if CURRENT in alias.versions() and not self.publishes:
                errors.append(
                    (("aliases", i), "refers to 'current', the version this deploy publishes, "
                     "but publish is false: set publish: true or name a version number")
                )  # fmt: skip
        url = self.function_url
        if url is not None and url.alias is not None and url.alias not in names:
            known = ", ".join(names) or "none"
            errors.append(
                (("function_url", "alias"), f"{url.alias!r} is not an alias of this spec "
                 f"(aliases: {known})")
            )  # fmt: skip
        errors.extend(self._concurrency_violations())
        return errors

    def _concurrency_violations(self) -> list[tuple[Loc, str]]:
        # Provisioned concurrency is drawn from the function's reservation: AWS refuses a
        # PutProvisionedConcurrencyConfig that would take the total over reserved_concurrency
        # (https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html).
        provisioned = {
            alias.name: alias.provisioned_concurrency
            for alias in self.aliases
            if alias.provisioned_concurrency is not None
        }
        total = sum(provisioned.values())
        reserved = self.reserved_concurrency
        if reserved is None or total <= reserved:
            return []
        detail = ", ".join(f"{name}: {count}" for name, count in provisioned.items())
        return [
            (("reserved_concurrency",), f"is {reserved}, less than the provisioned concurrency "
             f"of all aliases together ({total}; {detail}): raise reserved_concurrency to at "
             f"least {total} or provision less")
        ]  # fmt: skip

    def alias_named(self, name: str) -> AliasSpec:
        return next(alias for alias in self.aliases if alias.name == name)


def local_path_problems(spec: AwsLambdaSpec) -> list[str]:
    """`local.path: ...` lines for local code folders that are missing or not folders.

    Kept out of the model's own rules so that a spec can be built and inspected anywhere;
    `validate`, `plan` and the component check the files before anything is packaged.
    """
    places: list[tuple[Loc, LocalCode | None]] = [
        (("local",), spec.local),
        *((("layers", i, "local"), layer.local) for i, layer in enumerate(spec.layers)),
    ]
    problems = []
    for loc, local in places:
        if local is None:
            continue
        path = Path(local.path)
        if not path.exists():
            problems.append(f"{field_path((*loc, 'path'))}: no such directory: {path}")
        elif not path.is_dir():
            problems.append(f"{field_path((*loc, 'path'))}: {path} is a file, not a directory")
    entries = [(loc, local.path, local.bundle) for loc, local in places if local is not None]
    problems.extend(f"{field_path(loc)}: {message}" for loc, message in entry_problems(entries))
    return problems


def check_local_paths(spec: AwsLambdaSpec, source: str | None = None) -> None:
    """Raise a SpecError listing every local code folder that is missing or not a folder."""
    problems = local_path_problems(spec)
    if problems:
        raise SpecError(problems, source)


__all__ = [
    "CURRENT",
    "LATEST",
    "AliasSpec",
    "AwsLambdaSpec",
    "CorsSpec",
    "DeprecatedRuntimeWarning",
    "FunctionUrlSpec",
    "ImageConfig",
    "LayerSpec",
    "LocalCode",
    "S3Code",
    "StringValueOrRef",
]
