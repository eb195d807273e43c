"""Deterministic, cached zip packages of local Lambda code and layers.

Holds the public API (`build_package`, `check_size_limits`, `Package`, `PackagingError`),
file selection, content hashes, the build cache and Lambda's size limits. The zip itself
is written by `zipwriter`, on threads from `parallel` (modules of this package).

`build_package` turns a directory into the zip Lambda runs, installing its dependencies
first (see `planton_lambda.packaging.dependencies`). The same content gives a byte-identical zip on
any machine, whatever the file times, owners, umask or directory listing order:

* entries are the regular files only, sorted by path, dated 1980-01-01 00:00, with mode
  0755 when the source file has any execute bit and 0644 otherwise;
* each entry is deflated at level 6, or stored when it is already compressed (by its
  extension) or deflate would not make it smaller;
* symbolic links to files inside the directory are followed and stored as regular files;
  a link to a directory, a link leading outside the directory and a dangling link are
  refused, as are sockets, FIFOs and devices. Empty directories are not kept.

Left out always: `__pycache__`, `*.pyc`, `.DS_Store`, the `.git`, `.hg`, `.svn` and `.venv`
directories, any virtual environment (a directory holding `pyvenv.cfg`), `node_modules/.cache`
and the cache directory itself when it lies inside the source.

Left out unless an `include` glob (same syntax as `excludes`) matches the file or a folder
above it: secret-looking source files, by name (SECRET_FILES) or folder (SECRET_DIRS), at any
depth, case-insensitively. Installed dependencies, files under a `node_modules` folder and
files a vendored wheel's `*.dist-info/RECORD` lists are exempt: they come from a registry
(`certifi/cacert.pem` is a public CA bundle). A symbolic link is secret-looking when its
name or its target is.

`excludes` are fnmatch-style globs, case-sensitive, matched against each file's and each
directory's path relative to the source directory, written with `/`. As in fnmatch, `*`
also matches `/`, so `*.md` drops Markdown files at any depth while `README.md` drops only
the top-level one. A directory that matches is dropped whole; a pattern ending in `/` or
`/**` (`tests/`, `tests/**`) matches directories only; a leading `**/` also matches at the
top level (`**/tests/` drops every `tests` directory). Patterns apply to installed
dependencies as well (e.g. `boto3/`); negated patterns (`!x`) are not supported.

Installed dependencies join the source's files; the source's file wins a shared path, and
a source `node_modules` is replaced by what `npm ci` installs.

Packages are cached under `cache_dir` (default: `$PLANTON_LAMBDA_CACHE`, else
`$XDG_CACHE_HOME/planton-lambda`, else `~/.cache/planton-lambda`), keyed by a hash of the
packaging inputs: this format's version, function or layer, runtime, architecture,
excludes, include, every packaged file's path, mode and content, and every file the
dependency install reads (requirements.txt and its `-r`/`-c` files, local wheels,
package.json, the lockfile, .npmrc) even when it is not packaged. An unchanged tree is
neither zipped nor installed again. File contents are hashed once and remembered by (size,
mtime_ns, ctime_ns, inode), so a no-op rebuild reads no file; a file whose stat changed is
hashed again (ctime too: an edit that puts the mtime back is still seen). Unpinned
requirements are resolved on the first build of a given tree only: pin them for the same
package on every machine. Entries can be deleted at any time.

The cache trusts nothing it has not checked: a zip is served only when its SHA-256 is the
recorded one (re-read whenever its stat changed since it was last verified), and a build is
stored only if every source file zipped has the CRC-32 it had when hashed for the key and
the dependency inputs are unchanged after the install. A package over Lambda's size limits
is refused before it is stored; writing stops as soon as the zip passes 50 MB. Memory is
bounded whatever the file sizes (see `planton_lambda.packaging.zipwriter`). An unreadable file or
folder, or a cache that cannot be written, is a PackagingError naming the path.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import dataclasses
import hashlib
import json
import os
import re
import stat
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import translate
from pathlib import Path
from typing import BinaryIO, NamedTuple, TypeVar

from planton_lambda.errors import PlantonLambdaError
from planton_lambda.packaging import bundle as bundling
from planton_lambda.packaging import dependencies
from planton_lambda.packaging.bundle import Bundle
from planton_lambda.packaging.parallel import batched, ordered_map
from planton_lambda.packaging.zipwriter import (
    FileChanged,
    ZipError,
    ZipResult,
    ZipTooLarge,
    write_zip,
)

MIB = 1024 * 1024
# Lambda quotas: a zip uploaded directly, and a function with all its layers unzipped
# (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html; the account's
# values are GetAccountSettings' AccountLimit.CodeSizeZipped / CodeSizeUnzipped).
MAX_ZIPPED_BYTES = 50 * MIB
MAX_UNZIPPED_BYTES = 250 * MIB
SIZE_HINT = (
    "set local.artifact_bucket to upload through S3 (up to 250 MB unzipped), move "
    "dependencies to layers, or ship a container image (CODE_SOURCE_TYPE_IMAGE)"
)

# Bumped whenever the bytes of a package built from the same inputs would change.
# 2: secret-looking files are left out. 3: Python dependencies installed by uv; bundles.
FORMAT_VERSION = "3"
CACHE_ENV = "PLANTON_LAMBDA_CACHE"

LAYER_PREFIXES = {"python": "python/", "nodejs": "nodejs/"}
EXCLUDED_DIRS = frozenset({"__pycache__", ".git", ".hg", ".svn", ".venv"})
EXCLUDED_FILE_SUFFIXES = (".pyc",)
EXCLUDED_FILES = frozenset({".DS_Store"})
VENV_MARKER = "pyvenv.cfg"

# Secret-looking files: never packaged from the source folder unless a glob of `include`
# matches them. File-name globs, matched case-insensitively against each file's name at
# any depth, with why each is there:
SECRET_FILES: dict[str, str] = {
    ".env*": "dotenv files (.env, .env.production, .envrc) hold credentials by convention",
    "*.pem": "PEM private keys (and certificates, which travel with them)",
    "*.key": "private keys",
    "*.p12": "PKCS#12 bundles hold a private key",
    "*.pfx": "PKCS#12 bundles hold a private key",
    "*.jks": "Java keystores hold private keys",
    "*.keystore": "Java and Android keystores hold private keys",
    "*.ppk": "PuTTY private keys",
    "id_rsa*": "SSH keys",
    "id_dsa*": "SSH keys",
    "id_ecdsa*": "SSH keys",
    "id_ed25519*": "SSH keys",
    ".npmrc": "npm registry tokens",
    ".yarnrc": "Yarn registry tokens",
    ".yarnrc.yml": "Yarn registry tokens",
    ".pypirc": "PyPI upload tokens",
    "pip.conf": "index URLs with logins",
    ".git-credentials": "git's stored logins",
    ".netrc": "logins used by curl, git and pip",
    "_netrc": "logins used by curl, git and pip (Windows name)",
    ".pgpass": "PostgreSQL passwords",
    ".htpasswd": "password hashes",
    ".dockercfg": "Docker registry logins",
    "credentials": "the AWS shared credentials file's name",
    "credentials.json": "Google OAuth client secrets, as Google's quickstarts name them",
    "client_secret*.json": "Google OAuth client secrets, as downloaded",
    "*.tfstate": "Terraform state holds resource secrets in plain text",
    "*.tfstate.backup": "Terraform state holds resource secrets in plain text",
}
# Folders whose every file is secret-looking, at any depth (matched case-insensitively).
SECRET_DIRS: dict[str, str] = {
    ".aws": "AWS CLI credentials and config",
    ".ssh": "SSH keys",
    ".gnupg": "GnuPG private keyrings",
    ".docker": "config.json holds registry logins",
    ".kube": "kubeconfig holds cluster tokens",
    ".azure": "Azure CLI tokens",
}
_SECRET_NAME = re.compile("|".join(translate(glob) for glob in SECRET_FILES))

READ_BYTES = MIB  # a file is hashed in blocks of this size
# A file modified within this window of being hashed may change again without changing
# its mtime (coarse file system clocks), so its hash is not remembered (git's racy-clean).
RACY_NS = 2_000_000_000

_T = TypeVar("_T")


class PackagingError(PlantonLambdaError):
    """A local directory that cannot be packaged; the message says why and what to do."""


class InputChanged(PackagingError):
    """A source file changed while it was being packaged: nothing was cached."""


@dataclass(frozen=True)
class Package:
    path: Path  # the zip in the cache
    source_code_hash: str  # base64 SHA-256 of the zip, as Lambda's CodeSha256
    zipped_bytes: int
    unzipped_bytes: int
    # The zipped size Lambda accepts for this package: 50 MB uploaded directly (None), up
    # to the unzipped limit through S3 (`max_zipped_bytes` of build_package).
    max_zipped_bytes: int | None = None

    @property
    def sha256_hex(self) -> str:
        """The zip's SHA-256 in hex: names its S3 object."""
        return base64.b64decode(self.source_code_hash).hex()


def build_package(
    source: str | os.PathLike[str],
    *,
    runtime: str | None,
    architecture: str = "X86_64",
    excludes: Sequence[str] = (),
    include: Sequence[str] = (),
    layer: bool = False,
    cache_dir: str | os.PathLike[str] | None = None,
    bundle: Bundle | None = None,
    max_zipped_bytes: int | None = None,
) -> Package:
    """Zip `source` (with its dependencies installed) for Lambda, or reuse the cached zip.

    `include` globs name secret-looking files to package anyway (see SECRET_FILES).
    `bundle` bundles a Node.js entry point with esbuild: the zip holds the bundle only.
    `max_zipped_bytes` is the zipped limit: MAX_ZIPPED_BYTES (None) for a direct upload,
    MAX_UNZIPPED_BYTES for a zip uploaded to S3.
    Raises PackagingError for a missing or unreadable directory, an unusable file, a
    failed dependency install or bundle, or a package over Lambda's size limits, before
    anything is deployed.
    """
    root = _source_root(source)
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    plan = _bundle_plan(root, bundle) if bundle else _plan(root, runtime, architecture)
    selector = FileSelector(excludes, skip_top=plan.replaces if plan else (), include=include)
    files = collect_files(root, selector, skip=cache)
    stat_cache = StatCache.open(cache, root)
    digests = stat_cache.digests(files)
    inputs = _dependency_inputs(root, plan)
    esbuild = _find_esbuild(root, plan) if bundle else None
    key = cache_key(
        files,
        [d.sha256 for d in digests],
        runtime=runtime,
        architecture=architecture,
        excludes=excludes,
        include=include,
        layer=layer,
        dependency_inputs=inputs,
        bundle=bundle.key() if bundle else None,
        esbuild=esbuild.identity() if esbuild else None,
    )
    store = PackageStore(cache, max_zipped_bytes)
    package = store.get(key)
    if package is None:
        crcs = {f.arcname: d.crc for f, d in zip(files, digests, strict=True)}
        prefix = layer_prefix(runtime) if layer else ""
        job = _Job(root, files, crcs, plan, inputs, selector, prefix, runtime)
        if bundle is not None and esbuild is not None:
            package = _build_bundle(job, store, key, bundle, esbuild)
        else:
            package = _build(job, store, key, architecture)
    package = dataclasses.replace(package, max_zipped_bytes=max_zipped_bytes)
    try:
        _check_package(package, str(root))
    except PackagingError:
        store.remove(key)  # a refused package is never served later
        raise
    return package


def check_size_limits(function: Package, layers: Sequence[Package] = ()) -> None:
    """Refuse a zip over the direct-upload limit, or a function and layers too big unzipped."""
    for name, package in [("function", function), *(("layer", layer) for layer in layers)]:
        _check_zipped(
            package.zipped_bytes,
            f"the {name} package {package.path.name}",
            package.max_zipped_bytes,
        )
    total = function.unzipped_bytes + sum(layer.unzipped_bytes for layer in layers)
    if total > MAX_UNZIPPED_BYTES:
        count = len(layers)
        what = (
            f"the function and its {count} layer{'s' * (count != 1)}" if layers else "the function"
        )
        raise PackagingError(
            f"{what} unzip to {_mb(total)}; Lambda allows at most {_mb(MAX_UNZIPPED_BYTES)} "
            f"unzipped for a function and all its layers together: {SIZE_HINT}"
        )


def default_cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "planton-lambda"


def layer_prefix(runtime: str | None) -> str:
    """`python/` or `nodejs/`: where Lambda looks for a layer's code for that runtime."""
    for family, prefix in LAYER_PREFIXES.items():
        if runtime is not None and runtime.startswith(family):
            return prefix
    return ""


def _source_root(source: str | os.PathLike[str]) -> Path:
    path = Path(source).expanduser()
    if not path.exists():
        raise PackagingError(f"local code directory {path} does not exist")
    if not path.is_dir():
        raise PackagingError(f"local code path {path} is not a directory")
    return path.resolve()


def _plan(root: Path, runtime: str | None, architecture: str) -> dependencies.DependencyPlan | None:
    try:
        return dependencies.plan_dependencies(root, runtime, architecture)
    except dependencies.DependencyError as error:
        raise PackagingError(str(error)) from None


def _bundle_plan(root: Path, bundle: Bundle) -> dependencies.DependencyPlan | None:
    """The npm install a bundle needs (its lockfile), whatever the runtime says."""
    entry = root / bundle.entry
    if not entry.is_file():
        raise PackagingError(f"the bundle's entry {entry} does not exist")
    try:
        return dependencies.node_plan(root)
    except dependencies.DependencyError as error:
        raise PackagingError(str(error)) from None


def _find_esbuild(root: Path, plan: dependencies.DependencyPlan | None) -> bundling.Esbuild:
    try:
        return bundling.find_esbuild(root, plan)
    except dependencies.DependencyError as error:
        raise PackagingError(str(error)) from None


def _dependency_inputs(root: Path, plan: dependencies.DependencyPlan | None) -> list[list[str]]:
    """[path, SHA-256] of each file the install reads: keyed even when not packaged."""
    if plan is None:
        return []
    inputs = [[os.path.relpath(path, root), _hash_file(str(path))[0]] for path in plan.inputs]
    # pip and uv write different metadata (INSTALLER, RECORD): the installer is an input too.
    return [["<installer>", plan.tool], *inputs]


@dataclass(frozen=True)
class _Job:
    """What goes into a package that is not in the cache yet."""

    root: Path
    files: list[SourceFile]
    crcs: dict[str, int]  # each source file's CRC-32 when it was hashed for the key
    plan: dependencies.DependencyPlan | None
    inputs: list[list[str]]  # the dependency inputs the key holds
    selector: FileSelector
    prefix: str  # python/ or nodejs/ for a layer
    runtime: str | None = None


def _build(job: _Job, store: PackageStore, key: str, architecture: str) -> Package:
    if job.plan is None:
        return _zip(job, job.files, store, key)
    with tempfile.TemporaryDirectory(dir=store.make_tmp(), prefix="stage-") as staging:
        installed = _install(job.plan, Path(staging), architecture)
        if _dependency_inputs(job.root, job.plan) != job.inputs:
            raise PackagingError(
                f"the dependency files of {job.root} ({', '.join(i[0] for i in job.inputs[1:])}) "
                "changed while the dependencies were installed; nothing was cached: build again"
            )
        extra = collect_files(installed.root, job.selector.for_installed(), arc=installed.prefix)
        return _zip(job, merge_files(extra, job.files), store, key)


def _build_bundle(
    job: _Job, store: PackageStore, key: str, bundle: Bundle, esbuild: bundling.Esbuild
) -> Package:
    """esbuild's output only; each source copied for it is checked against its keyed CRC."""
    with tempfile.TemporaryDirectory(dir=store.make_tmp(), prefix="bundle-") as staging:
        try:
            out = bundling.bundle_tree(
                root=job.root,
                files=[(f.arcname, f.path) for f in job.files],
                crcs=job.crcs,
                plan=job.plan,
                bundle=bundle,
                esbuild=esbuild,
                runtime=job.runtime,
                staging=Path(staging),
                cache=store.cache,
            )
        except dependencies.DependencyError as error:
            raise PackagingError(str(error)) from None
        if _dependency_inputs(job.root, job.plan) != job.inputs:
            raise InputChanged(
                f"the dependency files of {job.root} changed while it was being bundled; "
                "nothing was cached: build again"
            )
        outputs = collect_files(out, FileSelector((), secrets=False))
        _check_unzipped(sum(f.size for f in outputs), str(job.root))
        return store.put(key, outputs, {}, str(job.root))


def _zip(job: _Job, files: list[SourceFile], store: PackageStore, key: str) -> Package:
    _check_unzipped(sum(f.size for f in files), str(job.root))
    expected = {job.prefix + name: crc for name, crc in job.crcs.items()}
    return store.put(key, [f.with_prefix(job.prefix) for f in files], expected, str(job.root))


def _install(
    plan: dependencies.DependencyPlan, staging: Path, architecture: str
) -> dependencies.InstalledTree:
    try:
        return dependencies.install_dependencies(plan, staging, architecture=architecture)
    except dependencies.DependencyError as error:
        raise PackagingError(str(error)) from None


def merge_files(installed: list[SourceFile], source: list[SourceFile]) -> list[SourceFile]:
    """Installed files and the source's, sorted; the source's file wins a shared path."""
    merged = {f.arcname: f for f in installed}
    merged.update((f.arcname, f) for f in source)
    return sorted(merged.values(), key=lambda f: f.arcname)


# ---------------------------------------------------------------------------- file selection


class SourceFile(NamedTuple):  # a tuple: thousands are made on every build
    arcname: str  # POSIX path inside the package
    path: str  # where to read it (a symlink's target)
    size: int
    executable: bool
    mtime_ns: int
    ctime_ns: int
    inode: int

    @property
    def mode(self) -> int:
        return 0o755 if self.executable else 0o644

    def with_prefix(self, prefix: str) -> SourceFile:
        if not prefix:
            return self
        return self._replace(arcname=prefix + self.arcname)


class _Globs:
    """Compiled `excludes`/`include` globs (see the module docstring for their syntax)."""

    def __init__(self, patterns: Sequence[str], field: str) -> None:
        self.files: list[re.Pattern[str]] = []  # match files and directories
        self.dirs: list[re.Pattern[str]] = []  # match directories only
        for pattern in patterns:
            glob, dirs_only = _parse_pattern(pattern, field)
            if glob:
                for variant in _globstar_variants(glob):
                    (self.dirs if dirs_only else self.files).append(re.compile(translate(variant)))

    def match_file(self, path: str) -> bool:
        return any(p.match(path) for p in self.files)

    def match_dir(self, path: str) -> bool:
        return any(p.match(path) for p in self.files) or any(p.match(path) for p in self.dirs)

    def match_file_or_folder(self, path: str) -> bool:
        """The file itself, or any folder above it, matches."""
        if self.match_file(path):
            return True
        parts = path.split("/")[:-1]
        return any(self.match_dir("/".join(parts[: i + 1])) for i in range(len(parts)))


class FileSelector:
    """Decides which files and directories go into a package (see the module docstring)."""

    def __init__(
        self,
        excludes: Sequence[str],
        skip_top: Iterable[str] = (),
        include: Sequence[str] = (),
        *,
        secrets: bool = True,
    ) -> None:
        self.excludes = tuple(excludes)
        self.skip_top = frozenset(skip_top)
        self.secrets = secrets  # leave out secret-looking files (the source's, not installed)
        self._excludes = _Globs(self.excludes, "excludes")
        self._include = _Globs(include, "include")

    def for_installed(self) -> FileSelector:
        """The same excludes, for installed dependencies (nothing of theirs is replaced, and
        their files come from a registry: `certifi/cacert.pem` is a public CA bundle)."""
        return FileSelector(self.excludes, secrets=False)

    def keeps_dir(self, path: str) -> bool:
        parent, _, name = path.rpartition("/")
        in_node_modules = parent == "node_modules" or parent.endswith("/node_modules")
        if name in EXCLUDED_DIRS or (name == ".cache" and in_node_modules):
            return False
        if not parent and name in self.skip_top:
            return False
        return not self._excludes.match_dir(path)

    def keeps_file(self, path: str) -> bool:
        """Excludes and the always-excluded names; the secret rule is `hides_secret`."""
        name = path.rpartition("/")[2]
        if name in EXCLUDED_FILES or name.endswith(EXCLUDED_FILE_SUFFIXES):
            return False
        return not self._excludes.match_file(path)

    def keeps_link(self, path: str) -> bool:
        # A link may name a file or a directory: it is kept only if both would be.
        return self.keeps_file(path) and self.keeps_dir(path)

    def hides_secret(self, path: str) -> bool:
        """A secret-looking source file that no `include` glob lets in."""
        return (
            self.secrets
            and is_secret_looking(path)
            and not self._include.match_file_or_folder(path)
        )


def is_secret_looking(path: str) -> bool:
    """By its name or a folder it is in (SECRET_FILES, SECRET_DIRS); not in node_modules,
    whose files an install put there (packages from a registry, not the user's secrets)."""
    parts = path.lower().split("/")
    folders = parts[:-1]
    if "node_modules" in folders:
        return False
    return _SECRET_NAME.match(parts[-1]) is not None or any(p in SECRET_DIRS for p in folders)


def _parse_pattern(pattern: str, field: str = "excludes") -> tuple[str, bool]:
    """(glob, matches directories only) for one `excludes` or `include` entry."""
    if pattern.startswith("!"):
        raise PackagingError(f"{field} pattern {pattern!r}: negated patterns are not supported")
    glob = pattern.replace("\\", "/").strip()
    while glob.startswith("./"):
        glob = glob[2:]
    glob = glob.lstrip("/")
    dirs_only = False
    for suffix in ("/**", "/"):
        if glob.endswith(suffix):
            glob, dirs_only = glob.removesuffix(suffix).rstrip("/"), True
    return glob, dirs_only


def _globstar_variants(glob: str) -> list[str]:
    """`a/**/b` as fnmatch patterns: `**/` stands for zero or more directories."""
    head, sep, tail = glob.partition("**/")
    if not sep:
        return [glob]
    rests = _globstar_variants(tail)
    return [f"{head}*/{rest}" for rest in rests] + [head + rest for rest in rests]


def collect_files(
    root: Path, selector: FileSelector, *, arc: str = "", skip: Path | None = None
) -> list[SourceFile]:
    """Every file under `root` the selector keeps, sorted by arcname (`arc` + relative path).

    The selector sees arcnames, so patterns for installed dependencies read as paths in
    the package (`node_modules/aws-sdk/`). Secret-looking files are held back, except
    those a wheel installed into the folder (listed in a `*.dist-info/RECORD` beside them):
    a vendored `certifi/cacert.pem` is package data, not a secret.
    """
    real_root = os.path.realpath(root)
    skip_real = os.path.realpath(skip) if skip is not None else None
    found: list[SourceFile] = []
    held: list[SourceFile] = []  # secret-looking
    dist_infos: dict[str, list[str]] = {}  # arc folder -> its *.dist-info folders
    # Walked from its real path through real directories, every entry's path is real too.
    pending = [(real_root, arc)]
    while pending:
        directory, arc_dir = pending.pop()
        entries = _list_dir(directory)
        if arc_dir != arc and any(e.name == VENV_MARKER for e in entries):
            continue  # a virtual environment, whatever its name
        for entry in entries:
            path = arc_dir + entry.name
            if entry.is_symlink():
                if selector.keeps_link(path):
                    linked = _linked_file(entry, path, real_root)
                    target = os.path.relpath(linked.path, real_root).replace(os.sep, "/")
                    secret = selector.hides_secret(path) or selector.hides_secret(target)
                    (held if secret else found).append(linked)
            elif entry.is_dir(follow_symlinks=False):
                if entry.name.endswith(".dist-info"):
                    dist_infos.setdefault(arc_dir, []).append(entry.path)
                if selector.keeps_dir(path) and entry.path != skip_real:
                    pending.append((entry.path, path + "/"))
            elif entry.is_file(follow_symlinks=False):
                if selector.keeps_file(path):
                    file = _source_file(path, entry.path, _stat(entry))
                    (held if selector.hides_secret(path) else found).append(file)
            else:
                raise PackagingError(f"{entry.path} is not a regular file or directory")
    found.extend(_installed_by_wheels(held, dist_infos))
    found.sort(key=lambda f: f.arcname)
    return found


def _list_dir(directory: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as scan:
            return list(scan)
    except OSError as error:
        raise PackagingError(
            f"cannot read the folder {directory}: {error.strerror or error}; "
            "make it readable or add it to excludes"
        ) from None


def _stat(entry: os.DirEntry[str]) -> os.stat_result:
    try:
        return entry.stat()
    except OSError as error:
        raise PackagingError(f"cannot read {entry.path}: {error.strerror or error}") from None


def _installed_by_wheels(
    held: list[SourceFile], dist_infos: dict[str, list[str]]
) -> list[SourceFile]:
    """The held files a wheel's RECORD lists; RECORDs are read only when there are any."""
    records: dict[str, frozenset[str]] = {}

    def listed(file: SourceFile) -> bool:
        for folder, infos in dist_infos.items():
            if file.arcname.startswith(folder):
                for info in infos:
                    if info not in records:
                        records[info] = _record_paths(info)
                    if file.arcname[len(folder) :] in records[info]:
                        return True
        return False

    return [f for f in held if dist_infos and listed(f)]


def _record_paths(dist_info: str) -> frozenset[str]:
    """The paths a wheel's RECORD lists (https://packaging.python.org/en/latest/
    specifications/recording-installed-packages/): CSV rows of path, hash, size."""
    try:
        with open(os.path.join(dist_info, "RECORD"), encoding="utf-8", newline="") as stream:
            return frozenset(row[0] for row in csv.reader(stream) if row)
    except (OSError, UnicodeDecodeError, csv.Error):
        return frozenset()  # no readable RECORD: nothing is vouched for


def _linked_file(entry: os.DirEntry[str], arcname: str, real_root: str) -> SourceFile:
    target = os.path.realpath(entry.path)
    if not os.path.exists(target):
        raise PackagingError(f"symbolic link {entry.path} points to a missing file")
    if os.path.commonpath([target, real_root]) != real_root:
        raise PackagingError(
            f"symbolic link {entry.path} points outside {real_root}; "
            "copy the file in or add the link to excludes"
        )
    if os.path.isdir(target):
        raise PackagingError(
            f"symbolic link {entry.path} points to a directory; packages hold regular files "
            "only: replace the link with the directory or add it to excludes"
        )
    try:
        st = os.stat(target)
    except OSError as error:
        raise PackagingError(f"cannot read {target}: {error.strerror or error}") from None
    return _source_file(arcname, target, st)


def _source_file(arcname: str, path: str, st: os.stat_result) -> SourceFile:
    if not stat.S_ISREG(st.st_mode):
        raise PackagingError(f"{path} is not a regular file")
    try:
        arcname.encode("utf-8")
    except UnicodeEncodeError:
        raise PackagingError(f"file name {path!r} is not valid UTF-8") from None
    executable = bool(st.st_mode & 0o111)
    return SourceFile(
        arcname, path, st.st_size, executable, st.st_mtime_ns, st.st_ctime_ns, st.st_ino
    )


# ---------------------------------------------------------------------------- content hashes


class Digest(NamedTuple):
    sha256: str  # hex, of the content: names the package
    crc: int  # CRC-32 of the same read: the zip's entry must match it


class StatCache:
    """Content hashes of one source tree, remembered by (size, mtime_ns, ctime_ns, inode)."""

    VERSION = 2

    def __init__(self, path: Path, known: dict[str, list[int | str]]) -> None:
        self.path = path
        self.known = known

    @classmethod
    def open(cls, cache: Path, root: Path) -> StatCache:
        name = hashlib.sha256(str(root).encode()).hexdigest()[:32]
        path = cache / "stat" / f"{name}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            known = data["files"] if data.get("version") == cls.VERSION else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            known = {}  # a missing or damaged stat cache only costs a re-hash
        return cls(path, known if isinstance(known, dict) else {})

    def digests(self, files: Sequence[SourceFile]) -> list[Digest]:
        """Each file's content digests, reading only files not seen unchanged."""
        started = time.time_ns()
        digests: dict[str, Digest] = {}
        stale: list[SourceFile] = []
        for f in files:
            record = self.known.get(f.arcname)
            if isinstance(record, list) and len(record) == 6 and record[:4] == _stat_key(f):
                digests[f.arcname] = Digest(str(record[4]), int(record[5]))
            else:
                stale.append(f)
        batches = batched(stale, lambda f: f.size)
        hashed = ordered_map(_hash_files, batches, lambda b: sum(f.size for f in b))
        for batch, batch_digests in zip(batches, hashed, strict=True):
            digests.update((f.arcname, d) for f, d in zip(batch, batch_digests, strict=True))
        self._remember(files, digests, started)
        return [digests[f.arcname] for f in files]

    def _remember(self, files: Sequence[SourceFile], digests: dict[str, Digest], now: int) -> None:
        known: dict[str, list[int | str]] = {
            f.arcname: [*_stat_key(f), *digests[f.arcname]]
            for f in files
            # An edit sets both times: mtime says whether it was too recent to trust (ctime
            # cannot be set back, so every file touched by a checkout would look recent).
            if f.mtime_ns < now - RACY_NS
        }
        if known != self.known:
            payload = json.dumps({"version": self.VERSION, "files": known}, separators=(",", ":"))
            with contextlib.suppress(OSError):  # a read-only cache costs a re-hash next time
                _write_atomically(self.path, payload.encode())
            self.known = known

    def clear(self) -> None:
        """Forget every hash: after a file changed unseen (its stat put back), all are suspect."""
        self.known = {}
        with contextlib.suppress(OSError):
            self.path.unlink()


def _stat_key(f: SourceFile) -> list[int | str]:
    return [f.size, f.mtime_ns, f.ctime_ns, f.inode]


def _hash_files(batch: Sequence[SourceFile]) -> list[Digest]:
    digests = []
    for f in batch:
        sha, crc, size = _hash_file(f.path)
        if size != f.size:
            raise InputChanged(f"{f.path} changed while it was being packaged; build again")
        digests.append(Digest(sha, crc))
    return digests


def _hash_file(path: str) -> tuple[str, int, int]:
    """(SHA-256 hex, CRC-32, size) of a file's content, read once."""
    digest, crc, size = hashlib.sha256(), 0, 0
    try:
        with open(path, "rb") as stream:
            while block := stream.read(READ_BYTES):
                digest.update(block)
                crc = zlib.crc32(block, crc)
                size += len(block)
    except OSError as error:
        raise PackagingError(
            f"cannot read {path}: {error.strerror or error}; make it readable or add it to excludes"
        ) from None
    return digest.hexdigest(), crc, size


def cache_key(
    files: Sequence[SourceFile],
    digests: Sequence[str],
    *,
    runtime: str | None,
    architecture: str,
    excludes: Sequence[str],
    layer: bool,
    include: Sequence[str] = (),
    dependency_inputs: Sequence[Sequence[str]] = (),
    bundle: Mapping[str, object] | None = None,
    esbuild: str | None = None,
) -> str:
    """The hash naming a package: everything its bytes depend on, and nothing else."""
    inputs = {
        "format": FORMAT_VERSION,
        "layer": layer,
        "runtime": runtime,
        "architecture": architecture,
        "excludes": sorted(set(excludes)),
        "include": sorted(set(include)),
        "files": [[f.arcname, f.mode, d] for f, d in zip(files, digests, strict=True)],
        # What the install read (requirements.txt even when excluded, `-r` files, .npmrc).
        "dependency_inputs": [list(i) for i in dependency_inputs],
    }
    if bundle is not None:  # only then, so other packages keep their keys
        inputs["bundle"] = dict(bundle)
        inputs["esbuild"] = esbuild
    return hashlib.sha256(json.dumps(inputs, separators=(",", ":")).encode()).hexdigest()


# ---------------------------------------------------------------------------- the cache


class PackageStore:
    """Zips and their metadata by key; an entry appears whole or not at all.

    What it serves is verified: a zip is served only if its SHA-256 is the one recorded,
    re-read whenever the zip's stat (size, mtime, ctime, inode) differs from the one seen
    when it was last verified, or that verification was too recent to trust the clock.
    A zip corrupted in place is rebuilt, never served under its old hash.
    """

    def __init__(self, cache: Path, max_zipped_bytes: int | None = None) -> None:
        self.cache = cache
        self.packages = cache / "packages"
        self.max_zipped_bytes = max_zipped_bytes

    def get(self, key: str) -> Package | None:
        zip_path = self.packages / f"{key}.zip"
        try:
            meta = json.loads((self.packages / f"{key}.json").read_text(encoding="utf-8"))
            package = Package(
                zip_path, meta["source_code_hash"], meta["zipped_bytes"], meta["unzipped_bytes"]
            )
            st = zip_path.stat()
            if st.st_size != package.zipped_bytes:
                return None
            fingerprint = _fingerprint(st)
            if meta.get("stat") == fingerprint and st.st_ctime_ns < meta["checked_ns"] - RACY_NS:
                return package
            if _hash_zip(zip_path) != package.source_code_hash:
                return None  # damaged in place: rebuilt and replaced
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing or damaged: rebuilt and replaced
        with contextlib.suppress(OSError):  # a read-only cache: verified again next time
            self._write_meta(key, package, fingerprint, time.time_ns())
        return package

    def make_tmp(self) -> Path:
        tmp = self.cache / "tmp"
        self._writable(lambda: tmp.mkdir(parents=True, exist_ok=True))
        return tmp

    def put(
        self, key: str, files: Sequence[SourceFile], expected: Mapping[str, int], source: str
    ) -> Package:
        """Zip `files` into the cache; `expected` holds CRCs the zip's entries must have
        (what was hashed for the key), so a file edited mid-build is never stored."""
        self._writable(lambda: self.packages.mkdir(parents=True, exist_ok=True))
        zip_path = self.packages / f"{key}.zip"
        fd, tmp = self._writable(
            lambda: tempfile.mkstemp(dir=self.packages, prefix=".tmp-", suffix=".zip")
        )
        try:
            with os.fdopen(fd, "wb", buffering=MIB) as out:
                # Reading errors are PackagingErrors by now: an OSError is the cache's.
                result = self._writable(
                    lambda: _write_zip(files, out, self.packages, source, self.max_zipped_bytes)
                )
            _check_unchanged(files, result.crcs, expected)
            self._writable(lambda: os.replace(tmp, zip_path))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        package = Package(
            zip_path,
            base64.b64encode(result.digest).decode("ascii"),
            result.size,
            sum(f.size for f in files),
        )
        # Written last: a zip without its metadata is not an entry yet.
        self._writable(
            lambda: self._write_meta(key, package, _fingerprint(zip_path.stat()), time.time_ns())
        )
        return package

    def remove(self, key: str) -> None:
        for suffix in (".json", ".zip"):  # metadata first: the entry is gone at once
            with contextlib.suppress(OSError):
                (self.packages / f"{key}{suffix}").unlink()

    def _write_meta(self, key: str, package: Package, fingerprint: list[int], now: int) -> None:
        meta = {
            "source_code_hash": package.source_code_hash,
            "zipped_bytes": package.zipped_bytes,
            "unzipped_bytes": package.unzipped_bytes,
            "stat": fingerprint,
            "checked_ns": now,
        }
        _write_atomically(self.packages / f"{key}.json", json.dumps(meta).encode())

    def _writable(self, action: Callable[[], _T]) -> _T:
        try:
            return action()
        except OSError as error:
            raise PackagingError(
                f"cannot write to the package cache {self.cache}: {error.strerror or error}; "
                f"make it writable or set {CACHE_ENV} to a writable folder"
            ) from None


def _fingerprint(st: os.stat_result) -> list[int]:
    # ctime cannot be set back by a user (utime sets it to now), unlike mtime.
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def _hash_zip(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while block := stream.read(READ_BYTES):
            digest.update(block)
    return base64.b64encode(digest.digest()).decode("ascii")


def _check_unchanged(
    files: Sequence[SourceFile], crcs: Sequence[int], expected: Mapping[str, int]
) -> None:
    for file, crc in zip(files, crcs, strict=True):
        if expected.get(file.arcname, crc) != crc:
            raise InputChanged(
                f"{file.path} changed while it was being packaged; nothing was cached: build again"
            )


def _write_zip(
    files: Sequence[SourceFile],
    out: BinaryIO,
    spill_dir: Path,
    source: str,
    max_bytes: int | None = None,
) -> ZipResult:
    max_bytes = MAX_ZIPPED_BYTES if max_bytes is None else max_bytes
    try:
        return write_zip(files, out, max_bytes=max_bytes, spill_dir=spill_dir)
    except ZipTooLarge as error:
        unzipped = sum(f.size for f in files)
        raise PackagingError(
            f"the package of {source} is over {_mb(error.limit)} zipped ({_mb(unzipped)} "
            f"unzipped); Lambda accepts at most {_mb(max_bytes)} {_upload(max_bytes)}: "
            f"{SIZE_HINT}"
        ) from None
    except FileChanged as error:
        raise InputChanged(str(error)) from None
    except ZipError as error:
        raise PackagingError(str(error)) from None


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------- size limits


def _check_package(package: Package, source: str) -> None:
    _check_zipped(package.zipped_bytes, f"the package of {source}", package.max_zipped_bytes)
    _check_unzipped(package.unzipped_bytes, source)


def _check_zipped(size: int, what: str, limit: int | None = None) -> None:
    limit = MAX_ZIPPED_BYTES if limit is None else limit
    if size > limit:
        raise PackagingError(
            f"{what} is {_mb(size)} zipped; Lambda accepts at most {_mb(limit)} "
            f"{_upload(limit)}: {SIZE_HINT}"
        )


def _upload(limit: int) -> str:
    return "for a direct upload" if limit <= MAX_ZIPPED_BYTES else "through S3"


def _check_unzipped(size: int, source: str) -> None:
    if size > MAX_UNZIPPED_BYTES:
        raise PackagingError(
            f"{source} unzips to {_mb(size)} with its dependencies; Lambda allows at most "
            f"{_mb(MAX_UNZIPPED_BYTES)} unzipped for a function and all its layers: {SIZE_HINT}"
        )


def _mb(size: int) -> str:
    return f"{size / MIB:.1f} MB"
