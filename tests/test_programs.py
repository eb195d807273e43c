"""The stack program with Pulumi.dev.yaml's config, and the shared-layer example program."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from planton_lambda.errors import ManifestError
from planton_lambda.load.stack import MANIFEST_KEY, SPEC_KEY, STACK_INPUT_ENV, spec_from_config
from planton_lambda.testing import run_stack_program

ROOT = Path(__file__).resolve().parent.parent
OUTPUTS = {
    "function_arn",
    "function_name",
    "invoke_arn",
    "qualified_arn",
    "version",
    "role_arn",
    "log_group_name",
    "layer_arns",
    "alias_arns",
    "function_url",
}


def test_dev_stack_deploys_its_spec_and_exports_every_output() -> None:
    run = run_stack_program(ROOT, "dev")
    function = run.one("aws:lambda/function:Function").inputs
    assert function["name"] == "hello-dev"
    assert function["runtime"] == "python3.13"
    assert function["code"].path.endswith(".zip")
    alias = run.one("aws:lambda/alias:Alias").inputs
    assert (alias["name"], alias["functionVersion"]) == ("live", "1")
    assert run.one("aws:lambda/functionUrl:FunctionUrl").inputs["qualifier"] == "live"
    assert set(run.exports) == OUTPUTS
    assert run.exports["function_name"] == "hello-dev"
    assert run.exports["version"] == "1"


def test_shared_layer_program_builds_the_layer_once() -> None:
    run = run_stack_program(ROOT / "programs" / "shared_layer", "dev")
    (layer,) = run.of_type("aws:lambda/layerVersion:LayerVersion")
    assert layer.inputs["layerName"] == "shop-common"
    functions = {f.inputs["name"]: f.inputs for f in run.of_type("aws:lambda/function:Function")}
    assert set(functions) == {"shop-orders", "shop-payments"}
    arn = run.exports["shared_layer_arn"]
    assert functions["shop-orders"]["layers"] == [arn]
    assert functions["shop-payments"]["layers"] == [arn]
    assert run.exports["payments"]["layer_arns"] == [arn]


SPEC = {
    "function_name": "cfg-fn",
    "code_source_type": "CODE_SOURCE_TYPE_S3",
    "s3": {"bucket": "code-bucket", "key": "fn.zip"},
    "runtime": "python3.13",
    "handler": "app.handler",
}
MANIFEST = {
    "apiVersion": "aws.project-planton.org/v1",
    "kind": "AwsLambda",
    "metadata": {"name": "from-manifest"},
    "spec": SPEC,
}


def getter(config: dict[str, Any]) -> Any:
    return config.get


def test_inline_spec_wins_and_names_the_resource_after_the_function(tmp_path: Path) -> None:
    found = spec_from_config(getter({SPEC_KEY: SPEC, MANIFEST_KEY: "missing.yaml"}), tmp_path)
    assert (found.name, found.spec.function_name) == ("cfg-fn", "cfg-fn")


def test_manifest_path_relative_to_the_project(tmp_path: Path) -> None:
    import yaml

    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "fn.yaml").write_text(yaml.safe_dump(MANIFEST))
    found = spec_from_config(getter({MANIFEST_KEY: "deploy/fn.yaml"}), tmp_path)
    assert found.name == "from-manifest"


def test_stack_input_config_and_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    found = spec_from_config(getter({"planton-cloud:stack-input": {"target": MANIFEST}}), tmp_path)
    assert found.name == "from-manifest"
    (tmp_path / "stack-input.yaml").write_text(yaml.safe_dump({"target": MANIFEST}))
    monkeypatch.setenv(STACK_INPUT_ENV, str(tmp_path / "stack-input.yaml"))
    assert spec_from_config(getter({}), tmp_path).spec.function_name == "cfg-fn"


def test_missing_spec_names_every_config_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(STACK_INPUT_ENV, raising=False)
    with pytest.raises(ManifestError) as error:
        spec_from_config(getter({}), tmp_path)
    for key in (SPEC_KEY, MANIFEST_KEY, "planton-cloud:stack-input", STACK_INPUT_ENV):
        assert key in str(error.value)


def test_stack_input_without_target(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="no target"):
        spec_from_config(getter({"planton-cloud:stack-input": {"provider": {}}}), tmp_path)


def _project(tmp_path: Path, main: str | None) -> Path:
    lines = ["name: p", "runtime: python", *([f"main: {main}"] if main else [])]
    (tmp_path / "Pulumi.yaml").write_text("\n".join(lines) + "\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__main__.py").write_text("")
    (tmp_path / "app" / "main.py").write_text("")
    return tmp_path


@pytest.mark.parametrize(
    ("main", "base"), [(None, "."), ("app/", "app"), ("app", "app"), ("app/main.py", "app")]
)
def test_relative_local_path_resolves_in_the_programs_working_directory(
    tmp_path: Path, main: str | None, base: str
) -> None:
    # As `pulumi up` runs the program (pulumi/pulumi getPwdMain): in the `main` folder, or in
    # the folder of a `main` file, or in the project folder.
    root = _project(tmp_path, main)
    inline = {
        "function_name": "fn",
        "code_source_type": "CODE_SOURCE_TYPE_LOCAL",
        "local": {"path": "code"},
        "runtime": "python3.13",
        "handler": "app.handler",
    }
    spec = spec_from_config({SPEC_KEY: inline}.get, root).spec
    assert spec.local is not None
    assert Path(spec.local.path) == (root / base / "code").resolve()


def test_plan_of_the_dev_stack_does_not_depend_on_the_callers_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run = run_stack_program(ROOT, "dev")
    spec_path = run.one("aws:lambda/function:Function").inputs["code"].path
    monkeypatch.chdir(ROOT / "programs")
    assert (
        run_stack_program(ROOT, "dev").one("aws:lambda/function:Function").inputs["code"].path
        == spec_path
    )
