"""Deploy an AWS Lambda function as one validated Pulumi component."""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from planton_lambda.errors import ManifestError, PlantonLambdaError, SpecError
    from planton_lambda.load.manifest import load_manifest, manifest_json_schema, validate_spec
    from planton_lambda.resources.component import AwsLambda
    from planton_lambda.spec.args import AwsLambdaArgs
    from planton_lambda.spec.function import (
        AliasSpec,
        AwsLambdaSpec,
        DeprecatedRuntimeWarning,
        LayerSpec,
    )

__all__ = [
    "AliasSpec",
    "AwsLambda",
    "AwsLambdaArgs",
    "AwsLambdaSpec",
    "DeprecatedRuntimeWarning",
    "LayerSpec",
    "ManifestError",
    "PlantonLambdaError",
    "SpecError",
    "load_manifest",
    "manifest_json_schema",
    "validate_spec",
]


# Imported when first used: the component pulls in pulumi_aws, the spec pydantic, and the
# CLI must start (and answer Ctrl-C) before either loads.
_HOMES = {
    "AwsLambda": "resources.component",
    "AwsLambdaArgs": "spec.args",
    "ManifestError": "errors",
    "PlantonLambdaError": "errors",
    "SpecError": "errors",
    "load_manifest": "load.manifest",
    "manifest_json_schema": "load.manifest",
    "validate_spec": "load.manifest",
    "AliasSpec": "spec.function",
    "AwsLambdaSpec": "spec.function",
    "DeprecatedRuntimeWarning": "spec.function",
    "LayerSpec": "spec.function",
}


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module 'planton_lambda' has no attribute {name!r}")
    return getattr(import_module(f"planton_lambda.{_HOMES[name]}"), name)
