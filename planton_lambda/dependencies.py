"""Third-party dependencies of a local code directory, installed for Lambda's platform.

A Python runtime (`python3.X`) with a `requirements.txt` gets `pip install --target` run with
Lambda's interpreter version, CPU architecture and glibc as the target, taking binary wheels
only: pip cannot build a source distribution for another platform, and a wheel built for
this machine could crash on Lambda. A Node.js runtime (`nodejs*`) with a `package.json` and a
lockfile gets `npm ci --omit=dev`, run in a staging copy so the source tree is never touched.
Anything else has no dependency step: its files are shipped as they are.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from planton_lambda.errors import PlantonLambdaError

Tool = Literal["pip", "npm"]

PYTHON_REQUIREMENTS = "requirements.txt"
NODE_MANIFEST = "package.json"
NODE_LOCKFILES = ("package-lock.json", "npm-shrinkwrap.json")
# Copied beside the manifest so private registries and scoped settings apply as they would
# for `npm ci` in the source directory; the copy is never packaged.
NODE_CONFIG = ".npmrc"

_PYTHON_RUNTIME = re.compile(r"python(3\.\d+)")
# Lambda's Python 3.12+ runtimes run on Amazon Linux 2023 (glibc 2.34); older ones on
# Amazon Linux 2 (glibc 2.26). A wheel needing a newer glibc than the runtime's fails to load.
_AL2023_FROM_PYTHON = (3, 12)
_GLIBC_AL2023 = 34
_GLIBC_AL2 = 26
_MANYLINUX2014_GLIBC = 17
_MACHINES = {"X86_64": "x86_64", "ARM64": "aarch64"}
_NODE_CPUS = {"X86_64": "x64", "ARM64": "arm64"}


class DependencyError(PlantonLambdaError):
    """A dependency install that failed; the message names what could not be installed."""


@dataclass(frozen=True)
class DependencyPlan:
    """How one source directory's dependencies are installed."""

    tool: Tool
    manifest: Path  # requirements.txt, or package.json
    python_version: str | None = None  # "3.13" for pip
    lockfile: Path | None = None  # for npm

    @property
    def replaces(self) -> tuple[str, ...]:
        """Top-level entries of the source that the install produces afresh."""
        return ("node_modules",) if self.tool == "npm" else ()


@dataclass(frozen=True)
class InstalledTree:
    """Installed files: the contents of `root` go under `prefix` in the package."""

    root: Path
    prefix: str


def plan_dependencies(source: Path, runtime: str | None) -> DependencyPlan | None:
    """The install a source directory needs for `runtime`, or None when it needs none."""
    if runtime is None:
        return None
    python = _PYTHON_RUNTIME.fullmatch(runtime)
    if python is not None:
        requirements = source / PYTHON_REQUIREMENTS
        if requirements.is_file():
            return DependencyPlan("pip", requirements, python_version=python.group(1))
        return None
    if runtime.startswith("nodejs"):
        manifest = source / NODE_MANIFEST
        lockfile = next(
            (source / name for name in NODE_LOCKFILES if (source / name).is_file()), None
        )
        if manifest.is_file() and lockfile is not None:
            return DependencyPlan("npm", manifest, lockfile=lockfile)
    return None


def install_dependencies(
    plan: DependencyPlan, staging: Path, *, architecture: str
) -> InstalledTree:
    """Install into the empty directory `staging`; raises DependencyError on failure."""
    if plan.tool == "pip":
        return _pip_install(plan, staging, architecture)
    return _npm_ci(plan, staging, architecture)


def platform_tags(python_version: str, architecture: str) -> list[str]:
    """pip `--platform` tags for a Lambda Python runtime, most specific first.

    pip does not widen `manylinux_2_X` tags to older glibc versions by itself, so every
    version from manylinux2014's 2.17 up to the runtime's glibc is listed.
    """
    machine = _MACHINES[architecture]
    major, minor = (int(part) for part in python_version.split("."))
    glibc = _GLIBC_AL2023 if (major, minor) >= _AL2023_FROM_PYTHON else _GLIBC_AL2
    tags = [f"manylinux_2_{v}_{machine}" for v in range(glibc, _MANYLINUX2014_GLIBC - 1, -1)]
    # Older wheels carry only the legacy alias; pip widens it to manylinux2010/1 itself.
    return [*tags, f"manylinux2014_{machine}"]


def pip_command(plan: DependencyPlan, target: Path, architecture: str) -> list[str]:
    assert plan.python_version is not None
    platforms = platform_tags(plan.python_version, architecture)
    return [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--target",
        str(target),
        "--only-binary=:all:",
        *(f"--platform={tag}" for tag in platforms),
        "--implementation=cp",
        f"--python-version={plan.python_version}",
        # Byte code would be compiled by this interpreter, not Lambda's; it is left out.
        "--no-compile",
        "--no-input",
        "--disable-pip-version-check",
        "--no-warn-script-location",
        "--requirement",
        str(plan.manifest),
    ]


def _pip_install(plan: DependencyPlan, staging: Path, architecture: str) -> InstalledTree:
    target = staging / "python"
    command = pip_command(plan, target, architecture)
    # Relative paths inside requirements.txt (`-r common.txt`, `./lib`) are relative to it.
    result = _run(command, cwd=plan.manifest.parent, env={"PIP_ROOT_USER_ACTION": "ignore"})
    if result.returncode != 0:
        where = f"{plan.manifest} for Lambda (Python {plan.python_version}, {architecture})"
        raise DependencyError(f"pip could not install {where}: {describe_pip_failure(result)}")
    return InstalledTree(target, "")


def describe_pip_failure(result: subprocess.CompletedProcess[str]) -> str:
    """One line naming the requirement pip failed on, from its stderr."""
    output = result.stderr + result.stdout
    missing = re.search(r"No matching distribution found for (\S+)", output) or re.search(
        r"Could not find a version that satisfies the requirement (\S+)", output
    )
    if missing is not None:
        return (
            f"no binary wheel of {missing.group(1)} matches the Lambda platform "
            "(check the name and version; a package published only as source cannot be "
            "installed for another platform)"
        )
    if "No module named pip" in output:
        return f"pip is not available to {sys.executable}"
    return _last_lines(output, "ERROR:") or f"pip exited with status {result.returncode}"


def _npm_ci(plan: DependencyPlan, staging: Path, architecture: str) -> InstalledTree:
    npm = shutil.which("npm")
    if npm is None:
        raise DependencyError(
            f"npm is needed to install the dependencies locked in {plan.lockfile}, "
            "but it is not on PATH"
        )
    project = staging / "project"
    project.mkdir()
    assert plan.lockfile is not None
    for file in (plan.manifest, plan.lockfile, plan.manifest.parent / NODE_CONFIG):
        if file.is_file():
            shutil.copyfile(file, project / file.name)
    env = {
        # Optional platform packages (esbuild, sharp, ...) are chosen for Lambda, not here.
        "npm_config_os": "linux",
        "npm_config_cpu": _NODE_CPUS[architecture],
        "npm_config_libc": "glibc",
        "npm_config_update_notifier": "false",
    }
    command = [npm, "ci", "--omit=dev", "--no-audit", "--no-fund"]
    result = _run(command, cwd=project, env=env)
    if result.returncode != 0:
        raise DependencyError(
            f"npm ci could not install the dependencies locked in {plan.lockfile}: "
            f"{describe_npm_failure(result)}"
        )
    node_modules = project / "node_modules"
    node_modules.mkdir(exist_ok=True)  # a lockfile with no dependencies installs nothing
    return InstalledTree(node_modules, "node_modules/")


def describe_npm_failure(result: subprocess.CompletedProcess[str]) -> str:
    """One line naming the package npm failed on, from its output."""
    output = result.stderr + result.stdout
    for pattern in (
        r"'(\S+)' is not in this registry",
        r"No matching version found for (\S+?)\.?\s",
    ):
        match = re.search(pattern, output)
        if match is not None:
            return f"cannot install {match.group(1)}: no such package or version"
    if "can only install packages when your package.json" in output:
        mismatch = re.search(r"^npm (?:error|ERR!) ((?:Invalid|Missing): .+)$", output, re.M)
        detail = f" ({mismatch.group(1).strip()})" if mismatch else ""
        return (
            f"package.json and the lockfile are out of sync{detail}; "
            "run `npm install` and keep the updated lockfile"
        )
    details = [
        re.sub(r"^npm (?:error|ERR!)\s*", "", line)
        for line in output.splitlines()
        if line.startswith(("npm error", "npm ERR!"))
    ]
    shown = [d for d in details if d and "log of this run" not in d]
    return "; ".join(shown[:3]) or f"npm exited with status {result.returncode}"


def _last_lines(output: str, marker: str, count: int = 2) -> str:
    lines = [line.strip() for line in output.splitlines() if line.startswith(marker)]
    return " ".join(lines[-count:])


def _run(command: list[str], *, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            command,
            cwd=cwd,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as error:
        raise DependencyError(f"cannot run {command[0]}: {error.strerror}") from None
