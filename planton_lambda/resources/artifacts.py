"""Local packages uploaded to S3 (`local.artifact_bucket`) and deployed from there.

Each zip becomes an `aws.s3.BucketObjectv2` keyed by its content hash,
`<artifact_prefix>/<function_name>/<sha256>.zip` (a layer's under
`<artifact_prefix>/<function_name>/layers/<layer>/`), and the function or layer is created
from `s3_bucket`/`s3_key` (and `s3_object_version` when the bucket is versioned). Unchanged
code gives the same key and the same file, so nothing is uploaded again; changed code gives a
new key: the object is replaced (the new one is created first, the function updated to it,
then the old one deleted: Lambda keeps its own copy of the code it deploys).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from planton_lambda.packaging import Package
from planton_lambda.resources.resolve import References
from planton_lambda.spec.function import AwsLambdaSpec, LocalCode
from planton_lambda.spec.packaging import bucket_name_problem

ZIP_CONTENT_TYPE = "application/zip"


@dataclass(frozen=True)
class Artifacts:
    """The S3 objects of the packages that go through a bucket."""

    function: aws.s3.BucketObjectv2 | None = None
    layers: dict[str, aws.s3.BucketObjectv2] = field(default_factory=dict)


def artifact_key(local: LocalCode, function_name: str, package: Package, layer: str = "") -> str:
    """`<prefix>/<function_name>/[layers/<layer>/]<sha256>.zip`: the zip's content names it."""
    folder = f"{function_name}/layers/{layer}" if layer else function_name
    return f"{local.artifact_prefix.rstrip('/')}/{folder}/{package.sha256_hex}.zip"


def upload_artifacts(
    name: str,
    spec: AwsLambdaSpec,
    function: Package | None,
    layers: dict[str, Package],
    refs: References,
    parent: pulumi.Resource,
) -> Artifacts:
    uploaded: dict[str, aws.s3.BucketObjectv2] = {}
    for i, layer in enumerate(spec.layers):
        package = layers.get(layer.name)
        if layer.local is None or layer.local.artifact_bucket is None or package is None:
            continue
        uploaded[layer.name] = _upload(
            f"{name}-layer-{layer.name}-artifact",
            refs.resolve(
                layer.local.artifact_bucket,
                ("layers", i, "local", "artifact_bucket"),
                bucket_name_problem,
            ),
            artifact_key(layer.local, spec.function_name, package, layer.name),
            package,
            parent,
        )
    function_object = None
    local = spec.local
    if local is not None and local.artifact_bucket is not None and function is not None:
        function_object = _upload(
            f"{name}-artifact",
            refs.resolve(local.artifact_bucket, ("local", "artifact_bucket"), bucket_name_problem),
            artifact_key(local, spec.function_name, function),
            function,
            parent,
        )
    return Artifacts(function_object, uploaded)


def _upload(
    resource_name: str,
    bucket: pulumi.Input[str],
    key: str,
    package: Package,
    parent: pulumi.Resource,
) -> aws.s3.BucketObjectv2:
    return aws.s3.BucketObjectv2(
        resource_name,
        bucket=bucket,
        key=key,
        source=pulumi.FileAsset(str(package.path)),
        content_type=ZIP_CONTENT_TYPE,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def s3_code_args(artifact: aws.s3.BucketObjectv2) -> dict[str, Any]:
    """`s3_bucket`, `s3_key` and, for a versioned bucket, `s3_object_version`."""
    return {
        "s3_bucket": artifact.bucket,
        "s3_key": artifact.key,
        # Empty (or absent) unless the bucket is versioned; Lambda then takes the latest.
        "s3_object_version": artifact.version_id.apply(lambda version: version or None),
    }
