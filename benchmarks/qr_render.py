"""Uncached PNG render times in-process, per size: each link is rendered once, cold.

Wall time moves with whatever else the machine runs; CPU time (this thread's) much less.
"""

from __future__ import annotations

import statistics
import sys
import time

from sharetrack.leaflets import qr

tokens = [line.strip() for line in open(sys.argv[1])]
origin = "https://share.our-campaign.example"
qr.png(qr.payload(origin, "warm.up"), "Q", 128)  # imports and first-use set-up, not counted


def p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95) - 1]


for level in ("Q", "H"):
    for size in (128, 512, 1024, 2048):
        wall, cpu = [], []
        for token in tokens[:50]:
            text = qr.payload(origin, token)
            start, start_cpu = time.perf_counter(), time.thread_time()
            qr.png(text, level, size)
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.thread_time() - start_cpu) * 1000)
        print(
            f"   level {level} {size:4d}px: wall median {statistics.median(wall):5.1f} ms "
            f"p95 {p95(wall):5.1f} | CPU median {statistics.median(cpu):5.1f} ms "
            f"p95 {p95(cpu):5.1f} (target <= 30 ms)"
        )
