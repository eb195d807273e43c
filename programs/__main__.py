"""The stack program `pulumi up` runs: one AwsLambda from the stack's config.

The spec comes from config `planton-lambda:spec` (inline), `planton-lambda:manifest` (a
path), or Project Planton's stack input; see planton_lambda.load.stack.
"""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_aws as aws

from planton_lambda import AwsLambda
from planton_lambda.load.stack import find_project_dir, spec_from_config


def _config_value(key: str) -> str | None:
    # The engine hands every value over as text (objects as JSON); spec_from_config decodes
    # it, so `plan --stack` and tests that pass mappings read the config the same way.
    namespace, name = key.split(":", 1)
    return pulumi.Config(namespace).get(name)


stack_spec = spec_from_config(_config_value, find_project_dir(Path(__file__).parent))
# Project Planton's `region`: an explicit provider for it (the component never makes one).
region = stack_spec.spec.region
options = (
    pulumi.ResourceOptions(provider=aws.Provider(f"{stack_spec.name}-{region}", region=region))
    if region
    else None
)
function = AwsLambda(stack_spec.name, stack_spec.spec, opts=options)
for output_name, value in function.outputs().items():
    pulumi.export(output_name, value)
