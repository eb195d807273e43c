"""Python dependencies installed with uv for Lambda's platform, from requirements or a lock.

`uv pip install --target` takes Lambda's Python version (`--python-version`) and platform
(`--python-platform`: manylinux for x86_64 or aarch64 up to the runtime's glibc), wheels
only (`--no-build`), and the hashes of the requirements when they have any
(`--require-hashes`). A `uv.lock` is first exported to requirements with hashes by
`uv export --locked` (which refuses a lock out of date with its pyproject.toml), and a
`poetry.lock` by `poetry export` (which refuses one too), each in a staging copy of the
project files: nothing is written into the code folder. The export is read like a
requirements.txt, so a path or VCS dependency in the lock is refused as a source build.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from planton_lambda.packaging.dependencies import (
    PYPROJECT,
    UV_PROJECT_FILES,
    DependencyError,
    DependencyPlan,
    InstalledTree,
    read_requirements,
    redact,
)
from planton_lambda.packaging.dependencies import (
    _reason as reason,
)
from planton_lambda.packaging.dependencies import (
    _run as run,
)

_MACHINES = {"X86_64": "x86_64", "ARM64": "aarch64"}
# Lambda's Python 3.12+ runtimes run on Amazon Linux 2023 (glibc 2.34), older ones on Amazon
# Linux 2 (glibc 2.26); uv's platform names stop at manylinux_2_17 (manylinux2014) below
# 2.28, so Amazon Linux 2 gets manylinux2014, the tag AWS's packaging guide names
# (https://docs.aws.amazon.com/lambda/latest/dg/python-package.html).
_AL2023_FROM_PYTHON = (3, 12)
_HASH = re.compile(r"(?:^|\s)--hash[=\s]")


def uv_binary() -> str:
    """The uv executable of the `uv` package (a dependency), else uv on PATH."""
    try:
        from uv import find_uv_bin

        return str(find_uv_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if found is None:
            raise DependencyError(
                "uv is needed to install Python dependencies but is not installed: "
                "`pip install uv` (a dependency of planton-lambda), or set "
                "PLANTON_LAMBDA_PYTHON_INSTALLER=pip"
            ) from None
        return found


def uv_platform(python_version: str, architecture: str) -> str:
    """uv's `--python-platform` for a Lambda Python runtime: `aarch64-manylinux_2_34`."""
    machine = _MACHINES[architecture]
    major, minor = (int(part) for part in python_version.split("."))
    if (major, minor) >= _AL2023_FROM_PYTHON:
        return f"{machine}-manylinux_2_34"
    return f"{machine}-manylinux2014"


def has_hashes(requirements: Path) -> bool:
    try:
        text = requirements.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return _HASH.search(text) is not None


def uv_command(
    uv: str, requirements: Path, target: Path, python_version: str, architecture: str
) -> list[str]:
    command = [
        uv,
        "pip",
        "install",
        "--target",
        str(target),
        "--python-platform",
        uv_platform(python_version, architecture),
        "--python-version",
        python_version,
        # The interpreter only runs uv's queries: the target's version and platform decide.
        "--python",
        sys.executable,
        # Wheels only: a source build would run here, for this machine, not for Lambda.
        "--no-build",
        "--color",
        "never",
        "--no-progress",
        "--requirements",
        str(requirements),
    ]
    if has_hashes(requirements):
        # As pip does once one requirement has a hash: every one must, and match.
        command.append("--require-hashes")
    return command


def install(plan: DependencyPlan, staging: Path, architecture: str) -> InstalledTree:
    assert plan.python_version is not None
    uv = uv_binary()
    requirements = plan.manifest
    if plan.lock == "uv":
        requirements = _export_uv_lock(uv, plan, staging)
    elif plan.lock == "poetry":
        requirements = _export_poetry_lock(plan, staging)
    target = staging / "python"
    command = uv_command(uv, requirements, target, plan.python_version, architecture)
    # Relative paths in requirements.txt (`./wheels/x.whl`) are read from its folder.
    result = run(command, cwd=plan.manifest.parent, env={"UV_NO_PROGRESS": "1"})
    if result.returncode != 0:
        where = f"{plan.manifest} for Lambda (Python {plan.python_version}, {architecture})"
        raise DependencyError(f"uv could not install {where}: {describe_uv_failure(result)}")
    return InstalledTree(target, "")


def _copy_project(plan: DependencyPlan, staging: Path, names: tuple[str, ...]) -> Path:
    project = staging / "project"
    project.mkdir()
    folder = plan.manifest.parent
    for name in (PYPROJECT, plan.manifest.name, *names):
        source = folder / name
        if source.is_file():
            try:
                shutil.copyfile(source, project / name)
            except OSError as error:
                raise DependencyError(f"cannot read {source}: {reason(error)}") from None
    return project


def _export_uv_lock(uv: str, plan: DependencyPlan, staging: Path) -> Path:
    project = _copy_project(plan, staging, UV_PROJECT_FILES)
    exported = staging / "requirements.txt"
    command = [
        uv, "export", "--locked", "--format", "requirements-txt", "--no-dev",
        "--no-emit-project", "--no-header", "--color", "never", "--output-file", str(exported),
    ]  # fmt: skip
    result = run(command, cwd=project, env={"UV_NO_PROGRESS": "1"})
    output = result.stderr + result.stdout
    if result.returncode != 0:
        if "needs to be updated" in output:
            raise DependencyError(
                f"{plan.manifest} is out of date with {plan.manifest.parent / PYPROJECT}: run "
                f"`uv lock` in {plan.manifest.parent} and keep the updated uv.lock"
            )
        raise DependencyError(f"uv could not export {plan.manifest}: {describe_uv_failure(result)}")
    return _checked_export(exported, plan)


def _export_poetry_lock(plan: DependencyPlan, staging: Path) -> Path:
    poetry = shutil.which("poetry")
    if poetry is None:
        raise DependencyError(
            f"{plan.manifest} is read with `poetry export`, but poetry is not on PATH: install "
            "poetry and its export plugin (poetry-plugin-export), or export the lock yourself "
            "(`poetry export -f requirements.txt -o requirements.txt`) and ship that instead"
        )
    project = _copy_project(plan, staging, ())
    exported = staging / "requirements.txt"
    command = [
        poetry, "export", "--format", "requirements.txt", "--only", "main",
        "--no-interaction", "--no-ansi", "--output", str(exported),
    ]  # fmt: skip
    result = run(command, cwd=project, env={})
    output = redact(result.stderr + result.stdout)
    if result.returncode != 0:
        if "poetry lock" in output or "changed significantly" in output:
            raise DependencyError(
                f"{plan.manifest} is out of date with {plan.manifest.parent / PYPROJECT}: run "
                f"`poetry lock` in {plan.manifest.parent} and keep the updated poetry.lock"
            )
        lines = [line.strip() for line in output.splitlines() if line.strip()]
        detail = "; ".join(lines[-3:]) or f"poetry exited with status {result.returncode}"
        raise DependencyError(f"poetry could not export {plan.manifest}: {detail}")
    if not exported.is_file():
        raise DependencyError(
            f"poetry export wrote nothing for {plan.manifest}: is poetry-plugin-export installed?"
        )
    return _checked_export(exported, plan)


def _checked_export(exported: Path, plan: DependencyPlan) -> Path:
    """The export, read as a requirements file: sources in the lock are refused by name."""
    target = f"Python {plan.python_version}"
    try:
        read_requirements(exported, target)
    except DependencyError as error:
        raise DependencyError(
            str(error).replace(str(exported), f"{plan.manifest} (exported)")
        ) from None
    return exported


def describe_uv_failure(result: subprocess.CompletedProcess[str]) -> str:
    """uv's reason in one line: its error, the causes under it and its first hint.

    uv writes `error: ...` with `cause: ...` (or `Caused by: ...`) lines, or, for a failed
    resolution in older releases, `\\u00d7 ...` with a wrapped `╰─▶ ...` paragraph.
    """
    output = redact(result.stderr + result.stdout)
    error, causes, hints = "", [], []
    current: list[str] | None = None  # the paragraph continuation lines join
    for raw in output.splitlines():
        line = raw.strip()
        if not line:
            current = None
            continue
        for marker in ("error:", "\u00d7"):
            if line.startswith(marker) and not error:
                error = line.removeprefix(marker).strip().rstrip(":")
                current = None
                break
        else:
            if line.startswith(("cause:", "Caused by:", "\u2570\u2500\u25b6")):
                causes.append(
                    re.split(r"^(?:cause:|Caused by:|\u2570\u2500\u25b6)", line)[1].strip()
                )
                current = causes
            elif line.startswith("hint:"):
                hints.append(line.removeprefix("hint:").strip())
                current = hints
            elif current is not None and raw.startswith(" "):
                current[-1] = f"{current[-1]} {line}"
    if error.startswith(("Failed to fetch", "Request failed")) or any(
        "error sending request" in c for c in causes
    ):
        root = causes[-1] if causes else error
        return (
            f"uv could not reach the package index: {error}: {root} (check the network, "
            "proxy and index URL: --index-url in requirements.txt, UV_INDEX_URL)"
        )
    parts = [part for part in (error, *causes[-2:], *hints[:1]) if part]
    return "; ".join(parts) or f"uv exited with status {result.returncode}"
