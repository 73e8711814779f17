"""Shared helpers for the dataset / example / evaluation end-to-end tests.

* `ds_sdk`: a recorded SDK client in one of the two example upload modes the SDK has:
  - "multipart": the client reads the server's `/info`, which must advertise
    `instance_flags.dataset_examples_multipart_enabled`; examples are created/updated with
    `POST|PATCH …/platform/datasets/{id}/examples` (multipart/form-data).
  - "json": the client is given an `/info` without `instance_flags` (plus the full
    `batch_ingest_config`, wire doc §3.3), so it uses the legacy JSON endpoints
    `POST /examples/bulk`, `POST /examples`, `PATCH /examples/{id}`, `PATCH /examples/bulk`.
  Import the fixture into a test module with `from evalhelp_datasets import ds_sdk  # noqa: F401`.
* Small readers that take the SDK's view of examples apart (user metadata vs. the
  `dataset_split` key the server keeps in example metadata).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, Iterable, Optional

import pytest
import requests

import langsmith
from langsmith import schemas as ls_schemas
from langsmith.client import _construct_url

from conftest import FULL_BATCH_INGEST_CONFIG, Call, Sdk
from wire import as_utc, unique

# An /info without instance_flags: every example call takes the legacy JSON path.
LEGACY_INFO = {"version": "0.10.0", "batch_ingest_config": FULL_BATCH_INGEST_CONFIG}

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 3
PDF = b"%PDF-1.7\n" + bytes(range(200)) * 5 + b"\n%%EOF"


@dataclass
class ModeSdk:
    """A recorded client plus the example-upload mode it was built for."""

    sdk: Sdk
    mode: str  # "multipart" | "json"

    @property
    def client(self) -> langsmith.Client:
        return self.sdk.client

    @property
    def multipart(self) -> bool:
        return self.mode == "multipart"

    def calls(self, method: str, suffix: str) -> list[Call]:
        return [c for c in self.sdk.calls if c.method == method and c.path.endswith(suffix)]

    def assert_create_path(self, dataset_id: Any, since: int = 0) -> None:
        """The example writes since call #`since` went to the endpoint of this mode, with a 2xx."""
        new = self.sdk.calls[since:]
        mp = [c for c in new if c.method == "POST" and c.path.endswith(f"/platform/datasets/{dataset_id}/examples")]
        js = [c for c in new if c.method == "POST" and "/platform/" not in c.path
              and (c.path.endswith("/examples/bulk") or c.path.endswith("/examples"))]
        if self.multipart:
            assert mp and not js, f"multipart mode must POST …/platform/datasets/{{id}}/examples, saw {_paths(new)}"
            for c in mp:
                assert c.request_headers.get("Content-Type", "").startswith("multipart/form-data"), c.request_headers
                assert c.ok, f"{c.method} {c.path} -> {c.status}"
        else:
            assert js and not mp, f"json mode must POST /examples[/bulk], saw {_paths(new)}"
            assert all(c.ok for c in js), [(c.path, c.status) for c in js]

    def assert_update_path(self, dataset_id: Any, since: int = 0) -> None:
        new = self.sdk.calls[since:]
        mp = [c for c in new if c.method == "PATCH" and c.path.endswith(f"/platform/datasets/{dataset_id}/examples")]
        js = [c for c in new if c.method == "PATCH" and "/examples" in c.path and "/platform/" not in c.path]
        if self.multipart:
            assert mp and not js, f"multipart mode must PATCH …/platform/datasets/{{id}}/examples, saw {_paths(new)}"
        else:
            assert js and not mp, f"json mode must PATCH /examples/…, saw {_paths(new)}"


def _paths(calls: Iterable[Call]) -> list[str]:
    return [f"{c.method} {c.path} {c.status}" for c in calls]


@pytest.fixture(params=["multipart", "json"])
def ds_sdk(request: pytest.FixtureRequest, make_sdk) -> ModeSdk:
    if request.param == "json":
        return ModeSdk(make_sdk(info=LEGACY_INFO), "json")
    sdk: Sdk = make_sdk()
    flags = sdk.client.info.instance_flags or {}
    assert flags.get("dataset_examples_multipart_enabled") is True, (
        f"/info must advertise instance_flags.dataset_examples_multipart_enabled=true, got {flags!r}")
    return ModeSdk(sdk, "multipart")


# -- datasets ---------------------------------------------------------------------------


def new_dataset(client: langsmith.Client, prefix: str = "e2e-ds", **kw: Any) -> ls_schemas.Dataset:
    return client.create_dataset(unique(prefix), **kw)


def as_create(row: dict) -> dict:
    """An example dict with `outputs` renamed to `reference_outputs` (the non-deprecated key)."""
    row = dict(row)
    if "outputs" in row:
        row["reference_outputs"] = row.pop("outputs")
    return row


def add_examples(client: langsmith.Client, dataset_id: Any, rows: list[dict]) -> list[uuid.UUID]:
    """create_examples with explicit ids; returns the ids in row order."""
    ids = [uuid.uuid4() for _ in rows]
    examples = [{**as_create(r), "id": i} for r, i in zip(rows, ids)]
    resp = client.create_examples(dataset_id=dataset_id, examples=examples)
    assert resp["count"] == len(rows), resp
    assert {str(x) for x in resp["example_ids"]} == {str(i) for i in ids}, resp
    return ids


def examples_by_id(client: langsmith.Client, dataset_id: Any, **kw: Any) -> dict[uuid.UUID, ls_schemas.Example]:
    got = list(client.list_examples(dataset_id=dataset_id, **kw))
    ids = [e.id for e in got]
    assert len(ids) == len(set(ids)), f"list_examples returned an example twice: {ids}"
    return {e.id: e for e in got}


def ids_of(examples: Iterable[ls_schemas.Example]) -> set[uuid.UUID]:
    out = [e.id for e in examples]
    assert len(out) == len(set(out)), f"duplicate ids in {out}"
    return set(out)


def user_meta(example: ls_schemas.Example) -> dict:
    """Example metadata without the server-maintained `dataset_split` key."""
    return {k: v for k, v in (example.metadata or {}).items() if k != "dataset_split"}


def splits_of(example: ls_schemas.Example) -> list[str]:
    value = (example.metadata or {}).get("dataset_split")
    if isinstance(value, str):
        value = [value]
    return sorted(value or [])


def versions(client: langsmith.Client, dataset_id: Any) -> list[ls_schemas.DatasetVersion]:
    """All versions, oldest first (the server's order is not part of the contract)."""
    got = list(client.list_dataset_versions(dataset_id=dataset_id))
    stamps = [as_utc(v.as_of) for v in got]
    assert len(stamps) == len(set(stamps)), f"two versions share an as_of: {stamps}"
    return sorted(got, key=lambda v: as_utc(v.as_of))


def latest_as_of(client: langsmith.Client, dataset_id: Any) -> dt.datetime:
    vs = versions(client, dataset_id)
    assert vs, "dataset has no versions"
    return as_utc(vs[-1].as_of)


def info_without_zstd(api: Any) -> dict:
    """The server's own /info with zstd turned off, so multipart bodies are recorded as plain bytes
    (the SDK streams zstd frames, which the recording session cannot see)."""
    info = api.get("/info").json()
    info["instance_flags"] = {**(info.get("instance_flags") or {}), "zstd_compression_enabled": False}
    return info


# -- attachments ------------------------------------------------------------------------


def check_download(api_url: str, presigned: str, expected: bytes) -> None:
    """A stored attachment downloads without auth (like the SDK does) and the URL is signed."""
    url = _construct_url(api_url, presigned)
    ok = requests.get(url, timeout=10)
    assert ok.status_code == 200, f"GET {url}: {ok.status_code} {ok.text[:200]}"
    assert ok.content == expected
    tampered = url[:-1] + ("0" if url[-1] != "0" else "1")
    assert requests.get(tampered, timeout=10).status_code in (400, 401, 403, 404), "tampered URL still downloads"


def read_attachments(example: ls_schemas.Example) -> dict[str, tuple[Optional[str], bytes]]:
    out = {}
    for name, info in (example.attachments or {}).items():
        out[name] = (info.get("mime_type"), info["reader"].read())
    return out
