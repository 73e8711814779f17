"""OpenTelemetry ingestion: the real OTel SDK's OTLP exporters (HTTP protobuf, gRPC), raw
OTLP/JSON, an OpenInference-instrumented LangChain app, and the langsmith SDK in OTel mode.
Runs, trees, run types, token counts and projects are read back through /runs/query."""

from __future__ import annotations

import gzip
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
from opentelemetry import trace as otel_trace
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import Status, StatusCode

from anvil_server import AnvilServer
from conftest import assert_server_alive
from wire import Api, assert_detail, unique, wait_for

ORPHAN_GRACE_S = 1.0


@pytest.fixture(scope="module")
def srv(anvil_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnvilServer]:
    root = tmp_path_factory.mktemp("anvil-otel")
    s = AnvilServer(root / "data", root / "anvil.log", api_key="otel-" + uuid.uuid4().hex, binary=anvil_bin,
                    env={"ANVIL_ORPHAN_GRACE_SECONDS": str(ORPHAN_GRACE_S)})
    s.start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def api(srv: AnvilServer) -> Api:
    return Api(srv.api(), srv.api_key)


def provider(exporter: Any, service: str = "otel-e2e") -> TracerProvider:
    tp = TracerProvider(resource=Resource.create({"service.name": service}))
    tp.add_span_processor(SimpleSpanProcessor(exporter))
    return tp


def http_exporter(srv: AnvilServer, project: str, **kw: Any) -> HttpExporter:
    return HttpExporter(endpoint=srv.api() + "/otel/v1/traces",
                        headers={"x-api-key": srv.api_key, "Langsmith-Project": project}, **kw)


def project_runs(api: Api, project: str, n: int, *, pred=None, timeout: float = 20) -> dict[str, dict]:
    """Wait until the project has `n` runs (all satisfying `pred`); return them by name."""
    def check():
        if api.project(project) is None:
            return None
        runs = api.query(session=[api.project_id(project)])
        if len(runs) < n or (pred and not all(pred(r) for r in runs)):
            return None
        return runs
    runs = wait_for(check, timeout=timeout, message=f"{n} runs in {project}")
    by_name = {r["name"]: r for r in runs}
    assert len(by_name) == len(runs), [r["name"] for r in runs]
    return by_name


def emit_agent(tp: TracerProvider) -> None:
    """A root chain with an LLM call (GenAI conventions) and a tool call."""
    tracer = tp.get_tracer("app")
    with tracer.start_as_current_span("agent", attributes={"input.value": json.dumps({"question": "capital?"}),
                                                           "output.value": "Paris", "team": "search"}):
        with tracer.start_as_current_span("chat fake", kind=otel_trace.SpanKind.CLIENT, attributes={
            "gen_ai.operation.name": "chat", "gen_ai.system": "openai", "gen_ai.request.model": "fake-1",
            "gen_ai.prompt.0.role": "user", "gen_ai.prompt.0.content": "capital?",
            "gen_ai.completion.0.role": "assistant", "gen_ai.completion.0.content": "Paris",
            "gen_ai.usage.input_tokens": 12, "gen_ai.usage.output_tokens": 5,
        }):
            pass
        with tracer.start_as_current_span("lookup", attributes={"gen_ai.operation.name": "execute_tool"}) as s:
            s.add_event("cache.miss", {"key": "capital"})


def assert_agent_tree(runs: dict[str, dict]) -> None:
    agent, llm, tool = runs["agent"], runs["chat fake"], runs["lookup"]
    assert agent["parent_run_id"] is None and agent["trace_id"] == agent["id"]
    assert llm["parent_run_id"] == agent["id"] and tool["parent_run_id"] == agent["id"]
    assert llm["trace_id"] == agent["id"] and tool["trace_id"] == agent["id"]
    assert llm["dotted_order"].startswith(agent["dotted_order"] + ".")
    assert (agent["run_type"], llm["run_type"], tool["run_type"]) == ("chain", "llm", "tool")
    assert llm["prompt_tokens"] == 12 and llm["completion_tokens"] == 5 and llm["total_tokens"] == 17
    assert agent["total_tokens"] == 17  # rolled up
    assert agent["inputs"] == {"question": "capital?"} and agent["outputs"] == {"output": "Paris"}
    assert llm["inputs"]["messages"] == [{"role": "user", "content": "capital?"}]
    assert llm["extra"]["metadata"]["ls_model_name"] == "fake-1"
    assert llm["extra"]["metadata"]["ls_provider"] == "openai"
    assert agent["extra"]["metadata"]["team"] == "search"
    assert agent["extra"]["metadata"]["service.name"] == "otel-e2e"
    assert [e["name"] for e in tool["events"]] == ["cache.miss"]
    assert agent["status"] == "success"


def test_http_protobuf_exporter(srv: AnvilServer, api: Api) -> None:
    project = unique("otel-proto")
    tp = provider(http_exporter(srv, project))
    emit_agent(tp)
    tp.shutdown()
    assert_agent_tree(project_runs(api, project, 3, pred=lambda r: r["dotted_order"].count(".") == (0 if r["name"] == "agent" else 1)))


def test_http_gzip_exporter(srv: AnvilServer, api: Api) -> None:
    from opentelemetry.exporter.otlp.proto.http import Compression
    project = unique("otel-gzip")
    tp = provider(http_exporter(srv, project, compression=Compression.Gzip))
    emit_agent(tp)
    tp.shutdown()
    assert_agent_tree(project_runs(api, project, 3, pred=lambda r: r["dotted_order"].count(".") == (0 if r["name"] == "agent" else 1)))


def test_grpc_exporter(srv: AnvilServer, api: Api) -> None:
    project = unique("otel-grpc")
    exporter = GrpcExporter(endpoint=f"127.0.0.1:{srv.grpc_port}", insecure=True,
                            headers=(("x-api-key", srv.api_key), ("langsmith-project", project)))
    tp = provider(exporter)
    emit_agent(tp)
    tp.shutdown()
    assert_agent_tree(project_runs(api, project, 3, pred=lambda r: r["dotted_order"].count(".") == (0 if r["name"] == "agent" else 1)))


def test_grpc_rejects_a_bad_key(srv: AnvilServer) -> None:
    import grpc
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
    with grpc.insecure_channel(f"127.0.0.1:{srv.grpc_port}") as channel:
        stub = trace_service_pb2_grpc.TraceServiceStub(channel)
        with pytest.raises(grpc.RpcError) as err:
            stub.Export(trace_service_pb2.ExportTraceServiceRequest(), metadata=(("x-api-key", "wrong-key-123456789"),), timeout=10)
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED


def otlp_json(spans: list[dict], resource: dict | None = None) -> dict:
    attrs = [{"key": k, "value": {"stringValue": v}} for k, v in (resource or {}).items()]
    return {"resourceSpans": [{"resource": {"attributes": attrs}, "scopeSpans": [{"scope": {"name": "raw"}, "spans": spans}]}]}


def json_span(trace_id: str, span_id: str, name: str, parent: str = "", **attrs: Any) -> dict:
    now = time.time_ns()
    def value(v: Any) -> dict:
        if isinstance(v, bool):
            return {"boolValue": v}
        if isinstance(v, int):
            return {"intValue": str(v)}
        return {"stringValue": v}
    return {"traceId": trace_id, "spanId": span_id, "parentSpanId": parent, "name": name, "kind": 1,
            "startTimeUnixNano": str(now), "endTimeUnixNano": str(now + 1_000_000),
            "attributes": [{"key": k.replace("__", "."), "value": value(v)} for k, v in attrs.items()]}


def post_json(srv: AnvilServer, body: dict, project: str | None = None, path: str = "/otel/v1/traces") -> requests.Response:
    headers = {"x-api-key": srv.api_key, "Content-Type": "application/json"}
    if project:
        headers["Langsmith-Project"] = project
    return requests.post(srv.api() + path, data=json.dumps(body), headers=headers, timeout=30)


def test_raw_json_out_of_order_across_requests(srv: AnvilServer, api: Api) -> None:
    """Children arrive before their parents, each in its own request; the tree still forms."""
    project = unique("otel-json")
    trace_id = uuid.uuid4().hex
    root, child, leaf = "a1" * 8, "b2" * 8, "c3" * 8
    for span in [json_span(trace_id, leaf, "leaf", child, llm__token_count__prompt=4, llm__token_count__completion=6,
                           openinference__span__kind="LLM"),
                 json_span(trace_id, child, "child", root, openinference__span__kind="RETRIEVER"),
                 json_span(trace_id, root, "root", openinference__span__kind="AGENT")]:
        r = post_json(srv, otlp_json([span]), project, path="/v1/traces")
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/json")
        assert r.json() == {}
        time.sleep(0.3)
    runs = project_runs(api, project, 3, pred=lambda r: r["trace_id"] == f"00000000-0000-0000-{root[:4]}-{root[4:]}")
    assert runs["root"]["id"] == f"00000000-0000-0000-{root[:4]}-{root[4:]}"
    assert runs["child"]["parent_run_id"] == runs["root"]["id"]
    assert runs["leaf"]["parent_run_id"] == runs["child"]["id"]
    assert runs["leaf"]["dotted_order"].startswith(runs["child"]["dotted_order"] + ".")
    assert runs["child"]["run_type"] == "retriever" and runs["leaf"]["run_type"] == "llm"
    assert runs["root"]["total_tokens"] == 10
    roots = api.query(session=[api.project_id(project)], is_root=True)
    assert [r["name"] for r in roots] == ["root"]


def test_orphan_shown_as_marked_root(srv: AnvilServer, api: Api) -> None:
    project = unique("otel-orphan")
    trace_id = uuid.uuid4().hex
    missing, orphan = "d4" * 8, "e5" * 8
    assert post_json(srv, otlp_json([json_span(trace_id, orphan, "orphan", missing)]), project).status_code == 200
    runs = project_runs(api, project, 1, pred=lambda r: r["parent_run_id"] is None, timeout=ORPHAN_GRACE_S + 20)
    meta = runs["orphan"]["extra"]["metadata"]
    assert meta["anvil_orphan"] is True
    assert meta["anvil_orphan_parent_run_id"] == f"00000000-0000-0000-{missing[:4]}-{missing[4:]}"
    assert meta["otel_parent_span_id"] == missing
    assert [r["name"] for r in api.query(session=[api.project_id(project)], is_root=True)] == ["orphan"]
    # The parent shows up late after all: the orphan is adopted and unmarked.
    assert post_json(srv, otlp_json([json_span(trace_id, missing, "late parent")]), project).status_code == 200
    runs = project_runs(api, project, 2, pred=lambda r: r["name"] != "orphan" or r["parent_run_id"] is not None)
    assert runs["orphan"]["parent_run_id"] == runs["late parent"]["id"]
    assert "anvil_orphan" not in runs["orphan"]["extra"]["metadata"]


def test_project_from_attributes_and_partial_success(srv: AnvilServer, api: Api) -> None:
    project = unique("otel-attr-project")
    good = json_span(uuid.uuid4().hex, "f6" * 8, "from-attr", langsmith__trace__session_name=project, custom__thing=True)
    bad = json_span("00" * 16, "f7" * 8, "zero-trace")
    r = post_json(srv, otlp_json([good, bad]))
    assert r.status_code == 200
    assert r.json()["partialSuccess"]["rejectedSpans"] == "1"
    assert "zero-trace" in r.json()["partialSuccess"]["errorMessage"]
    runs = project_runs(api, project, 1)
    assert runs["from-attr"]["extra"]["metadata"]["custom.thing"] is True


def test_malformed_bodies_get_400_and_server_stays_healthy(srv: AnvilServer, api: Api) -> None:
    url = srv.api() + "/otel/v1/traces"
    h = {"x-api-key": srv.api_key}
    r = requests.post(url, data=b"\x0a\xff\xff\xff\x0f\x01garbage", headers={**h, "Content-Type": "application/x-protobuf"}, timeout=30)
    assert "ExportTraceServiceRequest" in assert_detail(r, [400])["detail"]
    assert_detail(requests.post(url, data=b"{nope", headers={**h, "Content-Type": "application/json"}, timeout=30), [400])
    assert_detail(requests.post(url, data=b"\x1f\x8bnot gzip", headers={**h, "Content-Type": "application/x-protobuf",
                                                                           "Content-Encoding": "gzip"}, timeout=30), [400])
    assert_detail(requests.post(url, data=b"x", headers={**h, "Content-Type": "text/plain"}, timeout=30), [415])
    assert_detail(requests.post(url, data=b"", headers={"Content-Type": "application/x-protobuf"}, timeout=30), [401])
    big = b"\x0a" + b"\xff" * (26 * 1024 * 1024)
    assert_detail(requests.post(url, data=big, headers={**h, "Content-Type": "application/x-protobuf"}, timeout=60), [413])
    assert_server_alive(srv, api)


def test_openinference_langchain_app(srv: AnvilServer, api: Api) -> None:
    from langchain_core.prompts import ChatPromptTemplate
    from openinference.instrumentation.langchain import LangChainInstrumentor

    from fake_chat_model import UsageChatModel

    project = unique("otel-openinference")
    tp = provider(http_exporter(srv, project), service="lc-app")
    instrumentor = LangChainInstrumentor()
    instrumentor.instrument(tracer_provider=tp)
    try:
        chain = ChatPromptTemplate.from_messages([("user", "In {style} words: what is the capital of {country}?")]) | UsageChatModel()
        answer = chain.invoke({"country": "France", "style": "few"})
        assert answer.content == "Paris is the capital"
    finally:
        instrumentor.uninstrument()
        tp.shutdown()
    runs = project_runs(api, project, 3)
    seq = runs["RunnableSequence"]
    prompt = runs["ChatPromptTemplate"]
    llm = runs["UsageChatModel"]
    assert seq["parent_run_id"] is None
    assert prompt["parent_run_id"] == seq["id"] and llm["parent_run_id"] == seq["id"]
    assert llm["run_type"] == "llm" and seq["run_type"] == "chain"
    assert llm["prompt_tokens"] == 12 and llm["completion_tokens"] == 5 and llm["total_tokens"] == 17
    assert seq["total_tokens"] == 17
    # Two variables: OpenInference sends JSON (mime application/json), read as the inputs object.
    assert seq["inputs"] == {"country": "France", "style": "few"}
    assert llm["inputs"]["messages"]
    assert "capital of France" in json.dumps(llm["inputs"]["messages"])
    assert llm["extra"]["metadata"]["service.name"] == "lc-app"
    assert llm["extra"]["metadata"]["otel_scope"].startswith("openinference")
    assert "Paris is the capital" in json.dumps(llm["outputs"])


def run_sdk(env: dict[str, str], script: str) -> None:
    """Runs `script` in a fresh interpreter (the SDK reads its tracing mode once per process)."""
    import subprocess
    import sys
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("LANGSMITH_", "LANGCHAIN_", "OTEL_"))}
    full_env.update(env)
    full_env["PYTHONPATH"] = str(Path(__file__).parent)
    out = subprocess.run([sys.executable, "-c", script], env=full_env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]


SDK_APP = """
import langsmith as ls
from fake_chat_model import UsageChatModel

@ls.traceable(name="pipeline")
def pipeline(q):
    return {"answer": helper(q)}

@ls.traceable(name="helper", run_type="tool")
def helper(q):
    return UsageChatModel().invoke(q).content

pipeline("capital?")
from langsmith.run_trees import get_cached_client
get_cached_client().flush()
from opentelemetry import trace
trace.get_tracer_provider().force_flush()
trace.get_tracer_provider().shutdown()
"""


def test_langsmith_sdk_otel_mode(srv: AnvilServer, api: Api) -> None:
    project = unique("otel-sdk")
    run_sdk({"LANGSMITH_ENDPOINT": srv.api(), "LANGSMITH_API_KEY": srv.api_key, "LANGSMITH_PROJECT": project,
             "LANGSMITH_TRACING": "true", "LANGSMITH_OTEL_ENABLED": "true", "LANGSMITH_OTEL_ONLY": "true"}, SDK_APP)
    runs = project_runs(api, project, 3)
    pipeline, helper, llm = runs["pipeline"], runs["helper"], runs["UsageChatModel"]
    assert pipeline["parent_run_id"] is None
    assert helper["parent_run_id"] == pipeline["id"] and llm["parent_run_id"] == helper["id"]
    assert (pipeline["run_type"], helper["run_type"], llm["run_type"]) == ("chain", "tool", "llm")
    assert llm["total_tokens"] == 17 and pipeline["total_tokens"] == 17
    assert pipeline["inputs"] == {"q": "capital?"}
    assert pipeline["outputs"] == {"answer": "Paris is the capital"}
    assert "anvil_orphan" not in pipeline["extra"]["metadata"]


MIXED_APP = """
import langsmith as ls
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
import os

tp = TracerProvider()
tp.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(
    endpoint=os.environ["LANGSMITH_ENDPOINT"] + "/otel/v1/traces",
    headers={"x-api-key": os.environ["LANGSMITH_API_KEY"], "Langsmith-Project": os.environ["LANGSMITH_PROJECT"]})))
tracer = tp.get_tracer("user-app")

@ls.traceable(name="sdk-root")
def root():
    # An OTel span inside the root @traceable: nests through the SDK's propagated context.
    with tracer.start_as_current_span("otel-in-root"):
        with tracer.start_as_current_span("otel-grandchild"):
            pass
    return child()

@ls.traceable(name="sdk-child")
def child():
    # Below the root the SDK's context names the run by the first 8 bytes of its id only.
    with tracer.start_as_current_span("otel-in-child"):
        pass
    # Linked explicitly by the run's full ids (LangSmith's documented attributes).
    rt = ls.get_current_run_tree()
    with tracer.start_as_current_span("otel-linked", attributes={
            "langsmith.trace.id": str(rt.trace_id), "langsmith.span.parent_id": str(rt.id)}):
        pass
    return "done"

root()
from langsmith.run_trees import get_cached_client
get_cached_client().flush()
trace.get_tracer_provider().force_flush()
tp.shutdown()
"""


def test_otel_spans_nest_under_sdk_runs(srv: AnvilServer, api: Api) -> None:
    """Native SDK runs (hybrid mode also exports the SDK's runs as spans, scope `langsmith`) plus
    the app's own OTel spans: the app's spans nest under the SDK's native runs in one trace."""
    project = unique("otel-mixed")
    run_sdk({"LANGSMITH_ENDPOINT": srv.api(), "LANGSMITH_API_KEY": srv.api_key, "LANGSMITH_PROJECT": project,
             "LANGSMITH_TRACING": "true", "LANGSMITH_TRACING_MODE": "hybrid"}, MIXED_APP)

    def tree():
        runs = api.query(session=[api.project_id(project)])
        native = [r for r in runs if r["extra"].get("metadata", {}).get("otel_scope") != "langsmith"]
        names = {r["name"]: r for r in native}
        return names if {"sdk-root", "sdk-child", "otel-in-root", "otel-grandchild", "otel-linked", "otel-in-child"} <= set(names) \
            and names["otel-linked"]["dotted_order"].startswith(names["sdk-child"]["dotted_order"]) \
            and names["otel-in-child"]["dotted_order"].startswith(names["sdk-child"]["dotted_order"]) else None
    runs = wait_for(tree, timeout=20, message="mixed tree")
    root, child = runs["sdk-root"], runs["sdk-child"]
    assert runs["otel-in-root"]["parent_run_id"] == root["id"]
    assert runs["otel-grandchild"]["parent_run_id"] == runs["otel-in-root"]["id"]
    assert runs["otel-linked"]["parent_run_id"] == child["id"]
    assert runs["otel-in-child"]["parent_run_id"] == child["id"]
    assert "anvil_orphan" not in runs["otel-in-child"]["extra"]["metadata"]
    for name in ["otel-in-root", "otel-grandchild", "otel-linked", "otel-in-child"]:
        assert runs[name]["trace_id"] == root["id"], name
        assert runs[name]["dotted_order"].startswith(root["dotted_order"] + "."), name


class JsonExporter:
    """An OTLP/HTTP JSON exporter over the OTel SDK's own encoder: the SDK ships protobuf only,
    so its ExportTraceServiceRequest is written as OTLP/JSON (camelCase, hex ids, enums as
    integers), as the OTLP spec defines it and the Collector's JSON exporters send it."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.url, self.headers = url, headers
        self.responses: list[requests.Response] = []

    def export(self, spans: Any) -> Any:
        import base64

        from google.protobuf.json_format import MessageToDict
        from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
        from opentelemetry.sdk.trace.export import SpanExportResult

        body = MessageToDict(encode_spans(spans), use_integers_for_enums=True)
        for rs in body["resourceSpans"]:
            for ss in rs["scopeSpans"]:
                for span in ss["spans"]:
                    for key in ("traceId", "spanId", "parentSpanId"):
                        if key in span:
                            span[key] = base64.b64decode(span[key]).hex()
        r = requests.post(self.url, data=json.dumps(body),
                          headers={**self.headers, "Content-Type": "application/json"}, timeout=30)
        self.responses.append(r)
        return SpanExportResult.SUCCESS if r.ok else SpanExportResult.FAILURE

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


def test_http_json_exporter_with_error_status(srv: AnvilServer, api: Api) -> None:
    project = unique("otel-sdk-json")
    exporter = JsonExporter(srv.api() + "/otel/v1/traces", {"x-api-key": srv.api_key, "Langsmith-Project": project})
    tp = provider(exporter)
    emit_agent(tp)
    with tp.get_tracer("app").start_as_current_span("boom", attributes={"langsmith.span.kind": "tool"}) as span:
        span.record_exception(ValueError("bad input"))
        span.set_status(Status(StatusCode.ERROR, "bad input"))
    tp.shutdown()
    assert exporter.responses and all(r.status_code == 200 for r in exporter.responses)
    assert all(r.headers["content-type"].startswith("application/json") for r in exporter.responses)
    runs = project_runs(api, project, 4, pred=lambda r: r["name"] == "boom" or r["dotted_order"].count(".") == (0 if r["name"] == "agent" else 1))
    boom = runs.pop("boom")
    assert_agent_tree(runs)
    assert boom["status"] == "error" and boom["error"] == "bad input" and boom["run_type"] == "tool"
    assert [e["name"] for e in boom["events"]] == ["exception"]
    assert boom["events"][0]["kwargs"]["exception.type"] == "ValueError"


@pytest.mark.parametrize("prefix", ["", "/api", "/api/v1"])
@pytest.mark.parametrize("path", ["/otel/v1/traces", "/v1/traces"])
def test_every_prefix(srv: AnvilServer, api: Api, prefix: str, path: str) -> None:
    project = unique("otel-prefix")
    tp = TracerProvider(resource=Resource.create({"service.name": "prefix"}))
    tp.add_span_processor(SimpleSpanProcessor(HttpExporter(
        endpoint=srv.url + prefix + path, headers={"x-api-key": srv.api_key, "Langsmith-Project": project})))
    with tp.get_tracer("app").start_as_current_span(f"at {prefix}{path}"):
        pass
    tp.shutdown()
    runs = project_runs(api, project, 1)
    assert list(runs) == [f"at {prefix}{path}"]


def proto_request(trace_id: bytes, names: list[str]) -> bytes:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
    from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span

    now = time.time_ns()
    root = os.urandom(8)
    spans = [Span(trace_id=trace_id, span_id=root, name=names[0], start_time_unix_nano=now, end_time_unix_nano=now + 1000)]
    for name in names[1:]:
        spans.append(Span(trace_id=trace_id, span_id=os.urandom(8), parent_span_id=root, name=name,
                          start_time_unix_nano=now, end_time_unix_nano=now + 1000,
                          attributes=[KeyValue(key="gen_ai.usage.input_tokens", value=AnyValue(int_value=1))]))
    return ExportTraceServiceRequest(resource_spans=[ResourceSpans(scope_spans=[ScopeSpans(spans=spans)])]).SerializeToString()


def test_kill9_after_ack_keeps_every_span(server_factory) -> None:
    """An OTLP 200 (HTTP) or OK (gRPC) means durable: kill -9 right after the last answer loses nothing."""
    import grpc
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

    s: AnvilServer = server_factory()
    api = Api(s.api(), s.api_key)
    project = unique("otel-crash")
    names: list[str] = []
    for i in range(20):
        batch = [f"t{i}-s{j}" for j in range(50)]
        r = requests.post(s.api() + "/otel/v1/traces", data=proto_request(os.urandom(16), batch),
                          headers={"x-api-key": s.api_key, "Langsmith-Project": project,
                                   "Content-Type": "application/x-protobuf"}, timeout=30)
        assert r.status_code == 200, r.text
        names += batch
    with grpc.insecure_channel(f"127.0.0.1:{s.grpc_port}") as channel:
        stub = trace_service_pb2_grpc.TraceServiceStub(channel)
        batch = [f"grpc-s{j}" for j in range(50)]
        request = trace_service_pb2.ExportTraceServiceRequest.FromString(proto_request(os.urandom(16), batch))
        stub.Export(request, metadata=(("x-api-key", s.api_key), ("langsmith-project", project)), timeout=30)
        names += batch
    s.kill9()
    s.restart()
    runs = project_runs(api, project, len(names), timeout=60)
    assert set(runs) == set(names)
    roots = [r for r in runs.values() if r["parent_run_id"] is None]
    assert len(roots) == 21 and all(r["total_tokens"] == 49 for r in roots)


def test_grpc_applies_roles_and_workspaces_like_http(srv: AnvilServer) -> None:
    """gRPC sits outside the HTTP permission middleware, so it checks the same rules itself: a
    viewer key may not export (PERMISSION_DENIED over gRPC, 403 over HTTP), nor may a key name a
    workspace it has no access to."""
    import grpc
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

    h = {"x-api-key": srv.api_key}
    roles = {r["name"]: r["id"] for r in requests.get(f"{srv.api()}/orgs/current/roles", headers=h, timeout=10).json()}
    r = requests.post(f"{srv.api()}/api-key", headers=h, json={"description": "otel viewer", "role_id": roles["WORKSPACE_VIEWER"]}, timeout=10)
    assert r.status_code in (200, 201), r.text
    viewer = r.json()["key"]
    body = proto_request(os.urandom(16), ["viewer-span"])
    http = requests.post(srv.api() + "/otel/v1/traces", data=body,
                         headers={"x-api-key": viewer, "Content-Type": "application/x-protobuf"}, timeout=30)
    assert_detail(http, [403])
    request = trace_service_pb2.ExportTraceServiceRequest.FromString(body)
    with grpc.insecure_channel(f"127.0.0.1:{srv.grpc_port}") as channel:
        stub = trace_service_pb2_grpc.TraceServiceStub(channel)
        for metadata in [(("x-api-key", viewer),), (("x-api-key", srv.api_key), ("x-tenant-id", str(uuid.uuid4()))),
                         (("x-api-key", srv.api_key), ("x-tenant-id", "not-a-uuid"))]:
            with pytest.raises(grpc.RpcError) as err:
                stub.Export(request, metadata=metadata, timeout=10)
            assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED, metadata
            assert err.value.details()
        # The same request with an editor key and its own workspace goes through.
        stub.Export(request, metadata=(("authorization", f"Bearer {srv.api_key}"),), timeout=10)


OTEL_ONLY_APP = MIXED_APP.replace('@ls.traceable(name="sdk-child")', '@ls.traceable(name="sdk-child", run_type="tool")')


def test_otel_only_mode_app_spans_are_kept_as_marked_roots(srv: AnvilServer, api: Api) -> None:
    """In otel-only mode the SDK never sends the run UUIDs its context names, so the app's own spans
    inside @traceable cannot be placed (documented limit); they must still be kept and shown as
    marked roots, while the SDK's spans form their own tree."""
    project = unique("otel-only-mixed")
    run_sdk({"LANGSMITH_ENDPOINT": srv.api(), "LANGSMITH_API_KEY": srv.api_key, "LANGSMITH_PROJECT": project,
             "LANGSMITH_TRACING": "true", "LANGSMITH_TRACING_MODE": "otel"}, OTEL_ONLY_APP)
    app_spans = {"otel-in-root", "otel-in-child"}

    def settled():
        runs = {r["name"]: r for r in api.query(session=[api.project_id(project)])} if api.project(project) else {}
        ok = {"sdk-root", "sdk-child", "otel-grandchild", "otel-linked"} | app_spans <= set(runs) \
            and all(runs[n]["parent_run_id"] is None for n in app_spans)
        return runs if ok else None
    runs = wait_for(settled, timeout=ORPHAN_GRACE_S + 25, message="otel-only spans settled")
    for name in app_spans:
        assert runs[name]["extra"]["metadata"]["anvil_orphan"] is True, name
    assert runs["otel-grandchild"]["parent_run_id"] == runs["otel-in-root"]["id"]
    assert runs["sdk-root"]["parent_run_id"] is None and runs["sdk-child"]["parent_run_id"] == runs["sdk-root"]["id"]
    assert runs["sdk-child"]["run_type"] == "tool"
    assert "anvil_orphan" not in runs["sdk-root"]["extra"]["metadata"]
