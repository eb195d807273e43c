"""AwsLambdaSpec: the validated, declarative description of one Lambda function."""

from __future__ import annotations

import os
import re
import sys
import warnings
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from planton_lambda import runtimes
from planton_lambda._model import Loc, SpecModel, raise_errors
from planton_lambda.alias import CURRENT, LATEST, AliasSpec
from planton_lambda.iam_spec import RoleOptions
from planton_lambda.refs import StringValueOrRef

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

_FUNCTION_NAME = r"^[A-Za-z0-9_-]{1,64}$"
_ENV_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]+$")
_ECR_IMAGE = re.compile(
    r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/[a-z0-9][a-z0-9._/-]*"
    r"(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$"
)
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[A-Za-z0-9+=,.@_/-]+$")
_KMS_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/.+$")
_DLQ_ARN = re.compile(r"^arn:aws[a-z-]*:(sqs|sns):[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$")
_LAYER_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]+:\d+$")
_SUBNET = re.compile(r"^subnet-[A-Za-z0-9]+$")
_SECURITY_GROUP = re.compile(r"^sg-[A-Za-z0-9]+$")

S3_SOURCE = "CODE_SOURCE_TYPE_S3"
IMAGE_SOURCE = "CODE_SOURCE_TYPE_IMAGE"
LOCAL_SOURCE = "CODE_SOURCE_TYPE_LOCAL"
CodeSourceType = Literal["CODE_SOURCE_TYPE_S3", "CODE_SOURCE_TYPE_IMAGE", "CODE_SOURCE_TYPE_LOCAL"]
LayerSourceType = Literal["CODE_SOURCE_TYPE_S3", "CODE_SOURCE_TYPE_LOCAL"]
Architecture = Literal["X86_64", "ARM64"]


class DeprecatedRuntimeWarning(UserWarning):
    """A runtime AWS has deprecated: still accepted, but due for an upgrade."""


def _check_runtime(identifier: str) -> str:
    runtime = runtimes.lookup(identifier)
    if runtime is None:
        supported = ", ".join(runtimes.supported_identifiers())
        raise ValueError(f"unknown Lambda runtime {identifier!r}; supported: {supported}")
    if runtime.is_deprecated():
        warnings.warn(
            runtime.deprecation_message(), DeprecatedRuntimeWarning, stacklevel=_caller_level()
        )
    return identifier


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

    @field_validator("path")
    @classmethod
    def _resolve(cls, path: str, info: ValidationInfo) -> str:
        base = (info.context or {}).get("base_dir")
        return os.path.normpath(Path(base or os.getcwd(), os.path.expanduser(path)))


class ImageConfig(SpecModel):
    command: list[str] = Field(default_factory=list, description="overrides the image CMD")
    entry_point: list[str] = Field(
        default_factory=list, description="overrides the image ENTRYPOINT"
    )
    working_directory: str | None = Field(None, description="overrides the image WORKDIR")


class CorsSpec(SpecModel):
    allow_origins: list[str] = Field(
        default_factory=list, description="e.g. https://example.com or *"
    )
    allow_methods: list[str] = Field(
        default_factory=list, description="GET, PUT, HEAD, POST, PATCH, DELETE, OPTIONS or *"
    )
    allow_headers: list[str] = Field(default_factory=list, description="request headers allowed")
    expose_headers: list[str] = Field(
        default_factory=list, description="response headers exposed to the browser"
    )
    allow_credentials: bool = Field(False, description="allow cookies and auth headers")
    max_age: Annotated[int, Field(ge=0, le=86400)] = 0

    @field_validator("allow_methods")
    @classmethod
    def _methods(cls, methods: list[str]) -> list[str]:
        allowed = {"*", "GET", "PUT", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"}
        unknown = [m for m in methods if m.upper() not in allowed]
        if unknown:
            raise ValueError(f"unknown methods {unknown}; allowed: {', '.join(sorted(allowed))}")
        return [m.upper() for m in methods]


class FunctionUrlSpec(SpecModel):
    auth_type: Literal["AWS_IAM", "NONE"] = Field(
        description="AWS_IAM: signed requests only; NONE: public (needs public: true)"
    )
    public: Annotated[
        bool, Field(description="true acknowledges an unauthenticated URL (auth_type NONE)")
    ] = False
    alias: Annotated[str | None, Field(description="the alias the URL invokes")] = None
    cors: CorsSpec | None = Field(None, description="CORS settings of the URL")

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
    def _source(self) -> LayerSpec:
        raise_errors("LayerSpec", _code_source_violations(self.code_source_type, self))
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


def _reserved(key: str) -> bool:
    if key in RESERVED_ENVIRONMENT_KEYS:
        return True
    return key.startswith("AWS_LAMBDA_") and key not in USER_SETTABLE_AWS_LAMBDA_KEYS


EnvMap = Annotated[
    dict[str, str],
    Field(
        description="keys [A-Za-z][A-Za-z0-9_]+, not reserved by Lambda; 4 KB in total",
        json_schema_extra={"propertyNames": {"pattern": _ENV_KEY.pattern}},
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
    image_uri: Annotated[str | None, Field(description="ECR image URI")] = None
    local: LocalCode | None = Field(None, description="required iff CODE_SOURCE_TYPE_LOCAL")
    runtime: RuntimeId | None = Field(
        None,
        description="required for S3/LOCAL, forbidden for IMAGE; a Lambda runtime identifier "
        "(unknown ones refused, deprecated ones warned about)",
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
    secret_environment: EnvMap = Field(default_factory=dict)
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
    tags: dict[str, str] = Field(
        default_factory=dict, description="on the function, role and log group; at most 50"
    )

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
    def _ecr_uri(cls, uri: str | None) -> str | None:
        if uri is not None and not _ECR_IMAGE.match(uri):
            raise ValueError(
                "must be an ECR image URI: <account>.dkr.ecr.<region>.amazonaws.com/"
                "<repository>:<tag> or @sha256:<digest>"
            )
        return uri

    @field_validator("environment", "secret_environment")
    @classmethod
    def _env_keys(cls, env: dict[str, str]) -> dict[str, str]:
        problems = []
        bad = [k for k in env if not _ENV_KEY.match(k)]
        if bad:
            problems.append(
                f"invalid keys {bad}: a key is at least 2 characters, starts with a letter "
                "and holds only letters, digits and '_'"
            )
        reserved = [k for k in env if _ENV_KEY.match(k) and _reserved(k)]
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
    def _tags(cls, tags: dict[str, str]) -> dict[str, str]:
        if len(tags) > 50:
            raise ValueError(f"at most 50 tags, got {len(tags)}")
        bad_keys = [k for k in tags if not 1 <= len(k) <= 128 or k.lower().startswith("aws:")]
        long_values = [k for k, v in tags.items() if len(v) > 256]
        if bad_keys or long_values:
            raise ValueError(
                f"tag keys are 1-128 characters and do not start with 'aws:' (bad: {bad_keys}); "
                f"values are at most 256 characters (too long: {long_values})"
            )
        return tags

    @model_validator(mode="after")
    def _rules(self) -> AwsLambdaSpec:
        raise_errors("AwsLambdaSpec", self._violations())
        return self

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
            *self._environment_violations(),
            *self._reference_violations(),
            *self._network_and_layer_violations(),
            *self._alias_violations(),
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
        size = sum(
            len(k.encode()) + len(v.encode())
            for env in (self.environment, self.secret_environment)
            for k, v in env.items()
        )
        if size > MAX_ENVIRONMENT_BYTES:
            errors.append(
                (("environment",), f"keys and values of environment and secret_environment "
                 f"total {size} bytes; Lambda allows {MAX_ENVIRONMENT_BYTES}")
            )  # fmt: skip
        return errors

    def _reference_violations(self) -> list[tuple[Loc, str]]:
        checks: list[tuple[Loc, StringValueOrRef | None, re.Pattern[str], str]] = [
            (("role_arn",), self.role_arn, _ROLE_ARN,
             "an IAM role ARN (arn:aws:iam::<account>:role/<name>)"),
            (("kms_key_arn",), self.kms_key_arn, _KMS_ARN,
             "a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)"),
            (("dead_letter_target_arn",), self.dead_letter_target_arn, _DLQ_ARN,
             "an SQS queue or SNS topic ARN (arn:aws:sqs|sns:<region>:<account>:<name>)"),
            *((("layer_arns", i), ref, _LAYER_ARN,
               "a layer version ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>)")
              for i, ref in enumerate(self.layer_arns)),
            *((("subnets", i), ref, _SUBNET, "a subnet ID (subnet-...)")
              for i, ref in enumerate(self.subnets)),
            *((("security_groups", i), ref, _SECURITY_GROUP, "a security group ID (sg-...)")
              for i, ref in enumerate(self.security_groups)),
        ]  # fmt: skip
        errors: list[tuple[Loc, str]] = []
        for loc, ref, pattern, what in checks:
            problem = ref.check_literal(pattern, what) if ref is not None else None
            if problem:
                errors.append((loc, problem))
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
        return errors

    def alias_named(self, name: str) -> AliasSpec:
        return next(alias for alias in self.aliases if alias.name == name)


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
