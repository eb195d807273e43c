"""AwsLambda: one Lambda function with its role, logs, layers, versions, aliases and URL.

No `from __future__ import annotations` here: Pulumi's component analyzer reads this class's
annotations (the `args` type and the outputs) as objects and refuses strings.
"""

from collections.abc import Mapping
from typing import Any, cast, overload

import pulumi
import pulumi_aws as aws

from planton_lambda.resources import deferred, parity
from planton_lambda.resources.artifacts import upload_artifacts
from planton_lambda.resources.code import (
    LAMBDA_ARCHITECTURES,
    build_local_packages,
    create_layers,
    function_code_args,
)
from planton_lambda.resources.delivery import Delivery, create_delivery
from planton_lambda.resources.resolve import References
from planton_lambda.resources.role import create_execution_role
from planton_lambda.resources.sources import Targets, create_event_sources, resolve_sources
from planton_lambda.resources.traffic import (
    create_aliases,
    create_function_url,
    create_provisioned_concurrency,
)
from planton_lambda.spec.args import AwsLambdaArgs, to_spec
from planton_lambda.spec.function import AwsLambdaSpec, check_local_paths

TYPE_TOKEN = "planton-lambda:index:AwsLambda"
# The token before the component became a package; declared as an alias, so stacks created
# with it keep their resources (no replacement) when they move to the new token.
LEGACY_TYPE_TOKEN = "planton:aws:AwsLambda"


class AwsLambda(pulumi.ComponentResource):
    """One AWS Lambda function with its execution role, log group, layers, published
    versions, aliases (weighted canary traffic), provisioned concurrency and function URL.

    The inputs are validated, and local code packaged, before anything is registered: an
    invalid input or a failed build leaves nothing half-created. Every child has this
    component as parent, so a provider given in the resource options reaches all of them.
    """

    # The outputs, declared on the class so the package schema lists them. Other attributes
    # are typed where they are assigned: Pulumi re-reads a resource class's annotations at
    # every registration, so the class declares only what the schema needs.
    function_arn: pulumi.Output[str]
    """ARN of the function (unqualified)."""
    function_name: pulumi.Output[str]
    """Physical name of the function (function_name)."""
    invoke_arn: pulumi.Output[str]
    """ARN for API Gateway to invoke the function."""
    qualified_arn: pulumi.Output[str]
    """ARN of the function qualified by the version this deploy published."""
    version: pulumi.Output[str]
    """The version published by this deploy, or $LATEST when not publishing."""
    role_arn: pulumi.Output[str]
    """ARN of the execution role (the one created, or role_arn when given)."""
    log_group_name: pulumi.Output[str]
    """Name of the function's CloudWatch log group."""
    layer_arns: pulumi.Output[list[str]]
    """Layer version ARNs in the order the function uses them (layer_arns, then layers)."""
    alias_arns: pulumi.Output[dict[str, str]]
    """ARN of each alias, by alias name."""
    function_url: pulumi.Output[str | None]
    """The function URL; absent unless function_url is configured."""

    @overload
    def __init__(
        self, name: str, args: AwsLambdaArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None: ...

    @overload
    def __init__(
        self,
        name: str,
        args: AwsLambdaSpec | Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None: ...

    # The analyzer reads this signature: `args` must be the TypedDict alone (no union), so
    # the wider type the overloads accept is only told to the type checker.
    def __init__(  # type: ignore[misc]
        self,
        name: str,
        args: AwsLambdaArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        given: Any = args
        spec = given if isinstance(given, AwsLambdaSpec) else to_spec(given)
        check_local_paths(spec)
        packages = build_local_packages(spec)
        alias = pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=LEGACY_TYPE_TOKEN)])
        super().__init__(TYPE_TOKEN, name, {}, pulumi.ResourceOptions.merge(opts, alias))
        self.spec: AwsLambdaSpec = spec
        refs = References(name, self)

        tags = deferred.tags(spec.tags)
        planton = parity.resolve_inputs(spec, refs)
        # With `log_group` (an existing group) the function logs there and none is created.
        self.log_group: aws.cloudwatch.LogGroup | None = None
        if planton.log_group_name is None:
            self.log_group = aws.cloudwatch.LogGroup(
                f"{name}-logs",
                name=f"/aws/lambda/{spec.function_name}",
                retention_in_days=spec.log_retention_days,
                tags=tags,
                opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
            )
        log_group_name = self.log_group.name if self.log_group else planton.log_group_name
        log_group_arn = (
            self.log_group.arn
            if self.log_group
            else parity.existing_log_group_arn(_given(log_group_name), self)
        )
        dead_letter_arn = refs.resolve_optional(
            spec.dead_letter_target_arn, "dead_letter_target_arn"
        )
        kms_key_arn = refs.resolve_optional(spec.kms_key_arn, "kms_key_arn")
        sources = resolve_sources(spec, refs)
        grants: list[pulumi.Resource] = []
        self.role: aws.iam.Role | None = None
        if spec.role_arn is not None:
            role_arn: pulumi.Input[str] = refs.resolve(spec.role_arn, ("role_arn",))
        else:
            execution_role = create_execution_role(
                name,
                spec,
                log_group_arn=log_group_arn,
                dead_letter_target_arn=dead_letter_arn,
                kms_key_arn=kms_key_arn,
                more_statements=parity.role_statements(planton),
                parent=self,
                source_statements=sources.statements(spec),
            )
            self.role, grants = execution_role.role, execution_role.grants
            role_arn = execution_role.role.arn

        artifacts = upload_artifacts(name, spec, packages.function, packages.layers, refs, self)
        self.layers: dict[str, aws.lambda_.LayerVersion] = create_layers(
            name, spec, packages, self, artifacts
        )
        layer_arns = [
            *refs.resolve_all(spec.layer_arns, "layer_arns"),
            *(v.arn for v in self.layers.values()),
        ]
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
                subnet_ids=refs.resolve_all(spec.subnets, "subnets"),
                security_group_ids=refs.resolve_all(spec.security_groups, "security_groups"),
                ipv6_allowed_for_dual_stack=spec.ipv6_allowed_for_dual_stack or None,
            )
            if spec.subnets
            else None,
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(
                log_format=spec.log_format, log_group=log_group_name, **parity.logging_levels(spec)
            ),
            **_settings(spec),
            **parity.function_args(spec, planton),
            tags=tags,
            **function_code_args(spec, packages.function, artifacts),
            # Lambda would create an unmanaged log group on the first invocation; the role
            # must hold its permissions before Lambda validates it. The name is fixed, so a
            # replacement (a new package type, say) must delete the old function first.
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[*([self.log_group] if self.log_group else []), *grants],
                delete_before_replace=True,
            ),
        )

        self.aliases: dict[str, aws.lambda_.Alias] = create_aliases(name, spec, self.function, self)
        self.provisioned_concurrency: dict[str, aws.lambda_.ProvisionedConcurrencyConfig] = (
            create_provisioned_concurrency(name, spec, self.function, self.aliases, self)
        )
        url = create_function_url(name, spec, self.function, self.aliases, self)
        self.url: aws.lambda_.FunctionUrl | None = url.url if url else None
        self.event_sources = create_event_sources(
            name, spec, sources, refs, Targets(self.function, self.aliases), self
        )
        self.satellites: parity.Satellites = parity.create_satellites(
            name, spec, self.function, self.aliases, planton, refs, self
        )
        # CodeDeploy rollouts, alarms and version retention (planton_lambda.resources.delivery).
        self.delivery: Delivery = create_delivery(
            name, spec, self.function, self.aliases, refs, self,
            after=[*self.provisioned_concurrency.values(), *self.satellites.async_configs.values()],
        )  # fmt: skip

        self.function_arn = self.function.arn
        self.function_name = self.function.name
        self.invoke_arn = self.function.invoke_arn
        self.qualified_arn = self.function.qualified_arn
        self.version = self.function.version
        self.role_arn = pulumi.Output.from_input(role_arn)
        self.log_group_name = pulumi.Output.from_input(_given(log_group_name))
        self.layer_arns = pulumi.Output.all(*layer_arns)
        # from_input, not Output.all(**...): with no alias, all() would give a list.
        alias_arns: dict[str, pulumi.Input[str]] = {
            alias_name: alias.arn for alias_name, alias in self.aliases.items()
        }
        self.alias_arns = cast(
            "pulumi.Output[dict[str, str]]", pulumi.Output.from_input(alias_arns)
        )
        self.function_url = self.url.function_url if self.url else pulumi.Output.from_input(None)
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


def _given(value: pulumi.Input[str] | None) -> pulumi.Input[str]:
    assert value is not None  # a created log group's name, or the spec's log_group
    return value


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
