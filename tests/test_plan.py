"""The offline plan: order, any program, stack comparison, replacements, secrets, policies."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from planton_lambda.cli import main
from planton_lambda.cli.plan import (
    Plan,
    PlannedResource,
    compare,
    plan_spec,
    plan_stack,
    render_changes,
    render_tree,
)
from planton_lambda.cli.replacements import FORCE_NEW, forces_replacement

ROOT = Path(__file__).resolve().parent.parent
SPEC: dict[str, Any] = {
    "function_name": "orders-api",
    "code_source_type": "CODE_SOURCE_TYPE_S3",
    "s3": {"bucket": "code-bucket", "key": "orders.zip"},
    "runtime": "python3.13",
    "handler": "app.handler",
    "aliases": [{"name": "live"}],
    "secret_environment": {"API_TOKEN": "tok-very-secret"},
}


def spec(**changes: Any) -> dict[str, Any]:
    return copy.deepcopy(SPEC) | changes


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def manifest(folder: Path, file: str, body: dict[str, Any], name: str = "orders") -> str:
    document = {
        "apiVersion": "aws.project-planton.org/v1",
        "kind": "AwsLambda",
        "metadata": {"name": name},
        "spec": body,
    }
    (folder / file).write_text(yaml.safe_dump(document))
    return str(folder / file)


# -- order -------------------------------------------------------------------------------------


def test_resources_in_construction_order() -> None:
    plan = plan_stack("dev", ROOT)
    assert [(r.type.rsplit(":", 1)[-1], r.name) for r in plan.resources] == [
        ("AwsLambda", "hello-dev"),
        ("LogGroup", "hello-dev-logs"),
        ("Role", "hello-dev-role"),
        ("RolePolicy", "hello-dev-role-policy"),
        ("Function", "hello-dev"),
        ("Alias", "hello-dev-live"),
        ("FunctionUrl", "hello-dev-url"),
    ]


def test_order_does_not_follow_registration_timing() -> None:
    from planton_lambda.testing import RecordedResource, _ConstructionOrder

    order = _ConstructionOrder()
    order.index = {("pulumi:pulumi:Stack$t:a", "a"): 0, ("pulumi:pulumi:Stack$t:b", "b"): 1}

    def recorded(name: str) -> RecordedResource:
        urn = f"urn:pulumi:dev::p::pulumi:pulumi:Stack$t:{name}::{name}"
        return RecordedResource(f"t:{name}", name, urn, {}, "", "", [], True)

    assert [r.name for r in order.sort([recorded("b"), recorded("a")])] == ["a", "b"]


# -- any program -------------------------------------------------------------------------------


PROGRAM = """
import pulumi
from planton_lambda import AwsLambda

config = pulumi.Config()
fn = AwsLambda("api", {
    "function_name": "shop-api",
    "code_source_type": "CODE_SOURCE_TYPE_S3",
    "s3": {"bucket": "code", "key": "api.zip"},
    "runtime": "python3.13",
    "handler": "app.handler",
    "memory_mb": config.get_int("memory") or 128,
    "secret_environment": {"TOKEN": config.require("token")},
})
pulumi.export("url", fn.function_url)
pulumi.export("arn", fn.function_arn)
pulumi.export("token", pulumi.Output.secret(config.require("token")))
"""


def project(folder: Path, stacks: dict[str, dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Pulumi.yaml").write_text(
        yaml.safe_dump(
            {"name": "shop", "runtime": "python", "config": {"memory": {"default": 512}}}
        )
    )
    (folder / "__main__.py").write_text(PROGRAM)
    for name, config in stacks.items():
        (folder / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump({"config": config}))
    return folder


def test_plan_stack_runs_a_users_own_program(tmp_path: Path) -> None:
    root = project(tmp_path, {"dev": {"shop:token": "t-1", "aws:region": "eu-west-1"}})
    plan = plan_stack("dev", root)
    function = next(r for r in plan.resources if r.type == "aws:lambda/function:Function")
    assert function.inputs["memorySize"] == 512  # project-level config default
    assert str(function.inputs["environment"]["variables"]["TOKEN"]) == "[secret]"
    assert plan.outputs["arn"] == "arn:aws:lambda:eu-west-1:<account>:function:shop-api"
    assert str(plan.outputs["token"]) == "[secret]"
    tree = render_tree(plan)
    assert (
        "Outputs:\n" in tree
        and "    token: [secret]" in tree
        and "t-1\n" not in tree
        and ": t-1" not in tree
    )


def test_shared_layer_program_plans(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(
        capsys, "plan", "--stack", "dev", "--project-dir", str(ROOT / "programs" / "shared_layer")
    )
    assert code == 0, err
    assert (
        "+ planton-lambda:index:AwsLambda  orders" in out
        and "+ planton-lambda:index:AwsLambda  payments" in out
    )
    assert "layers: [arn:aws:lambda:us-east-1:<account>:layer:shop-common:(new version)]" in out


def test_unknowns_print_as_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "plan", "--stack", "dev", "--project-dir", str(ROOT), "--json")
    assert code == 0
    stack = json.loads(out)[-1]
    assert (stack["type"], stack["name"]) == ("pulumi:pulumi:Stack", "dev")
    assert stack["outputs"]["function_url"] == "(known after deploy)"
    assert stack["outputs"]["role_arn"] == "(known after deploy)"
    assert stack["outputs"]["function_name"] == "hello-dev"


# -- comparing stacks and manifests --------------------------------------------------------------


def test_against_stack_compares_two_stacks_of_a_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(
        tmp_path,
        {
            "dev": {"shop:token": "t-1"},
            "prod": {"shop:token": "t-2", "shop:memory": 1024},
        },
    )
    argv = ["plan", "--stack", "prod", "--against-stack", "dev", "--project-dir", str(root)]
    code, out, _ = cli(capsys, *argv, "--json", "--detailed-exitcode")
    assert code == 2
    (change,) = json.loads(out)
    assert change["action"] == "update"
    assert change["fields"] == [
        {"path": "environment.variables.TOKEN", "before": "[secret]", "after": "[secret]"},
        {"path": "memorySize", "before": 512, "after": 1024},
    ]
    assert "t-1" not in out and "t-2" not in out
    same = cli(capsys, "plan", "--stack", "dev", "--against-stack", "dev", "--project-dir",
               str(root), "--detailed-exitcode")  # fmt: skip
    assert same[:2] == (0, "no changes\n")


def test_secret_only_change_is_shown_without_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = manifest(tmp_path, "old.yaml", spec())
    new = manifest(tmp_path, "new.yaml", spec(secret_environment={"API_TOKEN": "tok-rotated"}))
    code, out, _ = cli(capsys, "plan", new, "--against", old)
    assert code == 0
    assert "~ aws:lambda/function:Function  orders" in out
    assert "environment.variables.API_TOKEN: [secret] → [secret]" in out
    assert "tok-" not in out
    assert cli(capsys, "plan", old, "--against", old)[1] == "no changes\n"


def test_changing_function_name_replaces_in_place_of_remove_and_add(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = manifest(tmp_path, "old.yaml", spec())
    new = manifest(tmp_path, "new.yaml", spec(function_name="orders-v2"))
    _code, out, _ = cli(capsys, "plan", new, "--against", old, "--json")
    changes = {(c["type"].rsplit(":", 1)[-1], c["name"]): c for c in json.loads(out)}
    assert {c["action"] for c in changes.values()} == {"replace", "update"}
    assert changes[("Function", "orders")]["action"] == "replace"
    assert changes[("Function", "orders")]["replaced_by"] == ["name"]
    assert changes[("LogGroup", "orders-logs")]["action"] == "replace"
    assert changes[("Alias", "orders-live")]["action"] == "replace"
    text = cli(capsys, "plan", new, "--against", old)[1]
    assert "+- aws:lambda/function:Function  orders" in text
    assert "name: orders-api → orders-v2  (forces replacement)" in text
    assert "0 to add" in text and "0 to remove" in text


def test_manifest_and_stack_name_the_component_the_same_way(tmp_path: Path) -> None:
    from planton_lambda.cli import read_manifest
    from planton_lambda.load.stack import MANIFEST_KEY, spec_from_config

    path = manifest(tmp_path, "fn.yaml", spec(), name="orders-service")
    assert read_manifest(path)[0] == "orders-service"
    assert spec_from_config({MANIFEST_KEY: "fn.yaml"}.get, tmp_path).name == "orders-service"
    (tmp_path / "bare.yaml").write_text(yaml.safe_dump(spec()))
    assert read_manifest(str(tmp_path / "bare.yaml"))[0] == "orders-api"


def test_policy_changes_per_statement() -> None:
    before = plan_spec(_validated(spec()))
    after = plan_spec(
        _validated(spec(dead_letter_target_arn={"value": "arn:aws:sqs:us-east-1:123456789012:dlq"}))
    )
    policy = next(c for c in compare(before, after) if c.type.endswith("RolePolicy"))
    (added,) = [f for f in policy.fields if f[1] is None]
    assert added[0].startswith("policy.Statement[")  # labelled by Sid, else effect and actions
    assert "sqs:SendMessage" in added[2]["Action"]
    assert added[2]["Resource"] == "arn:aws:sqs:us-east-1:123456789012:dlq"
    text = render_changes(compare(before, after))
    assert "(none) → Allow sqs:SendMessage on arn:aws:sqs:us-east-1:123456789012:dlq" in text
    assert '"Version"' not in text


def test_policy_statement_with_a_new_resource_is_one_change() -> None:
    def policy(resource: str) -> str:
        statement = {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": resource}
        return json.dumps({"Version": "2012-10-17", "Statement": [statement]})

    def plan(resource: str) -> Plan:
        inputs = {"policy": policy(resource)}
        return Plan([PlannedResource("aws:iam/rolePolicy:RolePolicy", "p", inputs, None)])

    (change,) = compare(plan("arn:a"), plan("arn:b"))
    ((path, was, now),) = change.fields
    assert path == "policy.Statement[Allow s3:GetObject]"
    assert (was["Resource"], now["Resource"]) == ("arn:a", "arn:b")


def _validated(body: dict[str, Any]) -> Any:
    from planton_lambda.spec.function import AwsLambdaSpec

    return AwsLambdaSpec.model_validate(body)


# -- the replacement table ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource_type", "key"), [(t, k) for t, keys in FORCE_NEW.items() for k in sorted(keys)]
)
def test_every_listed_input_forces_replacement(resource_type: str, key: str) -> None:
    assert forces_replacement(resource_type, [key]) == [key]
    assert forces_replacement(resource_type, [f"{key}.nested", f"{key}[0]"]) == [
        f"{key}.nested",
        f"{key}[0]",
    ]


@pytest.mark.parametrize(
    ("resource_type", "key"),
    [
        ("aws:lambda/function:Function", "memorySize"),
        ("aws:lambda/function:Function", "code"),
        ("aws:lambda/function:Function", "environment.variables.A"),
        ("aws:lambda/alias:Alias", "functionVersion"),
        ("aws:lambda/alias:Alias", "routingConfig.additionalVersionWeights.3"),
        ("aws:cloudwatch/logGroup:LogGroup", "retentionInDays"),
        ("aws:iam/role:Role", "assumeRolePolicy"),
        ("aws:iam/rolePolicy:RolePolicy", "policy"),
        ("aws:lambda/functionUrl:FunctionUrl", "authorizationType"),
        ("aws:lambda/functionUrl:FunctionUrl", "cors.allowOrigins"),
        ("aws:lambda/function:Function", "nameSuffix"),  # a prefix of a key is not the key
        ("aws:some/unknown:Type", "anything"),
    ],
)
def test_updates_in_place(resource_type: str, key: str) -> None:
    assert forces_replacement(resource_type, [key]) == []


def test_region_and_replace_on_changes_force_replacement() -> None:
    assert forces_replacement("aws:some/unknown:Type", ["region"]) == ["region"]
    assert forces_replacement("aws:some/unknown:Type", ["a.b", "c"], ["a"]) == ["a.b"]
    assert forces_replacement("aws:some/unknown:Type", ["a", "c"], ["*"]) == ["a", "c"]
