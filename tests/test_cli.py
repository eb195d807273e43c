"""The `planton-lambda` command: validate, plan (tree, JSON, --stack, --against) and schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from planton_lambda.cli import main

ROOT = Path(__file__).resolve().parent.parent
MANIFESTS = sorted((ROOT / "programs" / "manifests").glob("*.yaml"))


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_manifest(folder: Path, spec: dict[str, Any], name: str = "fn.yaml") -> Path:
    path = folder / name
    manifest = {
        "apiVersion": "aws.project-planton.org/v1",
        "kind": "AwsLambda",
        "metadata": {"name": spec["function_name"]},
        "spec": spec,
    }
    path.write_text(yaml.safe_dump(manifest))
    return path


def canary(weight: float | None, version: str = "3") -> dict[str, Any]:
    alias: dict[str, Any] = {"name": "live", "function_version": version}
    if weight is not None:
        alias["additional_version_weights"] = {"current": weight}
    return {
        "function_name": "orders-api",
        "code_source_type": "CODE_SOURCE_TYPE_S3",
        "s3": {"bucket": "code-bucket", "key": "orders.zip"},
        "runtime": "python3.13",
        "handler": "app.handler",
        "aliases": [alias],
        "secret_environment": {"API_TOKEN": "tok-very-secret"},
    }


# -- validate and schema ---------------------------------------------------------------------


def test_shipped_manifests_exist() -> None:
    assert {p.name for p in MANIFESTS} >= {
        "hello-world-api.yaml",
        "image-processor.yaml",
        "analytics-job.yaml",
    }


def test_validate_shipped_manifests(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "validate", *map(str, MANIFESTS))
    assert code == 0
    assert out.count(": valid (") == len(MANIFESTS)
    assert "warning" not in err


def test_validate_warns_about_a_deprecated_runtime(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = canary(None) | {"runtime": "nodejs18.x", "handler": "index.handler"}
    path = write_manifest(tmp_path, spec)
    code, _, err = cli(capsys, "validate", str(path))
    assert code == 0
    assert f"{path}: warning: runtime nodejs18.x is deprecated" in err
    assert "2025-09-01" in err and "nodejs24.x" in err


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: None, "no such directory"),
    (lambda p: p.write_text("x"), "is a file, not a directory"),
])  # fmt: skip
def test_validate_checks_local_folders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Any, message: str
) -> None:
    code_path = tmp_path / "src"
    make(code_path)
    local = {"code_source_type": "CODE_SOURCE_TYPE_LOCAL", "local": {"path": "src"}}
    spec = {k: v for k, v in canary(None).items() if k != "s3"} | local
    path = write_manifest(tmp_path, spec)
    code, out, err = cli(capsys, "validate", str(path))
    assert code == 1 and out == ""
    assert err.startswith(f"{path}: local.path: ") and message in err
    assert str(code_path) in err


def test_validate_lists_every_error_one_per_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = canary(1.5) | {"memory_mb": 64, "secret_environment": {"AWS_REGION": "tok-hidden"}}
    path = write_manifest(tmp_path, spec)
    code, out, err = cli(capsys, "validate", str(path))
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert f"{path}: memory_mb: must be from 128 to 10240" in lines
    assert any(
        line.startswith(f"{path}: aliases[0].additional_version_weights: weight must")
        for line in lines
    )
    assert any(line.startswith(f"{path}: secret_environment:") for line in lines)
    assert "tok-hidden" not in err and "Traceback" not in err


def test_validate_unreadable_manifests(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("spec: [unclosed\n")
    wrong_kind = tmp_path / "bucket.yaml"
    wrong_kind.write_text(
        "apiVersion: aws.project-planton.org/v1\nkind: AwsS3Bucket\nmetadata: {name: b}\nspec: {}\n"
    )
    missing = tmp_path / "missing.yaml"
    code, out, err = cli(
        capsys, "validate", str(broken), str(wrong_kind), str(missing), str(MANIFESTS[0])
    )
    assert code == 1
    lines = err.strip().splitlines()
    assert any(line.startswith(f"{broken}: invalid YAML (line") for line in lines)
    assert f"{wrong_kind}: kind is 'AwsS3Bucket'; expected AwsLambda" in lines
    assert f"{missing}: no such file" in lines
    assert f"{MANIFESTS[0]}: valid" in out
    assert "Traceback" not in err


def test_schema_is_the_manifest_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "schema")
    schema = json.loads(out)
    assert code == 0
    assert set(schema["properties"]) == {"apiVersion", "kind", "metadata", "spec"}


def test_schema_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "schema.json"
    assert cli(capsys, "schema", "-o", str(target))[0] == 0
    assert json.loads(target.read_text())["title"] == "Project Planton AwsLambda manifest"


def test_schema_into_a_missing_folder_is_a_clean_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "schema.json"
    code, out, err = cli(capsys, "schema", "-o", str(target))
    assert (code, out) == (1, "")
    assert err == f"{target}: cannot write: folder {target.parent} does not exist\n"
    code, _, err = cli(capsys, "schema", "-o", str(tmp_path))  # a folder, not a file
    assert code == 1 and err.startswith(f"{tmp_path}: cannot write:") and "Traceback" not in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"planton-lambda {version('planton-lambda')}\n"


# -- manifest arguments ------------------------------------------------------------------------


def test_a_manifest_argument_is_always_a_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_manifest(tmp_path, canary(None), "orders: v2.yaml")
    code, out, err = cli(capsys, "validate", "orders: v2.yaml")
    assert (code, out) == (0, "orders: v2.yaml: valid (orders-api)\n"), err
    code, _, err = cli(capsys, "validate", "function_name: x")  # YAML-looking, but a path
    assert (code, err) == (1, "function_name: x: no such file\n")


def test_dash_reads_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    document = yaml.safe_dump(
        {"apiVersion": "aws.project-planton.org/v1", "kind": "AwsLambda",
         "metadata": {"name": "from-stdin"}, "spec": canary(None)}
    )  # fmt: skip
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(document.encode())))
    code, out, _ = cli(capsys, "plan", "-", "--json")
    assert code == 0
    assert json.loads(out)[0]["name"] == "from-stdin"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"x" * (1024 * 1024 + 1))))
    code, _, err = cli(capsys, "validate", "-")
    assert (code, err) == (1, "<stdin>: too large; at most 1048576 bytes (1 MiB) is read\n")


# -- exit codes, colour, interrupts ----------------------------------------------------------


def test_detailed_exitcode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = str(write_manifest(tmp_path, canary(0.1), "one.yaml"))
    two = str(write_manifest(tmp_path, canary(0.5), "two.yaml"))
    assert cli(capsys, "plan", one, "--against", one, "--detailed-exitcode")[0] == 0
    assert cli(capsys, "plan", two, "--against", one, "--detailed-exitcode")[0] == 2
    assert cli(capsys, "plan", one, "--detailed-exitcode")[0] == 2  # everything to create
    assert cli(capsys, "plan", two, "--against", one)[0] == 0  # without the flag
    broken = write_manifest(tmp_path, canary(1.5), "broken.yaml")
    assert cli(capsys, "plan", str(broken), "--detailed-exitcode")[0] == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["plan", "--stack", ""], "--stack: '' is not a stack name"),
        (["plan", "--stack", "../dev"], "--stack: '../dev' is not a stack name"),
        (["plan", "--stack", "dev", "--against", "x.yaml"], "with --stack use --against-stack"),
        (["plan", "x.yaml", "--against-stack", "dev"], "it needs --stack NAME"),
    ],
)
def test_bad_plan_arguments(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, *argv)
    assert (code, out) == (1, "")
    assert message in err and "Traceback" not in err and len(err.splitlines()) == 1


def test_colour_only_on_a_terminal_and_never_with_no_color(tmp_path: Path) -> None:
    import io

    from planton_lambda.cli import use_colour

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert use_colour(Terminal(), {}) is True
    assert use_colour(io.StringIO(), {}) is False
    assert use_colour(Terminal(), {"NO_COLOR": "1"}) is False
    assert use_colour(Terminal(), {"NO_COLOR": ""}) is True  # no-color.org: set and non-empty
    assert use_colour(Terminal(), {"TERM": "dumb"}) is False


def test_coloured_tree_marks(capsys: pytest.CaptureFixture[str]) -> None:
    from planton_lambda.cli.plan import Plan, PlannedResource, render_tree

    plan = Plan([PlannedResource("aws:sqs/queue:Queue", "q", {}, None, urn="urn:x")])
    assert "\033[32m+\033[0m aws:sqs/queue:Queue  q" in render_tree(plan, colour=True)
    assert "\033[" not in render_tree(plan)


def test_ctrl_c_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import planton_lambda.cli as cli_module

    def interrupted(argv: Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_module, "_main", interrupted)
    assert main(["validate", "x"]) == 130
    assert capsys.readouterr().err == "interrupted\n"


def test_the_command_starts_before_pydantic_or_pulumi_load() -> None:
    """So Ctrl-C while they load is caught by main, not printed as a traceback."""
    code = (
        "import sys, planton_lambda.cli; "
        "print(sorted(m for m in ('pydantic', 'pulumi', 'yaml') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "[]"


# -- plan --------------------------------------------------------------------------------------


@pytest.mark.parametrize("manifest", MANIFESTS, ids=lambda p: p.stem)
def test_plan_each_shipped_manifest_as_tree_and_json(
    manifest: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = yaml.safe_load(manifest.read_text())["spec"]
    code, tree, _ = cli(capsys, "plan", str(manifest))
    assert code == 0
    name = yaml.safe_load(manifest.read_text())["metadata"]["name"]
    assert f"+ planton-lambda:index:AwsLambda  {name}" in tree
    assert "aws:lambda/function:Function" in tree
    assert f"memorySize: {source['memory_mb']}" in tree
    code, out, _ = cli(capsys, "plan", "--json", str(manifest))
    resources = json.loads(out)
    assert code == 0
    assert all(set(r) == {"type", "name", "inputs"} for r in resources)
    function = next(r for r in resources if r["type"] == "aws:lambda/function:Function")
    assert function["inputs"]["name"] == source["function_name"]
    assert function["inputs"]["memorySize"] == source["memory_mb"]
    has_role = "role_arn" not in source
    assert any(r["type"] == "aws:iam/role:Role" for r in resources) == has_role
    for key, value in source.get("environment", {}).items():
        assert function["inputs"]["environment"]["variables"][key] == value


def test_plan_tree_shows_key_inputs_and_hides_secrets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = canary(0.1) | {"function_url": {"auth_type": "NONE", "public": True, "alias": "live"}}
    spec["aliases"].append({"name": "warm", "provisioned_concurrency": 3})
    code, tree, _ = cli(capsys, "plan", str(write_manifest(tmp_path, spec)))
    assert code == 0
    assert "runtime: python3.13" in tree
    assert "policy: Allow logs:CreateLogStream, logs:PutLogEvents on arn:aws:logs:" in tree
    assert "functionVersion: 3" in tree
    assert "routingConfig.additionalVersionWeights.(new version): 0.1" in tree
    assert "provisionedConcurrentExecutions: 3" in tree
    assert "authorizationType: NONE" in tree
    assert "environment.variables.API_TOKEN: [secret]" in tree
    assert "tok-very-secret" not in tree
    assert "123456789012" not in tree  # placeholders, not a made-up account


def test_plan_json_hides_secrets_and_uses_version_placeholders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = canary(None, version="current")
    code, out, _ = cli(capsys, "plan", "--json", str(write_manifest(tmp_path, spec)))
    assert code == 0
    resources = json.loads(out)
    function = next(r for r in resources if r["type"] == "aws:lambda/function:Function")
    assert function["inputs"]["environment"]["variables"]["API_TOKEN"] == "[secret]"
    alias = next(r for r in resources if r["type"] == "aws:lambda/alias:Alias")
    assert alias["inputs"]["functionVersion"] == "(new version)"
    assert "tok-very-secret" not in out


def test_plan_stack_dev(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = cli(capsys, "plan", "--stack", "dev", "--json")
    assert code == 0, err
    resources = json.loads(out)
    function = next(r for r in resources if r["type"] == "aws:lambda/function:Function")
    assert function["inputs"]["name"] == "hello-dev"
    assert function["inputs"]["code"].startswith("archive ")
    alias = next(r for r in resources if r["type"] == "aws:lambda/alias:Alias")
    assert alias["inputs"]["functionVersion"] == "(new version)"
    code, tree, _ = cli(capsys, "plan", "--stack", "dev", "--project-dir", str(ROOT / "programs"))
    assert code == 0 and "hello-dev" in tree


def test_plan_against_shows_a_canary_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = write_manifest(tmp_path, canary(0.1), "step1.yaml")
    after = write_manifest(tmp_path, canary(0.5), "step2.yaml")
    code, out, _ = cli(capsys, "plan", str(after), "--against", str(before), "--json")
    assert code == 0
    assert json.loads(out) == [
        {
            "action": "update",
            "type": "aws:lambda/alias:Alias",
            "name": "orders-api-live",
            "fields": [
                {
                    "path": "routingConfig.additionalVersionWeights.(new version)",
                    "before": 0.1,
                    "after": 0.5,
                }
            ],
        }
    ]
    code, text, _ = cli(capsys, "plan", str(after), "--against", str(before))
    assert "~ aws:lambda/alias:Alias  orders-api-live" in text
    assert "routingConfig.additionalVersionWeights.(new version): 0.1 → 0.5" in text
    assert "0 to add, 1 to update, 0 to replace, 0 to remove" in text


def test_plan_against_shows_a_promotion(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    canary_step = write_manifest(tmp_path, canary(0.5), "canary.yaml")
    promoted = write_manifest(tmp_path, canary(None, version="current"), "promoted.yaml")
    code, out, _ = cli(capsys, "plan", str(promoted), "--against", str(canary_step), "--json")
    assert code == 0
    (change,) = json.loads(out)
    assert {(f["path"], f["before"], f["after"]) for f in change["fields"]} == {
        ("functionVersion", "3", "(new version)"),
        ("routingConfig.additionalVersionWeights.(new version)", 0.5, None),
    }


def test_plan_against_same_spec_has_no_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_manifest(tmp_path, canary(0.1))
    assert cli(capsys, "plan", str(path), "--against", str(path))[1].strip() == "no changes"


def test_plan_invalid_manifest_fails_like_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_manifest(tmp_path, canary(1.5))
    validate = cli(capsys, "validate", str(path))
    plan = cli(capsys, "plan", str(path))
    assert plan[0] == validate[0] == 1
    assert plan[2] == validate[2]
    assert "Traceback" not in plan[2]


def test_plan_needs_a_manifest_or_a_stack(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["plan"])
    assert exit_info.value.code == 2


def test_python_dash_m_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "planton_lambda", "validate", str(MANIFESTS[0])],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout
