"""Third-party dependencies of a local code directory, installed for Lambda's platform.

A Python runtime (`python3.X`) gets its dependencies from the first of `requirements.txt`,
`uv.lock` (exported with `uv export --locked`) and `poetry.lock` (exported with `poetry
export`) in the folder, installed by `uv pip install --target` (uv is a dependency of this
package; `PLANTON_LAMBDA_PYTHON_INSTALLER=pip` uses `pip install --target` instead) with
Lambda's interpreter version, CPU architecture and glibc as the target, taking binary wheels
only: no installer can build a source distribution for another platform, and a wheel built
for this machine could crash on Lambda. A lockfile is exported in a staging copy, and a lock
out of date with its pyproject.toml is refused naming it. Hashes in the requirements (or
the export) are required for every requirement once one has them. Requirements that only a
build could satisfy (a local folder, a source archive, a VCS URL, an editable install,
`--no-binary`) are refused before anything runs: pip would build them for this machine and
write `build/` and `*.egg-info` into their folder. A Node.js runtime (`nodejs*`) with a
`package.json` and a lockfile gets `npm ci --omit=dev`, run in a staging copy so the source
tree is never touched; a `package.json` that declares dependencies without a lockfile is
refused, since nothing would install them. Anything else has no dependency step: its files
are shipped as they are.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from planton_lambda.errors import PlantonLambdaError

Tool = Literal["pip", "uv", "npm"]
LockKind = Literal["uv", "poetry"]

PYTHON_REQUIREMENTS = "requirements.txt"
PYPROJECT = "pyproject.toml"
# Python lockfiles, after requirements.txt, in the order they are looked for; each is
# exported to requirements (with hashes) in a staging copy of these files.
PYTHON_LOCKFILES: dict[LockKind, str] = {"uv": "uv.lock", "poetry": "poetry.lock"}
# Read by `uv export` beside the lock (index settings, the Python version it resolves for).
UV_PROJECT_FILES = ("uv.toml", ".python-version")
INSTALLER_ENV = "PLANTON_LAMBDA_PYTHON_INSTALLER"
NODE_MANIFEST = "package.json"
NODE_LOCKFILES = ("package-lock.json", "npm-shrinkwrap.json")
# Other tools' lockfiles, which `npm ci` does not read: named in the no-lockfile error.
OTHER_NODE_LOCKFILES = ("yarn.lock", "pnpm-lock.yaml", "bun.lock", "bun.lockb")
# Dependency kinds `npm ci --omit=dev` installs (npm 7+ installs peer dependencies too).
NODE_DEPENDENCY_FIELDS = ("dependencies", "optionalDependencies", "peerDependencies")
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
    manifest: Path  # requirements.txt, uv.lock, poetry.lock, or package.json
    python_version: str | None = None  # "3.13" for pip and uv
    lockfile: Path | None = None  # for npm
    lock: LockKind | None = None  # manifest is this Python lockfile, exported first
    # Every file the install reads (manifest, lockfile, .npmrc, `-r`/`-c` files, local
    # wheels): part of the cache key even when excluded from the package or outside it.
    inputs: tuple[Path, ...] = ()

    @property
    def replaces(self) -> tuple[str, ...]:
        """Top-level entries of the source that the install produces afresh."""
        return ("node_modules",) if self.tool == "npm" else ()


@dataclass(frozen=True)
class InstalledTree:
    """Installed files: the contents of `root` go under `prefix` in the package."""

    root: Path
    prefix: str


def plan_dependencies(
    source: Path, runtime: str | None, architecture: str = "X86_64"
) -> DependencyPlan | None:
    """The install a source directory needs for `runtime`, or None when it needs none.

    Raises DependencyError for what no install could get right: a requirement pip would
    have to build from source, or Node dependencies without a lockfile.
    """
    if runtime is None:
        return None
    python = _PYTHON_RUNTIME.fullmatch(runtime)
    if python is not None:
        return _python_plan(source, python.group(1), architecture)
    if runtime.startswith("nodejs"):
        return node_plan(source)
    return None


def python_installer() -> Tool:
    """uv, unless PLANTON_LAMBDA_PYTHON_INSTALLER=pip asks for pip."""
    chosen = os.environ.get(INSTALLER_ENV, "uv").strip().lower() or "uv"
    if chosen not in ("uv", "pip"):
        raise DependencyError(f"{INSTALLER_ENV} must be uv or pip, got {chosen!r}")
    return "pip" if chosen == "pip" else "uv"


def _python_plan(source: Path, version: str, architecture: str) -> DependencyPlan | None:
    requirements = source / PYTHON_REQUIREMENTS
    if requirements.is_file():
        target = f"Python {version} on {architecture}"
        inputs = tuple(read_requirements(requirements, target))
        tool = python_installer()
        return DependencyPlan(tool, requirements, python_version=version, inputs=inputs)
    for kind, name in PYTHON_LOCKFILES.items():
        lockfile = source / name
        if not lockfile.is_file():
            continue
        pyproject = source / PYPROJECT
        if not pyproject.is_file():
            raise DependencyError(f"{lockfile} has no {PYPROJECT} beside it in {source}")
        extra = UV_PROJECT_FILES if kind == "uv" else ()
        inputs = (pyproject, lockfile, *(source / f for f in extra if (source / f).is_file()))
        return DependencyPlan(
            "uv", lockfile, python_version=version, lock=kind, lockfile=lockfile, inputs=inputs
        )
    return None


def node_plan(source: Path) -> DependencyPlan | None:
    """`npm ci` from the folder's package.json and lockfile; None without a package.json."""
    manifest = source / NODE_MANIFEST
    if not manifest.is_file():
        return None
    lockfile = next((source / name for name in NODE_LOCKFILES if (source / name).is_file()), None)
    if lockfile is None:
        _refuse_unlocked_dependencies(manifest)
        return None
    config = source / NODE_CONFIG
    inputs = (manifest, lockfile, *([config] if config.is_file() else []))
    return DependencyPlan("npm", manifest, lockfile=lockfile, inputs=inputs)


def _refuse_unlocked_dependencies(manifest: Path) -> None:
    """Dependencies declared but never installed would fail at the first `require`."""
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise DependencyError(f"cannot read {manifest}: {_reason(error)}") from None
    except ValueError as error:
        raise DependencyError(f"{manifest} is not valid JSON: {error}") from None
    declared = [data.get(f) for f in NODE_DEPENDENCY_FIELDS] if isinstance(data, dict) else []
    names = sorted({name for deps in declared if isinstance(deps, dict) for name in deps})
    if not names:
        return
    folder = manifest.parent
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    others = [name for name in OTHER_NODE_LOCKFILES if (folder / name).is_file()]
    note = (
        f" ({', '.join(others)} is not read: `npm ci` needs npm's own lockfile, which "
        "`npm install --package-lock-only` writes)"
        if others
        else ""
    )
    raise DependencyError(
        f"{manifest} declares dependencies ({shown}) but {folder} has no package-lock.json "
        f"or npm-shrinkwrap.json, so nothing would install them and the function would fail "
        f"to load them{note}. Run `npm install` in {folder} and keep the package-lock.json "
        "it writes: the dependencies are then installed with `npm ci` for Lambda's platform"
    )


# ---------------------------------------------------------------------------- requirements

# `-r other.txt`, `--requirement=other.txt`, `-c constraints.txt` (pip's requirements file
# format: https://pip.pypa.io/en/stable/reference/requirements-file-format/).
_NESTED = re.compile(r"(?:--requirement|--constraint|-r|-c)\s*=?\s*(\S+)")
_EDITABLE = re.compile(r"(?:-e|--editable)(?:\s|=|$)")
_NO_BINARY = re.compile(r"--no-binary(?:\s|=|$)")
_NAMED_URL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*@\s*(\S+)")
_VCS = re.compile(r"(?:git|hg|svn|bzr)\+", re.IGNORECASE)
_COMMENT = re.compile(r"(?:^|\s+)#.*$")
_SOURCE_ARCHIVES = (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip")


def read_requirements(requirements: Path, target: str) -> list[Path]:
    """Every file the install of `requirements` reads, refusing source requirements.

    `target` names Lambda's platform in the message (`Python 3.12 on ARM64`).
    """
    seen: list[Path] = []
    _read_requirements(requirements, target, seen, requirements.parent)
    return seen


def _read_requirements(path: Path, target: str, seen: list[Path], cwd: Path) -> None:
    path = Path(os.path.normpath(path))
    if path in seen:
        return  # a file included twice (or a cycle) is read once, as pip does
    seen.append(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DependencyError(f"cannot read {path}: {_reason(error)}") from None
    for number, line in _logical_lines(text):
        where = f"{path}:{number}"
        nested = _NESTED.match(line)
        if nested is not None:
            # pip reads a nested file relative to the file naming it, but a requirement's
            # path relative to its working directory: the top file's folder (see _pip_install).
            _read_requirements(path.parent / nested.group(1), target, seen, cwd)
        elif _EDITABLE.match(line):
            _refuse_source(where, redact(line), "an editable install (a source checkout)", target)
        elif _NO_BINARY.match(line):
            _refuse_source(where, redact(line), "an option that forces source builds", target)
        elif not line.startswith("-"):
            wheel = _local_wheel(line, cwd, where, target)
            if wheel is not None:
                seen.append(wheel)


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, text) of each requirement, joined across `\\` and without comments."""
    lines: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        if not pending:
            start = number
        line = _COMMENT.sub("", raw)
        if line.endswith("\\"):
            pending += line[:-1]
            continue
        joined = (pending + line).strip()
        pending = ""
        if joined:
            lines.append((start, joined))
    if pending.strip():
        lines.append((start, pending.strip()))
    return lines


def _local_wheel(line: str, folder: Path, where: str, target: str) -> Path | None:
    """The local wheel a requirement names, None for an index requirement; refuses sources."""
    spec = re.split(r"\s+--", line.split(";")[0].strip())[0].strip()  # markers, --hash
    named = _NAMED_URL.match(spec)
    location = named.group(1) if named is not None else spec
    shown = redact(location)
    if _VCS.match(location):
        _refuse_source(where, shown, "a version-control checkout", target)
    is_url = "://" in location
    if not is_url and not _looks_like_path(location):
        return None  # a name and version specifier, found on the index
    bare = location.split("#")[0].split("?")[0]
    if bare.lower().endswith(".whl"):
        if is_url:
            return Path(bare[len("file://") :]) if bare.startswith("file://") else None
        return Path(os.path.normpath(folder / os.path.expanduser(bare)))
    local = Path(bare[len("file://") :]) if bare.startswith("file://") else folder / bare
    if is_url and not bare.startswith("file://"):
        kind = "a source archive download"
    elif local.is_dir():
        kind = "a local source folder"
    elif bare.lower().endswith(_SOURCE_ARCHIVES):
        kind = "a local source archive"
    else:
        kind = "a local path that is not a wheel"
    _refuse_source(where, shown, kind, target)
    return None  # not reached: _refuse_source raises


def _looks_like_path(location: str) -> bool:
    # A requirement name never holds a slash, and pip reads `.`/`~` prefixes as paths too.
    return (
        "/" in location
        or "\\" in location
        or location.startswith((".", "~"))
        or (location.lower().endswith((".whl", *_SOURCE_ARCHIVES)))
    )


def _refuse_source(where: str, shown: str, kind: str, target: str) -> None:
    host = f"{platform.machine()}, CPython {sys.version_info.major}.{sys.version_info.minor}"
    raise DependencyError(
        f"{where}: {shown} is {kind}: pip would build it for this machine ({host}), not for "
        f"Lambda ({target}), and write build files (build/, *.egg-info) into its folder. "
        "Only binary wheels are installed: build a wheel and list the .whl file instead (a "
        "pure-Python package gives a py3-none-any wheel that runs on every Lambda platform: "
        "`pip wheel --no-deps <folder> -w wheels/`), publish it to an index, or copy its "
        "Python files into the code folder"
    )


def redact(text: str) -> str:
    """`https://user:token@host` -> `https://****@host`: logins in URLs are never shown."""
    return re.sub(r"(?<=://)[^/\s@]+@", "****@", text)


def _reason(error: OSError | UnicodeDecodeError) -> str:
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8 text"
    return error.strerror or str(error)


def install_dependencies(
    plan: DependencyPlan, staging: Path, *, architecture: str
) -> InstalledTree:
    """Install into the empty directory `staging`; raises DependencyError on failure."""
    if plan.tool == "pip":
        return _pip_install(plan, staging, architecture)
    if plan.tool == "uv":
        from planton_lambda.packaging import uvinstall  # it imports this module

        return uvinstall.install(plan, staging, architecture)
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
    log = staging / "pip.log"
    # pip's debug log, kept out of its console output: only the log says why an index
    # could not be fetched when pip does not retry ("Could not fetch URL ...").
    command = [*pip_command(plan, target, architecture), f"--log={log}"]
    # Relative paths inside requirements.txt (`./wheels/x.whl`) are relative to its folder;
    # nothing is built there, since source requirements were refused.
    result = _run(command, cwd=plan.manifest.parent, env={"PIP_ROOT_USER_ACTION": "ignore"})
    if result.returncode != 0:
        where = f"{plan.manifest} for Lambda (Python {plan.python_version}, {architecture})"
        reason = describe_pip_failure(result, _read_log(log))
        raise DependencyError(f"pip could not install {where}: {reason}")
    return InstalledTree(target, "")


def _read_log(log: Path) -> str:
    try:
        return log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


# Signs in pip's output that it never reached its index, whatever it reports after that
# (it then says no distribution was found, which would blame the requirement).
_NETWORK_REASONS = (
    r"Failed to establish a new connection: ([^'\")\n]+)",
    r"(Connection to \S+ timed out[^'\")\n]*)",
    r"(Temporary failure in name resolution|Name or service not known)",
    r"(certificate verify failed[^'\")\n]*)",
    r"(Tunnel connection failed[^'\")\n]*)",
    r"Could not fetch URL (\S+?):? ([^\n]+)",
    r"after connection broken by '(\w+)",
)


def describe_pip_failure(result: subprocess.CompletedProcess[str], log: str = "") -> str:
    """pip's own reason for failing, in one line (credentials in URLs are masked); `log` is
    pip's debug log, searched for network failures its console output may not show."""
    output = redact(result.stderr + result.stdout)
    network = _network_reason(output) or _network_reason(redact(log))
    missing = re.search(r"No matching distribution found for (\S+)", output) or re.search(
        r"Could not find a version that satisfies the requirement (\S+)", output
    )
    if network is not None:
        what = f" while looking for {missing.group(1)}" if missing else ""
        return (
            f"pip could not reach the package index{what}: {network} (check the network, "
            "proxy and index URL: --index-url in requirements.txt, PIP_INDEX_URL)"
        )
    if missing is not None:
        return _describe_missing(missing.group(1), output)
    if "No module named pip" in output:
        return f"pip is not available to {sys.executable}"
    return _pip_reason(output) or f"pip exited with status {result.returncode}"


def _network_reason(output: str) -> str | None:
    for pattern in _NETWORK_REASONS:
        found = re.search(pattern, output)
        if found is not None:
            return ": ".join(part.strip() for part in found.groups())
    return None


def _describe_missing(requirement: str, output: str) -> str:
    versions = re.search(r"\(from versions: ([^)]*)\)", output)
    found = versions.group(1).strip() if versions else "none"
    if found != "none":
        return (
            f"no version of {requirement} matches; pip found {found} as binary wheels for "
            "the Lambda platform"
        )
    return (
        f"no binary wheel of {requirement} matches the Lambda platform "
        "(check the name and version; a package published only as source cannot be "
        "installed for another platform)"
    )


def _pip_reason(output: str) -> str:
    """pip's error lines: `ERROR: ...`, `error: ...`, its boxed summary, git's `fatal:`."""
    reasons: list[str] = []
    for raw in output.splitlines():
        line = raw.strip()
        # U+00D7 starts the one-line summary of pip's boxed (rich) errors.
        for prefix in ("ERROR:", "error:", "fatal:", "\u00d7"):
            if line.startswith(prefix):
                text = line.removeprefix(prefix).strip()
                if text and text not in reasons:
                    reasons.append(text)
    return "; ".join(reasons[:3])


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
            try:
                shutil.copyfile(file, project / file.name)
            except OSError as error:
                raise DependencyError(f"cannot read {file}: {_reason(error)}") from None
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
