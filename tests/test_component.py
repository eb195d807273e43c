"""AwsLambda under Pulumi's mock engine: what it registers, with which inputs and options."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from planton_lambda import AwsLambda, AwsLambdaSpec, SpecError
from planton_lambda.testing import RecordedResource, run_mocked

FUNCTION = "aws:lambda/function:Function"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ALIAS = "aws:lambda/alias:Alias"
CONCURRENCY = "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig"
URL = "aws:lambda/functionUrl:FunctionUrl"
PERMISSION = "aws:lambda/permission:Permission"
LAYER = "aws:lambda/layerVersion:LayerVersion"
STACK_REF = "pulumi:pulumi:StackReference"
COMPONENT = "planton-lambda:index:AwsLambda"

LAYER_ARN = "arn:aws:lambda:us-east-1:123456789012:layer:shared:4"
QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:orders-dlq"
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:orders-dlq"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE_ARN = "arn:aws:iam::123456789012:role/existing"
APIGATEWAY = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31"


def policy_of(run: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(run.one(ROLE_POLICY).inputs["policy"])
    return document


def statements_by_sid(run: Any) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in policy_of(run)["Statement"] if "Sid" in s}


def canary_spec(make_spec: Any) -> dict[str, Any]:
    return make_spec(
        aliases=[
            {
                "name": "live",
                "function_version": "3",
                "additional_version_weights": {"current": 0.1},
            },
            {"name": "warm", "provisioned_concurrency": 5},
            {"name": "edge", "function_version": "$LATEST"},
        ],
        function_url={
            "auth_type": "NONE",
            "public": True,
            "alias": "live",
            "cors": {"allow_origins": ["https://shop.example"], "allow_methods": ["GET"]},
        },
    )


# -- the component and its children --------------------------------------------------------


def test_component_type_and_every_child_parented(deploy: Any, make_spec: Any) -> None:
    run = deploy(canary_spec(make_spec))
    component = run.one(COMPONENT)
    assert component.name == "orders"
    children = [r for r in run.resources if r is not component]
    assert children, "the component registered no children"
    for child in children:
        assert child.parent == component.urn, f"{child.type} {child.name} is not parented"
        assert "planton-lambda:index:AwsLambda$" in child.urn


def test_resource_counts_for_a_full_spec(deploy: Any, make_spec: Any) -> None:
    run = deploy(canary_spec(make_spec))
    counts = {
        typ: len(run.of_type(typ))
        for typ in (FUNCTION, ROLE, ROLE_POLICY, LOG_GROUP, ALIAS, CONCURRENCY, URL, PERMISSION)
    }
    assert counts == {
        FUNCTION: 1,
        ROLE: 1,
        ROLE_POLICY: 1,
        LOG_GROUP: 1,
        ALIAS: 3,
        CONCURRENCY: 1,
        URL: 1,
        PERMISSION: 2,
    }


def test_two_components_in_one_program_do_not_collide(make_spec: Any) -> None:
    def program() -> None:
        AwsLambda("a", make_spec(function_name="fn-a", aliases=[{"name": "live"}]))
        AwsLambda("b", make_spec(function_name="fn-b", aliases=[{"name": "live"}]))

    run = run_mocked(program)
    names = [r.inputs.get("name") for r in run.of_type(FUNCTION)]
    assert sorted(names) == ["fn-a", "fn-b"]
    assert len({r.urn for r in run.resources}) == len(run.resources)


def test_invalid_dict_spec_registers_nothing(make_spec: Any) -> None:
    bad = make_spec(
        memory_mb=64, aliases=[{"name": "live", "additional_version_weights": {"2": 1.5}}]
    )

    def program() -> SpecError | None:
        try:
            AwsLambda("orders", bad)
        except SpecError as error:
            return error
        return None

    run = run_mocked(program)
    assert run.resources == []
    assert isinstance(run.result, SpecError)
    text = str(run.result)
    assert "memory_mb" in text
    assert "aliases[0].additional_version_weights: weight must be between 0 and 1" in text


def test_accepts_a_validated_model(deploy: Any, make_spec: Any) -> None:
    spec = AwsLambdaSpec.model_validate(make_spec(memory_mb=512))
    run = deploy(spec)
    assert run.one(FUNCTION).inputs["memorySize"] == 512


def custom_children(run: Any) -> list[RecordedResource]:
    """The component's AWS resources (stack references are read by the engine, not AWS)."""
    component = run.one(COMPONENT).urn
    return [r for r in run.resources if r.parent == component and r.custom and r.type != STACK_REF]


def test_provider_in_opts_reaches_every_child(make_spec: Any) -> None:
    def program() -> AwsLambda:
        provider = aws.Provider("eu", region="eu-west-1")
        return AwsLambda(
            "orders", canary_spec(make_spec), opts=pulumi.ResourceOptions(provider=provider)
        )

    run = run_mocked(program)
    provider_urn = next(r.urn for r in run.resources if r.type == "pulumi:providers:aws")
    children = custom_children(run)
    assert len(children) >= 10
    for child in children:
        assert child.provider.startswith(provider_urn + "::"), child.name


def test_providers_map_reaches_every_child(make_spec: Any) -> None:
    def program() -> AwsLambda:
        provider = aws.Provider("other-account", region="us-west-2")
        return AwsLambda(
            "orders",
            canary_spec(make_spec),
            opts=pulumi.ResourceOptions(providers={"aws": provider}),
        )

    run = run_mocked(program)
    provider_urn = next(r.urn for r in run.resources if r.type == "pulumi:providers:aws")
    assert all(c.provider.startswith(provider_urn) for c in custom_children(run))


def test_component_creates_no_provider_of_its_own(deploy: Any, make_spec: Any) -> None:
    run = deploy(canary_spec(make_spec))
    assert not [r for r in run.resources if r.type.startswith("pulumi:providers:")]
    assert all(c.provider == "" or "default" in c.provider for c in custom_children(run))


# -- execution role ---------------------------------------------------------------------------


def test_role_trusts_lambda_only(deploy: Any, make_spec: Any) -> None:
    trust = json.loads(deploy(make_spec()).one(ROLE).inputs["assumeRolePolicy"])
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"


def test_minimal_policy_writes_only_its_own_log_group(deploy: Any, make_spec: Any) -> None:
    run = deploy(make_spec())
    statements = policy_of(run)["Statement"]
    assert len(statements) == 1
    (logs,) = statements
    assert logs["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert logs["Resource"] == (
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/orders-api:*"
    )


def test_no_wildcard_resource_without_vpc_or_tracing(deploy: Any, make_spec: Any) -> None:
    run = deploy(
        make_spec(dead_letter_target_arn={"value": QUEUE_ARN}, kms_key_arn={"value": KEY_ARN})
    )
    assert all(s["Resource"] != "*" for s in policy_of(run)["Statement"])


def test_vpc_actions_only_with_subnets(deploy: Any, make_spec: Any) -> None:
    assert "ManageVpcNetworkInterfaces" not in statements_by_sid(deploy(make_spec()))
    run = deploy(make_spec(subnets=["subnet-1a"], security_groups=["sg-1a"]))
    vpc = statements_by_sid(run)["ManageVpcNetworkInterfaces"]
    assert "ec2:CreateNetworkInterface" in vpc["Action"]
    assert run.one(FUNCTION).inputs["vpcConfig"] == {
        "subnetIds": ["subnet-1a"],
        "securityGroupIds": ["sg-1a"],
    }


def test_xray_only_with_active_tracing(deploy: Any, make_spec: Any) -> None:
    assert "WriteXRayTraces" not in statements_by_sid(deploy(make_spec(tracing="PassThrough")))
    run = deploy(make_spec(tracing="Active"))
    assert statements_by_sid(run)["WriteXRayTraces"]["Action"] == [
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
    ]
    assert run.one(FUNCTION).inputs["tracingConfig"] == {"mode": "Active"}


@pytest.mark.parametrize(
    ("arn", "action"), [(QUEUE_ARN, "sqs:SendMessage"), (TOPIC_ARN, "sns:Publish")]
)
def test_dead_letter_send_only_on_its_target(
    deploy: Any, make_spec: Any, arn: str, action: str
) -> None:
    run = deploy(make_spec(dead_letter_target_arn={"value": arn}))
    statement = statements_by_sid(run)["SendToDeadLetterTarget"]
    assert statement["Action"] == [action]
    assert statement["Resource"] == arn
    assert run.one(FUNCTION).inputs["deadLetterConfig"] == {"targetArn": arn}


def test_kms_decrypt_only_on_the_key(deploy: Any, make_spec: Any) -> None:
    assert "DecryptEnvironment" not in statements_by_sid(deploy(make_spec()))
    run = deploy(make_spec(kms_key_arn={"value": KEY_ARN}))
    statement = statements_by_sid(run)["DecryptEnvironment"]
    assert (statement["Action"], statement["Resource"]) == (["kms:Decrypt"], KEY_ARN)
    assert run.one(FUNCTION).inputs["kmsKeyArn"] == KEY_ARN


def test_role_options_add_statements_policies_and_boundary(deploy: Any, make_spec: Any) -> None:
    boundary = "arn:aws:iam::123456789012:policy/boundary"
    statement = {
        "Effect": "Allow",
        "Action": ["dynamodb:GetItem"],
        "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
    }
    run = deploy(
        make_spec(
            role={
                "managed_policy_arns": [
                    "arn:aws:iam::aws:policy/AWSXrayReadOnlyAccess",
                    "arn:aws:iam::123456789012:policy/team/orders-read",
                ],
                "policy_statements": [statement],
                "permissions_boundary_arn": boundary,
            }
        )
    )
    assert statement in policy_of(run)["Statement"]
    attachments = sorted(a.inputs["policyArn"] for a in run.of_type(ATTACHMENT))
    assert attachments == [
        "arn:aws:iam::123456789012:policy/team/orders-read",
        "arn:aws:iam::aws:policy/AWSXrayReadOnlyAccess",
    ]
    assert {a.name for a in run.of_type(ATTACHMENT)} == {
        "orders-role-AWSXrayReadOnlyAccess",
        "orders-role-123456789012-team-orders-read",
    }
    assert run.one(ROLE).inputs["permissionsBoundary"] == boundary


def test_function_waits_for_log_group_and_role_grants(deploy: Any, make_spec: Any) -> None:
    run = deploy(make_spec(role={"managed_policy_arns": ["arn:aws:iam::aws:policy/X"]}))
    dependencies = set(run.one(FUNCTION).dependencies)
    for typ in (LOG_GROUP, ROLE_POLICY, ATTACHMENT):
        assert run.one(typ).urn in dependencies, typ


def test_existing_role_arn_creates_no_role(deploy: Any, make_spec: Any) -> None:
    run = deploy(make_spec(role_arn={"value": ROLE_ARN}))
    assert run.of_type(ROLE) == [] and run.of_type(ROLE_POLICY) == []
    assert run.one(FUNCTION).inputs["role"] == ROLE_ARN
    assert run.result.role is None
    assert run.resolve(run.result.role_arn) == ROLE_ARN


def test_role_arn_from_a_stack_reference(deploy: Any, make_spec: Any) -> None:
    spec = make_spec(
        role_arn={"value_from": {"stack": "acme/iam/prod", "output": "lambdaRole"}},
        subnets=[{"value_from": {"stack": "acme/net/prod", "output": "subnetA"}}],
        security_groups=[{"value_from": {"stack": "acme/net/prod", "output": "sg"}}],
    )
    outputs = {
        "acme/iam/prod": {"lambdaRole": ROLE_ARN},
        "acme/net/prod": {"subnetA": "subnet-77", "sg": "sg-77"},
    }
    run = deploy(spec, stack_outputs=outputs)
    references = run.of_type(STACK_REF)
    assert sorted(r.inputs["name"] for r in references) == ["acme/iam/prod", "acme/net/prod"]
    assert all(r.parent == run.one(COMPONENT).urn for r in references)
    inputs = run.one(FUNCTION).inputs
    assert inputs["role"] == ROLE_ARN
    assert inputs["vpcConfig"] == {"subnetIds": ["subnet-77"], "securityGroupIds": ["sg-77"]}


def test_output_inputs_are_accepted_in_python(deploy: Any, make_spec: Any) -> None:
    spec = make_spec(role_arn=pulumi.Output.from_input(ROLE_ARN))
    assert deploy(spec).one(FUNCTION).inputs["role"] == ROLE_ARN


# -- log group and function settings ---------------------------------------------------------


def test_log_group_named_for_the_function_with_retention(deploy: Any, make_spec: Any) -> None:
    run = deploy(make_spec(log_retention_days=30, log_format="JSON"))
    group = run.one(LOG_GROUP).inputs
    assert (group["name"], group["retentionInDays"]) == ("/aws/lambda/orders-api", 30)
    assert run.one(FUNCTION).inputs["loggingConfig"] == {
        "logFormat": "JSON",
        "logGroup": "/aws/lambda/orders-api",
    }


def test_function_settings_map_to_pulumi_aws_arguments(deploy: Any, make_spec: Any) -> None:
    run = deploy(
        make_spec(
            description="Orders API",
            memory_mb=1024,
            timeout_seconds=30,
            ephemeral_storage_mb=2048,
            architecture="ARM64",
            reserved_concurrency=0,
            layer_arns=[LAYER_ARN],
            tags={"team": "orders"},
        )
    )
    inputs = run.one(FUNCTION).inputs
    expected = {
        "name": "orders-api",
        "description": "Orders API",
        "runtime": "python3.13",
        "handler": "app.handler",
        "memorySize": 1024,
        "timeout": 30,
        "ephemeralStorage": {"size": 2048},
        "architectures": ["arm64"],
        "reservedConcurrentExecutions": 0,
        "layers": [LAYER_ARN],
        "packageType": "Zip",
        "s3Bucket": "code-bucket",
        "s3Key": "orders/v1.zip",
        "publish": False,
        "tags": {"team": "orders"},
    }
    assert {key: inputs.get(key) for key in expected} == expected


def test_unset_reserved_concurrency_is_not_sent(deploy: Any, make_spec: Any) -> None:
    run = deploy(make_spec(reserved_concurrency=-1))
    assert "reservedConcurrentExecutions" not in run.one(FUNCTION).inputs


def test_secret_environment_values_stay_secret(deploy: Any, make_spec: Any) -> None:
    run = deploy(
        make_spec(environment={"STAGE": "prod"}, secret_environment={"DB_PASSWORD": "hunter2"})
    )
    function = run.one(FUNCTION)
    variables = function.inputs["environment"]["variables"]
    assert variables == {"STAGE": "prod", "DB_PASSWORD": "hunter2"}
    assert function.is_secret("environment.variables.DB_PASSWORD")
    assert not function.is_secret("environment.variables.STAGE")


def test_image_function(deploy: Any, make_spec: Any) -> None:
    uri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/analytics:2025-11-01"
    spec = make_spec(
        code_source_type="CODE_SOURCE_TYPE_IMAGE",
        s3=None,
        runtime=None,
        handler=None,
        image_uri=uri,
        image_config={"command": ["app.run"], "working_directory": "/app"},
    )
    inputs = deploy(spec).one(FUNCTION).inputs
    assert (inputs["packageType"], inputs["imageUri"]) == ("Image", uri)
    assert inputs["imageConfig"] == {"commands": ["app.run"], "workingDirectory": "/app"}
    assert "runtime" not in inputs and "handler" not in inputs


# -- layers ----------------------------------------------------------------------------------


def test_layers_built_and_used_after_existing_ones(deploy: Any, make_spec: Any) -> None:
    spec = make_spec(
        layer_arns=[LAYER_ARN],
        layers=[
            {
                "name": "orders-deps",
                "code_source_type": "CODE_SOURCE_TYPE_S3",
                "s3": {"bucket": "code-bucket", "key": "layers/deps.zip"},
                "compatible_runtimes": ["python3.13"],
                "compatible_architectures": ["ARM64"],
                "description": "dependencies",
            }
        ],
    )
    run = deploy(spec)
    layer = run.one(LAYER).inputs
    assert layer["layerName"] == "orders-deps"
    assert layer["compatibleRuntimes"] == ["python3.13"]
    assert layer["compatibleArchitectures"] == ["arm64"]
    built = "arn:aws:lambda:us-east-1:123456789012:layer:orders-deps:1"
    assert run.one(FUNCTION).inputs["layers"] == [LAYER_ARN, built]
    assert run.resolve(run.result.layer_arns) == [LAYER_ARN, built]
    assert set(run.result.layers) == {"orders-deps"}


# -- versions, aliases, traffic --------------------------------------------------------------


def aliases_by_name(run: Any) -> dict[str, dict[str, Any]]:
    return {a.inputs["name"]: a.inputs for a in run.of_type(ALIAS)}


def test_aliases_resolve_current_latest_and_numbers(deploy: Any, make_spec: Any) -> None:
    run = deploy(canary_spec(make_spec))
    assert run.one(FUNCTION).inputs["publish"] is True
    aliases = aliases_by_name(run)
    assert aliases["warm"]["functionVersion"] == "1"  # the version this deploy published
    assert aliases["edge"]["functionVersion"] == "$LATEST"
    assert aliases["live"]["functionVersion"] == "3"
    assert all(a["functionName"] == "orders-api" for a in aliases.values())


def test_canary_weights_route_to_the_published_version(deploy: Any, make_spec: Any) -> None:
    aliases = aliases_by_name(deploy(canary_spec(make_spec)))
    assert aliases["live"]["routingConfig"] == {"additionalVersionWeights": {"1": 0.1}}
    assert "routingConfig" not in aliases["warm"]


def test_promotion_and_rollback_are_config_changes(deploy: Any, make_spec: Any) -> None:
    promoted = deploy(make_spec(aliases=[{"name": "live", "function_version": "current"}]))
    assert aliases_by_name(promoted)["live"] == {
        "name": "live",
        "functionName": "orders-api",
        "functionVersion": "1",
    }
    rolled_back = deploy(make_spec(aliases=[{"name": "live", "function_version": "3"}]))
    assert aliases_by_name(rolled_back)["live"]["functionVersion"] == "3"
    assert "routingConfig" not in aliases_by_name(rolled_back)["live"]


def test_provisioned_concurrency_on_its_alias(deploy: Any, make_spec: Any) -> None:
    run = deploy(canary_spec(make_spec))
    config = run.one(CONCURRENCY)
    assert config.inputs == {
        "functionName": "orders-api",
        "qualifier": "warm",
        "provisionedConcurrentExecutions": 5,
    }
    warm = next(a for a in run.of_type(ALIAS) if a.inputs["name"] == "warm")
    assert warm.urn in config.dependencies


def test_aliases_and_url_are_deleted_with_the_function(deploy: Any, make_spec: Any) -> None:
    run = deploy(canary_spec(make_spec))
    function_urn = run.one(FUNCTION).urn
    for resource in [
        *run.of_type(ALIAS),
        *run.of_type(CONCURRENCY),
        *run.of_type(URL),
        *run.of_type(PERMISSION),
    ]:
        assert resource.deleted_with == function_urn, resource.name


def test_public_url_targets_the_alias_with_both_permissions(deploy: Any, make_spec: Any) -> None:
    run = deploy(canary_spec(make_spec))
    url = run.one(URL).inputs
    assert (url["authorizationType"], url["qualifier"]) == ("NONE", "live")
    assert url["cors"] == {
        "allowOrigins": ["https://shop.example"],
        "allowMethods": ["GET"],
        "allowCredentials": False,
    }
    permissions = {p.inputs["action"]: p.inputs for p in run.of_type(PERMISSION)}
    assert set(permissions) == {"lambda:InvokeFunctionUrl", "lambda:InvokeFunction"}
    assert permissions["lambda:InvokeFunctionUrl"]["functionUrlAuthType"] == "NONE"
    assert permissions["lambda:InvokeFunction"]["invokedViaFunctionUrl"] is True
    for permission in permissions.values():
        assert (permission["principal"], permission["qualifier"]) == ("*", "live")
        assert permission["function"] == "orders-api"


def test_iam_url_gets_no_public_permissions(deploy: Any, make_spec: Any) -> None:
    run = deploy(make_spec(function_url={"auth_type": "AWS_IAM"}))
    assert "qualifier" not in run.one(URL).inputs
    assert run.of_type(PERMISSION) == []


# -- outputs -----------------------------------------------------------------------------------


def test_outputs_with_aliases_and_url(deploy: Any, make_spec: Any) -> None:
    run = deploy(canary_spec(make_spec))
    outputs = {k: run.resolve(v) for k, v in run.result.outputs().items()}
    arn = "arn:aws:lambda:us-east-1:123456789012:function:orders-api"
    assert outputs == {
        "function_arn": arn,
        "function_name": "orders-api",
        "invoke_arn": f"{APIGATEWAY}/functions/{arn}/invocations",
        "qualified_arn": f"{arn}:1",
        "version": "1",
        "role_arn": "arn:aws:iam::123456789012:role/orders-role",
        "log_group_name": "/aws/lambda/orders-api",
        "layer_arns": [],
        "alias_arns": {name: f"{arn}:{name}" for name in ("live", "warm", "edge")},
        "function_url": "https://orders-url.lambda-url.us-east-1.on.aws/",
    }


def test_outputs_without_publishing(deploy: Any, make_spec: Any) -> None:
    run = deploy(make_spec())
    assert run.resolve(run.result.version) == "$LATEST"
    assert run.resolve(run.result.function_url) is None
    assert run.resolve(run.result.alias_arns) == {}


def test_outputs_registered_once(deploy: Any, make_spec: Any) -> None:
    run = deploy(make_spec())
    assert run.registered_outputs.count(run.one(COMPONENT).urn) == 1
