"""Options for the execution role the component creates."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from planton_lambda._model import SpecModel

_ACTION = r"^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$"
_POLICY_ARN = r"^arn:aws[a-z-]*:iam::(aws|\d{12}):policy/[A-Za-z0-9+=,.@_/-]+$"

_POLICY_HELP = (
    "an IAM policy ARN (arn:aws:iam::aws:policy/<name> or arn:aws:iam::<account>:policy/<name>)"
)

StringOrList = str | list[str]


class PolicyStatement(BaseModel):
    """One IAM statement, written as AWS writes it (`Effect`, `Action`, `Resource`, ...)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, hide_input_in_errors=True)

    Sid: str | None = Field(None, description="statement ID")
    Effect: Literal["Allow", "Deny"] = Field(description="Allow or Deny")
    Action: StringOrList = Field(description="IAM actions like s3:GetObject")
    Resource: StringOrList = Field(description="resource ARNs")
    Condition: dict[str, dict[str, Any]] | None = Field(None, description="IAM condition block")

    @field_validator("Action")
    @classmethod
    def _actions(cls, action: StringOrList) -> StringOrList:
        actions = [action] if isinstance(action, str) else action
        if not actions:
            raise ValueError("at least one action")
        bad = [a for a in actions if not re.match(_ACTION, a)]
        if bad:
            raise ValueError(f"{bad} are not IAM actions like 's3:GetObject'")
        return action

    @field_validator("Resource")
    @classmethod
    def _resources(cls, resource: StringOrList) -> StringOrList:
        if not resource:
            raise ValueError("at least one resource ARN")
        return resource

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
