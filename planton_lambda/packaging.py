"""Deterministic, cached zip packages of local Lambda code and layers.

Holds the public API (`build_package`, `check_size_limits`, `Package`, `PackagingError`),
file selection, content hashes, the build cache and Lambda's size limits. The zip itself
is written by `planton_lambda.zipwriter`, on threads from `planton_lambda.parallel`.

`build_package` turns a directory into the zip Lambda runs, installing its dependencies
first (see `planton_lambda.dependencies`). The same content gives a byte-identical zip on
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
excludes, and every included file's path, mode and content. An unchanged tree is neither
zipped nor installed again. File contents are hashed once and remembered by (size,
mtime_ns, inode), so a no-op rebuild reads no file; a file whose size or mtime changed is
hashed again. Unpinned requirements are resolved on the first build of a given tree only:
pin them for the same package on every machine. Entries can be deleted at any time.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import translate
from pathlib import Path
from typing import BinaryIO, NamedTuple

from planton_lambda import dependencies
from planton_lambda.errors import PlantonLambdaError
from planton_lambda.parallel import batched, ordered_map
from planton_lambda.zipwriter import ZipError, write_zip

MIB = 1024 * 1024
# Lambda quotas: a zip uploaded directly, and a function with all its layers unzipped.
MAX_ZIPPED_BYTES = 50 * MIB
MAX_UNZIPPED_BYTES = 250 * MIB
SIZE_HINT = (
    "move dependencies to layers, use CODE_SOURCE_TYPE_S3, or ship a container image "
    "(CODE_SOURCE_TYPE_IMAGE)"
)

# Bumped whenever the bytes of a package built from the same inputs would change.
FORMAT_VERSION = "1"
CACHE_ENV = "PLANTON_LAMBDA_CACHE"

LAYER_PREFIXES = {"python": "python/", "nodejs": "nodejs/"}
EXCLUDED_DIRS = frozenset({"__pycache__", ".git", ".hg", ".svn", ".venv"})
EXCLUDED_FILE_SUFFIXES = (".pyc",)
EXCLUDED_FILES = frozenset({".DS_Store"})
VENV_MARKER = "pyvenv.cfg"

READ_BYTES = MIB  # a file is hashed in blocks of this size
# A file modified within this window of being hashed may change again without changing
# its mtime (coarse file system clocks), so its hash is not remembered (git's racy-clean).
RACY_NS = 2_000_000_000


class PackagingError(PlantonLambdaError):
    """A local directory that cannot be packaged; the message says why and what to do."""


@dataclass(frozen=True)
class Package:
    path: Path  # the zip in the cache
    source_code_hash: str  # base64 SHA-256 of the zip, as Lambda's CodeSha256
    zipped_bytes: int
    unzipped_bytes: int


def build_package(
    source: str | os.PathLike[str],
    *,
    runtime: str | None,
    architecture: str = "X86_64",
    excludes: Sequence[str] = (),
    layer: bool = False,
    cache_dir: str | os.PathLike[str] | None = None,
) -> Package:
    """Zip `source` (with its dependencies installed) for Lambda, or reuse the cached zip.

    Raises PackagingError for a missing directory, an unusable file, a failed dependency
    install or a package over Lambda's size limits, before anything is deployed.
    """
    root = _source_root(source)
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    plan = dependencies.plan_dependencies(root, runtime)
    selector = FileSelector(excludes, skip_top=plan.replaces if plan else ())
    files = collect_files(root, selector, skip=cache)
    digests = StatCache.open(cache, root).digests(files)
    key = cache_key(
        files,
        digests,
        runtime=runtime,
        architecture=architecture,
        excludes=excludes,
        layer=layer,
    )
    store = PackageStore(cache)
    package = store.get(key)
    if package is None:
        job = _Job(root, files, plan, selector, layer_prefix(runtime) if layer else "")
        package = _build(job, store, key, architecture)
    _check_package(package, str(root))
    return package


def check_size_limits(function: Package, layers: Sequence[Package] = ()) -> None:
    """Refuse a zip over the direct-upload limit, or a function and layers too big unzipped."""
    for name, package in [("function", function), *(("layer", layer) for layer in layers)]:
        _check_zipped(package.zipped_bytes, f"the {name} package {package.path.name}")
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


@dataclass(frozen=True)
class _Job:
    """What goes into a package that is not in the cache yet."""

    root: Path
    files: list[SourceFile]
    plan: dependencies.DependencyPlan | None
    selector: FileSelector
    prefix: str  # python/ or nodejs/ for a layer


def _build(job: _Job, store: PackageStore, key: str, architecture: str) -> Package:
    if job.plan is None:
        return _zip(job, job.files, store, key)
    with tempfile.TemporaryDirectory(dir=store.make_tmp(), prefix="stage-") as staging:
        installed = _install(job.plan, Path(staging), architecture)
        extra = collect_files(installed.root, job.selector.for_installed(), arc=installed.prefix)
        return _zip(job, merge_files(extra, job.files), store, key)


def _zip(job: _Job, files: list[SourceFile], store: PackageStore, key: str) -> Package:
    _check_unzipped(sum(f.size for f in files), str(job.root))
    return store.put(key, [f.with_prefix(job.prefix) for f in files])


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
    inode: int

    @property
    def mode(self) -> int:
        return 0o755 if self.executable else 0o644

    def with_prefix(self, prefix: str) -> SourceFile:
        if not prefix:
            return self
        return SourceFile(
            prefix + self.arcname, self.path, self.size, self.executable, self.mtime_ns, self.inode
        )


class FileSelector:
    """Decides which files and directories go into a package (see the module docstring)."""

    def __init__(self, excludes: Sequence[str], skip_top: Iterable[str] = ()) -> None:
        self.excludes = tuple(excludes)
        self.skip_top = frozenset(skip_top)
        self._any: list[re.Pattern[str]] = []
        self._dirs: list[re.Pattern[str]] = []
        for pattern in self.excludes:
            glob, dirs_only = _parse_pattern(pattern)
            if glob:
                for variant in _globstar_variants(glob):
                    (self._dirs if dirs_only else self._any).append(re.compile(translate(variant)))

    def for_installed(self) -> FileSelector:
        """The same excludes, for installed dependencies (nothing of theirs is replaced)."""
        return FileSelector(self.excludes)

    def keeps_dir(self, path: str) -> bool:
        parent, _, name = path.rpartition("/")
        in_node_modules = parent == "node_modules" or parent.endswith("/node_modules")
        if name in EXCLUDED_DIRS or (name == ".cache" and in_node_modules):
            return False
        if not parent and name in self.skip_top:
            return False
        return not self._matches(path, self._any) and not self._matches(path, self._dirs)

    def keeps_file(self, path: str) -> bool:
        name = path.rpartition("/")[2]
        if name in EXCLUDED_FILES or name.endswith(EXCLUDED_FILE_SUFFIXES):
            return False
        return not self._matches(path, self._any)

    def keeps_link(self, path: str) -> bool:
        # A link may name a file or a directory: it is kept only if both would be.
        return self.keeps_file(path) and self.keeps_dir(path)

    @staticmethod
    def _matches(relpath: str, patterns: list[re.Pattern[str]]) -> bool:
        return any(p.match(relpath) for p in patterns)


def _parse_pattern(pattern: str) -> tuple[str, bool]:
    """(glob, matches directories only) for one `excludes` entry."""
    if pattern.startswith("!"):
        raise PackagingError(f"exclude pattern {pattern!r}: negated patterns are not supported")
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
    the package (`node_modules/aws-sdk/`).
    """
    real_root = os.path.realpath(root)
    skip_real = os.path.realpath(skip) if skip is not None else None
    found: list[SourceFile] = []
    # Walked from its real path through real directories, every entry's path is real too.
    pending = [(real_root, arc)]
    while pending:
        directory, arc_dir = pending.pop()
        with os.scandir(directory) as scan:
            entries = list(scan)
        if arc_dir != arc and any(e.name == VENV_MARKER for e in entries):
            continue  # a virtual environment, whatever its name
        for entry in entries:
            path = arc_dir + entry.name
            if entry.is_symlink():
                if selector.keeps_link(path):
                    found.append(_linked_file(entry, path, real_root))
            elif entry.is_dir(follow_symlinks=False):
                if selector.keeps_dir(path) and entry.path != skip_real:
                    pending.append((entry.path, path + "/"))
            elif entry.is_file(follow_symlinks=False):
                if selector.keeps_file(path):
                    found.append(_source_file(path, entry.path, entry.stat()))
            else:
                raise PackagingError(f"{entry.path} is not a regular file or directory")
    found.sort(key=lambda f: f.arcname)
    return found


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
    return _source_file(arcname, target, os.stat(target))


def _source_file(arcname: str, path: str, st: os.stat_result) -> SourceFile:
    if not stat.S_ISREG(st.st_mode):
        raise PackagingError(f"{path} is not a regular file")
    try:
        arcname.encode("utf-8")
    except UnicodeEncodeError:
        raise PackagingError(f"file name {path!r} is not valid UTF-8") from None
    executable = bool(st.st_mode & 0o111)
    return SourceFile(arcname, path, st.st_size, executable, st.st_mtime_ns, st.st_ino)


# ---------------------------------------------------------------------------- content hashes


class StatCache:
    """Content hashes of one source tree, remembered by (size, mtime_ns, inode)."""

    VERSION = 1

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

    def digests(self, files: Sequence[SourceFile]) -> list[str]:
        """The SHA-256 (hex) of each file's content, reading only files not seen unchanged."""
        started = time.time_ns()
        digests: dict[str, str] = {}
        stale: list[SourceFile] = []
        for f in files:
            record = self.known.get(f.arcname)
            if isinstance(record, list) and record[:3] == [f.size, f.mtime_ns, f.inode]:
                digests[f.arcname] = str(record[3])
            else:
                stale.append(f)
        batches = batched(stale, lambda f: f.size)
        hashed = ordered_map(_hash_files, batches, lambda b: sum(f.size for f in b))
        for batch, batch_digests in zip(batches, hashed, strict=True):
            digests.update((f.arcname, d) for f, d in zip(batch, batch_digests, strict=True))
        self._remember(files, digests, started)
        return [digests[f.arcname] for f in files]

    def _remember(self, files: Sequence[SourceFile], digests: dict[str, str], now: int) -> None:
        known: dict[str, list[int | str]] = {
            f.arcname: [f.size, f.mtime_ns, f.inode, digests[f.arcname]]
            for f in files
            if f.mtime_ns < now - RACY_NS
        }
        if known != self.known:
            payload = json.dumps({"version": self.VERSION, "files": known}, separators=(",", ":"))
            _write_atomically(self.path, payload.encode())
            self.known = known


def _hash_files(batch: Sequence[SourceFile]) -> list[str]:
    return [_hash_file(f.path) for f in batch]


def _hash_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while block := stream.read(READ_BYTES):
            digest.update(block)
    return digest.hexdigest()


def cache_key(
    files: Sequence[SourceFile],
    digests: Sequence[str],
    *,
    runtime: str | None,
    architecture: str,
    excludes: Sequence[str],
    layer: bool,
) -> str:
    """The hash naming a package: everything its bytes depend on, and nothing else."""
    inputs = {
        "format": FORMAT_VERSION,
        "layer": layer,
        "runtime": runtime,
        "architecture": architecture,
        "excludes": sorted(set(excludes)),
        "files": [[f.arcname, f.mode, d] for f, d in zip(files, digests, strict=True)],
    }
    return hashlib.sha256(json.dumps(inputs, separators=(",", ":")).encode()).hexdigest()


# ---------------------------------------------------------------------------- the cache


class PackageStore:
    """Zips and their metadata by key; an entry appears whole or not at all."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        self.packages = cache / "packages"

    def get(self, key: str) -> Package | None:
        zip_path = self.packages / f"{key}.zip"
        try:
            meta = json.loads((self.packages / f"{key}.json").read_text(encoding="utf-8"))
            package = Package(
                zip_path, meta["source_code_hash"], meta["zipped_bytes"], meta["unzipped_bytes"]
            )
            if zip_path.stat().st_size == package.zipped_bytes:
                return package
        except (OSError, ValueError, KeyError, TypeError):
            pass  # missing or damaged: rebuilt and replaced
        return None

    def make_tmp(self) -> Path:
        tmp = self.cache / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        return tmp

    def put(self, key: str, files: Sequence[SourceFile]) -> Package:
        self.packages.mkdir(parents=True, exist_ok=True)
        zip_path = self.packages / f"{key}.zip"
        fd, tmp = tempfile.mkstemp(dir=self.packages, prefix=".tmp-", suffix=".zip")
        try:
            with os.fdopen(fd, "wb", buffering=MIB) as out:
                digest, size = _write_zip(files, out)
            os.replace(tmp, zip_path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        package = Package(
            zip_path,
            base64.b64encode(digest).decode("ascii"),
            size,
            sum(f.size for f in files),
        )
        meta = {
            "source_code_hash": package.source_code_hash,
            "zipped_bytes": package.zipped_bytes,
            "unzipped_bytes": package.unzipped_bytes,
        }
        # Written last: a zip without its metadata is not an entry yet.
        _write_atomically(self.packages / f"{key}.json", json.dumps(meta).encode())
        return package


def _write_zip(files: Sequence[SourceFile], out: BinaryIO) -> tuple[bytes, int]:
    try:
        return write_zip(files, out)
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
    _check_zipped(package.zipped_bytes, f"the package of {source}")
    _check_unzipped(package.unzipped_bytes, source)


def _check_zipped(size: int, what: str) -> None:
    if size > MAX_ZIPPED_BYTES:
        raise PackagingError(
            f"{what} is {_mb(size)} zipped; Lambda accepts at most {_mb(MAX_ZIPPED_BYTES)} "
            f"for a direct upload: {SIZE_HINT}"
        )


def _check_unzipped(size: int, source: str) -> None:
    if size > MAX_UNZIPPED_BYTES:
        raise PackagingError(
            f"{source} unzips to {_mb(size)} with its dependencies; Lambda allows at most "
            f"{_mb(MAX_UNZIPPED_BYTES)} unzipped for a function and all its layers: {SIZE_HINT}"
        )


def _mb(size: int) -> str:
    return f"{size / MIB:.1f} MB"
