"""AliasSpec: a named pointer to a published version, with an optional weighted split."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from planton_lambda.spec.base import Loc, SpecModel, raise_errors
from planton_lambda.spec.delivery import DeploymentSpec, alias_deployment_violations
from planton_lambda.spec.parity import AsyncInvokeConfig
from planton_lambda.spec.refs import matches

CURRENT = "current"
LATEST = "$LATEST"
# Whole-value patterns (fullmatch); botocore's lambda service-2.json shapes Version and Alias.
_VERSION = re.compile(r"current|\$LATEST|[1-9][0-9]*")
_ALIAS_NAME = re.compile(r"(?![0-9]+\Z)[A-Za-z0-9_-]{1,128}")
_ALIAS_NAME_SCHEMA = r"^(?![0-9]+$)[A-Za-z0-9_-]{1,128}$"  # the same, for JSON Schema editors

VERSION_HELP = (
    '"current" (the version this deploy publishes), "$LATEST", or a version number like "3"'
)


def _number_as_text(value: Any) -> Any:
    # YAML reads `function_version: 3` as a number; AWS version numbers are strings.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


VersionRef = Annotated[str, BeforeValidator(_number_as_text), Field(description=VERSION_HELP)]


def _version_error(version: str, *, allow_latest: bool) -> str | None:
    if not matches(_VERSION, version):
        return f"{version!r} is not a version; use {VERSION_HELP}"
    if version == LATEST and not allow_latest:
        return "$LATEST cannot receive weighted traffic; use a published version or current"
    return None


class AliasSpec(SpecModel):
    """An alias, optionally splitting traffic between two versions (a canary)."""

    name: Annotated[
        str,
        Field(
            description="1-128 of [A-Za-z0-9_-], not only digits",
            json_schema_extra={"pattern": _ALIAS_NAME_SCHEMA},
        ),
    ]
    description: Annotated[str, Field(max_length=256)] = ""
    function_version: VersionRef = CURRENT
    additional_version_weights: dict[VersionRef, float] = Field(
        default_factory=dict,
        description="at most one {version: weight}, 0 < weight < 1: the canary split",
    )
    provisioned_concurrency: Annotated[int | None, Field(ge=1)] = None
    async_invoke_config: AsyncInvokeConfig | None = Field(
        None, description="asynchronous invocations through this alias: retries, destinations"
    )
    deployment: DeploymentSpec | None = Field(
        None, description="shift the alias to each new version through AWS CodeDeploy"
    )

    @model_validator(mode="after")
    def _rules(self) -> AliasSpec:
        raise_errors("AliasSpec", self._violations())
        return self

    def _violations(self) -> list[tuple[Loc, str]]:
        errors: list[tuple[Loc, str]] = []
        if not matches(_ALIAS_NAME, self.name):
            errors.append(
                (("name",), "must be 1-128 of letters, digits, '-' and '_', and not only digits")
            )
        problem = _version_error(self.function_version, allow_latest=True)
        if problem:
            errors.append((("function_version",), problem))
        errors.extend(self._weight_violations())
        errors.extend(alias_deployment_violations(self))
        if self.function_version == LATEST:
            if self.additional_version_weights:
                errors.append(
                    (
                        ("additional_version_weights",),
                        "an alias on $LATEST cannot split traffic; point function_version at "
                        "a published version (a number or current) to use weights",
                    )
                )
            if self.provisioned_concurrency is not None:
                errors.append(
                    (
                        ("provisioned_concurrency",),
                        "an alias on $LATEST cannot have provisioned concurrency; "
                        "point the alias at a published version",
                    )
                )
        elif self.provisioned_concurrency is not None and self.additional_version_weights:
            errors.append(
                (
                    ("provisioned_concurrency",),
                    "AWS cannot provision concurrency on a weighted alias; put provisioned "
                    "concurrency on an unweighted alias, or promote first (drop the weights)",
                )
            )
        return errors

    def _weight_violations(self) -> list[tuple[Loc, str]]:
        loc: Loc = ("additional_version_weights",)
        weights = self.additional_version_weights
        errors: list[tuple[Loc, str]] = []
        if len(weights) > 1:
            errors.append(
                (loc, f"at most one additional version (AWS routes an alias to at most two "
                 f"versions), got {len(weights)}")
            )  # fmt: skip
        for version, weight in weights.items():
            problem = _version_error(version, allow_latest=False)
            if problem:
                errors.append((loc, problem))
            if not 0 < weight < 1:
                errors.append(
                    (loc, f"weight must be between 0 and 1 (exclusive); version {version} "
                     f"has {weight}")
                )  # fmt: skip
            if version == self.function_version:
                errors.append(
                    (loc, f"version {version} is already the alias's function_version; weight "
                     "a different version")
                )  # fmt: skip
        return errors

    def versions(self) -> set[str]:
        """Every version this alias refers to."""
        return {self.function_version, *self.additional_version_weights}
