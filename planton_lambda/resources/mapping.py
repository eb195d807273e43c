"""One event source mapping from a Planton `AwsLambdaEventSourceMapping` manifest.

Planton's kind creates a single `aws_lambda_event_source_mapping` for a function it does not
own; so does this: no component, no role (the function's own role needs the source's reads:
README, "Event sources and triggers"), the mapping named after `metadata.name`, created in
`spec.region` (pulumi-aws 7's per-resource region).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from planton_lambda.load.event_source_mapping import (
    EventSourceMappingManifest,
    function_arn_problem,
)
from planton_lambda.resources.resolve import References
from planton_lambda.resources.sources import event_source_mapping
from planton_lambda.spec.sources import source_reference_problem


def create_event_source_mapping(
    manifest: EventSourceMappingManifest, opts: pulumi.ResourceOptions | None = None
) -> aws.lambda_.EventSourceMapping:
    """The mapping a manifest describes, targeting `functionArn` (an alias when qualified)."""
    refs = References(manifest.name, opts.parent if opts else None)
    source = manifest.source
    function = refs.resolve(manifest.function_arn, ("functionArn",), function_arn_problem)
    destination = source.on_failure_destination_arn
    return event_source_mapping(
        manifest.name,
        source,
        function_name=function,
        source_arn=source.source_arn.literal if source.source_arn else None,
        failure_destination_arn=None
        if destination is None
        else refs.resolve(
            destination,
            ("onFailureDestinationArn",),
            lambda text: source_reference_problem("on_failure_destination_arn", source.type, text),
        ),
        region=manifest.region,
        opts=opts,
    )
