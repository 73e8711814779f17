"""Tracing with the real SDK (traceable, RunTree, LangChain) and reading it back."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any, AsyncIterator, Iterator, Optional

import pytest

from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.tracers.langchain import LangChainTracer, wait_for_all_tracers
from langsmith import run_trees as ls_run_trees
from langsmith import traceable
from langsmith.run_helpers import get_current_run_tree, tracing_context
from langsmith.run_trees import RunTree

from anvil_server import AnvilServer
from conftest import FULL_BATCH_INGEST_CONFIG, Sdk, set_langsmith_env
from fake_chat_model import UsageChatModel
from wire import Api, parse_time, unique, wait_for

# -- helpers ----------------------------------------------------------------------------


def project_runs(api: Api, project: str, **body: Any) -> list[dict]:
    project_id = api.project_id(project)
    return api.query(session=[project_id], **body)


def wait_project_runs(api: Api, project: str, count: int, *, pred=None, timeout: float = 10) -> dict[str, dict]:
    """Wait until the project holds exactly `count` runs (all satisfying `pred`); by name."""

    def check() -> Optional[list[dict]]:
        runs = project_runs(api, project)
        if len(runs) < count or (pred and not all(pred(r) for r in runs)):
            return None
        return runs

    runs = wait_for(check, timeout=timeout, message=f"{count} runs in {project}")
    assert len(runs) == count, f"expected {count} runs, got {sorted(r['name'] for r in runs)}"
    return {r["name"]: r for r in runs}


def finished(run: dict) -> bool:
    return run.get("end_time") is not None


def assert_child_of(child: dict, parent: dict) -> None:
    assert child["parent_run_id"] == parent["id"], (child["name"], parent["name"])
    assert child["trace_id"] == parent["trace_id"]
    assert child["dotted_order"].startswith(parent["dotted_order"] + "."), (child["dotted_order"], parent["dotted_order"])


def assert_close(actual: Any, expected: float) -> None:
    assert actual is not None, f"expected {expected}, got None"
    assert abs(Decimal(str(actual)) - Decimal(str(expected))) < Decimal("1e-9"), (actual, expected)


# -- @traceable -------------------------------------------------------------------------


def test_traceable_nested_sync(sdk: Sdk, api: Api, project: str) -> None:
    @traceable(name="leaf", run_type="tool")
    def leaf(x: int) -> int:
        return x * 2

    @traceable(name="middle")
    def middle(x: int) -> int:
        return leaf(x) + leaf(x + 1)

    @traceable(name="outer", tags=["t-outer"], metadata={"team": "anvil"})
    def outer(x: int) -> dict:
        return {"total": middle(x)}

    root_id = uuid.uuid4()
    with tracing_context(client=sdk.client, project_name=project, enabled=True):
        assert outer(3, langsmith_extra={"run_id": root_id}) == {"total": 14}
    sdk.flush()

    runs = wait_for(lambda: (lambda rs: rs if len(rs) == 4 and all(map(finished, rs)) else None)(
        project_runs(api, project)), message="4 finished runs")
    by_name: dict[str, list[dict]] = {}
    for r in runs:
        by_name.setdefault(r["name"], []).append(r)
    assert sorted(by_name) == ["leaf", "middle", "outer"] and len(by_name["leaf"]) == 2
    root, mid, leaves = by_name["outer"][0], by_name["middle"][0], by_name["leaf"]

    assert root["id"] == str(root_id) and root["trace_id"] == str(root_id)
    assert root["parent_run_id"] is None
    assert_child_of(mid, root)
    for lf in leaves:
        assert_child_of(lf, mid)
        assert lf["run_type"] == "tool"
    assert root["inputs"] == {"x": 3} and root["outputs"] == {"total": 14}
    assert mid["outputs"] == {"output": 14}
    assert sorted(lf["outputs"]["output"] for lf in leaves) == [6, 8]
    assert "t-outer" in root["tags"]
    assert root["extra"]["metadata"]["team"] == "anvil"
    assert all(r["status"] == "success" for r in runs)
    for r in runs:
        assert parse_time(r["end_time"]) >= parse_time(r["start_time"])

    # Derived child_run_ids on the single-run read.
    full_mid = api.run(mid["id"])
    assert sorted(full_mid["child_run_ids"] or []) == sorted(lf["id"] for lf in leaves)

    # The SDK's own views of the same tree.
    client = sdk.client
    assert [r.name for r in client.list_runs(project_name=project, is_root=True)] == ["outer"]
    assert sorted(r.name for r in client.list_runs(project_name=project, trace_id=root_id)) == [
        "leaf", "leaf", "middle", "outer"]
    assert sorted(r.name for r in client.list_runs(project_name=project, parent_run_id=mid["id"])) == ["leaf", "leaf"]
    assert sorted(r.name for r in client.list_runs(project_name=project, run_type="tool")) == ["leaf", "leaf"]
    tree = client.read_run(root_id, load_child_runs=True)
    assert [c.name for c in tree.child_runs] == ["middle"]
    assert sorted(c.outputs["output"] for c in tree.child_runs[0].child_runs) == [6, 8]


def test_traceable_nested_async(sdk: Sdk, api: Api, project: str) -> None:
    @traceable(name="async-child", run_type="retriever")
    async def child(q: str) -> list[str]:
        await asyncio.sleep(0.01)
        return [q.upper()]

    @traceable(name="async-root")
    async def root(qs: list[str]) -> dict:
        docs = await asyncio.gather(*(child(q) for q in qs))
        return {"docs": [d[0] for d in docs]}

    async def main() -> dict:
        with tracing_context(client=sdk.client, project_name=project, enabled=True):
            return await root(["a", "b", "c"])

    assert asyncio.run(main()) == {"docs": ["A", "B", "C"]}
    sdk.flush()
    runs = wait_for(lambda: (lambda rs: rs if len(rs) == 4 and all(map(finished, rs)) else None)(
        project_runs(api, project)), message="4 finished runs")
    root_run = next(r for r in runs if r["name"] == "async-root")
    children = [r for r in runs if r["name"] == "async-child"]
    assert len(children) == 3
    for c in children:
        assert_child_of(c, root_run)
        assert c["run_type"] == "retriever"
    assert sorted(c["inputs"]["q"] for c in children) == ["a", "b", "c"]
    assert sorted(c["outputs"]["output"][0] for c in children) == ["A", "B", "C"]
    assert root_run["outputs"] == {"docs": ["A", "B", "C"]}


def test_traceable_generators_record_first_token(sdk: Sdk, api: Api, project: str) -> None:
    @traceable(name="sync-stream", run_type="llm")
    def stream(n: int) -> Iterator[str]:
        for i in range(n):
            yield f"t{i}"

    @traceable(name="async-stream", run_type="llm", reduce_fn=lambda chunks: {"text": "".join(chunks)})
    async def astream(n: int) -> AsyncIterator[str]:
        for i in range(n):
            await asyncio.sleep(0.005)
            yield f"a{i}"

    @traceable(name="stream-parent")
    def parent() -> str:
        async def consume() -> str:
            return "".join([c async for c in astream(2)])

        return "".join(stream(3)) + asyncio.run(consume())

    with tracing_context(client=sdk.client, project_name=project, enabled=True):
        assert parent() == "t0t1t2a0a1"
    sdk.flush()
    runs = wait_project_runs(api, project, 3, pred=finished)
    sync_run, async_run = runs["sync-stream"], runs["async-stream"]
    assert sync_run["outputs"] == {"output": ["t0", "t1", "t2"]}
    assert async_run["outputs"] == {"text": "a0a1"}
    for r in (sync_run, async_run):
        assert_child_of(r, runs["stream-parent"])
        assert r["first_token_time"] is not None, f"{r['name']}: new_token event not turned into first_token_time"
        ftt = parse_time(r["first_token_time"])
        assert parse_time(r["start_time"]) <= ftt <= parse_time(r["end_time"])
    # Runs without new_token events have none.
    assert runs["stream-parent"].get("first_token_time") is None


def test_traceable_errors(sdk: Sdk, api: Api, project: str) -> None:
    @traceable(name="fails")
    def fails(x: int) -> int:
        raise ValueError(f"bad input {x}")

    @traceable(name="works")
    def works(x: int) -> int:
        return x

    @traceable(name="handles")
    def handles() -> str:
        works(1)
        try:
            fails(2)
        except ValueError:
            return "recovered"
        return "unreachable"

    @traceable(name="crashes")
    def crashes() -> None:
        fails(3)

    with tracing_context(client=sdk.client, project_name=project, enabled=True):
        handles()
        with pytest.raises(ValueError):
            crashes()
    sdk.flush()
    runs = wait_for(lambda: (lambda rs: rs if len(rs) == 5 and all(map(finished, rs)) else None)(
        project_runs(api, project)), message="5 finished runs")
    failed = [r for r in runs if r["name"] == "fails"]
    assert len(failed) == 2
    for r in failed:
        assert r["status"] == "error"
        assert "ValueError" in r["error"] and "bad input" in r["error"]
    by = {r["name"]: r for r in runs if r["name"] != "fails"}
    assert by["handles"]["status"] == "success" and by["handles"]["error"] is None
    assert by["works"]["status"] == "success"
    assert by["crashes"]["status"] == "error" and "bad input 3" in by["crashes"]["error"]

    errored = {r.name for r in sdk.client.list_runs(project_name=project, error=True)}
    ok = {r.name for r in sdk.client.list_runs(project_name=project, error=False)}
    assert errored == {"fails", "crashes"} and ok == {"handles", "works"}


def test_usage_metadata_tokens_and_costs(sdk: Sdk, api: Api, project: str) -> None:
    usage = {
        "input_tokens": 11,
        "output_tokens": 7,
        "total_tokens": 18,
        "input_token_details": {"cache_read": 3, "audio": 1},
        "output_token_details": {"reasoning": 2},
        "input_cost": 0.011,
        "output_cost": 0.014,
        "total_cost": 0.025,
        "input_cost_details": {"cache_read": 0.001},
        "output_cost_details": {"reasoning": 0.004},
    }

    @traceable(name="llm-in-outputs", run_type="llm")
    def from_outputs(prompt: str) -> dict:
        return {"choices": [{"message": {"role": "assistant", "content": "hi"}}], "usage_metadata": usage}

    @traceable(name="llm-via-set", run_type="llm")
    def via_set(prompt: str) -> str:
        rt = get_current_run_tree()
        assert rt is not None
        rt.set(usage_metadata={"input_tokens": 4, "output_tokens": 6, "total_tokens": 10})
        return "ok"

    with tracing_context(client=sdk.client, project_name=project, enabled=True):
        from_outputs("hello")
        via_set("hello")
    sdk.flush()
    runs = wait_project_runs(api, project, 2, pred=finished)

    r = runs["llm-in-outputs"]
    assert (r["prompt_tokens"], r["completion_tokens"], r["total_tokens"]) == (11, 7, 18)
    assert r["prompt_token_details"] == {"cache_read": 3, "audio": 1}
    assert r["completion_token_details"] == {"reasoning": 2}
    assert_close(r["prompt_cost"], 0.011)
    assert_close(r["completion_cost"], 0.014)
    assert_close(r["total_cost"], 0.025)
    assert_close((r.get("prompt_cost_details") or {}).get("cache_read"), 0.001)
    assert_close((r.get("completion_cost_details") or {}).get("reasoning"), 0.004)

    s = runs["llm-via-set"]
    assert (s["prompt_tokens"], s["completion_tokens"], s["total_tokens"]) == (4, 6, 10)

    # The SDK parses the same numbers into its Run model (costs as Decimal).
    run = sdk.client.read_run(r["id"])
    assert (run.prompt_tokens, run.completion_tokens, run.total_tokens) == (11, 7, 18)
    assert run.input_tokens == 11 and run.output_tokens == 7
    assert_close(run.total_cost, 0.025)
    assert run.prompt_token_details == {"cache_read": 3, "audio": 1}


def test_thread_ids_from_metadata(sdk: Sdk, api: Api, project: str) -> None:
    @traceable(name="turn")
    def turn(text: str) -> str:
        return text[::-1]

    turns = [
        ("a1", {"session_id": "thread-a"}),
        ("a2", {"session_id": "thread-a"}),
        ("b1", {"thread_id": "thread-b"}),
        ("c1", {"conversation_id": "thread-c"}),
        ("none", {"user": "nobody"}),
    ]
    with tracing_context(client=sdk.client, project_name=project, enabled=True):
        for text, md in turns:
            turn(text, langsmith_extra={"metadata": md})
    sdk.flush()
    wait_for(lambda: len(project_runs(api, project)) == 5, message="5 runs")

    runs = project_runs(api, project, select=["id", "name", "inputs", "thread_id"])
    by_text = {r["inputs"]["text"]: r.get("thread_id") for r in runs}
    assert by_text == {"a1": "thread-a", "a2": "thread-a", "b1": "thread-b", "c1": "thread-c", "none": None}

    threads = sdk.client.list_threads(project_name=project)
    assert {t["thread_id"]: t["count"] for t in threads} == {"thread-a": 2, "thread-b": 1, "thread-c": 1}


def test_many_traces_from_threads(sdk: Sdk, api: Api, project: str) -> None:
    """Many traces from several threads: the SDK batches and sends on parallel threads."""
    from concurrent.futures import ThreadPoolExecutor

    @traceable(name="load-leaf")
    def leaf(i: int, j: int) -> int:
        return i * j

    @traceable(name="load-root")
    def root(i: int) -> list[int]:
        return [leaf(i, j) for j in range(3)]

    def work(i: int) -> None:
        with tracing_context(client=sdk.client, project_name=project, enabled=True):
            root(i)

    n = 60
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, range(n)))
    sdk.flush()
    runs = wait_for(lambda: (lambda rs: rs if len(rs) >= 4 * n and all(map(finished, rs)) else None)(
        project_runs(api, project, select=["id", "name", "parent_run_id", "end_time", "inputs", "outputs"])),
        timeout=30, message=f"{4 * n} finished runs")
    assert len(runs) == 4 * n and len({r["id"] for r in runs}) == 4 * n
    roots = {r["id"]: r for r in runs if r["name"] == "load-root"}
    assert sorted(r["inputs"]["i"] for r in roots.values()) == list(range(n))
    children: dict[str, list[dict]] = {}
    for r in runs:
        if r["name"] == "load-leaf":
            children.setdefault(r["parent_run_id"], []).append(r)
    assert set(children) == set(roots)
    for rid, kids in children.items():
        i = roots[rid]["inputs"]["i"]
        assert sorted(k["outputs"]["output"] for k in kids) == [i * j for j in range(3)]


# -- RunTree ----------------------------------------------------------------------------


def test_runtree_post_then_patch(sdk: Sdk, api: Api, project: str) -> None:
    root = RunTree(name="rt-root", run_type="chain", inputs={"question": "why?"}, project_name=project,
                   client=sdk.client, tags=["rt"], extra={"metadata": {"stage": "post"}})
    root.post()
    child = root.create_child(name="rt-child", run_type="tool", inputs={"q": 1})
    child.post()
    # Send the posts on their own, so the patches below arrive in later requests.
    sdk.flush()
    wait_for(lambda: api.run(str(child.id)), message="posted child")
    posted = api.run(str(root.id))
    assert posted["end_time"] is None and posted["outputs"] in (None, {})
    assert posted["status"] in ("pending", "running"), posted["status"]

    child.end(outputs={"a": 2})
    child.patch()
    root.end(outputs={"answer": "because"})
    root.patch()
    failing = root.create_child(name="rt-failing", run_type="llm", inputs={"p": "x"})
    failing.post()
    failing.end(error="RuntimeError: model unavailable")
    failing.patch()
    sdk.flush()

    runs = wait_project_runs(api, project, 3, pred=finished)
    r, c, f = runs["rt-root"], runs["rt-child"], runs["rt-failing"]
    assert r["inputs"] == {"question": "why?"}, "patch (which omits inputs) must not erase posted inputs"
    assert r["outputs"] == {"answer": "because"}
    assert r["tags"] == ["rt"] and r["extra"]["metadata"]["stage"] == "post"
    assert r["status"] == "success"
    assert_child_of(c, r)
    assert c["inputs"] == {"q": 1} and c["outputs"] == {"a": 2}
    assert_child_of(f, r)
    assert f["status"] == "error" and f["error"] == "RuntimeError: model unavailable"
    assert sorted(api.run(r["id"])["child_run_ids"]) == sorted([c["id"], f["id"]])


# -- LangChain --------------------------------------------------------------------------


def _chain():
    prompt = ChatPromptTemplate.from_messages([("human", "What is the capital of {country}?")])
    return prompt | UsageChatModel() | StrOutputParser()


def _check_chain_runs(runs: dict[str, dict]) -> dict:
    root = runs["RunnableSequence"]
    assert root["run_type"] == "chain" and root["parent_run_id"] is None
    assert root["inputs"] == {"country": "France"}
    assert root["outputs"] == {"output": "Paris is the capital"}
    for name, run_type in (("ChatPromptTemplate", "prompt"), ("UsageChatModel", "llm"), ("StrOutputParser", "parser")):
        assert runs[name]["run_type"] == run_type
        assert_child_of(runs[name], root)
    llm = runs["UsageChatModel"]
    assert (llm["prompt_tokens"], llm["completion_tokens"], llm["total_tokens"]) == (12, 5, 17)
    assert llm["extra"]["metadata"]["ls_model_name"] == "anvil-fake-1"
    assert llm["status"] == "success"
    return llm


def test_langchain_chain_invoke(sdk: Sdk, api: Api, project: str) -> None:
    tracer = LangChainTracer(client=sdk.client, project_name=project)
    assert _chain().invoke({"country": "France"}, config={"callbacks": [tracer]}) == "Paris is the capital"
    wait_for_all_tracers()
    sdk.flush()
    runs = wait_project_runs(api, project, 4, pred=finished)
    llm = _check_chain_runs(runs)
    assert llm.get("first_token_time") is None
    # The SDK model sees the usage too.
    run = sdk.client.read_run(llm["id"])
    assert run.total_tokens == 17 and run.outputs["generations"]


def test_langchain_chain_stream(sdk: Sdk, api: Api, project: str) -> None:
    tracer = LangChainTracer(client=sdk.client, project_name=project)
    chunks = list(_chain().stream({"country": "France"}, config={"callbacks": [tracer]}))
    assert "".join(chunks) == "Paris is the capital"
    wait_for_all_tracers()
    sdk.flush()
    runs = wait_project_runs(api, project, 4, pred=finished)
    llm = _check_chain_runs(runs)
    assert llm["first_token_time"] is not None
    assert parse_time(llm["start_time"]) <= parse_time(llm["first_token_time"]) <= parse_time(llm["end_time"])


# -- transport variants -----------------------------------------------------------------


def _traced_workload(sdk: Sdk, project: str) -> str:
    """A small trace plus a slow RunTree whose post and patch are separate ops."""

    @traceable(name="w-leaf")
    def leaf(i: int) -> int:
        return i + 1

    @traceable(name="w-root")
    def root(n: int) -> list[int]:
        return [leaf(i) for i in range(n)]

    with tracing_context(client=sdk.client, project_name=project, enabled=True):
        root(3)
    slow = RunTree(name="w-slow", run_type="chain", inputs={"slow": True}, project_name=project, client=sdk.client)
    slow.post()
    slow.end(outputs={"done": True})
    slow.patch()
    sdk.flush()
    return str(slow.id)


def _check_workload(api: Api, project: str) -> None:
    runs = wait_for(lambda: (lambda rs: rs if len(rs) == 5 and all(map(finished, rs)) else None)(
        project_runs(api, project)), message="5 finished runs")
    root = next(r for r in runs if r["name"] == "w-root")
    leaves = [r for r in runs if r["name"] == "w-leaf"]
    assert len(leaves) == 3 and root["outputs"] == {"output": [1, 2, 3]}
    for lf in leaves:
        assert_child_of(lf, root)
    slow = next(r for r in runs if r["name"] == "w-slow")
    assert slow["inputs"] == {"slow": True} and slow["outputs"] == {"done": True}


def test_zstd_compressed_tracing(make_sdk, server: AnvilServer, api: Api, project: str) -> None:
    version = api.get("/info").json()["version"]
    sdk: Sdk = make_sdk(info={"version": version, "batch_ingest_config": FULL_BATCH_INGEST_CONFIG,
                              "instance_flags": {"zstd_compression_enabled": True}})
    _traced_workload(sdk, project)
    sends = sdk.ingest_calls("/runs/multipart")
    assert sends, "the SDK sent nothing to /runs/multipart"
    assert all(c.request_headers.get("Content-Encoding") == "zstd" for c in sends), \
        [c.request_headers.get("Content-Encoding") for c in sends]
    assert all(c.ok for c in sends)
    _check_workload(api, project)


def test_runs_batch_tracing(make_sdk, api: Api, project: str) -> None:
    cfg = {**FULL_BATCH_INGEST_CONFIG, "use_multipart_endpoint": False}
    sdk: Sdk = make_sdk(info={"version": "0.10.0", "batch_ingest_config": cfg})
    _traced_workload(sdk, project)
    assert sdk.ingest_calls("/runs/batch") and not sdk.ingest_calls("/runs/multipart")
    _check_workload(api, project)


def test_unbatched_create_and_update_run(make_sdk, api: Api, project: str) -> None:
    sdk: Sdk = make_sdk(auto_batch_tracing=False)
    _traced_workload(sdk, project)
    assert sdk.ingest_calls("/runs") and any(c.method == "PATCH" for c in sdk.calls)
    assert not sdk.ingest_calls("/runs/multipart") and not sdk.ingest_calls("/runs/batch")
    _check_workload(api, project)

    # A run without trace_id/dotted_order/start_time (AsyncClient-style): server defaults them.
    rid = uuid.uuid4()
    sdk.client.request_with_retries("POST", "/runs", request_kwargs={"json": {
        "id": str(rid), "name": "bare", "run_type": "chain", "inputs": {"a": 1}, "session_name": project}})
    sdk.client.update_run(rid, outputs={"b": 2})
    run = wait_for(lambda: (lambda r: r if r and r.get("outputs") == {"b": 2} else None)(api.run(str(rid))),
                   message="bare run with outputs")
    assert run["trace_id"] == str(rid)
    assert run["dotted_order"].endswith(str(rid)) and "." not in run["dotted_order"]
    assert run["start_time"] and run["end_time"] and run["inputs"] == {"a": 1}


def test_env_only_configuration(server: AnvilServer, api: Api, project: str, monkeypatch) -> None:
    """A user who only sets LANGSMITH_* env vars (no explicit client) lands in Anvil."""
    set_langsmith_env(monkeypatch, server.api("/api/v1"), server.api_key, project=project)
    monkeypatch.setattr(ls_run_trees, "_CLIENT", None)

    @traceable(name="env-run")
    def f(x: int) -> int:
        return x + 1

    f(1)
    _chain().invoke({"country": "France"})
    wait_for_all_tracers()
    client = ls_run_trees.get_cached_client()
    assert client.api_url == server.api("/api/v1")
    client.flush(timeout=30)
    runs = wait_project_runs(api, project, 5, pred=finished)
    assert runs["env-run"]["outputs"] == {"output": 2}
    _check_chain_runs(runs)
    client.close(timeout=5)


def test_same_calls_under_every_prefix(server: AnvilServer, prefix: str, monkeypatch, make_sdk) -> None:
    """LANGSMITH_ENDPOINT ending in nothing, /api or /api/v1 all work end to end."""
    sdk: Sdk = make_sdk(prefix, from_env=True)  # Client() configured by LANGSMITH_ENDPOINT/API_KEY only
    client = sdk.client
    assert client.api_url == server.url + prefix and client.api_key == server.api_key
    project = unique("prefix")
    created = client.create_project(project, description="prefix coverage")
    assert client.read_project(project_name=project).id == created.id
    assert client.read_project(project_id=created.id).name == project
    assert [p.id for p in client.list_projects(name=project)] == [created.id]

    @traceable(name="prefixed")
    def f(x: int) -> int:
        return x * 10

    rid = uuid.uuid4()
    with tracing_context(client=client, project_name=project, enabled=True):
        f(4, langsmith_extra={"run_id": rid})
    sdk.flush()
    run = wait_for(lambda: next(iter(client.list_runs(project_name=project)), None), message="traced run")
    assert run.id == rid and run.outputs == {"output": 40}
    assert client.read_run(rid).session_id == created.id

    client.create_feedback(rid, "prefix-ok", score=1, session_id=created.id)
    fb = wait_for(lambda: list(client.list_feedback(run_ids=[rid])), message="feedback")
    assert [f.key for f in fb] == ["prefix-ok"]

    url = client.share_run(rid)
    assert client.read_shared_run(url).id == rid
    client.unshare_run(rid)
    client.delete_project(project_id=created.id)

    # Every request really went under the prefix (and nothing fell back elsewhere).
    paths = {c.path for c in sdk.calls}
    assert paths and all(p.startswith(prefix + "/") for p in paths), sorted(paths)
    if prefix == "":
        assert not any(p.startswith("/api/") for p in paths), sorted(paths)
    assert all(c.ok for c in sdk.calls), [(c.method, c.path, c.status) for c in sdk.calls if not c.ok]


# -- large payloads are stored compressed and read back as sent ---------------------------


def test_large_payloads_compressed_read_back_and_filtered(sdk: Sdk, api: Api, server: AnvilServer, project: str) -> None:
    import sqlite3

    words = "refund invoice shipping customer answer context document retrieval token latency".split()
    prose = " ".join(words[(i * 7 + i // 3) % len(words)] for i in range(900))  # ~8 KB
    marker = f"needle-{uuid.uuid4().hex[:8]}"

    @traceable(name="big-payload")
    def answer(question: str, context: str) -> dict:
        return {"answer": f"{marker} " + prose, "score": 3}

    run_id = uuid.uuid4()
    with tracing_context(client=sdk.client, project_name=project, enabled=True):
        answer("where is my refund?", prose, langsmith_extra={"run_id": run_id})
    sdk.flush()
    wait_for(lambda: (lambda rs: rs if len(rs) == 1 and finished(rs[0]) else None)(project_runs(api, project)),
             message="the run is stored")

    # Stored as zstd frames (BLOBs), much smaller than the JSON.
    db = sqlite3.connect(f"file:{server.data_dir / 'traces.sqlite'}?mode=ro", uri=True)
    try:
        kinds = db.execute("SELECT typeof(inputs), length(inputs), typeof(outputs), length(outputs) FROM runs WHERE id = ?",
                           (run_id.bytes,)).fetchone()
    finally:
        db.close()
    assert kinds[0] == "blob" and kinds[2] == "blob", kinds
    assert kinds[1] < len(prose) / 3 and kinds[3] < len(prose) / 3, kinds

    # The SDK reads the JSON back unchanged, and filters see inside the compressed payloads.
    run = sdk.client.read_run(run_id)
    assert run.inputs == {"question": "where is my refund?", "context": prose}
    assert run.outputs == {"answer": f"{marker} " + prose, "score": 3}
    assert [r.id for r in sdk.client.list_runs(project_name=project, filter=f'search("{marker}")')] == [run_id]
    assert [r.id for r in sdk.client.list_runs(project_name=project, filter="""has(outputs, '{"score": 3}')""")] == [run_id]
    assert list(sdk.client.list_runs(project_name=project, filter='search("no-such-needle-anywhere")')) == []
