"""Local packaging: deterministic zips, excludes, dependencies, the build cache, size limits."""

from __future__ import annotations

import os
import random
import shutil
import stat
import subprocess
import sys
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planton_lambda import packaging
from planton_lambda.packaging import (
    Package,
    PackagingError,
    build_package,
    check_size_limits,
    dependencies,
    parallel,
    zipwriter,
)
from planton_lambda.packaging.zipwriter import crc32_combine

REPO = Path(__file__).resolve().parent.parent
NODE_APP = Path(__file__).parent / "fixtures" / "packaging" / "node-app"
OLD = 1_600_000_000  # an mtime well outside the stat cache's racy window

APP = {
    "app.py": "def handler(event, context):\n    return {'ok': True}\n",
    "lib/__init__.py": "",
    "lib/util.py": "VALUE = 42\n" * 50,
    "bin/run.sh": "#!/bin/sh\necho hi\n",
}


def write_tree(
    root: Path, files: Mapping[str, str | bytes], order: list[str] | None = None
) -> Path:
    for rel in order or list(files):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        content = files[rel]
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


def age(root: Path, mtime: int = OLD) -> None:
    """Give every file under `root` an old mtime, as files not edited just now have."""
    for path in root.rglob("*"):
        os.utime(path, (mtime, mtime), follow_symlinks=False)


def build(source: Path, cache: Path, **options: Any) -> Package:
    options.setdefault("runtime", "python3.13")
    return build_package(source, cache_dir=cache, **options)


def names(package: Package) -> list[str]:
    with zipfile.ZipFile(package.path) as archive:
        return archive.namelist()


def read(package: Package, name: str) -> bytes:
    with zipfile.ZipFile(package.path) as archive:
        return archive.read(name)


def leftovers(cache: Path) -> list[Path]:
    """Anything in the cache but the stat cache: package entries, temp files, staging."""
    return [p for p in cache.rglob("*") if p.is_file() and p.relative_to(cache).parts[0] != "stat"]


@pytest.fixture
def app(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "app", APP)
    (root / "bin" / "run.sh").chmod(0o755)
    return root


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


# ---------------------------------------------------------------------------- determinism


def test_same_content_gives_identical_bytes_whatever_times_modes_umask_and_order(
    tmp_path: Path,
) -> None:
    first = write_tree(tmp_path / "a", APP)
    (first / "bin" / "run.sh").chmod(0o755)
    age(first, OLD)
    old_umask = os.umask(0o077)
    try:
        second = write_tree(tmp_path / "b", APP, order=sorted(APP, reverse=True))
    finally:
        os.umask(old_umask)
    (second / "bin" / "run.sh").chmod(0o700)  # another exec bit pattern, same meaning
    (second / "app.py").chmod(0o600)
    age(second, OLD + 86_400 * 365)

    one = build(first, tmp_path / "cache-a")
    two = build(second, tmp_path / "cache-b")

    assert one.path.read_bytes() == two.path.read_bytes()
    assert one.source_code_hash == two.source_code_hash


def test_directory_listing_order_does_not_matter(
    app: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    straight = build(app, tmp_path / "cache-1")
    real_scandir = os.scandir

    class Reversed:
        def __init__(self, path: str) -> None:
            with real_scandir(path) as scan:
                self.entries = sorted(scan, key=lambda e: e.name, reverse=True)

        def __enter__(self) -> Iterator[os.DirEntry[str]]:
            return iter(self.entries)

        def __exit__(self, *exc: object) -> None:
            return None

    monkeypatch.setattr(os, "scandir", Reversed)
    reversed_build = build(app, tmp_path / "cache-2")
    assert reversed_build.path.read_bytes() == straight.path.read_bytes()


def test_zip_has_sorted_entries_fixed_dates_and_normalized_modes(app: Path, cache: Path) -> None:
    (app / "app.py").chmod(0o600)
    package = build(app, cache)
    with zipfile.ZipFile(package.path) as archive:
        infos = archive.infolist()
        assert archive.testzip() is None
        assert archive.read("app.py") == APP["app.py"].encode()
    assert [i.filename for i in infos] == sorted(APP)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.create_system for i in infos} == {3}
    modes = {i.filename: i.external_attr >> 16 for i in infos}
    assert modes["bin/run.sh"] == stat.S_IFREG | 0o755
    assert modes["app.py"] == stat.S_IFREG | 0o644
    assert package.unzipped_bytes == sum(len(v) for v in APP.values())
    assert package.zipped_bytes == package.path.stat().st_size


@pytest.mark.skipif(shutil.which("unzip") is None, reason="Info-ZIP unzip is not installed")
def test_info_zip_accepts_the_zip(app: Path, cache: Path) -> None:
    (app / "big.txt").write_bytes(b"".join(b"line %d\n" % i for i in range(400_000)))
    package = build(app, cache)
    result = subprocess.run(["unzip", "-t", str(package.path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    assert "No errors detected" in result.stdout


def test_source_code_hash_is_base64_sha256_of_the_zip(app: Path, cache: Path) -> None:
    import base64
    import hashlib

    package = build(app, cache)
    digest = hashlib.sha256(package.path.read_bytes()).digest()
    assert package.source_code_hash == base64.b64encode(digest).decode()


def test_content_change_changes_the_hash(app: Path, cache: Path) -> None:
    before = build(app, cache)
    (app / "lib" / "util.py").write_text("VALUE = 43\n" * 50)  # same size
    after = build(app, cache)
    assert after.source_code_hash != before.source_code_hash
    assert read(after, "lib/util.py").startswith(b"VALUE = 43")


def test_mode_change_changes_the_hash(app: Path, cache: Path) -> None:
    before = build(app, cache)
    (app / "app.py").chmod(0o755)
    assert build(app, cache).source_code_hash != before.source_code_hash


def test_large_files_are_split_yet_identical_for_any_worker_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zipwriter, "CHUNK_BYTES", 4096)
    monkeypatch.setattr(parallel, "BATCH_BYTES", 4096)
    monkeypatch.setattr(parallel, "IN_FLIGHT_BYTES", 16_384)
    rng = random.Random(7)
    text = b"".join(b"row %d %s\n" % (i, rng.choice([b"a", b"bb"])) for i in range(20_000))
    root = write_tree(tmp_path / "src", {"data.txt": text, "small.py": "x = 1\n"})
    builds = []
    for workers in (1, 3):
        monkeypatch.setattr(parallel, "workers", lambda n=workers: n)
        builds.append(build(root, tmp_path / f"cache-{workers}"))
    assert builds[0].path.read_bytes() == builds[1].path.read_bytes()
    with zipfile.ZipFile(builds[0].path) as archive:
        assert archive.read("data.txt") == text
        assert archive.getinfo("data.txt").compress_type == zipfile.ZIP_DEFLATED


def test_compressed_or_incompressible_files_are_stored(tmp_path: Path, cache: Path) -> None:
    noise = random.Random(3).randbytes(50_000)
    root = write_tree(
        tmp_path / "src",
        {"noise.bin": noise, "logo.png": b"\x89PNG" + b"\0" * 5000, "text.py": "x = 1\n" * 500},
    )
    with zipfile.ZipFile(build(root, cache).path) as archive:
        methods = {i.filename: i.compress_type for i in archive.infolist()}
        assert archive.read("noise.bin") == noise
    assert methods == {
        "logo.png": zipfile.ZIP_STORED,
        "noise.bin": zipfile.ZIP_STORED,
        "text.py": zipfile.ZIP_DEFLATED,
    }


def test_zip64_end_record_when_entries_exceed_the_classic_count(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zipwriter, "_U16", 3)  # as if 3 were the 65,535-entry limit
    root = write_tree(tmp_path / "src", {f"f{i}.txt": f"{i}\n" for i in range(5)})
    with zipfile.ZipFile(build(root, cache).path) as archive:
        assert archive.namelist() == [f"f{i}.txt" for i in range(5)]
        assert archive.testzip() is None


@given(st.binary(max_size=300), st.binary(max_size=300))
def test_crc32_combine_matches_zlib(first: bytes, second: bytes) -> None:
    combined = crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second))
    assert combined == zlib.crc32(first + second)


def test_crc32_combine_for_long_runs() -> None:
    block = bytes(range(256)) * 4096
    assert crc32_combine(zlib.crc32(b"x"), zlib.crc32(block), len(block)) == zlib.crc32(
        b"x" + block
    )


# ---------------------------------------------------------------------------- what goes in


def test_default_excludes(tmp_path: Path, cache: Path) -> None:
    root = write_tree(
        tmp_path / "src",
        {
            "app.py": "x",
            "__pycache__/app.cpython-313.pyc": "c",
            "lib/mod.pyc": "c",
            ".git/HEAD": "ref",
            ".hg/store": "s",
            ".svn/entries": "e",
            ".venv/bin/python": "p",
            "env/pyvenv.cfg": "home = /usr",
            "env/lib/site.py": "s",
            "node_modules/pkg/index.js": "js",
            "node_modules/.cache/babel/x": "junk",
            ".DS_Store": "d",
            "tests/test_app.py": "t",
        },
    )
    assert names(build(root, cache, runtime=None)) == [
        "app.py",
        "node_modules/pkg/index.js",
        "tests/test_app.py",
    ]


TREE = {
    "README.md": "r",
    "app.py": "a",
    "docs/guide.md": "g",
    "docs/img/x.svg": "s",
    "tests/test_a.py": "t",
    "pkg/tests/test_b.py": "t",
    "pkg/core.py": "c",
    "pkg/README.md": "r",
    "build": "a file named build",
    "dist/out.js": "o",
}


@pytest.mark.parametrize(
    ("pattern", "dropped"),
    [
        ("*.md", {"README.md", "docs/guide.md", "pkg/README.md"}),
        ("README.md", {"README.md"}),
        ("**/README.md", {"README.md", "pkg/README.md"}),
        ("docs", {"docs/guide.md", "docs/img/x.svg"}),
        ("docs/*", {"docs/guide.md", "docs/img/x.svg"}),
        ("tests/", {"tests/test_a.py"}),
        ("tests/**", {"tests/test_a.py"}),
        ("**/tests/", {"tests/test_a.py", "pkg/tests/test_b.py"}),
        ("*/tests", {"pkg/tests/test_b.py"}),
        ("pkg/**/test_*.py", {"pkg/tests/test_b.py"}),
        ("build/", set()),  # directories only: the file named build stays
        ("build", {"build"}),
        ("./dist/", {"dist/out.js"}),
        ("*.PY", set()),  # case-sensitive on every platform
    ],
)
def test_exclude_patterns(tmp_path: Path, cache: Path, pattern: str, dropped: set[str]) -> None:
    root = write_tree(tmp_path / "src", dict(TREE))
    kept = names(build(root, cache, runtime=None, excludes=[pattern]))
    assert kept == sorted(set(TREE) - dropped)


def test_excludes_are_part_of_the_key(app: Path, cache: Path) -> None:
    everything = build(app, cache)
    fewer = build(app, cache, excludes=["bin/"])
    assert fewer.source_code_hash != everything.source_code_hash
    assert "bin/run.sh" not in names(fewer)


def test_negated_patterns_are_refused(app: Path, cache: Path) -> None:
    with pytest.raises(PackagingError, match="negated"):
        build(app, cache, excludes=["!keep.py"])


def test_symlink_to_a_file_inside_is_stored_as_that_file(app: Path, cache: Path) -> None:
    (app / "alias.py").symlink_to("lib/util.py")
    package = build(app, cache)
    assert read(package, "alias.py") == read(package, "lib/util.py")


@pytest.mark.parametrize(
    ("target", "message"),
    [("../outside.txt", "points outside"), ("lib", "points to a directory"), ("gone", "missing")],
)
def test_symlinks_that_cannot_be_stored_are_refused(
    app: Path, cache: Path, target: str, message: str
) -> None:
    (app.parent / "outside.txt").write_text("secret")
    (app / "link").symlink_to(target)
    with pytest.raises(PackagingError, match=message) as raised:
        build(app, cache)
    assert "link" in str(raised.value)
    assert names(build(app, cache, excludes=["link"]))  # excluding it is the way out


def test_missing_or_file_source_is_named(tmp_path: Path, cache: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(PackagingError, match="does not exist") as raised:
        build(missing, cache)
    assert str(missing) in str(raised.value)
    file = tmp_path / "file.py"
    file.write_text("x")
    with pytest.raises(PackagingError, match="not a directory"):
        build(file, cache)


def test_cache_inside_the_source_is_not_packaged(app: Path) -> None:
    inside = app / ".planton-build"
    build(app, inside)
    assert all(not n.startswith(".planton-build") for n in names(build(app, inside)))


@pytest.mark.parametrize(
    ("runtime", "prefix"),
    [("python3.12", "python/"), ("nodejs22.x", "nodejs/"), ("java21", ""), (None, "")],
)
def test_layer_prefix(app: Path, cache: Path, runtime: str | None, prefix: str) -> None:
    package = build(app, cache, runtime=runtime, layer=True)
    assert names(package) == [prefix + name for name in sorted(APP)]


def test_function_and_layer_of_the_same_tree_are_distinct_entries(app: Path, cache: Path) -> None:
    function = build(app, cache)
    layer = build(app, cache, layer=True)
    assert function.path != layer.path
    assert names(layer)[0].startswith("python/")


# ---------------------------------------------------------------------------- the cache


def count_calls(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[tuple[Any, ...]]:
    calls: list[tuple[Any, ...]] = []
    real: Callable[..., Any] = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def test_unchanged_tree_is_not_zipped_again(
    app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    zips = count_calls(monkeypatch, packaging, "write_zip")
    first = build(app, cache)
    written = first.path.stat().st_mtime_ns
    second = build(app, cache)
    assert len(zips) == 1
    assert second == first
    assert first.path.stat().st_mtime_ns == written


def test_stat_cache_spares_rereading_unchanged_files(
    app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    age(app)
    hashed = count_calls(monkeypatch, packaging, "_hash_file")
    first = build(app, cache)
    assert len(hashed) == len(APP)
    assert build(app, cache) == first
    assert len(hashed) == len(APP)  # nothing read the second time

    (app / "lib" / "util.py").write_text("VALUE = 43\n" * 50)  # same size, new mtime
    os.utime(app / "lib" / "util.py", (OLD + 1, OLD + 1))
    changed = build(app, cache)
    assert len(hashed) == len(APP) + 1
    assert changed.source_code_hash != first.source_code_hash


def test_files_modified_just_now_are_hashed_again(
    app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    age(app)
    os.utime(app / "app.py")  # now: inside the racy window
    hashed = count_calls(monkeypatch, packaging, "_hash_file")
    build(app, cache)
    build(app, cache)
    assert [call[0] for call in hashed].count(str(app / "app.py")) == 2
    assert len(hashed) == len(APP) + 1


def test_damaged_cache_entries_are_rebuilt(app: Path, cache: Path) -> None:
    age(app)
    first = build(app, cache)
    first.path.write_bytes(b"truncated")
    for stat_file in (cache / "stat").iterdir():
        stat_file.write_text("{not json")
    again = build(app, cache)
    assert again == first
    assert zipfile.ZipFile(again.path).testzip() is None


def test_no_partial_files_are_left_in_the_cache(
    app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(zipwriter, "_deflate", fail)
    with pytest.raises(PackagingError, match=r"cannot write to the package cache .*disk full"):
        build(app, cache)
    assert leftovers(cache) == []


def test_default_cache_dir_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANTON_LAMBDA_CACHE", str(tmp_path / "custom"))
    assert packaging.default_cache_dir() == tmp_path / "custom"
    monkeypatch.delenv("PLANTON_LAMBDA_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert packaging.default_cache_dir() == tmp_path / "xdg" / "planton-lambda"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert packaging.default_cache_dir() == Path.home() / ".cache" / "planton-lambda"


# ---------------------------------------------------------------------------- size limits


def test_zipped_size_over_the_limit_is_refused(
    app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packaging, "MAX_ZIPPED_BYTES", 100)
    with pytest.raises(PackagingError) as raised:
        build(app, cache)
    message = str(raised.value)
    assert "0.0 MB zipped" in message and "at most 0.0 MB" in message
    assert "layers" in message and "S3" in message and "container image" in message


def test_unzipped_size_over_the_limit_is_refused_before_zipping(
    app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packaging, "MIB", 100)  # sizes read in units of 100 bytes
    monkeypatch.setattr(packaging, "MAX_UNZIPPED_BYTES", 500)
    zips = count_calls(monkeypatch, packaging, "write_zip")
    with pytest.raises(PackagingError, match=r"unzips to 6\.2 MB.*at most 5\.0 MB"):
        build(app, cache)
    assert zips == []


def test_function_and_layers_together_over_the_unzipped_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(packaging, "MIB", 1000)
    monkeypatch.setattr(packaging, "MAX_UNZIPPED_BYTES", 10_000)
    function = Package(Path("f.zip"), "h", 1000, 6000)
    layer = Package(Path("l.zip"), "h", 1000, 5000)
    check_size_limits(function)
    check_size_limits(layer)
    with pytest.raises(PackagingError) as raised:
        check_size_limits(function, [layer])
    assert "11.0 MB" in str(raised.value) and "10.0 MB" in str(raised.value)
    assert "its 1 layer unzip" in str(raised.value)


def test_each_layer_is_held_to_the_direct_upload_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packaging, "MAX_ZIPPED_BYTES", 1000)
    small = Package(Path("f.zip"), "h", 900, 900)
    big_layer = Package(Path("big-layer.zip"), "h", 1001, 1001)
    with pytest.raises(PackagingError, match=r"layer package big-layer\.zip"):
        check_size_limits(small, [small, big_layer])


# ---------------------------------------------------------------------------- dependencies


def fake_install(files: dict[str, str], calls: list[str]) -> Callable[..., Any]:
    def install(
        plan: dependencies.DependencyPlan, staging: Path, *, architecture: str
    ) -> dependencies.InstalledTree:
        calls.append(architecture)
        return dependencies.InstalledTree(write_tree(staging / "site", dict(files)), "")

    return install


def test_installed_files_join_the_package_and_follow_excludes(
    app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (app / "requirements.txt").write_text("requests==2.32.3\n")
    calls: list[str] = []
    installed = {"requests/__init__.py": "r", "boto3/__init__.py": "b", "app.py": "theirs"}
    monkeypatch.setattr(dependencies, "install_dependencies", fake_install(installed, calls))
    package = build(app, cache, layer=True, architecture="ARM64", excludes=["boto3/"])
    assert calls == ["ARM64"]
    assert "python/requests/__init__.py" in names(package)
    assert "python/requirements.txt" in names(package)
    assert not any(n.startswith("python/boto3") for n in names(package))
    assert read(package, "python/app.py") == APP["app.py"].encode()  # the source wins


def test_requirements_change_reinstalls(
    app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(dependencies, "install_dependencies", fake_install({"a.py": ""}, calls))
    (app / "requirements.txt").write_text("a==1\n")
    build(app, cache)
    build(app, cache)
    (app / "requirements.txt").write_text("a==2\n")
    build(app, cache)
    assert len(calls) == 2


@pytest.mark.parametrize("runtime", ["nodejs22.x", "java21", None])
def test_requirements_are_ignored_outside_python(
    app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, runtime: str | None
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(dependencies, "install_dependencies", fake_install({}, calls))
    (app / "requirements.txt").write_text("a==1\n")
    assert "requirements.txt" in names(build(app, cache, runtime=runtime))
    assert calls == []


def test_platform_tags_follow_the_runtimes_glibc() -> None:
    al2023 = dependencies.platform_tags("3.13", "ARM64")
    assert al2023[0] == "manylinux_2_34_aarch64"
    assert "manylinux_2_28_aarch64" in al2023 and al2023[-1] == "manylinux2014_aarch64"
    al2 = dependencies.platform_tags("3.11", "X86_64")
    assert al2[0] == "manylinux_2_26_x86_64" and "manylinux_2_28_x86_64" not in al2
    assert al2[-2:] == ["manylinux_2_17_x86_64", "manylinux2014_x86_64"]


def test_pip_command_targets_lambda(tmp_path: Path) -> None:
    plan = dependencies.DependencyPlan("pip", tmp_path / "requirements.txt", python_version="3.12")
    command = dependencies.pip_command(plan, tmp_path / "t", "ARM64")
    assert command[:4] == [sys.executable, "-m", "pip", "install"]
    for option in (
        "--only-binary=:all:",
        "--platform=manylinux2014_aarch64",
        "--implementation=cp",
        "--python-version=3.12",
    ):
        assert option in command


@pytest.mark.parametrize(
    "stderr",
    [
        "ERROR: Could not find a version that satisfies the requirement nopkg==1.0 (from "
        "versions: none)\nERROR: No matching distribution found for nopkg==1.0\n",
        "ERROR: Could not find a version that satisfies the requirement nopkg==1.0\n",
    ],
)
def test_pip_failure_names_the_requirement(stderr: str) -> None:
    result = subprocess.CompletedProcess[str]([], 1, "", stderr)
    assert "nopkg==1.0" in dependencies.describe_pip_failure(result)


def test_npm_failures_are_described() -> None:
    def described(stderr: str) -> str:
        return dependencies.describe_npm_failure(
            subprocess.CompletedProcess[str]([], 1, "", stderr)
        )

    assert "nopkg@1.0.0" in described("npm error 404  'nopkg@1.0.0' is not in this registry.\n")
    out_of_sync = described(
        "npm error `npm ci` can only install packages when your package.json and "
        "package-lock.json or npm-shrinkwrap.json are in sync.\n"
        "npm error Invalid: lock file's a@1.3.0 does not satisfy a@1.2.0\n"
    )
    assert "out of sync" in out_of_sync and "a@1.2.0" in out_of_sync


@pytest.fixture(scope="session")
def pip_index(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Skip, saying why, when pip cannot fetch a Lambda wheel from its index (quick probe)."""
    probe = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--platform=manylinux2014_x86_64", "--implementation=cp", "--python-version=3.12",
        "--timeout=5", "--retries=0", "--disable-pip-version-check", "--quiet",
        "-d", str(tmp_path_factory.mktemp("probe")), "markupsafe==3.0.2",
    ]  # fmt: skip
    try:
        result = subprocess.run(probe, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.skip("pip's package index did not answer within 60 s")
    if result.returncode != 0:
        pytest.skip(f"pip cannot reach a package index: {result.stderr.strip()[-300:]}")


@pytest.mark.usefixtures("pip_index")
@pytest.mark.parametrize(("architecture", "machine"), [("X86_64", "x86_64"), ("ARM64", "aarch64")])
def test_compiled_requirements_install_for_the_architecture(
    app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, architecture: str, machine: str
) -> None:
    (app / "requirements.txt").write_text("markupsafe==3.0.2\n")
    package = build(app, cache, runtime="python3.12", architecture=architecture, layer=True)
    listing = names(package)
    assert f"python/markupsafe/_speedups.cpython-312-{machine}-linux-gnu.so" in listing
    assert "python/app.py" in listing
    assert not any(n.endswith(".pyc") for n in listing)
    [wheel_file] = [n for n in listing if n.endswith(".dist-info/WHEEL")]
    wheel = read(package, wheel_file).decode()
    assert f"Tag: cp312-cp312-manylinux_2_17_{machine}" in wheel

    def no_pip(*args: object, **kwargs: object) -> None:
        raise AssertionError("pip ran again for an unchanged tree")

    monkeypatch.setattr(dependencies, "install_dependencies", no_pip)
    again = build(app, cache, runtime="python3.12", architecture=architecture, layer=True)
    assert again == package


@pytest.mark.usefixtures("pip_index")
def test_bad_requirement_is_named_and_nothing_is_cached(app: Path, cache: Path) -> None:
    (app / "requirements.txt").write_text("this-package-does-not-exist-planton==1.0\n")
    with pytest.raises(PackagingError) as raised:
        build(app, cache)
    assert "this-package-does-not-exist-planton==1.0" in str(raised.value)
    assert str(app / "requirements.txt") in str(raised.value)
    assert leftovers(cache) == []


needs_npm = pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")


@needs_npm
def test_node_dependencies_installed_with_npm_ci(tmp_path: Path, cache: Path) -> None:
    source = shutil.copytree(NODE_APP, tmp_path / "node-app")
    write_tree(source, {"node_modules/stale/index.js": "left from a local npm install"})
    function = build(source, cache, runtime="nodejs22.x")
    listing = names(function)
    assert "node_modules/left-pad/index.js" in listing
    assert "index.js" in listing and "package.json" in listing
    assert not any(n.startswith(("node_modules/stale", "node_modules/is-number")) for n in listing)

    layer = build(source, cache, runtime="nodejs22.x", layer=True, architecture="ARM64")
    assert "nodejs/node_modules/left-pad/index.js" in names(layer)
    assert "nodejs/package.json" in names(layer)


@needs_npm
def test_out_of_sync_lockfile_is_refused(tmp_path: Path, cache: Path) -> None:
    source = shutil.copytree(NODE_APP, tmp_path / "node-app")
    manifest = source / "package.json"
    manifest.write_text(manifest.read_text().replace('"left-pad": "1.3.0"', '"left-pad": "1.2.0"'))
    with pytest.raises(PackagingError, match="out of sync"):
        build(source, cache, runtime="nodejs20.x")


def test_package_json_without_lockfile_ships_the_tree_as_is(tmp_path: Path, cache: Path) -> None:
    source = write_tree(
        tmp_path / "src", {"package.json": "{}", "index.js": "", "node_modules/a/index.js": ""}
    )
    assert names(build(source, cache, runtime="nodejs22.x")) == [
        "index.js",
        "node_modules/a/index.js",
        "package.json",
    ]


# ---------------------------------------------------------------------------- the benchmark


SMALL_BENCH = ["--size-mb", "2", "--big-file-mb", "4", "--repeat", "1"]


@pytest.mark.skipif(shutil.which("zip") is None, reason="Info-ZIP zip is not installed")
def test_benchmark_runs_on_a_small_tree() -> None:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "packaging.py"), *SMALL_BENCH],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    for label in ("ours", "Info-ZIP", "ours/zip", "no-op", "peak RSS", "big file", "big/zip"):
        assert label in result.stdout
    for path in ("S3 artifact", "uv install", "esbuild"):  # each new path: run or skipped
        assert path in result.stdout
    assert "DIFFERENT" not in result.stdout
    assert time.monotonic() - started < 60
