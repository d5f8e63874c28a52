"""How steady this machine's processor is: the same fixed loop, timed back to back for a while.

Run it before `run.py` (`python benchmarks/steadiness.py 240`). Every ratio in RESULTS.md assumes the two
things it compares ran at the same speed; the spread printed here says how far that can be off. CPU time is
printed beside wall time, so a slow loop that was not descheduled shows the processor itself ran slower.
"""

from __future__ import annotations

import sys
import time

LOOP_ADDITIONS = 3_000_000


def loop() -> tuple[float, float]:
    """Wall and CPU seconds of one fixed pure-Python loop."""
    wall, cpu = time.perf_counter(), time.process_time()
    total = 0
    for number in range(LOOP_ADDITIONS):
        total += number
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    start = time.monotonic()
    runs: list[tuple[float, float, float]] = []
    while time.monotonic() - start < seconds:
        runs.append((time.monotonic() - start, *loop()))
    for at, wall, cpu in runs[:: max(1, len(runs) // 16)]:
        print(f"{at:6.0f} s: loop {wall:.3f} s wall, {cpu:.3f} s CPU")
    walls = sorted(wall for _, wall, _ in runs)
    median = walls[len(walls) // 2]
    print(f"{len(runs)} loops: fastest {walls[0]:.3f} s, median {median:.3f} s, slowest {walls[-1]:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
