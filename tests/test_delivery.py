"""Progressive delivery: the spec's rules, the resource graph, rollouts, retention, the CLI."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from minimal_spec import BASE_SPEC

from planton_lambda import AwsLambda, SpecError
from planton_lambda.load.manifest import validate_spec
from planton_lambda.rollout import codedeploy, retention
from planton_lambda.rollout.clients import region_of
from planton_lambda.rollout.codedeploy import Deployer, Rollout, RolloutError
from planton_lambda.rollout.provider import RolloutProvider
from planton_lambda.spec.delivery import custom_config_name, deployment_group_name
from planton_lambda.testing import LambdaMocks, MockRun, run_mocked

ALIAS = "aws:lambda/alias:Alias"
APPLICATION = "aws:codedeploy/application:Application"
GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup"
CONFIG = "aws:codedeploy/deploymentConfig:DeploymentConfig"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLLOUT = "pulumi-python:dynamic/planton-lambda:Rollout"
RETENTION = "pulumi-python:dynamic/planton-lambda:VersionRetention"
COMPONENT = "planton-lambda:index:AwsLambda"
TOPIC = "arn:aws:sns:us-east-1:123456789012:ops"
HOOK_ARN = "arn:aws:lambda:us-east-1:123456789012:function:orders-smoke"

BASE = BASE_SPEC


def spec(deployment: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    alias: dict[str, Any] = {"name": "live"}
    if deployment is not None:
        alias["deployment"] = deployment
    data["aliases"] = [alias]
    data.update(copy.deepcopy(fields))
    return data


def refused(data: Any, path: str, *fragments: str) -> None:
    with pytest.raises(SpecError) as caught:
        validate_spec(data)
    found = [p for p in caught.value.problems if p.startswith(f"{path}: ")]
    assert found, f"no problem at {path}: {caught.value.problems}"
    for fragment in fragments:
        assert any(fragment in p for p in found), (fragment, found)


def deploy(data: dict[str, Any]) -> MockRun[Any]:
    return run_mocked(lambda: AwsLambda("orders", data), mocks=LambdaMocks(published_version="7"))


# --- the spec ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given, config",
    [
        ("Canary10Percent5Minutes", "CodeDeployDefault.LambdaCanary10Percent5Minutes"),
        ("CodeDeployDefault.LambdaLinear10PercentEvery1Minute", None),
        ("AllAtOnce", "CodeDeployDefault.LambdaAllAtOnce"),
    ],
)
def test_predefined_strategies_short_or_full(given: str, config: str | None) -> None:
    deployment = validate_spec(spec({"strategy": given})).aliases[0].deployment
    assert deployment is not None
    expected = config or given
    assert deployment.resolved_strategy().config_name == expected


@pytest.mark.parametrize(
    "given, kind, percentage, interval",
    [
        ("Canary25Percent15Minutes", "canary", 25, 15),
        ("Linear20PercentEvery1Minute", "linear", 20, 1),
        ({"type": "linear", "percentage": 5, "interval_minutes": 3}, "linear", 5, 3),
    ],
)
def test_custom_strategies(given: Any, kind: str, percentage: int, interval: int) -> None:
    deployment = validate_spec(spec({"strategy": given})).aliases[0].deployment
    assert deployment is not None
    strategy = deployment.resolved_strategy()
    assert (strategy.kind, strategy.percentage, strategy.interval_minutes) == (
        kind,
        percentage,
        interval,
    )
    assert strategy.config_name is None


@pytest.mark.parametrize(
    "strategy, path, fragment",
    [
        ("Canary5Percent", "aliases[0].deployment.strategy", "unknown strategy"),
        ("Linear10Percent5Minutes", "aliases[0].deployment.strategy", "Canary10Percent5Minutes"),
        (
            {"type": "canary", "percentage": 100, "interval_minutes": 5},
            "aliases[0].deployment.strategy.percentage",
            "99",
        ),
        (
            {"type": "linear", "percentage": 0, "interval_minutes": 5},
            "aliases[0].deployment.strategy.percentage",
            "1",
        ),
        (
            {"type": "canary", "percentage": 10, "interval_minutes": 0},
            "aliases[0].deployment.strategy.interval_minutes",
            "1",
        ),
        (
            {"type": "blue", "percentage": 10, "interval_minutes": 1},
            "aliases[0].deployment.strategy.type",
            "canary",
        ),
        ("Linear1PercentEvery60Minutes", "aliases[0].deployment.strategy", "48 hours"),
    ],
)
def test_bad_strategies_are_refused(strategy: Any, path: str, fragment: str) -> None:
    refused(spec({"strategy": strategy, "wait": False}), path, fragment)


def test_hooks_must_be_functions() -> None:
    refused(
        spec({"strategy": "AllAtOnce", "before_allow_traffic_hook": "arn:aws:s3:::bucket"}),
        "aliases[0].deployment.before_allow_traffic_hook",
        "Lambda function name",
    )
    refused(
        spec({"strategy": "AllAtOnce", "after_allow_traffic_hook": f"{HOOK_ARN}:live"}),
        "aliases[0].deployment.after_allow_traffic_hook",
        "unqualified ARN",
    )
    refused(
        spec({"strategy": "AllAtOnce", "after_allow_traffic_hook": "orders-api"}),
        "aliases[0].deployment.after_allow_traffic_hook",
        "separate validation function",
    )


def test_deployment_needs_the_current_version_without_weights() -> None:
    latest = spec({"strategy": "AllAtOnce"})
    latest["aliases"][0]["function_version"] = "$LATEST"
    refused(latest, "aliases[0].deployment", "function_version: current", "$LATEST")
    weighted = spec({"strategy": "AllAtOnce"})
    weighted["aliases"][0].update(function_version="3", additional_version_weights={"current": 0.1})
    refused(weighted, "aliases[0].deployment", "additional_version_weights")
    refused(spec({"strategy": "AllAtOnce"}, publish=False), "aliases[0]", "publish")


def test_alarm_limit_and_timeout() -> None:
    many = {"strategy": "AllAtOnce", "alarms": [f"a{i}" for i in range(9)]}
    many["rollback_alarms"] = {"throttles": True}
    refused(spec(many), "aliases[0].deployment.alarms", "at most 10", "make 11")
    slow = {"strategy": "Linear10PercentEvery10Minutes", "timeout_minutes": 60}
    refused(spec(slow), "aliases[0].deployment.timeout_minutes", "90 minutes")
    assert validate_spec(spec({**slow, "wait": False})).aliases[0].deployment is not None


def test_keep_versions_and_monitoring_rules() -> None:
    refused(spec(keep_versions=0), "keep_versions", "at least 1")
    refused(spec(keep_versions=2, publish=False, aliases=[]), "keep_versions", "publish")
    refused(
        spec(monitoring={"notify_topic_arns": [TOPIC]}), "monitoring.alarms", "at least one alarm"
    )
    refused(
        spec(monitoring={"alarms": {"errors": 1}, "notify_topic_arns": ["ops"]}),
        "monitoring.notify_topic_arns[0]",
        "SNS topic ARN",
    )
    refused(spec(monitoring={"alarms": {"errors": 0}}), "monitoring.alarms.errors")


# --- the resource graph ---------------------------------------------------------------------


def full_spec() -> dict[str, Any]:
    return spec(
        {
            "strategy": "Canary20Percent5Minutes",
            "alarms": ["orders-latency"],
            "rollback_alarms": {"errors": True, "duration_p99_ms": 2000},
            "before_allow_traffic_hook": "orders-smoke",
            "after_allow_traffic_hook": HOOK_ARN,
            "timeout_minutes": 30,
        },
        keep_versions=3,
        monitoring={
            "alarms": {"throttles": 5, "evaluation_minutes": 5},
            "notify_topic_arns": [TOPIC],
        },
    )


def test_every_delivery_resource_is_a_child_of_the_component() -> None:
    run = deploy(full_spec())
    component = run.one(COMPONENT).urn
    for typ in (APPLICATION, GROUP, CONFIG, ALARM, ROLLOUT, RETENTION):
        for resource in run.of_type(typ):
            assert resource.parent == component, (typ, resource.name)
    assert len(run.of_type(APPLICATION)) == 1
    assert run.one(APPLICATION).inputs == {"name": "orders-api", "computePlatform": "Lambda"}
    assert run.one(APPLICATION).delete_before_replace


def test_the_alias_leaves_its_version_to_codedeploy() -> None:
    run = deploy(full_spec())
    alias = run.one(ALIAS)
    assert alias.ignore_changes == ("functionVersion", "routingConfig")
    # The first deploy points the alias straight at the new version.
    assert alias.inputs["functionVersion"] == "7"
    assert "routingConfig" not in alias.inputs
    plain = deploy(spec())
    assert plain.one(ALIAS).ignore_changes == ()


def test_deployment_group_shifts_blue_green_and_rolls_back_on_alarm() -> None:
    run = deploy(full_spec())
    group = run.one(GROUP).inputs
    assert group["appName"] == "orders-api"
    assert group["deploymentGroupName"] == "live"
    assert group["deploymentStyle"] == {
        "deploymentType": "BLUE_GREEN",
        "deploymentOption": "WITH_TRAFFIC_CONTROL",
    }
    assert group["autoRollbackConfiguration"]["enabled"] is True
    assert set(group["autoRollbackConfiguration"]["events"]) == {
        "DEPLOYMENT_FAILURE",
        "DEPLOYMENT_STOP_ON_ALARM",
        "DEPLOYMENT_STOP_ON_REQUEST",
    }
    assert group["alarmConfiguration"] == {
        "enabled": True,
        "alarms": [
            "orders-latency",
            "orders-api-live-errors-rollback",
            "orders-api-live-duration-p99-rollback",
        ],
    }
    config = run.one(CONFIG).inputs
    assert group["deploymentConfigName"] == config["deploymentConfigName"]
    assert config["computePlatform"] == "Lambda"
    assert config["trafficRoutingConfig"] == {
        "type": "TimeBasedCanary",
        "timeBasedCanary": {"percentage": 20, "interval": 5},
    }
    assert run.one(GROUP).delete_before_replace


def test_predefined_strategy_creates_no_config_and_no_alarm_event_without_alarms() -> None:
    deployment = {"strategy": "Linear10PercentEvery1Minute", "rollback_alarms": {"errors": False}}
    run = deploy(spec(deployment))
    assert run.of_type(CONFIG) == []
    group = run.one(GROUP).inputs
    assert group["deploymentConfigName"] == "CodeDeployDefault.LambdaLinear10PercentEvery1Minute"
    assert "alarmConfiguration" not in group
    assert "DEPLOYMENT_STOP_ON_ALARM" not in group["autoRollbackConfiguration"]["events"]


def test_rollback_alarms_watch_the_alias() -> None:
    run = deploy(full_spec())
    errors = run.named("orders-live-errors-rollback", ALARM).inputs
    assert errors["namespace"] == "AWS/Lambda"
    assert errors["metricName"] == "Errors"
    assert errors["dimensions"] == {"FunctionName": "orders-api", "Resource": "orders-api:live"}
    assert errors["statistic"] == "Sum"
    assert errors["threshold"] == 1
    assert errors["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
    duration = run.named("orders-live-duration-p99-rollback", ALARM).inputs
    assert duration["extendedStatistic"] == "p99"
    assert duration["threshold"] == 2000
    assert "statistic" not in duration


def test_monitoring_alarms_on_the_function_and_each_alias_notify_topics() -> None:
    run = deploy(full_spec())
    function_alarm = run.named("orders-throttles-alarm", ALARM).inputs
    alias_alarm = run.named("orders-live-throttles-alarm", ALARM).inputs
    assert function_alarm["dimensions"] == {"FunctionName": "orders-api"}
    assert alias_alarm["dimensions"]["Resource"] == "orders-api:live"
    for alarm in (function_alarm, alias_alarm):
        assert alarm["alarmActions"] == [TOPIC]
        assert alarm["period"] == 300
        assert alarm["evaluationPeriods"] == 1
        assert alarm["threshold"] == 5


def test_service_role_is_codedeploys_with_invoke_on_the_hooks_only() -> None:
    run = deploy(full_spec())
    role = run.named("orders-codedeploy-role", ROLE).inputs
    trust = json.loads(role["assumeRolePolicy"])
    assert trust["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "codedeploy.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ]
    attachment = run.named("orders-codedeploy-lambda", ATTACHMENT).inputs
    assert attachment["policyArn"] == (
        "arn:aws:iam::aws:policy/service-role/AWSCodeDeployRoleForLambda"
    )
    policy = json.loads(run.named("orders-codedeploy-hooks", ROLE_POLICY).inputs["policy"])
    assert policy["Statement"] == [
        {
            "Sid": "InvokeDeploymentHooks",
            "Effect": "Allow",
            "Action": "lambda:InvokeFunction",
            "Resource": [HOOK_ARN],
        }
    ]
    # Without hooks: the managed policy only.
    bare = deploy(spec({"strategy": "AllAtOnce"}))
    assert [r.name for r in bare.of_type(ROLE_POLICY) if "codedeploy" in r.name] == []


def test_rollout_deploys_the_published_version_after_the_alias_and_group() -> None:
    run = deploy(full_spec())
    rollout = run.one(ROLLOUT)
    inputs = rollout.inputs
    assert inputs["function_name"] == "orders-api"
    assert inputs["alias"] == "live"
    assert inputs["target_version"] == "7"
    assert inputs["application"] == "orders-api"
    assert inputs["deployment_group"] == "live"
    assert inputs["hooks"] == {
        "BeforeAllowTraffic": "orders-smoke",
        "AfterAllowTraffic": "orders-smoke",
    }
    assert inputs["wait"] is True
    assert inputs["timeout_minutes"] == 30
    assert region_of(inputs["function_arn"]) == "us-east-1"
    for dependency in (run.one(ALIAS), run.one(GROUP), run.named("orders-codedeploy-lambda")):
        assert dependency.urn in rollout.dependencies
    retention_deps = run.one(RETENTION).dependencies
    assert rollout.urn in retention_deps
    assert run.one(RETENTION).inputs["keep"] == 3
    assert run.one(RETENTION).inputs["groups"] == [["orders-api", "live"]]


def test_no_delivery_resources_without_the_fields() -> None:
    run = deploy(spec())
    for typ in (APPLICATION, GROUP, CONFIG, ALARM, ROLLOUT, RETENTION):
        assert run.of_type(typ) == []


def test_names_fit_codedeploy() -> None:
    long_alias = "a" * 128
    assert len(deployment_group_name(long_alias)) == 100
    assert deployment_group_name(long_alias) != deployment_group_name("a" * 127 + "b")
    deployment = validate_spec(spec({"strategy": "Linear15PercentEvery2Minutes"})).aliases[0]
    assert deployment.deployment is not None
    strategy = deployment.deployment.resolved_strategy()
    assert custom_config_name("f", "live", strategy) == "f-live-Linear15PercentEvery2Minutes"
    assert len(custom_config_name("f" * 64, long_alias, strategy)) <= 100


# --- the rollout (botocore's Stubber) -------------------------------------------------------

ROLL = Rollout(
    function_name="orders-api",
    alias="live",
    target_version="8",
    application="orders-api",
    deployment_group="live",
    hooks={"BeforeAllowTraffic": "orders-smoke"},
    timeout_minutes=10,
)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def clients() -> tuple[Any, Any, Stubber, Stubber]:
    lam = boto3.client("lambda", region_name="us-east-1", aws_access_key_id="x",
                       aws_secret_access_key="x")  # fmt: skip
    cd = boto3.client("codedeploy", region_name="us-east-1", aws_access_key_id="x",
                      aws_secret_access_key="x")  # fmt: skip
    return lam, cd, Stubber(lam), Stubber(cd)


def alias_at(stub: Stubber, version: str, weights: dict[str, float] | None = None) -> None:
    response: dict[str, Any] = {"FunctionVersion": version, "Name": "live"}
    if weights:
        response["RoutingConfig"] = {"AdditionalVersionWeights": weights}
    stub.add_response("get_alias", response, {"FunctionName": "orders-api", "Name": "live"})


def nothing_running(stub: Stubber) -> None:
    stub.add_response(
        "list_deployments",
        {"deployments": []},
        {
            "applicationName": "orders-api",
            "deploymentGroupName": "live",
            "includeOnlyStatuses": list(codedeploy.UNFINISHED),
        },
    )


def created(stub: Stubber, deployment_id: str = "d-ABC123") -> None:
    stub.add_response(
        "create_deployment",
        {"deploymentId": deployment_id},
        {
            "applicationName": "orders-api",
            "deploymentGroupName": "live",
            "revision": ANY,
            "description": ANY,
        },
    )


def status(stub: Stubber, value: str, deployment_id: str = "d-ABC123", **more: Any) -> None:
    stub.add_response(
        "get_deployment",
        {"deploymentInfo": {"deploymentId": deployment_id, "status": value, **more}},
        {"deploymentId": deployment_id},
    )


def run_rollout(lam: Any, cd: Any, clock: Clock, rollout: Rollout = ROLL) -> codedeploy.Outcome:
    deployer = Deployer(lam, cd, poll_seconds=15, sleep=clock.sleep, clock=clock)
    return deployer.run(rollout)


def test_in_progress_then_succeeded() -> None:
    lam, cd, lam_stub, cd_stub = clients()
    alias_at(lam_stub, "7")
    nothing_running(cd_stub)
    created(cd_stub)
    status(cd_stub, "InProgress")
    status(cd_stub, "Baking")
    status(cd_stub, "Succeeded")
    clock = Clock()
    with lam_stub, cd_stub:
        outcome = run_rollout(lam, cd, clock)
    cd_stub.assert_no_pending_responses()
    assert outcome == codedeploy.Outcome("Succeeded", "d-ABC123", "8")
    assert clock.sleeps == [15, 15]


def test_the_appspec_names_the_alias_current_and_target_versions() -> None:
    content = json.loads(codedeploy.appspec(ROLL, "7"))
    properties = content["Resources"][0]["orders-api"]["Properties"]
    assert content["Resources"][0]["orders-api"]["Type"] == "AWS::Lambda::Function"
    assert properties == {
        "Name": "orders-api",
        "Alias": "live",
        "CurrentVersion": "7",
        "TargetVersion": "8",
    }
    assert content["Hooks"] == [{"BeforeAllowTraffic": "orders-smoke"}]
    info = {"revision": {"appSpecContent": {"content": codedeploy.appspec(ROLL, "7")}}}
    assert codedeploy.target_of(info) == ("live", "8")


def test_failed_deployment_names_its_id_and_reason() -> None:
    lam, cd, lam_stub, cd_stub = clients()
    alias_at(lam_stub, "7")
    nothing_running(cd_stub)
    created(cd_stub)
    status(cd_stub, "InProgress")
    status(
        cd_stub,
        "Failed",
        errorInformation={"code": "HOOK_EXECUTION_FAILURE", "message": "smoke test failed"},
    )
    with lam_stub, cd_stub, pytest.raises(RolloutError) as caught:
        run_rollout(lam, cd, Clock())
    message = str(caught.value)
    assert caught.value.deployment_id == "d-ABC123"
    assert "d-ABC123" in message and "failed" in message
    assert "HOOK_EXECUTION_FAILURE: smoke test failed" in message
    assert "next pulumi up" in message


def test_rolled_back_deployment_names_the_rollback() -> None:
    lam, cd, lam_stub, cd_stub = clients()
    alias_at(lam_stub, "7")
    nothing_running(cd_stub)
    created(cd_stub)
    status(
        cd_stub,
        "Stopped",
        errorInformation={"code": "ALARM_ACTIVE", "message": "orders-api-live-errors-rollback"},
        rollbackInfo={"rollbackDeploymentId": "d-ROLLBACK", "rollbackMessage": "alarm"},
    )
    with lam_stub, cd_stub, pytest.raises(RolloutError) as caught:
        run_rollout(lam, cd, Clock())
    message = str(caught.value)
    assert "was stopped" in message
    assert "ALARM_ACTIVE" in message
    assert "rolled back by deployment d-ROLLBACK" in message


def test_stopped_deployment_fails() -> None:
    lam, cd, lam_stub, cd_stub = clients()
    alias_at(lam_stub, "7")
    nothing_running(cd_stub)
    created(cd_stub)
    status(cd_stub, "Stopped", errorInformation={"code": "MANUAL_STOP", "message": "stopped"})
    with lam_stub, cd_stub, pytest.raises(RolloutError, match=r"was stopped \(MANUAL_STOP"):
        run_rollout(lam, cd, Clock())


def test_timeout_fails_and_leaves_the_deployment_running() -> None:
    lam, cd, lam_stub, cd_stub = clients()
    alias_at(lam_stub, "7")
    nothing_running(cd_stub)
    created(cd_stub)
    clock = Clock()
    polls = int(ROLL.timeout_minutes * 60 / 15) + 1
    for _ in range(polls):
        status(cd_stub, "InProgress")
    with lam_stub, cd_stub, pytest.raises(RolloutError) as caught:
        run_rollout(lam, cd, clock)
    cd_stub.assert_no_pending_responses()  # no stop_deployment call
    assert "still InProgress after 10 minutes" in str(caught.value)
    assert caught.value.deployment_id == "d-ABC123"


def test_alias_already_on_the_target_needs_no_deployment() -> None:
    lam, cd, lam_stub, cd_stub = clients()
    alias_at(lam_stub, "8")
    nothing_running(cd_stub)
    with lam_stub, cd_stub:
        outcome = run_rollout(lam, cd, Clock())
    assert outcome == codedeploy.Outcome("Unchanged", None, "8")


def test_without_wait_the_deployment_is_only_started() -> None:
    lam, cd, lam_stub, cd_stub = clients()
    alias_at(lam_stub, "7")
    nothing_running(cd_stub)
    created(cd_stub)
    rollout = Rollout(**{**ROLL.__dict__, "wait": False})
    with lam_stub, cd_stub:
        outcome = run_rollout(lam, cd, Clock(), rollout)
    assert outcome == codedeploy.Outcome("Started", "d-ABC123", "7")


def _running(stub: Stubber, target: str) -> None:
    stub.add_response(
        "list_deployments",
        {"deployments": ["d-RUNNING"]},
        {
            "applicationName": "orders-api",
            "deploymentGroupName": "live",
            "includeOnlyStatuses": list(codedeploy.UNFINISHED),
        },
    )
    content = codedeploy.appspec(Rollout(**{**ROLL.__dict__, "target_version": target}), "7")
    status(
        stub,
        "InProgress",
        "d-RUNNING",
        revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": content}},
    )


def test_a_retry_waits_for_the_deployment_already_running_to_the_same_version() -> None:
    lam, cd, lam_stub, cd_stub = clients()
    alias_at(lam_stub, "7", {"8": 0.2})
    _running(cd_stub, "8")
    status(cd_stub, "Succeeded", "d-RUNNING")
    with lam_stub, cd_stub:
        outcome = run_rollout(lam, cd, Clock())
    assert outcome.deployment_id == "d-RUNNING"
    assert outcome.status == "Succeeded"


def test_a_deployment_running_to_another_version_is_reported() -> None:
    lam, cd, lam_stub, cd_stub = clients()
    alias_at(lam_stub, "7", {"9": 0.1})
    _running(cd_stub, "9")
    with lam_stub, cd_stub, pytest.raises(RolloutError, match=r"d-RUNNING .*version 9"):
        run_rollout(lam, cd, Clock())


def test_the_provider_diffs_without_calling_aws() -> None:
    provider = RolloutProvider()
    olds = {"function_name": "f", "alias": "live", "target_version": "7", "wait": True}
    assert provider.diff("f:live", olds, {**olds, "target_version": "8"}).changes is True
    assert provider.diff("f:live", olds, dict(olds)).changes is False


# --- retention (moto) -----------------------------------------------------------------------


class PaginatedPC:
    """moto has no provisioned-concurrency listing: answer it from a fixed list."""

    def __init__(self, lam: Any, configs: list[dict[str, Any]]) -> None:
        self._lam = lam
        self._configs = configs

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lam, name)

    def get_paginator(self, operation: str) -> Any:
        if operation != "list_provisioned_concurrency_configs":
            return self._lam.get_paginator(operation)
        configs = self._configs

        class _Pages:
            def paginate(self, **_: Any) -> list[dict[str, Any]]:
                return [{"ProvisionedConcurrencyConfigs": configs}]

        return _Pages()


@pytest.fixture
def moto_lambda(monkeypatch: pytest.MonkeyPatch) -> Any:
    moto = pytest.importorskip("moto")
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    with moto.mock_aws():
        iam = boto3.client("iam")
        role = iam.create_role(
            RoleName="fn",
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
        )["Role"]["Arn"]
        lam = boto3.client("lambda")
        lam.create_function(
            FunctionName="orders-api",
            Runtime="python3.12",
            Role=role,
            Handler="app.handler",
            Code={"ZipFile": _package(0)},
        )
        for release in range(1, 7):  # versions 1-6, each with new code
            lam.update_function_code(FunctionName="orders-api", ZipFile=_package(release))
            lam.publish_version(FunctionName="orders-api")
        yield lam


def _package(release: int) -> bytes:
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("app.py", f"def handler(event, context):\n    return {release}\n")
    return zipped.getvalue()


def test_retention_keeps_the_newest_and_what_is_used(moto_lambda: Any) -> None:
    lam = moto_lambda
    assert retention.published_versions(lam, "orders-api") == ["6", "5", "4", "3", "2", "1"]
    lam.create_alias(
        FunctionName="orders-api",
        Name="live",
        FunctionVersion="2",
        RoutingConfig={"AdditionalVersionWeights": {"3": 0.1}},
    )
    configs = [{"FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:orders-api:1"}]
    deleted = retention.prune_versions(PaginatedPC(lam, configs), "orders-api", 2)
    assert deleted == ["4"]
    assert retention.published_versions(lam, "orders-api") == ["6", "5", "3", "2", "1"]


def test_retention_spares_a_running_deployments_target(moto_lambda: Any) -> None:
    lam = moto_lambda
    cd = boto3.client("codedeploy")
    cd_stub = Stubber(cd)
    _running(cd_stub, "4")
    with cd_stub:
        deleted = retention.prune_versions(
            PaginatedPC(lam, []),
            "orders-api",
            2,
            codedeploy_client=cd,
            deployment_groups=[("orders-api", "live")],
        )
    assert deleted == ["3", "2", "1"]  # 6 and 5 are the newest; 4 is being deployed


def test_retention_refuses_keep_below_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        retention.prune_versions(object(), "orders-api", 0)


def test_region_comes_from_the_function_arn() -> None:
    assert region_of("arn:aws:lambda:eu-west-3:123456789012:function:orders-api") == "eu-west-3"
    assert region_of("orders-api") is None


# --- planton-lambda rollout status|stop -----------------------------------------------------


def _cli(monkeypatch: pytest.MonkeyPatch, lam: Any, cd: Any, *argv: str) -> tuple[int, str]:
    from planton_lambda import cli
    from planton_lambda.cli import rollout as rollout_cli

    monkeypatch.setattr(rollout_cli, "clients", lambda region: (lam, cd))
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    code = cli.main(list(argv))
    return code, out.getvalue()


def _latest(stub: Stubber, info: dict[str, Any]) -> None:
    stub.add_response(
        "list_deployments",
        {"deployments": [info["deploymentId"]]},
        {"applicationName": "orders-api", "deploymentGroupName": "live"},
    )
    stub.add_response(
        "batch_get_deployments",
        {"deploymentsInfo": [info]},
        {"deploymentIds": [info["deploymentId"]]},
    )


def test_rollout_status_shows_traffic_and_the_newest_deployment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lam, cd, lam_stub, cd_stub = clients()
    alias_at(lam_stub, "7", {"8": 0.1})
    content = codedeploy.appspec(ROLL, "7")
    _latest(
        cd_stub,
        {
            "deploymentId": "d-ABC123",
            "status": "InProgress",
            "deploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent5Minutes",
            "revision": {"revisionType": "AppSpecContent", "appSpecContent": {"content": content}},
        },
    )
    with lam_stub, cd_stub:
        code, out = _cli(monkeypatch, lam, cd, "rollout", "status", "--function", "orders-api",
                         "--alias", "live")  # fmt: skip
    assert code == 0
    assert "orders-api:live: version 7, version 8 at 10%" in out
    assert "deployment d-ABC123: InProgress, to version 8" in out
    assert "CodeDeployDefault.LambdaCanary10Percent5Minutes" in out


def test_rollout_stop_stops_with_rollback(monkeypatch: pytest.MonkeyPatch) -> None:
    lam, cd, lam_stub, cd_stub = clients()
    alias_at(lam_stub, "7", {"8": 0.1})
    _latest(cd_stub, {"deploymentId": "d-ABC123", "status": "InProgress"})
    cd_stub.add_response(
        "stop_deployment",
        {"status": "Pending", "statusMessage": "stopping"},
        {"deploymentId": "d-ABC123", "autoRollbackEnabled": True},
    )
    with lam_stub, cd_stub:
        code, out = _cli(monkeypatch, lam, cd, "rollout", "stop", "--function", "orders-api",
                         "--alias", "live", "--json")  # fmt: skip
    cd_stub.assert_no_pending_responses()
    assert code == 0
    report = json.loads(out)
    assert report["deployment"]["id"] == "d-ABC123"
    assert "rolls the alias back to version 7" in report["stop"]


def test_rollout_stop_with_nothing_running(monkeypatch: pytest.MonkeyPatch) -> None:
    lam, cd, lam_stub, cd_stub = clients()
    alias_at(lam_stub, "8")
    _latest(cd_stub, {"deploymentId": "d-OLD", "status": "Succeeded"})
    with lam_stub, cd_stub:
        code, out = _cli(monkeypatch, lam, cd, "rollout", "stop", "--function", "orders-api",
                         "--alias", "live")  # fmt: skip
    assert code == 0
    assert "nothing to stop" in out


def test_rollout_refuses_bad_names(capsys: pytest.CaptureFixture[str]) -> None:
    from planton_lambda import cli

    assert cli.main(["rollout", "status", "--function", "a b", "--alias", "live"]) == 1
    assert "--function" in capsys.readouterr().err
    assert cli.main(["rollout", "status", "--function", "f", "--alias", "123"]) == 1
    assert "--alias" in capsys.readouterr().err
