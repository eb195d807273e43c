"""Aliases, weighted traffic between versions, provisioned concurrency and the function URL."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from planton_lambda.spec.alias import CURRENT, AliasSpec
from planton_lambda.spec.function import AwsLambdaSpec, FunctionUrlSpec


def version_input(version: str, function: aws.lambda_.Function) -> pulumi.Input[str]:
    """`current` is the version this deploy publishes; anything else is taken as written."""
    return function.version if version == CURRENT else version


def _child(parent: pulumi.Resource, function: aws.lambda_.Function) -> pulumi.ResourceOptions:
    # Deleting the function deletes these with it; no separate delete calls are needed.
    return pulumi.ResourceOptions(parent=parent, deleted_with=function)


def create_aliases(
    name: str, spec: AwsLambdaSpec, function: aws.lambda_.Function, parent: pulumi.Resource
) -> dict[str, aws.lambda_.Alias]:
    return {
        alias.name: aws.lambda_.Alias(
            f"{name}-{alias.name}",
            name=alias.name,
            description=alias.description or None,
            function_name=function.name,
            function_version=version_input(alias.function_version, function),
            routing_config=_routing(alias, function),
            opts=pulumi.ResourceOptions.merge(_child(parent, function), _shifted_by(alias)),
        )
        for alias in spec.aliases
    }


def _shifted_by(alias: AliasSpec) -> pulumi.ResourceOptions | None:
    # With a deployment, CodeDeploy moves the alias (planton_lambda.resources.delivery): the
    # alias is created on the new version, then left for the rollout to shift.
    if alias.deployment is None:
        return None
    return pulumi.ResourceOptions(ignore_changes=["functionVersion", "routingConfig"])


def _routing(
    alias: AliasSpec, function: aws.lambda_.Function
) -> aws.lambda_.AliasRoutingConfigArgs | None:
    if not alias.additional_version_weights:
        return None
    ((version, weight),) = alias.additional_version_weights.items()
    # Map keys cannot be Outputs: a `current` key is known once the version is published.
    weights: pulumi.Input[dict[str, float]] = (
        function.version.apply(lambda published: {published: weight})
        if version == CURRENT
        else {version: weight}
    )
    return aws.lambda_.AliasRoutingConfigArgs(additional_version_weights=weights)


def create_provisioned_concurrency(
    name: str,
    spec: AwsLambdaSpec,
    function: aws.lambda_.Function,
    aliases: dict[str, aws.lambda_.Alias],
    parent: pulumi.Resource,
) -> dict[str, aws.lambda_.ProvisionedConcurrencyConfig]:
    return {
        alias.name: aws.lambda_.ProvisionedConcurrencyConfig(
            f"{name}-{alias.name}-concurrency",
            function_name=function.name,
            qualifier=aliases[alias.name].name,
            provisioned_concurrent_executions=alias.provisioned_concurrency,
            opts=_child(parent, function),
        )
        for alias in spec.aliases
        if alias.provisioned_concurrency is not None
    }


@dataclass
class FunctionUrl:
    url: aws.lambda_.FunctionUrl
    permissions: list[aws.lambda_.Permission]


def create_function_url(
    name: str,
    spec: AwsLambdaSpec,
    function: aws.lambda_.Function,
    aliases: dict[str, aws.lambda_.Alias],
    parent: pulumi.Resource,
) -> FunctionUrl | None:
    url_spec = spec.function_url
    if url_spec is None:
        return None
    # Invocations go through the alias when one is named, never a pinned version.
    qualifier = aliases[url_spec.alias].name if url_spec.alias else None
    permissions = _public_permissions(name, function, qualifier, parent) if url_spec.public else []
    url = aws.lambda_.FunctionUrl(
        f"{name}-url",
        function_name=function.name,
        qualifier=qualifier,
        authorization_type=url_spec.auth_type,
        invoke_mode=url_spec.invoke_mode,
        cors=_cors(url_spec),
        opts=pulumi.ResourceOptions(
            parent=parent, deleted_with=function, depends_on=list(permissions)
        ),
    )
    return FunctionUrl(url, permissions)


def _cors(url_spec: FunctionUrlSpec) -> aws.lambda_.FunctionUrlCorsArgs | None:
    cors = url_spec.cors
    if cors is None:
        return None
    return aws.lambda_.FunctionUrlCorsArgs(
        allow_origins=cors.allow_origins or None,
        allow_methods=cors.allow_methods or None,
        allow_headers=cors.allow_headers or None,
        expose_headers=cors.expose_headers or None,
        allow_credentials=cors.allow_credentials,
        max_age=cors.max_age or None,
    )


# The statement ids the provider itself uses for a public URL (pulumi-aws >= 7.16, from
# terraform-provider-aws PR 44858): on creating an auth-NONE FunctionUrl it adds both
# statements, skipping one whose id already exists, and it never removes them (FunctionUrl's
# docs: "These policies are NOT removed from AWS when the resource is destroyed").
PUBLIC_ACCESS_SID = "FunctionURLAllowPublicAccess"
PUBLIC_INVOKE_SID = "FunctionURLAllowInvokeAction"


def _public_permissions(
    name: str,
    function: aws.lambda_.Function,
    qualifier: pulumi.Input[str] | None,
    parent: pulumi.Resource,
) -> list[aws.lambda_.Permission]:
    """The two statements AWS requires (since Oct 2025) before an auth-NONE URL answers.

    They are our own resources, under the provider's statement ids, and the URL is created
    after them: the provider then finds both statements in place and adds nothing, and
    turning public access off (or removing the URL) deletes these resources, whose delete
    removes the statements, so nothing granting `*` is left behind.
    """
    return [
        aws.lambda_.Permission(
            f"{name}-url-public-access",
            action="lambda:InvokeFunctionUrl",
            function=function.name,
            principal="*",
            function_url_auth_type="NONE",
            qualifier=qualifier,
            statement_id=PUBLIC_ACCESS_SID,
            opts=_child(parent, function),
        ),
        aws.lambda_.Permission(
            f"{name}-url-public-invoke",
            action="lambda:InvokeFunction",
            function=function.name,
            principal="*",
            invoked_via_function_url=True,
            qualifier=qualifier,
            statement_id=PUBLIC_INVOKE_SID,
            opts=_child(parent, function),
        ),
    ]
