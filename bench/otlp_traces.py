"""The benchmark workload: identical LLM traces as OTLP protobuf and as LangSmith multipart.

One trace = a chain root ("AgentChain") with two LLM children ("ChatModel"), about 2 KB of
inputs/outputs per run, token usage on the LLM runs, user/session metadata on the root. One request
carries 33 such traces (99 runs), the same shape `bench/ingest.py` has always sent.

* OTLP: an `ExportTraceServiceRequest` built with opentelemetry-proto's classes, carrying the
  OpenInference attributes that Phoenix reads and Anvil maps (`openinference.span.kind`,
  `input.value`/`output.value` as JSON, `llm.model_name`, `llm.provider`,
  `llm.token_count.prompt|completion|total`, `metadata`, `session.id`, `user.id`) and the project
  as the resource attribute `openinference.project.name`, which both servers honour. So both
  servers receive the same bytes.
* Multipart: the SDK's `/runs/multipart` body, one `post` per run with its end time, the same
  payloads as JSON parts.

Building 99 spans with the protobuf classes costs milliseconds of the client's CPU, which shares the
two cores with the server. So a factory serialises one template request once and, per request,
only patches fresh ids and shifted timestamps into the bytes at offsets found in the template
(`OTLPBatchFactory.next`); the result is byte-for-byte what the classes would have produced with
those ids and times (`verify()` checks that).
"""
from __future__ import annotations

import json
import os
import struct
import time
import uuid
from datetime import datetime, timedelta, timezone

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, InstrumentationScope, KeyValue
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span, Status

TRACES_PER_REQUEST = 33
LLM_CHILDREN = 2
RUNS_PER_TRACE = 1 + LLM_CHILDREN


def _prose(seed: int, chars: int) -> str:
    """Deterministic English-like text: sentences of words drawn from a few hundred common ones.
    Unlike a repeated sentence, it compresses about as well as real model text does (~2-3x with
    zstd per kilobyte), so bytes-on-disk numbers are not flattered by the workload."""
    import random
    rng = random.Random(seed)
    out: list[str] = []
    n = 0
    while n < chars:
        words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 18))]
        sentence = " ".join(words).capitalize() + rng.choice([".", ".", ".", "?", "!", ","]) + " "
        out.append(sentence)
        n += len(sentence)
    return "".join(out)[:chars]


_WORDS = """the of and to in is you that it he was for on are as with his they at be this have from or one had
by word but not what all were we when your can said there use an each which she do how their if will up other
about out many then them these so some her would make like him into time has look two more write go see number
no way could people my than first water been call who oil its now find long down day did get come made may part
order refund account invoice shipping customer support model answer question context document retrieval tool
search result summary price plan upgrade billing error timeout retry request response token latency cost prompt
user assistant system message policy return package delivery address payment card subscription cancel renew
product feature release version update install configure database server client network region service status
report analysis data table chart metric value average total monthly weekly daily yesterday today tomorrow next
previous because however therefore although while during before after between within without against toward
please thanks sorry sure great good better best quick slow simple clear exact likely possible available helpful""".split()

FILLER = _prose(7, 4000)

# Payloads (identical in both encodings). Root ~0.9 KB in + out, LLM ~1.6 KB: ~2 KB per run with
# the metadata and envelope.
ROOT_INPUTS = {"question": "What is the capital of France? " + FILLER[:400]}
ROOT_OUTPUTS = {"answer": "Paris. " + FILLER[400:800]}
ROOT_METADATA = {"user_id": "u-42", "session_id": "thread-7"}
LLM_INPUTS = {"messages": [{"role": "system", "content": FILLER[800:1400]}, {"role": "user", "content": FILLER[1400:1700]}]}
LLM_OUTPUTS = {"generations": [{"text": FILLER[1700:2400]}]}
MODEL, PROVIDER = "gpt-4o-mini", "openai"
USAGE = {"input_tokens": 120, "output_tokens": 80, "total_tokens": 200}

# Offsets in ms from the trace's start: root lasts 900 ms, child i starts at 10 + 400 i, lasts 350.
ROOT_MS = 900
CHILD_START_MS = [10 + 400 * i for i in range(LLM_CHILDREN)]
CHILD_MS = 350


def _kv(key: str, value) -> KeyValue:
    if isinstance(value, bool):
        return KeyValue(key=key, value=AnyValue(bool_value=value))
    if isinstance(value, int):
        return KeyValue(key=key, value=AnyValue(int_value=value))
    return KeyValue(key=key, value=AnyValue(string_value=value))


def _root_attributes() -> list[KeyValue]:
    return [
        _kv("openinference.span.kind", "CHAIN"),
        _kv("input.value", json.dumps(ROOT_INPUTS)), _kv("input.mime_type", "application/json"),
        _kv("output.value", json.dumps(ROOT_OUTPUTS)), _kv("output.mime_type", "application/json"),
        _kv("metadata", json.dumps(ROOT_METADATA)),
        _kv("session.id", ROOT_METADATA["session_id"]), _kv("user.id", ROOT_METADATA["user_id"]),
        _kv("tag.tags", json.dumps(["bench"])),
    ]


def _llm_attributes() -> list[KeyValue]:
    return [
        _kv("openinference.span.kind", "LLM"),
        _kv("input.value", json.dumps(LLM_INPUTS)), _kv("input.mime_type", "application/json"),
        _kv("output.value", json.dumps(LLM_OUTPUTS)), _kv("output.mime_type", "application/json"),
        _kv("llm.model_name", MODEL), _kv("llm.provider", PROVIDER),
        _kv("llm.token_count.prompt", USAGE["input_tokens"]),
        _kv("llm.token_count.completion", USAGE["output_tokens"]),
        _kv("llm.token_count.total", USAGE["total_tokens"]),
    ]


def build_otlp_request(project: str, trace_ids: list[bytes], span_ids: list[bytes], start_ns: int) -> bytes:
    """The request for `len(trace_ids)` traces; `span_ids` has RUNS_PER_TRACE ids per trace (root
    first); every trace starts at `start_ns`."""
    root_attrs, llm_attrs = _root_attributes(), _llm_attributes()
    spans = []
    for k, trace_id in enumerate(trace_ids):
        root_id = span_ids[k * RUNS_PER_TRACE]
        t0 = start_ns
        spans.append(Span(
            trace_id=trace_id, span_id=root_id, name="AgentChain", kind=Span.SPAN_KIND_INTERNAL,
            start_time_unix_nano=t0, end_time_unix_nano=t0 + ROOT_MS * 1_000_000,
            attributes=root_attrs, status=Status(code=Status.STATUS_CODE_OK)))
        for i in range(LLM_CHILDREN):
            cs = t0 + CHILD_START_MS[i] * 1_000_000
            spans.append(Span(
                trace_id=trace_id, span_id=span_ids[k * RUNS_PER_TRACE + 1 + i], parent_span_id=root_id,
                name="ChatModel", kind=Span.SPAN_KIND_CLIENT,
                start_time_unix_nano=cs, end_time_unix_nano=cs + CHILD_MS * 1_000_000,
                attributes=llm_attrs, status=Status(code=Status.STATUS_CODE_OK)))
    req = ExportTraceServiceRequest(resource_spans=[ResourceSpans(
        resource=Resource(attributes=[_kv("openinference.project.name", project), _kv("service.name", "anvil-bench")]),
        scope_spans=[ScopeSpans(scope=InstrumentationScope(name="openinference.instrumentation.bench"), spans=spans)],
    )])
    return req.SerializeToString()


def _random_ids(traces: int) -> tuple[list[bytes], list[bytes]]:
    raw = os.urandom(16 * traces + 8 * traces * RUNS_PER_TRACE)
    tids = [raw[16 * k:16 * k + 16] for k in range(traces)]
    base = 16 * traces
    sids = [raw[base + 8 * j:base + 8 * j + 8] for j in range(traces * RUNS_PER_TRACE)]
    # OTLP forbids all-zero ids; a random 8/16-byte id is never all zero in practice.
    return tids, sids


class OTLPBatchFactory:
    """Fresh OTLP requests of the benchmark traces, by patching a serialised template."""

    def __init__(self, project: str, traces: int = TRACES_PER_REQUEST):
        self.project, self.traces = project, traces
        self.runs = traces * RUNS_PER_TRACE
        self.base_ns = 1_700_000_000_000_000_000  # template start; patched per request
        tids, sids = _random_ids(traces)
        self.template = build_otlp_request(project, tids, sids, self.base_ns)
        # Where each id and each timestamp sits in the template.
        self.id_slots: list[tuple[int, int, int]] = []  # (offset, length, index into the new ids)
        for k, t in enumerate(tids):
            self.id_slots += [(o, 16, k) for o in _find_all(self.template, t)]
        for j, s in enumerate(sids):
            self.id_slots += [(o, 8, traces + j) for o in _find_all(self.template, s)]
        expected_ids = traces * RUNS_PER_TRACE + traces * RUNS_PER_TRACE + traces * LLM_CHILDREN  # trace ids per span, span ids, parents
        assert len(self.id_slots) == expected_ids, (len(self.id_slots), expected_ids)
        self.time_slots: list[tuple[int, int]] = []  # (offset, template value)
        values = set()
        for k in range(traces):
            t0 = self.base_ns
            values |= {t0, t0 + ROOT_MS * 1_000_000}
            for i in range(LLM_CHILDREN):
                cs = t0 + CHILD_START_MS[i] * 1_000_000
                values |= {cs, cs + CHILD_MS * 1_000_000}
        for v in values:
            self.time_slots += [(o, v) for o in _find_all(self.template, struct.pack("<Q", v))]
        assert len(self.time_slots) == 2 * self.runs, (len(self.time_slots), 2 * self.runs)

    def next(self, start_ns: int | None = None) -> tuple[bytes, list[bytes], list[bytes]]:
        """(body, trace ids, span ids) of a new request whose first trace starts at `start_ns`."""
        start_ns = time.time_ns() if start_ns is None else start_ns
        tids, sids = _random_ids(self.traces)
        ids = tids + sids
        buf = bytearray(self.template)
        for off, n, idx in self.id_slots:
            buf[off:off + n] = ids[idx]
        delta = start_ns - self.base_ns
        for off, v in self.time_slots:
            struct.pack_into("<Q", buf, off, v + delta)
        return bytes(buf), tids, sids

    def verify(self) -> None:
        """The patched bytes equal a freshly built request with the same ids and times."""
        start = time.time_ns()
        body, tids, sids = self.next(start)
        assert body == build_otlp_request(self.project, tids, sids, start), "patched request differs"


def _find_all(hay: bytes, needle: bytes) -> list[int]:
    out, i = [], hay.find(needle)
    while i >= 0:
        out.append(i)
        i = hay.find(needle, i + 1)
    return out


def uuid7() -> str:
    """A version-7 UUID (48-bit Unix milliseconds, then random bits): the run ids the langsmith SDK
    generates, so the store sees time-ordered keys as it does in production."""
    b = bytearray((time.time_ns() // 1_000_000).to_bytes(6, "big") + os.urandom(10))
    b[6] = (b[6] & 0x0F) | 0x70
    b[8] = (b[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(b)))


def otel_run_id(span_id: bytes) -> str:
    """Anvil's (and LangSmith's) run id for an OTel span id: the 8 bytes right-aligned in 16."""
    return str(uuid.UUID(bytes=bytes(8) + span_id))


# -- varied traces for the query comparison -----------------------------------------------------

MODELS = ["gpt-4o-mini", "gpt-4o", "claude-3-5-sonnet"]
TIERS = ["free", "free", "free", "pro", "pro", "enterprise"]


def varied_requests(project: str, traces: int, seed: int, days: float = 7, per_request: int = TRACES_PER_REQUEST,
                    big_trace: bool = True) -> list[bytes]:
    """OTLP requests of `traces` chain+2-LLM traces with varied latencies (LLM 0.3 s + exponential
    with mean 1.2 s), models, tiers and 3% failed roots, start times spread over the last `days`;
    plus (with `big_trace`) one trace of exactly 1,000 spans named "BigAgent" (root, 111 chain steps
    of 8 LLM/tool calls). Deterministic for a seed, ids included."""
    import random
    rng = random.Random(seed)
    now = time.time_ns()
    span_ns = int(days * 86400e9)
    out, spans = [], []

    def sid() -> bytes:
        return (rng.getrandbits(64) | 1).to_bytes(8, "little")  # never all zero

    def llm(trace_id: bytes, parent: bytes, start: int, dur_ns: int, model: str, error: bool) -> Span:
        prompt, completion = rng.randint(50, 2000), rng.randint(10, 600)
        attrs = _llm_attributes()[:5] + [
            _kv("llm.model_name", model), _kv("llm.provider", "anthropic" if model.startswith("claude") else "openai"),
            _kv("llm.token_count.prompt", prompt), _kv("llm.token_count.completion", completion),
            _kv("llm.token_count.total", prompt + completion)]
        return Span(trace_id=trace_id, span_id=sid(), parent_span_id=parent, name="ChatModel", kind=Span.SPAN_KIND_CLIENT,
                    start_time_unix_nano=start, end_time_unix_nano=start + dur_ns, attributes=attrs,
                    status=Status(code=Status.STATUS_CODE_ERROR if error else Status.STATUS_CODE_OK,
                                  message="RateLimitError" if error else ""))

    def flush():
        nonlocal spans
        if spans:
            out.append(ExportTraceServiceRequest(resource_spans=[ResourceSpans(
                resource=Resource(attributes=[_kv("openinference.project.name", project), _kv("service.name", "anvil-bench")]),
                scope_spans=[ScopeSpans(scope=InstrumentationScope(name="openinference.instrumentation.bench"), spans=spans)],
            )]).SerializeToString())
            spans = []

    big_at = traces // 2 if big_trace else -1
    for k in range(traces):
        t0 = now - span_ns + (span_ns * k) // max(1, traces) + rng.randrange(0, 10**9)
        trace_id = rng.getrandbits(128).to_bytes(16, "little")
        root_id = sid()
        if k == big_at:
            flush()
            clock = t0 + 10**6
            for _ in range(111):
                step_id, step_start = sid(), clock
                inner = []
                for j in range(8):
                    d = rng.randint(5, 40) * 10**6
                    if j % 2 == 0:
                        inner.append(llm(trace_id, step_id, clock, d, rng.choice(MODELS), False))
                    else:
                        inner.append(Span(trace_id=trace_id, span_id=sid(), parent_span_id=step_id, name="search_orders",
                                          kind=Span.SPAN_KIND_INTERNAL, start_time_unix_nano=clock, end_time_unix_nano=clock + d,
                                          attributes=[_kv("openinference.span.kind", "TOOL"), _kv("input.value", "order 42")],
                                          status=Status(code=Status.STATUS_CODE_OK)))
                    clock += d + 500_000
                spans.append(Span(trace_id=trace_id, span_id=step_id, parent_span_id=root_id, name="Step",
                                  kind=Span.SPAN_KIND_INTERNAL, start_time_unix_nano=step_start, end_time_unix_nano=clock,
                                  attributes=[_kv("openinference.span.kind", "CHAIN")], status=Status(code=Status.STATUS_CODE_OK)))
                spans += inner
            spans.insert(0, Span(trace_id=trace_id, span_id=root_id, name="BigAgent", kind=Span.SPAN_KIND_INTERNAL,
                                 start_time_unix_nano=t0, end_time_unix_nano=clock, attributes=_root_attributes(),
                                 status=Status(code=Status.STATUS_CODE_OK)))
            flush()
            continue
        error = rng.random() < 0.03
        clock = t0 + 10**7
        children = []
        for i in range(LLM_CHILDREN):
            d = int((0.3 + min(12.0, rng.expovariate(1 / 1.2))) * 1e9)
            children.append(llm(trace_id, root_id, clock, d, rng.choice(MODELS), error and i == LLM_CHILDREN - 1))
            clock += d + rng.randint(1, 20) * 10**6
        meta = {"user_id": f"u-{rng.randrange(20000)}", "session_id": f"thread-{rng.randrange(50000)}",
                "tier": rng.choice(TIERS)}
        attrs = _root_attributes()[:5] + [_kv("metadata", json.dumps(meta)), _kv("session.id", meta["session_id"]),
                                          _kv("user.id", meta["user_id"])]
        spans.append(Span(trace_id=trace_id, span_id=root_id, name="AgentChain", kind=Span.SPAN_KIND_INTERNAL,
                          start_time_unix_nano=t0, end_time_unix_nano=clock + 10**7, attributes=attrs,
                          status=Status(code=Status.STATUS_CODE_ERROR if error else Status.STATUS_CODE_OK,
                                        message="RateLimitError" if error else "")))
        spans += children
        if len(spans) >= per_request * RUNS_PER_TRACE:
            flush()
    flush()
    return out


# -- LangSmith multipart ---------------------------------------------------------------------

BOUNDARY = "b7f3c2a1d4e5f60718293a4b5c6d7e8f"
MULTIPART_CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def _part(name: str, body: bytes) -> bytes:
    return (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body + b"\r\n"


def _stamp(t: datetime) -> str:
    return t.strftime("%Y%m%dT%H%M%S%fZ")


class MultipartBatchFactory:
    """Fresh `/runs/multipart` bodies of the same traces.

    Like the OTLP factory, it renders one template body (the SDK's part layout, `json.dumps` of each
    run) and patches ids and times in per request: ids are fixed-width UUID strings, times
    fixed-width ISO strings (`timespec="microseconds"`) and dotted-order stamps. As in the OTLP
    requests, the traces of one request share their start time."""

    def __init__(self, project: str, traces: int = TRACES_PER_REQUEST):
        self.project, self.traces = project, traces
        self.runs = traces * RUNS_PER_TRACE
        self.root_payloads = (json.dumps(ROOT_INPUTS).encode(), json.dumps(ROOT_OUTPUTS).encode(),
                              json.dumps({"metadata": ROOT_METADATA, "runtime": {"sdk": "bench"}}).encode())
        self.llm_payloads = (json.dumps(LLM_INPUTS).encode(), json.dumps(LLM_OUTPUTS).encode(),
                             json.dumps({"metadata": {"ls_provider": PROVIDER, "ls_model_name": MODEL,
                                                      "usage_metadata": USAGE}}).encode())
        ids = [uuid7() for _ in range(self.runs)]
        base = datetime(2001, 2, 3, 4, 5, 6, 789012, tzinfo=timezone.utc)
        self.template = self.render(ids, base)
        self.slots: list[tuple[int, int, int]] = []  # (offset, length, index: ids first, then time strings)
        for j, rid in enumerate(ids):
            self.slots += [(o, 36, j) for o in _find_all(self.template, rid.encode())]
        for j, text in enumerate(self._times(base)):
            self.slots += [(o, len(text), self.runs + j) for o in _find_all(self.template, text.encode())]
        # ids: 4 part names + id each, trace_id 3x and parent 2x per trace, dotted order 1 + 2x2.
        expected = self.runs * 5 + self.traces * (3 + 2 + 1 + 4) + self.runs * 2 + self.traces * (1 + 2 * LLM_CHILDREN)
        assert len(self.slots) == expected, (len(self.slots), expected)

    @staticmethod
    def _times(t0: datetime) -> list[str]:
        """Every distinct time string of a trace starting at `t0`: ISO start/end of each run, then
        the dotted-order stamps of the starts."""
        starts = [t0] + [t0 + timedelta(milliseconds=ms) for ms in CHILD_START_MS]
        ends = [t0 + timedelta(milliseconds=ROOT_MS)] + [s + timedelta(milliseconds=CHILD_MS) for s in starts[1:]]
        return [t.isoformat(timespec="microseconds") for t in starts + ends] + [_stamp(t) for t in starts]

    def _run(self, run: dict, payloads: tuple[bytes, bytes, bytes]) -> bytes:
        rid = run["id"]
        return (_part(f"post.{rid}", json.dumps(run).encode()) + _part(f"post.{rid}.inputs", payloads[0])
                + _part(f"post.{rid}.outputs", payloads[1]) + _part(f"post.{rid}.extra", payloads[2]))

    def render(self, ids: list[str], t0: datetime) -> bytes:
        """The body built from scratch: trace k's root is ids[3k], its children the next ids."""
        times = self._times(t0)
        n = 1 + LLM_CHILDREN
        iso_start, iso_end, stamps = times[:n], times[n:2 * n], times[2 * n:]
        chunks = []
        for k in range(self.traces):
            root = ids[k * RUNS_PER_TRACE]
            order = stamps[0] + root
            chunks.append(self._run({
                "id": root, "trace_id": root, "dotted_order": order, "name": "AgentChain", "run_type": "chain",
                "start_time": iso_start[0], "end_time": iso_end[0],
                "session_name": self.project, "tags": ["bench"]}, self.root_payloads))
            for i in range(LLM_CHILDREN):
                child = ids[k * RUNS_PER_TRACE + 1 + i]
                chunks.append(self._run({
                    "id": child, "trace_id": root, "parent_run_id": root,
                    "dotted_order": order + "." + stamps[1 + i] + child, "name": "ChatModel", "run_type": "llm",
                    "start_time": iso_start[1 + i], "end_time": iso_end[1 + i],
                    "session_name": self.project}, self.llm_payloads))
        chunks.append(f"--{BOUNDARY}--\r\n".encode())
        return b"".join(chunks)

    def next(self, start: datetime | None = None) -> tuple[bytes, list[str]]:
        """(body, run ids) of a new request whose traces start at `start`."""
        start = start or datetime.now(timezone.utc)
        ids = [uuid7() for _ in range(self.runs)]
        values = [s.encode() for s in ids] + [s.encode() for s in self._times(start)]
        buf = bytearray(self.template)
        for off, n, idx in self.slots:
            buf[off:off + n] = values[idx]
        return bytes(buf), ids

    def verify(self) -> None:
        start = datetime.now(timezone.utc)
        body, ids = self.next(start)
        assert body == self.render(ids, start), "patched multipart body differs"


if __name__ == "__main__":
    f = OTLPBatchFactory("bench")
    f.verify()
    n = 200
    t = time.perf_counter()
    for _ in range(n):
        f.next()
    otlp_ms = (time.perf_counter() - t) * 1000 / n
    m = MultipartBatchFactory("bench")
    m.verify()
    t = time.perf_counter()
    for _ in range(n):
        body, _ = m.next()
    mp_ms = (time.perf_counter() - t) * 1000 / n
    t = time.perf_counter()
    tids, sids = _random_ids(TRACES_PER_REQUEST)
    for _ in range(20):
        build_otlp_request("bench", tids, sids, time.time_ns())
    build_ms = (time.perf_counter() - t) * 1000 / 20
    print(f"OTLP request: {len(f.template)} bytes, {f.runs} spans; patched in {otlp_ms:.2f} ms "
          f"(built with the classes: {build_ms:.2f} ms)")
    print(f"multipart request: {len(body)} bytes, {m.runs} runs; built in {mp_ms:.2f} ms")
