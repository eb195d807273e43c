"""The validated description of one Lambda function: models, AWS's rules, runtimes, typed args.

`AwsLambdaSpec` (function.py) is the validator and the manifest format; `AwsLambdaArgs`
(args.py) is the same tree as typed inputs for Pulumi programs in any language.
"""

from planton_lambda.spec.alias import AliasSpec
from planton_lambda.spec.function import (
    AwsLambdaSpec,
    CorsSpec,
    DeprecatedRuntimeWarning,
    FunctionUrlSpec,
    ImageConfig,
    LayerSpec,
    LocalCode,
    S3Code,
)
from planton_lambda.spec.refs import StringValueOrRef

__all__ = [
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
