"""AwsLambda: one Lambda function with its role, logs, layers, versions, aliases and URL."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import pulumi
import pulumi_aws as aws

from planton_lambda import deferred
from planton_lambda.code import (
    LAMBDA_ARCHITECTURES,
    build_local_packages,
    create_layers,
    function_code_args,
)
from planton_lambda.manifest import validate_spec
from planton_lambda.resolve import References
from planton_lambda.role import create_execution_role
from planton_lambda.spec import AwsLambdaSpec, check_local_paths
from planton_lambda.traffic import (
    create_aliases,
    create_function_url,
    create_provisioned_concurrency,
)

TYPE_TOKEN = "planton:aws:AwsLambda"


class AwsLambda(pulumi.ComponentResource):
    """Deploys the function an `AwsLambdaSpec` describes.

    The spec is validated, and local code packaged, before anything is registered: an
    invalid spec or a failed build leaves nothing half-created. Every child has this
    component as parent, so a provider given in `opts` reaches all of them.

    Attributes are typed where they are assigned, not on the class: Pulumi reads a
    resource class's annotations again at every registration.
    """

    def __init__(
        self,
        name: str,
        spec: AwsLambdaSpec | Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        spec = validate_spec(spec)
        check_local_paths(spec)
        packages = build_local_packages(spec)
        super().__init__(TYPE_TOKEN, name, {}, opts)
        self.spec: AwsLambdaSpec = spec
        refs = References(name, self)

        tags = deferred.tags(spec.tags)
        self.log_group: aws.cloudwatch.LogGroup = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"/aws/lambda/{spec.function_name}",
            retention_in_days=spec.log_retention_days,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
        )
        dead_letter_arn = refs.resolve_optional(spec.dead_letter_target_arn)
        kms_key_arn = refs.resolve_optional(spec.kms_key_arn)
        grants: list[pulumi.Resource] = []
        self.role: aws.iam.Role | None = None
        if spec.role_arn is not None:
            role_arn: pulumi.Input[str] = refs.resolve(spec.role_arn)
        else:
            execution_role = create_execution_role(
                name,
                spec,
                log_group_arn=self.log_group.arn,
                dead_letter_target_arn=dead_letter_arn,
                kms_key_arn=kms_key_arn,
                parent=self,
            )
            self.role, grants = execution_role.role, execution_role.grants
            role_arn = execution_role.role.arn

        self.layers: dict[str, aws.lambda_.LayerVersion] = create_layers(name, spec, packages, self)
        layer_arns = [*refs.resolve_all(spec.layer_arns), *(v.arn for v in self.layers.values())]
        self.function: aws.lambda_.Function = aws.lambda_.Function(
            name,
            name=spec.function_name,
            role=role_arn,
            layers=layer_arns or None,
            kms_key_arn=kms_key_arn,
            dead_letter_config=aws.lambda_.FunctionDeadLetterConfigArgs(target_arn=dead_letter_arn)
            if dead_letter_arn is not None
            else None,
            vpc_config=aws.lambda_.FunctionVpcConfigArgs(
                subnet_ids=refs.resolve_all(spec.subnets),
                security_group_ids=refs.resolve_all(spec.security_groups),
            )
            if spec.subnets
            else None,
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(
                log_format=spec.log_format, log_group=self.log_group.name
            ),
            **_settings(spec),
            tags=tags,
            **function_code_args(spec, packages.function),
            # Lambda would create an unmanaged log group on the first invocation; the role
            # must hold its permissions before Lambda validates it. The name is fixed, so a
            # replacement (a new package type, say) must delete the old function first.
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[self.log_group, *grants],
                delete_before_replace=True,
            ),
        )

        self.aliases: dict[str, aws.lambda_.Alias] = create_aliases(name, spec, self.function, self)
        self.provisioned_concurrency: dict[str, aws.lambda_.ProvisionedConcurrencyConfig] = (
            create_provisioned_concurrency(name, spec, self.function, self.aliases, self)
        )
        url = create_function_url(name, spec, self.function, self.aliases, self)
        self.url: aws.lambda_.FunctionUrl | None = url.url if url else None

        self.function_arn: pulumi.Output[str] = self.function.arn
        self.function_name: pulumi.Output[str] = self.function.name
        self.invoke_arn: pulumi.Output[str] = self.function.invoke_arn
        self.qualified_arn: pulumi.Output[str] = self.function.qualified_arn
        self.version: pulumi.Output[str] = self.function.version
        self.role_arn: pulumi.Output[str] = pulumi.Output.from_input(role_arn)
        self.log_group_name: pulumi.Output[str] = self.log_group.name
        self.layer_arns: pulumi.Output[list[str]] = pulumi.Output.all(*layer_arns)
        # from_input, not Output.all(**...): with no alias, all() would give a list.
        alias_arns: dict[str, pulumi.Input[str]] = {
            alias_name: alias.arn for alias_name, alias in self.aliases.items()
        }
        self.alias_arns: pulumi.Output[dict[str, str]] = cast(
            "pulumi.Output[dict[str, str]]", pulumi.Output.from_input(alias_arns)
        )
        self.function_url: pulumi.Output[str | None] = (
            self.url.function_url if self.url else pulumi.Output.from_input(None)
        )
        self.register_outputs(self.outputs())

    def outputs(self) -> dict[str, pulumi.Output[Any]]:
        """Every output of the component, by its documented name."""
        return {
            "function_arn": self.function_arn,
            "function_name": self.function_name,
            "invoke_arn": self.invoke_arn,
            "qualified_arn": self.qualified_arn,
            "version": self.version,
            "role_arn": self.role_arn,
            "log_group_name": self.log_group_name,
            "layer_arns": self.layer_arns,
            "alias_arns": self.alias_arns,
            "function_url": self.function_url,
        }


def _settings(spec: AwsLambdaSpec) -> dict[str, Any]:
    """The function's plain settings, straight from the spec."""
    return {
        "description": spec.description or None,
        "runtime": spec.runtime,
        "handler": spec.handler,
        "memory_size": spec.memory_mb,
        "timeout": spec.timeout_seconds,
        "ephemeral_storage": aws.lambda_.FunctionEphemeralStorageArgs(
            size=spec.ephemeral_storage_mb
        ),
        "architectures": [LAMBDA_ARCHITECTURES[spec.architecture]],
        "environment": _environment(spec),
        "reserved_concurrent_executions": spec.reserved_concurrency,
        "tracing_config": aws.lambda_.FunctionTracingConfigArgs(mode=spec.tracing),
        "publish": spec.publishes,
    }


def _environment(spec: AwsLambdaSpec) -> aws.lambda_.FunctionEnvironmentArgs | None:
    if not spec.environment and not spec.secret_environment:
        return None
    variables = deferred.environment_variables(spec.environment, spec.secret_environment)
    return aws.lambda_.FunctionEnvironmentArgs(variables=variables)
