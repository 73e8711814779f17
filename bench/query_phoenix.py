#!/usr/bin/env python3
"""The same queries on Anvil and on Phoenix, on the same spans, at the scale Phoenix can be filled.

Phoenix stores spans at a few hundred per second on this machine (see the ingest comparison), so a
10-million-run store is out of reach for it (days of ingest); this compares both servers on one
project of `--traces` chain+2-LLM traces (varied latencies, models, tiers, 3% errors, spread over 7
days) plus one 1,000-span trace, sent as the identical OTLP requests to both
(`otlp_traces.varied_requests`). After both have stored everything, each query runs `--reps` times
after one warm-up, through what each server's UI uses:

  query    Anvil (REST, JSON)                                Phoenix (GraphQL, what its UI sends)
  list     POST /runs/query is_root, 100, the table's columns   project.spans(first 100, startTime desc,
                                                                   filterCondition "parent_id is None")
  filter   POST /runs/query filter and(eq(run_type,"llm"),     project.spans(first 100, filterCondition
           gt(latency,2), metadata ls_model_name = gpt-4o)      "span_kind == 'LLM' and latency_ms > 2000
                                                                   and llm.model_name == 'gpt-4o'")
  trace    GET /ui/traces/{id} (1,000 runs)                     project.trace(id).spans(first 1000)
  stats    GET /sessions/{id}?include_stats=true                project: recordCount, traceCount, token
                                                                   counts, latency p50/p99, cost
  monitor  GET /ui/sessions/{id}/monitor (7 days, 48 buckets)   trace count by status, latency percentiles
                                                                   and token counts time series (7 days, hourly)

Phoenix caches some aggregates (record counts, latency quantiles) until the next write; a repeated
query may be served from that cache, which is what a dashboard refresh gets too.

Usage: bench/query_phoenix.py --binary .build/release/anvil [--traces 10000] [--reps 20] [--json out.json]
"""
from __future__ import annotations

import argparse
import http.client
import json
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from otlp_traces import varied_requests  # noqa: E402
from query_scale import FILTER, SELECT, pct  # noqa: E402
from servers import API_KEY, Anvil, Phoenix, http_json  # noqa: E402

PROJECT = "bench-query"
SPAN_FIELDS = "id name spanKind startTime latencyMs statusCode cumulativeTokenCountTotal input { value } output { value }"


def send_all(port: int, path: str, headers: dict, requests: list[bytes]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for body in requests:
        while True:
            conn.request("POST", path, body=body, headers=headers)
            r = conn.getresponse()
            r.read()
            if r.status in (200, 202):
                break
            if r.status in (429, 503):
                time.sleep(0.2)
                continue
            raise RuntimeError(f"{path} -> {r.status}")


def wait_committed(server, n: int, timeout: float = 3600) -> float:
    t0 = time.perf_counter()
    while server.committed() < n:
        if time.perf_counter() - t0 > timeout:
            raise RuntimeError(f"{server.name}: only {server.committed()} of {n} stored after {timeout} s")
        time.sleep(0.2)
    return time.perf_counter() - t0


def timed(fn, reps: int) -> dict:
    size = len(fn())  # warm-up
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return {"p50_ms": round(1000 * pct(times, 0.5), 1), "p95_ms": round(1000 * pct(times, 0.95), 1), "response_bytes": size}


def raw(port: int, method: str, path: str, body=None, headers=None) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    conn.request(method, path, body=None if body is None else json.dumps(body),
                 headers={"Content-Type": "application/json", "Accept-Encoding": "gzip", **(headers or {})})
    r = conn.getresponse()
    data = r.read()
    conn.close()
    if r.status != 200:
        raise RuntimeError(f"{method} {path} -> {r.status}: {data[:300]!r}")
    if b'"errors"' in data[:20]:
        raise RuntimeError(f"{path}: {data[:500]!r}")
    return data


def anvil_queries(a: Anvil) -> dict:
    h = {"x-api-key": API_KEY}
    _, sessions = a.api("GET", f"/sessions?name={PROJECT}&include_stats=false")
    pid = sessions[0]["id"]
    _, found = a.api("POST", "/runs/query", {"session": [pid], "is_root": True, "filter": 'eq(name, "BigAgent")', "limit": 1})
    big = found["runs"][0]["trace_id"]
    p = a.port
    return {
        "list": lambda: raw(p, "POST", "/api/v1/runs/query", {"session": [pid], "is_root": True, "select": SELECT, "limit": 100}, h),
        "filter": lambda: raw(p, "POST", "/api/v1/runs/query", {"session": [pid], "filter": FILTER, "select": SELECT, "limit": 100}, h),
        "trace": lambda: raw(p, "GET", f"/api/v1/ui/traces/{big}", None, h),
        "stats": lambda: raw(p, "GET", f"/api/v1/sessions/{pid}?include_stats=true", None, h),
        "monitor": lambda: raw(p, "GET", f"/api/v1/ui/sessions/{pid}/monitor", None, h),
    }


def phoenix_queries(ph: Phoenix) -> dict:
    data = ph.graphql("{ projects { edges { node { id name } } } }")
    pid = next(e["node"]["id"] for e in data["projects"]["edges"] if e["node"]["name"] == PROJECT)
    found = ph.graphql("""query($id: ID!) { node(id: $id) { ... on Project {
        spans(first: 1, filterCondition: "name == 'BigAgent'") { edges { node { context { traceId } } } } } } }""", {"id": pid})
    big = found["node"]["spans"]["edges"][0]["node"]["context"]["traceId"]
    end = datetime.now(timezone.utc)
    week = {"start": (end - timedelta(days=7)).isoformat(), "end": end.isoformat()}

    def q(query: str, variables: dict):
        return lambda: raw(ph.port, "POST", "/graphql", {"query": query, "variables": {"id": pid, **variables}})

    spans = "query($id: ID!, $filter: String!) { node(id: $id) { ... on Project { spans(first: 100, sort: {col: startTime, dir: desc}, filterCondition: $filter) { edges { node { %s } } } } } }" % SPAN_FIELDS
    return {
        "list": q(spans, {"filter": "parent_id is None"}),
        "filter": q(spans, {"filter": "span_kind == 'LLM' and latency_ms > 2000 and llm.model_name == 'gpt-4o'"}),
        "trace": q("""query($id: ID!, $trace: ID!) { node(id: $id) { ... on Project { trace(traceId: $trace) {
            spans(first: 1000) { edges { node { id name spanKind startTime latencyMs statusCode parentId tokenCountTotal } } } } } } }""",
                   {"trace": big}),
        "stats": q("""query($id: ID!) { node(id: $id) { ... on Project { recordCount traceCount tokenCountTotal
            tokenCountPrompt tokenCountCompletion p50: latencyMsQuantile(probability: 0.5) p99: latencyMsQuantile(probability: 0.99)
            costSummary { total { cost } } } } }""", {}),
        "monitor": q("""query($id: ID!, $range: TimeRange!) { node(id: $id) { ... on Project {
            traceCountByStatusTimeSeries(timeRange: $range, timeBinConfig: {scale: HOUR}) { data { timestamp okCount errorCount totalCount } }
            traceLatencyMsPercentileTimeSeries(timeRange: $range, timeBinConfig: {scale: HOUR}) { data { timestamp p50 p99 } }
            traceTokenCountTimeSeries(timeRange: $range, timeBinConfig: {scale: HOUR}) { data { timestamp promptTokenCount completionTokenCount totalTokenCount } }
            } } }""", {"range": week}),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=".build/release/anvil")
    ap.add_argument("--traces", type=int, default=10_000)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--json", help="write the results to this file")
    args = ap.parse_args()
    requests = varied_requests(PROJECT, args.traces, seed=7)
    spans = args.traces * 3 + 1000 - 3
    result = {"spans": spans, "queries": []}
    with Anvil(args.binary) as a, Phoenix() as ph:
        send_all(a.port, "/otel/v1/traces", {"Content-Type": "application/x-protobuf", "x-api-key": API_KEY}, requests)
        result["anvil_fill_s"] = round(wait_committed(a, spans), 1)
        t0 = time.perf_counter()
        send_all(ph.port, "/v1/traces", {"Content-Type": "application/x-protobuf"}, requests)
        wait_committed(ph, spans)
        result["phoenix_fill_s"] = round(time.perf_counter() - t0, 1)
        print(json.dumps(result), flush=True)
        aq, pq = anvil_queries(a), phoenix_queries(ph)
        for name in aq:
            row = {"query": name, "anvil": timed(aq[name], args.reps), "phoenix": timed(pq[name], args.reps)}
            row["phoenix_over_anvil_p50"] = round(row["phoenix"]["p50_ms"] / max(0.1, row["anvil"]["p50_ms"]), 1)
            print(json.dumps(row), flush=True)
            result["queries"].append(row)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
