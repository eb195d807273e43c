"""How fast local packaging is, beside Info-ZIP, on a site-packages-like tree.

Generates a tree deterministically from a seed (thousands of Python-like sources, shared
libraries that are partly compressible, metadata and already-compressed files), then in
one run and on the same files:

* builds a package with `build_package` into a fresh cache (a full build) and with
  `zip -r -X -q -6` (Info-ZIP at the same deflate level), best of `--repeat` each;
* builds the unchanged tree again with the warm cache (a no-op rebuild).

Prints both times and zip sizes, ours/zip (target <= 1.0) and no-op/full (target <= 0.05).

    python bench/packaging.py                   # 100 MB, best of 3
    python bench/packaging.py --size-mb 20 --repeat 1
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
import os  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import zipfile  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402

from planton_lambda.packaging import Package, build_package  # noqa: E402

MIB = 1024 * 1024
TARGET_RATIO = 1.0
TARGET_NOOP = 0.05
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=100.0, help="tree size (default 100)")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
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
        print(f"ours      {ours:7.3f} s   zip {package.zipped_bytes / MIB:6.1f} MB")
        print(f"Info-ZIP  {zips:7.3f} s   zip {zip_size / MIB:6.1f} MB")
        print(f"ours/zip  {ours / zips:7.3f}     {_verdict(ours / zips, TARGET_RATIO)}")
        print(
            f"no-op     {noop:7.3f} s = {noop / ours:.3f} of a full build  "
            f"{_verdict(noop / ours, TARGET_NOOP)}"
        )
    return 0


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
