"""uv vs pip installing the same requirements for Lambda, cold and warm cache.

Both install `--requirements` (default: requests, pydantic, numpy: boto3-free, one of them
compiled) into a fresh `--target` folder for Lambda's platform (python3.12 on x86_64 unless
told otherwise: manylinux wheels only, no source builds), with the same commands the
packager runs (`planton_lambda.packaging.dependencies.pip_command`, `uvinstall.uv_command`).
Cold: an empty cache of the installer's own (`--cache-dir`) each run, so every wheel is
downloaded; warm: the cache the cold run filled. Best of `--repeat` each, alternated.

    python bench/installers.py                       # goal: uv/pip <= 0.3 cold
    python bench/installers.py --requirement six==1.17.0 --repeat 1
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from planton_lambda.packaging import dependencies, uvinstall  # noqa: E402

DEFAULT_REQUIREMENTS = ["requests==2.32.3", "pydantic==2.11.7", "numpy==2.2.6"]
TARGET_COLD = 0.3


def _pip(requirements: Path, target: Path, cache: Path, version: str, arch: str) -> list[str]:
    plan = dependencies.DependencyPlan("pip", requirements, python_version=version)
    return [*dependencies.pip_command(plan, target, arch), f"--cache-dir={cache}"]


def _uv(requirements: Path, target: Path, cache: Path, version: str, arch: str) -> list[str]:
    command = uvinstall.uv_command(uvinstall.uv_binary(), requirements, target, version, arch)
    return [*command, "--cache-dir", str(cache)]


def timed_install(command: list[str], target: Path) -> float:
    shutil.rmtree(target, ignore_errors=True)
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{command[0]} failed: {(result.stderr + result.stdout)[-800:]}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--requirement",
        action="append",
        help="repeatable; default: " + ", ".join(DEFAULT_REQUIREMENTS),
    )
    parser.add_argument("--python", default="3.12", help="Lambda's Python version (3.12)")
    parser.add_argument("--architecture", default="X86_64", choices=["X86_64", "ARM64"])
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    args = parser.parse_args(argv)
    wanted = args.requirement or DEFAULT_REQUIREMENTS
    # pip's machine-wide settings (extra local indexes, find-links) would skew the race.
    os.environ["PIP_CONFIG_FILE"] = os.devnull
    os.environ.pop("PIP_FIND_LINKS", None)

    with tempfile.TemporaryDirectory(prefix="planton-installers-") as tmp:
        work = Path(tmp)
        requirements = work / "requirements.txt"
        requirements.write_text("\n".join(wanted) + "\n", encoding="utf-8")
        print(f"requirements {', '.join(wanted)} for Python {args.python} on {args.architecture}")
        results: dict[str, dict[str, float]] = {"pip": {}, "uv": {}}
        builders = {"pip": _pip, "uv": _uv}
        for run in range(args.repeat):
            for name, build in builders.items():
                cache = work / f"{name}-cache-{run}"
                command = build(
                    requirements, work / "target", cache, args.python, args.architecture
                )
                cold = timed_install(command, work / "target")
                warm = timed_install(command, work / "target")
                best = results[name]
                best["cold"] = min(best.get("cold", cold), cold)
                best["warm"] = min(best.get("warm", warm), warm)
                shutil.rmtree(cache, ignore_errors=True)
        for name, best in results.items():
            print(f"{name:<4} cold {best['cold']:7.2f} s   warm {best['warm']:7.2f} s")
        cold_ratio = results["uv"]["cold"] / results["pip"]["cold"]
        warm_ratio = results["uv"]["warm"] / results["pip"]["warm"]
        verdict = "met" if cold_ratio <= TARGET_COLD else "MISSED"
        print(f"uv/pip cold {cold_ratio:6.3f}  (target <= {TARGET_COLD}: {verdict})")
        print(f"uv/pip warm {warm_ratio:6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
