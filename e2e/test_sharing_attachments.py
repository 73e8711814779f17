"""Run sharing through the SDK, and attachments (storage, signed download URLs)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import requests

from langsmith import traceable
from langsmith import utils as ls_utils
from langsmith.client import _construct_url
from langsmith.run_helpers import tracing_context
from langsmith.run_trees import RunTree
from langsmith.schemas import Attachment

from anvil_server import AnvilServer
from conftest import FULL_BATCH_INGEST_CONFIG, Sdk
from wire import Api, assert_detail, new_run, wait_runs

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.7\n" + os.urandom(2048) + b"\n%%EOF"


def _trace(sdk: Sdk, project: str) -> tuple[uuid.UUID, uuid.UUID]:
    ids: dict[str, uuid.UUID] = {}

    @traceable(name="shared-child")
    def child(x: int) -> int:
        return x + 1

    @traceable(name="shared-root")
    def root(x: int) -> dict:
        return {"y": child(x, langsmith_extra={"run_id": ids.setdefault("child", uuid.uuid4())})}

    ids["root"] = uuid.uuid4()
    with tracing_context(client=sdk.client, project_name=project, enabled=True):
        root(1, langsmith_extra={"run_id": ids["root"]})
    sdk.flush()
    return ids["root"], ids["child"]


# -- sharing ----------------------------------------------------------------------------


def test_share_round_trip(sdk: Sdk, api: Api, server: AnvilServer, project: str) -> None:
    client = sdk.client
    root, child = _trace(sdk, project)
    wait_runs(api, [str(root), str(child)], pred=lambda r: r.get("end_time") is not None)

    raw = api.get(f"/runs/{root}/share")
    assert raw.status_code == 200 and raw.json() is None, f"unshared state must be JSON null, got {raw.text!r}"
    assert client.run_is_shared(root) is False
    assert client.read_run_shared_link(root) is None

    url = client.share_run(root)
    assert url.endswith("/r")
    token = uuid.UUID(url.rstrip("/").split("/")[-2])
    assert client.read_run_shared_link(root) == url
    assert client.run_is_shared(root) is True

    shared = client.read_shared_run(url)
    assert shared.id == root and shared.name == "shared-root"
    assert shared.inputs == {"x": 1} and shared.outputs == {"y": 2}
    shared_child = client.read_shared_run(token, run_id=child)
    assert shared_child.id == child and shared_child.outputs == {"output": 2}

    # Public reads need no key.
    public = requests.get(f"{server.api('/api/v1')}/public/{token}/run", timeout=10)
    assert public.status_code == 200 and public.json()["id"] == str(root)
    # A run outside the shared trace is not reachable through the token.
    outsider = new_run("outsider", project=project, latency=0.1)
    api.ingest([outsider])
    wait_runs(api, [outsider["id"]])
    assert_detail(requests.get(f"{server.api('/api/v1')}/public/{token}/run/{outsider['id']}", timeout=10), {404})

    client.unshare_run(root)
    assert client.read_run_shared_link(root) is None and client.run_is_shared(root) is False
    assert_detail(requests.get(f"{server.api('/api/v1')}/public/{token}/run", timeout=10), {404})
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        client.read_shared_run(token)


def test_share_with_chosen_token(sdk: Sdk, api: Api, project: str) -> None:
    root, _ = _trace(sdk, project)
    wait_runs(api, [str(root)])
    token = uuid.uuid4()
    # str(): the SDK puts share_id into requests' json= as-is, and a UUID is not serialisable.
    url = sdk.client.share_run(root, share_id=str(token))
    assert f"/public/{token}/r" in url
    assert sdk.client.read_shared_run(token).id == root


def test_share_errors(api: Api, server: AnvilServer) -> None:
    missing = uuid.uuid4()
    assert_detail(api.put(f"/runs/{missing}/share", json={"run_id": str(missing), "share_token": str(uuid.uuid4())}),
                  {404})
    assert_detail(requests.get(f"{server.api('/api/v1')}/public/{uuid.uuid4()}/run", timeout=10), {404})
    assert_detail(requests.get(f"{server.api('/api/v1')}/public/not-a-token/run", timeout=10), {400, 404, 422})


# -- attachments ------------------------------------------------------------------------


def _check_download_is_signed(api_url: str, presigned: str, expected: bytes) -> None:
    url = _construct_url(api_url, presigned)
    ok = requests.get(url, timeout=10)  # no auth headers, like the SDK
    assert ok.status_code == 200 and ok.content == expected
    tampered = url[:-1] + ("0" if url[-1] != "0" else "1")
    assert requests.get(tampered, timeout=10).status_code in (400, 401, 403, 404), "tampered URL still downloads"
    if "?" in url:
        assert requests.get(url.split("?", 1)[0], timeout=10).status_code in (400, 401, 403, 404), \
            "URL without its signature still downloads"


def test_traceable_attachments(sdk: Sdk, api: Api, project: str) -> None:
    rid = uuid.uuid4()

    @traceable(name="with-attachments")
    def describe(question: str, image: Attachment, doc: Attachment) -> str:
        return f"{len(image.data)} {len(doc.data)}"

    with tracing_context(client=sdk.client, project_name=project, enabled=True):
        describe("what is this?", Attachment("image/png", PNG), Attachment("application/pdf", PDF),
                 langsmith_extra={"run_id": rid})
    sdk.flush()

    raw = wait_runs(api, [str(rid)], pred=lambda r: len(r.get("s3_urls") or {}) >= 2)[str(rid)]
    assert raw["inputs"] == {"question": "what is this?"}, "attachments must not be inlined into inputs"
    urls = raw["s3_urls"]
    assert set(k for k in urls if k.startswith("attachment.")) == {"attachment.image", "attachment.doc"}
    assert urls["attachment.image"]["mime_type"] == "image/png"
    assert urls["attachment.doc"]["mime_type"] == "application/pdf"
    _check_download_is_signed(sdk.client.api_url, urls["attachment.image"]["presigned_url"], PNG)

    run = sdk.client.read_run(rid)
    assert set(run.attachments) == {"image", "doc"}
    assert run.attachments["image"]["reader"].read() == PNG
    assert run.attachments["doc"]["reader"].read() == PDF
    assert run.attachments["doc"]["mime_type"] == "application/pdf"

    listed = next(iter(sdk.client.list_runs(project_name=project)))
    assert listed.attachments["image"]["reader"].read() == PNG


def test_runtree_attachments_bytes_path_and_late(sdk: Sdk, api: Api, project: str, tmp_path: Path) -> None:
    big = os.urandom(5 * 1024 * 1024)
    path = tmp_path / "blob.bin"
    path.write_bytes(big)
    rt = RunTree(name="rt-attach", run_type="chain", inputs={"q": 1}, project_name=project, client=sdk.client,
                 attachments={"note": ("text/plain", b"hello"), "blob": ("application/octet-stream", path)},
                 dangerously_allow_filesystem=True)
    rt.post()
    sdk.flush()  # posted (with file-path attachment: Content-Type "...; length=N", no Content-Length)
    rt.attachments["late"] = ("text/csv", b"a,b\n1,2\n")
    rt.end(outputs={"done": True})
    rt.patch()
    sdk.flush()

    wait_runs(api, [str(rt.id)], pred=lambda r: len(r.get("s3_urls") or {}) >= 3 and r.get("outputs"))
    run = sdk.client.read_run(rt.id)
    assert run.attachments["note"]["reader"].read() == b"hello"
    assert run.attachments["blob"]["reader"].read() == big
    assert run.attachments["late"]["reader"].read() == b"a,b\n1,2\n"
    assert run.attachments["late"]["mime_type"] == "text/csv"
    assert run.inputs == {"q": 1} and run.outputs == {"done": True}


def test_attachments_in_zstd_stream(make_sdk, api: Api, project: str) -> None:
    version = api.get("/info").json()["version"]
    sdk: Sdk = make_sdk(info={"version": version, "batch_ingest_config": FULL_BATCH_INGEST_CONFIG,
                              "instance_flags": {"zstd_compression_enabled": True}})
    rid = uuid.uuid4()

    @traceable(name="zstd-attach")
    def f(image: Attachment) -> int:
        return len(image.data)

    with tracing_context(client=sdk.client, project_name=project, enabled=True):
        f(Attachment("image/png", PNG), langsmith_extra={"run_id": rid})
    sdk.flush()
    assert all(c.request_headers.get("Content-Encoding") == "zstd" for c in sdk.ingest_calls("/runs/multipart"))
    wait_runs(api, [str(rid)], pred=lambda r: "attachment.image" in (r.get("s3_urls") or {}))
    assert sdk.client.read_run(rid).attachments["image"]["reader"].read() == PNG
