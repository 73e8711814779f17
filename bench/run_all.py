#!/usr/bin/env python3
"""Runs every benchmark of issue 8 and rewrites the measured sections of docs/benchmarks.md.

  1. ingest_compare.py   Anvil (OTLP/HTTP and multipart) and Phoenix (OTLP/HTTP), rising senders
  2. sqlite_limit.py     raw SQLite bulk insert of the same rows: the physical limit
  3. query_scale.py      10 million runs, five queries (fills once, reuses the filled store)
  4. query_phoenix.py    the same queries on Anvil and Phoenix, at the scale Phoenix can be filled
  5. footprint.py        start-to-healthy, idle RSS (Anvil empty and filled, Phoenix)

Raw results go to bench/results/*.json; the sections between `<!-- bench:NAME -->` and
`<!-- /bench:NAME -->` in docs/benchmarks.md are regenerated from them (the rest of the file is kept).
`--only` re-runs some benchmarks and re-renders from the saved results of the others.

Usage (from the repository root, release build first):
  swift build -c release --static-swift-stdlib --product anvil
  .venv/bin/python bench/run_all.py [--binary .build/release/anvil] [--only ingest,limit,query,phoenix-query,footprint]
      [--quick]   (a few seconds per step: checks the scripts, numbers not for the docs)
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
DOC = ROOT / "docs" / "benchmarks.md"
STEPS = ["ingest", "limit", "query", "phoenix-query", "footprint"]


def run(args: list[str]) -> None:
    print("+", " ".join(args), flush=True)
    subprocess.run([sys.executable, *args], check=True, cwd=ROOT)


def load(name: str):
    p = RESULTS / f"{name}.json"
    return json.loads(p.read_text()) if p.exists() else None


def fmt(n, digits=0) -> str:
    if n is None or (isinstance(n, float) and n != n):
        return "–"
    return f"{n:,.{digits}f}"


# -- sections -------------------------------------------------------------------------------------

def section_ingest(r: dict) -> str:
    rows = r["rows"]
    lines = [
        "| server, protocol | senders | persisted runs/s | acked runs/s | ack p50 / p99 | ingest→queryable p50 / p99 | all stored after | 429s | server CPU s | CPU ms per 1k runs | peak RSS | disk per run |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for x in rows:
        lines.append(
            f"| {x['target']} | {x['senders']} | **{fmt(x['persisted_per_s'])}** | {fmt(x['acked_per_s'])} | "
            f"{fmt(x['ack_p50_ms'], 1)} / {fmt(x['ack_p99_ms'], 1)} ms | {fmt(x['lag_p50_ms'])} / {fmt(x['lag_p99_ms'])} ms | "
            f"{fmt(x['all_persisted_after_s'], 1)} s | {fmt(x.get('backoffs'))} | {fmt(x['server_cpu_s'], 1)} | {fmt(1000 * x['cpu_per_1k_runs_s'], 0)} | "
            f"{fmt(x['peak_rss_mb'])} MB | {fmt(x['disk_bytes_per_run_stopped'])} B |")
    anvil = {x["senders"]: x for x in rows if x["target"] == "anvil-otlp"}
    phoenix = {x["senders"]: x for x in rows if x["target"] == "phoenix-otlp"}
    ratio_lines = []
    for c in sorted(set(anvil) & set(phoenix)):
        a, p = anvil[c], phoenix[c]
        ratio_lines.append(
            f"| {c} | {fmt(a['persisted_per_s'])} | {fmt(p['persisted_per_s'])} | **{a['persisted_per_s'] / max(1, p['persisted_per_s']):.1f}×** | "
            f"{(1000 * p['cpu_per_1k_runs_s']) / max(0.001, 1000 * a['cpu_per_1k_runs_s']):.1f}× | "
            f"{p['peak_rss_mb'] / max(1, a['peak_rss_mb']):.1f}× |")
    if anvil and phoenix:
        best_a = max(x["persisted_per_s"] for x in anvil.values())
        best_p = max(x["persisted_per_s"] for x in phoenix.values())
        ratio_lines.append(f"| best level of each | {fmt(best_a)} | {fmt(best_p)} | **{best_a / max(1, best_p):.1f}×** | | |")
    bad = [x for x in rows if x["runs_stored"] != x["runs_acked"]]
    lost = ("Every acknowledged run was stored and is counted by each server's own API." if not bad else
            "**Stored ≠ acknowledged** in: " + ", ".join(f"{x['target']}×{x['senders']} ({x['runs_stored']} of {x['runs_acked']})" for x in bad))
    return "\n".join([
        "Same spans, same run, fresh server and empty store per row; "
        f"{rows[0]['send_s']:.0f} s of load per Anvil row, "
        f"{next((x['send_s'] for x in rows if x['target'].startswith('phoenix')), 0):.0f} s per Phoenix row (its persisted rate is its "
        "inserter's rate whatever the window; a shorter one only shortens its drain). *Persisted runs/s* = acknowledged runs ÷ time until the last of them "
        "was committed in the store (backlog included). Phoenix acknowledges before storing (spans wait in memory; "
        "its SQLite runs with `synchronous = OFF`), Anvil after an fsync to its on-disk queue.",
        "", *lines, "", "Anvil ÷ Phoenix, OTLP/HTTP, same senders:", "",
        "| senders | Anvil persisted/s | Phoenix persisted/s | throughput ratio | Phoenix CPU per run ÷ Anvil's | Phoenix peak RSS ÷ Anvil's |",
        "|---:|---:|---:|---:|---:|---:|", *ratio_lines, "", lost,
        *([""] + [f"Note: {n}." for n in r["notes"]] if r.get("notes") else [])])


def section_before_after(before: dict, after: dict) -> str:
    """Anvil's rows of a saved earlier run (bench/results/ingest-before.json) next to this run's."""
    b = {(x["target"], x["senders"]): x for x in before["rows"]}
    lines = ["| target | senders | persisted runs/s before → after | CPU ms per 1k runs before → after | lag p99 before → after |",
             "|---|---:|---:|---:|---:|"]
    for x in after["rows"]:
        y = b.get((x["target"], x["senders"]))
        if not y:
            continue
        lines.append(f"| {x['target']} | {x['senders']} | {fmt(y['persisted_per_s'])} → **{fmt(x['persisted_per_s'])}** | "
                     f"{fmt(1000 * y['cpu_per_1k_runs_s'])} → **{fmt(1000 * x['cpu_per_1k_runs_s'])}** | "
                     f"{fmt(y['lag_p99_ms'])} → {fmt(x['lag_p99_ms'])} ms |")
    return "\n".join(lines)


def section_limit(r: list) -> str:
    lines = ["| rows | payload per row | indexes | transaction | rows/s | CPU s | bytes per row on disk |",
             "|---:|---:|---|---:|---:|---:|---:|"]
    for x in r:
        idx = "all of Anvil's" if x["indexes"] else "none (table only)"
        lines.append(f"| {fmt(x['rows'])} | {fmt(x['payload_bytes_per_row'])} B | {idx} | "
                     f"{fmt(x['txn_rows'])} rows | **{fmt(x['rows_per_s'])}** | {fmt(x['cpu_s'], 1)} | {fmt(x['bytes_per_row'])} |")
    return "\n".join(lines)


def section_query(r: dict) -> str:
    lines = [
        f"Store: {fmt(r['runs'])} runs in {fmt(r['projects'])} projects ({fmt(r['store_bytes'] / 2**30, 1)} GiB, "
        f"{fmt(r['bytes_per_run'])} B per run); largest project {fmt(r['big_project_runs'])} runs (\"big\"), "
        f"100th largest {fmt(r['mid_project_runs'])} (\"mid\"). Filled at {fmt(r['fill_runs_per_s'])} runs/s through "
        f"the trace store{' (reused from an earlier fill)' if r.get('fill_reused') else ''}. Server start on the filled store: "
        f"{fmt(r['startup_s'], 3)} s; RSS after the queries {fmt(r['rss_after_queries_mb'])} MB.",
        "", "| query | project | p50 | p95 | max | response |", "|---|---|---:|---:|---:|---:|"]
    for q in r["queries"]:
        lines.append(f"| {q['query']} | {q['project']} | {fmt(q['p50_ms'], 1)} ms | **{fmt(q['p95_ms'], 1)} ms** | "
                     f"{fmt(q['max_ms'], 1)} ms | {fmt(q['response_bytes'])} B |")
    return "\n".join(lines)


def section_phoenix_query(r: dict) -> str:
    lines = [f"{fmt(r['spans'])} spans (one project), the identical OTLP requests to both; stored in "
             f"{fmt(r['anvil_fill_s'], 1)} s by Anvil (after the last request was acknowledged) and "
             f"{fmt(r['phoenix_fill_s'], 1)} s by Phoenix (sending included).", "",
             "| query | Anvil p50 / p95 | Phoenix p50 / p95 | Phoenix ÷ Anvil (p50) |", "|---|---:|---:|---:|"]
    for q in r["queries"]:
        a, p = q["anvil"], q["phoenix"]
        lines.append(f"| {q['query']} | {fmt(a['p50_ms'], 1)} / {fmt(a['p95_ms'], 1)} ms | {fmt(p['p50_ms'], 1)} / "
                     f"{fmt(p['p95_ms'], 1)} ms | {q['phoenix_over_anvil_p50']}× |")
    return "\n".join(lines)


def section_footprint(r: dict, ingest: dict | None, query: dict | None) -> str:
    lines = ["| server, store | starts | start → healthy (median / max) | idle RSS (median / max) |", "|---|---:|---:|---:|"]
    names = {"anvil_empty": "Anvil, empty data dir", "anvil_filled": "Anvil, filled query store", "phoenix_empty": "Phoenix, empty working dir"}
    for k, label in names.items():
        if k in r:
            x = r[k]
            lines.append(f"| {label} | {x['starts']} | {fmt(x['healthy_median_s'], 3)} / {fmt(x['healthy_max_s'], 3)} s | "
                         f"{fmt(x['idle_rss_median_mb'], 1)} / {fmt(x['idle_rss_max_mb'], 1)} MB |")
    lines.append("")
    if ingest:
        per = {}
        for x in ingest["rows"]:
            per.setdefault(x["target"], []).append(x["disk_bytes_per_run_stopped"])
        lines.append("Bytes on disk per benchmark run (whole data directory after a clean stop ÷ runs stored; "
                     "~1.8 KB of JSON payload per run): " +
                     "; ".join(f"{t} {fmt(min(v))}–{fmt(max(v))} B" for t, v in per.items()) + ".")
    if query:
        lines.append(f"In the {fmt(query['runs'] / 1e6, 1)}M-run query store (smaller payloads, ~0.5 KB per run): {fmt(query['bytes_per_run'])} B per run.")
    return "\n".join(lines)


def targets(ingest, limit, query, footprint) -> str:
    rows = []

    def verdict(ok: bool | None) -> str:
        return "–" if ok is None else ("met" if ok else "**missed**")

    if ingest:
        anvil = [x for x in ingest["rows"] if x["target"].startswith("anvil")]
        best = max(anvil, key=lambda x: x["persisted_per_s"])
        rows.append(("Ingest ≥ 20,000 runs/s (persisted, queryable)", f"{fmt(best['persisted_per_s'])} ({best['target']}, {best['senders']} senders)", verdict(best["persisted_per_s"] >= 20000)))
        ao = [x for x in ingest["rows"] if x["target"] == "anvil-otlp"]
        ph = [x for x in ingest["rows"] if x["target"] == "phoenix-otlp"]
        if ao and ph:
            ratio = max(x["persisted_per_s"] for x in ao) / max(1, max(x["persisted_per_s"] for x in ph))
            rows.append(("≥ 20× Phoenix on the same spans", f"{ratio:.1f}×", verdict(ratio >= 20)))
        if limit:
            lim = next(x["rows_per_s"] for x in limit if x["indexes"])
            rows.append(("≥ 50% of the raw SQLite insert limit", f"{100 * best['persisted_per_s'] / lim:.0f}% of {fmt(lim)} rows/s", verdict(best["persisted_per_s"] >= lim / 2)))
        ok_levels = [x for x in anvil if x["lag_p99_ms"] <= 1000]
        rows.append(("ingest → queryable p99 ≤ 1 s",
                     f"{fmt(best['lag_p99_ms'])} ms at the fastest level; ≤ 1 s up to "
                     + (f"{fmt(max(x['persisted_per_s'] for x in ok_levels))} runs/s" if ok_levels else "no level"),
                     verdict(best["lag_p99_ms"] <= 1000)))
        bpr = min(x["disk_bytes_per_run_stopped"] for x in anvil)
        rows.append(("≤ 1 KB on disk per benchmark run", f"{fmt(bpr)} B", verdict(bpr <= 1024)))
    if query:
        q = {(x["query"], x["project"]): x for x in query["queries"]}
        if ("list", "big") in q:
            rows.append((f"list root runs p95 ≤ 50 ms at {fmt(query['runs'] / 1e6, 1)}M runs", f"{fmt(q['list', 'big']['p95_ms'], 1)} ms (largest project)", verdict(q["list", "big"]["p95_ms"] <= 50)))
        if ("filter", "big") in q:
            rows.append((f"DSL filter p95 ≤ 200 ms at {fmt(query['runs'] / 1e6, 1)}M runs", f"{fmt(q['filter', 'big']['p95_ms'], 1)} ms (largest project)", verdict(q["filter", "big"]["p95_ms"] <= 200)))
    if footprint:
        e = footprint["anvil_empty"]
        rows.append(("idle RSS ≤ 40 MB", f"{fmt(e['idle_rss_median_mb'], 1)} MB", verdict(e["idle_rss_median_mb"] <= 40)))
        rows.append(("healthy in ≤ 0.5 s", f"{fmt(e['healthy_median_s'], 3)} s (max {fmt(e['healthy_max_s'], 3)} s)", verdict(e["healthy_max_s"] <= 0.5)))
    return "\n".join(["| target | measured | |", "|---|---|---|", *(f"| {a} | {b} | {c} |" for a, b, c in rows)])


def replace_section(doc: str, name: str, body: str) -> str:
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{body}\n{end}"
    if start in doc:
        return re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: block, doc, flags=re.S)
    return doc.rstrip() + f"\n\n{block}\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=".build/release/anvil")
    ap.add_argument("--only", default=",".join(STEPS))
    ap.add_argument("--store", default="/tmp/anvil-bench-10m", help="data dir of the 10M-run store (kept between runs)")
    ap.add_argument("--query-runs", type=int, default=10_000_000, help="runs in the query store (issue 8: 10 million)")
    ap.add_argument("--quick", action="store_true", help="tiny sizes: checks the scripts; does not touch the docs")
    ap.add_argument("--render-only", action="store_true", help="re-render the docs from bench/results")
    args = ap.parse_args()
    binary = str(Path(args.binary).resolve())
    only = set(args.only.split(","))
    global RESULTS
    if args.quick:
        RESULTS = Path("/tmp/anvil-bench-quick")
    RESULTS.mkdir(parents=True, exist_ok=True)
    if not args.render_only:
        subprocess.run(["bash", str(BENCH / "setup-phoenix.sh")], check=True, cwd=ROOT)
        q = args.quick
        if "ingest" in only:
            run([str(BENCH / "ingest_compare.py"), "--binary", binary, "--seconds", "3" if q else "15",
                 "--concurrency", "1" if q else "1,2,4,8", "--phoenix-concurrency", "1" if q else "1,2",
                 "--phoenix-seconds", "3" if q else "8",
                 "--json", str(RESULTS / "ingest.json")])
        if "limit" in only:
            run([str(BENCH / "sqlite_limit.py"), "--binary", binary, "--rows", "20000" if q else "300000",
                 "--json", str(RESULTS / "limit.json")])
        if "query" in only:
            run([str(BENCH / "query_scale.py"), "--binary", binary, "--runs", "30000" if q else str(args.query_runs),
                 "--projects", "50" if q else "3000", "--reps", "3" if q else "30",
                 "--data-dir", "/tmp/anvil-bench-quick-store" if q else args.store, "--json", str(RESULTS / "query.json")])
        if "phoenix-query" in only:
            run([str(BENCH / "query_phoenix.py"), "--binary", binary, "--traces", "200" if q else "3000",
                 "--reps", "3" if q else "20", "--json", str(RESULTS / "phoenix-query.json")])
        if "footprint" in only:
            run([str(BENCH / "footprint.py"), "--binary", binary, "--starts", "2" if q else "5", "--phoenix",
                 "--store", "/tmp/anvil-bench-quick-store" if q else args.store, "--json", str(RESULTS / "footprint.json")])
    if args.quick:
        print("quick run: results in", RESULTS, "(docs untouched)")
        return
    ingest, limit, query, pq, foot = (load(n) for n in ("ingest", "limit", "query", "phoenix-query", "footprint"))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "Sources"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    phoenix_version = subprocess.run([str(ROOT / ".venv-phoenix/bin/python"), "-c", "import phoenix; print(phoenix.__version__)"],
                                     capture_output=True, text=True).stdout.strip()
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    doc = DOC.read_text()
    doc = replace_section(doc, "meta", (
        f"Measured {stamp}, commit `{commit}`{' (with uncommitted changes in Sources/)' if dirty else ''}, release build, "
        f"Arize Phoenix {phoenix_version} (SQLite, defaults) from PyPI. Reproduce everything with:\n\n"
        "```sh\nswift build -c release --static-swift-stdlib --product anvil\n.venv/bin/python bench/run_all.py\n```\n\n"
        "(`bench/setup-phoenix.sh` installs Phoenix into `.venv-phoenix`; the 10M-run store is filled once into "
        "`/tmp/anvil-bench-10m` and reused; `--only ingest,limit,query,phoenix-query,footprint` re-runs a part.)"))
    doc = replace_section(doc, "targets", targets(ingest, limit, query, foot))
    if ingest:
        doc = replace_section(doc, "ingest", section_ingest(ingest))
    if limit:
        doc = replace_section(doc, "limit", section_limit(limit))
    before = load("ingest-before")
    if before and ingest:
        doc = replace_section(doc, "before-after", section_before_after(before, ingest))
    if query:
        doc = replace_section(doc, "query", section_query(query))
    if pq:
        doc = replace_section(doc, "phoenix-query", section_phoenix_query(pq))
    if foot:
        doc = replace_section(doc, "footprint", section_footprint(foot, ingest, query))
    DOC.write_text(doc)
    print("updated", DOC)


if __name__ == "__main__":
    main()
