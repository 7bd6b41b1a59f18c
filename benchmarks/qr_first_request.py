"""First-request latency of uncached PNGs over HTTP: one request per distinct link."""

from __future__ import annotations

import statistics
import sys
import time
import urllib.request

base, token_file = sys.argv[1], sys.argv[2]
tokens = [line.strip() for line in open(token_file)][100:200]  # not used by any other step
times = []
for token in tokens:
    start = time.perf_counter()
    with urllib.request.urlopen(f"{base}/s/{token}/qr.png?size=512") as response:  # noqa: S310
        response.read()
    times.append((time.perf_counter() - start) * 1000)
times.sort()
print(
    f"   size 512px: median {statistics.median(times):5.1f} ms, "
    f"p95 {times[94]:5.1f} ms, max {times[-1]:5.1f} ms (request + render; target <= 30 ms)"
)
