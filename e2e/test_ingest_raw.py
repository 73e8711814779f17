"""Raw ingestion: every multipart part kind, compression, ordering, batch/JSON endpoints,
and malformed requests (each must get a 4xx with `detail` and leave the server healthy)."""

from __future__ import annotations

import datetime as dt
import gzip
import http.client
import json
import os
import socket
import uuid
from typing import Callable, Optional

import pytest
import requests
from langsmith.client import _construct_url

from anvil_server import AnvilServer
from conftest import assert_server_alive
from wire import (
    Api,
    Part,
    assert_detail,
    encode_multipart,
    feedback_part,
    gzip_bytes,
    iso,
    json_bytes,
    json_part,
    new_boundary,
    new_run,
    now,
    parse_time,
    patch_of,
    run_parts,
    unique,
    wait_for,
    wait_runs,
    zstd_stream,
)

MB = 1024 * 1024


def complete(run: dict) -> bool:
    return run.get("end_time") is not None and run.get("outputs") not in (None, {})


# -- every part kind --------------------------------------------------------------------


def test_multipart_every_part_kind(api: Api, project: str) -> None:
    start = now()
    events = [{"name": "start", "time": iso(start)},
              {"name": "new_token", "time": iso(start + dt.timedelta(milliseconds=120))}]
    run = new_run(
        "all-parts", project=project, run_type="llm", start=start, latency=0.5,
        inputs={"messages": [{"role": "user", "content": "hi"}]},
        outputs={"generations": [[{"text": "hello"}]]},
        error="ValueError: partial failure",
        tags=["raw", "all"], metadata={"k": "v"}, events=events,
        serialized={"name": "FakeLLM", "kwargs": {"temperature": 0}},
    )
    fb_id = str(uuid.uuid4())
    feedback = {"id": fb_id, "run_id": run["id"], "trace_id": run["trace_id"], "key": "raw-score",
                "score": 0.75, "value": None, "comment": "via multipart", "correction": None,
                "feedback_source": {"type": "api", "metadata": {}}, "created_at": iso(start),
                "modified_at": iso(start)}
    png = b"\x89PNG\r\n\x1a\n" + os.urandom(64)
    parts = run_parts("post", run, attachments={"image": ("image/png", png)}) + [feedback_part(feedback)]
    assert {p.name.rsplit(".", 1)[-1] for p in parts} >= {"inputs", "outputs", "events", "extra", "error", "serialized"}
    resp = api.multipart(parts)
    assert 200 <= resp.status_code < 300, resp.text

    got = wait_runs(api, [run["id"]])[run["id"]]
    assert got["inputs"] == run["inputs"] and got["outputs"] == run["outputs"]
    assert got["error"] == "ValueError: partial failure" and got["status"] == "error"
    assert got["extra"]["metadata"]["k"] == "v"
    assert [e["name"] for e in got["events"]] == ["start", "new_token"]
    assert got["serialized"]["name"] == "FakeLLM"
    assert sorted(got["tags"]) == ["all", "raw"]
    ms = dt.timedelta(milliseconds=1)
    assert abs(parse_time(got["first_token_time"]) - (start + dt.timedelta(milliseconds=120))) < ms
    if got.get("latency") is not None:  # optional derived field; end - start must hold either way
        assert abs(float(got["latency"]) - 0.5) < 1e-3
    assert abs(parse_time(got["end_time"]) - parse_time(got["start_time"]) - dt.timedelta(seconds=0.5)) < ms
    s3 = got["s3_urls"]["attachment.image"]
    assert s3["mime_type"] == "image/png"
    # Attachments download without auth (the SDK uses a bare requests.get).
    r = requests.get(_construct_url(api.base, s3["presigned_url"]), timeout=10)
    assert r.status_code == 200 and r.content == png

    fb = wait_for(lambda: (lambda r: r.json() if r.status_code == 200 else None)(api.get(f"/feedback/{fb_id}")),
                  message="multipart feedback")
    assert fb["run_id"] == run["id"] and fb["key"] == "raw-score" and fb["score"] == 0.75
    assert fb["comment"] == "via multipart"


def test_old_sdk_shape_fields_inline(api: Api, project: str) -> None:
    """Older SDKs keep extra/error/serialized inside the main part; JS puts length in the content type."""
    run = new_run("inline", project=project, latency=0.2, metadata={"inline": True}, error="boom")
    main = {k: v for k, v in run.items() if k not in ("inputs", "outputs", "events")}
    parts = [
        Part(f"post.{run['id']}", json_bytes(main), content_type=f"application/json; length={len(json_bytes(main))}",
             content_length=False),
        Part(f"post.{run['id']}.inputs", json_bytes({"q": 1}),
             content_type=f"application/json; length={len(json_bytes({'q': 1}))}", content_length=False),
        json_part(f"post.{run['id']}.outputs", {"a": 2}),
    ]
    assert 200 <= api.multipart(parts).status_code < 300
    got = wait_runs(api, [run["id"]])[run["id"]]
    assert got["inputs"] == {"q": 1} and got["outputs"] == {"a": 2}
    assert got["extra"]["metadata"]["inline"] is True and got["error"] == "boom"


# -- compression ------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gzip", "zstd"])
def test_compressed_multipart(api: Api, project: str, encoding: str) -> None:
    runs = [new_run(f"{encoding}-{i}", project=project, latency=0.1, outputs={"i": i}) for i in range(3)]
    parts = [p for r in runs for p in run_parts("post", r)]
    resp = api.multipart(parts, encoding=encoding)
    assert 200 <= resp.status_code < 300, resp.text
    got = wait_runs(api, [r["id"] for r in runs], pred=complete)
    assert sorted(g["outputs"]["i"] for g in got.values()) == [0, 1, 2]


def test_zstd_frame_split_across_many_writes(api: Api, project: str) -> None:
    """A multi-MB stream frame without a declared content size, like the SDK's compressor."""
    big = {"blob": "x" * (3 * MB)}
    run = new_run("zstd-big", project=project, latency=0.1, inputs=big, outputs={"n": 1})
    resp = api.multipart(run_parts("post", run), encoding="zstd")
    assert 200 <= resp.status_code < 300, resp.text
    got = wait_runs(api, [run["id"]])[run["id"]]
    assert len(got["inputs"]["blob"]) == 3 * MB


# -- ordering and merging ---------------------------------------------------------------


def test_patch_before_post(api: Api, project: str) -> None:
    run = new_run("late-post", project=project, inputs={"q": "first?"}, tags=["order"])
    patch = patch_of(run, latency=1.5, outputs={"a": "patch came first"})
    api.ingest(patches=[patch])
    api.ingest(posts=[run])
    got = wait_runs(api, [run["id"]], pred=complete)[run["id"]]
    assert got["inputs"] == {"q": "first?"} and got["outputs"] == {"a": "patch came first"}
    assert got["end_time"] is not None and got["status"] == "success"
    assert got["tags"] == ["order"]
    assert abs((parse_time(got["end_time"]) - parse_time(got["start_time"])).total_seconds() - 1.5) < 1e-3


@pytest.mark.parametrize("order", ["post-then-patch", "patch-then-post"])
def test_post_and_patch_in_one_request(api: Api, project: str, order: str) -> None:
    run = new_run("same-request", project=project, inputs={"q": 1}, metadata={"from": "post"})
    patch = patch_of(run, latency=0.3, outputs={"a": 2}, extra={"metadata": {"from": "post", "patched": True}})
    post_parts, patch_parts = run_parts("post", run), run_parts("patch", patch)
    parts = post_parts + patch_parts if order == "post-then-patch" else patch_parts + post_parts
    assert 200 <= api.multipart(parts).status_code < 300
    got = wait_runs(api, [run["id"]], pred=complete)[run["id"]]
    assert got["inputs"] == {"q": 1} and got["outputs"] == {"a": 2}
    assert got["extra"]["metadata"]["patched"] is True
    # Exactly one run, not a post row and a patch row.
    assert [r["id"] for r in api.query(session=[api.project_id(project)])] == [run["id"]]


def test_patch_nulls_mean_not_provided(api: Api, project: str) -> None:
    parent = new_run("null-parent", project=project, latency=1)
    child = new_run("null-child", project=project, parent=parent, tags=["keep"], metadata={"keep": 1})
    api.ingest([parent, child])
    wait_runs(api, [child["id"]])
    patch = patch_of(child, latency=0.2, outputs={"done": True})
    patch.update({"parent_run_id": None, "session_id": None, "tags": None, "extra": None, "error": None})
    api.ingest(patches=[patch])
    got = wait_runs(api, [child["id"]], pred=complete)[child["id"]]
    assert got["parent_run_id"] == parent["id"]
    assert got["tags"] == ["keep"] and got["extra"]["metadata"]["keep"] == 1
    assert got["error"] is None and got["status"] == "success"


def test_reposting_a_run_is_idempotent(api: Api, project: str) -> None:
    run = new_run("twice", project=project, latency=0.1, outputs={"v": 1})
    api.ingest([run])
    api.ingest([run])
    sentinel = new_run("sentinel", project=project, latency=0.1, outputs={"v": 2})
    api.ingest([sentinel])
    wait_runs(api, [run["id"], sentinel["id"]])
    ids = [r["id"] for r in api.query(session=[api.project_id(project)])]
    assert sorted(ids) == sorted([run["id"], sentinel["id"]]), "a re-sent run must not be stored twice"


def test_project_created_on_first_use(api: Api) -> None:
    name = unique("autocreate")
    assert api.project(name) is None
    run = new_run("first", project=name, latency=0.1)
    api.ingest([run])
    got = wait_runs(api, [run["id"]])[run["id"]]
    proj = api.project(name)
    assert proj is not None and got["session_id"] == proj["id"]
    assert "reference_dataset_id" in proj and proj["reference_dataset_id"] is None


def test_llm_output_token_usage(api: Api, project: str) -> None:
    run = new_run("legacy-openai", project=project, run_type="llm", latency=0.4,
                  outputs={"generations": [[{"text": "hi"}]],
                           "llm_output": {"token_usage": {"prompt_tokens": 30, "completion_tokens": 12,
                                                          "total_tokens": 42}, "model_name": "gpt-x"}})
    api.ingest([run])
    got = wait_runs(api, [run["id"]])[run["id"]]
    assert (got["prompt_tokens"], got["completion_tokens"], got["total_tokens"]) == (30, 12, 42)


def test_usage_metadata_in_outputs(api: Api, project: str) -> None:
    """Usage can sit in outputs.usage_metadata when the SDK did not copy it to metadata."""
    run = new_run("outputs-usage", project=project, run_type="llm", latency=0.4,
                  outputs={"content": "x", "usage_metadata": {"input_tokens": 8, "output_tokens": 2,
                                                              "total_tokens": 10}})
    api.ingest([run])
    got = wait_runs(api, [run["id"]])[run["id"]]
    assert (got["prompt_tokens"], got["completion_tokens"], got["total_tokens"]) == (8, 2, 10)


def test_reference_example_id_from_patch(api: Api, project: str) -> None:
    """The pytest plugin sets reference_example_id only on the patch."""
    example = str(uuid.uuid4())
    run = new_run("evaluated", project=project, inputs={"q": 1})
    other = new_run("not-evaluated", project=project, latency=0.1)
    api.ingest([run, other])
    api.ingest(patches=[patch_of(run, latency=0.2, outputs={"a": 1}, reference_example_id=example)])
    got = wait_runs(api, [run["id"]], pred=complete)[run["id"]]
    assert got["reference_example_id"] == example
    wait_runs(api, [other["id"]])
    assert [r["id"] for r in api.query(session=[api.project_id(project)], reference_example=[example])] == [run["id"]]


def test_payload_json_round_trips_exactly(api: Api, project: str) -> None:
    """inputs/outputs/extra come back as the same JSON values, edge cases included."""
    tricky = {
        "unicode": "héllo ✓ 🚀 \u2028 中文",
        "nul": "a\u0000b",
        "escapes": 'quote" backslash\\ newline\n tab\t',
        "beyond_int64": 12345678901234567890,
        "int64_min": -9223372036854775808,
        "float": 0.1,
        "huge": 1e300,
        "tiny": 5e-324,
        "nested": [[[[[{"a": [1, {"b": None}]}]]]]],
        "empty": [{}, []],
        "bools": [True, False, None],
        "long": "x" * 100_000,
    }
    run = new_run("json-edge", project=project, latency=0.1, inputs=tricky, outputs={"echo": tricky},
                  metadata={"edge": tricky["unicode"]})
    api.ingest([run])
    got = wait_runs(api, [run["id"]])[run["id"]]
    assert got["inputs"] == tricky
    assert got["outputs"] == {"echo": tricky}
    assert got["extra"]["metadata"]["edge"] == tricky["unicode"]
    assert isinstance(got["inputs"]["beyond_int64"], int), "integers must not degrade to floats"


@pytest.mark.parametrize("start,expected", [
    ("2026-01-02T03:04:05.123456Z", "2026-01-02T03:04:05.123456+00:00"),
    ("2026-01-02T03:04:05.123456", "2026-01-02T03:04:05.123456+00:00"),  # naive = UTC
    ("2026-01-02T03:04:05.123Z", "2026-01-02T03:04:05.123000+00:00"),  # JS toISOString
    ("2026-01-02T05:04:05.123456+02:00", "2026-01-02T03:04:05.123456+00:00"),
], ids=["Z", "naive", "millis", "offset"])
def test_time_formats(api: Api, project: str, start: str, expected: str) -> None:
    run = new_run("times", project=project, outputs={"ok": True})
    run["start_time"] = start
    run["end_time"] = "2026-01-02T03:04:06.5Z"
    run["dotted_order"] = "20260102T030405123456Z" + run["id"]
    api.ingest([run])
    got = wait_runs(api, [run["id"]])[run["id"]]
    assert parse_time(got["start_time"]) == parse_time(expected)
    assert parse_time(got["end_time"]) == parse_time("2026-01-02T03:04:06.500000+00:00")


def test_run_addressed_by_session_id(api: Api) -> None:
    name = unique("by-id")
    created = api.post("/sessions", json={"name": name})
    assert 200 <= created.status_code < 300, created.text
    pid = created.json()["id"]
    run = new_run("by-session-id", project=None, latency=0.1)
    run["session_id"] = pid
    api.ingest([run])
    got = wait_runs(api, [run["id"]])[run["id"]]
    assert got["session_id"] == pid
    assert [r["id"] for r in api.query(session=[pid])] == [run["id"]]


def test_feedback_part_before_its_run(api: Api, project: str) -> None:
    run = new_run("fb-first", project=project, latency=0.1, outputs={"ok": True})
    fid = str(uuid.uuid4())
    fb = {"id": fid, "run_id": run["id"], "trace_id": run["trace_id"], "key": "early", "score": 1,
          "feedback_source": {"type": "api", "metadata": {}}}
    assert 200 <= api.multipart([feedback_part(fb)] + run_parts("post", run)).status_code < 300
    wait_runs(api, [run["id"]], pred=lambda r: (r.get("feedback_stats") or {}).get("early", {}).get("n") == 1)
    assert api.get(f"/feedback/{fid}").json()["run_id"] == run["id"]


def test_unknown_ids_and_sessions(api: Api) -> None:
    assert_detail(api.get(f"/runs/{uuid.uuid4()}"), {404})
    assert_detail(api.get("/runs/not-a-uuid"), {400, 404, 422})
    r = api.post("/runs/query", json={"session": [str(uuid.uuid4())]})
    assert r.status_code == 200 and r.json()["runs"] == []


def test_concurrent_out_of_order_posts_and_patches(api: Api, project: str) -> None:
    """Posts and patches for the same runs race each other from several connections."""
    import random
    from concurrent.futures import ThreadPoolExecutor

    runs = [new_run(f"race-{i}", project=project, inputs={"i": i}) for i in range(120)]
    ops = [("post", r) for r in runs] + [("patch", patch_of(r, latency=0.05, outputs={"i": r["inputs"]["i"]}))
                                         for r in runs]
    random.Random(7).shuffle(ops)
    batches = [ops[i : i + 10] for i in range(0, len(ops), 10)]

    def send(batch: list) -> int:
        client = Api(api.base, api.api_key)
        parts = [p for op, r in batch for p in run_parts(op, r)]
        return client.multipart(parts).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(send, batches))
    assert all(200 <= s < 300 for s in statuses), statuses
    got = wait_runs(api, [r["id"] for r in runs], pred=complete, timeout=20)
    assert all(g["outputs"] == {"i": g["inputs"]["i"]} for g in got.values())
    ids = [r["id"] for r in api.query(session=[api.project_id(project)])]
    assert len(ids) == len(set(ids)) == len(runs)


# -- JSON endpoints ---------------------------------------------------------------------


def test_runs_batch_post_and_patch(api: Api, project: str) -> None:
    a = new_run("batch-a", project=project, inputs={"a": 1})
    b = new_run("batch-b", project=project, latency=0.2, outputs={"b": 2})
    r = api.post("/runs/batch", json={"post": [a, b]})
    assert 200 <= r.status_code < 300, r.text
    r = api.post("/runs/batch", json={"patch": [patch_of(a, latency=0.7, outputs={"a": "done"})]})
    assert 200 <= r.status_code < 300, r.text
    got = wait_runs(api, [a["id"], b["id"]], pred=complete)
    assert got[a["id"]]["inputs"] == {"a": 1} and got[a["id"]]["outputs"] == {"a": "done"}
    assert got[b["id"]]["outputs"] == {"b": 2}


def test_post_runs_and_patch_run(api: Api, project: str) -> None:
    rid = str(uuid.uuid4())
    r = api.post("/runs", json={"id": rid, "name": "json-run", "run_type": "tool", "inputs": {"x": 1},
                                "session_name": project, "tags": ["json"]})
    assert 200 <= r.status_code < 300, r.text
    r = api.patch(f"/runs/{rid}", json={"outputs": {"y": 2}, "end_time": iso(now())})
    assert 200 <= r.status_code < 300, r.text
    got = wait_runs(api, [rid], pred=complete)[rid]
    assert got["inputs"] == {"x": 1} and got["outputs"] == {"y": 2} and got["tags"] == ["json"]
    assert got["trace_id"] == rid and got["dotted_order"].endswith(rid)
    assert got["run_type"] == "tool" and got["status"] == "success"


# -- malformed requests -----------------------------------------------------------------

RUN = lambda: new_run("malformed", project="malformed-e2e", latency=0.1)  # noqa: E731


def _mp(parts: list[Part], boundary: Optional[str] = None) -> tuple[bytes, dict]:
    boundary = boundary or new_boundary()
    return encode_multipart(parts, boundary), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def _bad_boundary() -> tuple[bytes, dict]:
    body, _ = _mp(run_parts("post", RUN()), "aaaa")
    return body, {"Content-Type": "multipart/form-data; boundary=bbbb"}


def _no_boundary() -> tuple[bytes, dict]:
    body, _ = _mp(run_parts("post", RUN()))
    return body, {"Content-Type": "multipart/form-data"}


def _truncated() -> tuple[bytes, dict]:
    body, h = _mp(run_parts("post", RUN()))
    return body[: len(body) * 2 // 3], h


def _missing_final_delimiter() -> tuple[bytes, dict]:
    body, h = _mp(run_parts("post", RUN()))
    return body[: body.rindex(b"--" + h["Content-Type"].split("=")[1].encode())], h


def _invalid_json_main() -> tuple[bytes, dict]:
    run = RUN()
    return _mp([Part(f"post.{run['id']}", b'{"name": "x", ')])


def _invalid_json_field() -> tuple[bytes, dict]:
    run = RUN()
    return _mp(run_parts("post", run)[:1] + [Part(f"post.{run['id']}.inputs", b"{not json")])


def _main_part_not_object() -> tuple[bytes, dict]:
    run = RUN()
    return _mp([json_part(f"post.{run['id']}", [1, 2, 3])])


def _unknown_part_name() -> tuple[bytes, dict]:
    return _mp(run_parts("post", RUN()) + [json_part("bogus.thing", {"a": 1})])


def _unknown_field_suffix() -> tuple[bytes, dict]:
    run = RUN()
    return _mp(run_parts("post", run) + [json_part(f"post.{run['id']}.bogus", {"a": 1})])


def _bad_uuid_in_part_name() -> tuple[bytes, dict]:
    run = RUN()
    run["id"] = "not-a-uuid"
    return _mp(run_parts("post", run))


def _bad_uuid_in_body() -> tuple[bytes, dict]:
    run = RUN()
    main = {k: v for k, v in run.items() if k not in ("inputs", "outputs", "extra")}
    main["trace_id"] = "1234"
    return _mp([json_part(f"post.{run['id']}", main)])


def _patch_without_id() -> tuple[bytes, dict]:
    run = RUN()
    patch = patch_of(run, outputs={"x": 1})
    return _mp([json_part("patch.", {k: v for k, v in patch.items() if k != "id"})])


def _wrong_content_type() -> tuple[bytes, dict]:
    return json_bytes({"post": [RUN()]}), {"Content-Type": "application/json"}


def _corrupt_gzip() -> tuple[bytes, dict]:
    body, h = _mp(run_parts("post", RUN()))
    gz = gzip_bytes(body)
    # A valid gzip header followed by garbage deflate data.
    return gz[:10] + b"\xff" * (len(gz) - 10), {**h, "Content-Encoding": "gzip"}


def _not_gzip_at_all() -> tuple[bytes, dict]:
    body, h = _mp(run_parts("post", RUN()))
    return body, {**h, "Content-Encoding": "gzip"}


def _corrupt_zstd() -> tuple[bytes, dict]:
    body, h = _mp(run_parts("post", RUN()))
    z = bytearray(zstd_stream(body))
    z[len(z) // 2:] = os.urandom(len(z) - len(z) // 2)
    return bytes(z), {**h, "Content-Encoding": "zstd"}


def _truncated_zstd() -> tuple[bytes, dict]:
    body, h = _mp(run_parts("post", RUN()))
    z = zstd_stream(body)
    return z[: len(z) // 2], {**h, "Content-Encoding": "zstd"}


def _unsupported_encoding() -> tuple[bytes, dict]:
    body, h = _mp(run_parts("post", RUN()))
    return body, {**h, "Content-Encoding": "br"}


MULTIPART_CASES: dict[str, Callable[[], tuple[bytes, dict]]] = {
    "bad-boundary": _bad_boundary,
    "no-boundary": _no_boundary,
    "truncated-body": _truncated,
    "missing-final-delimiter": _missing_final_delimiter,
    "invalid-json-main-part": _invalid_json_main,
    "invalid-json-inputs-part": _invalid_json_field,
    "main-part-not-object": _main_part_not_object,
    "unknown-part-name": _unknown_part_name,
    "unknown-field-suffix": _unknown_field_suffix,
    "bad-uuid-part-name": _bad_uuid_in_part_name,
    "bad-uuid-trace-id": _bad_uuid_in_body,
    "patch-without-id": _patch_without_id,
    "wrong-content-type": _wrong_content_type,
    "corrupt-gzip": _corrupt_gzip,
    "plain-body-labelled-gzip": _not_gzip_at_all,
    "corrupt-zstd": _corrupt_zstd,
    "truncated-zstd": _truncated_zstd,
    "unsupported-encoding": _unsupported_encoding,
}


@pytest.mark.parametrize("case", list(MULTIPART_CASES))
def test_malformed_multipart(server: AnvilServer, api: Api, case: str) -> None:
    body, headers = MULTIPART_CASES[case]()
    r = api.post("/runs/multipart", data=body, headers=headers)
    assert_detail(r, {400, 415, 422})
    assert_server_alive(server, api)


JSON_CASES: dict[str, tuple[str, str, Callable[[], dict]]] = {
    "batch-invalid-json": ("POST", "/runs/batch", lambda: {"data": b'{"post": [', "headers": {"Content-Type": "application/json"}}),
    "batch-not-object": ("POST", "/runs/batch", lambda: {"json": [1, 2]}),
    "batch-patch-without-id": ("POST", "/runs/batch", lambda: {"json": {"patch": [{"outputs": {"a": 1}, "end_time": iso(now())}]}}),
    "batch-bad-uuid": ("POST", "/runs/batch", lambda: {"json": {"post": [{**RUN(), "id": "nope"}]}}),
    "runs-invalid-json": ("POST", "/runs", lambda: {"data": b"{{{", "headers": {"Content-Type": "application/json"}}),
    "runs-bad-uuid": ("POST", "/runs", lambda: {"json": {**RUN(), "id": "12345"}}),
    "patch-run-bad-uuid": ("PATCH", "/runs/not-a-uuid", lambda: {"json": {"outputs": {"a": 1}}}),
    "patch-run-invalid-json": ("PATCH", f"/runs/{uuid.uuid4()}", lambda: {"data": b"[", "headers": {"Content-Type": "application/json"}}),
    "runs-bad-start-time": ("POST", "/runs", lambda: {"json": {**RUN(), "start_time": "yesterday-ish"}}),
    "feedback-invalid-json": ("POST", "/feedback", lambda: {"data": b"{", "headers": {"Content-Type": "application/json"}}),
}


@pytest.mark.parametrize("case", list(JSON_CASES))
def test_malformed_json_bodies(server: AnvilServer, api: Api, case: str) -> None:
    method, path, kw = JSON_CASES[case]
    r = api.request(method, path, **kw())
    assert_detail(r, {400, 404, 422} if "bad-uuid" in case and method == "PATCH" else {400, 422})
    assert_server_alive(server, api)


def test_rejected_request_stores_nothing(server: AnvilServer, api: Api, project: str) -> None:
    """A 4xx means nothing from that request was queued, not even its valid parts."""
    good = new_run("good-part", project=project, latency=0.1)
    parts = run_parts("post", good) + [Part(f"post.{uuid.uuid4()}", b"{broken")]
    assert_detail(api.multipart(parts), {400, 422})
    sentinel = new_run("sentinel", project=project, latency=0.1)
    api.ingest([sentinel])
    wait_runs(api, [sentinel["id"]])
    assert api.run(good["id"]) is None


# -- size limit -------------------------------------------------------------------------


def _post_raw(server: AnvilServer, path: str, body: bytes, headers: dict) -> tuple[int, bytes]:
    """POST with http.client, tolerating the server answering 413 before the body is sent.

    requests would raise on the broken pipe and lose the response; here we stop sending
    and still read the answer. A dropped connection with no answer fails the test: the SDK
    turns that into a misleading "connection error" instead of a clear 413.
    """
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        conn.putrequest("POST", "/api/v1" + path)
        for k, v in {**headers, **server.headers, "Content-Length": str(len(body))}.items():
            conn.putheader(k, v)
        conn.endheaders()
        try:
            view = memoryview(body)
            for i in range(0, len(body), 256 * 1024):
                conn.sock.sendall(view[i : i + 256 * 1024])
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            pass
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def _assert_413(status: int, body: bytes) -> None:
    assert status == 413, f"expected 413, got {status}: {body[:300]!r}"
    assert "detail" in json.loads(body)


def test_multipart_over_25mb_is_413(server: AnvilServer, api: Api) -> None:
    run = new_run("huge", project=unique("huge"), latency=0.1, inputs={"blob": "y" * (26 * MB)})
    body, headers = _mp(run_parts("post", run))
    _assert_413(*_post_raw(server, "/runs/multipart", body, headers))
    assert_server_alive(server, api)
    assert api.run(run["id"]) is None


def test_batch_over_25mb_is_413(server: AnvilServer, api: Api) -> None:
    run = new_run("huge-batch", project=unique("huge"), latency=0.1, inputs={"blob": "z" * (26 * MB)})
    _assert_413(*_post_raw(server, "/runs/batch", json_bytes({"post": [run]}), {"Content-Type": "application/json"}))
    assert_server_alive(server, api)


@pytest.mark.parametrize("encoding", ["gzip", "zstd"])
def test_compressed_body_inflating_past_25mb_is_413(server: AnvilServer, api: Api, encoding: str) -> None:
    """The limit applies to the decoded body too (a 30 MB run compresses to a few KB)."""
    run = new_run("bomb", project=unique("bomb"), latency=0.1, inputs={"blob": "0" * (30 * MB)})
    body, headers = _mp(run_parts("post", run))
    packed = gzip.compress(body, compresslevel=9) if encoding == "gzip" else zstd_stream(body)
    assert len(packed) < MB
    _assert_413(*_post_raw(server, "/runs/multipart", packed, {**headers, "Content-Encoding": encoding}))
    assert_server_alive(server, api)
