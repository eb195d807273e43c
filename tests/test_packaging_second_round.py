"""Local packaging, second round: zips through S3, uv installs and lockfiles, esbuild bundles."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from planton_lambda import AwsLambda, AwsLambdaSpec, SpecError
from planton_lambda.load.manifest import validate_spec
from planton_lambda.packaging import (
    MAX_UNZIPPED_BYTES,
    MAX_ZIPPED_BYTES,
    Package,
    PackagingError,
    build_package,
    bundle,
    check_size_limits,
    dependencies,
    uvinstall,
)
from planton_lambda.packaging.bundle import Bundle
from planton_lambda.spec.function import check_local_paths
from planton_lambda.spec.packaging import bucket_name_problem
from planton_lambda.testing import run_mocked

NODE_APP = Path(__file__).parent / "fixtures" / "packaging" / "node-app"
OLD = 1_600_000_000
OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"
FUNCTION = "aws:lambda/function:Function"
LAYER = "aws:lambda/layerVersion:LayerVersion"


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    for path in root.rglob("*"):
        os.utime(path, (OLD, OLD), follow_symlinks=False)
    return root


def names(package: Package) -> list[str]:
    with zipfile.ZipFile(package.path) as archive:
        return archive.namelist()


def read(package: Package, name: str) -> bytes:
    with zipfile.ZipFile(package.path) as archive:
        return archive.read(name)


def listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def local_spec(path: Path, **local: Any) -> dict[str, Any]:
    return {
        "function_name": "orders-api",
        "code_source_type": "CODE_SOURCE_TYPE_LOCAL",
        "local": {"path": str(path), **local},
        "runtime": "python3.13",
        "handler": "app.handler",
    }


def problems(spec: dict[str, Any]) -> str:
    with pytest.raises(SpecError) as raised:
        validate_spec(spec)
    return str(raised.value)


# ---------------------------------------------------------------------------- S3 artifacts


@pytest.mark.parametrize(
    "name", ["my-bucket", "a.b.c", "abc", "code-123", "x" * 63, "my-bucket-123456789012-an"]
)
def test_bucket_names_s3_accepts(name: str) -> None:
    assert bucket_name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("ab", "3-63"),
        ("x" * 64, "3-63"),
        ("My-Bucket", "lowercase"),
        ("-bucket", "starting and ending"),
        ("bucket-", "starting and ending"),
        ("my_bucket", "lowercase letters, digits"),
        ("a..b", "two adjacent periods"),
        ("192.168.5.4", "IP address"),
        ("xn--bucket", "xn--"),
        ("sthree-bucket", "sthree-"),
        ("amzn-s3-demo-bucket", "amzn-s3-demo-"),
        ("bucket-s3alias", "-s3alias"),
        ("bucket--ol-s3", "--ol-s3"),
        ("bucket.mrap", ".mrap"),
        ("bucket--x-s3", "--x-s3"),
        ("bucket--table-s3", "--table-s3"),
        ("bucket\n", "lowercase"),
    ],
)
def test_bucket_names_s3_refuses_are_named(tmp_path: Path, name: str, why: str) -> None:
    message = problems(local_spec(tmp_path, artifact_bucket=name))
    assert "local.artifact_bucket" in message and why in message


def test_layer_bucket_and_prefix_are_checked(tmp_path: Path) -> None:
    spec = local_spec(tmp_path, artifact_prefix="/abs")
    spec["layers"] = [
        {
            "name": "deps",
            "code_source_type": "CODE_SOURCE_TYPE_LOCAL",
            "local": {"path": str(tmp_path), "artifact_bucket": "Bad_Bucket"},
        }
    ]
    message = problems(spec)
    assert "layers[0].local.artifact_bucket" in message
    assert "local.artifact_prefix" in message


def test_package_names_its_s3_object_by_content(tmp_path: Path) -> None:
    source = write_tree(tmp_path / "src", {"app.py": "x = 1\n"})
    package = build_package(source, runtime="python3.13", cache_dir=tmp_path / "cache")
    digest = hashlib.sha256(package.path.read_bytes()).hexdigest()
    assert package.sha256_hex == digest
    assert base64.b64decode(package.source_code_hash).hex() == digest


def deploy_local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec: dict[str, Any]) -> Any:
    monkeypatch.setenv("PLANTON_LAMBDA_CACHE", str(tmp_path / "cache"))
    return run_mocked(lambda: AwsLambda("orders", spec))


def test_function_deploys_from_its_s3_object(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_tree(tmp_path / "src", {"app.py": "def handler(e, c):\n    return 1\n"})
    spec = local_spec(source, artifact_bucket="code-bucket", artifact_prefix="builds")
    run = deploy_local(tmp_path, monkeypatch, spec)
    artifact = run.one(OBJECT)
    function = run.one(FUNCTION)
    zip_path = Path(artifact.inputs["source"].path)
    digest = hashlib.sha256(zip_path.read_bytes()).hexdigest()
    assert artifact.inputs["bucket"] == "code-bucket"
    assert artifact.inputs["key"] == f"builds/orders-api/{digest}.zip"
    assert artifact.inputs["contentType"] == "application/zip"
    assert artifact.parent.endswith("::orders")
    assert function.inputs["s3Bucket"] == "code-bucket"
    assert function.inputs["s3Key"] == artifact.inputs["key"]
    assert "code" not in function.inputs
    assert function.inputs["codeSha256"] == base64.b64encode(bytes.fromhex(digest)).decode()
    assert artifact.urn in function.dependencies

    # Unchanged code: the same key (nothing new to upload); changed code: a new key.
    again = deploy_local(tmp_path, monkeypatch, spec).one(OBJECT)
    assert again.inputs["key"] == artifact.inputs["key"]
    (source / "app.py").write_text("def handler(e, c):\n    return 2\n")
    changed = deploy_local(tmp_path, monkeypatch, spec).one(OBJECT)
    assert changed.inputs["key"] != artifact.inputs["key"]


def test_layer_deploys_from_its_s3_object(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    function = write_tree(tmp_path / "fn", {"app.py": "x"})
    layer = write_tree(tmp_path / "layer", {"lib.py": "y"})
    spec = local_spec(function)
    spec["layers"] = [
        {
            "name": "deps",
            "code_source_type": "CODE_SOURCE_TYPE_LOCAL",
            "local": {"path": str(layer), "artifact_bucket": "layer-bucket"},
            "compatible_runtimes": ["python3.13"],
        }
    ]
    run = deploy_local(tmp_path, monkeypatch, spec)
    artifact = run.one(OBJECT)
    assert artifact.name == "orders-layer-deps-artifact"
    assert artifact.inputs["key"].startswith("planton-lambda/orders-api/layers/deps/")
    version = run.one(LAYER)
    assert version.inputs["s3Bucket"] == "layer-bucket"
    assert version.inputs["s3Key"] == artifact.inputs["key"]
    assert "code" in run.one(FUNCTION).inputs  # the function itself is uploaded directly


def test_s3_lifts_the_zipped_limit_but_not_the_unzipped_one(tmp_path: Path) -> None:
    source = write_tree(tmp_path / "src", {"blob.bin": os.urandom(64 * 1024)})
    cache = tmp_path / "cache"
    with pytest.raises(PackagingError, match="for a direct upload"):
        build_package(source, runtime=None, cache_dir=cache, max_zipped_bytes=32 * 1024)
    through_s3 = build_package(
        source, runtime=None, cache_dir=cache, max_zipped_bytes=MAX_UNZIPPED_BYTES
    )
    assert through_s3.max_zipped_bytes == MAX_UNZIPPED_BYTES
    big = Package(through_s3.path, "", MAX_ZIPPED_BYTES + 1, MAX_ZIPPED_BYTES + 1)
    with pytest.raises(PackagingError, match="direct upload"):
        check_size_limits(big)
    check_size_limits(
        Package(big.path, "", big.zipped_bytes, big.unzipped_bytes, MAX_UNZIPPED_BYTES)
    )
    over = Package(big.path, "", MAX_UNZIPPED_BYTES, MAX_UNZIPPED_BYTES + 1, MAX_UNZIPPED_BYTES)
    with pytest.raises(PackagingError, match=r"250\.0 MB unzipped"):
        check_size_limits(over)


def test_spec_with_artifact_bucket_gets_the_s3_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from planton_lambda.resources.code import build_local_packages

    monkeypatch.setenv("PLANTON_LAMBDA_CACHE", str(tmp_path / "cache"))
    source = write_tree(tmp_path / "src", {"app.py": "x"})
    direct = build_local_packages(AwsLambdaSpec.model_validate(local_spec(source)))
    uploaded = build_local_packages(
        AwsLambdaSpec.model_validate(local_spec(source, artifact_bucket="code-bucket"))
    )
    assert direct.function is not None and uploaded.function is not None
    assert direct.function.max_zipped_bytes is None  # MAX_ZIPPED_BYTES
    assert uploaded.function.max_zipped_bytes == MAX_UNZIPPED_BYTES
    assert uploaded.function.path == direct.function.path  # the same bytes, one cache entry


# ---------------------------------------------------------------------------- uv


def test_uv_platforms_follow_the_runtimes_glibc() -> None:
    assert uvinstall.uv_platform("3.13", "ARM64") == "aarch64-manylinux_2_34"
    assert uvinstall.uv_platform("3.12", "X86_64") == "x86_64-manylinux_2_34"
    assert uvinstall.uv_platform("3.11", "X86_64") == "x86_64-manylinux2014"


def test_uv_command_targets_lambda(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("six==1.17.0\n")
    command = uvinstall.uv_command("uv", requirements, tmp_path / "t", "3.12", "ARM64")
    assert command[:3] == ["uv", "pip", "install"]
    for option in ("--no-build", "--python-platform", "aarch64-manylinux_2_34", "3.12"):
        assert option in command
    assert "--require-hashes" not in command
    requirements.write_text("six==1.17.0 --hash=sha256:" + "0" * 64 + "\n")
    assert "--require-hashes" in uvinstall.uv_command("uv", requirements, tmp_path, "3.12", "ARM64")


def test_uv_failures_are_described() -> None:
    def described(stderr: str) -> str:
        return uvinstall.describe_uv_failure(subprocess.CompletedProcess[str]([], 1, "", stderr))

    missing = described(
        "error: No solution found when resolving dependencies\n  cause: Because there is no "
        "version of six==99 and you require six==99, we can conclude that your requirements "
        "are unsatisfiable.\n"
    )
    assert "six==99" in missing
    network = described(
        "error: Failed to fetch: https://user:token@example.com/simple/six/\n"
        "  cause: error sending request for url\n  cause: Connection refused (os error 111)\n"
    )
    assert "could not reach the package index" in network and "Connection refused" in network
    assert "token" not in network
    assert described("") == "uv exited with status 1"
    older = described(  # uv 0.6's layout of the same failure
        "  \u00d7 No solution found when resolving dependencies:\n  \u2570\u2500\u25b6 Because "
        "nopkg was not found in the package registry and you\n      require nopkg==1.0, we "
        "can conclude that your requirements\n      are unsatisfiable.\n"
    )
    assert older.startswith("No solution found when resolving dependencies; Because nopkg")
    assert "require nopkg==1.0" in older


def platform_wheel(folder: Path, machine: str) -> Path:
    """A tiny wheel for CPython 3.12 on manylinux2014 `machine`, as a binary package is."""
    tag = f"cp312-cp312-manylinux_2_17_{machine}.manylinux2014_{machine}"
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / f"tinyext-1.0-{tag}.whl"
    info = "tinyext-1.0.dist-info"
    files = {
        "tinyext/__init__.py": f"MACHINE = {machine!r}\n".encode(),
        f"{info}/METADATA": b"Metadata-Version: 2.1\nName: tinyext\nVersion: 1.0\n",
        f"{info}/WHEEL": (
            f"Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: false\nTag: "
            f"cp312-cp312-manylinux_2_17_{machine}\nTag: cp312-cp312-manylinux2014_{machine}\n"
        ).encode(),
    }
    rows = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        rows.append(f"{path},sha256={digest},{len(data)}")
    files[f"{info}/RECORD"] = ("\n".join([*rows, f"{info}/RECORD,,"]) + "\n").encode()
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return wheel


def wheel_hash(wheel: Path) -> str:
    return hashlib.sha256(wheel.read_bytes()).hexdigest()


@pytest.mark.parametrize(("architecture", "machine"), [("X86_64", "x86_64"), ("ARM64", "aarch64")])
def test_uv_installs_the_wheel_of_the_architecture(
    tmp_path: Path, architecture: str, machine: str
) -> None:
    source = write_tree(tmp_path / "src", {"app.py": "import tinyext\n"})
    wheels = tmp_path / "wheels"  # outside the code folder: only the install reads them
    for each in ("x86_64", "aarch64"):
        platform_wheel(wheels, each)
    (source / "requirements.txt").write_text(
        f"--no-index\n--find-links {wheels}\ntinyext==1.0\n", encoding="utf-8"
    )
    before = listing(source)
    package = build_package(
        source, runtime="python3.12", architecture=architecture, cache_dir=tmp_path / "cache"
    )
    assert read(package, "tinyext/__init__.py") == f"MACHINE = {machine!r}\n".encode()
    assert read(package, "tinyext-1.0.dist-info/INSTALLER").strip() == b"uv"
    assert listing(source) == before  # nothing written into the code folder


def test_uv_honours_hashes(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    wheel = platform_wheel(wheels, "x86_64")
    source = write_tree(tmp_path / "src", {"app.py": ""})
    requirements = source / "requirements.txt"
    header = f"--no-index\n--find-links {wheels}\n"
    requirements.write_text(f"{header}tinyext==1.0 --hash=sha256:{wheel_hash(wheel)}\n")
    cache = tmp_path / "cache"
    package = build_package(source, runtime="python3.12", cache_dir=cache)
    assert "tinyext/__init__.py" in names(package)
    requirements.write_text(f"{header}tinyext==1.0 --hash=sha256:{'0' * 64}\n")
    with pytest.raises(PackagingError, match=r"uv could not install .*requirements\.txt"):
        build_package(source, runtime="python3.12", cache_dir=cache)


def test_lockfile_without_pyproject_is_refused(tmp_path: Path) -> None:
    source = write_tree(tmp_path / "src", {"app.py": "", "uv.lock": "version = 1\n"})
    with pytest.raises(PackagingError, match=r"uv\.lock has no pyproject\.toml"):
        build_package(source, runtime="python3.12", cache_dir=tmp_path / "cache")


def test_requirements_txt_comes_before_lockfiles(tmp_path: Path) -> None:
    source = write_tree(
        tmp_path / "src",
        {"requirements.txt": "six\n", "uv.lock": "", "poetry.lock": "", "pyproject.toml": ""},
    )
    plan = dependencies.plan_dependencies(source, "python3.12")
    assert plan is not None and plan.lock is None and plan.manifest.name == "requirements.txt"
    (source / "requirements.txt").unlink()
    plan = dependencies.plan_dependencies(source, "python3.12")
    assert plan is not None and plan.lock == "uv" and plan.tool == "uv"
    assert [p.name for p in plan.inputs] == ["pyproject.toml", "uv.lock"]
    (source / "uv.lock").unlink()
    plan = dependencies.plan_dependencies(source, "python3.12")
    assert plan is not None and plan.lock == "poetry"


def test_pip_stays_available(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = write_tree(tmp_path / "src", {"requirements.txt": "six\n"})
    monkeypatch.setenv("PLANTON_LAMBDA_PYTHON_INSTALLER", "pip")
    plan = dependencies.plan_dependencies(source, "python3.12")
    assert plan is not None and plan.tool == "pip"
    monkeypatch.setenv("PLANTON_LAMBDA_PYTHON_INSTALLER", "conda")
    with pytest.raises(dependencies.DependencyError, match="must be uv or pip"):
        dependencies.plan_dependencies(source, "python3.12")


def fake_poetry(folder: Path, script: str) -> None:
    """A `poetry` on PATH running `script` (a shell body; $out is the --output file)."""
    folder.mkdir(parents=True, exist_ok=True)
    poetry = folder / "poetry"
    poetry.write_text(
        '#!/bin/sh\nout=""\nwhile [ $# -gt 0 ]; do [ "$1" = --output ] && out="$2"; shift; done\n'
        + script
    )
    poetry.chmod(poetry.stat().st_mode | stat.S_IEXEC)


def poetry_project(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path / "src",
        {"app.py": "", "pyproject.toml": "[tool.poetry]\nname = 'app'\n", "poetry.lock": "# lock"},
    )


def test_poetry_lock_is_exported_and_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheels = tmp_path / "wheels"
    wheel = platform_wheel(wheels, "aarch64")
    bin_dir = tmp_path / "bin"
    fake_poetry(
        bin_dir,
        f'pwd > "{tmp_path}/poetry-ran-in"\nprintf -- "--no-index\\n--find-links {wheels}\\n'
        f'tinyext==1.0 --hash=sha256:{wheel_hash(wheel)}\\n" > "$out"\n',
    )
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    source = poetry_project(tmp_path)
    before = listing(source)
    package = build_package(
        source, runtime="python3.12", architecture="ARM64", cache_dir=tmp_path / "cache"
    )
    assert read(package, "tinyext/__init__.py") == b"MACHINE = 'aarch64'\n"
    assert listing(source) == before
    ran_in = (tmp_path / "poetry-ran-in").read_text().strip()
    assert not ran_in.startswith(str(source))  # a staging copy, not the code folder


def test_poetry_lock_out_of_date_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    fake_poetry(
        bin_dir,
        'echo "pyproject.toml changed significantly since poetry.lock was last generated. '
        'Run \\`poetry lock\\` to fix the lock file." >&2\nexit 1\n',
    )
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    source = poetry_project(tmp_path)
    with pytest.raises(PackagingError) as raised:
        build_package(source, runtime="python3.12", cache_dir=tmp_path / "cache")
    assert f"{source / 'poetry.lock'} is out of date" in str(raised.value)
    assert "poetry lock" in str(raised.value)


def test_poetry_missing_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    source = poetry_project(tmp_path)
    with pytest.raises(PackagingError, match="poetry export"):
        build_package(source, runtime="python3.12", cache_dir=tmp_path / "cache")


@pytest.fixture(scope="session")
def pypi(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Skip, saying why, when uv cannot reach PyPI (a quick probe)."""
    folder = tmp_path_factory.mktemp("probe")
    (folder / "r.txt").write_text("markupsafe==3.0.2\n")
    command = uvinstall.uv_command(
        uvinstall.uv_binary(), folder / "r.txt", folder / "t", "3.12", "X86_64"
    )
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.skip("PyPI did not answer uv within 60 s")
    if result.returncode != 0:
        pytest.skip(f"uv cannot reach PyPI: {result.stderr.strip()[-300:]}")


UV_PROJECT = """[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["markupsafe==3.0.2"]

[dependency-groups]
dev = ["six==1.17.0"]
"""


@pytest.mark.usefixtures("pypi")
def test_uv_lock_is_honoured_and_an_outdated_one_refused(tmp_path: Path) -> None:
    source = write_tree(tmp_path / "src", {"app.py": "", "pyproject.toml": UV_PROJECT})
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    subprocess.run(
        [uvinstall.uv_binary(), "lock", "--python", sys.executable, "--quiet"],
        cwd=source, env=env, check=True, capture_output=True,
    )  # fmt: skip
    shutil.rmtree(source / ".venv", ignore_errors=True)
    before = listing(source)
    cache = tmp_path / "cache"
    package = build_package(source, runtime="python3.12", architecture="ARM64", cache_dir=cache)
    listed = names(package)
    assert "markupsafe/_speedups.cpython-312-aarch64-linux-gnu.so" in listed
    assert not any(n.startswith("six") for n in listed)  # dev dependencies stay out
    assert {"pyproject.toml", "uv.lock"} <= set(listed)
    assert listing(source) == before

    pyproject = source / "pyproject.toml"
    pyproject.write_text(UV_PROJECT.replace("3.0.2", "3.0.1"))
    with pytest.raises(PackagingError) as raised:
        build_package(source, runtime="python3.12", cache_dir=cache)
    assert f"{source / 'uv.lock'} is out of date" in str(raised.value)
    assert "uv lock" in str(raised.value)


# ---------------------------------------------------------------------------- esbuild

needs_node = pytest.mark.skipif(
    shutil.which("npm") is None or shutil.which("node") is None, reason="node/npm not installed"
)

HANDLER_TS = """import { greet } from "./greet";
import type { Context } from "./types";

export const handler = async (event: { name?: string }, _context?: Context) => ({
  statusCode: 200,
  body: greet(event.name ?? "world"),
});
"""
GREET_TS = "export function greet(name: string): string {\n  return `hello ${name}`;\n}\n"
TYPES_TS = "export interface Context { awsRequestId: string }\n"


@pytest.fixture(scope="session")
def esbuild_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The pinned esbuild, installed once from the npm registry as a build would."""
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed")
    try:
        return str(bundle.install_pinned(tmp_path_factory.mktemp("tools-cache")))
    except dependencies.DependencyError as error:
        pytest.skip(f"cannot install esbuild: {error}")


@pytest.fixture
def ts_app(tmp_path: Path, esbuild_path: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(bundle.ESBUILD_ENV, esbuild_path)
    return write_tree(
        tmp_path / "ts-app",
        {
            "src/index.ts": HANDLER_TS,
            "src/greet.ts": GREET_TS,
            "src/types.ts": TYPES_TS,
            "README.md": "docs",
            ".env": "TOKEN=secret",
        },
    )


def run_handler(package: Package, output: str, tmp_path: Path) -> Any:
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(package.path) as archive:
        archive.extractall(folder)
    loader = (
        f"import('{folder / output}')"
        if output.endswith(".mjs")
        else f"Promise.resolve(require('{folder / output}'))"
    )
    script = (
        f"{loader}.then(m => m.handler({{name: 'ts'}})).then(r => console.log(JSON.stringify(r)))"
    )
    result = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


@needs_node
@pytest.mark.parametrize(("fmt", "output"), [("esm", "index.mjs"), ("cjs", "index.js")])
def test_typescript_handler_is_bundled_and_runs(
    ts_app: Path, tmp_path: Path, fmt: str, output: str
) -> None:
    before = listing(ts_app)
    package = build_package(
        ts_app,
        runtime="nodejs22.x",
        cache_dir=tmp_path / "cache",
        bundle=Bundle("src/index.ts", format=fmt, sourcemap=True),
    )
    assert names(package) == [output, f"{output}.map"]  # the bundle and nothing else
    assert b"TOKEN" not in read(package, f"{output}.map")  # sources never include secrets
    assert run_handler(package, output, tmp_path) == {"statusCode": 200, "body": "hello ts"}
    assert listing(ts_app) == before


@needs_node
def test_bundles_are_byte_identical_wherever_the_sources_are(ts_app: Path, tmp_path: Path) -> None:
    options = Bundle("src/index.ts", minify=True, sourcemap=True)
    first = build_package(ts_app, runtime="nodejs22.x", cache_dir=tmp_path / "c1", bundle=options)
    moved = shutil.copytree(ts_app, tmp_path / "elsewhere" / "app")
    second = build_package(moved, runtime="nodejs22.x", cache_dir=tmp_path / "c2", bundle=options)
    assert first.path.read_bytes() == second.path.read_bytes()
    assert names(first) == ["index.mjs", "index.mjs.map"]


@needs_node
def test_an_unchanged_bundle_is_not_built_again(
    ts_app: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = Bundle("src/index.ts")
    cache = tmp_path / "cache"
    first = build_package(ts_app, runtime="nodejs22.x", cache_dir=cache, bundle=options)

    def no_esbuild(**kwargs: object) -> None:
        raise AssertionError("bundled again")

    monkeypatch.setattr(bundle, "bundle_tree", no_esbuild)
    assert build_package(ts_app, runtime="nodejs22.x", cache_dir=cache, bundle=options) == first
    (ts_app / "src" / "greet.ts").write_text(GREET_TS.replace("hello", "hi"))
    with pytest.raises(AssertionError, match="bundled again"):
        build_package(ts_app, runtime="nodejs22.x", cache_dir=cache, bundle=options)
    # The options are part of the key too.
    with pytest.raises(AssertionError, match="bundled again"):
        build_package(
            ts_app,
            runtime="nodejs22.x",
            cache_dir=cache,
            bundle=Bundle("src/index.ts", minify=True),
        )


@needs_node
def test_esbuild_errors_name_the_file_and_line(ts_app: Path, tmp_path: Path) -> None:
    (ts_app / "src" / "greet.ts").write_text("export function greet(name: string {\n}\n")
    with pytest.raises(PackagingError) as raised:
        build_package(
            ts_app, runtime="nodejs22.x", cache_dir=tmp_path / "c", bundle=Bundle("src/index.ts")
        )
    message = str(raised.value)
    assert message.startswith(f"esbuild could not bundle {ts_app / 'src' / 'index.ts'}")
    assert "src/greet.ts:1:" in message


@needs_node
def test_externals_stay_imports(ts_app: Path, tmp_path: Path) -> None:
    (ts_app / "src" / "index.ts").write_text(
        'import { S3Client } from "@aws-sdk/client-s3";\nexport const handler = async () => '
        "typeof S3Client;\n"
    )
    package = build_package(
        ts_app,
        runtime="nodejs22.x",
        cache_dir=tmp_path / "c",
        bundle=Bundle("src/index.ts", external=("@aws-sdk/*",)),
    )
    assert b'from "@aws-sdk/client-s3"' in read(package, "index.mjs")


@needs_node
def test_locked_dependencies_are_bundled(
    tmp_path: Path, esbuild_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(bundle.ESBUILD_ENV, esbuild_path)
    source = shutil.copytree(NODE_APP, tmp_path / "node-app")
    (source / "handler.ts").write_text(
        'import leftPad from "left-pad";\n'
        'export const handler = async () => leftPad("7", 3, "0");\n'
    )
    before = listing(source)
    package = build_package(
        source, runtime="nodejs20.x", cache_dir=tmp_path / "c", bundle=Bundle("handler.ts")
    )
    assert names(package) == ["index.mjs"]  # no node_modules: left-pad is inside
    assert b"left-pad" in read(package, "index.mjs")
    assert run_handler(package, "index.mjs", tmp_path) == "007"
    assert listing(source) == before


def test_bundle_spec_rules(tmp_path: Path) -> None:
    write_tree(tmp_path, {"src/index.ts": ""})
    node = local_spec(tmp_path, bundle={"entry": "src/index.ts"})
    node.update(runtime="nodejs22.x", handler="index.handler")
    spec = AwsLambdaSpec.model_validate(node)
    assert spec.local is not None and spec.local.bundle is not None
    assert spec.local.bundle.format == "esm" and spec.local.bundle.output == "index.mjs"

    wrong = {**node, "runtime": "python3.13", "handler": "src/index.handler"}
    message = problems(wrong)
    assert "local.bundle: bundles Node.js code" in message
    assert "handler: must be index.<export>" in message
    assert "local.bundle.entry" in problems(local_spec(tmp_path, bundle={"entry": "../x.ts"}))
    assert "external" in problems(
        {**node, "local": {"path": str(tmp_path), "bundle": {"entry": "a", "external": ["a b"]}}}
    )
    layered = {
        **node,
        "layers": [
            {
                "name": "l",
                "code_source_type": "CODE_SOURCE_TYPE_LOCAL",
                "local": {"path": str(tmp_path), "bundle": {"entry": "src/index.ts"}},
            }
        ],
    }
    assert "layers[0].local.bundle: bundles are for functions" in problems(layered)


def test_missing_entry_is_refused_naming_the_file(tmp_path: Path) -> None:
    spec = local_spec(tmp_path, bundle={"entry": "src/missing.ts"})
    spec.update(runtime="nodejs22.x", handler="index.handler")
    with pytest.raises(SpecError) as raised:
        check_local_paths(AwsLambdaSpec.model_validate(spec))
    assert f"local.bundle.entry: {tmp_path / 'src' / 'missing.ts'} does not exist" in str(
        raised.value
    )
    with pytest.raises(PackagingError, match=r"missing\.ts does not exist"):
        build_package(
            tmp_path,
            runtime="nodejs22.x",
            cache_dir=tmp_path / "c",
            bundle=Bundle("src/missing.ts"),
        )


def test_plan_marks_a_new_artifact_key_as_a_replacement() -> None:
    from planton_lambda.cli.plan import KEY_INPUTS
    from planton_lambda.cli.replacements import forces_replacement

    assert KEY_INPUTS[OBJECT] == ["bucket", "key", "contentType"]
    assert forces_replacement(OBJECT, ["key", "contentType"]) == ["key"]
    assert forces_replacement(OBJECT, ["bucket"]) == ["bucket"]
    assert "s3ObjectVersion" in KEY_INPUTS[FUNCTION]
