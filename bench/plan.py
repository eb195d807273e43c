"""Wall time of `planton-lambda plan --stack dev`, as a user runs it, against a baseline.

Each run is a fresh process. Cold: an empty package cache (`PLANTON_LAMBDA_CACHE` pointed at
a new folder) and no bytecode cache writes (`PYTHONDONTWRITEBYTECODE`), so the function's
code is zipped again. Warm: the cache filled by a previous run. The baseline, run side by
side, is a bare interpreter importing pulumi_aws's lambda module: what any offline Pulumi
program pays before it does anything.

    python bench/plan.py            # 5 cold and 5 warm runs
    python bench/plan.py --runs 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 1.5
PLAN = [sys.executable, "-m", "planton_lambda", "plan", "--stack", "dev"]
BASELINE = [sys.executable, "-c", "import pulumi, pulumi_aws.lambda_"]


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cold: list[float] = []
    warm: list[float] = []
    baseline: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        for i in range(args.runs):
            cache = {**os.environ, "PLANTON_LAMBDA_CACHE": str(Path(folder) / f"c{i}")}
            baseline.append(timed(BASELINE, cache))
            cold.append(timed(PLAN, {**cache, "PYTHONDONTWRITEBYTECODE": "1"}))
            warm.append(timed(PLAN, cache))
    rows = [("baseline (import pulumi_aws)", baseline), ("plan, cold", cold), ("plan, warm", warm)]
    for label, times in rows:
        print(
            f"{label:30} median {statistics.median(times):.2f} s  "
            f"min {min(times):.2f}  max {max(times):.2f}"
        )
    worst = max(max(cold), max(warm))
    ratio = statistics.median(warm) / statistics.median(baseline)
    print(f"warm plan / baseline: {ratio:.2f}; slowest {worst:.2f} s (target < {TARGET_SECONDS} s)")
    return 0 if worst < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
