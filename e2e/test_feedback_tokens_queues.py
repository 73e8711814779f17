"""Feedback configs, presigned feedback tokens (used with no API key) and annotation queues,
driven with the real SDK (`create_feedback_config` … `delete_annotation_queue`) plus raw HTTP."""

from __future__ import annotations

import datetime as dt
import time
import uuid
import pytest
import requests

import langsmith
from langsmith import utils as ls_utils

from conftest import _recording_session, Call
from wire import Api, as_utc, assert_detail, new_run, now, parse_time, unique, wait_for, wait_runs


def _stored_runs(api: Api, project: str, n: int) -> list[dict]:
    """n root runs, stored and readable; each dict gains the stored session_id."""
    runs = [new_run(f"q-run-{i}", project=project, latency=0.1, inputs={"i": i}, outputs={"o": i}) for i in range(n)]
    api.ingest(runs)
    found = wait_runs(api, [r["id"] for r in runs])
    for r in runs:
        r["session_id"] = found[r["id"]]["session_id"]
    return runs


def _keyless_client(server, monkeypatch: pytest.MonkeyPatch, calls: list[Call]) -> langsmith.Client:
    """A client with no API key at all (not in its arguments, not in the environment)."""
    monkeypatch.delenv("LANGSMITH_API_KEY", raising=False)
    ls_utils.get_env_var.cache_clear()
    keyless = langsmith.Client(api_url=server.api("/api/v1"), api_key=None, session=_recording_session(calls))
    assert not keyless.api_key, "the keyless client must not have picked up a key"
    return keyless


# -- feedback configs -------------------------------------------------------------------


def test_feedback_config_lifecycle(client: langsmith.Client, api: Api, project: str) -> None:
    key = unique("stars")
    made = client.create_feedback_config(key, feedback_config={"type": "continuous", "min": 0, "max": 5})
    assert made.feedback_key == key
    assert made.feedback_config["type"] == "continuous" and made.feedback_config["max"] == 5
    assert made.feedback_config["min"] == 0
    assert str(made.tenant_id) == api.get("/settings").json()["id"]
    assert made.is_lower_score_better is False

    # The same config again is returned unchanged; a different one conflicts.
    again = client.create_feedback_config(key, feedback_config={"type": "continuous", "min": 0.0, "max": 5.0})
    assert as_utc(again.modified_at) == as_utc(made.modified_at)
    with pytest.raises(ls_utils.LangSmithConflictError):
        client.create_feedback_config(key, feedback_config={"type": "continuous", "min": 0, "max": 10})

    other = unique("mood")
    client.create_feedback_config(other, feedback_config={
        "type": "categorical", "categories": [{"value": 0, "label": "sad"}, {"value": 1, "label": "happy"}]})
    assert [c.feedback_key for c in client.list_feedback_configs(feedback_key=[key])] == [key]
    both = {c.feedback_key for c in client.list_feedback_configs(feedback_key=[key, other])}
    assert both == {key, other}
    assert [c.feedback_key for c in client.list_feedback_configs(name_contains=key.upper())] == [key]
    mood = next(iter(client.list_feedback_configs(feedback_key=[other])))
    assert [c["label"] for c in mood.feedback_config["categories"]] == ["sad", "happy"]

    updated = client.update_feedback_config(key, feedback_config={"type": "continuous", "min": 1, "max": 10},
                                            is_lower_score_better=True)
    assert updated.feedback_config["max"] == 10 and updated.is_lower_score_better is True
    kept = client.update_feedback_config(key, is_lower_score_better=False)
    assert kept.feedback_config["max"] == 10, "PATCH keeps the config it was not sent"

    # Feedback is held to the key's config.
    (run,) = _stored_runs(api, project, 1)
    client.create_feedback(run["id"], key, score=7)
    with pytest.raises(ls_utils.LangSmithError) as err:
        client.create_feedback(run["id"], key, score=11)
    assert "above the configured maximum 10" in str(err.value)
    with pytest.raises(ls_utils.LangSmithError):
        client.create_feedback(run["id"], other, value="meh")
    client.create_feedback(run["id"], other, value="happy")
    assert {(f.key, f.score, f.value) for f in client.list_feedback(run_ids=[run["id"]])} == {
        (key, 7, None), (other, None, "happy")}

    client.delete_feedback_config(key)
    assert list(client.list_feedback_configs(feedback_key=[key])) == []
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        client.update_feedback_config(key, is_lower_score_better=True)
    # With the config gone, the key takes any score again.
    client.create_feedback(run["id"], key, score=11)


def test_feedback_carrying_a_config_registers_it(client: langsmith.Client, api: Api, project: str) -> None:
    (run,) = _stored_runs(api, project, 1)
    key = unique("carried")
    client.create_feedback(run["id"], key, score=0.5, feedback_config={"type": "continuous", "min": 0, "max": 1})
    (config,) = list(client.list_feedback_configs(feedback_key=[key]))
    assert config.feedback_config["max"] == 1
    with pytest.raises(ls_utils.LangSmithError):
        client.create_feedback(run["id"], key, score=2)
    assert_detail(api.post("/feedback-configs", json={"feedback_key": key, "feedback_config": {"type": "continuous", "min": 3, "max": 1}}),
                  {422})
    assert_detail(api.post("/feedback-configs", json={"feedback_key": unique("k"), "feedback_config": {"type": "categorical"}}), {422})
    assert_detail(requests.get(api.base + "/feedback-configs", timeout=10), {401})


# -- presigned feedback tokens ----------------------------------------------------------


def test_presigned_token_round_trip_without_api_key(client: langsmith.Client, api: Api, project: str, server,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (run,) = _stored_runs(api, project, 1)
    before = now()
    fid = uuid.uuid4()
    token = client.create_presigned_feedback_token(run["id"], "thumbs", feedback_id=fid)
    assert token.url == f"{server.url}/api/v1/feedback/tokens/{token.id}"
    assert token.id != fid, "the token id is its own secret"
    lifetime = as_utc(token.expires_at) - before
    assert dt.timedelta(hours=2, minutes=59) < lifetime < dt.timedelta(hours=3, minutes=1)

    calls: list[Call] = []
    keyless = _keyless_client(server, monkeypatch, calls)
    keyless.create_feedback_from_token(token.url, score=1, comment="via url", correction={"better": "yes"},
                                       metadata={"widget": "stars"})
    assert calls and all(c.ok for c in calls), [(c.method, c.path, c.status) for c in calls]
    assert not any(k.lower() == "x-api-key" for c in calls for k in c.request_headers), "no key may be sent"
    first = client.read_feedback(fid)
    assert first.key == "thumbs" and first.score == 1 and first.comment == "via url"
    assert first.correction == {"better": "yes"}
    assert first.feedback_source.type == "app" and first.feedback_source.metadata == {"widget": "stars"}
    assert str(first.run_id) == run["id"] and str(first.trace_id) == run["id"]

    # The SDK binds its single tokens to one feedback id: using the token again rewrites that feedback.
    keyless.create_feedback_from_token(token.id, score=0, value="by id")
    second = client.read_feedback(fid)
    assert second.score == 0 and second.value == "by id" and second.comment is None
    assert as_utc(second.created_at) == as_utc(first.created_at)

    # A link in an email: plain GET with query parameters, no key; an unbound token adds a
    # feedback per use.
    email = api.post("/feedback/tokens", json={"run_id": run["id"], "feedback_key": "email"}).json()
    for comment in ("first click", "second click"):
        resp = requests.get(email["url"] + f"?score=1&value=clicked&comment={comment.replace(' ', '+')}", timeout=10)
        assert resp.status_code == 200, resp.text
    feedback = list(client.list_feedback(run_ids=[run["id"]]))
    assert sorted((f.key, f.comment) for f in feedback) == [
        ("email", "first click"), ("email", "second click"), ("thumbs", None)]
    assert all(f.feedback_source.type == "app" for f in feedback)
    assert {f.value for f in feedback if f.key == "email"} == {"clicked"}

    listed = list(client.list_presigned_feedback_tokens(run["id"]))
    assert [t.id for t in listed] == [token.id, uuid.UUID(email["id"])]
    # Keys are still required for everything else.
    assert_detail(requests.get(api.base + f"/feedback/tokens?run_id={run['id']}", timeout=10), {401})
    assert_detail(requests.post(api.base + "/feedback/tokens", json={"run_id": run["id"], "feedback_key": "x"}, timeout=10), {401})


def test_presigned_tokens_batch_with_configs(client: langsmith.Client, api: Api, project: str, server,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    (run,) = _stored_runs(api, project, 1)
    bounded, free = unique("bounded"), unique("free")
    tokens = client.create_presigned_feedback_tokens(
        run["id"], [bounded, free], expiration=dt.timedelta(days=1, hours=1, minutes=30),
        feedback_configs=[{"type": "continuous", "min": 0, "max": 1}, None])
    assert sorted(t.url.rsplit("/", 1)[-1] for t in tokens) == sorted(str(t.id) for t in tokens)
    assert len({t.id for t in tokens}) == 2
    for t in tokens:
        lifetime = as_utc(t.expires_at) - now()
        assert dt.timedelta(days=1, hours=1, minutes=28) < lifetime <= dt.timedelta(days=1, hours=1, minutes=30)
    listed = api.get("/feedback/tokens", params={"run_id": run["id"]}).json()
    urls = {t["feedback_key"]: t["url"] for t in listed}
    assert set(urls) == {bounded, free}
    assert set(urls.values()) == {t.url for t in tokens}

    # The bounded token's config was registered for its key and holds for token writes.
    assert [c.feedback_key for c in client.list_feedback_configs(feedback_key=[bounded])] == [bounded]
    keyless = _keyless_client(server, monkeypatch, [])
    with pytest.raises(ls_utils.LangSmithError) as err:
        keyless.create_feedback_from_token(urls[bounded], score=2)
    assert "above the configured maximum 1" in str(err.value)
    keyless.create_feedback_from_token(urls[bounded], score=1)
    keyless.create_feedback_from_token(urls[free], score=42)
    scores = wait_for(lambda: (lambda fs: fs if len(fs) == 2 else None)(
        {f.key: f.score for f in client.list_feedback(run_ids=[run["id"]])}), message="two feedbacks")
    assert scores == {bounded: 1, free: 42}


def test_expired_and_unknown_tokens_are_refused(client: langsmith.Client, api: Api, project: str, server,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    (run,) = _stored_runs(api, project, 1)
    token = client.create_presigned_feedback_token(run["id"], "late", expiration=now() + dt.timedelta(seconds=2))
    # Let it lapse (by the server's clock, which issued expires_at).
    time.sleep(max(0.0, (as_utc(token.expires_at) - now()).total_seconds()) + 0.3)
    keyless = _keyless_client(server, monkeypatch, [])
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        keyless.create_feedback_from_token(token.url, score=1)
    body = assert_detail(requests.get(token.url + "?score=1", timeout=10), {404})
    assert "expired" in body["detail"]
    assert_detail(requests.post(f"{server.url}/api/v1/feedback/tokens/{uuid.uuid4()}", json={"score": 1}, timeout=10), {404})
    assert list(client.list_feedback(run_ids=[run["id"]])) == []
    # An expiry in the past is refused up front.
    assert_detail(api.post("/feedback/tokens", json={"run_id": run["id"], "feedback_key": "x",
                                                      "expires_at": (now() - dt.timedelta(minutes=1)).isoformat()}), {422})


# -- annotation queues ------------------------------------------------------------------


def test_annotation_queue_round_trip(client: langsmith.Client, api: Api, project: str) -> None:
    runs = _stored_runs(api, project, 3)
    ids = [r["id"] for r in runs]
    key = unique("aq-correct")
    client.create_feedback_config(key, feedback_config={"type": "continuous", "min": 0, "max": 1})
    name = unique("queue")
    queue = client.create_annotation_queue(
        name=name, description="first pass", rubric_instructions="Be fair",
        rubric_items=[{"feedback_key": key, "description": "Is it right?", "is_required": True}])
    assert queue.name == name and queue.rubric_instructions == "Be fair" and queue.description == "first pass"
    assert str(queue.tenant_id) == api.get("/settings").json()["id"]
    read = client.read_annotation_queue(queue.id)
    assert read.id == queue.id and read.name == name
    raw = api.get(f"/annotation-queues/{queue.id}").json()
    (item,) = raw["rubric_items"]
    assert item["feedback_key"] == key and item["is_required"] is True and item["description"] == "Is it right?"
    assert item["feedback_config"]["feedback_config"]["max"] == 1, "rubric items carry their key's config"

    # Both ways of adding runs; adding again changes nothing.
    client.add_runs_to_annotation_queue(queue.id, run_ids=[ids[0]])
    client.add_runs_to_annotation_queue(queue.id, runs=[
        {"run_id": r["id"], "session_id": r["session_id"], "start_time": parse_time(r["start_time"])} for r in runs[1:]])
    client.add_runs_to_annotation_queue(queue.id, run_ids=[ids[0], ids[2]])
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        client.add_runs_to_annotation_queue(queue.id, run_ids=[str(uuid.uuid4())])

    listed = list(client.list_runs_from_annotation_queue(queue.id))
    assert [str(r.id) for r in listed] == ids
    assert all(r.added_at is not None and r.last_reviewed_time is None for r in listed)
    assert listed[1].inputs == {"i": 1} and listed[1].name == "q-run-1"
    assert str(client.get_run_from_annotation_queue(queue.id, index=0).id) == ids[0]
    assert api.get(f"/annotation-queues/{queue.id}/size").json() == {"size": 3}

    # Review the first run: leave feedback, then mark it reviewed (PATCH with last_reviewed_time).
    client.create_feedback(ids[0], key, score=1, comment="looks right")
    raw_runs = api.get(f"/annotation-queues/{queue.id}/runs").json()
    entry = {r["id"]: r["queue_run_id"] for r in raw_runs}
    resp = api.patch(f"/annotation-queues/{queue.id}/runs/{entry[ids[0]]}", json={"last_reviewed_time": now().isoformat()})
    assert resp.status_code == 200, resp.text
    needs = [str(r.id) for r in client.list_runs_from_annotation_queue(queue.id, status="needs_my_review")]
    assert needs == ids[1:]
    done = list(client.list_runs_from_annotation_queue(queue.id, status="completed"))
    assert [str(r.id) for r in done] == [ids[0]] and done[0].last_reviewed_time is not None
    assert list(client.list_runs_from_annotation_queue(queue.id, status="needs_others_review")) == []
    assert str(client.get_run_from_annotation_queue(queue.id, index=0).id) == ids[1]
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        client.get_run_from_annotation_queue(queue.id, index=2)
    # The second through LangSmith's status endpoint.
    resp = api.post(f"/annotation-queues/status/{entry[ids[1]]}", json={"status": "completed"})
    assert resp.status_code == 200, resp.text
    assert api.get(f"/annotation-queues/{queue.id}/size").json() == {"size": 1}
    assert [f.score for f in client.list_feedback(run_ids=[ids[0]], feedback_key=[key])] == [1]

    client.delete_run_from_annotation_queue(queue.id, run_id=ids[1])
    assert [str(r.id) for r in client.list_runs_from_annotation_queue(queue.id)] == [ids[0], ids[2]]
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        client.delete_run_from_annotation_queue(queue.id, run_id=ids[1])

    renamed = unique("queue-renamed")
    client.update_annotation_queue(queue.id, name=renamed, rubric_instructions="Be kind")
    read = client.read_annotation_queue(queue.id)
    assert read.name == renamed and read.rubric_instructions == "Be kind" and read.description == "first pass"

    other = client.create_annotation_queue(name=unique("queue-other"))
    assert [q.id for q in client.list_annotation_queues(name=renamed)] == [queue.id]
    assert [q.id for q in client.list_annotation_queues(name_contains=renamed[-10:].upper())] == [queue.id]
    assert {q.id for q in client.list_annotation_queues(queue_ids=[queue.id, other.id])} == {queue.id, other.id}
    assert [q.id for q in client.list_annotation_queues(queue_ids=[other.id])] == [other.id]
    sizes = {q["id"]: q["total_runs"] for q in api.get("/annotation-queues", params={"ids": [str(queue.id), str(other.id)]}).json()}
    assert sizes == {str(queue.id): 2, str(other.id): 0}

    client.delete_annotation_queue(queue.id)
    client.delete_annotation_queue(other.id)
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        client.read_annotation_queue(queue.id)
    assert list(client.list_annotation_queues(queue_ids=[queue.id, other.id])) == []
    assert api.get(f"/annotation-queues/{ids[0]}/queues").json() == []


def test_annotation_queue_errors(client: langsmith.Client, api: Api) -> None:
    name = unique("dup-queue")
    q = client.create_annotation_queue(name=name)
    with pytest.raises(ls_utils.LangSmithConflictError):
        client.create_annotation_queue(name=name)
    assert_detail(api.post("/annotation-queues", json={"description": "no name"}), {422})
    assert_detail(api.post("/annotation-queues", json={"name": unique("q"), "rubric_items": [{"description": "no key"}]}), {422})
    assert_detail(api.get(f"/annotation-queues/{q.id}/runs", params={"status": "someday"}), {422})
    assert_detail(api.get(f"/annotation-queues/{uuid.uuid4()}"), {404})
    assert_detail(api.get(f"/annotation-queues/{q.id}/run/0"), {404})
    assert_detail(requests.get(api.base + "/annotation-queues", timeout=10), {401})
    assert_detail(requests.post(api.base + f"/annotation-queues/{q.id}/runs", json=[], timeout=10), {401})
    client.delete_annotation_queue(q.id)
