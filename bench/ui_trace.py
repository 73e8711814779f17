#!/usr/bin/env python3
"""Trace view benchmark: a 10,000-run trace in headless Chromium.

Starts `anvil serve` (release build if present, else debug; `--binary` overrides) on a fresh data
directory, seeds one big trace (`seed_big_trace` from e2e/ui/seed.py: a root with fan-out chains,
depth ≤ 4), then, over N repetitions, each in a fresh browser context (cold HTTP cache):

* time to first paint of the tree: navigation start → the page's `anvil:tree-painted` mark (set
  after the first rows are in the DOM and a frame has been produced), with the breakdown
  `anvil:trace-loaded` (trace fetched and parsed) and `anvil:tree-built` (tree model ready);
* time to "expand all" fully: click → every run expanded, scrolled to the bottom and the last run's
  row in the DOM and painted;
* scrolling, one frame per step: wheel-like (100 px per frame) and scrollbar-drag-like (top to
  bottom in 100 jumps) — median/max frame time, and the largest number of rows in the DOM.

Prints a markdown table (median and max over the repetitions).

Usage: bench/ui_trace.py [--binary .build/release/anvil] [--runs 10000] [--reps 5] [--bundled]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "e2e"))
sys.path.insert(0, str(ROOT / "e2e" / "ui"))
from anvil_server import AnvilServer  # noqa: E402
from seed import seed_big_trace  # noqa: E402
from wire import Api  # noqa: E402

API_KEY = "lsv2_sk_bench_ui_0123456789abcdef"

EXPAND_ALL_JS = """async (lastId) => {
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const painted = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const sc = document.querySelector('.tv-scroll');
  const t0 = performance.now();
  document.querySelector('.tv-expand-all').click();
  sc.scrollTop = sc.scrollHeight;
  while (!document.querySelector(`.tv-row[data-id="${lastId}"]`)) { await frame(); sc.scrollTop = sc.scrollHeight; }
  await painted();
  return { ms: performance.now() - t0, count: document.querySelector('.tv-count').textContent };
}"""

SCROLL_JS = """async ([steps, px]) => {
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const sc = document.querySelector('.tv-scroll');
  sc.scrollTop = px ? (sc.scrollHeight - sc.clientHeight) / 2 : 0;
  await frame();
  const times = [];
  let maxRows = 0;
  const max = sc.scrollHeight - sc.clientHeight;
  const start = sc.scrollTop;
  let last = performance.now();
  for (let i = 1; i <= steps; i++) {
    sc.scrollTop = px ? start + px * i : (max * i) / steps;
    await frame();
    const now = performance.now();
    times.push(now - last);
    last = now;
    maxRows = Math.max(maxRows, document.querySelectorAll('.tv-row[data-id]').length);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)], max: times[times.length - 1], maxRows };
}"""


def default_binary() -> Path:
    release = ROOT / ".build" / "release" / "anvil"
    return release if release.exists() else ROOT / ".build" / "debug" / "anvil"


def wait_trace(url: str, trace_id: str, n: int, timeout: float = 120) -> list[dict]:
    deadline = time.time() + timeout
    while True:
        r = requests.get(f"{url}/api/v1/ui/traces/{trace_id}", headers={"x-api-key": API_KEY}, timeout=60)
        if r.status_code == 200 and len(r.json()["runs"]) == n:
            return r.json()["runs"]
        if time.time() > deadline:
            raise SystemExit(f"trace not served after {timeout}s (status {r.status_code}: {r.text[:200]}); "
                             "does this binary have the UI endpoints?")
        time.sleep(0.5)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", type=Path, default=default_binary())
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--bundled", action="store_true", help="serve the UI bundled in the binary instead of Web/ui on disk")
    ap.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="anvil-ui-bench-"))
    env = {} if args.bundled else {"ANVIL_WEB_DIR": str(ROOT / "Web" / "ui")}
    srv = AnvilServer(tmp / "data", tmp / "anvil.log", api_key=API_KEY, binary=args.binary, env=env)
    srv.start()
    try:
        if requests.get(f"{srv.url}/ui/app.js", timeout=10).status_code != 200:
            raise SystemExit(f"{args.binary} does not serve the web UI (/ui/app.js): build it with the frontend role")
        t = time.time()
        trace_id = seed_big_trace(Api(srv.url + "/api/v1", API_KEY), args.runs)
        runs = wait_trace(srv.url, trace_id, args.runs)
        seed_s = time.time() - t
        project = runs[0]["session_id"]
        last_id = runs[-1]["id"]  # dotted order: the last row of the fully expanded tree
        url = f"{srv.url}/projects/p/{project}/r/{trace_id}?trace_id={trace_id}"
        t = time.time()
        size = len(requests.get(f"{srv.url}/api/v1/ui/traces/{trace_id}", headers={"x-api-key": API_KEY}, timeout=60).content)
        fetch_s = time.time() - t

        rows: dict[str, list[float]] = {k: [] for k in ("req_start", "ttfb", "download", "parse", "fetch", "built", "paint", "expand", "scroll_p50", "scroll_max", "wheel_p50", "wheel_max", "dom_rows")}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox", "--disable-dev-shm-usage"])
            for rep in range(args.reps):
                ctx = browser.new_context(viewport={"width": 1440, "height": 900})
                ctx.add_init_script(f"localStorage.setItem('anvil.apiKey', {API_KEY!r})")
                page = ctx.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(url, wait_until="commit")
                # (wait_for_function evaluates strings, which the UI's CSP forbids: poll instead;
                # the mark itself carries the exact time.)
                deadline = time.time() + 120
                while not page.evaluate("performance.getEntriesByName('anvil:tree-painted').length"):
                    assert time.time() < deadline, "tree never painted"
                    time.sleep(0.02)
                marks = page.evaluate("Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]))")
                res_t = page.evaluate("""() => { const r = performance.getEntriesByType('resource').find((e) => e.name.includes('/ui/traces/'));
                  return r ? [r.startTime, r.responseStart, r.responseEnd] : [NaN, NaN, NaN]; }""")
                rows["req_start"].append(res_t[0])
                rows["ttfb"].append(res_t[1] - res_t[0])
                rows["download"].append(res_t[2] - res_t[1])
                rows["parse"].append(marks.get("anvil:trace-loaded", float("nan")) - res_t[2])
                rows["fetch"].append(marks.get("anvil:trace-loaded", float("nan")))
                rows["built"].append(marks.get("anvil:tree-built", float("nan")))
                rows["paint"].append(marks["anvil:tree-painted"])
                res = page.evaluate(EXPAND_ALL_JS, last_id)
                assert res["count"].startswith(f"{args.runs:,} runs") and "shown" not in res["count"], res
                rows["expand"].append(res["ms"])
                sc = page.evaluate(SCROLL_JS, [100, 0])
                rows["scroll_p50"].append(sc["p50"])
                rows["scroll_max"].append(sc["max"])
                wheel = page.evaluate(SCROLL_JS, [150, 100])
                rows["wheel_p50"].append(wheel["p50"])
                rows["wheel_max"].append(wheel["max"])
                rows["dom_rows"].append(max(sc["maxRows"], wheel["maxRows"]))
                assert not errors, errors
                ctx.close()
                print(f"rep {rep + 1}: paint {marks['anvil:tree-painted']:.0f} ms, expand all {res['ms']:.0f} ms, "
                      f"wheel frame p50 {wheel['p50']:.1f} ms, drag frame p50 {sc['p50']:.1f} ms, "
                      f"≤{rows['dom_rows'][-1]} rows in DOM", file=sys.stderr)
            browser.close()
    finally:
        srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    def fmt(v: float, unit: str = "ms") -> str:
        return f"{v:.0f} {unit}" if unit == "ms" and v >= 10 else f"{v:.1f} {unit}" if unit == "ms" else f"{v:.0f}"

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"### Trace view, {args.runs:,}-run trace ({args.reps} repetitions, headless Chromium 1440×900)\n")
    print(f"binary `{args.binary}` · UI {'bundled' if args.bundled else 'from Web/ui'} · {os.cpu_count()} CPUs, "
          f"load average {load:.1f} · trace JSON {size / 1e6:.1f} MB (server {fetch_s * 1000:.0f} ms via requests) · seeded in {seed_s:.1f} s\n")
    print("| metric | median | max |")
    print("|---|---:|---:|")
    table = [
        ("app booted, trace request sent (navigation → request start)", "req_start", "ms"),
        ("server: `GET /ui/traces/{id}` time to first byte", "ttfb", "ms"),
        ("download of the trace JSON", "download", "ms"),
        ("JSON parse (response end → `anvil:trace-loaded`)", "parse", "ms"),
        ("trace fetched + parsed (navigation → `anvil:trace-loaded`)", "fetch", "ms"),
        ("tree model built (navigation → `anvil:tree-built`)", "built", "ms"),
        ("**first paint of the tree** (navigation → `anvil:tree-painted`)", "paint", "ms"),
        ("**expand all** (click → all rows expanded, last row painted)", "expand", "ms"),
        ("wheel-like scroll (100 px per frame, 150 frames): frame time p50", "wheel_p50", "ms"),
        ("wheel-like scroll: worst frame", "wheel_max", "ms"),
        ("scrollbar drag (top → bottom in 100 frames, ~100 new rows each): frame p50", "scroll_p50", "ms"),
        ("scrollbar drag: worst frame", "scroll_max", "ms"),
        ("rows in the DOM while scrolling (max)", "dom_rows", ""),
    ]
    for label, key, unit in table:
        vals = rows[key]
        print(f"| {label} | {fmt(statistics.median(vals), unit)} | {fmt(max(vals), unit)} |")


if __name__ == "__main__":
    main()
