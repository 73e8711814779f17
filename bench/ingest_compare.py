#!/usr/bin/env python3
"""Ingest throughput, Anvil against Arize Phoenix, on the same traces.

Targets (each on a fresh server and an empty store, one per concurrency level):
  anvil-otlp       OTLP/HTTP protobuf to Anvil's /otel/v1/traces
  anvil-multipart  the same traces as LangSmith multipart to Anvil's /api/v1/runs/multipart
  phoenix-otlp     the same OTLP bytes to Phoenix's /v1/traces

N sender processes (not threads: the GIL would cap the load) post 99-run requests
(`bench/otlp_traces.py`) as fast as acknowledgements come back, for a fixed time. Then the
benchmark waits until every acknowledged run is committed in the server's store.

Reported per level:
  persisted/s   acknowledged runs / (time from the first request until the last of them is committed)
                — the rate the server really sustains, backlog included;
  acked/s       acknowledged runs / sending time. Anvil acknowledges after an fsync to its on-disk
                queue; Phoenix acknowledges before anything is stored (its spans wait in memory, and
                its SQLite runs with synchronous=OFF), so its acked/s says nothing about storage;
  ack p50/p99   request latency;
  lag p50/p99   ingest → queryable: a probe posts one trace every 250 ms and polls the server's API
                every 20 ms or a tenth of the time waited (Anvil `GET /runs/{id}`, Phoenix `GET /v1/projects/{p}/spans?span_id=`)
                until its last run is returned;
  CPU s, peak RSS of the server process tree; disk bytes per run after the load.
Committed counts are polled from the store file (cheap, see servers.py); the final count is checked
through each server's API.

Usage: bench/ingest_compare.py --binary .build/release/anvil [--targets anvil-otlp,phoenix-otlp,anvil-multipart]
       [--concurrency 1,2,4,8] [--seconds 15] [--json out.json]
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from otlp_traces import MULTIPART_CONTENT_TYPE, MultipartBatchFactory, OTLPBatchFactory, otel_run_id  # noqa: E402
from servers import API_KEY, Anvil, Phoenix, du  # noqa: E402

PROJECT = "bench-ingest"
PROBE_PROJECT = "bench-probe"


def endpoint(target: str) -> tuple[str, dict]:
    if target == "anvil-otlp":
        return "/otel/v1/traces", {"Content-Type": "application/x-protobuf", "x-api-key": API_KEY}
    if target == "phoenix-otlp":
        return "/v1/traces", {"Content-Type": "application/x-protobuf"}
    if target == "anvil-multipart":
        return "/api/v1/runs/multipart", {"Content-Type": MULTIPART_CONTENT_TYPE, "x-api-key": API_KEY}
    raise ValueError(target)


def factory(target: str, project: str, traces: int | None = None):
    kw = {} if traces is None else {"traces": traces}
    return MultipartBatchFactory(project, **kw) if target == "anvil-multipart" else OTLPBatchFactory(project, **kw)


def sender(target: str, port: int, stop_at: float, out: mp.Queue) -> None:
    """Posts requests until `stop_at`; reports (runs acked, latencies, errors, back-offs)."""
    path, headers = endpoint(target)
    make = factory(target, PROJECT)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    acked, latencies, errors, backoffs = 0, [], 0, 0
    body = make.next()[0]
    while time.time() < stop_at:
        t0 = time.perf_counter()
        try:
            conn.request("POST", path, body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            time.sleep(0.1)
            continue
        dt = time.perf_counter() - t0
        if resp.status in (200, 202):
            acked += make.runs
            latencies.append(dt)
            body = make.next()[0]
        elif resp.status in (429, 503):  # full queue: back off, resend the same request
            backoffs += 1
            time.sleep(min(1.0, float(resp.getheader("Retry-After") or 0.05)))
        else:
            errors += 1
            body = make.next()[0]
    out.put((acked, latencies, errors, backoffs))


class LagProbe(threading.Thread):
    """Every 250 ms: post one trace in the load's encoding, poll the API until its last run reads back."""

    def __init__(self, target: str, server):
        super().__init__(daemon=True)
        self.target, self.server = target, server
        self.lags: list[float] = []
        self.posted = 0
        self.stop = threading.Event()

    def _found(self, conn, run_key) -> bool:
        if self.target.startswith("anvil"):
            conn.request("GET", f"/api/v1/runs/{run_key}", headers={"x-api-key": API_KEY})
            r = conn.getresponse()
            r.read()
            return r.status == 200
        conn.request("GET", f"/v1/projects/{PROBE_PROJECT}/spans?span_id={run_key}&limit=1")
        r = conn.getresponse()
        data = r.read()
        return r.status == 200 and bool(json.loads(data).get("data"))

    def run(self) -> None:
        path, headers = endpoint(self.target)
        make = factory(self.target, PROBE_PROJECT, traces=1)
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=120)
        while not self.stop.is_set():
            if self.target == "anvil-multipart":
                body, ids = make.next()
                key = ids[-1]
            else:
                body, _, span_ids = make.next()
                key = otel_run_id(span_ids[-1]) if self.target == "anvil-otlp" else span_ids[-1].hex()
            try:
                conn.request("POST", path, body=body, headers=headers)
                r = conn.getresponse()
                r.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=120)
                self.stop.wait(0.25)
                continue
            if r.status not in (200, 202):  # the queue is full: that is the load's problem, retry later
                self.stop.wait(0.25)
                continue
            self.posted += make.runs
            t0 = time.perf_counter()
            # Poll every 20 ms, or every tenth of the time waited so far: each poll costs the server
            # a request, and a single-process server (Phoenix) must not spend its CPU on the probe.
            while True:
                try:
                    if self._found(conn, key):
                        break
                except (OSError, http.client.HTTPException):  # a server may drop a polling connection
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=120)
                waited = time.perf_counter() - t0
                if waited > 60:
                    break
                time.sleep(max(0.02, waited / 10))
            self.lags.append(time.perf_counter() - t0)
            self.stop.wait(0.25)


class CommitMonitor(threading.Thread):
    """Polls the committed row count every 100 ms; remembers when it first reached a target."""

    def __init__(self, server):
        super().__init__(daemon=True)
        self.server = server
        self.samples: list[tuple[float, int]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.samples.append((time.perf_counter(), self.server.committed()))
            self.stop.wait(0.1)

    def reached(self, n: int) -> float | None:
        for t, c in self.samples:
            if c >= n:
                return t
        return None


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round((len(values) - 1) * p)))]


def one_level(target: str, binary: str, concurrency: int, seconds: float, drain_timeout: float = 300,
              perf_dir: str | None = None) -> dict:
    server = Phoenix() if target.startswith("phoenix") else Anvil(binary)
    with server:
        perf = None
        if perf_dir:  # sample the server's stacks for the whole level (load + drain)
            os.makedirs(perf_dir, exist_ok=True)
            perf = subprocess.Popen(["perf", "record", "-F", "499", "-g", "-p", str(server.proc.pid), "-o",
                                     f"{perf_dir}/{target}-{concurrency}.data"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        idle = server.stats()
        monitor = CommitMonitor(server)
        monitor.start()
        probe = LagProbe(target, server)
        out: mp.Queue = mp.Queue()
        cpu0 = server.stats()["cpu"]
        t0 = time.perf_counter()
        stop_at = time.time() + seconds
        procs = [mp.Process(target=sender, args=(target, server.port, stop_at, out)) for _ in range(concurrency)]
        for p in procs:
            p.start()
        probe.start()
        results = [out.get() for _ in procs]
        for p in procs:
            p.join()
        sent_s = time.perf_counter() - t0
        probe.stop.set()
        probe.join()
        acked = sum(r[0] for r in results)
        target_rows = acked + probe.posted
        deadline = time.perf_counter() + drain_timeout
        while monitor.reached(target_rows) is None and time.perf_counter() < deadline:
            time.sleep(0.05)
        done_at = monitor.reached(target_rows)
        monitor.stop.set()
        monitor.join()
        if perf:
            perf.send_signal(signal.SIGINT)
            perf.wait()
        end = server.stats()
        cpu = end["cpu"] - cpu0
        stored = server.project_span_count(PROJECT) if target.startswith("phoenix") else server.project_run_count(PROJECT)
        persisted_s = (done_at - t0) if done_at else float("nan")
        disk_live = du(server.data_dir)
        latencies = [x for r in results for x in r[1]]
        row = {
            "target": target, "senders": concurrency, "send_s": round(sent_s, 2), "runs_acked": acked,
            "runs_stored": stored, "acked_per_s": round(acked / sent_s),
            "persisted_per_s": round(acked / persisted_s) if done_at else 0,
            "all_persisted_after_s": round(persisted_s, 2),
            "ack_p50_ms": round(1000 * pct(latencies, 0.5), 1), "ack_p99_ms": round(1000 * pct(latencies, 0.99), 1),
            "lag_p50_ms": round(1000 * pct(probe.lags, 0.5)), "lag_p99_ms": round(1000 * pct(probe.lags, 0.99)),
            "lag_max_ms": round(1000 * max(probe.lags, default=float("nan"))), "probes": len(probe.lags),
            "errors": sum(r[2] for r in results), "backoffs": sum(r[3] for r in results),
            "server_cpu_s": round(cpu, 1), "cpu_per_1k_runs_s": round(1000 * cpu / max(1, acked), 3),
            "idle_rss_mb": round(idle["rss"] / 2**20, 1), "peak_rss_mb": round(end["hwm"] / 2**20, 1),
            "startup_s": round(server.startup_s, 3), "disk_bytes_per_run_live": round(disk_live / max(1, stored)),
        }
        server.stop()
        row["disk_bytes_per_run_stopped"] = round(du(server.data_dir) / max(1, stored))
        return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=".build/release/anvil")
    ap.add_argument("--targets", default="anvil-otlp,phoenix-otlp,anvil-multipart")
    ap.add_argument("--concurrency", default="1,2,4,8")
    ap.add_argument("--phoenix-concurrency", help="levels for Phoenix (default: --concurrency)")
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--phoenix-seconds", type=float, help="sending time for Phoenix (default: --seconds). Its "
                    "persisted rate is its inserter's rate whatever the window; a shorter one only shortens the drain")
    ap.add_argument("--json", help="write the rows to this file")
    ap.add_argument("--perf", metavar="DIR", help="record `perf record -g` of the server per level into DIR")
    args = ap.parse_args()
    rows = []
    for target in args.targets.split(","):
        levels = args.concurrency
        if target.startswith("phoenix") and args.phoenix_concurrency:
            levels = args.phoenix_concurrency
        seconds = args.phoenix_seconds if target.startswith("phoenix") and args.phoenix_seconds else args.seconds
        for c in levels.split(","):
            row = one_level(target, args.binary, int(c), seconds, perf_dir=args.perf)
            print(json.dumps(row), flush=True)
            rows.append(row)
    if args.json:
        Path(args.json).write_text(json.dumps({"cpu_count": os.cpu_count(), "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
