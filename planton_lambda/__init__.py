"""Deploy an AWS Lambda function as one validated Pulumi component."""

from planton_lambda.errors import ManifestError, PlantonLambdaError, SpecError
from planton_lambda.manifest import load_manifest, manifest_json_schema, validate_spec
from planton_lambda.spec import AliasSpec, AwsLambdaSpec, DeprecatedRuntimeWarning, LayerSpec

__all__ = [
    "AliasSpec",
    "AwsLambda",
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


def __getattr__(name: str) -> object:
    # The component pulls in pulumi_aws; import it only when asked for.
    if name == "AwsLambda":
        from planton_lambda.component import AwsLambda

        return AwsLambda
    raise AttributeError(name)
