"""Where the function's and layers' code comes from: S3, an ECR image, or a local folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from planton_lambda.packaging import (
    MAX_UNZIPPED_BYTES,
    Package,
    build_package,
    check_size_limits,
)
from planton_lambda.packaging.bundle import Bundle
from planton_lambda.resources import deferred
from planton_lambda.resources.artifacts import Artifacts, s3_code_args
from planton_lambda.spec.function import (
    IMAGE_SOURCE,
    LOCAL_SOURCE,
    AwsLambdaSpec,
    LayerSpec,
    LocalCode,
    ecr_image_problem,
)

LAMBDA_ARCHITECTURES = {"X86_64": "x86_64", "ARM64": "arm64"}


@dataclass(frozen=True)
class LocalPackages:
    """Zips built from local folders before any resource is registered."""

    function: Package | None = None
    layers: dict[str, Package] = field(default_factory=dict)


def build_local_packages(spec: AwsLambdaSpec) -> LocalPackages:
    """Build every local package, refusing oversize ones; raises PackagingError."""
    layers = {
        layer.name: build_package(
            layer.local.path,
            runtime=_layer_runtime(layer, spec),
            architecture=spec.architecture,
            excludes=layer.local.excludes,
            include=layer.local.include,
            layer=True,
            max_zipped_bytes=_zipped_limit(layer.local),
        )
        for layer in spec.layers
        if layer.local is not None
    }
    function = None
    if spec.code_source_type == LOCAL_SOURCE and spec.local is not None:
        function = build_package(
            spec.local.path,
            runtime=spec.runtime,
            architecture=spec.architecture,
            excludes=spec.local.excludes,
            include=spec.local.include,
            bundle=_bundle(spec.local),
            max_zipped_bytes=_zipped_limit(spec.local),
        )
        check_size_limits(function, list(layers.values()))
    elif layers:
        for package in layers.values():
            check_size_limits(package)
    return LocalPackages(function, layers)


def _zipped_limit(local: LocalCode) -> int | None:
    """Lambda's zipped limit: 50 MB uploaded directly (None, the default); through S3 only
    the 250 MB unzipped limit applies ("Deployment package (.zip file archive) size: 50 MB
    (zipped, when uploading through the Lambda API or SDKs). Upload larger files with Amazon
    S3", https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)."""
    return None if local.artifact_bucket is None else MAX_UNZIPPED_BYTES


def _bundle(local: LocalCode) -> Bundle | None:
    options = local.bundle
    if options is None:
        return None
    return Bundle(
        entry=options.entry,
        format=options.format,
        minify=options.minify,
        sourcemap=options.sourcemap,
        external=tuple(options.external),
    )


def _layer_runtime(layer: LayerSpec, spec: AwsLambdaSpec) -> str | None:
    # Dependencies and the python/ or nodejs/ prefix follow the layer's first runtime.
    return layer.compatible_runtimes[0] if layer.compatible_runtimes else spec.runtime


def function_code_args(
    spec: AwsLambdaSpec, package: Package | None, artifacts: Artifacts | None = None
) -> dict[str, Any]:
    """The `aws.lambda_.Function` arguments that say where its code is."""
    if spec.code_source_type == IMAGE_SOURCE:
        config = spec.image_config
        return {
            "package_type": "Image",
            # A URI taken from another resource (an ECR repository) is checked once known.
            "image_uri": deferred.checked(spec.image_uri, ("image_uri",), ecr_image_problem),
            "image_config": None
            if config is None
            else aws.lambda_.FunctionImageConfigArgs(
                commands=config.command or None,
                entry_points=config.entry_point or None,
                working_directory=config.working_directory,
            ),
        }
    if package is not None and artifacts is not None and artifacts.function is not None:
        return {
            "package_type": "Zip",
            **s3_code_args(artifacts.function),
            "code_sha256": package.source_code_hash,
        }
    if package is not None:
        # code_sha256 is what Lambda itself reports, so a change made outside Pulumi shows
        # as a diff too; the deterministic zip keeps it stable when nothing changed.
        return {
            "package_type": "Zip",
            "code": pulumi.FileArchive(str(package.path)),
            "code_sha256": package.source_code_hash,
        }
    assert spec.s3 is not None  # the spec's code-source rule guarantees it
    return {
        "package_type": "Zip",
        "s3_bucket": spec.s3.bucket,
        "s3_key": spec.s3.key,
        "s3_object_version": spec.s3.object_version,
    }


def create_layers(
    name: str,
    spec: AwsLambdaSpec,
    packages: LocalPackages,
    parent: pulumi.Resource,
    artifacts: Artifacts | None = None,
) -> dict[str, aws.lambda_.LayerVersion]:
    uploaded = artifacts.layers if artifacts is not None else {}
    return {
        layer.name: aws.lambda_.LayerVersion(
            f"{name}-layer-{layer.name}",
            layer_name=layer.name,
            description=layer.description or None,
            compatible_runtimes=layer.compatible_runtimes or None,
            compatible_architectures=[
                LAMBDA_ARCHITECTURES[a] for a in layer.compatible_architectures
            ]
            or None,
            **(
                s3_code_args(uploaded[layer.name])
                if layer.name in uploaded
                else _layer_code_args(layer, packages.layers.get(layer.name))
            ),
            opts=pulumi.ResourceOptions(parent=parent),
        )
        for layer in spec.layers
    }


def _layer_code_args(layer: LayerSpec, package: Package | None) -> dict[str, Any]:
    if package is not None:
        return {"code": pulumi.FileArchive(str(package.path))}
    assert layer.s3 is not None  # the layer's code-source rule guarantees it
    return {
        "s3_bucket": layer.s3.bucket,
        "s3_key": layer.s3.key,
        "s3_object_version": layer.s3.object_version,
    }
