"""Local packaging against hostile and faulty input: secrets, source builds, a cache that
lies, files that change mid-build, unreadable paths, large files, pip's failures."""

from __future__ import annotations

import base64
import builtins
import hashlib
import os
import shutil
import subprocess
import sys
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from planton_lambda import packaging
from planton_lambda.packaging import (
    Package,
    PackagingError,
    build_package,
    dependencies,
    parallel,
    zipwriter,
)
from planton_lambda.resources.code import build_local_packages
from planton_lambda.spec.function import AwsLambdaSpec

REPO = Path(__file__).resolve().parent.parent
OLD = 1_600_000_000
as_root = os.geteuid() == 0


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


def age(root: Path) -> None:
    for path in root.rglob("*"):
        os.utime(path, (OLD, OLD), follow_symlinks=False)


def build(source: Path, cache: Path, **options: Any) -> Package:
    options.setdefault("runtime", "python3.13")
    return build_package(source, cache_dir=cache, **options)


def names(package: Package) -> list[str]:
    with zipfile.ZipFile(package.path) as archive:
        return archive.namelist()


def entries(cache: Path) -> list[Path]:
    """Package entries and temporary files: anything in the cache but the stat cache."""
    return [p for p in cache.rglob("*") if p.is_file() and p.relative_to(cache).parts[0] != "stat"]


def listing(root: Path) -> list[tuple[str, int, int]]:
    return sorted(
        (str(p.relative_to(root)), p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")
    )


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def app(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "app", {"app.py": "def handler(e, c):\n    return 1\n"})


# ---------------------------------------------------------------------------- secrets

SECRETS = {
    ".env": "API_TOKEN=s3cr3t",
    ".env.production": "A=1",
    ".envrc": "export A=1",
    "config/.env.local": "A=1",
    "certs/server.pem": "-----BEGIN PRIVATE KEY-----",
    "certs/server.key": "k",
    "certs/client.p12": b"\x30\x82",
    "certs/client.pfx": b"\x30\x82",
    "java/keys.jks": b"\xfe\xed",
    "SERVER.PEM": "upper case on a case-insensitive disk",
    "id_rsa": "ssh",
    "deploy/id_ed25519": "ssh",
    "deploy/id_ed25519.pub": "ssh",
    "id_ecdsa": "ssh",
    ".aws/credentials": "[default]",
    ".aws/config": "[default]",
    "nested/.ssh/known_hosts": "h",
    ".docker/config.json": "{}",
    ".kube/config": "k",
    ".npmrc": "//registry.npmjs.org/:_authToken=t",
    ".pypirc": "[pypi]",
    ".git-credentials": "https://u:t@github.com",
    ".netrc": "machine x login y password z",
    "pip.conf": "[global]",
    "credentials.json": "{}",
    "client_secret_123.json": "{}",
    "infra/terraform.tfstate": "{}",
}
PLAIN = {
    "app.py": "x",
    "environment.py": "settings",
    "keys.py": "KEYS = []",
    "lib/credentials_helper.py": "x",
    "docs/pem-format.md": "how PEM works",
    "key.txt": "not a key by its name",
}


def test_secret_looking_files_are_left_out_at_any_depth(tmp_path: Path, cache: Path) -> None:
    root = write_tree(tmp_path / "src", {**SECRETS, **PLAIN})
    assert names(build(root, cache, runtime=None)) == sorted(PLAIN)


def test_every_secret_rule_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### What is never packaged") :]
    for glob in packaging.SECRET_FILES:
        assert f"`{glob}`" in section, glob
    for folder in packaging.SECRET_DIRS:
        assert f"`{folder}/`" in section, folder


def test_include_packages_secret_looking_files(tmp_path: Path, cache: Path) -> None:
    root = write_tree(tmp_path / "src", {**SECRETS, **PLAIN, ".env.example": "A="})
    include = [".env.example", "certs/", "**/id_ed25519.pub", ".aws/config"]
    kept = set(names(build(root, cache, runtime=None, include=include)))
    assert kept - set(PLAIN) == {
        ".env.example",
        "certs/server.pem",
        "certs/server.key",
        "certs/client.p12",
        "certs/client.pfx",
        "deploy/id_ed25519.pub",
        ".aws/config",
    }


def test_excludes_still_win_over_include(tmp_path: Path, cache: Path) -> None:
    root = write_tree(tmp_path / "src", {"app.py": "x", "certs/a.pem": "p"})
    package = build(root, cache, runtime=None, include=["certs/"], excludes=["certs/"])
    assert names(package) == ["app.py"]


def test_include_is_part_of_the_key(tmp_path: Path, cache: Path) -> None:
    root = write_tree(tmp_path / "src", {"app.py": "x", "ca.pem": "public bundle"})
    plain = build(root, cache, runtime=None)
    included = build(root, cache, runtime=None, include=["ca.pem"])
    assert names(plain) == ["app.py"] and names(included) == ["app.py", "ca.pem"]
    assert plain.path != included.path
    # An include that changes nothing still names its own entry: the key holds it.
    other = build(root, cache, runtime=None, include=["nothing-matches"])
    assert other.path not in (plain.path, included.path)
    assert other.source_code_hash == plain.source_code_hash


def test_negated_include_is_refused(app: Path, cache: Path) -> None:
    with pytest.raises(PackagingError, match=r"include pattern '!\.env': negated"):
        build(app, cache, include=["!.env"])


def test_installed_dependencies_keep_their_certificate_bundles(
    app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (app / "requirements.txt").write_text("certifi==2024.8.30\n")

    def install(
        plan: dependencies.DependencyPlan, staging: Path, *, architecture: str
    ) -> dependencies.InstalledTree:
        site = write_tree(staging / "site", {"certifi/cacert.pem": "CA", "certifi/core.py": ""})
        return dependencies.InstalledTree(site, "")

    monkeypatch.setattr(dependencies, "install_dependencies", install)
    assert "certifi/cacert.pem" in names(build(app, cache))


def test_vendored_wheel_files_listed_in_record_are_kept(tmp_path: Path, cache: Path) -> None:
    record = "certifi/__init__.py,,\ncertifi/cacert.pem,sha256=abc,10\n"
    root = write_tree(
        tmp_path / "src",
        {
            "app.py": "x",
            "vendor/certifi/__init__.py": "",
            "vendor/certifi/cacert.pem": "CA",
            "vendor/certifi-2024.8.30.dist-info/RECORD": record,
            "vendor/certifi/extra.pem": "not in RECORD",
            "certifi/cacert.pem": "top level: not beside that dist-info",
        },
    )
    kept = names(build(root, cache, runtime=None))
    assert "vendor/certifi/cacert.pem" in kept
    assert "vendor/certifi/extra.pem" not in kept
    assert "certifi/cacert.pem" not in kept


def test_node_modules_files_are_not_secret_looking(tmp_path: Path, cache: Path) -> None:
    root = write_tree(
        tmp_path / "src",
        {"index.js": "", "node_modules/tls-lib/test/fixture.pem": "p", "node_modules/x/.env": ""},
    )
    kept = names(build(root, cache, runtime=None))
    assert "node_modules/tls-lib/test/fixture.pem" in kept
    assert "node_modules/x/.env" in kept


def test_link_to_a_secret_file_is_left_out(tmp_path: Path, cache: Path) -> None:
    root = write_tree(tmp_path / "src", {"app.py": "x", ".env": "TOKEN=t"})
    (root / "settings.txt").symlink_to(".env")
    assert names(build(root, cache, runtime=None)) == ["app.py"]
    assert names(build(root, cache, runtime=None, include=[".env"])) == [
        ".env",
        "app.py",
        "settings.txt",
    ]


def test_spec_include_reaches_function_and_layer_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANTON_LAMBDA_CACHE", str(tmp_path / "cache"))
    function = write_tree(tmp_path / "fn", {"app.py": "x", "ca.pem": "CA", ".env": "T=1"})
    layer = write_tree(tmp_path / "layer", {"lib.py": "x", "lib.pem": "CA"})
    spec = AwsLambdaSpec.model_validate(
        {
            "function_name": "hello",
            "code_source_type": "CODE_SOURCE_TYPE_LOCAL",
            "local": {"path": str(function), "include": ["*.pem"]},
            "runtime": "python3.13",
            "handler": "app.handler",
            "layers": [
                {
                    "name": "shared",
                    "code_source_type": "CODE_SOURCE_TYPE_LOCAL",
                    "local": {"path": str(layer), "include": ["lib.pem"]},
                    "compatible_runtimes": ["python3.13"],
                }
            ],
        }
    )
    packages = build_local_packages(spec)
    assert packages.function is not None
    assert names(packages.function) == ["app.py", "ca.pem"]
    assert names(packages.layers["shared"]) == ["python/lib.pem", "python/lib.py"]


# ---------------------------------------------------------------------------- source builds


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("./lib", "a local source folder"),
        ("lib/", "a local source folder"),
        ("-e ./lib", "an editable install"),
        ("--editable=./lib", "an editable install"),
        ("git+https://github.com/example/six", "a version-control checkout"),
        ("six @ git+https://bob:hunter2@github.com/example/six", "a version-control checkout"),
        ("https://example.com/six-1.0.tar.gz", "a source archive download"),
        ("./dist/six-1.0.tar.gz", "a local source archive"),
        ("--no-binary :all:", "an option that forces source builds"),
    ],
)
def test_source_requirements_are_refused_before_pip_runs(
    app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, line: str, kind: str
) -> None:
    write_tree(app, {"lib/setup.py": "from setuptools import setup\nsetup()\n"})
    (app / "requirements.txt").write_text(f"requests==2.32.3\n{line}\n")
    before = listing(app)

    def no_pip(*args: object, **kwargs: object) -> None:
        raise AssertionError("pip ran")

    monkeypatch.setattr(dependencies, "_run", no_pip)
    with pytest.raises(PackagingError) as raised:
        build(app, cache, runtime="python3.12", architecture="ARM64")
    message = str(raised.value)
    assert f"{app / 'requirements.txt'}:2: " in message
    assert kind in message
    assert "Python 3.12 on ARM64" in message and ".whl" in message
    assert "hunter2" not in message and "bob" not in message
    assert listing(app) == before
    assert entries(cache) == []


def test_source_requirement_in_a_nested_file_is_named(tmp_path: Path, cache: Path) -> None:
    app = write_tree(
        tmp_path / "app",
        {"app.py": "x", "requirements.txt": "# shared pins\n-r ../common.txt\n"},
    )
    (tmp_path / "common.txt").write_text("six==1.17.0\n  \\\n  ../app/lib  # local\n")
    (app / "lib").mkdir()
    with pytest.raises(PackagingError, match=r"common\.txt:2: \.\./app/lib is a local source"):
        build(app, cache)


@pytest.mark.parametrize(
    "line",
    [
        "requests>=2,<3",
        "pkg[extra]==1.0 ; python_version > '3.8'",
        "six==1.17.0 --hash=sha256:abc",
        "tiny @ https://example.com/tiny-1.0-py3-none-any.whl",
        "--index-url https://user:token@pypi.example.com/simple",
        "--only-binary=:all:",
    ],
)
def test_index_and_wheel_requirements_are_accepted(tmp_path: Path, line: str) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(line + "\n")
    assert dependencies.read_requirements(requirements, "Python 3.13 on X86_64") == [requirements]


def test_missing_nested_requirement_file_is_named(app: Path, cache: Path) -> None:
    (app / "requirements.txt").write_text("-r missing.txt\n")
    with pytest.raises(PackagingError, match=r"cannot read .*missing\.txt: No such file"):
        build(app, cache)


def make_wheel(folder: Path, name: str = "tiny") -> Path:
    """A minimal pure-Python wheel, written by hand (no network, no build backend)."""
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / f"{name}-1.0-py3-none-any.whl"
    info = f"{name}-1.0.dist-info"
    files = {
        f"{name}/__init__.py": b"VALUE = 1\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n".encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n",
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


def test_local_wheel_installs_and_the_source_folder_is_untouched(
    app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # the wheel is local: no index is asked
    make_wheel(app / "wheels")
    (app / "requirements.txt").write_text("./wheels/tiny-1.0-py3-none-any.whl\n")
    age(app)
    before = listing(app)
    package = build(app, cache, runtime="python3.12", architecture="ARM64")
    assert "tiny/__init__.py" in names(package)
    assert listing(app) == before  # no build/, no *.egg-info
    # The wheel is a dependency input: a new wheel reinstalls.
    make_wheel(app / "wheels").write_bytes(b"changed")
    with pytest.raises(PackagingError, match="uv could not install"):
        build(app, cache, runtime="python3.12", architecture="ARM64")


def fake_install(files: dict[str, str], calls: list[str]) -> Callable[..., Any]:
    def install(
        plan: dependencies.DependencyPlan, staging: Path, *, architecture: str
    ) -> dependencies.InstalledTree:
        calls.append(architecture)
        return dependencies.InstalledTree(write_tree(staging / "site", dict(files)), "")

    return install


def test_excluded_requirements_file_still_keys_the_install(
    app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(dependencies, "install_dependencies", fake_install({"a.py": ""}, calls))
    (app / "requirements.txt").write_text("a==1\n")
    build(app, cache, excludes=["requirements.txt"])
    build(app, cache, excludes=["requirements.txt"])
    (app / "requirements.txt").write_text("a==2\n")
    build(app, cache, excludes=["requirements.txt"])
    assert len(calls) == 2


def test_requirement_file_outside_the_folder_keys_the_install(
    tmp_path: Path, app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(dependencies, "install_dependencies", fake_install({"a.py": ""}, calls))
    (app / "requirements.txt").write_text("-c ../constraints.txt\na\n")
    (tmp_path / "constraints.txt").write_text("a==1\n")
    build(app, cache)
    build(app, cache)
    (tmp_path / "constraints.txt").write_text("a==2\n")
    build(app, cache)
    assert len(calls) == 2


def test_dependency_file_edited_during_install_is_not_cached(
    app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (app / "requirements.txt").write_text("a==1\n")

    def install(
        plan: dependencies.DependencyPlan, staging: Path, *, architecture: str
    ) -> dependencies.InstalledTree:
        plan.manifest.write_text("a==2\n")
        return dependencies.InstalledTree(write_tree(staging / "site", {"a.py": ""}), "")

    monkeypatch.setattr(dependencies, "install_dependencies", install)
    with pytest.raises(PackagingError, match="changed while the dependencies were installed"):
        build(app, cache)
    assert entries(cache) == []


# ---------------------------------------------------------------------------- node lockfiles


@pytest.mark.parametrize("field", ["dependencies", "optionalDependencies", "peerDependencies"])
def test_node_dependencies_without_a_lockfile_are_refused(
    tmp_path: Path, cache: Path, field: str
) -> None:
    manifest = f'{{"{field}": {{"left-pad": "1.3.0", "zod": "^3"}}}}'
    source = write_tree(tmp_path / "src", {"package.json": manifest, "index.js": ""})
    with pytest.raises(PackagingError) as raised:
        build(source, cache, runtime="nodejs22.x")
    message = str(raised.value)
    assert "left-pad, zod" in message and "package-lock.json" in message
    assert "npm install" in message and str(source) in message
    assert entries(cache) == []


def test_other_tools_lockfile_is_named(tmp_path: Path, cache: Path) -> None:
    source = write_tree(
        tmp_path / "src",
        {"package.json": '{"dependencies": {"a": "1"}}', "yarn.lock": "", "index.js": ""},
    )
    with pytest.raises(PackagingError, match=r"yarn\.lock is not read.*--package-lock-only"):
        build(source, cache, runtime="nodejs22.x")


def test_dev_dependencies_alone_need_no_lockfile(tmp_path: Path, cache: Path) -> None:
    source = write_tree(
        tmp_path / "src", {"package.json": '{"devDependencies": {"jest": "29"}}', "index.js": ""}
    )
    assert names(build(source, cache, runtime="nodejs22.x")) == ["index.js", "package.json"]


def test_unreadable_package_json_is_named(tmp_path: Path, cache: Path) -> None:
    source = write_tree(tmp_path / "src", {"package.json": "{not json", "index.js": ""})
    with pytest.raises(PackagingError, match=r"package\.json is not valid JSON"):
        build(source, cache, runtime="nodejs22.x")


# ---------------------------------------------------------------------------- the cache


def corrupt_in_place(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    st = path.stat()
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # even with its mtime put back


def zip_hash(path: Path) -> str:
    return base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


def test_cache_entry_corrupted_in_place_is_rebuilt(app: Path, cache: Path) -> None:
    age(app)
    first = build(app, cache)
    good = first.path.read_bytes()
    corrupt_in_place(first.path)
    again = build(app, cache)
    assert again.path.read_bytes() == good
    assert zip_hash(again.path) == again.source_code_hash == first.source_code_hash


def test_corruption_after_an_old_verification_is_caught(app: Path, cache: Path) -> None:
    age(app)
    first = build(app, cache)
    meta_path = first.path.with_suffix(".json")
    meta = packaging.json.loads(meta_path.read_text())
    meta["checked_ns"] += 10 * packaging.RACY_NS  # as if verified long after it was written
    meta_path.write_text(packaging.json.dumps(meta))
    corrupt_in_place(first.path)
    again = build(app, cache)
    assert zip_hash(again.path) == again.source_code_hash == first.source_code_hash


def test_an_entry_verified_long_ago_is_not_read_again(
    app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    age(app)
    first = build(app, cache)
    meta_path = first.path.with_suffix(".json")
    meta = packaging.json.loads(meta_path.read_text())
    meta["checked_ns"] += 10 * packaging.RACY_NS
    meta_path.write_text(packaging.json.dumps(meta))
    hashed: list[Path] = []
    real = packaging._hash_zip
    monkeypatch.setattr(packaging, "_hash_zip", lambda p: hashed.append(p) or real(p))
    assert build(app, cache) == first
    assert hashed == []


def test_file_edited_mid_build_is_not_cached(
    app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    age(app)
    real = packaging.StatCache.digests

    def hash_then_edit(self: packaging.StatCache, files: Any) -> list[packaging.Digest]:
        digests = real(self, files)
        text = (app / "app.py").read_text()
        (app / "app.py").write_text(text.replace("1", "2"))  # same size, new content
        return digests

    monkeypatch.setattr(packaging.StatCache, "digests", hash_then_edit)
    with pytest.raises(PackagingError, match=r"app\.py changed while it was being packaged"):
        build(app, cache)
    assert entries(cache) == []
    monkeypatch.undo()
    assert b"return 2" in zipfile.ZipFile(build(app, cache).path).read("app.py")


def test_file_growing_after_listing_is_refused(
    app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = packaging.collect_files

    def collect_then_grow(*args: Any, **kwargs: Any) -> list[packaging.SourceFile]:
        files = real(*args, **kwargs)
        with open(app / "app.py", "a") as stream:
            stream.write("# more\n")
        return files

    monkeypatch.setattr(packaging, "collect_files", collect_then_grow)
    with pytest.raises(PackagingError, match="changed while it was being packaged"):
        build(app, cache)
    assert entries(cache) == []


def test_edit_that_puts_the_mtime_back_is_seen(app: Path, cache: Path) -> None:
    age(app)
    first = build(app, cache)
    text = (app / "app.py").read_text()
    (app / "app.py").write_text(text.replace("1", "3"))  # same size
    age(app)  # the mtime put back, as some copy tools do: the ctime still moves
    second = build(app, cache)
    assert second.source_code_hash != first.source_code_hash
    assert b"return 3" in zipfile.ZipFile(second.path).read("app.py")


# ---------------------------------------------------------------------------- permissions


def deny_open(monkeypatch: pytest.MonkeyPatch, denied: Path) -> None:
    real = builtins.open

    def guarded(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file) == str(denied):
            raise PermissionError(13, "Permission denied", str(file))
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)


def test_unreadable_file_is_named(app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deny_open(monkeypatch, app / "app.py")
    with pytest.raises(PackagingError) as raised:
        build(app, cache)
    assert f"cannot read {app / 'app.py'}: Permission denied" in str(raised.value)
    assert "excludes" in str(raised.value)


def test_unreadable_folder_is_named(
    app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = app / "private"
    secret.mkdir()
    real = os.scandir

    def guarded(path: Any = ".") -> Any:
        if str(path) == str(secret):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", guarded)
    with pytest.raises(PackagingError, match=f"cannot read the folder {secret}: Permission denied"):
        build(app, cache)


@pytest.mark.skipif(as_root, reason="root reads files whatever their mode")
def test_unreadable_file_and_folder_on_disk(app: Path, cache: Path) -> None:
    (app / "app.py").chmod(0)
    with pytest.raises(PackagingError, match="Permission denied"):
        build(app, cache)
    (app / "app.py").chmod(0o644)
    (app / "private").mkdir(mode=0)
    try:
        with pytest.raises(PackagingError, match="cannot read the folder"):
            build(app, cache)
    finally:
        (app / "private").chmod(0o755)


def test_cache_that_cannot_be_written_is_named(app: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache should be")
    with pytest.raises(PackagingError) as raised:
        build(app, blocker / "cache")
    assert f"cannot write to the package cache {blocker / 'cache'}" in str(raised.value)
    assert "PLANTON_LAMBDA_CACHE" in str(raised.value)


def test_read_only_cache_is_named_and_still_serves_what_it_has(
    app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    age(app)
    built = build(app, cache)
    real = packaging.tempfile.mkstemp

    def read_only(*args: Any, **kwargs: Any) -> Any:
        if str(kwargs.get("dir", "")).startswith(str(cache)):
            raise PermissionError(13, "Permission denied")
        return real(*args, **kwargs)

    monkeypatch.setattr(packaging.tempfile, "mkstemp", read_only)
    assert build(app, cache) == built  # served, though its metadata cannot be refreshed
    (app / "app.py").write_text("changed = True\n")
    with pytest.raises(PackagingError, match=r"cannot write to the package cache .*Permission"):
        build(app, cache)


@pytest.mark.skipif(as_root, reason="root writes whatever the mode")
def test_read_only_cache_on_disk(app: Path, cache: Path) -> None:
    cache.mkdir()
    cache.chmod(0o555)
    try:
        with pytest.raises(PackagingError, match="cannot write to the package cache"):
            build(app, cache)
    finally:
        cache.chmod(0o755)


# ---------------------------------------------------------------------------- size and memory


def test_oversized_zip_is_not_left_in_the_cache(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packaging, "MAX_ZIPPED_BYTES", 64 * 1024)
    monkeypatch.setattr(zipwriter, "CHUNK_BYTES", 16 * 1024)
    monkeypatch.setattr(parallel, "IN_FLIGHT_BYTES", 64 * 1024)
    monkeypatch.setattr(parallel, "BATCH_BYTES", 16 * 1024)
    root = write_tree(tmp_path / "src", {"blob.bin": os.urandom(1024 * 1024)})
    deflated: list[int] = []
    real = zipwriter._deflate
    monkeypatch.setattr(zipwriter, "_deflate", lambda *a: deflated.append(1) or real(*a))
    with pytest.raises(PackagingError) as raised:
        build(root, cache, runtime=None)
    assert "over 0.1 MB zipped (1.0 MB unzipped)" in str(raised.value)
    assert entries(cache) == []
    assert len(deflated) < 64  # it stopped well before the file's 64 slices were read


def test_refused_cached_entry_is_removed(
    app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(app, cache)
    monkeypatch.setattr(packaging, "MAX_ZIPPED_BYTES", 10)  # a stricter limit than when built
    with pytest.raises(PackagingError, match="zipped"):
        build(app, cache)
    assert entries(cache) == []


def big_tree(root: Path, size: int) -> Path:
    text = b"".join(b"line %d of a large, compressible file\n" % i for i in range(size // 30))
    return write_tree(
        root,
        {
            "big.log": text[:size],
            "random.bin": os.urandom(size),  # deflate does not help: stored, read again
            "bundle.zip": os.urandom(size),  # stored by its suffix, read again
            "small.py": "x = 1\n",
        },
    )


def test_memory_stays_bounded_whatever_the_file_sizes(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kib = 1024
    monkeypatch.setattr(zipwriter, "CHUNK_BYTES", 64 * kib)
    monkeypatch.setattr(zipwriter, "SPILL_BYTES", 128 * kib)
    monkeypatch.setattr(parallel, "IN_FLIGHT_BYTES", 256 * kib)
    monkeypatch.setattr(parallel, "BATCH_BYTES", 64 * kib)
    monkeypatch.setattr(packaging, "READ_BYTES", 64 * kib)
    root = big_tree(tmp_path / "src", 6 * 1024 * kib)
    tracemalloc.start()
    try:
        package = build(root, cache, runtime=None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # 18 MiB of files, three of 6 MiB: holding any one whole would pass the bound, which is
    # the window, the spill threshold, a slice each way and the zip's 1 MiB write buffer.
    assert peak < 4 * 1024 * kib, peak
    with zipfile.ZipFile(package.path) as archive:
        assert archive.testzip() is None
        assert archive.read("big.log") == (root / "big.log").read_bytes()
        assert archive.read("random.bin") == (root / "random.bin").read_bytes()


def test_spilling_does_not_change_the_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = big_tree(tmp_path / "src", 3 * zipwriter.CHUNK_BYTES + 123)
    in_memory = build(root, tmp_path / "a", runtime=None)
    monkeypatch.setattr(zipwriter, "SPILL_BYTES", 1024)
    spilled = build(root, tmp_path / "b", runtime=None)
    assert spilled.path.read_bytes() == in_memory.path.read_bytes()


def test_stored_file_changed_before_it_is_written_is_refused(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "src", {"bundle.zip": os.urandom(3 * zipwriter.CHUNK_BYTES)})
    real = zipwriter._reread

    def edit_then_reread(path: str, size: int, crc: int) -> Any:
        with open(path, "r+b") as stream:
            stream.write(b"\0" * 16)
        return real(path, size, crc)

    monkeypatch.setattr(zipwriter, "_reread", edit_then_reread)
    with pytest.raises(PackagingError, match=r"bundle\.zip changed while it was being packaged"):
        build(root, cache, runtime=None)
    assert entries(cache) == []


# ---------------------------------------------------------------------------- pip's reasons

UNREACHABLE = (
    "WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) "
    "after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection."
    "HTTPConnection object at 0x7f>: Failed to establish a new connection: [Errno 111] "
    "Connection refused')': /simple/six/\n"
    "ERROR: Could not find a version that satisfies the requirement six==1.17.0 "
    "(from versions: none)\nERROR: No matching distribution found for six==1.17.0\n"
)
GIT_CLONE = (
    "  fatal: unable to access 'https://bob:hunter2@github.com/x/six/': Could not resolve "
    "host: github.com\n  error: subprocess-exited-with-error\n\n"
    "  \u00d7 git clone --filter=blob:none --quiet https://github.com/x/six /tmp/pip-req-build "
    "did not run successfully.\n  \u2502 exit code: 128\n  \u2570\u2500> See above for output.\n"
)


def described(stderr: str, code: int = 1) -> str:
    return dependencies.describe_pip_failure(subprocess.CompletedProcess[str]([], code, "", stderr))


def test_unreachable_index_is_not_blamed_on_the_requirement() -> None:
    message = described(UNREACHABLE)
    assert "could not reach the package index while looking for six==1.17.0" in message
    assert "[Errno 111] Connection refused" in message
    assert "no binary wheel" not in message


@pytest.mark.parametrize(
    ("stderr", "reason"),
    [
        (
            "WARNING: Retrying (...) after connection broken by 'ConnectTimeoutError(<x>, "
            "'Connection to pypi.org timed out. (connect timeout=15)')': /simple/six/\n",
            "Connection to pypi.org timed out",
        ),
        (
            "WARNING: Retrying (...) after connection broken by 'NewConnectionError(<x>: "
            "Failed to establish a new connection: [Errno -3] Temporary failure in name "
            "resolution')': /simple/six/\n",
            "Temporary failure in name resolution",
        ),
        (
            "Could not fetch URL https://pypi.org/simple/six/: There was a problem confirming "
            "the ssl certificate: certificate verify failed - skipping\n",
            "certificate verify failed",
        ),
    ],
)
def test_network_failures_say_why(stderr: str, reason: str) -> None:
    message = described(stderr)
    assert message.startswith("pip could not reach the package index")
    assert reason in message


def test_pips_own_reason_is_reported_without_credentials() -> None:
    message = described(GIT_CLONE)
    assert "Could not resolve host: github.com" in message
    assert "git clone" in message
    assert "hunter2" not in message and "bob" not in message
    assert "pip exited with status" not in message


def test_a_missing_version_lists_what_pip_found() -> None:
    message = described(
        "ERROR: Could not find a version that satisfies the requirement six==9.9 (from "
        "versions: 1.16.0, 1.17.0)\nERROR: No matching distribution found for six==9.9\n"
    )
    assert "no version of six==9.9 matches; pip found 1.16.0, 1.17.0" in message


def test_silent_failure_falls_back_to_the_status() -> None:
    assert described("", 2) == "pip exited with status 2"


def test_unreachable_index_through_pip(
    app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANTON_LAMBDA_PYTHON_INSTALLER", "pip")
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)  # no extra index or find-links
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_TIMEOUT", "5")
    (app / "requirements.txt").write_text("--index-url http://127.0.0.1:9/simple\nsix==1.17.0\n")
    with pytest.raises(PackagingError) as raised:
        build(app, cache)
    message = str(raised.value)
    assert "could not reach the package index" in message and "Connection refused" in message
    assert entries(cache) == []


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_vcs_requirement_is_refused_with_the_fix(app: Path, cache: Path) -> None:
    (app / "requirements.txt").write_text("six @ git+https://github.com/benjaminp/six@1.17.0\n")
    with pytest.raises(PackagingError, match=r"version-control checkout.*build a wheel"):
        build(app, cache)


def test_python_of_this_machine_is_named(app: Path, cache: Path) -> None:
    (app / "requirements.txt").write_text("./lib\n")
    (app / "lib").mkdir()
    with pytest.raises(PackagingError) as raised:
        build(app, cache)
    host = f"CPython {sys.version_info.major}.{sys.version_info.minor}"
    assert host in str(raised.value)
