#!/usr/bin/env python3
"""The physical limit: how fast SQLite alone inserts the benchmark's runs on this disk.

Takes real rows from Anvil: starts a server, ingests a few requests of the ingest benchmark's traces
(`bench/otlp_traces.py`, multipart or OTLP), and copies the stored rows of one trace (a chain root and
its two LLM children) as templates, and the schema (`runs` with every index) from `sqlite_master`.
Then it bulk-inserts `--rows` copies with fresh ids, trace ids, dotted orders and times into a fresh
database file next to where the benchmarks keep Anvil's store, with Anvil's writer pragmas (WAL,
synchronous=FULL, 64 MiB cache, wal_autocheckpoint 4000), plain INSERTs in transactions of
`--txn-rows` rows. All rows are built before the clock starts, so what is timed is SQLite's work
(statement execution, B-tree and index inserts, WAL writes, checkpoints, fsync at each commit) plus
the C-level binding of 38 parameters a row by Python's sqlite3 module (the same system libsqlite3
3.40 that Anvil links). `perf` on this script shows where the time goes (see docs/benchmarks.md).

Usage: bench/sqlite_limit.py --binary .build/release/anvil [--rows 300000] [--txn-rows 10000] [--source multipart|otlp]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from otlp_traces import MULTIPART_CONTENT_TYPE, MultipartBatchFactory, OTLPBatchFactory  # noqa: E402
from servers import API_KEY, Anvil, du  # noqa: E402


def template_rows(binary: str, source: str) -> tuple[list[str], list[str], list[dict]]:
    """(schema statements, column names, the rows of one stored trace ordered by dotted order)."""
    with Anvil(binary) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        if source == "otlp":
            body = OTLPBatchFactory("bench-limit").next()[0]
            path, ctype = "/otel/v1/traces", "application/x-protobuf"
        else:
            body = MultipartBatchFactory("bench-limit").next()[0]
            path, ctype = "/api/v1/runs/multipart", MULTIPART_CONTENT_TYPE
        conn.request("POST", path, body=body, headers={"x-api-key": API_KEY, "Content-Type": ctype})
        r = conn.getresponse()
        r.read()
        assert r.status in (200, 202), r.status
        deadline = time.time() + 30
        while server.committed() < 99 and time.time() < deadline:
            time.sleep(0.05)
        db = sqlite3.connect(f"file:{server.data_dir / 'traces.sqlite'}?mode=ro", uri=True)
        db.row_factory = sqlite3.Row
        schema = [row[0] for row in db.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'runs' AND sql IS NOT NULL ORDER BY type DESC, name")]
        root = db.execute("SELECT trace_id FROM runs WHERE parent_run_id IS NULL LIMIT 1").fetchone()[0]
        rows = [dict(row) for row in db.execute("SELECT * FROM runs WHERE trace_id = ? ORDER BY dotted_order", (root,))]
        db.close()
    return schema, list(rows[0].keys()), rows


def stamp(us: int) -> str:
    return datetime.fromtimestamp(us / 1e6, timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def build(columns: list[str], templates: list[dict], n: int) -> list[tuple]:
    """`n` rows: copies of the template trace with new ids and times advancing 1 ms a trace."""
    out = []
    base = templates[0]["start_time"]
    now = int(time.time() * 1e6)
    k = 0
    while len(out) < n:
        shift = now - base + k * 1000
        ids = {t["id"]: uuid.uuid4().bytes for t in templates}
        root = templates[0]
        for t in templates:
            row = dict(t)
            row["id"] = ids[t["id"]]
            row["trace_id"] = ids[root["id"]] if t["trace_id"] is not None else None
            row["parent_run_id"] = ids.get(t["parent_run_id"]) if t["parent_run_id"] is not None else None
            for col in ("start_time", "end_time", "inserted_at"):
                if row[col] is not None:
                    row[col] += shift
            # Dotted order: one "<stamp><uuid>" segment per ancestor, root first.
            segs = []
            for seg in t["dotted_order"].split("."):
                old_id = uuid.UUID(seg[-36:]).bytes
                tmpl = next(x for x in templates if x["id"] == old_id)
                segs.append(stamp(tmpl["start_time"] + shift) + str(uuid.UUID(bytes=ids[old_id])))
            row["dotted_order"] = ".".join(segs)
            out.append(tuple(row[c] for c in columns))
        k += 1
    return out[:n]


def insert(path: Path, schema: list[str], columns: list[str], rows: list[tuple], txn_rows: int, indexes: bool) -> dict:
    for suffix in ("", "-wal", "-shm"):
        try:
            os.unlink(str(path) + suffix)
        except FileNotFoundError:
            pass
    db = sqlite3.connect(str(path), isolation_level=None)
    # Anvil's writer pragmas (Sources/AnvilSQLite/Driver/SQLiteDatabase.swift).
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA cache_size = -65536")
    db.execute("PRAGMA temp_store = MEMORY")
    db.execute("PRAGMA wal_autocheckpoint = 4000")
    for stmt in schema:
        if indexes or stmt.lstrip().upper().startswith("CREATE TABLE"):
            db.execute(stmt)
    sql = f"INSERT INTO runs ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    for i in range(0, len(rows), txn_rows):
        db.execute("BEGIN")
        db.executemany(sql, rows[i:i + txn_rows])
        db.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    db.close()
    size = sum(os.path.getsize(str(path) + s) for s in ("", "-wal") if os.path.exists(str(path) + s))
    return {"indexes": indexes, "rows": len(rows), "txn_rows": txn_rows, "seconds": round(elapsed, 2),
            "rows_per_s": round(len(rows) / elapsed), "cpu_s": round(cpu, 2), "bytes_per_row": round(size / len(rows))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=".build/release/anvil")
    ap.add_argument("--rows", type=int, default=300_000)
    ap.add_argument("--txn-rows", type=int, default=10_000)
    ap.add_argument("--source", choices=["multipart", "otlp"], default="multipart")
    ap.add_argument("--dir", default=tempfile.gettempdir(), help="where to put the database (same disk as the benchmarks)")
    ap.add_argument("--json", help="write the results to this file")
    args = ap.parse_args()
    schema, columns, templates = template_rows(args.binary, args.source)
    rows = build(columns, templates, args.rows)
    payload = sum(len(r[columns.index(c)] or "") for r in rows[:3] for c in ("inputs", "outputs", "extra")) / 3
    path = Path(tempfile.mkdtemp(prefix="sqlite-limit-", dir=args.dir)) / "runs.sqlite"
    results = []
    try:
        for indexes in (True, False):
            r = {"source": args.source, "payload_bytes_per_row": round(payload),
                 **insert(path, schema, columns, rows, args.txn_rows, indexes)}
            print(json.dumps(r), flush=True)
            results.append(r)
    finally:
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(str(path) + suffix)
            except FileNotFoundError:
                pass
        os.rmdir(path.parent)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
