#!/usr/bin/env python3
"""Ingest benchmark: realistic LangSmith multipart batches against a running (or spawned) Anvil.

Each request carries 100 runs in the SDK's multipart format: traces of one chain root with LLM
children, ~2 KB of inputs/outputs per run, token usage in `extra.metadata.usage_metadata`, every run
a single `post` with its end time (how the SDK sends short runs). Sender processes (not threads, so
Python's GIL does not cap the load) post as fast as acks come back.

Reported: runs/s acknowledged (each ack = fsync'd to the queue), ack latency p50/p99, ingest-to-query
lag p50/p99 (a probe run is posted every 250 ms and polled until `GET /runs/{id}` returns it), the
server's peak RSS and CPU time, and bytes on disk per run. The load generator shares the machine with
the server; the report says so.

Usage: bench/ingest.py --binary .build/release/anvil [--concurrency 1,2,4,8] [--seconds 10]
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from servers import du  # noqa: E402

BOUNDARY = "b7f3c2a1d4e5f60718293a4b5c6d7e8f"
API_KEY = "lsv2_sk_bench_0123456789abcdef0123456789"
FILLER = ("The quick brown fox jumps over the lazy dog while the model considers its answer. " * 30)


def stamp(t: datetime) -> str:
    return t.strftime("%Y%m%dT%H%M%S%fZ")


def part(name: str, body: bytes) -> bytes:
    return (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body + b"\r\n"


def run_parts(run: dict, inputs: dict, outputs: dict, extra: dict) -> bytes:
    rid = run["id"]
    return (
        part(f"post.{rid}", json.dumps(run).encode())
        + part(f"post.{rid}.inputs", json.dumps(inputs).encode())
        + part(f"post.{rid}.outputs", json.dumps(outputs).encode())
        + part(f"post.{rid}.extra", json.dumps(extra).encode())
    )


def make_batch(project: str, runs_per_request: int = 100, llm_children: int = 2) -> tuple[bytes, int]:
    """One multipart body of whole traces (root chain + LLM children); returns (body, run count)."""
    chunks = []
    count = 0
    now = datetime.now(timezone.utc)
    while count + 1 + llm_children <= runs_per_request:
        root = str(uuid.uuid4())
        start = now
        root_order = stamp(start) + root
        root_run = {
            "id": root, "trace_id": root, "dotted_order": root_order, "name": "AgentChain", "run_type": "chain",
            "start_time": start.isoformat(), "end_time": (start + timedelta(milliseconds=900)).isoformat(),
            "session_name": project, "tags": ["bench"],
        }
        chunks.append(run_parts(
            root_run,
            {"question": "What is the capital of France? " + FILLER[:400]},
            {"answer": "Paris. " + FILLER[:400]},
            {"metadata": {"user_id": "u-42", "session_id": "thread-7"}, "runtime": {"sdk": "bench"}},
        ))
        count += 1
        for i in range(llm_children):
            child = str(uuid.uuid4())
            cstart = start + timedelta(milliseconds=10 + i * 400)
            chunks.append(run_parts(
                {
                    "id": child, "trace_id": root, "parent_run_id": root,
                    "dotted_order": root_order + "." + stamp(cstart) + child, "name": "ChatModel", "run_type": "llm",
                    "start_time": cstart.isoformat(), "end_time": (cstart + timedelta(milliseconds=350)).isoformat(),
                    "session_name": project,
                },
                {"messages": [{"role": "system", "content": FILLER[:600]}, {"role": "user", "content": FILLER[:300]}]},
                {"generations": [{"text": FILLER[:700]}]},
                {"metadata": {"ls_provider": "openai", "ls_model_name": "gpt-4o-mini",
                              "usage_metadata": {"input_tokens": 120, "output_tokens": 80, "total_tokens": 200}}},
            ))
            count += 1
    chunks.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(chunks), count


def sender(port: int, project: str, stop_at: float, out: mp.Queue) -> None:
    """Posts batches until `stop_at`; reports (runs acked, [ack latencies])."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"x-api-key": API_KEY, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    acked = 0
    latencies = []
    errors = 0
    while time.time() < stop_at:
        body, n = make_batch(project)
        t0 = time.perf_counter()
        try:
            conn.request("POST", "/api/v1/runs/multipart", body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        dt = time.perf_counter() - t0
        if resp.status == 202:
            acked += n
            latencies.append(dt)
        elif resp.status == 429:
            time.sleep(float(resp.getheader("Retry-After") or 1))
        else:
            errors += 1
    out.put((acked, latencies, errors))


class LagProbe(threading.Thread):
    """Posts one marker run every 250 ms and measures how long until it can be read back."""

    def __init__(self, port: int, project: str):
        super().__init__(daemon=True)
        self.port, self.project = port, project
        self.lags: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"x-api-key": API_KEY, "Content-Type": "application/json"}
        while not self.stop.is_set():
            rid = str(uuid.uuid4())
            now = datetime.now(timezone.utc)
            run = {"id": rid, "trace_id": rid, "dotted_order": stamp(now) + rid, "name": "probe", "run_type": "chain",
                   "start_time": now.isoformat(), "end_time": now.isoformat(), "session_name": self.project}
            conn.request("POST", "/api/v1/runs/batch", body=json.dumps({"post": [run]}), headers=headers)
            conn.getresponse().read()
            t0 = time.perf_counter()
            while True:
                conn.request("GET", f"/api/v1/runs/{rid}", headers=headers)
                r = conn.getresponse()
                r.read()
                if r.status == 200:
                    self.lags.append(time.perf_counter() - t0)
                    break
                if time.perf_counter() - t0 > 30:
                    self.lags.append(float("inf"))
                    break
                time.sleep(0.002)
            self.stop.wait(0.25)


def proc_stats(pid: int) -> tuple[int, float]:
    """(peak RSS bytes, CPU seconds) of a process."""
    hwm = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) * 1024
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    return hwm, cpu


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port: int, timeout: float = 30) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", "/health")
            if c.getresponse().status == 200:
                return time.perf_counter() - t0
        except OSError:
            pass
        time.sleep(0.005)
    raise RuntimeError("server did not become healthy")


def count_runs(port: int, project: str) -> int:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    h = {"x-api-key": API_KEY, "Content-Type": "application/json"}
    c.request("GET", f"/api/v1/sessions?name={project}&include_stats=false", headers=h)
    sessions = json.loads(c.getresponse().read())
    if not sessions:
        return 0
    c.request("POST", "/api/v1/runs/stats", body=json.dumps({"session": [sessions[0]["id"]]}), headers=h)
    return json.loads(c.getresponse().read())["run_count"]


def one_level(binary: str, concurrency: int, seconds: float) -> dict:
    data_dir = tempfile.mkdtemp(prefix="anvil-bench-")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "serve", "--port", str(port), "--data-dir", data_dir, "--api-key", API_KEY, "--log-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        startup = wait_healthy(port)
        idle_rss, _ = proc_stats(proc.pid)
        project = f"bench-{concurrency}"
        probe = LagProbe(port, project + "-probe")
        out: mp.Queue = mp.Queue()
        stop_at = time.time() + seconds
        _, cpu0 = proc_stats(proc.pid)
        t0 = time.perf_counter()
        procs = [mp.Process(target=sender, args=(port, project, stop_at, out)) for _ in range(concurrency)]
        for p in procs:
            p.start()
        probe.start()
        results = [out.get() for _ in procs]
        for p in procs:
            p.join()
        elapsed = time.perf_counter() - t0
        probe.stop.set()
        probe.join()
        acked = sum(r[0] for r in results)
        latencies = sorted(x for r in results for x in r[1])
        errors = sum(r[2] for r in results)
        # Wait until everything acknowledged is queryable.
        t_drain = time.perf_counter()
        while count_runs(port, project) < acked and time.perf_counter() - t_drain < 300:
            time.sleep(0.2)
        drain = time.perf_counter() - t_drain
        stored = count_runs(port, project)
        peak_rss, cpu1 = proc_stats(proc.pid)
        lags = sorted(probe.lags)
        disk = du(data_dir)
        return {
            "concurrency": concurrency, "seconds": round(elapsed, 2), "runs_acked": acked, "runs_stored": stored,
            "runs_per_s": round(acked / elapsed), "ack_p50_ms": round(1000 * pct(latencies, 0.5), 1),
            "ack_p99_ms": round(1000 * pct(latencies, 0.99), 1), "lag_p50_ms": round(1000 * pct(lags, 0.5), 1),
            "lag_p99_ms": round(1000 * pct(lags, 0.99), 1), "drain_after_load_s": round(drain, 2),
            "errors": errors, "startup_s": round(startup, 3), "idle_rss_mb": round(idle_rss / 2**20, 1),
            "peak_rss_mb": round(peak_rss / 2**20, 1), "server_cpu_s": round(cpu1 - cpu0, 1),
            "disk_bytes_per_run": round(disk / max(1, stored)),
        }
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(data_dir, ignore_errors=True)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int((len(values) - 1) * p))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=".build/release/anvil")
    ap.add_argument("--concurrency", default="1,2,4")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--json", help="also write results to this file")
    args = ap.parse_args()
    rows = [one_level(args.binary, int(c), args.seconds) for c in args.concurrency.split(",")]
    keys = list(rows[0].keys())
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for r in rows:
        print("| " + " | ".join(str(r[k]) for k in keys) + " |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cpu_count": os.cpu_count(), "rows": rows}, f, indent=2)


if __name__ == "__main__":
    main()
