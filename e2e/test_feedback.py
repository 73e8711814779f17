"""Feedback: SDK CRUD, multipart `feedback.<id>` parts, list filters, run feedback stats."""

from __future__ import annotations

import uuid

import pytest

import langsmith
from langsmith import utils as ls_utils

from conftest import FULL_BATCH_INGEST_CONFIG, Sdk
from wire import Api, as_utc, assert_detail, new_run, wait_for, wait_runs


def _runs(api: Api, project: str, n: int = 2) -> list[dict]:
    """A root with n-1 children, stored and readable."""
    root = new_run("fb-root", project=project, latency=1.0, outputs={"ok": True})
    runs = [root] + [new_run(f"fb-child-{i}", project=project, parent=root, latency=0.2, outputs={"i": i})
                     for i in range(n - 1)]
    api.ingest(runs)
    wait_runs(api, [r["id"] for r in runs])
    return runs


def test_feedback_crud(client: langsmith.Client, api: Api, project: str) -> None:
    root, child = _runs(api, project)
    fid = uuid.uuid4()
    client.create_feedback(child["id"], "correctness", score=0.8, value="good", comment="nice",
                           correction={"answer": "Paris"}, source_info={"who": "e2e"}, feedback_id=fid)
    fb = wait_for(lambda: client.read_feedback(fid), message="feedback readable")
    assert fb.id == fid and fb.key == "correctness" and fb.score == 0.8 and fb.value == "good"
    assert fb.comment == "nice" and fb.correction == {"answer": "Paris"}
    assert str(fb.run_id) == child["id"]
    assert str(fb.trace_id) == root["id"], "feedback must carry the run's trace id"
    assert fb.feedback_source is not None and fb.feedback_source.type == "api"
    assert (fb.feedback_source.metadata or {}).get("who") == "e2e"
    assert fb.created_at is not None and fb.modified_at is not None

    client.update_feedback(fid, score=0.3, comment="edited")
    upd = client.read_feedback(fid)
    assert upd.score == 0.3 and upd.comment == "edited"
    assert upd.value == "good" and upd.correction == {"answer": "Paris"}, "PATCH must keep unsent fields"
    assert as_utc(upd.modified_at) >= as_utc(fb.modified_at)
    assert as_utc(upd.created_at) == as_utc(fb.created_at)

    client.delete_feedback(fid)
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        client.read_feedback(fid)
    assert list(client.list_feedback(run_ids=[child["id"]])) == []


def test_feedback_list_filters(client: langsmith.Client, api: Api, project: str) -> None:
    r1, r2 = _runs(api, project)
    made = {
        ("r1", "correctness", "api"): client.create_feedback(r1["id"], "correctness", score=1),
        ("r1", "helpfulness", "model"): client.create_feedback(r1["id"], "helpfulness", score=0.5,
                                                               feedback_source_type="model"),
        ("r2", "correctness", "api"): client.create_feedback(r2["id"], "correctness", score=0),
        ("r2", "style", "api"): client.create_feedback(r2["id"], "style", value="terse"),
    }
    ids = {k: fb.id for k, fb in made.items()}

    def listed(**kw) -> set:
        return {fb.id for fb in client.list_feedback(**kw)}

    wait_for(lambda: listed(run_ids=[r1["id"], r2["id"]]) == set(ids.values()), message="4 feedbacks")

    assert listed(run_ids=[r1["id"]]) == {ids[("r1", "correctness", "api")], ids[("r1", "helpfulness", "model")]}
    assert listed(run_ids=[r1["id"], r2["id"]]) == set(ids.values())
    assert listed(run_ids=[r1["id"], r2["id"]], feedback_key=["correctness"]) == {
        ids[("r1", "correctness", "api")], ids[("r2", "correctness", "api")]}
    assert listed(run_ids=[r1["id"], r2["id"]], feedback_key=["correctness", "style"]) == {
        ids[("r1", "correctness", "api")], ids[("r2", "correctness", "api")], ids[("r2", "style", "api")]}
    assert listed(run_ids=[r1["id"], r2["id"]], feedback_source_type=["model"]) == {ids[("r1", "helpfulness", "model")]}
    assert listed(run_ids=[r2["id"]], feedback_key=["correctness"]) == {ids[("r2", "correctness", "api")]}

    # Raw offset pages: bare arrays, each feedback once.
    pages = [api.get("/feedback", params={"run": [r1["id"], r2["id"]], "limit": 1, "offset": off}).json()
             for off in range(5)]
    assert [len(p) for p in pages] == [1, 1, 1, 1, 0]
    assert {uuid.UUID(p[0]["id"]) for p in pages[:4]} == set(ids.values())
    for p in pages[:4]:
        assert {"id", "created_at", "modified_at", "key", "run_id", "trace_id"} <= set(p[0])


def test_feedback_through_multipart_queue(make_sdk, api: Api, project: str) -> None:
    """With /info version >= 0.8.10 and a trace_id, the SDK batches feedback as a multipart part."""
    sdk: Sdk = make_sdk(info={"version": "0.10.0", "batch_ingest_config": FULL_BATCH_INGEST_CONFIG})
    root, child = _runs(api, project)
    fid = uuid.uuid4()
    sdk.client.create_feedback(child["id"], "queued", score=1, trace_id=root["id"], feedback_id=fid,
                               comment="batched")
    sdk.flush()
    sent = [c for c in sdk.ingest_calls("/runs/multipart") if c.body and f'name="feedback.{fid}"'.encode() in c.body]
    assert sent, "the SDK did not send a feedback.<id> multipart part"
    fb = wait_for(lambda: sdk.client.read_feedback(fid), message="multipart feedback")
    assert fb.key == "queued" and fb.score == 1 and fb.comment == "batched"
    assert str(fb.run_id) == child["id"] and str(fb.trace_id) == root["id"]


def test_run_feedback_stats(client: langsmith.Client, api: Api, project: str) -> None:
    (root,) = _runs(api, project, n=1)
    client.create_feedback(root["id"], "thumbs", score=1)
    client.create_feedback(root["id"], "thumbs", score=0)
    client.create_feedback(root["id"], "stars", score=4)

    def stats():
        fs = (api.run(root["id"]) or {}).get("feedback_stats") or {}
        return fs if fs.get("thumbs", {}).get("n") == 2 and "stars" in fs else None

    fs = wait_for(stats, message="feedback_stats on the run")
    assert abs(fs["thumbs"]["avg"] - 0.5) < 1e-9
    assert fs["stars"]["n"] == 1 and fs["stars"]["avg"] == 4
    run = client.read_run(root["id"])
    assert run.feedback_stats["thumbs"]["n"] == 2


def test_feedback_errors(api: Api, project: str) -> None:
    (root,) = _runs(api, project, n=1)
    assert_detail(api.post("/feedback", json={"run_id": root["id"], "score": 1}), {400, 422})  # no key
    assert_detail(api.post("/feedback", json={"run_id": "nope", "key": "k"}), {400, 422})
    missing = uuid.uuid4()
    assert_detail(api.get(f"/feedback/{missing}"), {404})
    assert_detail(api.patch(f"/feedback/{missing}", json={"score": 1}), {404})
    assert_detail(api.delete(f"/feedback/{missing}"), {404})
    assert_detail(api.get("/feedback/not-a-uuid"), {400, 404, 422})
