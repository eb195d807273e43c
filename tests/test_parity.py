"""Project Planton v1 parity: the new fields, AWS's rules on them, their resources and role."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from minimal_spec import BASE_SPEC

from planton_lambda import AwsLambda, SpecError, load_manifest
from planton_lambda.cli.replacements import forces_replacement
from planton_lambda.load.manifest import manifest_json_schema, validate_spec
from planton_lambda.testing import LambdaMocks, MockRun, run_mocked, run_stack_program

ROOT = Path(__file__).resolve().parent.parent
FUNCTION = "aws:lambda/function:Function"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
PERMISSION = "aws:lambda/permission:Permission"
ASYNC = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
RECURSION = "aws:lambda/functionRecursionConfig:FunctionRecursionConfig"
RUNTIME_MANAGEMENT = "aws:lambda/runtimeManagementConfig:RuntimeManagementConfig"
URL = "aws:lambda/functionUrl:FunctionUrl"
COMPONENT = "planton-lambda:index:AwsLambda"

ACCESS_POINT = (
    "arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0"
)
CODE_SIGNING = "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0123456789abcdefg"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:orders-ok"
TOPIC = "arn:aws:sns:us-east-1:123456789012:orders-failed"
BUS = "arn:aws:events:us-east-1:123456789012:event-bus/orders"
OTHER_FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:audit"
BUCKET = "arn:aws:s3:::orders-failures"
RUNTIME_VERSION = "arn:aws:lambda:us-east-1::runtime:0123456789abcdef0123456789abcdef"

BASE = BASE_SPEC
VPC = {"subnets": ["subnet-0a1b2c3d"], "security_groups": ["sg-0a1b2c3d"]}


def spec(**fields: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data.update(copy.deepcopy(fields))
    return {key: value for key, value in data.items() if value is not None}


def problems(data: Any) -> list[str]:
    with pytest.raises(SpecError) as caught:
        validate_spec(data)
    return caught.value.problems


def refused(data: Any, path: str, *fragments: str) -> str:
    found = [p for p in problems(data) if p.startswith(f"{path}: ")]
    assert found, f"no problem at {path}: {problems(data)}"
    for fragment in fragments:
        assert any(fragment in p for p in found), (fragment, found)
    return found[0]


def deploy(data: dict[str, Any]) -> MockRun[Any]:
    return run_mocked(lambda: AwsLambda("orders", data), mocks=LambdaMocks())


def statements(run: MockRun[Any]) -> dict[str, dict[str, Any]]:
    policy = json.loads(run.one(ROLE_POLICY).inputs["policy"])
    return {s["Sid"]: s for s in policy["Statement"]}


# --- EFS ----------------------------------------------------------------------------------


def test_file_system_mounts_the_access_point_and_grants_its_file_system_only() -> None:
    fs = {"access_point_arn": ACCESS_POINT, "local_mount_path": "/mnt/models"}
    run = deploy(spec(file_system_config=fs, **VPC))
    function = run.one(FUNCTION).inputs
    assert function["fileSystemConfig"] == {"arn": ACCESS_POINT, "localMountPath": "/mnt/models"}
    efs = statements(run)["MountFileSystem"]
    assert efs["Action"] == ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
    assert efs["Resource"] == "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/*"
    assert efs["Condition"] == {"StringEquals": {"elasticfilesystem:AccessPointArn": ACCESS_POINT}}


def test_no_efs_statement_without_a_file_system() -> None:
    assert "MountFileSystem" not in statements(deploy(spec()))


@pytest.mark.parametrize(
    "fs, path, fragment",
    [
        ({"access_point_arn": ACCESS_POINT, "local_mount_path": "/data"},
         "file_system_config.local_mount_path", "/mnt/"),
        ({"access_point_arn": ACCESS_POINT, "local_mount_path": "/mnt/a b"},
         "file_system_config.local_mount_path", "/mnt/"),
        ({"access_point_arn": "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/"
          "fs-0123456789abcdef0", "local_mount_path": "/mnt/data"},
         "file_system_config.access_point_arn", "access point ARN"),
    ],
)  # fmt: skip
def test_file_system_shape_rules(fs: dict[str, Any], path: str, fragment: str) -> None:
    refused(spec(file_system_config=fs, **VPC), path, fragment)


def test_file_system_and_ipv6_need_a_vpc() -> None:
    fs = {"access_point_arn": ACCESS_POINT, "local_mount_path": "/mnt/data"}
    refused(spec(file_system_config=fs), "file_system_config", "needs a VPC")
    refused(spec(ipv6_allowed_for_dual_stack=True), "ipv6_allowed_for_dual_stack", "subnets")
    run = deploy(spec(ipv6_allowed_for_dual_stack=True, **VPC))
    assert run.one(FUNCTION).inputs["vpcConfig"]["ipv6AllowedForDualStack"] is True


# --- SnapStart ----------------------------------------------------------------------------


def test_snap_start_on_published_versions() -> None:
    run = deploy(spec(snap_start=True, publish=True, runtime="java21", handler="a.B::handle"))
    assert run.one(FUNCTION).inputs["snapStart"] == {"applyOn": "PublishedVersions"}
    assert "snapStart" not in deploy(spec()).one(FUNCTION).inputs


@pytest.mark.parametrize(
    "fields, fragment",
    [
        ({"publish": False}, "publish: true"),
        ({"runtime": "nodejs22.x"}, "does not support runtime nodejs22.x"),
        ({"runtime": "python3.11"}, "Python 3.12 and later"),
        ({"runtime": "java8.al2"}, "Java 11 and later"),
        ({"runtime": "provided.al2023"}, "does not support runtime"),
        ({"ephemeral_storage_mb": 1024}, "up to 512 MB"),
        ({"aliases": [{"name": "live", "provisioned_concurrency": 2}]}, "provisioned concurrency"),
        ({"file_system_config": {"access_point_arn": ACCESS_POINT, "local_mount_path": "/mnt/d"},
          **VPC}, "Amazon EFS"),
    ],
)  # fmt: skip
def test_snap_start_refused_where_aws_refuses_it(fields: dict[str, Any], fragment: str) -> None:
    data = spec(snap_start=True, publish=True, runtime="python3.13")
    data.update(fields)
    refused(data, "snap_start", fragment)


def test_snap_start_refuses_images() -> None:
    image = {
        "code_source_type": "CODE_SOURCE_TYPE_IMAGE",
        "image_uri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1",
    }
    data = {"function_name": "img", "snap_start": True, "publish": True, **image}
    refused(data, "snap_start", "container images")


@pytest.mark.parametrize("runtime", ["java11", "java25", "python3.12", "python3.14", "dotnet10"])
def test_snap_start_runtimes_aws_supports(runtime: str) -> None:
    validate_spec(spec(snap_start=True, publish=True, runtime=runtime))


# --- logging ------------------------------------------------------------------------------


def test_log_levels_need_json_and_reach_the_function() -> None:
    refused(spec(application_log_level="INFO"), "application_log_level", "log_format: JSON")
    refused(spec(system_log_level="WARN"), "system_log_level", "log_format: JSON")
    refused(spec(log_format="JSON", system_log_level="TRACE"), "system_log_level")
    run = deploy(spec(log_format="JSON", application_log_level="ERROR", system_log_level="WARN"))
    logging = run.one(FUNCTION).inputs["loggingConfig"]
    assert logging["applicationLogLevel"] == "ERROR"
    assert logging["systemLogLevel"] == "WARN"


def test_existing_log_group_is_used_not_created_and_the_role_writes_there() -> None:
    run = deploy(spec(log_group="/platform/orders"))
    assert run.of_type(LOG_GROUP) == []
    assert run.one(FUNCTION).inputs["loggingConfig"]["logGroup"] == "/platform/orders"
    logs = statements(run)["WriteOwnLogs"]
    assert logs["Resource"] == "arn:aws:logs:us-east-1:123456789012:log-group:/platform/orders:*"
    assert run.resolve(run.result.log_group_name) == "/platform/orders"


def test_log_group_name_rule() -> None:
    refused(spec(log_group="my logs"), "log_group", "log group name")


# --- zip-only references, recursion, runtime management ------------------------------------


def test_code_signing_source_key_and_hash_reach_the_function() -> None:
    run = deploy(
        spec(code_signing_config_arn=CODE_SIGNING, source_kms_key_arn=KEY, source_code_hash="abc=")
    )
    function = run.one(FUNCTION).inputs
    assert function["codeSigningConfigArn"] == CODE_SIGNING
    assert function["sourceKmsKeyArn"] == KEY
    assert function["sourceCodeHash"] == "abc="


def test_zip_only_fields_refused_for_images_and_shapes_checked() -> None:
    image = {
        "function_name": "img",
        "code_source_type": "CODE_SOURCE_TYPE_IMAGE",
        "image_uri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1",
        "code_signing_config_arn": CODE_SIGNING,
        "source_kms_key_arn": KEY,
        "source_code_hash": "abc=",
    }
    refused(image, "code_signing_config_arn", ".zip packages only")
    refused(image, "source_kms_key_arn", ".zip packages only")
    refused(image, "source_code_hash", "CODE_SOURCE_TYPE_S3")
    refused(spec(code_signing_config_arn="csc-1"), "code_signing_config_arn", "code signing")
    refused(spec(source_kms_key_arn=KEY.replace("key/", "alias/")), "source_kms_key_arn", "KMS")


def test_recursion_config_only_when_loops_are_allowed() -> None:
    assert deploy(spec()).of_type(RECURSION) == []
    run = deploy(spec(recursive_loop="Allow"))
    recursion = run.one(RECURSION)
    assert recursion.inputs == {"functionName": "orders-api", "recursiveLoop": "Allow"}
    assert recursion.deleted_with == run.one(FUNCTION).urn
    refused(spec(recursive_loop="Never"), "recursive_loop", "'Allow' or 'Terminate'")


def test_runtime_management_manual_iff_a_version_arn() -> None:
    manual = {"update_runtime_on": "Manual", "runtime_version_arn": RUNTIME_VERSION}
    run = deploy(spec(runtime_management=manual))
    assert run.one(RUNTIME_MANAGEMENT).inputs == {
        "functionName": "orders-api",
        "updateRuntimeOn": "Manual",
        "runtimeVersionArn": RUNTIME_VERSION,
    }
    refused(spec(runtime_management={"update_runtime_on": "Manual"}),
            "runtime_management.runtime_version_arn", "required")  # fmt: skip
    auto = {"update_runtime_on": "Auto", "runtime_version_arn": RUNTIME_VERSION}
    refused(spec(runtime_management=auto), "runtime_management.runtime_version_arn", "only allowed")
    bad = {"update_runtime_on": "Manual", "runtime_version_arn": "python3.13"}
    refused(spec(runtime_management=bad), "runtime_management.runtime_version_arn", "runtime")


def test_runtime_management_also_on_the_published_version() -> None:
    manual = {"update_runtime_on": "Manual", "runtime_version_arn": RUNTIME_VERSION}
    run = deploy(spec(runtime_management=manual, publish=True))
    function = run.one(FUNCTION)
    latest = run.named("orders-runtime-management", RUNTIME_MANAGEMENT)
    published = run.named("orders-runtime-management-published", RUNTIME_MANAGEMENT)
    assert "qualifier" not in latest.inputs and not latest.retain_on_delete
    # The version this deploy published (the mocks' "1") gets the mode too, and a replaced
    # config (the next version) leaves the older version as it was published.
    assert published.inputs == {**latest.inputs, "qualifier": "1"}
    assert published.retain_on_delete
    assert published.deleted_with == latest.deleted_with == function.urn
    # Without publishing there is only $LATEST.
    assert len(deploy(spec(runtime_management=manual)).of_type(RUNTIME_MANAGEMENT)) == 1


@pytest.mark.parametrize(
    ("resource_type", "path", "replaced"),
    [
        # internal/service/lambda/function.go: none of the new arguments is ForceNew
        (FUNCTION, "fileSystemConfig.arn", False),
        (FUNCTION, "snapStart.applyOn", False),
        (FUNCTION, "codeSigningConfigArn", False),
        (FUNCTION, "sourceKmsKeyArn", False),
        (FUNCTION, "vpcConfig.ipv6AllowedForDualStack", False),
        (FUNCTION, "loggingConfig.applicationLogLevel", False),
        (FUNCTION, "loggingConfig.logGroup", False),
        (FUNCTION, "tenancyConfig.tenantIsolationMode", True),
        (URL, "invokeMode", False),
        (ASYNC, "destinationConfig.onFailure.destination", False),
        (ASYNC, "maximumRetryAttempts", False),
        (ASYNC, "qualifier", True),
        (RUNTIME_MANAGEMENT, "updateRuntimeOn", False),
        (RUNTIME_MANAGEMENT, "qualifier", True),
        (RECURSION, "recursiveLoop", False),
        (PERMISSION, "sourceArn", True),
        (PERMISSION, "principalOrgId", True),
    ],
)
def test_plan_knows_which_new_inputs_replace(resource_type: str, path: str, replaced: bool) -> None:
    assert forces_replacement(resource_type, [path]) == ([path] if replaced else [])


def test_function_url_invoke_mode() -> None:
    url = {"auth_type": "AWS_IAM", "invoke_mode": "RESPONSE_STREAM"}
    assert deploy(spec(function_url=url)).one(URL).inputs["invokeMode"] == "RESPONSE_STREAM"
    default = deploy(spec(function_url={"auth_type": "AWS_IAM"}))
    assert default.one(URL).inputs["invokeMode"] == "BUFFERED"
    refused(spec(function_url={"auth_type": "AWS_IAM", "invoke_mode": "STREAM"}),
            "function_url.invoke_mode")  # fmt: skip


# --- invoke permissions -------------------------------------------------------------------


def test_invoke_permissions_on_the_function_or_an_alias() -> None:
    permissions = [
        {"statement_id": "s3-uploads", "principal": "s3.amazonaws.com",
         "source_arn": "arn:aws:s3:::uploads", "source_account": "123456789012"},
        {"statement_id": "partner", "principal": "210987654321", "alias": "live"},
        {"statement_id": "org-url", "principal": "*", "action": "lambda:InvokeFunctionUrl",
         "function_url_auth_type": "AWS_IAM", "principal_org_id": "o-abcdefghij"},
    ]  # fmt: skip
    run = deploy(spec(aliases=[{"name": "live"}], invoke_permissions=permissions))
    found = {r.inputs["statementId"]: r for r in run.of_type(PERMISSION)}
    s3 = found["s3-uploads"].inputs
    assert s3["action"] == "lambda:InvokeFunction"
    assert (s3["sourceArn"], s3["sourceAccount"]) == ("arn:aws:s3:::uploads", "123456789012")
    assert "qualifier" not in s3
    assert found["partner"].inputs["qualifier"] == "live"
    org = found["org-url"].inputs
    assert (org["principalOrgId"], org["functionUrlAuthType"]) == ("o-abcdefghij", "AWS_IAM")
    assert all(r.deleted_with == run.one(FUNCTION).urn for r in found.values())


def test_invoke_permission_rules() -> None:
    def perms(*items: dict[str, Any], **fields: Any) -> dict[str, Any]:
        return spec(invoke_permissions=list(items), **fields)

    one = {"statement_id": "a", "principal": "sns.amazonaws.com", "source_arn": TOPIC}
    refused(perms(one, one), "invoke_permissions[1].statement_id", "duplicate")
    refused(perms({**one, "alias": "nope"}), "invoke_permissions[0].alias", "not an alias")
    refused(perms({"statement_id": "a", "principal": "*"}), "invoke_permissions[0].principal",
            "source_arn, source_account or principal_org_id")  # fmt: skip
    refused(perms({**one, "function_url_auth_type": "NONE"}),
            "invoke_permissions[0].function_url_auth_type", "lambda:InvokeFunctionUrl")  # fmt: skip
    refused(perms({**one, "statement_id": "bad id"}), "invoke_permissions[0].statement_id")
    refused(perms({**one, "action": "s3:GetObject"}), "invoke_permissions[0].action", "Lambda")
    refused(perms({**one, "source_account": "12345"}), "invoke_permissions[0].source_account")
    refused(perms({**one, "principal_org_id": "org-1"}), "invoke_permissions[0].principal_org_id")
    refused(perms({**one, "source_arn": "uploads"}), "invoke_permissions[0].source_arn", "an ARN")
    public_url = {"auth_type": "NONE", "public": True}
    taken = {**one, "statement_id": "FunctionURLAllowPublicAccess"}
    refused(perms(taken, function_url=public_url), "invoke_permissions[0].statement_id",
            "public function URL")  # fmt: skip
    # AWS's own public-URL statement is the one `*` without a condition.
    url_statement = {"statement_id": "url", "principal": "*", "function_url_auth_type": "NONE"}
    validate_spec(perms({**url_statement, "action": "lambda:InvokeFunctionUrl"}))


def test_public_url_sids_match_the_url_permissions() -> None:
    from planton_lambda.resources.traffic import PUBLIC_ACCESS_SID, PUBLIC_INVOKE_SID
    from planton_lambda.spec.parity import PUBLIC_URL_SIDS

    assert set(PUBLIC_URL_SIDS) == {PUBLIC_ACCESS_SID, PUBLIC_INVOKE_SID}


# --- asynchronous invocation: function level and per alias --------------------------------


def test_async_config_per_function_and_per_alias_with_the_role_on_exactly_those() -> None:
    run = deploy(
        spec(
            async_invoke_config={"maximum_retry_attempts": 0, "on_failure_destination_arn": BUCKET},
            aliases=[
                {"name": "prod", "async_invoke_config": {
                    "maximum_event_age_seconds": 3600,
                    "on_success_destination_arn": QUEUE,
                    "on_failure_destination_arn": TOPIC}},
                {"name": "staging", "async_invoke_config": {
                    "on_success_destination_arn": BUS,
                    "on_failure_destination_arn": OTHER_FUNCTION}},
            ],
        )
    )  # fmt: skip
    configs = {r.inputs.get("qualifier"): r.inputs for r in run.of_type(ASYNC)}
    assert configs[None] == {
        "functionName": "orders-api",
        "maximumRetryAttempts": 0,
        "destinationConfig": {"onFailure": {"destination": BUCKET}},
    }
    assert configs["prod"]["maximumEventAgeInSeconds"] == 3600
    assert configs["prod"]["destinationConfig"] == {
        "onSuccess": {"destination": QUEUE},
        "onFailure": {"destination": TOPIC},
    }
    assert configs["staging"]["destinationConfig"]["onFailure"] == {"destination": OTHER_FUNCTION}
    granted = statements(run)
    assert granted["SendToAsyncQueues"]["Action"] == ["sqs:SendMessage"]
    assert granted["SendToAsyncQueues"]["Resource"] == QUEUE
    assert granted["PublishToAsyncTopics"]["Resource"] == TOPIC
    events = {"Sid": "PutAsyncEvents", "Effect": "Allow", "Action": ["events:PutEvents"]}
    assert granted["PutAsyncEvents"] == {**events, "Resource": BUS}
    assert granted["InvokeAsyncFunctions"]["Resource"] == OTHER_FUNCTION
    assert granted["WriteAsyncFailuresToS3"]["Resource"] == f"{BUCKET}/*"
    assert granted["ListAsyncFailureBuckets"]["Resource"] == BUCKET


def test_no_destination_statements_without_destinations() -> None:
    run = deploy(spec(async_invoke_config={"maximum_retry_attempts": 1}))
    assert set(statements(run)) == {"WriteOwnLogs"}
    assert "destinationConfig" not in run.one(ASYNC).inputs


@pytest.mark.parametrize(
    "config, path, fragment",
    [
        ({"maximum_retry_attempts": 3}, "maximum_retry_attempts", "2"),
        ({"maximum_event_age_seconds": 59}, "maximum_event_age_seconds", "60"),
        ({"maximum_event_age_seconds": 21601}, "maximum_event_age_seconds", "21600"),
        ({"on_success_destination_arn": BUCKET}, "on_success_destination_arn", "on-failure"),
        ({"on_failure_destination_arn": QUEUE + ".fifo"}, "on_failure_destination_arn", "FIFO"),
        ({"on_success_destination_arn": "arn:aws:dynamodb:us-east-1:123456789012:table/t"},
         "on_success_destination_arn", "SQS queue"),
    ],
)  # fmt: skip
def test_async_config_rules_at_both_levels(
    config: dict[str, Any], path: str, fragment: str
) -> None:
    refused(spec(async_invoke_config=config), f"async_invoke_config.{path}", fragment)
    aliased = spec(aliases=[{"name": "prod", "async_invoke_config": config}])
    refused(aliased, f"aliases[0].async_invoke_config.{path}", fragment)


def test_destination_output_checked_once_it_resolves() -> None:
    def program() -> None:
        bad = pulumi.Output.from_input(QUEUE + ".fifo")
        AwsLambda("orders", {**BASE, "async_invoke_config": {"on_failure_destination_arn": bad}})

    with pytest.raises(Exception, match=r"async_invoke_config\.on_failure_destination_arn"):
        run_mocked(program, mocks=LambdaMocks())


def test_created_role_statement_ids_are_reserved() -> None:
    statement = {"Sid": "MountFileSystem", "Effect": "Allow", "Action": "s3:GetObject",
                 "Resource": "*"}  # fmt: skip
    refused(spec(role={"policy_statements": [statement]}), "role.policy_statements[0].Sid",
            "reserved")  # fmt: skip


# --- Planton spellings, region --------------------------------------------------------------


def test_planton_spellings_are_aliases() -> None:
    data = {
        "function_name": "orders-api",
        "s3": {"bucket": {"value": "code-bucket"}, "key": "orders/v1.zip"},
        "runtime": "python3.13",
        "handler": "app.handler",
        "memory_size_mb": 256,
        "subnetIds": ["subnet-0a1b2c3d"],
        "security_group_ids": ["sg-0a1b2c3d"],
        "tracing_mode": "Active",
        "reserved_concurrent_executions": 10,
        "architecture": "arm64",
        "logging_config": {"log_format": "JSON", "applicationLogLevel": "WARN",
                           "log_group": {"value": "/platform/orders"}},
        "function_url": {"authorization_type": "AWS_IAM", "cors": {"max_age_seconds": 60}},
        "publish": True,
        "aliases": [{"name": "live", "function_version": "1",
                     "routing_additional_version_weights": {"2": 0.1}},
                    {"name": "warm", "function_version": "1",
                     "provisioned_concurrent_executions": 2}],
    }  # fmt: skip
    parsed = validate_spec(data)
    assert parsed.code_source_type == "CODE_SOURCE_TYPE_S3"
    assert parsed.s3 is not None and parsed.s3.bucket == "code-bucket"
    assert (parsed.memory_mb, parsed.tracing, parsed.reserved_concurrency) == (256, "Active", 10)
    assert parsed.architecture == "ARM64"
    assert [s.literal for s in parsed.subnets] == ["subnet-0a1b2c3d"]
    assert [s.literal for s in parsed.security_groups] == ["sg-0a1b2c3d"]
    assert (parsed.log_format, parsed.application_log_level) == ("JSON", "WARN")
    assert parsed.log_group is not None and parsed.log_group.literal == "/platform/orders"
    assert parsed.function_url is not None and parsed.function_url.auth_type == "AWS_IAM"
    assert parsed.function_url.cors is not None and parsed.function_url.cors.max_age == 60
    assert parsed.aliases[0].additional_version_weights == {"2": 0.1}
    assert parsed.aliases[1].provisioned_concurrency == 2


def test_both_spellings_of_one_field_are_refused() -> None:
    refused(spec(memory_mb=256, memory_size_mb=512), "memory_mb", "given twice")
    refused(spec(log_format="JSON", logging_config={"log_format": "Text"}), "log_format",
            "given twice")  # fmt: skip
    refused(spec(logging_config={"format": "JSON"}), "logging_config", "unknown fields")


def test_function_name_from_metadata_and_planton_api_version() -> None:
    manifest = """
apiVersion: aws.planton.dev/v1
kind: AwsLambda
metadata: {name: orders-api}
spec:
  region: us-west-2
  roleArn: {value: "arn:aws:iam::123456789012:role/orders"}
  s3: {bucket: {value: code-bucket}, key: orders.zip}
  runtime: nodejs22.x
  handler: index.handler
"""
    parsed = load_manifest(manifest)
    assert (parsed.function_name, parsed.region) == ("orders-api", "us-west-2")
    refused(spec(region="Oregon"), "region")


def test_region_makes_the_stack_programs_provider(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text(
        f"name: planton-lambda\nruntime: python\nmain: {ROOT / 'programs'}\n"
    )
    (tmp_path / "Pulumi.eu.yaml").write_text(
        "config:\n  planton-lambda:spec:\n"
        + "".join(f"    {k}: {json.dumps(v)}\n" for k, v in spec(region="eu-west-1").items())
    )
    run = run_stack_program(tmp_path, "eu")
    (provider,) = run.of_type("pulumi:providers:aws")
    assert provider.inputs["region"] == "eu-west-1"
    component = run.one(COMPONENT)
    assert component.provider.startswith(provider.urn) or run.one(FUNCTION).provider.startswith(
        provider.urn
    )


def test_component_never_makes_a_provider_for_region() -> None:
    run = deploy(spec(region="eu-west-1"))
    assert run.of_type("pulumi:providers:aws") == []


# --- Project Planton's own manifests, as fixtures ---------------------------------------------

PLANTON = Path(__file__).resolve().parent / "fixtures" / "planton"


@pytest.mark.parametrize(
    "fixture, name, memory",
    [
        ("awslambda-demo.planton.yaml", "awslambda-demo", 128),
        ("zip-basic.yaml", "my-zip-lambda", 256),
        ("e2e-minimal.yaml", "planton-oss-e2e-lambda-smoke", 128),
        ("container-basic.yaml", "my-container-lambda", 512),
        ("every-field.planton.yaml", "orders-worker", 1024),
    ],
)
def test_planton_manifests_load(fixture: str, name: str, memory: int) -> None:
    parsed = load_manifest(PLANTON / fixture)
    assert (parsed.function_name, parsed.memory_mb) == (name, memory)
    assert parsed.region is not None


@pytest.mark.parametrize(
    "fixture, path",
    [
        ("zip-basic.planton.yaml", "role_arn.value_from"),
        ("e2e-minimal.planton.yaml", "role_arn.value_from"),
        ("container-basic.planton.yaml", "image_uri"),
    ],
)
def test_planton_originals_say_what_to_convert(fixture: str, path: str) -> None:
    with pytest.raises(SpecError) as caught:
        load_manifest(PLANTON / fixture)
    assert any(p.startswith(f"{path}: ") for p in caught.value.problems), caught.value.problems


def test_converted_reference_reads_the_stack_output() -> None:
    parsed = load_manifest(PLANTON / "zip-basic.yaml")
    assert parsed.role_arn is not None and parsed.role_arn.value_from is not None
    assert (parsed.role_arn.value_from.stack, parsed.role_arn.value_from.output) == (
        "acme/iam/prod",
        "role_arn",
    )


def test_every_planton_field_reaches_aws() -> None:
    parsed = load_manifest(PLANTON / "every-field.planton.yaml")
    run = run_mocked(lambda: AwsLambda("orders-worker", parsed), mocks=LambdaMocks())
    fn = run.one(FUNCTION).inputs
    assert fn["s3ObjectVersion"] == "3HL4kqtJlcpXroDTDmjVBH40Nrjfkd"
    assert (fn["description"], fn["runtime"], fn["handler"]) == (
        "Every Planton field",
        "java21",
        "orders.Handler::handleRequest",
    )
    assert (fn["s3Bucket"], fn["s3Key"]) == ("acme-deployments", "orders-worker/v7.zip")
    assert fn["environment"] == {"variables": {"STAGE": "prod"}}
    assert fn["kmsKeyArn"].endswith(":key/1234abcd-12ab-34cd-56ef-1234567890ab")
    assert fn["deadLetterConfig"] == {"targetArn": "arn:aws:sqs:us-east-1:123456789012:orders-dlq"}
    assert fn["layers"] == ["arn:aws:lambda:us-east-1:123456789012:layer:common:4"]
    assert (fn["publish"], fn["ephemeralStorage"]) == (True, {"size": 512})
    assert fn["role"] == "arn:aws:iam::123456789012:role/orders-worker"
    assert fn["sourceCodeHash"] == "aGVsbG8="
    assert fn["sourceKmsKeyArn"].endswith(":key/1234abcd-12ab-34cd-56ef-1234567890ab")
    assert (fn["architectures"], fn["memorySize"], fn["timeout"]) == (["arm64"], 1024, 60)
    assert fn["vpcConfig"]["ipv6AllowedForDualStack"] is True
    assert fn["vpcConfig"]["subnetIds"] == ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
    assert fn["tracingConfig"] == {"mode": "Active"}
    assert fn["reservedConcurrentExecutions"] == 50
    assert fn["fileSystemConfig"]["localMountPath"] == "/mnt/shared"
    assert fn["loggingConfig"] == {
        "logFormat": "JSON",
        "applicationLogLevel": "INFO",
        "systemLogLevel": "WARN",
        "logGroup": "/platform/orders-worker",
    }
    assert fn["codeSigningConfigArn"].endswith("csc-0123456789abcdefg")
    assert "snapStart" not in fn
    assert run.of_type(LOG_GROUP) == []
    aliases = {a.inputs["name"]: a.inputs for a in run.of_type("aws:lambda/alias:Alias")}
    assert aliases["live"]["routingConfig"] == {"additionalVersionWeights": {"7": 0.1}}
    concurrency = "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig"
    assert run.one(concurrency).inputs["provisionedConcurrentExecutions"] == 2
    url = run.one(URL).inputs
    assert (url["authorizationType"], url["invokeMode"]) == ("AWS_IAM", "RESPONSE_STREAM")
    assert url["cors"]["maxAge"] == 600
    assert {p.inputs["statementId"] for p in run.of_type(PERMISSION)} == {
        "allow-uploads-bucket",
        "allow-org-url",
    }
    config = run.one(ASYNC).inputs
    assert (config["maximumRetryAttempts"], config["maximumEventAgeInSeconds"]) == (1, 3600)
    assert run.one(RECURSION).inputs["recursiveLoop"] == "Allow"
    for config in run.of_type(RUNTIME_MANAGEMENT):  # $LATEST and the published version
        assert config.inputs["updateRuntimeOn"] == "FunctionUpdate"


# --- the JSON Schema (editors) accepts Planton's manifests ---------------------------------


def _schema_errors(document: Any) -> list[str]:
    import jsonschema

    validator = jsonschema.Draft202012Validator(manifest_json_schema())
    return [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    ]


def _fixture(name: str) -> Any:
    return yaml.safe_load((PLANTON / name).read_text())


def test_schema_is_valid_json_schema() -> None:
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(manifest_json_schema())


@pytest.mark.parametrize(
    "fixture",
    [
        "awslambda-demo.planton.yaml",
        "every-field.planton.yaml",
        "zip-basic.yaml",
        "e2e-minimal.yaml",
        "container-basic.yaml",
    ],
)
def test_schema_accepts_the_planton_manifests_that_load(fixture: str) -> None:
    load_manifest(PLANTON / fixture)  # the loader accepts it ...
    assert _schema_errors(_fixture(fixture)) == []  # ... and so does an editor


def test_schema_accepts_planton_spellings_and_ours() -> None:
    document = _fixture("every-field.planton.yaml")
    spec = document["spec"]
    spec["memory_size_mb"] = spec.pop("memorySizeMb")  # snake_case Planton spellings too
    spec["subnet_ids"] = spec.pop("subnetIds")
    spec["invokePermissions"][0]["statement_id"] = spec["invokePermissions"][0].pop("statementId")
    spec["functionUrl"]["authorization_type"] = spec["functionUrl"].pop("authorizationType")
    assert _schema_errors(document) == []
    validate_spec({**spec, "function_name": "orders-worker"})  # the loader agrees


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda s: s.update(memorySizeMB=128), "spec"),  # not a spelling of anything
        (lambda s: s.update(architecture="arm"), "spec.architecture"),
        (lambda s: s["invokePermissions"][0].pop("statementId"), "spec.invokePermissions.0"),
        (lambda s: s["functionUrl"].pop("authorizationType"), "spec.functionUrl"),
        (lambda s: s["loggingConfig"].update(retention=7), "spec.loggingConfig"),
        (lambda s: s["s3"].update(bucket={"name": "b"}), "spec.s3"),
        (
            lambda s: s.update(roleArn={"valueFrom": {"kind": "AwsIamRole", "name": "r"}}),
            "spec.roleArn",
        ),
    ],
)
def test_schema_still_refuses_what_the_loader_refuses(change: Any, path: str) -> None:
    document = _fixture("every-field.planton.yaml")
    change(document["spec"])
    assert any(error.startswith(f"{path}: ") for error in _schema_errors(document))
    with pytest.raises(SpecError):
        validate_spec({**document["spec"], "function_name": "orders-worker"})
