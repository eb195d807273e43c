"""Node.js entry points bundled with esbuild into one file, as CDK's NodejsFunction does.

The code folder's packaged files (secret-looking ones left out, as always) are copied into a
staging project; its `package.json` dependencies are installed there with `npm ci` (all of
them, for this machine: the bundle is plain JavaScript, and only what the entry imports ends
up in it); esbuild bundles the entry for Node on Lambda (`--platform=node`, the runtime's
Node version as `--target`) into `index.mjs` (esm) or `index.js` (cjs), plus its source map
when asked. esbuild runs in the staging project, so every path it writes (the bundle's
comments, the source map's sources) is relative to it: the same sources give the same bytes
wherever they are. Nothing is written into the code folder.

esbuild is the one PLANTON_LAMBDA_ESBUILD names, else the one the code folder declares
(locked in its `package-lock.json`), else `esbuild` on PATH, else the pinned ESBUILD_VERSION,
installed once with npm into the build cache. Which one (its locked or pinned version, or the
executable's path, size and mtime) is part of the package's cache key.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from planton_lambda.packaging.dependencies import (
    NODE_CONFIG,
    DependencyError,
    DependencyPlan,
    describe_npm_failure,
)
from planton_lambda.packaging.dependencies import _run as run

ESBUILD_VERSION = "0.28.2"
ESBUILD_ENV = "PLANTON_LAMBDA_ESBUILD"  # an esbuild executable to use instead
_NODE_MAJOR = re.compile(r"nodejs(\d+)\.x")
_ERROR = re.compile(r"\[ERROR\] (?P<text>[^\n]+)\n(?:\s*\n)?\s+(?P<where>\S+:\d+:\d+):")


class BundleError(DependencyError):
    """esbuild could not bundle the entry point; the message names the file and line."""


@dataclass(frozen=True)
class Bundle:
    """What to bundle: `entry` relative to the code folder, and esbuild's options."""

    entry: str
    format: str = "esm"  # esm | cjs
    minify: bool = False
    sourcemap: bool = False
    external: tuple[str, ...] = ()

    @property
    def output(self) -> str:
        return "index.mjs" if self.format == "esm" else "index.js"

    def key(self) -> dict[str, object]:
        return {
            "entry": self.entry,
            "format": self.format,
            "minify": self.minify,
            "sourcemap": self.sourcemap,
            "external": sorted(set(self.external)),
        }


@dataclass(frozen=True)
class Esbuild:
    """Which esbuild bundles: `path` (None: the pinned one, installed on first use)."""

    source: str  # env | declared | path | pinned
    version: str  # for an executable given or on PATH: its path, size and mtime
    path: str | None = None

    def identity(self) -> str:
        return f"{self.source}:{self.version}"


def find_esbuild(root: Path, plan: DependencyPlan | None) -> Esbuild:
    """The esbuild that will bundle, cheaply: no install, at most one `--version` call."""
    configured = os.environ.get(ESBUILD_ENV)
    if configured:
        return Esbuild("env", _fingerprint(configured), configured)
    declared = _declared_version(plan)
    if declared is not None:
        return Esbuild("declared", declared)
    on_path = shutil.which("esbuild")
    if on_path is not None:
        return Esbuild("path", _fingerprint(on_path), on_path)
    return Esbuild("pinned", ESBUILD_VERSION)


def _fingerprint(executable: str) -> str:
    """Stands for the version of an esbuild given by path, without running it: the same
    file (path, size, mtime) is the same version, and another file builds afresh."""
    try:
        real = os.path.realpath(executable)
        st = os.stat(real)
    except OSError as error:
        raise BundleError(f"cannot run esbuild at {executable}: {error.strerror}") from None
    return f"{real}:{st.st_size}:{st.st_mtime_ns}"


def _declared_version(plan: DependencyPlan | None) -> str | None:
    """esbuild's version in the folder's package-lock.json, when the folder declares it."""
    if plan is None or plan.lockfile is None:
        return None
    try:
        lock = json.loads(plan.lockfile.read_text(encoding="utf-8"))
        version = lock["packages"]["node_modules/esbuild"]["version"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return str(version) if isinstance(version, str) else None


def bundle_tree(
    *,
    root: Path,
    files: Sequence[tuple[str, str]],
    crcs: Mapping[str, int],
    plan: DependencyPlan | None,
    bundle: Bundle,
    esbuild: Esbuild,
    runtime: str | None,
    staging: Path,
    cache: Path,
) -> Path:
    """Bundle into `staging/out`, returned; `files` are (arcname, path) of the sources."""
    project = staging / "project"
    _copy_sources(files, crcs, project)
    if plan is not None:
        _npm_ci_for_bundling(plan, root, project)
    executable = _executable(esbuild, project, cache)
    out = staging / "out"
    out.mkdir()
    command = esbuild_command(executable, bundle, runtime, out / bundle.output)
    result = run(command, cwd=project, env={"NO_COLOR": "1"})
    if result.returncode != 0:
        raise BundleError(
            f"esbuild could not bundle {root / bundle.entry}: {describe_esbuild_failure(result)}"
        )
    return out


def esbuild_command(
    executable: str, bundle: Bundle, runtime: str | None, outfile: Path
) -> list[str]:
    node = _NODE_MAJOR.fullmatch(runtime or "")
    command = [
        executable,
        bundle.entry,
        "--bundle",
        "--platform=node",
        f"--format={bundle.format}",
        f"--outfile={outfile}",
        "--color=false",
        "--log-level=error",
        "--charset=utf8",
        # Comments naming each module are the only place a path appears in the bundle; they
        # are relative to the staging project, so the same everywhere.
        *([f"--target=node{node.group(1)}"] if node else []),
        # As CDK's NodejsFunction: ESM prefers packages' ESM builds.
        *(["--main-fields=module,main"] if bundle.format == "esm" else []),
        *(["--minify"] if bundle.minify else []),
        *(["--sourcemap"] if bundle.sourcemap else []),
        *(f"--external:{name}" for name in bundle.external),
    ]
    return command


def describe_esbuild_failure(result: subprocess.CompletedProcess[str]) -> str:
    """Each esbuild error as `file:line:column: text`, from its log (at most five)."""
    output = result.stderr + result.stdout
    errors = [f"{m.group('where')}: {m.group('text').strip()}" for m in _ERROR.finditer(output)]
    if not errors:
        errors = [
            line.split("[ERROR]", 1)[1].strip() for line in output.splitlines() if "[ERROR]" in line
        ]
    shown = "; ".join(errors[:5]) + (f" (and {len(errors) - 5} more)" if len(errors) > 5 else "")
    return shown or f"esbuild exited with status {result.returncode}"


def _copy_sources(files: Sequence[tuple[str, str]], crcs: Mapping[str, int], project: Path) -> None:
    """Copy the packaged sources; each must still have the CRC it was keyed with."""
    for arcname, path in files:
        target = project / arcname
        target.parent.mkdir(parents=True, exist_ok=True)
        crc = 0
        try:
            with open(path, "rb") as source, open(target, "wb") as copy:
                while block := source.read(1024 * 1024):
                    crc = zlib.crc32(block, crc)
                    copy.write(block)
        except OSError as error:
            raise DependencyError(f"cannot read {path}: {error.strerror or error}") from None
        if crcs.get(arcname, crc) != crc:
            raise DependencyError(
                f"{path} changed while it was being packaged; nothing was cached: build again"
            )


def _npm_ci_for_bundling(plan: DependencyPlan, root: Path, project: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise DependencyError(
            f"npm is needed to install the dependencies locked in {plan.lockfile}, "
            "but it is not on PATH"
        )
    assert plan.lockfile is not None
    for file in (plan.manifest, plan.lockfile, root / NODE_CONFIG):
        if file.is_file():  # excluded or secret-looking files are still the install's inputs
            shutil.copyfile(file, project / file.name)
    env = {"npm_config_update_notifier": "false"}
    result = run([npm, "ci", "--no-audit", "--no-fund"], cwd=project, env=env)
    if result.returncode != 0:
        raise DependencyError(
            f"npm ci could not install the dependencies locked in {plan.lockfile}: "
            f"{describe_npm_failure(result)}"
        )
    (project / NODE_CONFIG).unlink(missing_ok=True)


def _executable(esbuild: Esbuild, project: Path, cache: Path) -> str:
    if esbuild.path is not None:
        return esbuild.path
    if esbuild.source == "declared":
        declared = project / "node_modules" / "esbuild" / "bin" / "esbuild"
        if declared.is_file():
            return str(declared)
        raise BundleError(f"esbuild {esbuild.version} is locked but npm ci did not install it")
    return str(install_pinned(cache))


def install_pinned(cache: Path, version: str = ESBUILD_VERSION) -> Path:
    """esbuild `version` from the npm registry, installed once under `cache/tools`."""
    folder = cache / "tools" / f"esbuild-{version}"
    executable = folder / "node_modules" / "esbuild" / "bin" / "esbuild"
    if executable.is_file():
        return executable
    npm = shutil.which("npm")
    if npm is None:
        raise BundleError(
            f"esbuild is needed to bundle and npm is not on PATH to install it: install "
            f"esbuild {version} (npm install -g esbuild@{version}) or set {ESBUILD_ENV}"
        )
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".tmp-esbuild-"))
    try:
        command = [
            npm, "install", "--prefix", str(tmp), "--no-save", "--no-package-lock",
            "--no-audit", "--no-fund", f"esbuild@{version}",
        ]  # fmt: skip
        result = run(command, cwd=tmp, env={"npm_config_update_notifier": "false"})
        if result.returncode != 0:
            raise BundleError(
                f"npm could not install esbuild {version}: {describe_npm_failure(result)}"
            )
        try:
            os.replace(tmp, folder)
        except OSError:
            if not executable.is_file():  # another build installed it meanwhile: use that
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return executable
