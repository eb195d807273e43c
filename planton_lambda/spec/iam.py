"""Options for the execution role the component creates."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from planton_lambda.spec.base import Loc, SpecModel, raise_errors
from planton_lambda.spec.refs import TextOrOutput, is_known, matches

# IAM policy grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
_ACTION = re.compile(r"\*|[a-z0-9-]+:[A-Za-z0-9*?]+")  # whole value (fullmatch)
# `*`, or an ARN (arn:partition:service:region:account:resource; region and account may be
# empty, as in arn:aws:s3:::bucket/*; wildcards and ${policy:variables} allowed).
_RESOURCE = re.compile(r"\*|arn:[^:\s]+:[^:\s]+:[^:\s]*:[^:\s]*:\S+")
# "Sid ... supports ASCII uppercase letters (A-Z), lowercase letters (a-z), and numbers (0-9)":
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html
_SID = r"^[A-Za-z0-9]+$"
_POLICY_ARN = r"^arn:aws[a-z-]*:iam::(aws|\d{12}):policy/[A-Za-z0-9+=,.@_/-]+$"
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
_CONDITION_OPERATORS = frozenset(
    {
        "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
        "StringLike", "StringNotLike",
        "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
        "NumericGreaterThan", "NumericGreaterThanEquals",
        "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
        "DateGreaterThanEquals",
        "Bool", "BinaryEquals", "IpAddress", "NotIpAddress",
        "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike",
    }
)  # fmt: skip
_SET_PREFIXES = ("ForAllValues:", "ForAnyValue:")
_RESOURCE_EXAMPLE = "arn:aws:dynamodb:<region>:<account>:table/<name>"
# The statement ids of the execution policy's own statements; IAM wants Sids unique in a policy.
EXECUTION_SIDS = (
    "WriteOwnLogs",
    "ManageVpcNetworkInterfaces",
    "WriteXRayTraces",
    "SendToDeadLetterTarget",
    "DecryptEnvironment",
)
# The statements the Planton v1 fields add (planton_lambda.resources.parity).
PARITY_SIDS = (
    "MountFileSystem",
    "SendToAsyncQueues",
    "PublishToAsyncTopics",
    "InvokeAsyncFunctions",
    "PutAsyncEvents",
    "WriteAsyncFailuresToS3",
    "ListAsyncFailureBuckets",
)
RESERVED_SIDS = (*EXECUTION_SIDS, *PARITY_SIDS)

_POLICY_HELP = (
    "an IAM policy ARN (arn:aws:iam::aws:policy/<name> or arn:aws:iam::<account>:policy/<name>)"
)

StringOrList = str | list[str]
# In Python a resource may be an Output (e.g. another resource's ARN), checked once known.
ResourceList = TextOrOutput | list[TextOrOutput]


def resource_problem(resource: str) -> str | None:
    """Why a statement's resource is not one IAM accepts, or None."""
    if matches(_RESOURCE, resource):
        return None
    return (
        "is not a resource: use * or an ARN like arn:aws:dynamodb:<region>:<account>:table/<name>"
    )


def _condition_operator_ok(operator: str) -> bool:
    """`StringLike`, `StringLikeIfExists`, `ForAnyValue:StringLike`, `Null`."""
    for prefix in _SET_PREFIXES:
        operator = operator.removeprefix(prefix)
    if operator == "Null":
        return True
    return operator.removesuffix("IfExists") in _CONDITION_OPERATORS


def _condition_value_ok(value: Any) -> bool:
    scalar = (str, int, float, bool)
    if isinstance(value, list):
        return bool(value) and all(isinstance(v, scalar) for v in value)
    return isinstance(value, scalar)


class PolicyStatement(BaseModel):
    """One IAM statement, written as AWS writes it (`Effect`, `Action`, `Resource`, ...)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, hide_input_in_errors=True)

    Sid: Annotated[
        str | None, Field(pattern=_SID, description="statement ID: letters and digits only")
    ] = None
    Effect: Literal["Allow", "Deny"] = Field(description="Allow or Deny")
    Action: StringOrList = Field(description="IAM actions like s3:GetObject")
    Resource: ResourceList = Field(description="resource ARNs, or *")
    Condition: dict[str, dict[str, Any]] | None = Field(None, description="IAM condition block")

    @field_validator("Action")
    @classmethod
    def _actions(cls, action: StringOrList) -> StringOrList:
        actions = [action] if isinstance(action, str) else action
        if not actions:
            raise ValueError("at least one action")
        bad = [a for a in actions if not matches(_ACTION, a)]
        if bad:
            raise ValueError(f"{bad} are not IAM actions like 's3:GetObject'")
        return action

    @field_validator("Resource")
    @classmethod
    def _resources(cls, resource: Any) -> Any:
        resources = resource if isinstance(resource, list) else [resource]
        if not resources:
            raise ValueError("at least one resource ARN")
        bad = [r for r in resources if is_known(r) and not matches(_RESOURCE, r)]
        if bad:
            raise ValueError(f"{bad} are not resources: use * or an ARN like {_RESOURCE_EXAMPLE}")
        return resource

    @field_validator("Condition")
    @classmethod
    def _condition(cls, condition: dict[str, dict[str, Any]] | None) -> Any:
        if condition is None:
            return None
        if not condition:
            raise ValueError("an empty Condition block; remove it or add a condition")
        problems = []
        for operator, tests in condition.items():
            if not _condition_operator_ok(operator):
                problems.append(
                    f"{operator!r} is not an IAM condition operator (StringEquals, ...)"
                )
            if not tests:
                problems.append(f"{operator}: no condition keys")
            for key, value in tests.items():
                if not key.strip() or key != key.strip():
                    problems.append(f"{operator}: condition key {key!r} is empty or padded")
                if not _condition_value_ok(value):
                    problems.append(
                        f"{operator}.{key}: a value is a string, number or true/false, or a "
                        "non-empty list of them"
                    )
        if problems:
            raise ValueError("; ".join(problems))
        return condition

    def document(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class RoleOptions(SpecModel):
    managed_policy_arns: list[
        Annotated[str, Field(pattern=_POLICY_ARN, description=_POLICY_HELP)]
    ] = Field(
        default_factory=list, description="IAM policy ARNs attached to the role", max_length=20
    )
    policy_statements: list[PolicyStatement] = Field(
        default_factory=list, description="extra statements of the role's inline policy"
    )
    permissions_boundary_arn: Annotated[
        str | None, Field(pattern=_POLICY_ARN, description=_POLICY_HELP)
    ] = None

    @model_validator(mode="after")
    def _unique_sids(self) -> RoleOptions:
        # "the Sid value must be unique within a JSON policy":
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html
        errors: list[tuple[Loc, str]] = []
        seen: set[str] = set()
        for i, statement in enumerate(self.policy_statements):
            sid = statement.Sid
            if sid is None:
                continue
            if sid in RESERVED_SIDS:
                errors.append(
                    (("policy_statements", i, "Sid"), f"{sid!r} is a statement id of the "
                     f"execution policy itself; reserved: {', '.join(RESERVED_SIDS)}")
                )  # fmt: skip
            elif sid in seen:
                errors.append((("policy_statements", i, "Sid"), f"duplicate Sid {sid!r}"))
            seen.add(sid)
        raise_errors("RoleOptions", errors)
        return self
