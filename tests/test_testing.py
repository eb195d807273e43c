"""planton_lambda.testing, the public test helper: lookups, plain inputs, region, isolation."""

from __future__ import annotations

import asyncio
import os
import sys
import warnings
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from planton_lambda import AwsLambda
from planton_lambda.errors import ManifestError
from planton_lambda.testing import (
    SIGNATURE_KEY,
    UNKNOWN,
    LambdaMocks,
    ResourceLookupError,
    find_program,
    run_mocked,
    run_stack_program,
)

SPEC: dict[str, Any] = {
    "function_name": "orders",
    "code_source_type": "CODE_SOURCE_TYPE_S3",
    "s3": {"bucket": "code-bucket", "key": "orders.zip"},
    "runtime": "python3.13",
    "handler": "app.handler",
    "environment": {"STAGE": "prod"},
    "secret_environment": {"API_TOKEN": "tok-123"},
}
FUNCTION = "aws:lambda/function:Function"


def write_project(folder: Path, program: str, **extra: Any) -> Path:
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    project = {"name": "shop", "runtime": "python", **extra}
    (folder / "Pulumi.yaml").write_text(yaml.safe_dump(project))
    (folder / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": {"aws:region": "eu-west-1"}}))
    main = folder / str(extra.get("main", "."))
    target = main / "__main__.py" if not str(main).endswith(".py") else main
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(program)
    return folder


# -- lookups -----------------------------------------------------------------------------------


def test_named_prefers_the_child_when_a_component_shares_its_name() -> None:
    run = run_mocked(lambda: AwsLambda("orders", SPEC))
    assert run.named("orders").type == FUNCTION  # the function, not the component
    assert run.named("orders", "planton-lambda:index:AwsLambda").custom is False


def test_named_missing_raises_a_key_error_naming_what_exists() -> None:
    run = run_mocked(lambda: AwsLambda("orders", SPEC))
    with pytest.raises(KeyError) as error:
        run.named("order")
    message = str(error.value)
    assert "no resource named 'order'" in message
    assert "orders-logs (aws:cloudwatch/logGroup:LogGroup)" in message
    with pytest.raises(ResourceLookupError, match="of type aws:iam/role:Role"):
        run.named("orders", "aws:iam/role:Role")


def test_named_ambiguous_between_two_custom_resources() -> None:
    def program() -> None:
        aws.sqs.Queue("jobs")
        aws.sns.Topic("jobs")

    run = run_mocked(program)
    with pytest.raises(KeyError, match="2 resources named 'jobs'"):
        run.named("jobs")
    assert run.named("jobs", "aws:sns/topic:Topic").type == "aws:sns/topic:Topic"


def test_one_names_what_was_found() -> None:
    run = run_mocked(lambda: AwsLambda("orders", SPEC))
    with pytest.raises(KeyError, match=r"expected one aws:lambda/alias:Alias, found 0"):
        run.one("aws:lambda/alias:Alias")


# -- recorded inputs -----------------------------------------------------------------------


def _markers(value: Any) -> bool:
    if isinstance(value, dict):
        return SIGNATURE_KEY in value or any(_markers(v) for v in value.values())
    if isinstance(value, list):
        return any(_markers(v) for v in value)
    return False


def test_inputs_are_plain_and_secrets_can_be_asked_about() -> None:
    run = run_mocked(lambda: AwsLambda("orders", SPEC))
    assert not any(_markers(r.inputs) for r in run.resources)
    function = run.one(FUNCTION)
    assert function.inputs["environment"]["variables"] == {"STAGE": "prod", "API_TOKEN": "tok-123"}
    assert function.is_secret("environment.variables.API_TOKEN")
    assert not function.is_secret("environment.variables.STAGE")
    assert not function.is_secret("environment")


def test_a_whole_secret_object_marks_every_path_inside_it() -> None:
    run = run_mocked(
        lambda: aws.sqs.Queue("q", tags=pulumi.Output.secret({"owner": "team"}))  # type: ignore[arg-type]
    )
    queue = run.one("aws:sqs/queue:Queue")
    assert queue.inputs["tags"] == {"owner": "team"}
    assert queue.is_secret("tags") and queue.is_secret("tags.owner")
    assert not queue.is_secret("tagsAll")


def test_archives_are_pulumi_archives() -> None:
    run = run_mocked(
        lambda: aws.lambda_.Function(
            "fn", role="arn:aws:iam::123456789012:role/r", code=pulumi.FileArchive("/tmp/x.zip")
        )
    )
    code = run.one(FUNCTION).inputs["code"]
    assert isinstance(code, pulumi.FileArchive) and code.path == "/tmp/x.zip"


def test_preview_leaves_unreturned_outputs_unknown() -> None:
    def program() -> None:
        queue = aws.sqs.Queue("q")
        aws.sqs.QueuePolicy("p", queue_url=queue.url, policy="{}")

    run = run_mocked(program, preview=True)
    assert run.one("aws:sqs/queuePolicy:QueuePolicy").inputs["queueUrl"] is UNKNOWN
    assert repr(UNKNOWN) == "UNKNOWN"


# -- mock values -----------------------------------------------------------------------------


def test_mock_arns_use_the_configured_region() -> None:
    run = run_mocked(lambda: AwsLambda("orders", SPEC), config={"aws:region": "eu-west-1"})
    assert run.resolve(run.result.function_arn).startswith("arn:aws:lambda:eu-west-1:")
    default = run_mocked(lambda: AwsLambda("orders", SPEC))
    assert ":us-east-1:" in default.resolve(default.result.function_arn)
    pinned = run_mocked(
        lambda: AwsLambda("orders", SPEC),
        mocks=LambdaMocks(region="ap-south-1"),
        config={"aws:region": "eu-west-1"},
    )
    assert ":ap-south-1:" in pinned.resolve(pinned.result.function_arn)


# -- isolation -----------------------------------------------------------------------------


def test_runs_do_not_leak_exports_config_or_root_stack() -> None:
    pulumi.runtime.set_all_config({"caller:key": "kept"})
    root_before = pulumi.runtime.get_root_resource()
    loops: list[asyncio.AbstractEventLoop] = []

    def first() -> pulumi.Output[str]:
        loops.append(asyncio.get_event_loop())
        pulumi.export("first", pulumi.Config("shop").require("size"))
        return pulumi.Output.from_input("x").apply(str.upper)

    one = run_mocked(first, config={"shop:size": "large"})
    two = run_mocked(lambda: pulumi.export("second", pulumi.Config("shop").get("size")))
    assert one.exports == {"first": "large"}
    assert two.exports == {"second": None}  # neither the export nor the config carried over
    assert pulumi.runtime.get_config("caller:key") == "kept"  # restored, not reset to {}
    assert pulumi.runtime.get_root_resource() is root_before
    assert loops[0].is_closed()
    assert one.resolve(one.result) == "X"  # outputs still resolve after the loop is closed


def test_provider_deprecation_warnings_are_silenced_inside_the_helper_only() -> None:
    def warn() -> None:
        warnings.warn_explicit("old", DeprecationWarning, "x.py", 1, module="pulumi_aws.iam")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run_mocked(warn)
        assert caught == []
        warn()
        assert [str(w.message) for w in caught] == ["old"]


# -- whole programs ----------------------------------------------------------------------------


PROGRAM = """
import os
import pulumi
import helper

pulumi.export("cwd", os.getcwd())
pulumi.export("size", pulumi.Config().get("size"))
pulumi.export("region", pulumi.Config("aws").get("region"))
pulumi.export("helper", helper.VALUE)
"""


def test_stack_program_runs_where_pulumi_runs_it(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", PROGRAM, main="app", config={"size": {"default": "s"}})
    (project / "app" / "helper.py").write_text("VALUE = 'one'\n")
    cwd, path = os.getcwd(), list(sys.path)
    run = run_stack_program(project, "dev")
    assert run.exports == {
        "cwd": str(project / "app"),  # main is a folder: the engine runs the program there
        "size": "s",  # project-level config default
        "region": "eu-west-1",
        "helper": "one",
    }
    assert (os.getcwd(), sys.path) == (cwd, path)
    assert "helper" not in sys.modules
    other = write_project(tmp_path / "q", PROGRAM)
    (other / "helper.py").write_text("VALUE = 'two'\n")
    assert run_stack_program(other, "dev").exports["helper"] == "two"  # not the cached module


def test_stack_config_overrides_project_config(tmp_path: Path) -> None:
    import yaml

    project = write_project(tmp_path, PROGRAM, config={"size": "s", "aws:region": "us-west-2"})
    (project / "helper.py").write_text("VALUE = 1\n")
    stack = {"config": {"shop:size": "xl"}}
    (project / "Pulumi.prod.yaml").write_text(yaml.safe_dump(stack))
    exports = run_stack_program(project, "prod").exports
    assert (exports["size"], exports["region"]) == ("xl", "us-west-2")
    assert exports["cwd"] == str(project)


def test_main_as_a_file_runs_in_its_folder(tmp_path: Path) -> None:
    project = write_project(tmp_path, PROGRAM, main="src/app.py")
    (project / "src" / "helper.py").write_text("VALUE = 3\n")
    found = find_program(project)
    assert (found.working_dir, found.path) == (project / "src", project / "src" / "app.py")
    assert run_stack_program(project, "dev").exports["cwd"] == str(project / "src")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"main": "missing"}, "main 'missing' does not exist"),
        ({"main": "empty"}, "is a folder without __main__.py"),
        ({"runtime": "nodejs"}, "runtime is 'nodejs'; only Python programs"),
    ],
)
def test_programs_that_cannot_run(tmp_path: Path, extra: dict[str, Any], message: str) -> None:
    import yaml

    (tmp_path / "empty").mkdir()
    (tmp_path / "Pulumi.yaml").write_text(
        yaml.safe_dump({"name": "x", "runtime": "python"} | extra)
    )
    with pytest.raises(ManifestError, match=message):
        find_program(tmp_path)


@pytest.mark.parametrize("stack", ["", "  "])
def test_stack_name_required(stack: str) -> None:
    with pytest.raises(ManifestError, match="stack name is required"):
        run_stack_program(".", stack)
