#!/usr/bin/env python3
"""Footprint: start-to-healthy time and idle RSS, on an empty data directory and (optionally) on a
large filled store; Phoenix's the same way for comparison.

Start-to-healthy: from spawning the process until `GET /health` (Phoenix: `/healthz`) answers 200,
polled every 5 ms. Idle RSS: the process tree's resident set 2 s after it became healthy, with no
requests. Each start is on the given data directory; the empty case uses a fresh temp dir each
time (so it includes creating the stores and running migrations).

Usage: bench/footprint.py --binary .build/release/anvil [--starts 5] [--store /tmp/anvil-bench-10m] [--phoenix]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from servers import Anvil, Phoenix  # noqa: E402


def starts(make, n: int) -> dict:
    ups, rss = [], []
    for _ in range(n):
        with make() as s:
            ups.append(s.startup_s)
            time.sleep(2)
            rss.append(s.stats()["rss"] / 2**20)
    return {"starts": n, "healthy_median_s": round(statistics.median(ups), 3), "healthy_max_s": round(max(ups), 3),
            "idle_rss_median_mb": round(statistics.median(rss), 1), "idle_rss_max_mb": round(max(rss), 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=".build/release/anvil")
    ap.add_argument("--starts", type=int, default=5)
    ap.add_argument("--store", help="a filled data directory (bench/query_scale.py) to start on as well")
    ap.add_argument("--phoenix", action="store_true", help="measure Phoenix too (empty store)")
    ap.add_argument("--json", help="write the results to this file")
    args = ap.parse_args()
    out = {"anvil_empty": starts(lambda: Anvil(args.binary), args.starts)}
    print(json.dumps(out), flush=True)
    if args.store:
        out["anvil_filled"] = starts(lambda: Anvil(args.binary, data_dir=args.store, keep=True), args.starts)
        print(json.dumps(out["anvil_filled"]), flush=True)
    if args.phoenix:
        out["phoenix_empty"] = starts(Phoenix, min(args.starts, 2))
        print(json.dumps(out["phoenix_empty"]), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
