"""Raw LangSmith wire helpers: run payloads, multipart bodies and a small HTTP client.

These mirror what the Python SDK puts on the wire (langsmith 0.14.17,
`_internal/_operations.py` and `_internal/_multipart.py`) so tests can send exactly the
bytes they mean to, including the malformed ones.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional, Sequence

import requests
import zstandard

UTC = dt.timezone.utc
SPLIT_FIELDS = ("inputs", "outputs", "events", "extra", "error", "serialized")


# -- time and ids -----------------------------------------------------------------------


def now() -> dt.datetime:
    return dt.datetime.now(UTC)


def iso(t: dt.datetime) -> str:
    return t.astimezone(UTC).isoformat()


def as_utc(t: dt.datetime) -> dt.datetime:
    """Aware UTC datetime (naive values are UTC on this wire)."""
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def parse_time(s: str) -> dt.datetime:
    t = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def dotted_segment(start: dt.datetime, run_id: str) -> str:
    return start.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ") + str(run_id)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


# -- run payloads -----------------------------------------------------------------------


def new_run(
    name: str,
    *,
    project: Optional[str],
    parent: Optional[dict] = None,
    run_type: str = "chain",
    start: Optional[dt.datetime] = None,
    latency: Optional[float] = None,
    inputs: Optional[dict] = None,
    outputs: Optional[dict] = None,
    error: Optional[str] = None,
    tags: Optional[list[str]] = None,
    metadata: Optional[dict] = None,
    usage: Optional[dict] = None,
    events: Optional[list[dict]] = None,
    serialized: Optional[dict] = None,
    run_id: Optional[str] = None,
) -> dict:
    """A complete run dict as the SDK would build it (ids, trace, dotted order, times).

    `latency` sets end_time = start + latency; without it the run has no end_time (still
    running). `usage` goes to extra.metadata.usage_metadata, where @traceable puts it.
    """
    rid = run_id or str(uuid.uuid4())
    start = start or now()
    if parent is not None:
        # The SDK clamps children so they never start before their parent.
        start = max(start, parse_time(parent["start_time"]))
    metadata = dict(metadata or {})
    if usage is not None:
        metadata["usage_metadata"] = usage
    run: dict[str, Any] = {
        "id": rid,
        "name": name,
        "run_type": run_type,
        "start_time": iso(start),
        "trace_id": parent["trace_id"] if parent else rid,
        "dotted_order": (parent["dotted_order"] + "." if parent else "") + dotted_segment(start, rid),
        "inputs": inputs if inputs is not None else {"name": name},
        "extra": {"metadata": metadata},
        "tags": list(tags or []),
    }
    if parent is not None:
        run["parent_run_id"] = parent["id"]
    if project is not None:
        run["session_name"] = project
    if latency is not None:
        run["end_time"] = iso(start + dt.timedelta(seconds=latency))
    if outputs is not None:
        run["outputs"] = outputs
    if error is not None:
        run["error"] = error
    if events is not None:
        run["events"] = events
    if serialized is not None:
        run["serialized"] = serialized
    return run


def patch_of(run: dict, *, latency: Optional[float] = None, **fields: Any) -> dict:
    """The patch the SDK sends when a run ends: ids, times and the changed fields.

    Includes the explicit nulls the SDK sends for "not provided".
    """
    start = parse_time(run["start_time"])
    end = start + dt.timedelta(seconds=latency if latency is not None else 0.25)
    patch: dict[str, Any] = {
        "id": run["id"],
        "name": run["name"],
        "run_type": run["run_type"],
        "trace_id": run["trace_id"],
        "dotted_order": run["dotted_order"],
        "parent_run_id": run.get("parent_run_id"),
        "session_id": None,
        "session_name": run.get("session_name"),
        "tags": run.get("tags"),
        "end_time": iso(end),
    }
    patch.update(fields)
    return patch


# -- multipart --------------------------------------------------------------------------


@dataclass
class Part:
    name: str
    body: bytes
    content_type: str = "application/json"
    # None: a Content-Length header like the Python SDK; False: no length header at all.
    content_length: Optional[bool] = True
    extra_headers: dict[str, str] = field(default_factory=dict)


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def json_part(name: str, value: Any) -> Part:
    return Part(name, json_bytes(value))


def run_parts(op: str, run: dict, *, attachments: Optional[dict[str, tuple[str, bytes]]] = None) -> list[Part]:
    """Split a run like the SDK does: main part, then one part per non-null field."""
    main = {k: v for k, v in run.items() if k not in SPLIT_FIELDS and k != "attachments"}
    parts = [json_part(f"{op}.{run['id']}", main)]
    for key in SPLIT_FIELDS:
        if run.get(key) is not None:
            parts.append(json_part(f"{op}.{run['id']}.{key}", run[key]))
    for name, (mime, data) in (attachments or {}).items():
        parts.append(Part(f"attachment.{run['id']}.{name}", data, mime))
    return parts


def feedback_part(feedback: dict) -> Part:
    return json_part(f"feedback.{feedback['id']}", feedback)


def new_boundary() -> str:
    return uuid.uuid4().hex


def encode_multipart(parts: Sequence[Part], boundary: str) -> bytes:
    out = bytearray()
    for p in parts:
        out += f"--{boundary}\r\n".encode()
        out += f'Content-Disposition: form-data; name="{p.name}"\r\n'.encode()
        out += f"Content-Type: {p.content_type}\r\n".encode()
        if p.content_length:
            out += f"Content-Length: {len(p.body)}\r\n".encode()
        for k, v in p.extra_headers.items():
            out += f"{k}: {v}\r\n".encode()
        out += b"\r\n" + p.body + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out)


def zstd_stream(data: bytes) -> bytes:
    """Compress like the SDK: a streaming frame that does not declare its content size."""
    cctx = zstandard.ZstdCompressor(level=1)
    chunks = []

    class _Sink:
        def write(self, b: bytes) -> int:
            chunks.append(bytes(b))
            return len(b)

    with cctx.stream_writer(_Sink(), closefd=False) as w:
        # Several writes, like the SDK appending one op at a time.
        for i in range(0, len(data), 4096):
            w.write(data[i : i + 4096])
    return b"".join(chunks)


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data)


# -- HTTP -------------------------------------------------------------------------------


class Api:
    """Minimal authenticated JSON/multipart client for one base URL (with prefix)."""

    def __init__(self, base: str, api_key: Optional[str], timeout: float = 30) -> None:
        self.base = base.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.session = requests.Session()

    @property
    def auth(self) -> dict[str, str]:
        return {"x-api-key": self.api_key} if self.api_key else {}

    def request(self, method: str, path: str, *, headers: Optional[dict] = None, **kw: Any) -> requests.Response:
        h = {**self.auth, **(headers or {})}
        kw.setdefault("timeout", self.timeout)
        return self.session.request(method, self.base + path, headers=h, **kw)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> requests.Response:
        return self.request("POST", path, **kw)

    def patch(self, path: str, **kw: Any) -> requests.Response:
        return self.request("PATCH", path, **kw)

    def put(self, path: str, **kw: Any) -> requests.Response:
        return self.request("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return self.request("DELETE", path, **kw)

    # ingestion

    def multipart(
        self,
        parts: Sequence[Part],
        *,
        encoding: Optional[str] = None,
        boundary: Optional[str] = None,
        headers: Optional[dict] = None,
    ) -> requests.Response:
        boundary = boundary or new_boundary()
        body = encode_multipart(parts, boundary)
        h = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        if encoding == "gzip":
            body = gzip_bytes(body)
            h["Content-Encoding"] = "gzip"
        elif encoding == "zstd":
            raw_len = len(body)
            body = zstd_stream(body)
            h.update({"Content-Encoding": "zstd", "X-Pre-Compressed-Size": str(raw_len),
                      "X-Post-Compressed-Size": str(len(body))})
        h.update(headers or {})
        return self.post("/runs/multipart", data=body, headers=h)

    def ingest(self, posts: Iterable[dict] = (), patches: Iterable[dict] = (), **kw: Any) -> requests.Response:
        """Send runs through /runs/multipart and require a 2xx."""
        parts: list[Part] = []
        for r in posts:
            parts += run_parts("post", r)
        for r in patches:
            parts += run_parts("patch", r)
        resp = self.multipart(parts, **kw)
        assert 200 <= resp.status_code < 300, f"ingest failed: {resp.status_code} {resp.text[:500]}"
        return resp

    # reading

    def run(self, run_id: str) -> Optional[dict]:
        r = self.get(f"/runs/{run_id}")
        if r.status_code == 404:
            return None
        assert r.status_code == 200, f"GET /runs/{run_id}: {r.status_code} {r.text[:300]}"
        return r.json()

    def query_pages(self, body: dict, *, max_pages: int = 1000) -> list[list[dict]]:
        """POST /runs/query following cursors.next; returns every page."""
        body = dict(body)
        pages: list[list[dict]] = []
        for _ in range(max_pages):
            r = self.post("/runs/query", json=body)
            assert r.status_code == 200, f"/runs/query {body}: {r.status_code} {r.text[:500]}"
            data = r.json()
            runs = data.get("runs") or []
            if not runs:
                break
            pages.append(runs)
            nxt = (data.get("cursors") or {}).get("next")
            if not nxt:
                break
            body["cursor"] = nxt
        else:
            raise AssertionError(f"/runs/query did not stop after {max_pages} pages")
        return pages

    def query(self, **body: Any) -> list[dict]:
        return [r for page in self.query_pages(body) for r in page]

    def project(self, name: str) -> Optional[dict]:
        r = self.get("/sessions", params={"name": name, "limit": 1})
        assert r.status_code == 200, r.text
        items = r.json()
        return items[0] if items else None

    def project_id(self, name: str) -> str:
        p = wait_for(lambda: self.project(name), message=f"project {name!r} to exist")
        return p["id"]


# -- polling ----------------------------------------------------------------------------


DEFAULT_WAIT_S = 10.0


def wait_for(
    predicate: Callable[[], Any],
    timeout: float = DEFAULT_WAIT_S,
    interval: float = 0.05,
    message: str = "condition",
) -> Any:
    """Poll `predicate` until it returns something truthy; return that value.

    Exceptions raised by the predicate count as "not yet" until the deadline, then the
    last one is re-raised. Never use fixed sleeps for data to appear: the worker makes
    acknowledged runs queryable "shortly after", and this is how tests wait for it.
    """
    deadline = time.monotonic() + timeout
    last_exc: Optional[BaseException] = None
    last_val: Any = None
    while True:
        try:
            last_val = predicate()
            if last_val:
                return last_val
            last_exc = None
        except Exception as e:  # e.g. AssertionError, LangSmithNotFoundError, connection errors
            last_exc = e
        if time.monotonic() >= deadline:
            if last_exc is not None:
                raise AssertionError(f"timed out after {timeout}s waiting for {message}: {last_exc!r}") from last_exc
            raise AssertionError(f"timed out after {timeout}s waiting for {message}; last value: {last_val!r}")
        time.sleep(interval)
        interval = min(interval * 1.5, 0.5)


def wait_runs(api: Api, run_ids: Sequence[str], *, pred: Optional[Callable[[dict], bool]] = None,
              timeout: float = DEFAULT_WAIT_S) -> dict[str, dict]:
    """Wait until every run id is readable with GET /runs/{id} (and satisfies `pred`)."""
    found: dict[str, dict] = {}

    def check() -> bool:
        for rid in run_ids:
            if rid in found:
                continue
            run = api.run(rid)
            if run is not None and (pred is None or pred(run)):
                found[rid] = run
        return len(found) == len(run_ids)

    missing = lambda: sorted(set(run_ids) - set(found))  # noqa: E731
    try:
        wait_for(check, timeout=timeout, message="runs to become readable")
    except AssertionError as e:
        raise AssertionError(f"{e}; still missing: {missing()}") from None
    return found


def assert_detail(resp: requests.Response, statuses: Iterable[int]) -> dict:
    """An error answer: one of `statuses`, JSON body with a `detail` key."""
    statuses = set(statuses)
    assert resp.status_code in statuses, f"expected {sorted(statuses)}, got {resp.status_code}: {resp.text[:500]}"
    try:
        body = resp.json()
    except ValueError:
        raise AssertionError(f"error body is not JSON: {resp.text[:300]!r}") from None
    assert isinstance(body, dict) and "detail" in body, f"error body lacks 'detail': {body!r}"
    assert body["detail"], "detail must say what is wrong"
    return body
