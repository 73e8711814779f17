"""Projects (/sessions): CRUD through the SDK, list filters and paging, exact stats."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

import langsmith
from langsmith import utils as ls_utils

from wire import Api, as_utc, assert_detail, new_run, parse_time, unique, wait_for, wait_runs

T0 = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)).replace(microsecond=0)


def test_project_crud(client: langsmith.Client, api: Api) -> None:
    name = unique("crud")
    created = client.create_project(name, description="first", metadata={"team": "anvil"})
    assert created.name == name and created.description == "first"
    assert created.metadata == {"team": "anvil"}
    assert created.tenant_id is not None and created.reference_dataset_id is None

    raw = api.get(f"/sessions/{created.id}").json()
    assert "reference_dataset_id" in raw and raw["reference_dataset_id"] is None
    assert raw["tenant_id"] == str(created.tenant_id)
    listed = api.get("/sessions", params={"name": name}).json()
    assert [p["id"] for p in listed] == [str(created.id)] and "reference_dataset_id" in listed[0]

    with pytest.raises(ls_utils.LangSmithConflictError):
        client.create_project(name)
    assert client.create_project(name, upsert=True).id == created.id, "upsert must return the existing project"

    assert client.read_project(project_id=created.id).name == name
    assert client.read_project(project_name=name).id == created.id
    assert client.has_project(name)

    updated = client.update_project(created.id, description="second", metadata={"team": "anvil", "v": 2})
    assert updated.description == "second" and updated.metadata == {"team": "anvil", "v": 2}
    again = client.read_project(project_id=created.id)
    assert again.description == "second" and again.metadata["v"] == 2 and again.name == name

    renamed = unique("crud-renamed")
    end = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    client.update_project(created.id, name=renamed, end_time=end)
    got = client.read_project(project_name=renamed)
    assert got.id == created.id and as_utc(got.end_time) == end
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        client.read_project(project_name=name)

    client.delete_project(project_id=created.id)
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        client.read_project(project_id=created.id)
    assert list(client.list_projects(name=renamed)) == []
    assert_detail(api.delete(f"/sessions/{created.id}"), {404})


def test_project_names_with_spaces_and_symbols(client: langsmith.Client, api: Api) -> None:
    """requests encodes a space in a query string as '+': `?name=My+Project` must find "My Project"."""
    name = f"My Project {uuid.uuid4().hex[:6]} – ünï & co?+"
    created = client.create_project(name)
    assert client.read_project(project_name=name).id == created.id
    assert [p.id for p in client.list_projects(name=name)] == [created.id]
    assert [p.id for p in client.list_projects(name_contains=name[:16])] == [created.id]
    run = new_run("spaced", project=name, latency=0.1)
    api.ingest([run])
    wait_runs(api, [run["id"]])
    assert [str(r.id) for r in client.list_runs(project_name=name)] == [run["id"]]


def test_create_conflicts_with_auto_created_tracing_project(client: langsmith.Client, api: Api) -> None:
    name = unique("auto")
    run = new_run("r", project=name, latency=0.1)
    api.ingest([run])
    wait_runs(api, [run["id"]])
    with pytest.raises(ls_utils.LangSmithConflictError):
        client.create_project(name)
    assert client.read_project(project_name=name).id == uuid.UUID(api.run(run["id"])["session_id"])


def test_missing_projects(client: langsmith.Client, api: Api) -> None:
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        client.read_project(project_id=uuid.uuid4())
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        client.read_project(project_name=unique("never-created"))
    assert_detail(api.get(f"/sessions/{uuid.uuid4()}"), {404})
    assert_detail(api.get("/sessions/not-a-uuid"), {400, 404, 422})
    # (A body without a name is valid: LangSmith's TracerSessionCreate has no required keys.)
    assert_detail(api.post("/sessions", data=b'{"name": ', headers={"Content-Type": "application/json"}), {400, 422})


def test_list_projects_filters_and_offset_pages(client: langsmith.Client, api: Api) -> None:
    prefix = unique("listing")
    made = [client.create_project(f"{prefix}-{i}", metadata={"kind": "even" if i % 2 == 0 else "odd"})
            for i in range(5)]
    outsider = client.create_project(unique("outsider"))
    ids = {p.id for p in made}

    assert {p.id for p in client.list_projects(name_contains=prefix)} == ids
    assert [p.id for p in client.list_projects(name=f"{prefix}-3")] == [made[3].id]
    assert {p.id for p in client.list_projects(project_ids=[made[0].id, outsider.id])} == {made[0].id, outsider.id}
    assert {p.id for p in client.list_projects(name_contains=prefix, metadata={"kind": "even"})} == \
        {made[0].id, made[2].id, made[4].id}
    assert len(list(client.list_projects(name_contains=prefix, limit=3))) == 3

    # Raw offset/limit pages: bare arrays, exact sizes, every project once.
    pages = [api.get("/sessions", params={"name_contains": prefix, "limit": 2, "offset": off}).json()
             for off in (0, 2, 4, 6)]
    assert [len(p) for p in pages] == [2, 2, 1, 0]
    seen = [p["id"] for page in pages for p in page]
    assert len(seen) == len(set(seen)) and set(seen) == {str(i) for i in ids}


def test_tenant_id_discovery(client: langsmith.Client) -> None:
    a, b = client.create_project(unique("tenant")), client.create_project(unique("tenant"))
    assert a.tenant_id == b.tenant_id
    assert client._get_tenant_id() == a.tenant_id  # the SDK reads it from GET /sessions?limit=1


def _stats_project(api: Api) -> tuple[str, list[dict]]:
    project = unique("stats")
    specs = [  # latency, usage, error
        (1.0, {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15,
               "input_cost": 0.01, "output_cost": 0.02, "total_cost": 0.03}, None),
        (2.0, {"input_tokens": 20, "output_tokens": 10, "total_tokens": 30,
               "input_cost": 0.1, "output_cost": 0.2, "total_cost": 0.3}, None),
        (3.0, None, "Boom: failed"),
        (4.0, None, None),
        (5.0, None, None),
    ]
    runs = [new_run(f"s{i}", project=project, run_type="llm" if usage else "chain",
                    start=T0 + dt.timedelta(seconds=10 * i), latency=lat, usage=usage, error=err,
                    outputs=None if err else {"i": i})
            for i, (lat, usage, err) in enumerate(specs)]
    api.ingest(runs)
    wait_runs(api, [r["id"] for r in runs])  # POST /feedback may 404 until the run is stored
    for run, score in ((runs[0], 1.0), (runs[1], 0.0)):
        r = api.post("/feedback", json={"id": str(uuid.uuid4()), "run_id": run["id"], "trace_id": run["trace_id"],
                                        "key": "score", "score": score, "feedback_source": {"type": "api"}})
        assert 200 <= r.status_code < 300, r.text
    return project, runs


def test_project_stats_exact(client: langsmith.Client, api: Api) -> None:
    project, runs = _stats_project(api)

    def ready():
        p = client.read_project(project_name=project, include_stats=True)
        fs = (p.feedback_stats or {}).get("score") or {}
        return p if p.run_count == 5 and fs.get("n") == 2 else None

    p = wait_for(ready, message="project stats with 5 runs and 2 feedback")
    assert p.latency_p50 is not None and abs(p.latency_p50.total_seconds() - 3.0) < 1e-3
    # p99 of [1..5]s: 5.0 by nearest rank, 4.96 by linear interpolation.
    assert p.latency_p99 is not None and 4.96 - 1e-3 <= p.latency_p99.total_seconds() <= 5.0 + 1e-3
    assert (p.prompt_tokens, p.completion_tokens, p.total_tokens) == (30, 15, 45)
    assert abs(float(p.prompt_cost) - 0.11) < 1e-9
    assert abs(float(p.completion_cost) - 0.22) < 1e-9
    assert abs(float(p.total_cost) - 0.33) < 1e-9
    assert abs(p.error_rate - 0.2) < 1e-9
    assert p.last_run_start_time is not None
    assert as_utc(p.last_run_start_time) == parse_time(runs[4]["start_time"])
    assert p.feedback_stats["score"]["n"] == 2 and abs(p.feedback_stats["score"]["avg"] - 0.5) < 1e-9

    listed = [x for x in client.list_projects(name=project, include_stats=True)]
    assert len(listed) == 1 and listed[0].run_count == 5 and listed[0].total_tokens == 45

    stats = client.get_run_stats(project_ids=[p.id])
    assert stats["run_count"] == 5 and stats["total_tokens"] == 45

    # Stats follow new data.
    late = new_run("s-late", project=project, start=T0 + dt.timedelta(seconds=100), latency=0.5)
    api.ingest([late])
    p2 = wait_for(lambda: (lambda x: x if x.run_count == 6 else None)(
        client.read_project(project_name=project, include_stats=True)), message="run_count 6")
    assert as_utc(p2.last_run_start_time) == parse_time(late["start_time"])
    assert abs(p2.error_rate - 1 / 6) < 1e-9


def test_project_without_runs_has_empty_stats(client: langsmith.Client) -> None:
    p = client.create_project(unique("empty"))
    got = client.read_project(project_id=p.id, include_stats=True)
    assert got.run_count in (0, None) and got.total_tokens in (0, None)
    assert got.last_run_start_time is None


def test_deleting_a_project_removes_its_runs(client: langsmith.Client, api: Api) -> None:
    name = unique("doomed")
    run = new_run("doomed-run", project=name, latency=0.1)
    api.ingest([run])
    wait_runs(api, [run["id"]])
    client.delete_project(project_name=name)
    wait_for(lambda: api.run(run["id"]) is None, message="run of deleted project to disappear")
