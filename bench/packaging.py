"""How fast local packaging is, and how much memory it takes, beside Info-ZIP.

Generates a tree deterministically from a seed (thousands of Python-like sources, shared
libraries that are partly compressible, metadata and already-compressed files), then in
one run and on the same files:

* builds a package with `build_package` into a fresh cache (a full build) and with
  `zip -r -X -q -6` (Info-ZIP at the same deflate level), best of `--repeat` each;
* builds the unchanged tree again with the warm cache (a no-op rebuild);
* builds the tree once more, and a folder holding one large file (`--big-file-mb`,
  compressible log-like text), each in a fresh child process, to read its peak RSS, and
  zips the same with Info-ZIP in a child for its peak RSS.

Prints times, zip sizes and peak RSS (each child's growth over the bare interpreter with
the package imported), ours/zip (target <= 1.0), no-op/full (target <= 0.05) and the big
file's RSS growth (target <= 128 MB: bounded whatever the file's size).

Then, for each packaging path of the second round, a cold build (fresh cache) beside a no-op
rebuild (target <= 0.05) and a second cold build into another fresh cache, which must give
the same bytes: the tree zipped for an S3 upload (`max_zipped_bytes`), a Python folder whose
`requirements.txt` uv installs for Lambda (needs PyPI), and a TypeScript handler bundled by
esbuild (needs npm). `--no-new-paths` leaves them out.

    python bench/packaging.py                   # 100 MB tree, 240 MB file, best of 3
    python bench/packaging.py --size-mb 20 --big-file-mb 40 --repeat 1
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder would come first on sys.path, where this file's name would
# shadow the `packaging` distribution that dependencies import; the repository root goes
# there instead, so the bench also runs from a plain checkout.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import zipfile  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402

from planton_lambda.packaging import (  # noqa: E402
    MAX_UNZIPPED_BYTES,
    Package,
    PackagingError,
    build_package,
    bundle,
)

MIB = 1024 * 1024
TARGET_RATIO = 1.0
TARGET_NOOP = 0.05
TARGET_RSS_GROWTH_MB = 128
# Generated files get one fixed, old mtime, as an installed site-packages has: a file
# written a moment ago is "racily clean" and is hashed again on the next build.
FIXED_MTIME = 1_700_000_000

WORDS = (
    "def",
    "class",
    "return",
    "self",
    "import",
    "from",
    "if",
    "else",
    "elif",
    "for",
    "while",
    "try",
    "except",
    "finally",
    "with",
    "as",
    "yield",
    "lambda",
    "None",
    "True",
    "False",
    "and",
    "or",
    "not",
    "in",
    "is",
    "raise",
    "assert",
    "pass",
    "break",
    "continue",
    "async",
    "await",
    "value",
    "result",
    "data",
    "items",
    "config",
    "request",
    "response",
    "handler",
    "logger",
    "error",
    "message",
    "index",
    "count",
    "name",
    "path",
    "key",
    "buffer",
    "stream",
    "client",
    "session",
    "token",
    "payload",
    "record",
    "schema",
)


@dataclass(frozen=True)
class Tree:
    root: Path
    files: int
    size: int


def generate_tree(root: Path, size_mb: float, seed: int) -> Tree:
    """About `size_mb` of files like an installed site-packages, the same for a seed."""
    rng = random.Random(seed)
    budget = int(size_mb * MIB)
    lines = _line_pool(rng)
    written = count = 0
    package = 0
    while written < budget:
        pkg = root / f"pkg_{package:03d}"
        for rel, data in _package_files(rng, lines, package, budget - written):
            path = pkg / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            if rel.endswith(".so"):
                path.chmod(0o755)
            os.utime(path, (FIXED_MTIME, FIXED_MTIME))
            written += len(data)
            count += 1
        package += 1
    return Tree(root, count, written)


def _line_pool(rng: random.Random) -> list[bytes]:
    pool = []
    for _ in range(4000):
        indent = "    " * rng.randint(0, 3)
        words = " ".join(rng.choices(WORDS, k=rng.randint(2, 9)))
        pool.append(f"{indent}{words}({rng.randint(0, 999)})\n".encode())
    return pool


def _package_files(
    rng: random.Random, lines: list[bytes], index: int, left: int
) -> list[tuple[str, bytes]]:
    """One package: ~40 modules, metadata, a shared library and now and then an image."""
    files: list[tuple[str, bytes]] = []
    for module in range(rng.randint(20, 60)):
        sub = f"sub{module % 4}/" if module > 8 else ""
        body = b"".join(rng.choices(lines, k=rng.randint(20, 600)))
        files.append((f"{sub}mod_{module:02d}.py", body))
    files.append(("__init__.py", b"".join(rng.choices(lines, k=30))))
    files.append((f"../pkg_{index:03d}-1.0.dist-info/METADATA", _metadata(rng, lines)))
    files.append((f"_native_{index:03d}.so", _shared_library(rng, rng.randint(32, 1024) * 1024)))
    if index % 5 == 0:
        files.append(("assets/logo.png", rng.randbytes(rng.randint(4, 64) * 1024)))
    kept, total = [], 0
    for rel, data in files:
        if total >= left:
            break
        kept.append((rel, data))
        total += len(data)
    return kept


def _metadata(rng: random.Random, lines: list[bytes]) -> bytes:
    return b"Metadata-Version: 2.1\nName: bench\n\n" + b"".join(rng.choices(lines, k=40))


def _shared_library(rng: random.Random, size: int) -> bytes:
    """Blocks of random code, zero padding and repeated tables: deflates to about half."""
    blocks = []
    for _ in range(size // 4096):
        kind = rng.random()
        if kind < 0.45:
            blocks.append(rng.randbytes(4096))
        elif kind < 0.65:
            blocks.append(rng.randbytes(64).ljust(4096, b"\0"))
        else:
            blocks.append(rng.randbytes(256) * 16)
    return b"".join(blocks)


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def info_zip(tree: Path, out: Path) -> None:
    out.unlink(missing_ok=True)
    subprocess.run(["zip", "-r", "-X", "-q", "-6", str(out), "."], cwd=tree, check=True)


def generate_big_file(folder: Path, size_mb: float, seed: int) -> Path:
    """One log-like text file of `size_mb`: deflates about 9:1, under Lambda's 50 MB."""
    rng = random.Random(seed)
    blocks = [_log_block(rng, MIB) for _ in range(4)]
    folder.mkdir(parents=True)
    path = folder / "big.log"
    left = int(size_mb * MIB)
    with open(path, "wb") as out:
        for index in range(0, left, MIB):
            out.write(blocks[(index // MIB) % len(blocks)][: left - index])
    os.utime(path, (FIXED_MTIME, FIXED_MTIME))
    return path


def _log_block(rng: random.Random, size: int) -> bytes:
    lines, written, ms = [], 0, 0
    while written < size:
        ms += rng.randint(0, 40)
        clock = f"{ms // 3_600_000 % 24:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}"
        status = rng.choice((200, 200, 200, 201, 404, 500))
        line = (
            f"2025-01-01T{clock}.{ms % 1000:03d}Z INFO GET /api/v1/items/{rng.randint(1, 999)} "
            f"status={status} duration_ms={rng.randint(1, 300)}\n"
        ).encode()
        lines.append(line)
        written += len(line)
    return b"".join(lines)[:size]


@dataclass(frozen=True)
class Measure:
    seconds: float
    growth_mb: float  # peak RSS over the child's RSS before the build
    peak_mb: float


def measure_child(source: Path, cache: Path) -> Measure:
    """`build_package` in a fresh interpreter: its time and peak RSS, imports excluded."""
    command = [sys.executable, __file__, "--child", str(source), str(cache)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    data = json.loads(result.stdout)
    return Measure(data["seconds"], data["peak_mb"] - data["before_mb"], data["peak_mb"])


def measure_info_zip(tree: Path, out: Path) -> Measure:
    """Info-ZIP's time and peak RSS, polled from /proc: ru_maxrss of a child started from
    this process would report this interpreter's size from before the exec."""
    out.unlink(missing_ok=True)
    start = time.perf_counter()
    process = subprocess.Popen(["zip", "-r", "-X", "-q", "-6", str(out), "."], cwd=tree)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, _peak_mb(f"/proc/{process.pid}/status") or 0.0)
        time.sleep(0.005)
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"zip exited with status {process.returncode}")
    return Measure(seconds, peak, peak)


def _peak_mb(status: str = "/proc/self/status") -> float | None:
    """VmHWM, the peak RSS of the process's current image (Linux), in MB."""
    try:
        with open(status, encoding="ascii") as stream:
            for line in stream:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return None


def _child(source: str, cache: str) -> int:
    # VmHWM, unlike ru_maxrss, does not count the parent's size inherited before the exec.
    before = _peak_mb() or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    build_package(source, runtime=None, cache_dir=cache)
    seconds = time.perf_counter() - start
    peak = _peak_mb() or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "before_mb": before, "peak_mb": peak}))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=100.0, help="tree size (default 100)")
    parser.add_argument(
        "--big-file-mb", type=float, default=240.0, help="the large file (default 240)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-new-paths", action="store_true", help="skip S3, uv and esbuild")
    parser.add_argument("--child", nargs=2, metavar=("SOURCE", "CACHE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(*args.child)
    if shutil.which("zip") is None:
        print("Info-ZIP `zip` is not installed; run: apt-get install -y zip", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="planton-bench-") as tmp:
        work = Path(tmp)
        tree = generate_tree(work / "tree", args.size_mb, args.seed)
        print(f"tree      {tree.size / MIB:7.1f} MB in {tree.files} files (seed {args.seed})")

        builds: list[Package] = []

        def full_build() -> None:  # into a fresh cache each time
            cache = work / f"cache-{len(builds)}"
            builds.append(build_package(tree.root, runtime=None, cache_dir=cache))

        # Alternated, so both see the same machine state.
        ours = zips = float("inf")
        for _ in range(args.repeat):
            ours = min(ours, timed(full_build))
            zips = min(zips, timed(lambda: info_zip(tree.root, work / "info.zip")))
        warm = work / "cache-0"
        noop = min(
            timed(lambda: build_package(tree.root, runtime=None, cache_dir=warm))
            for _ in range(args.repeat)
        )

        package = builds[-1]
        _verify(package, builds)
        zip_size = (work / "info.zip").stat().st_size
        our_rss = measure_child(tree.root, work / "cache-rss")
        zip_rss = measure_info_zip(tree.root, work / "info-rss.zip")
        print(
            f"ours      {ours:7.3f} s   zip {package.zipped_bytes / MIB:6.1f} MB   "
            f"peak RSS +{our_rss.growth_mb:.0f} MB ({our_rss.peak_mb:.0f} MB with the interpreter)"
        )
        print(
            f"Info-ZIP  {zips:7.3f} s   zip {zip_size / MIB:6.1f} MB   "
            f"peak RSS {zip_rss.peak_mb:.0f} MB"
        )
        print(f"ours/zip  {ours / zips:7.3f}     {_verdict(ours / zips, TARGET_RATIO)}")
        print(
            f"no-op     {noop:7.3f} s = {noop / ours:.3f} of a full build  "
            f"{_verdict(noop / ours, TARGET_NOOP)}"
        )
        _big_file(work, args.big_file_mb, args.seed)
        if not args.no_new_paths:
            _new_paths(work, tree.root)
    return 0


TS_HANDLER = """import leftPad from "left-pad";
import { greet } from "./greet";
export const handler = async (event: { name?: string }) => ({
  body: leftPad(greet(event.name ?? "x"), 20),
});
"""
TS_GREET = "export const greet = (name: string): string => `hello ${name}`;\n"


def _new_paths(work: Path, tree: Path) -> None:
    """Cold build, no-op rebuild and determinism of each second-round path."""
    python = work / "py-app"
    python.mkdir()
    (python / "app.py").write_text("import markupsafe\n")
    (python / "requirements.txt").write_text("markupsafe==3.0.2\n")
    node = work / "ts-app"  # with a locked dependency, so a cold build runs `npm ci`
    shutil.copytree(_HERE.parent / "tests" / "fixtures" / "packaging" / "node-app", node)
    (node / "src").mkdir(parents=True)
    (node / "src" / "index.ts").write_text(TS_HANDLER)
    (node / "src" / "greet.ts").write_text(TS_GREET)
    for path in [*python.rglob("*"), *node.rglob("*")]:
        os.utime(path, (FIXED_MTIME, FIXED_MTIME))
    paths: dict[str, Callable[[Path], Package]] = {
        "S3 artifact": lambda cache: build_package(
            tree, runtime=None, cache_dir=cache, max_zipped_bytes=MAX_UNZIPPED_BYTES
        ),
        "uv install": lambda cache: build_package(python, runtime="python3.12", cache_dir=cache),
        "esbuild": lambda cache: build_package(
            node, runtime="nodejs22.x", cache_dir=cache, bundle=bundle.Bundle("src/index.ts")
        ),
    }
    if shutil.which("npm") is not None and not os.environ.get(bundle.ESBUILD_ENV):
        # Installed once, as the first bundle on a machine does; not part of the timings.
        with contextlib.suppress(bundle.DependencyError):  # then the esbuild line says why
            os.environ[bundle.ESBUILD_ENV] = str(bundle.install_pinned(work / "tools"))
    for name, build in paths.items():
        try:
            cold, noop, same = _cold_and_noop(build, work / f"cache-{name}")
        except PackagingError as error:
            print(f"{name:<12} skipped: {error}")
            continue
        print(
            f"{name:<12} cold {cold:7.3f} s   no-op {noop:7.4f} s = {noop / cold:.4f}  "
            f"{_verdict(noop / cold, TARGET_NOOP)}; two cold builds: "
            f"{'identical' if same else 'DIFFERENT'} bytes"
        )


def _cold_and_noop(build: Callable[[Path], Package], cache: Path) -> tuple[float, float, bool]:
    """The best of two cold builds (fresh caches), of three no-op rebuilds, and whether the
    two cold builds gave the same bytes."""
    packages: list[Package] = []
    colds = [timed(lambda c=cache / str(i): packages.append(build(c))) for i in range(2)]
    noop = min(timed(lambda: build(cache / "0")) for _ in range(3))
    same = packages[0].path.read_bytes() == packages[1].path.read_bytes()
    return min(colds), noop, same


def _big_file(work: Path, size_mb: float, seed: int) -> None:
    """One large file: peak RSS must not grow with it (streamed, spilled to disk)."""
    folder = work / "big"
    generate_big_file(folder, size_mb, seed)
    ours = measure_child(folder, work / "cache-big")
    zips = measure_info_zip(folder, work / "big.zip")
    print(
        f"big file  {size_mb:7.1f} MB: ours {ours.seconds:.3f} s, peak RSS "
        f"+{ours.growth_mb:.0f} MB ({ours.peak_mb:.0f} MB); "
        f"Info-ZIP {zips.seconds:.3f} s, peak RSS {zips.peak_mb:.0f} MB"
    )
    print(
        f"big/zip   {ours.seconds / zips.seconds:7.3f}     peak RSS growth {ours.growth_mb:.0f} MB "
        f"{_verdict(ours.growth_mb, TARGET_RSS_GROWTH_MB)}"
    )


def _verify(package: Package, builds: list[Package]) -> None:
    """Every build gave the same bytes, and the zip reads back."""
    if len({b.source_code_hash for b in builds}) != 1:
        raise SystemExit("builds of the same tree differ")
    with zipfile.ZipFile(package.path) as archive:
        bad = archive.testzip()
    if bad is not None:
        raise SystemExit(f"bad CRC for {bad}")


def _verdict(value: float, target: float) -> str:
    return f"(target <= {target}: {'met' if value <= target else 'MISSED'})"


if __name__ == "__main__":
    sys.exit(main())
