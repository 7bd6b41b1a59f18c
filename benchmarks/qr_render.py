"""Uncached PNG render times in-process, per size: each link is rendered once, cold."""

from __future__ import annotations

import statistics
import sys
import time

from sharetrack.leaflets import qr

tokens = [line.strip() for line in open(sys.argv[1])]
origin = "https://share.our-campaign.example"
qr.png(qr.payload(origin, "warm.up"), "Q", 128)  # imports and first-use set-up, not counted
for level in ("Q", "H"):
    for size in (128, 512, 1024, 2048):
        times = []
        for token in tokens[:50]:
            text = qr.payload(origin, token)
            qr.png.cache_clear()
            start = time.perf_counter()
            qr.png(text, level, size)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        print(
            f"   level {level} size {size:4d}px: median {statistics.median(times):5.1f} ms, "
            f"p95 {times[int(len(times) * 0.95) - 1]:5.1f} ms, max {times[-1]:5.1f} ms "
            f"(target <= 30 ms)"
        )
