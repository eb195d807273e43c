"""What AWS or the Pulumi engine would refuse in a real `pulumi up` is refused here first.

Each test names the AWS rule it guards; the rule's source is beside it in the code.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import warnings
from typing import Any

import pulumi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from minimal_spec import BASE_SPEC

from planton_lambda import AwsLambda, DeprecatedRuntimeWarning, SpecError, validate_spec
from planton_lambda.resources.role import ROLE_NAME_MAX, ROLE_NAME_SUFFIX
from planton_lambda.spec import runtimes as runtime_table
from planton_lambda.spec.function import AwsLambdaSpec
from planton_lambda.testing import MockRun, run_mocked

BASE = BASE_SPEC
ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/r"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
FUNCTION = "aws:lambda/function:Function"
URL = "aws:lambda/functionUrl:FunctionUrl"
PERMISSION = "aws:lambda/permission:Permission"


def spec(**fields: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data.update(fields)
    return data


def problems(data: Any, today: dt.date | None = None) -> list[str]:
    with pytest.raises(SpecError) as caught:
        _validate(data, today)
    return caught.value.problems


def _validate(data: Any, today: dt.date | None = None) -> AwsLambdaSpec:
    if today is None:
        return validate_spec(data)
    try:
        return AwsLambdaSpec.model_validate(data, context={"today": today})
    except Exception as error:
        from pydantic import ValidationError

        if isinstance(error, ValidationError):
            raise SpecError.from_validation_error(error, AwsLambdaSpec) from None
        raise


def refused(data: Any, path: str, *fragments: str, today: dt.date | None = None) -> str:
    lines = [line for line in problems(data, today) if line.startswith(f"{path}: ")]
    for line in lines:
        if all(fragment in line for fragment in fragments):
            return line
    raise AssertionError(f"no error at {path} with {fragments}: {problems(data, today)}")


def deploy(data: Any, name: str = "orders") -> MockRun[AwsLambda]:
    return run_mocked(lambda: AwsLambda(name, data))


# --- 1. public function URL -----------------------------------------------------------------


def _public_url_run(**url: Any) -> MockRun[AwsLambda]:
    return deploy(
        spec(
            aliases=[{"name": "live"}],
            function_url={"auth_type": "NONE", "public": True, "alias": "live", **url},
        )
    )


def test_public_url_statements_use_the_provider_statement_ids() -> None:
    run = _public_url_run()
    sids = {p.inputs["statementId"]: p for p in run.of_type(PERMISSION)}
    # The ids pulumi-aws >= 7.16 adds itself for an auth-NONE URL: ours must be the same ones,
    # or the provider's untracked copies would stay behind when public access is turned off.
    assert set(sids) == {"FunctionURLAllowPublicAccess", "FunctionURLAllowInvokeAction"}
    access = sids["FunctionURLAllowPublicAccess"].inputs
    assert (access["action"], access["principal"], access["functionUrlAuthType"]) == (
        "lambda:InvokeFunctionUrl",
        "*",
        "NONE",
    )
    invoke = sids["FunctionURLAllowInvokeAction"].inputs
    assert (invoke["action"], invoke["principal"], invoke["invokedViaFunctionUrl"]) == (
        "lambda:InvokeFunction",
        "*",
        True,
    )
    assert {p.inputs["qualifier"] for p in sids.values()} == {"live"}


def test_public_url_is_created_after_its_statements() -> None:
    # Created first, the statements are ours; the provider then finds them in place and adds
    # nothing, so no ResourceConflictException whatever the engine's order would have been.
    run = _public_url_run()
    url = run.one(URL)
    permission_urns = {p.urn for p in run.of_type(PERMISSION)}
    assert permission_urns and permission_urns <= set(url.dependencies)


def test_private_url_has_no_public_statement() -> None:
    run = deploy(spec(function_url={"auth_type": "AWS_IAM"}))
    assert run.of_type(PERMISSION) == []
    assert run.one(URL).inputs["authorizationType"] == "AWS_IAM"


def test_turning_public_access_off_removes_every_star_statement() -> None:
    before = {p.name for p in _public_url_run().of_type(PERMISSION)}
    after = deploy(spec(aliases=[{"name": "live"}], function_url={"auth_type": "AWS_IAM"}))
    # The two statements were resources of the stack: gone from the program, so the engine
    # deletes them (RemovePermission). Nothing else in the program grants "*".
    assert len(before) == 2
    assert {p.name for p in after.of_type(PERMISSION)} == set()
    assert not any(r.inputs.get("principal") == "*" for r in after.resources)


# --- 2. names derived from the spec fit AWS's limits --------------------------------------


def _physical_names(run: MockRun[Any]) -> dict[str, str]:
    names = {}
    for resource in run.resources:
        for key in ("name", "namePrefix", "layerName"):
            if isinstance(resource.inputs.get(key), str):
                names[f"{resource.type}.{key}"] = resource.inputs[key]
    return names


@settings(max_examples=25, deadline=None)
@given(
    function_name=st.text("abcXYZ019_-", min_size=1, max_size=64),
    component_name=st.text("abc-", min_size=1, max_size=300),
)
def test_every_derived_name_fits_for_any_accepted_name(
    function_name: str, component_name: str
) -> None:
    run = deploy(spec(function_name=function_name), name=component_name)
    names = _physical_names(run)
    prefix = names["aws:iam/role:Role.namePrefix"]
    # The provider appends a 26-character unique suffix to a name_prefix (IAM: 64 at most).
    assert len(prefix) + ROLE_NAME_SUFFIX <= ROLE_NAME_MAX
    assert prefix.startswith(function_name[:10])
    assert len(names["aws:iam/rolePolicy:RolePolicy.name"]) <= 128
    assert len(names["aws:cloudwatch/logGroup:LogGroup.name"]) <= 512
    assert names[f"{FUNCTION}.name"] == function_name
    # The component's own name never becomes a physical name: any length is fine.
    assert not any(component_name in value and len(value) > 64 for value in names.values())


def test_role_is_not_auto_named_from_the_resource_name() -> None:
    role = deploy(spec(function_name="f" * 64), name="n" * 80).one("aws:iam/role:Role")
    assert "name" not in role.inputs
    assert role.inputs["namePrefix"] == "f" * 37 + "-"


# --- 3. runtimes AWS blocks ---------------------------------------------------------------


def test_runtime_dates_follow_aws_table() -> None:
    python311 = runtime_table.lookup("python3.11")
    assert python311 is not None
    assert (python311.deprecation, python311.block_create, python311.block_update) == (
        dt.date(2027, 6, 30),
        dt.date(2027, 7, 31),
        dt.date(2027, 8, 31),
    )
    for runtime in runtime_table.RUNTIMES.values():
        assert runtime.deprecation <= runtime.block_create <= runtime.block_update, runtime
        if runtime.successor is not None:
            successor = runtime_table.lookup(runtime.successor)
            assert successor is not None and successor.deprecation >= runtime.deprecation


def test_runtime_before_deprecation_is_accepted_quietly() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _validate(spec(runtime="python3.11"), dt.date(2027, 6, 29))


def test_deprecated_runtime_warns_with_its_dates_and_successor() -> None:
    with pytest.warns(DeprecatedRuntimeWarning) as caught:
        _validate(spec(runtime="python3.11"), dt.date(2027, 6, 30))
    message = str(caught[0].message)
    for fragment in ("python3.11", "2027-06-30", "2027-07-31", "2027-08-31", "python3.14"):
        assert fragment in message


def test_runtime_past_block_create_is_refused_unless_acknowledged() -> None:
    on = dt.date(2027, 7, 31)
    line = refused(
        spec(runtime="python3.11"), "runtime", "cannot be used for a new function", today=on
    )
    assert "runtime_block_acknowledged: true" in line and "2027-07-31" in line
    with pytest.warns(DeprecatedRuntimeWarning):
        parsed = _validate(spec(runtime="python3.11", runtime_block_acknowledged=True), on)
    assert parsed.runtime == "python3.11"


def test_runtime_past_block_update_is_refused_even_when_acknowledged() -> None:
    data = spec(runtime="python3.11", runtime_block_acknowledged=True)
    line = refused(data, "runtime", "can no longer be deployed", today=dt.date(2027, 8, 31))
    assert "move to python3.14" in line


def test_today_defaults_to_the_real_date() -> None:
    # nodejs18.x: deprecated 2025-09-01, creates blocked from 2027-02-01.
    with pytest.warns(DeprecatedRuntimeWarning, match="nodejs18.x"):
        assert validate_spec(spec(runtime="nodejs18.x")).runtime == "nodejs18.x"


def test_layer_runtimes_warn_but_are_not_blocked() -> None:
    layer = {
        "name": "deps",
        "code_source_type": "CODE_SOURCE_TYPE_S3",
        "s3": {"bucket": "code-bucket", "key": "deps.zip"},
        "compatible_runtimes": ["python3.9"],
    }
    with pytest.warns(DeprecatedRuntimeWarning, match="python3.9"):
        _validate(spec(layers=[layer]), dt.date(2027, 2, 2))


# --- 4. fixed physical names are replaced delete-first -------------------------------------


def test_named_resources_are_replaced_delete_first() -> None:
    run = deploy(spec(aliases=[{"name": "live"}]))
    by_type = {r.type: r for r in run.resources}
    assert by_type[FUNCTION].delete_before_replace
    assert by_type["aws:cloudwatch/logGroup:LogGroup"].delete_before_replace
    # A name_prefix makes the role's name unique: its replacement can be created first.
    assert not by_type["aws:iam/role:Role"].delete_before_replace


# --- 5. CORS ----------------------------------------------------------------------------------


def _cors(**cors: Any) -> dict[str, Any]:
    return spec(function_url={"auth_type": "AWS_IAM", "cors": cors})


def test_cors_options_method_is_refused_with_the_reason() -> None:
    line = refused(_cors(allow_methods=["GET", "OPTIONS"]), "function_url.cors.allow_methods",
                   "['OPTIONS']", "answered by the URL itself")  # fmt: skip
    assert "GET, PUT, HEAD, POST, PATCH, DELETE, *" in line


def test_cors_lists_follow_aws_bounds() -> None:
    refused(_cors(allow_origins=["https://x"] * 101), "function_url.cors.allow_origins")
    refused(_cors(allow_origins=["h" * 254]), "function_url.cors.allow_origins[0]")
    refused(_cors(allow_headers=["h" * 1025]), "function_url.cors.allow_headers[0]")
    refused(_cors(expose_headers=["x"] * 101), "function_url.cors.expose_headers")
    refused(
        _cors(allow_methods=["GET", "get"]), "function_url.cors.allow_methods", "more than once"
    )
    refused(_cors(max_age=86401), "function_url.cors.max_age")
    methods = ["GET", "PUT", "HEAD", "POST", "PATCH", "DELETE"]
    parsed = _validate(_cors(allow_methods=[m.lower() for m in methods], allow_origins=["h" * 253]))
    assert parsed.function_url is not None and parsed.function_url.cors is not None
    assert parsed.function_url.cors.allow_methods == methods


# --- 6. provisioned concurrency within the reservation --------------------------------------


def test_provisioned_concurrency_over_reserved_is_refused() -> None:
    aliases = [
        {"name": "live", "function_version": "current", "provisioned_concurrency": 3},
        {"name": "beta", "function_version": "current", "provisioned_concurrency": 2},
    ]
    line = refused(spec(aliases=aliases, reserved_concurrency=4), "reserved_concurrency",
                   "(5; live: 3, beta: 2)", "at least 5")  # fmt: skip
    assert line
    assert _validate(spec(aliases=aliases, reserved_concurrency=5)).reserved_concurrency == 5
    assert _validate(spec(aliases=aliases)).reserved_concurrency is None


# --- 7. whole-value patterns ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"function_name": "orders\n"}, "function_name"),
        ({"role_arn": ROLE_ARN + "\n"}, "role_arn"),
        ({"kms_key_arn": KEY_ARN + "\n"}, "kms_key_arn"),
        ({"dead_letter_target_arn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:q\n"},
         "dead_letter_target_arn"),
        ({"layer_arns": [f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:l:1\n"]}, "layer_arns[0]"),
        ({"subnets": ["subnet-1\n"], "security_groups": ["sg-1"]}, "subnets[0]"),
        ({"subnets": ["subnet-1"], "security_groups": ["sg-1\n"]}, "security_groups[0]"),
        ({"environment": {"KEY\n": "v"}}, "environment"),
        ({"secret_environment": {"KEY\n": "v"}}, "secret_environment"),
        ({"aliases": [{"name": "live\n"}]}, "aliases[0].name"),
        ({"aliases": [{"name": "live", "function_version": "3\n"}]}, "aliases[0].function_version"),
        ({"aliases": [{"name": "live", "function_version": "3",
                       "additional_version_weights": {"4\n": 0.1}}]},
         "aliases[0].additional_version_weights"),
        ({"code_source_type": "CODE_SOURCE_TYPE_IMAGE", "s3": None, "runtime": None,
          "handler": None,
          "image_uri": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app:v1\n"}, "image_uri"),
        ({"handler": "app.handler\n"}, "handler"),
        ({"tags": {"team": "a\n"}}, "tags"),
        ({"tags": {"team\n": "a"}}, "tags"),
        ({"role": {"managed_policy_arns": ["arn:aws:iam::aws:policy/P\n"]}},
         "role.managed_policy_arns[0]"),
        ({"role": {"permissions_boundary_arn": "arn:aws:iam::aws:policy/P\n"}},
         "role.permissions_boundary_arn"),
        ({"role": {"policy_statements": [
            {"Effect": "Allow", "Action": "s3:GetObject\n", "Resource": "*"}]}},
         "role.policy_statements[0].Action"),
        ({"role": {"policy_statements": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*\n"}]}},
         "role.policy_statements[0].Resource"),
        ({"role": {"policy_statements": [
            {"Sid": "Read\n", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}},
         "role.policy_statements[0].Sid"),
    ],
)  # fmt: skip
def test_trailing_newline_is_refused_everywhere(fields: dict[str, Any], path: str) -> None:
    assert any(line.startswith(f"{path}: ") for line in problems(spec(**fields))), path


@pytest.mark.parametrize(
    ("statement", "fragment"),
    [
        ({"Resource": [""]}, "are not resources"),
        ({"Resource": []}, "at least one resource"),
        ({"Resource": "table/orders"}, "are not resources"),
        ({"Condition": {}}, "empty Condition"),
        ({"Condition": {"StringEqual": {"aws:SourceAccount": ACCOUNT}}}, "not an IAM condition"),
        ({"Condition": {"StringEquals": {"aws:SourceAccount": None}}}, "a value is a string"),
        ({"Condition": {"StringEquals": {"aws:SourceAccount": []}}}, "a value is a string"),
        ({"Condition": {"StringEquals": {"aws:SourceAccount": {"a": 1}}}}, "a value is a string"),
        ({"Condition": {"StringEquals": {" aws:SourceAccount": ACCOUNT}}}, "empty or padded"),
        ({"Condition": {"StringEquals": {}}}, "no condition keys"),
        ({"Sid": "read-orders"}, "letters and digits"),
    ],
)
def test_policy_statement_rules(statement: dict[str, Any], fragment: str) -> None:
    base = {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}
    data = spec(role={"policy_statements": [{**base, **statement}]})
    assert any(fragment in line for line in problems(data)), problems(data)


def test_policy_statement_conditions_and_arns_that_iam_accepts() -> None:
    statement = {
        "Sid": "ReadOrders1",
        "Effect": "Allow",
        "Action": ["dynamodb:GetItem"],
        "Resource": ["arn:aws:s3:::bucket/*", "arn:aws:dynamodb:*:*:table/${aws:PrincipalTag/t}"],
        "Condition": {
            "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a*", "b"]},
            "Bool": {"aws:SecureTransport": True},
            "NumericLessThan": {"s3:max-keys": 10},
            "Null": {"aws:TokenIssueTime": "false"},
        },
    }
    parsed = _validate(spec(role={"policy_statements": [statement]}))
    assert parsed.role is not None
    assert parsed.role.policy_statements[0].document()["Condition"] == statement["Condition"]


def test_statement_ids_are_unique_and_not_the_execution_policy_s() -> None:
    read = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    data = spec(role={"policy_statements": [{"Sid": "A", **read}, {"Sid": "A", **read},
                                            {"Sid": "WriteOwnLogs", **read}]})  # fmt: skip
    lines = problems(data)
    assert any(line.startswith("role.policy_statements[1].Sid: duplicate") for line in lines)
    assert any(line.startswith("role.policy_statements[2].Sid: 'WriteOwnLogs'") for line in lines)


# --- 8. KMS alias ARNs ----------------------------------------------------------------------


def test_kms_alias_arn_is_refused_naming_the_field() -> None:
    alias_arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/lambda"
    line = refused(spec(kms_key_arn=alias_arn), "kms_key_arn", "not an alias ARN")
    assert "key/<key-id>" in line
    assert _validate(spec(kms_key_arn=KEY_ARN)).kms_key_arn is not None


def test_kms_grant_is_on_the_key_arn() -> None:
    run = deploy(spec(kms_key_arn=KEY_ARN))
    policy = json.loads(run.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    decrypt = [s for s in policy["Statement"] if s["Action"] == ["kms:Decrypt"]]
    assert [s["Resource"] for s in decrypt] == [KEY_ARN]


# --- 9. values from other resources (Python) -------------------------------------------------


def test_environment_and_tag_values_may_be_outputs() -> None:
    def program() -> AwsLambda:
        table = pulumi.Output.from_input("orders-table")
        token = pulumi.Output.secret("tok-123")
        image_role = pulumi.Output.from_input("arn:aws:s3:::b/*")
        return AwsLambda(
            "orders",
            spec(
                environment={"TABLE": table, "STAGE": "dev"},
                secret_environment={"TOKEN": token, "OTHER": "plain-secret"},
                tags={"table": table},
                role={"policy_statements": [
                    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": [image_role]}]},
            ),
        )  # fmt: skip

    run = run_mocked(program)
    function = run.one(FUNCTION)
    variables = function.inputs["environment"]["variables"]
    assert variables == {
        "TABLE": "orders-table",
        "STAGE": "dev",
        "TOKEN": "tok-123",
        "OTHER": "plain-secret",
    }
    assert function.is_secret("environment.variables.TOKEN")
    assert function.is_secret("environment.variables.OTHER")
    assert not function.is_secret("environment.variables.TABLE")
    assert function.inputs["tags"] == {"table": "orders-table"}
    policy = json.loads(run.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    assert policy["Statement"][-1]["Resource"] == ["arn:aws:s3:::b/*"]


def test_output_values_are_checked_once_known() -> None:
    big = pulumi.Output.from_input  # evaluated inside the program, on its event loop

    with pytest.raises(Exception, match=r"environment: .*total 4099 bytes; Lambda allows 4096"):
        run_mocked(lambda: AwsLambda("f", spec(environment={"AB": big("x" * 4094)},
                                                secret_environment={"CD": "y"})))  # fmt: skip
    with pytest.raises(Exception, match=r"tags\.team: .*at most 256"):
        run_mocked(lambda: AwsLambda("f", spec(tags={"team": big("t" * 257)})))


def test_known_values_are_checked_before_anything_registers() -> None:
    registered: list[str] = []

    def program() -> None:
        try:
            AwsLambda("f", spec(tags={"team": "a\n"}))
        except SpecError as error:
            registered.append(str(error))

    run = run_mocked(program)
    assert run.resources == [] and "tags" in registered[0]


def test_non_string_values_are_refused() -> None:
    lines = problems(spec(environment={"PORT": 5432}, tags={"n": 1}, secret_environment={"T": 1}))
    assert any(line.startswith("environment.PORT: must be a string") for line in lines)
    assert any(line.startswith("tags.n: must be a string") for line in lines)
    assert any(line.startswith("secret_environment.T: must be a string") for line in lines)


def test_image_uri_may_be_an_output_checked_once_known() -> None:
    image = {"code_source_type": "CODE_SOURCE_TYPE_IMAGE", "s3": None, "runtime": None,
             "handler": None}  # fmt: skip
    good = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app:v1"
    run = run_mocked(
        lambda: AwsLambda("img", spec(**image, image_uri=pulumi.Output.from_input(good)))
    )
    assert run.one(FUNCTION).inputs["imageUri"] == good
    with pytest.raises(Exception, match=r"image_uri: must be an ECR image URI"):
        run_mocked(
            lambda: AwsLambda("img", spec(**image, image_uri=pulumi.Output.from_input("nginx")))
        )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"role_arn": "not-a-role"}, r"role_arn: must be an IAM role ARN"),
        ({"kms_key_arn": f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/x"},
         r"kms_key_arn: must be a KMS key ARN"),
        ({"layer_arns": ["nope"]}, r"layer_arns\[0\]: must be a layer version ARN"),
        ({"subnets": ["subnet-1", "vpc-1"], "security_groups": ["sg-1"]},
         r"subnets\[1\]: must be a subnet ID"),
    ],
)  # fmt: skip
def test_reference_outputs_are_checked_once_known(fields: dict[str, Any], message: str) -> None:
    def program() -> AwsLambda:
        wrapped = {
            key: [pulumi.Output.from_input(v) for v in value]
            if isinstance(value, list)
            else pulumi.Output.from_input(value)
            for key, value in fields.items()
        }
        return AwsLambda("f", spec(**wrapped))

    with pytest.raises(Exception, match=message):
        run_mocked(program)


def test_stack_outputs_are_checked_once_known() -> None:
    from planton_lambda.testing import LambdaMocks

    ref = {"value_from": {"stack": "acme/iam/prod", "output": "role"}}
    good = LambdaMocks(stack_outputs={"acme/iam/prod": {"role": ROLE_ARN}})
    run = run_mocked(lambda: AwsLambda("f", spec(role_arn=ref)), mocks=good)
    assert run.one(FUNCTION).inputs["role"] == ROLE_ARN
    bad = LambdaMocks(stack_outputs={"acme/iam/prod": {"role": "arn:aws:iam::1:user/u"}})
    with pytest.raises(Exception, match=r"role_arn: must be an IAM role ARN"):
        run_mocked(lambda: AwsLambda("f", spec(role_arn=ref)), mocks=bad)


def test_policy_resource_outputs_are_checked_once_known() -> None:
    def program(resource: str) -> Any:
        statement = {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": [pulumi.Output.from_input(resource)],
        }
        return lambda: AwsLambda("f", spec(role={"policy_statements": [statement]}))

    run_mocked(program("arn:aws:s3:::b/*"))
    with pytest.raises(Exception, match=r"role\.policy_statements\[0\]\.Resource: is not a"):
        run_mocked(program(""))


def test_offline_plan_leaves_placeholders_unchecked() -> None:
    from planton_lambda.cli.plan import plan_spec

    # A stack output the plan cannot know shows as a placeholder, not as a refusal.
    data = spec(role_arn={"value_from": {"stack": "acme/iam/prod", "output": "role"}})
    resources = plan_spec(validate_spec(data)).resources
    function = next(r for r in resources if r.type == FUNCTION)
    assert "acme/iam/prod" in str(function.inputs["role"])
