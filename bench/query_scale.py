#!/usr/bin/env python3
"""Query latency at scale: a store of 10 million runs, the UI's and SDK's main reads over HTTP.

Fill: `anvil bench-fill` (hidden subcommand, `Sources/AnvilServer/BenchFill.swift`) writes
synthetic traces through Anvil's own trace store (`TraceStore.write`, the ingest worker's code
path, one transaction per 5,000 runs), so the store is exactly what ingest would have produced;
only HTTP decoding and the durable queue are skipped. A few thousand projects with Zipf sizes,
four trace shapes, 30 days of history, a handful of 1,000-run traces. The filled directory is
kept (`--data-dir`) and reused when its manifest matches.

Queries, each against the largest project ("big", ~12% of all runs) and a typical one ("mid",
the 100th largest), over HTTP against `anvil serve` on the filled store, after one warm-up call:
  list      POST /runs/query {session, is_root: true, select: the runs table's columns, limit: 100}
  filter    POST /runs/query {session, filter: and(eq(run_type, "llm"), gt(latency, 2),
            eq(metadata_key, "ls_model_name"), eq(metadata_value, "gpt-4o")), select, limit: 100}
  trace     GET /ui/traces/{id} of a 1,000-run trace (what the trace view loads)
  stats     GET /sessions/{id}?include_stats=true (run count, latency p50/p99, tokens, cost, errors)
  monitor   GET /ui/sessions/{id}/monitor (last 7 days, 48 buckets: the monitoring charts)

Usage: bench/query_scale.py --binary .build/release/anvil [--data-dir /tmp/anvil-10m] [--runs 10000000]
       [--projects 3000] [--reps 30] [--json out.json]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from servers import API_KEY, Anvil, du  # noqa: E402

SELECT = ["id", "name", "run_type", "start_time", "end_time", "status", "error", "total_tokens", "total_cost", "tags",
          "feedback_stats", "inputs_preview", "outputs_preview", "trace_id", "session_id", "parent_run_id"]
FILTER = 'and(eq(run_type, "llm"), gt(latency, 2), eq(metadata_key, "ls_model_name"), eq(metadata_value, "gpt-4o"))'


def fill(binary: str, data_dir: Path, runs: int, projects: int) -> dict:
    manifest = data_dir / "bench-fill.json"
    if manifest.exists():
        m = json.loads(manifest.read_text())
        if m["runs"] >= runs and len(m["projects"]) == projects:
            m["reused"] = True
            return m
    subprocess.run(["rm", "-rf", str(data_dir)], check=True)
    t0 = time.perf_counter()
    subprocess.run([binary, "bench-fill", "--data-dir", str(data_dir), "--runs", str(runs), "--projects", str(projects)],
                   check=True)
    m = json.loads(manifest.read_text())
    m["fill_wall_s"] = time.perf_counter() - t0
    m["reused"] = False
    return m


def timed(conn: http.client.HTTPConnection, method: str, path: str, body=None) -> tuple[float, int, bytes]:
    headers = {"x-api-key": API_KEY, "Content-Type": "application/json", "Accept-Encoding": "gzip"}
    t0 = time.perf_counter()
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    r = conn.getresponse()
    data = r.read()
    dt = time.perf_counter() - t0
    if r.status != 200:
        raise RuntimeError(f"{method} {path} -> {r.status}: {data[:300]!r}")
    return dt, r.status, data


def pct(values: list[float], p: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(round((len(v) - 1) * p)))]


def measure(conn, method: str, path: str, body, reps: int) -> dict:
    _, _, data = timed(conn, method, path, body)  # warm-up
    times = [timed(conn, method, path, body)[0] for _ in range(reps)]
    return {"p50_ms": round(1000 * pct(times, 0.5), 1), "p95_ms": round(1000 * pct(times, 0.95), 1),
            "max_ms": round(1000 * max(times), 1), "response_bytes": len(data)}


def queries(m: dict) -> list[tuple[str, str, str, str, dict | None]]:
    """(query, project label, method, path, body)."""
    projects = sorted(m["projects"], key=lambda p: -p["runs"])
    chosen = {"big": projects[0], "mid": projects[min(99, len(projects) - 1)]}
    out = []
    for label, p in chosen.items():
        pid = p["id"]
        out.append(("list", label, "POST", "/api/v1/runs/query", {"session": [pid], "is_root": True, "select": SELECT, "limit": 100}))
        out.append(("filter", label, "POST", "/api/v1/runs/query", {"session": [pid], "filter": FILTER, "select": SELECT, "limit": 100}))
        out.append(("stats", label, "GET", f"/api/v1/sessions/{pid}?include_stats=true", None))
        out.append(("monitor", label, "GET", f"/api/v1/ui/sessions/{pid}/monitor", None))
    for t in m["big_traces"][:1]:
        out.append(("trace", "big", "GET", f"/api/v1/ui/traces/{t}", None))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=".build/release/anvil")
    ap.add_argument("--data-dir", default="/tmp/anvil-bench-10m")
    ap.add_argument("--runs", type=int, default=10_000_000)
    ap.add_argument("--projects", type=int, default=3000)
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--json", help="write the results to this file")
    args = ap.parse_args()
    data_dir = Path(args.data_dir)
    m = fill(args.binary, data_dir, args.runs, args.projects)
    print(json.dumps({k: v for k, v in m.items() if k not in ("projects", "big_traces")}), flush=True)
    server = Anvil(args.binary, data_dir=str(data_dir), keep=True)
    result = {"runs": m["runs"], "projects": len(m["projects"]), "fill_runs_per_s": round(m.get("runs_per_second", 0)),
              "fill_reused": m["reused"], "store_bytes": du(data_dir),
              "traces_sqlite_bytes": os.path.getsize(data_dir / "traces.sqlite")}
    result["bytes_per_run"] = round(result["store_bytes"] / m["runs"])
    sizes = sorted((p["runs"] for p in m["projects"]), reverse=True)
    result["big_project_runs"], result["mid_project_runs"] = sizes[0], sizes[min(99, len(sizes) - 1)]
    with server:
        result["startup_s"] = round(server.startup_s, 3)
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
        rows = []
        for name, label, method, path, body in queries(m):
            r = {"query": name, "project": label, **measure(conn, method, path, body, args.reps)}
            print(json.dumps(r), flush=True)
            rows.append(r)
        result["queries"] = rows
        result["rss_after_queries_mb"] = round(server.stats()["rss"] / 2**20, 1)
    print(json.dumps({k: v for k, v in result.items() if k != "queries"}))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
