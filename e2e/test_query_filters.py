"""/runs/query: the filter DSL, trace/tree filters, body parameters, select and cursors.

One fixture project holds runs with distinct names, tags, metadata, latencies, tokens,
costs, errors and feedback; every case states EXACTLY which run names it must return.
Token-bearing runs are single-run traces, so the cases hold whether or not a server
rolls child usage up into parents.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any, Optional

import pytest

import langsmith

from anvil_server import AnvilServer
from conftest import assert_server_alive
from wire import Api, assert_detail, iso, new_run, unique, wait_for

T0 = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2)).replace(microsecond=0)


@dataclass
class Spec:
    name: str
    run_type: str
    at: float  # seconds after T0
    latency: float
    parent: Optional[str] = None
    tags: tuple[str, ...] = ()
    metadata: Optional[dict] = None
    usage: Optional[dict] = None
    error: Optional[str] = None
    inputs: Optional[dict] = None
    outputs: Optional[dict] = None


SPECS = [
    Spec("alpha", "chain", 0, 1.0, tags=("prod", "blue"), metadata={"user": "u1", "tier": "gold"},
         inputs={"question": "capital of France?"}, outputs={"answer": "Paris, see zanzibar-marker"}),
    Spec("alpha-llm", "llm", 0.1, 0.5, parent="alpha", tags=("inner",), outputs={"text": "Paris"}),
    Spec("alpha-tool", "tool", 0.7, 0.2, parent="alpha", tags=("inner",), error="ToolError: boom"),
    Spec("beta", "chain", 60, 3.0, tags=("dev",), metadata={"user": "u2", "tier": "silver"},
         outputs={"answer": "Berlin"}),
    Spec("beta-retriever", "retriever", 60.5, 0.1, parent="beta", tags=("inner",), outputs={"docs": []}),
    Spec("gamma", "llm", 120, 5.0, tags=("prod", "red"), metadata={"user": "u1"},
         usage={"input_tokens": 1000, "output_tokens": 200, "total_tokens": 1200,
                "input_cost": 0.3, "output_cost": 0.2, "total_cost": 0.5},
         error="RateLimitError: slow down"),
    Spec("delta", "chain", 180, 0.05, metadata={"tier": "gold"}, outputs={"ok": True}),
    Spec("epsilon", "tool", 240, 2.0, tags=("blue",), outputs={"ok": True}),
    Spec("zeta", "llm", 300, 0.8, tags=("dev",), metadata={"user": "u3"},
         usage={"input_tokens": 40, "output_tokens": 10, "total_tokens": 50,
                "input_cost": 0.004, "output_cost": 0.006, "total_cost": 0.01},
         outputs={"text": "ok"}),
]
ALL = {s.name for s in SPECS}
ROOTS = {s.name for s in SPECS if s.parent is None}
FEEDBACK = [("alpha", "correctness", 1.0), ("beta", "correctness", 0.0),
            ("gamma", "helpfulness", 0.3), ("alpha-llm", "helpfulness", 0.9)]


@dataclass
class Fixture:
    api: Api
    client: langsmith.Client
    project: str
    project_id: str
    other_project_id: str
    ids: dict[str, str]
    other_alpha_id: str

    def resolve(self, text: str) -> str:
        """Replace <id:name> and <t:seconds> placeholders."""
        text = re.sub(r"<id:([\w-]+)>", lambda m: self.ids[m.group(1)], text)
        return re.sub(r"<t:([\d.]+)>", lambda m: iso(T0 + dt.timedelta(seconds=float(m.group(1)))), text)


@pytest.fixture(scope="module")
def fx(server: AnvilServer) -> Fixture:
    api = Api(server.api("/api/v1"), server.api_key)
    project, other = unique("filters"), unique("filters-other")
    runs: dict[str, dict] = {}
    for s in SPECS:
        runs[s.name] = new_run(
            s.name, project=project, run_type=s.run_type, parent=runs[s.parent] if s.parent else None,
            start=T0 + dt.timedelta(seconds=s.at), latency=s.latency, tags=list(s.tags),
            metadata=s.metadata, usage=s.usage, error=s.error,
            inputs=s.inputs or {"name": s.name}, outputs=s.outputs)
    other_alpha = new_run("alpha", project=other, start=T0, latency=1.0, tags=["prod", "blue"])
    api.ingest(list(runs.values()) + [other_alpha])

    ids = {name: r["id"] for name, r in runs.items()}
    project_id = api.project_id(project)
    wait_for(lambda: len(api.query(session=[project_id])) == len(SPECS), message="fixture runs")
    for name, key, score in FEEDBACK:
        r = api.post("/feedback", json={"id": str(uuid.uuid4()), "run_id": ids[name], "trace_id": runs[name]["trace_id"],
                                        "key": key, "score": score, "feedback_source": {"type": "api"}})
        assert 200 <= r.status_code < 300, r.text
    for key, n in (("correctness", 2), ("helpfulness", 2)):
        wait_for(lambda: len(api.query(session=[project_id], filter=f'eq(feedback_key, "{key}")')) == n,
                 message=f"feedback {key} to be queryable")
    client = langsmith.Client(api_url=server.api("/api/v1"), api_key=server.api_key, auto_batch_tracing=False)
    return Fixture(api, client, project, project_id, api.project_id(other), ids, other_alpha["id"])


def names(runs: list[Any]) -> list[str]:
    return sorted(r["name"] if isinstance(r, dict) else r.name for r in runs)


# -- filter table -----------------------------------------------------------------------

FILTER_CASES: list[tuple[str, set[str]]] = [
    ('eq(name, "alpha")', {"alpha"}),
    ("eq(name, 'alpha')", {"alpha"}),
    ('neq(name, "alpha")', ALL - {"alpha"}),
    ('eq(run_type, "llm")', {"alpha-llm", "gamma", "zeta"}),
    ('neq(run_type, "chain")', ALL - {"alpha", "beta", "delta"}),
    ('in(run_type, ["tool", "retriever"])', {"alpha-tool", "beta-retriever", "epsilon"}),
    ('in(name, ["alpha", "beta", "no-such-run"])', {"alpha", "beta"}),
    ('like(name, "alpha%")', {"alpha", "alpha-llm", "alpha-tool"}),
    ('like(name, "%ta")', {"beta", "delta", "zeta"}),
    ('has(tags, "prod")', {"alpha", "gamma"}),
    ('has(tags, "inner")', {"alpha-llm", "alpha-tool", "beta-retriever"}),
    ('and(has(tags, "prod"), has(tags, "blue"))', {"alpha"}),
    ('or(has(tags, "red"), has(tags, "dev"))', {"beta", "gamma", "zeta"}),
    ('not(has(tags, "prod"))', ALL - {"alpha", "gamma"}),
    ("gt(latency, 2)", {"beta", "gamma"}),
    ("gte(latency, 2)", {"beta", "gamma", "epsilon"}),
    ("lt(latency, 0.5)", {"alpha-tool", "beta-retriever", "delta"}),
    ("lte(latency, 0.5)", {"alpha-llm", "alpha-tool", "beta-retriever", "delta"}),
    ('gt(latency, "2s")', {"beta", "gamma"}),
    ('and(eq(run_type, "chain"), gt(latency, 0.5))', {"alpha", "beta"}),
    ("neq(error, null)", {"alpha-tool", "gamma"}),
    ('eq(status, "error")', {"alpha-tool", "gamma"}),
    ('eq(status, "success")', ALL - {"alpha-tool", "gamma"}),
    ("gt(total_tokens, 100)", {"gamma"}),
    ("gte(total_tokens, 50)", {"gamma", "zeta"}),
    ("and(gt(total_tokens, 0), lt(total_tokens, 100))", {"zeta"}),
    ("gt(prompt_tokens, 500)", {"gamma"}),
    ("gt(total_cost, 0.1)", {"gamma"}),
    ("and(gt(total_cost, 0), lt(total_cost, 0.1))", {"zeta"}),
    ('and(eq(metadata_key, "user"), eq(metadata_value, "u1"))', {"alpha", "gamma"}),
    ('and(eq(metadata_key, "tier"), eq(metadata_value, "gold"))', {"alpha", "delta"}),
    ('eq(metadata_key, "tier")', {"alpha", "beta", "delta"}),
    ('and(eq(metadata_key, "user"), neq(metadata_value, "u1"))', {"beta", "zeta"}),
    ('has(metadata, \'{"tier": "gold"}\')', {"alpha", "delta"}),
    ('and(eq(feedback_key, "correctness"), eq(feedback_score, 1))', {"alpha"}),
    ('and(eq(feedback_key, "correctness"), lt(feedback_score, 0.5))', {"beta"}),
    ('eq(feedback_key, "correctness")', {"alpha", "beta"}),
    ('and(eq(feedback_key, "helpfulness"), gt(feedback_score, 0.5))', {"alpha-llm"}),
    ('search("zanzibar-marker")', {"alpha"}),
    ("eq(is_root, true)", ROOTS),
    ("eq(is_root, false)", ALL - ROOTS),
    ('gt(start_time, "<t:150>")', {"delta", "epsilon", "zeta"}),
    ('and(gte(start_time, "<t:60>"), lt(start_time, "<t:121>"))', {"beta", "beta-retriever", "gamma"}),
    ('eq(id, "<id:alpha>")', {"alpha"}),
    ('eq(trace_id, "<id:alpha>")', {"alpha", "alpha-llm", "alpha-tool"}),
    ('and(or(has(tags, "red"), has(tags, "dev")), not(eq(name, "beta")))', {"gamma", "zeta"}),
    ('and(eq(run_type, "llm"), eq(is_root, true), gt(total_tokens, 0))', {"gamma", "zeta"}),
    ('eq(name, "no-such-run")', set()),
]


@pytest.mark.parametrize("flt,expected", FILTER_CASES, ids=[c[0] for c in FILTER_CASES])
def test_filter(fx: Fixture, flt: str, expected: set[str]) -> None:
    got = names(fx.client.list_runs(project_id=fx.project_id, filter=fx.resolve(flt)))
    assert got == sorted(expected), f"{flt}: got {got}"


TRACE_TREE_CASES: list[tuple[Optional[str], Optional[str], Optional[str], set[str]]] = [
    # (filter, trace_filter, tree_filter, expected)
    (None, 'eq(name, "alpha")', None, {"alpha", "alpha-llm", "alpha-tool"}),
    ('eq(run_type, "tool")', 'has(tags, "prod")', None, {"alpha-tool"}),
    (None, 'and(eq(feedback_key, "correctness"), eq(feedback_score, 1))', None, {"alpha", "alpha-llm", "alpha-tool"}),
    ("eq(is_root, false)", "gt(latency, 2)", None, {"beta-retriever"}),
    ("eq(is_root, true)", None, 'has(tags, "inner")', {"alpha", "beta"}),
    ("eq(is_root, true)", None, 'eq(run_type, "retriever")', {"beta"}),
    ("eq(is_root, true)", None, 'eq(name, "alpha-tool")', {"alpha"}),
    ('eq(name, "alpha-llm")', None, "neq(error, null)", {"alpha-llm"}),
    ('eq(run_type, "llm")', None, 'eq(name, "alpha-tool")', {"alpha-llm"}),
    ("eq(is_root, false)", 'has(tags, "prod")', 'eq(name, "alpha")', {"alpha-llm", "alpha-tool"}),
    ("eq(is_root, true)", None, 'eq(name, "no-such-run")', set()),
]


@pytest.mark.parametrize("flt,trace_filter,tree_filter,expected", TRACE_TREE_CASES,
                         ids=[f"{c[0]}|trace:{c[1]}|tree:{c[2]}" for c in TRACE_TREE_CASES])
def test_trace_and_tree_filters(fx: Fixture, flt, trace_filter, tree_filter, expected: set[str]) -> None:
    got = names(fx.client.list_runs(project_id=fx.project_id, filter=flt, trace_filter=trace_filter,
                                    tree_filter=tree_filter))
    assert got == sorted(expected)


BODY_CASES: list[tuple[str, dict, set[str]]] = [
    ("is_root", {"is_root": True}, ROOTS),
    ("not-root", {"is_root": False}, ALL - ROOTS),
    ("run_type", {"run_type": "llm"}, {"alpha-llm", "gamma", "zeta"}),
    ("error-true", {"error": True}, {"alpha-tool", "gamma"}),
    ("error-false", {"error": False}, ALL - {"alpha-tool", "gamma"}),
    ("trace", {"trace": "<id:alpha>"}, {"alpha", "alpha-llm", "alpha-tool"}),
    ("parent_run", {"parent_run": "<id:alpha>"}, {"alpha-llm", "alpha-tool"}),
    ("id", {"id": ["<id:alpha>", "<id:gamma>"]}, {"alpha", "gamma"}),
    ("start_time", {"start_time": "<t:150>"}, {"delta", "epsilon", "zeta"}),
    ("is_root+filter", {"is_root": True, "filter": 'has(tags, "blue")'}, {"alpha", "epsilon"}),
    ("run_type+error", {"run_type": "llm", "error": True}, {"gamma"}),
]


def _resolve_body(fx: Fixture, body: dict) -> dict:
    out: dict[str, Any] = {}
    for k, v in body.items():
        if isinstance(v, str):
            out[k] = fx.resolve(v)
        elif isinstance(v, list):
            out[k] = [fx.resolve(x) for x in v]
        else:
            out[k] = v
    return out


@pytest.mark.parametrize("case,body,expected", BODY_CASES, ids=[c[0] for c in BODY_CASES])
def test_query_body_parameters(fx: Fixture, case: str, body: dict, expected: set[str]) -> None:
    got = names(fx.api.query(session=[fx.project_id], **_resolve_body(fx, body)))
    assert got == sorted(expected)


def test_session_scopes_the_query(fx: Fixture) -> None:
    mine = fx.api.query(session=[fx.project_id], filter='eq(name, "alpha")')
    theirs = fx.api.query(session=[fx.other_project_id], filter='eq(name, "alpha")')
    both = fx.api.query(session=[fx.project_id, fx.other_project_id], filter='eq(name, "alpha")')
    assert [r["id"] for r in mine] == [fx.ids["alpha"]]
    assert [r["id"] for r in theirs] == [fx.other_alpha_id]
    assert sorted(r["id"] for r in both) == sorted([fx.ids["alpha"], fx.other_alpha_id])


def test_select_limits_fields(fx: Fixture) -> None:
    runs = fx.api.query(session=[fx.project_id], select=["name", "run_type"])
    assert names(runs) == sorted(ALL)
    for r in runs:
        assert r["run_type"]
        assert r.get("inputs") in (None, {}) and r.get("outputs") in (None, {}), \
            f"unselected inputs/outputs returned for {r['name']}"


# -- pagination -------------------------------------------------------------------------


@pytest.mark.parametrize("limit,body,expected", [
    (2, {}, ALL),
    (3, {}, ALL),
    (2, {"is_root": True}, ROOTS),
    (1, {"filter": 'has(tags, "inner")'}, {"alpha-llm", "alpha-tool", "beta-retriever"}),
], ids=["limit2-all", "limit3-all", "limit2-roots", "limit1-filtered"])
def test_cursor_pagination_yields_every_run_once(fx: Fixture, limit: int, body: dict, expected: set[str]) -> None:
    pages = fx.api.query_pages({"session": [fx.project_id], "limit": limit, **body})
    assert all(1 <= len(p) <= limit for p in pages), [len(p) for p in pages]
    assert len(pages) >= -(-len(expected) // limit), f"{len(pages)} pages for {len(expected)} runs"
    ids = [r["id"] for p in pages for r in p]
    assert len(ids) == len(set(ids)), "a run appeared on two pages"
    assert names([r for p in pages for r in p]) == sorted(expected)


def test_cursor_pagination_is_stable_while_runs_arrive(server: AnvilServer) -> None:
    """Runs ingested between page fetches (newer, older, in between) never make an
    already-listed run repeat or a not-yet-listed original run vanish."""
    api = Api(server.api("/api/v1"), server.api_key)
    project = unique("live-pages")
    base = T0
    originals = [new_run(f"orig-{i}", project=project, start=base + dt.timedelta(minutes=i), latency=0.1)
                 for i in range(9)]
    api.ingest(originals)
    project_id = api.project_id(project)
    wait_for(lambda: len(api.query(session=[project_id])) == 9, message="9 original runs")

    first = api.post("/runs/query", json={"session": [project_id], "limit": 3})
    assert first.status_code == 200, first.text
    seen = [r["id"] for r in first.json()["runs"]]
    cursor = first.json()["cursors"]["next"]
    assert len(seen) == 3 and cursor

    offsets = [120, 121, 122, -60, -61, 4.5, 4.6, 0.5, 8.5]  # minutes from base: newer, older, between
    arrivals = [new_run(f"late-{i}", project=project, start=base + dt.timedelta(minutes=m), latency=0.1)
                for i, m in enumerate(offsets)]
    api.ingest(arrivals)
    wait_for(lambda: len(api.query(session=[project_id])) == 18, message="18 runs")

    rest = api.query_pages({"session": [project_id], "limit": 3, "cursor": cursor})
    seen += [r["id"] for page in rest for r in page]
    assert len(seen) == len(set(seen)), "a run was listed twice across pages"
    missing = {r["id"] for r in originals} - set(seen)
    assert not missing, f"{len(missing)} original runs were skipped by the cursor"


def test_sdk_pagination_without_limit(fx: Fixture) -> None:
    runs = list(fx.client.list_runs(project_id=fx.project_id))
    assert len({r.id for r in runs}) == len(runs) == len(ALL)


# -- stats ------------------------------------------------------------------------------


@pytest.mark.parametrize("flt,expected", [
    (None, ALL), ('has(tags, "prod")', {"alpha", "gamma"}), ("neq(error, null)", {"alpha-tool", "gamma"}),
], ids=["all", "prod", "errors"])
def test_run_stats_counts(fx: Fixture, flt: Optional[str], expected: set[str]) -> None:
    stats = fx.client.get_run_stats(project_ids=[fx.project_id], filter=flt)
    assert stats["run_count"] == len(expected)


def test_run_stats_numbers(fx: Fixture) -> None:
    stats = fx.client.get_run_stats(project_ids=[fx.project_id], is_root=True)
    assert stats["run_count"] == len(ROOTS)
    assert stats["total_tokens"] == 1250 and stats["prompt_tokens"] == 1040 and stats["completion_tokens"] == 210
    assert abs(float(stats["total_cost"]) - 0.51) < 1e-9
    assert abs(stats["error_rate"] - 1 / 6) < 1e-6  # gamma is the only errored root


# -- invalid filters --------------------------------------------------------------------

BAD_FILTERS = [
    'and(eq(name, "x")',
    "eq(name)",
    'frobnicate(name, "x")',
    'eq(no_such_field, "x")',
    'gt(latency, "soon")',
    'eq(name, "unterminated)',
    "eq(name, x y)",
]


@pytest.mark.parametrize("flt", BAD_FILTERS, ids=[repr(f) for f in BAD_FILTERS])
def test_invalid_filter_is_4xx(server: AnvilServer, fx: Fixture, flt: str) -> None:
    r = fx.api.post("/runs/query", json={"session": [fx.project_id], "filter": flt})
    assert_detail(r, {400, 422})
    assert_server_alive(server, fx.api)
