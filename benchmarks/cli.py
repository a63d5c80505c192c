"""How long `deseo --help` takes to start against a bare `python -c pass`, both measured in this
run with the same interpreter. Goal: `deseo --help` under 0.5 s, which needs the commands to
import the product only when they run.

Run: `.venv/bin/python -m benchmarks.cli [--runs N]`.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

DESEO_HELP = [sys.executable, "-m", "deseo", "--help"]
BARE = [sys.executable, "-c", "pass"]


def wall_time(command: list[str], runs: int) -> float:
    """The median wall time of `runs` runs of `command`, in seconds; the median because a run
    now and then waits on the machine, not on the command."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    wall_time(BARE, 1)  # warm the file cache for both
    wall_time(DESEO_HELP, 1)
    baseline = wall_time(BARE, args.runs)
    help_time = wall_time(DESEO_HELP, args.runs)
    print(f"python -c pass            {baseline:8.3f} s (baseline)")
    print(f"deseo --help              {help_time:8.3f} s")
    print(f"deseo --help / bare       {help_time / baseline:8.2f}x   (goal: under 0.5 s)")


if __name__ == "__main__":
    main()
