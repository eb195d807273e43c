"""AwsLambdaArgs: the typed inputs mirror the spec, and convert to it in one place."""

from __future__ import annotations

import enum
import typing
from typing import Any, Literal

import pulumi
import pytest
from pydantic import BaseModel

from planton_lambda import AwsLambda, AwsLambdaArgs, SpecError
from planton_lambda.resources.component import LEGACY_TYPE_TOKEN, TYPE_TOKEN
from planton_lambda.spec import args as lambda_args
from planton_lambda.spec.alias import AliasSpec
from planton_lambda.spec.args import Architecture, CodeSourceType, FunctionUrlAuthType, TracingMode
from planton_lambda.spec.delivery import (
    DeploymentSpec,
    MonitoringAlarms,
    MonitoringSpec,
    RollbackAlarms,
)
from planton_lambda.spec.function import (
    AwsLambdaSpec,
    CorsSpec,
    FunctionUrlSpec,
    ImageConfig,
    LayerSpec,
    LocalCode,
    S3Code,
)
from planton_lambda.spec.iam import PolicyStatement, RoleOptions
from planton_lambda.spec.parity import (
    AsyncInvokeConfig,
    FileSystemConfig,
    InvokePermission,
    RuntimeManagement,
)
from planton_lambda.spec.sources import (
    DocumentDbConfig,
    EventSourceSpec,
    SourceAccessConfiguration,
    TriggerSpec,
)
from planton_lambda.testing import run_mocked

FUNCTION = "aws:lambda/function:Function"
CONCURRENCY = "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig"

MIRRORS: list[tuple[Any, type[BaseModel]]] = [
    (lambda_args.AwsLambdaArgs, AwsLambdaSpec),
    (lambda_args.S3CodeArgs, S3Code),
    (lambda_args.LocalCodeArgs, LocalCode),
    (lambda_args.ImageConfigArgs, ImageConfig),
    (lambda_args.RoleArgs, RoleOptions),
    (lambda_args.PolicyStatementArgs, PolicyStatement),
    (lambda_args.CorsArgs, CorsSpec),
    (lambda_args.FunctionUrlArgs, FunctionUrlSpec),
    (lambda_args.LayerArgs, LayerSpec),
    (lambda_args.AliasArgs, AliasSpec),
    (lambda_args.EventSourceArgs, EventSourceSpec),
    (lambda_args.SourceAccessConfigurationArgs, SourceAccessConfiguration),
    (lambda_args.DocumentDbConfigArgs, DocumentDbConfig),
    (lambda_args.TriggerArgs, TriggerSpec),
    (lambda_args.FileSystemConfigArgs, FileSystemConfig),
    (lambda_args.RuntimeManagementArgs, RuntimeManagement),
    (lambda_args.AsyncInvokeConfigArgs, AsyncInvokeConfig),
    (lambda_args.InvokePermissionArgs, InvokePermission),
    (lambda_args.DeploymentArgs, DeploymentSpec),
    (lambda_args.RollbackAlarmsArgs, RollbackAlarms),
    (lambda_args.MonitoringArgs, MonitoringSpec),
    (lambda_args.MonitoringAlarmsArgs, MonitoringAlarms),
]


def typed_args() -> AwsLambdaArgs:
    return {
        "function_name": "orders-api",
        "code_source_type": CodeSourceType.CODE_SOURCE_TYPE_S3,
        "s3": {"bucket": "code-bucket", "key": "orders/v1.zip"},
        "runtime": "python3.13",
        "handler": "app.handler",
        "architecture": Architecture.ARM64,
        "tracing": TracingMode.ACTIVE,
        "memory_mb": 512,
        "aliases": [{"name": "live", "provisioned_concurrency": 2}],
        "function_url": {"auth_type": FunctionUrlAuthType.AWS_IAM, "alias": "live"},
    }


def spec_dict() -> dict[str, Any]:
    return {
        "function_name": "orders-api",
        "code_source_type": "CODE_SOURCE_TYPE_S3",
        "s3": {"bucket": "code-bucket", "key": "orders/v1.zip"},
        "runtime": "python3.13",
        "handler": "app.handler",
        "architecture": "ARM64",
        "tracing": "Active",
        "memory_mb": 512,
        "aliases": [{"name": "live", "provisioned_concurrency": 2}],
        "function_url": {"auth_type": "AWS_IAM", "alias": "live"},
    }


# -- the args tree mirrors the spec ------------------------------------------------------------


@pytest.mark.parametrize("typed_dict, model", MIRRORS, ids=lambda x: getattr(x, "__name__", ""))
def test_args_have_the_fields_of_the_spec(typed_dict: Any, model: type[BaseModel]) -> None:
    assert set(typed_dict.__annotations__) == set(model.model_fields)
    required = {name for name, field in model.model_fields.items() if field.is_required()}
    assert set(typed_dict.__required_keys__) == required


@pytest.mark.parametrize("typed_dict, model", MIRRORS, ids=lambda x: getattr(x, "__name__", ""))
def test_enum_members_are_the_spec_literals(typed_dict: Any, model: type[BaseModel]) -> None:
    for name, hint in typed_dict.__annotations__.items():
        inner, _ = lambda_args._unwrap(hint)
        if not (isinstance(inner, type) and issubclass(inner, enum.Enum)):
            continue
        literal = model.model_fields[name].annotation
        # An optional choice is `Literal[...] | None`: its choices are the Literal's.
        literals = [a for a in typing.get_args(literal) if typing.get_origin(a) is Literal]
        choices = typing.get_args(literals[0]) if literals else typing.get_args(literal)
        assert {m.value for m in inner} == set(choices), name


def test_args_module_has_no_string_annotations() -> None:
    # Pulumi's analyzer reads annotations as objects and refuses strings.
    for typed_dict, _ in MIRRORS:
        for name, hint in typed_dict.__annotations__.items():
            assert not isinstance(hint, str), f"{typed_dict.__name__}.{name}"
    init = AwsLambda.__init__
    assert init.__annotations__["args"] is AwsLambdaArgs
    assert not any(isinstance(h, str) for h in AwsLambda.__annotations__.values())


# -- conversion ---------------------------------------------------------------------------


def test_typed_args_deploy_what_the_equivalent_spec_deploys() -> None:
    from_args = run_mocked(lambda: AwsLambda("orders", typed_args()))
    from_spec = run_mocked(lambda: AwsLambda("orders", spec_dict()))
    # (registration order may interleave differently between runs)
    assert sorted((r.type, r.name) for r in from_args.resources) == sorted(
        (r.type, r.name) for r in from_spec.resources
    )
    assert from_args.one(FUNCTION).inputs == from_spec.one(FUNCTION).inputs
    assert from_args.one(FUNCTION).inputs["architectures"] == ["arm64"]


def test_whole_floats_are_integers() -> None:
    wire = spec_dict() | {"memory_mb": 512.0, "timeout_seconds": 30.0}
    wire["aliases"] = [{"name": "live", "provisioned_concurrency": 2.0}]
    converted = lambda_args.spec_input(wire)
    assert converted["memory_mb"] == 512 and type(converted["memory_mb"]) is int
    assert type(converted["aliases"][0]["provisioned_concurrency"]) is int
    run = run_mocked(lambda: AwsLambda("orders", wire))
    assert run.one(FUNCTION).inputs["memorySize"] == 512
    assert run.one(CONCURRENCY).inputs["provisionedConcurrentExecutions"] == 2


def registered_before_failing(args: Any) -> tuple[SpecError, int]:
    """The error, and how many resources were registered; `args` may be a callable making
    them (Outputs are made on the run's event loop)."""

    def program() -> SpecError:
        with pytest.raises(SpecError) as caught:
            AwsLambda("orders", args() if callable(args) else args)
        return caught.value

    run = run_mocked(program)
    return run.result, len(run.resources)


def test_fractional_numbers_are_refused_with_their_paths_before_registering() -> None:
    wire = spec_dict() | {"memory_mb": 512.5}
    wire["aliases"] = [{"name": "live", "provisioned_concurrency": 1.5}]
    error, registered = registered_before_failing(wire)
    assert registered == 0
    assert error.problems == [
        "memory_mb: must be a whole number, got 512.5",
        "aliases[0].provisioned_concurrency: must be a whole number, got 1.5",
    ]


def test_outputs_are_refused_where_a_value_must_be_known() -> None:
    error, registered = registered_before_failing(
        lambda: (
            spec_dict()
            | {
                "memory_mb": pulumi.Output.from_input(512),
                "function_name": pulumi.Output.secret("orders-api"),
            }
        )
    )
    assert registered == 0
    paths = [problem.split(":")[0] for problem in error.problems]
    assert paths == ["function_name", "memory_mb"]
    assert all("must be known before deployment" in p for p in error.problems)
    assert "orders-api" not in str(error)


def test_outputs_pass_where_the_field_is_an_input() -> None:
    role = "arn:aws:iam::123456789012:role/existing"

    def program() -> AwsLambda:
        wire = spec_dict() | {
            "role_arn": pulumi.Output.from_input(role),
            "environment": {"TABLE": pulumi.Output.from_input("orders")},
            "tags": {"team": pulumi.Output.from_input("payments")},
        }
        return AwsLambda("orders", wire)

    run = run_mocked(program)
    inputs = run.one(FUNCTION).inputs
    assert inputs["role"] == role
    assert inputs["environment"]["variables"]["TABLE"] == "orders"
    assert inputs["tags"] == {"team": "payments"}
    assert not run.of_type("aws:iam/role:Role")


def test_a_tag_output_that_breaks_a_rule_fails_when_it_resolves() -> None:
    def program() -> AwsLambda:
        return AwsLambda(
            "orders", spec_dict() | {"tags": {"team": pulumi.Output.from_input("x" * 300)}}
        )

    # The engine may wrap the SpecError (it surfaces while the tags input is serialized).
    with pytest.raises(Exception, match=r"tags.team: .*at most 256"):
        run_mocked(program)


def test_manifest_spellings_still_reach_the_spec() -> None:
    camel = {
        "functionName": "orders-api",
        "codeSourceType": "CODE_SOURCE_TYPE_S3",
        "s3": {"bucket": "code-bucket", "key": "orders/v1.zip"},
        "runtime": "python3.13",
        "handler": "app.handler",
        "memoryMb": 256,
        "roleArn": {"value": "arn:aws:iam::123456789012:role/existing"},
    }
    assert lambda_args.spec_input(camel) == camel
    run = run_mocked(lambda: AwsLambda("orders", camel))
    assert run.one(FUNCTION).inputs["memorySize"] == 256


def test_unknown_fields_are_still_refused_by_the_spec() -> None:
    error, registered = registered_before_failing(spec_dict() | {"memory": 512})
    assert registered == 0
    assert any(problem.startswith("memory:") for problem in error.problems)


def test_a_spec_object_is_taken_as_it_is() -> None:
    spec = AwsLambdaSpec.model_validate(spec_dict())
    run = run_mocked(lambda: AwsLambda("orders", spec))
    assert run.result.spec is spec


# -- the type token and its alias -------------------------------------------------------------


def test_new_token_with_the_old_one_as_alias(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, list[Any]]] = []
    original = pulumi.ComponentResource.__init__

    def spy(self: Any, t: str, name: str, props: Any = None, opts: Any = None, **kw: Any) -> None:
        seen.append((t, list(opts.aliases or []) if opts else []))
        original(self, t, name, props, opts, **kw)

    monkeypatch.setattr(pulumi.ComponentResource, "__init__", spy)
    given = pulumi.ResourceOptions(aliases=[pulumi.Alias(name="old-name")])
    run = run_mocked(lambda: AwsLambda("orders", spec_dict(), opts=given))
    _token, aliases = next(entry for entry in seen if entry[0] == TYPE_TOKEN)
    assert run.one(TYPE_TOKEN).name == "orders"
    assert TYPE_TOKEN == "planton-lambda:index:AwsLambda"
    types = [getattr(a, "type_", None) for a in aliases]
    assert LEGACY_TYPE_TOKEN in types, "the old token is not declared as an alias"
    assert any(getattr(a, "name", None) == "old-name" for a in aliases), "caller's alias lost"
