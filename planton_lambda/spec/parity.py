"""The fields of Project Planton's newest AwsLambda spec: models, AWS's rules, Planton spellings.

Planton's proto is plantonhq/openmcf `apis/dev/planton/provider/aws/awslambda/v1/spec.proto`
(AwsLambdaFileSystemConfig, AwsLambdaLoggingConfig, AwsLambdaInvokePermission,
AwsLambdaAsyncInvokeConfig, AwsLambdaRuntimeManagement). AWS's shapes are botocore's
lambda/2015-03-31/service-2.json unless a comment names another source; whole-value patterns
use `matches` (fullmatch).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, model_validator

from planton_lambda.spec.base import Loc, SpecModel, raise_errors
from planton_lambda.spec.refs import StringValueOrRef, matches

if TYPE_CHECKING:
    from planton_lambda.spec.function import AwsLambdaSpec

# FileSystemArn: an EFS access point (the S3 Files access points the shape also admits need
# other role permissions, so they are refused here).
_ACCESS_POINT = re.compile(
    r"arn:aws[a-zA-Z-]*:elasticfilesystem:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d:\d{12}"
    r":access-point/fsap-[a-f0-9]{17}"
)
_MOUNT_PATH = r"^/mnt/[A-Za-z0-9_.-]+$"  # LocalMountPath (max 160)
_LOG_GROUP = re.compile(r"[.\-_/#A-Za-z0-9]{1,512}")  # LogGroup
_CODE_SIGNING = re.compile(  # CodeSigningConfigArn
    r"arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d:\d{12}"
    r":code-signing-config:csc-[a-z0-9]{17}"
)
_RUNTIME_VERSION = re.compile(  # RuntimeVersionArn (26-2048 characters)
    r"arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d::runtime:.{1,2000}"
)
_STATEMENT_ID = r"^[A-Za-z0-9_-]{1,100}$"  # StatementId
_PERMISSION_ACTION = re.compile(r"lambda:\*|lambda:[A-Za-z]+|\*")  # Action
_SOURCE_ACCOUNT = r"^\d{12}$"  # SourceOwner
_ORG_ID = r"^o-[a-z0-9]{10,32}$"  # PrincipalOrgID
_ANY_ARN = re.compile(r"arn:aws[a-zA-Z0-9-]*:[a-zA-Z0-9-]+:[a-z0-9-]*:(\d{12})?:\S+")  # Arn
# Asynchronous invocation destinations (https://docs.aws.amazon.com/lambda/latest/dg/
# invocation-async-retain-records.html): a standard SQS queue, a standard SNS topic, a Lambda
# function, an EventBridge event bus, or (on failure only) an S3 bucket. FIFO queues and topics
# are unsupported destination types (their records are never delivered).
_PARTITION_REGION_ACCOUNT = r"arn:aws[a-z-]*:{service}:[a-z0-9-]+:\d{{12}}:"
DESTINATION_KINDS: dict[str, re.Pattern[str]] = {
    "sqs": re.compile(_PARTITION_REGION_ACCOUNT.format(service="sqs") + r"[A-Za-z0-9_-]{1,80}"),
    "sns": re.compile(_PARTITION_REGION_ACCOUNT.format(service="sns") + r"[A-Za-z0-9_-]{1,256}"),
    "lambda": re.compile(
        _PARTITION_REGION_ACCOUNT.format(service="lambda")
        + r"function:[A-Za-z0-9_-]{1,64}(:(\$LATEST|[A-Za-z0-9_-]{1,128}))?"
    ),
    "events": re.compile(
        _PARTITION_REGION_ACCOUNT.format(service="events") + r"event-bus/[A-Za-z0-9._/-]{1,256}"
    ),
    "s3": re.compile(r"arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"),
}
DESTINATION_HELP = (
    "a standard SQS queue, standard SNS topic, Lambda function or EventBridge event bus ARN"
)
FAILURE_DESTINATION_HELP = f"{DESTINATION_HELP}, or an S3 bucket ARN (arn:aws:s3:::<bucket>)"

# The statement ids of a public function URL's two permissions (resources/traffic.py, where the
# provider's own ids are explained); an invoke permission may not take them.
PUBLIC_URL_SIDS = ("FunctionURLAllowPublicAccess", "FunctionURLAllowInvokeAction")

APPLICATION_LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
SYSTEM_LOG_LEVELS = ("DEBUG", "INFO", "WARN")

# SnapStart (https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html, "Supported features
# and limitations"): Java 11 and later, Python 3.12 and later, .NET 8 and later; not with
# provisioned concurrency, Amazon EFS, ephemeral storage over 512 MB or container images.
_SNAPSTART_MINIMUM = {"java": (11,), "python": (3, 12), "dotnet": (8,)}
SNAPSTART_MAX_EPHEMERAL_MB = 512


def destination_kind(arn: str) -> str | None:
    """`sqs`, `sns`, `lambda`, `events` or `s3` for a destination ARN AWS accepts, else None."""
    for kind, pattern in DESTINATION_KINDS.items():
        if matches(pattern, arn) and not arn.endswith(".fifo"):
            return kind
    return None


def destination_problem(arn: str, *, on_failure: bool) -> str | None:
    """Why `arn` cannot receive asynchronous invocation records, or None."""
    if arn.endswith(".fifo") and arn.split(":")[2:3] in (["sqs"], ["sns"]):
        return "must be a standard queue or topic: Lambda cannot deliver records to FIFO ones"
    kind = destination_kind(arn)
    if kind is None:
        return f"must be {FAILURE_DESTINATION_HELP if on_failure else DESTINATION_HELP}"
    if kind == "s3" and not on_failure:
        return "S3 buckets receive on-failure records only; use another destination type here"
    return None


def _pattern_problem(pattern: re.Pattern[str], what: str) -> Callable[[str], str | None]:
    return lambda text: None if matches(pattern, text) else f"must be {what}"


# The rule of each new reference field, checked on a literal by the spec and on an Output or a
# stack output by the component once it resolves.
ACCESS_POINT_HELP = (
    "an EFS access point ARN (arn:aws:elasticfilesystem:<region>:<account>:access-point/"
    "fsap-<17 hex>), not a file system ARN"
)
access_point_problem = _pattern_problem(_ACCESS_POINT, ACCESS_POINT_HELP)
log_group_problem = _pattern_problem(
    _LOG_GROUP, "a log group name: 1-512 of letters, digits and ._-/#"
)
code_signing_problem = _pattern_problem(
    _CODE_SIGNING,
    "a code signing config ARN (arn:aws:lambda:<region>:<account>:code-signing-config:"
    "csc-<17 characters>)",
)
source_arn_problem = _pattern_problem(_ANY_ARN, "an ARN (arn:<partition>:<service>:...)")


def on_success_problem(arn: str) -> str | None:
    return destination_problem(arn, on_failure=False)


def on_failure_problem(arn: str) -> str | None:
    return destination_problem(arn, on_failure=True)


def _literal_problem(
    ref: StringValueOrRef | None, check: Callable[[str], str | None]
) -> str | None:
    text = ref.literal if ref is not None else None
    return check(text) if text is not None else None


class FileSystemConfig(SpecModel):
    """An EFS access point mounted into the execution environment."""

    access_point_arn: StringValueOrRef = Field(description=ACCESS_POINT_HELP)
    local_mount_path: Annotated[
        str,
        Field(pattern=_MOUNT_PATH, max_length=160, description="/mnt/<name>, e.g. /mnt/data"),
    ]

    @model_validator(mode="after")
    def _arn(self) -> FileSystemConfig:
        problem = _literal_problem(self.access_point_arn, access_point_problem)
        raise_errors("FileSystemConfig", [(("access_point_arn",), problem)] if problem else [])
        return self


class RuntimeManagement(SpecModel):
    """How Lambda rolls runtime patches to the function ($LATEST; published versions copy it)."""

    update_runtime_on: Literal["Auto", "FunctionUpdate", "Manual"] = Field(
        description="Auto: as AWS releases them; FunctionUpdate: on the next deploy; Manual: "
        "pinned to runtime_version_arn"
    )
    runtime_version_arn: str | None = Field(
        None, description="the runtime version to pin; with (and only with) Manual"
    )

    @model_validator(mode="after")
    def _manual_iff_arn(self) -> RuntimeManagement:
        errors: list[tuple[Loc, str]] = []
        manual = self.update_runtime_on == "Manual"
        if manual and self.runtime_version_arn is None:
            errors.append(
                (("runtime_version_arn",), "required with update_runtime_on Manual (the "
                 "runtime version to pin)")
            )  # fmt: skip
        elif not manual and self.runtime_version_arn is not None:
            errors.append(
                (("runtime_version_arn",), "only allowed with update_runtime_on Manual; Auto "
                 "and FunctionUpdate follow AWS's releases")
            )  # fmt: skip
        elif self.runtime_version_arn is not None and not matches(
            _RUNTIME_VERSION, self.runtime_version_arn
        ):
            errors.append(
                (("runtime_version_arn",), "must be a runtime version ARN "
                 "(arn:aws:lambda:<region>::runtime:<id>)")
            )  # fmt: skip
        raise_errors("RuntimeManagement", errors)
        return self


class AsyncInvokeConfig(SpecModel):
    """Retries, event age and destinations of asynchronous invocations."""

    maximum_retry_attempts: Annotated[
        int | None, Field(ge=0, le=2, description="0-2; default: AWS's 2")
    ] = None
    maximum_event_age_seconds: Annotated[
        int | None, Field(ge=60, le=21600, description="60-21600; default: AWS's 21600")
    ] = None
    on_success_destination_arn: StringValueOrRef | None = Field(
        None, description=f"records of successful invocations: {DESTINATION_HELP}"
    )
    on_failure_destination_arn: StringValueOrRef | None = Field(
        None, description=f"records of failed invocations: {FAILURE_DESTINATION_HELP}"
    )

    @model_validator(mode="after")
    def _destinations(self) -> AsyncInvokeConfig:
        errors: list[tuple[Loc, str]] = []
        for field, check in (
            ("on_success_destination_arn", on_success_problem),
            ("on_failure_destination_arn", on_failure_problem),
        ):
            problem = _literal_problem(getattr(self, field), check)
            if problem:
                errors.append(((field,), problem))
        raise_errors("AsyncInvokeConfig", errors)
        return self

    def destinations(self) -> list[tuple[str, StringValueOrRef]]:
        """(field, reference) of each destination given."""
        return [
            (field, ref)
            for field in ("on_success_destination_arn", "on_failure_destination_arn")
            if (ref := getattr(self, field)) is not None
        ]


class InvokePermission(SpecModel):
    """One statement of the function's resource policy: who may invoke it (or an alias)."""

    statement_id: Annotated[
        str, Field(pattern=_STATEMENT_ID, description="1-100 of [A-Za-z0-9_-], unique")
    ]
    principal: Annotated[
        str,
        Field(
            pattern=r"^\S+$",
            description="a service (s3.amazonaws.com), an account ID, an IAM ARN, or *",
        ),
    ]
    action: str = Field(
        "lambda:InvokeFunction", description="lambda:InvokeFunction, lambda:InvokeFunctionUrl, ..."
    )
    source_arn: StringValueOrRef | None = Field(
        None, description="only this resource (a bucket, topic, rule ARN) may invoke"
    )
    source_account: Annotated[
        str | None, Field(pattern=_SOURCE_ACCOUNT, description="12-digit account owning the source")
    ] = None
    principal_org_id: Annotated[
        str | None, Field(pattern=_ORG_ID, description="an AWS Organizations ID, o-...")
    ] = None
    function_url_auth_type: Literal["AWS_IAM", "NONE"] | None = Field(
        None, description="with action lambda:InvokeFunctionUrl only"
    )
    alias: str | None = Field(None, description="the alias the statement applies to")

    @model_validator(mode="after")
    def _rules(self) -> InvokePermission:
        errors: list[tuple[Loc, str]] = []
        if not matches(_PERMISSION_ACTION, self.action):
            errors.append(
                (("action",), "must be a Lambda action like lambda:InvokeFunction or "
                 "lambda:InvokeFunctionUrl")
            )  # fmt: skip
        url_action = self.action == "lambda:InvokeFunctionUrl"
        if self.function_url_auth_type is not None and not url_action:
            errors.append(
                (("function_url_auth_type",), "only applies when action is "
                 "lambda:InvokeFunctionUrl")
            )  # fmt: skip
        problem = _literal_problem(self.source_arn, source_arn_problem)
        if problem:
            errors.append((("source_arn",), problem))
        # A `*` principal with no condition lets anyone invoke the function. AWS's own public
        # statement (a URL with auth NONE) is the one exception it documents.
        public_url = url_action and self.function_url_auth_type == "NONE"
        scoped = self.source_arn or self.source_account or self.principal_org_id
        if self.principal == "*" and not scoped and not public_url:
            errors.append(
                (("principal",), "* lets anyone invoke the function: add source_arn, "
                 "source_account or principal_org_id (or use function_url with public: true "
                 "for a public URL)")
            )  # fmt: skip
        raise_errors("InvokePermission", errors)
        return self


# --- rules that span the spec -----------------------------------------------------------


def _snap_start_runtime_ok(runtime: str | None) -> bool:
    from planton_lambda.spec import runtimes

    found = runtimes.lookup(runtime) if runtime else None
    if found is None or found.family not in _SNAPSTART_MINIMUM:
        return False
    digits = re.search(r"\d+(\.\d+)?", found.identifier)
    if digits is None:
        return False
    version = tuple(int(part) for part in digits.group(0).split("."))
    return version >= _SNAPSTART_MINIMUM[found.family] and found.identifier != "java8.al2"


def parity_violations(spec: AwsLambdaSpec) -> list[tuple[Loc, str]]:
    """The rules of the Planton v1 fields that span more than one field of the spec."""
    errors: list[tuple[Loc, str]] = []
    if spec.file_system_config is not None and not spec.subnets:
        errors.append(
            (("file_system_config",), "mounting EFS needs a VPC: give subnets and "
             "security_groups that reach the file system's mount targets")
        )  # fmt: skip
    if spec.ipv6_allowed_for_dual_stack and not spec.subnets:
        errors.append(
            (("ipv6_allowed_for_dual_stack",), "applies to VPC functions only: give subnets "
             "and security_groups")
        )  # fmt: skip
    for field in ("application_log_level", "system_log_level"):
        if getattr(spec, field) is not None and spec.log_format != "JSON":
            errors.append(((field,), "log levels filter JSON logs only: set log_format: JSON"))
    for field in ("code_signing_config_arn", "source_kms_key_arn"):
        if getattr(spec, field) is not None and spec.is_image:
            errors.append(
                ((field,), "applies to .zip packages only (S3 or LOCAL), not container images")
            )
    if spec.source_code_hash is not None and spec.code_source_type != "CODE_SOURCE_TYPE_S3":
        errors.append(
            (("source_code_hash",), "applies to CODE_SOURCE_TYPE_S3 only (LOCAL code is hashed "
             "by the component)")
        )  # fmt: skip
    errors.extend(_snap_start_violations(spec))
    errors.extend(_permission_violations(spec))
    for field, check in reference_checks().items():
        problem = _literal_problem(getattr(spec, field), check)
        if problem:
            errors.append(((field,), problem))
    return errors


def reference_checks() -> dict[str, Callable[[str], str | None]]:
    """The rule of each new top-level reference field, by field name."""
    from planton_lambda.spec.function import reference_problem

    return {
        "log_group": log_group_problem,
        "code_signing_config_arn": code_signing_problem,
        "source_kms_key_arn": lambda text: reference_problem("kms_key_arn", text),
    }


def _snap_start_violations(spec: AwsLambdaSpec) -> list[tuple[Loc, str]]:
    if not spec.snap_start:
        return []
    loc: Loc = ("snap_start",)
    errors: list[tuple[Loc, str]] = []
    if not spec.publishes:
        errors.append((loc, "SnapStart snapshots published versions: set publish: true"))
    if spec.is_image:
        errors.append((loc, "SnapStart does not support container images"))
    elif not _snap_start_runtime_ok(spec.runtime):
        errors.append(
            (loc, f"SnapStart does not support runtime {spec.runtime}; it supports Java 11 and "
             "later, Python 3.12 and later and .NET 8 and later")
        )  # fmt: skip
    if spec.file_system_config is not None:
        errors.append((loc, "SnapStart does not support Amazon EFS (file_system_config)"))
    if spec.ephemeral_storage_mb > SNAPSTART_MAX_EPHEMERAL_MB:
        errors.append(
            (loc, f"SnapStart supports ephemeral storage up to {SNAPSTART_MAX_EPHEMERAL_MB} MB; "
             f"ephemeral_storage_mb is {spec.ephemeral_storage_mb}")
        )  # fmt: skip
    provisioned = [a.name for a in spec.aliases if a.provisioned_concurrency is not None]
    if provisioned:
        errors.append(
            (loc, f"SnapStart does not support provisioned concurrency (aliases {provisioned})")
        )
    return errors


def _permission_violations(spec: AwsLambdaSpec) -> list[tuple[Loc, str]]:
    errors: list[tuple[Loc, str]] = []
    aliases = [alias.name for alias in spec.aliases]
    seen: set[str] = set()
    url = spec.function_url
    reserved = set(PUBLIC_URL_SIDS) if url is not None and url.public else set()
    for i, permission in enumerate(spec.invoke_permissions):
        sid = permission.statement_id
        if sid in seen:
            errors.append(
                (("invoke_permissions", i, "statement_id"), f"duplicate statement_id {sid!r}")
            )
        elif sid in reserved:
            errors.append(
                (("invoke_permissions", i, "statement_id"), f"{sid!r} is the statement the "
                 "public function URL uses; choose another id")
            )  # fmt: skip
        seen.add(sid)
        if permission.alias is not None and permission.alias not in aliases:
            errors.append(
                (("invoke_permissions", i, "alias"), f"{permission.alias!r} is not an alias "
                 f"of this spec (aliases: {', '.join(aliases) or 'none'})")
            )  # fmt: skip
    return errors


# --- Project Planton's newest spellings ---------------------------------------------------

# Planton name (snake_case and camelCase) -> ours, at the top of the spec.
_TOP_SPELLINGS = {
    "memory_size_mb": "memory_mb",
    "subnet_ids": "subnets",
    "security_group_ids": "security_groups",
    "tracing_mode": "tracing",
    "reserved_concurrent_executions": "reserved_concurrency",
}
_ALIAS_SPELLINGS = {
    "routing_additional_version_weights": "additional_version_weights",
    "provisioned_concurrent_executions": "provisioned_concurrency",
}
_URL_SPELLINGS = {"authorization_type": "auth_type"}
_CORS_SPELLINGS = {"max_age_seconds": "max_age"}
_LOGGING_FIELDS = ("log_format", "application_log_level", "system_log_level", "log_group")
_ARCHITECTURES = {"x86_64": "X86_64", "arm64": "ARM64"}
_SOURCES = {"s3": "CODE_SOURCE_TYPE_S3", "image_uri": "CODE_SOURCE_TYPE_IMAGE",
            "imageUri": "CODE_SOURCE_TYPE_IMAGE", "local": "CODE_SOURCE_TYPE_LOCAL"}  # fmt: skip


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _rename(data: dict[str, Any], spellings: Mapping[str, str], where: Loc) -> None:
    """Each Planton spelling moved to our field name; both given is an error, as for ours."""
    errors: list[tuple[Loc, str]] = []
    for theirs, ours in spellings.items():
        for given in (theirs, _camel(theirs)):
            if given not in data:
                continue
            if ours in data or _camel(ours) in data:
                errors.append(
                    ((*where, ours), f"given twice, as {ours} and {given} (Project Planton's "
                     "spelling): keep one")
                )  # fmt: skip
            else:
                data[ours] = data.pop(given)
    raise_errors("AwsLambdaSpec", errors)


def _mapping_at(data: dict[str, Any], field: str) -> dict[str, Any] | None:
    for key in (field, _camel(field)):
        value = data.get(key)
        if isinstance(value, dict):
            data[key] = value = dict(value)
            return value
    return None


def planton_spellings(data: Any) -> Any:
    """A spec mapping with Project Planton's newest spellings turned into ours.

    Renames (memory_size_mb, subnet_ids, ...), lowercase architectures, Planton's nested
    `logging_config` flattened into log_format / application_log_level / system_log_level /
    log_group, `s3.bucket` given as `{value: ...}`, and code_source_type inferred from the one
    code source given (Planton's newest spec has no code_source_type).
    """
    if not isinstance(data, dict):
        return data
    data = dict(data)
    _rename(data, _TOP_SPELLINGS, ())
    for key in ("architecture",):
        if isinstance(data.get(key), str) and data[key] in _ARCHITECTURES:
            data[key] = _ARCHITECTURES[data[key]]
    logging = data.pop("logging_config", None) or data.pop("loggingConfig", None)
    if isinstance(logging, dict):
        for field in _LOGGING_FIELDS:
            for given in (field, _camel(field)):
                if given in logging:
                    if field in data or _camel(field) in data:
                        raise_errors(
                            "AwsLambdaSpec",
                            [((field,), f"given twice, as {field} and logging_config.{given}: "
                              "keep one")],
                        )  # fmt: skip
                    data[field] = logging[given]
        unknown = sorted(set(logging) - {*_LOGGING_FIELDS, *map(_camel, _LOGGING_FIELDS)})
        if unknown:
            raise_errors(
                "AwsLambdaSpec",
                [(("logging_config",), f"unknown fields {unknown}; Planton's logging_config "
                  f"holds {', '.join(_LOGGING_FIELDS)}")],
            )  # fmt: skip
    s3 = _mapping_at(data, "s3")
    if s3 is not None and isinstance(s3.get("bucket"), dict) and set(s3["bucket"]) == {"value"}:
        s3["bucket"] = s3["bucket"]["value"]
    if "code_source_type" not in data and "codeSourceType" not in data:
        sources = [source for key, source in _SOURCES.items() if data.get(key) is not None]
        if len(set(sources)) == 1:
            data["code_source_type"] = sources[0]
    url = _mapping_at(data, "function_url")
    if url is not None:
        _rename(url, _URL_SPELLINGS, ("function_url",))
        cors = _mapping_at(url, "cors")
        if cors is not None:
            _rename(cors, _CORS_SPELLINGS, ("function_url", "cors"))
    aliases = data.get("aliases")
    if isinstance(aliases, list):
        data["aliases"] = [_alias_spellings(alias, i) for i, alias in enumerate(aliases)]
    return data


def _alias_spellings(alias: Any, index: int) -> Any:
    if not isinstance(alias, dict):
        return alias
    alias = dict(alias)
    _rename(alias, _ALIAS_SPELLINGS, ("aliases", index))
    return alias


# --- the JSON Schema accepts what the loader accepts ---------------------------------------

# The schema definition (model name) each group of Planton spellings belongs to.
_SPELLINGS_BY_DEFINITION = {
    "AwsLambdaSpec": _TOP_SPELLINGS,
    "AliasSpec": _ALIAS_SPELLINGS,
    "FunctionUrlSpec": _URL_SPELLINGS,
    "CorsSpec": _CORS_SPELLINGS,
}
# Optional in a manifest: metadata.name names the function, and the one code source given
# says its type (planton_spellings).
_INFERRED_IN_A_MANIFEST = ("function_name", "code_source_type")


def accept_planton_spellings(schema: dict[str, Any], by_alias: dict[str, Any]) -> None:
    """Widen a manifest JSON Schema (by field name) to every spelling the loader accepts.

    `by_alias` is the same model's schema by alias (camelCase). Each definition gets the
    camelCase name of each field next to the snake_case one, a required field may be given
    in either spelling, and Planton's newest spellings (planton_spellings: renamed fields,
    lowercase architectures, nested `logging_config`, `s3.bucket: {value}`, function name
    and code source type inferred) are properties too, so a Planton manifest validates in an
    editor. What the schema cannot say (a field given in two spellings) the loader refuses.
    """
    definitions: dict[str, Any] = schema["$defs"]
    spec = definitions["AwsLambdaSpec"]
    spec["required"] = [f for f in spec.get("required", []) if f not in _INFERRED_IN_A_MANIFEST]
    for name, definition in definitions.items():
        for ours, camel in zip(
            _objects(definition), _objects(by_alias["$defs"][name]), strict=True
        ):
            _add_spellings(ours, list(zip(ours["properties"], camel["properties"], strict=True)))
    for name, spellings in _SPELLINGS_BY_DEFINITION.items():
        _add_spellings(
            definitions[name],
            [(ours, given) for theirs, ours in spellings.items()
             for given in (theirs, _camel(theirs))],
        )  # fmt: skip
    properties = spec["properties"]
    properties["architecture"]["enum"] = [*properties["architecture"]["enum"], *_ARCHITECTURES]
    logging = {
        given: properties[field] for field in _LOGGING_FIELDS for given in (field, _camel(field))
    }
    logging_config = {
        "type": "object",
        "description": "Project Planton's logging_config: log_format, application_log_level, "
        "system_log_level, log_group",
        "properties": logging,
        "additionalProperties": False,
    }
    properties["logging_config"] = properties["loggingConfig"] = logging_config
    bucket = definitions["S3Code"]["properties"]["bucket"]
    definitions["S3Code"]["properties"]["bucket"] = {
        "anyOf": [
            bucket,
            {
                "type": "object",
                "description": "Project Planton's `{value: <bucket>}`",
                "properties": {"value": bucket},
                "required": ["value"],
                "additionalProperties": False,
            },
        ]
    }


def _objects(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """The object schemas of a definition: itself, or its `anyOf` members with properties
    (StringValueOrRef is a string or an object)."""
    if "properties" in definition:
        return [definition]
    return [option for option in definition.get("anyOf", []) if "properties" in option]


def _add_spellings(definition: dict[str, Any], spellings: Iterable[tuple[str, str]]) -> None:
    """Add each other spelling (ours, theirs) of a property; a required one in either."""
    properties = definition.get("properties", {})
    required = definition.get("required", [])
    for ours, theirs in spellings:
        if theirs == ours or ours not in properties:
            continue
        properties.setdefault(theirs, properties[ours])
        if ours in required:
            required.remove(ours)
            definition.setdefault("allOf", []).append({"anyOf": [{"required": [ours]}]})
        for clause in definition.get("allOf", []):
            if {"required": [ours]} in clause.get("anyOf", []):
                clause["anyOf"].append({"required": [theirs]})
