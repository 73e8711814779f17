"""Examples in both upload modes (multipart `…/platform/datasets/{id}/examples` and legacy JSON
`/examples[/bulk]`): create/read/list filters/update/bulk update/delete, splits, attachments
and `attachments_operations`, `upsert_examples_multipart`, and the raw multipart wire format.

`ds_sdk` runs a test once per mode (evalhelp_datasets.py); attachment tests need multipart.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest

import langsmith
from langsmith import utils as ls_utils
from langsmith.schemas import Attachment, AttachmentsOperations, ExampleUpsertWithAttachments

from anvil_server import AnvilServer
from conftest import Sdk
from evalhelp_datasets import (  # noqa: F401  (ds_sdk is a fixture)
    LEGACY_INFO,
    PDF,
    PNG,
    ModeSdk,
    add_examples,
    check_download,
    ds_sdk,
    examples_by_id,
    ids_of,
    latest_as_of,
    new_dataset,
    read_attachments,
    splits_of,
    user_meta,
    versions,
)
from wire import UTC, Api, Part, as_utc, assert_detail, encode_multipart, json_bytes, new_boundary


def _multipart_client(make_sdk, prefix: str = "/api/v1") -> Sdk:
    sdk: Sdk = make_sdk(prefix)
    flags = sdk.client.info.instance_flags or {}
    assert flags.get("dataset_examples_multipart_enabled") is True, f"/info instance_flags: {flags!r}"
    return sdk


# -- create / read ----------------------------------------------------------------------


def test_create_and_read_examples(ds_sdk: ModeSdk) -> None:
    client = ds_sdk.client
    ds = new_dataset(client, "ex")
    t0 = dt.datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
    rows = [
        {"inputs": {"q": "alpha", "n": 1}, "outputs": {"a": "A"}, "metadata": {"source": "unit", "k": 1}},
        {"inputs": {"q": "beta", "nested": {"x": [1, 2.5, {"y": None}], "t": True}}},
        {"inputs": {"q": "gamma", "unicode": "héllo ✓ 漢字"}, "outputs": {"a": "Γ"}, "created_at": t0},
    ]
    since = len(ds_sdk.sdk.calls)
    ids = add_examples(client, ds.id, rows)
    ds_sdk.assert_create_path(ds.id, since)

    for eid, row in zip(ids, rows):
        got = client.read_example(eid)
        assert got.id == eid and got.dataset_id == ds.id
        assert got.inputs == row["inputs"]
        assert (got.outputs or None) == row.get("outputs")
        assert user_meta(got) == row.get("metadata", {})
        assert got.created_at is not None and got.modified_at is not None
    assert as_utc(client.read_example(ids[2]).created_at) == t0, "a client-supplied created_at is kept"
    assert client.read_dataset(dataset_id=ds.id).example_count == 3

    # create_example: one example, explicit id, split and metadata.
    one_id = uuid.uuid4()
    since = len(ds_sdk.sdk.calls)
    one = client.create_example(inputs={"q": "single"}, reference_outputs={"a": 1}, dataset_name=ds.name,
                                metadata={"m": "x"}, split="test", example_id=one_id, created_at=t0)
    ds_sdk.assert_create_path(ds.id, since)
    assert one.id == one_id and one.dataset_id == ds.id and one.inputs == {"q": "single"}
    assert one.outputs == {"a": 1}
    got = client.read_example(one_id)
    assert splits_of(got) == ["test"] and user_meta(got) == {"m": "x"} and as_utc(got.created_at) == t0

    # The legacy keyword form of create_examples.
    kw_ids = [uuid.uuid4(), uuid.uuid4()]
    resp = client.create_examples(dataset_name=ds.name, inputs=[{"q": "k1"}, {"q": "k2"}],
                                  reference_outputs=[{"a": 1}, None], metadata=[{"w": 1}, None],
                                  splits=["train", None], ids=kw_ids)
    assert resp["count"] == 2 and {str(x) for x in resp["example_ids"]} == {str(i) for i in kw_ids}
    got = client.read_example(kw_ids[0])
    assert got.inputs == {"q": "k1"} and got.outputs == {"a": 1} and user_meta(got) == {"w": 1}
    assert splits_of(got) == ["train"]
    assert len(list(client.list_examples(dataset_id=ds.id))) == 6

    # An id that already exists is a conflict (the pytest plugin relies on 409 here).
    with pytest.raises(ls_utils.LangSmithConflictError):
        client.create_example(inputs={"q": "dup"}, dataset_id=ds.id, example_id=one_id)
    assert client.read_example(one_id).inputs == {"q": "single"}


def test_example_errors(api: Api, client: langsmith.Client) -> None:
    ds = new_dataset(client, "ex-err")
    missing = uuid.uuid4()
    assert_detail(api.get(f"/examples/{missing}"), {404})
    assert_detail(api.patch(f"/examples/{missing}", json={"inputs": {"a": 1}, "dataset_id": str(ds.id)}), {404})
    assert_detail(api.delete(f"/examples/{missing}"), {404})
    assert_detail(api.get("/examples/not-a-uuid"), {400, 404, 422})
    assert_detail(api.post("/examples", json={"inputs": {"a": 1}}), {400, 422})  # no dataset_id
    assert_detail(api.post("/examples", json={"inputs": {"a": 1}, "dataset_id": str(missing)}), {404})
    assert_detail(api.post("/examples/bulk", json=[{"inputs": {"a": 1}, "dataset_id": str(missing)}]), {404})
    assert_detail(api.post("/examples/bulk", json={"not": "an array"}), {400, 422})
    assert_detail(api.get("/examples", params={"dataset": str(ds.id), "filter": "eq(metadata"}), {400, 422})
    assert list(api.get("/examples", params={"dataset": str(ds.id)}).json()) == []


# -- list filters ---------------------------------------------------------------------------


def test_list_examples_filters_and_paging(ds_sdk: ModeSdk, api: Api) -> None:
    client = ds_sdk.client
    ds = new_dataset(client, "ex-list")
    rows = [
        {"inputs": {"i": 0}, "metadata": {"color": "red", "flag": True}, "split": "train"},
        {"inputs": {"i": 1}, "metadata": {"color": "red"}, "split": ["train", "test"]},
        {"inputs": {"i": 2}, "metadata": {"color": "blue", "flag": False}, "split": "test"},
        {"inputs": {"i": 3}, "metadata": {"color": "blue", "size": {"w": 2, "h": 3}}},
        {"inputs": {"i": 4}, "metadata": {"color": "green", "flag": True}},
        {"inputs": {"i": 5}},
    ]
    ids = add_examples(client, ds.id, rows)

    def got(**kw) -> set[int]:
        return {e.inputs["i"] for e in client.list_examples(dataset_id=ds.id, **kw)}

    assert got() == {0, 1, 2, 3, 4, 5}
    assert {e.id for e in client.list_examples(dataset_name=ds.name)} == set(ids)
    assert got(example_ids=[ids[0], ids[5]]) == {0, 5}
    assert ids_of(client.list_examples(example_ids=[ids[1], ids[3]])) == {ids[1], ids[3]}, "ids without a dataset"
    assert got(metadata={"color": "red"}) == {0, 1}
    assert got(metadata={"color": "red", "flag": True}) == {0}
    assert got(metadata={"size": {"w": 2, "h": 3}}) == {3}
    assert got(filter='exists(metadata, "flag")') == {0, 2, 4}
    assert got(filter="has(metadata, '{\"color\": \"blue\"}')") == {2, 3}
    assert got(filter="has(metadata, '{\"size\": {\"w\": 2}}')") == {3}, "has() is JSON containment"
    assert got(filter="and(has(metadata, '{\"color\": \"red\"}'), exists(metadata, \"flag\"))") == {0}
    assert got(filter='not(exists(metadata, "flag"))') == {1, 3, 5}
    green_or_blue = "or(has(metadata, '{\"color\": \"green\"}'), has(metadata, '{\"color\": \"blue\"}'))"
    assert got(filter=green_or_blue) == {2, 3, 4}
    assert got(splits=["train"]) == {0, 1}
    assert got(splits=["test"]) == {1, 2}
    assert got(splits=["train", "test"]) == {0, 1, 2}
    assert got(splits=["base"]) == {3, 4, 5}, "examples without a split are in 'base'"
    assert got(splits=["train"], metadata={"color": "red", "flag": True}) == {0}
    assert got(splits=["test"], filter='exists(metadata, "flag")') == {2}

    assert len(list(client.list_examples(dataset_id=ds.id, limit=4))) == 4
    assert len(list(client.list_examples(dataset_id=ds.id, offset=4))) == 2
    pages = [api.get("/examples", params={"dataset": str(ds.id), "limit": 2, "offset": off}).json()
             for off in (0, 2, 4, 6)]
    assert [len(p) for p in pages] == [2, 2, 2, 0]
    assert sorted(uuid.UUID(e["id"]) for p in pages for e in p) == sorted(ids)
    assert all("inputs" in e and "dataset_id" in e for p in pages for e in p)


# -- updates ------------------------------------------------------------------------------


def test_update_example(ds_sdk: ModeSdk) -> None:
    client = ds_sdk.client
    ds = new_dataset(client, "ex-upd")
    (eid,) = add_examples(client, ds.id, [{"inputs": {"q": "orig"}, "outputs": {"a": 1},
                                           "metadata": {"keep": 1}, "split": "train"}])
    first = client.read_example(eid)

    since = len(ds_sdk.sdk.calls)
    client.update_example(eid, inputs={"q": "new"})
    ds_sdk.assert_update_path(ds.id, since)
    got = client.read_example(eid)
    assert got.inputs == {"q": "new"} and got.outputs == {"a": 1}, "unsent fields are kept"
    assert user_meta(got) == {"keep": 1} and splits_of(got) == ["train"]
    assert as_utc(got.created_at) == as_utc(first.created_at)
    assert as_utc(got.modified_at) > as_utc(first.modified_at)

    client.update_example(eid, outputs={"a": 2}, dataset_id=ds.id)
    got = client.read_example(eid)
    assert got.outputs == {"a": 2} and got.inputs == {"q": "new"}

    client.update_example(eid, metadata={"only": True}, dataset_id=ds.id)
    got = client.read_example(eid)
    assert user_meta(got) == {"only": True}, "metadata is replaced, not merged"
    assert got.inputs == {"q": "new"} and got.outputs == {"a": 2}

    client.update_example(eid, split=["validation", "test"], dataset_id=ds.id)
    got = client.read_example(eid)
    assert splits_of(got) == ["test", "validation"]
    assert ids_of(client.list_examples(dataset_id=ds.id, splits=["validation"])) == {eid}
    assert ids_of(client.list_examples(dataset_id=ds.id, splits=["train"])) == set()
    client.update_example(eid, split="train", dataset_id=ds.id)
    assert splits_of(client.read_example(eid)) == ["train"]
    assert client.read_example(eid).inputs == {"q": "new"}
    assert len(list(client.list_examples(dataset_id=ds.id))) == 1


def test_update_examples_bulk(ds_sdk: ModeSdk) -> None:
    client = ds_sdk.client
    ds = new_dataset(client, "ex-bulk")
    ids = add_examples(client, ds.id, [{"inputs": {"q": f"q{i}"}, "outputs": {"a": i}} for i in range(4)])
    n_versions = len(versions(client, ds.id))

    since = len(ds_sdk.sdk.calls)
    res = client.update_examples(dataset_id=ds.id, updates=[
        {"id": ids[0], "inputs": {"q": "b0"}},
        {"id": ids[1], "outputs": {"a": "b1"}, "metadata": {"m": 1}},
        {"id": ids[2], "split": "holdout"},
    ])
    ds_sdk.assert_update_path(ds.id, since)
    if ds_sdk.multipart:
        assert res["count"] == 3 and {str(x) for x in res["example_ids"]} == {str(i) for i in ids[:3]}, res
    assert len(versions(client, ds.id)) == n_versions + 1, "one bulk update is one version"
    e = examples_by_id(client, ds.id)
    assert e[ids[0]].inputs == {"q": "b0"} and e[ids[0]].outputs == {"a": 0}
    assert e[ids[1]].inputs == {"q": "q1"} and e[ids[1]].outputs == {"a": "b1"} and user_meta(e[ids[1]]) == {"m": 1}
    assert splits_of(e[ids[2]]) == ["holdout"] and e[ids[2]].inputs == {"q": "q2"}
    assert e[ids[3]].inputs == {"q": "q3"} and e[ids[3]].outputs == {"a": 3}

    # The legacy keyword form (dataset resolved from the first example).
    client.update_examples(example_ids=[ids[2], ids[3]], inputs=[{"q": "k2"}, {"q": "k3"}],
                           outputs=[None, {"a": "k3"}])
    e = examples_by_id(client, ds.id)
    assert e[ids[2]].inputs == {"q": "k2"} and e[ids[2]].outputs == {"a": 2}
    assert e[ids[3]].inputs == {"q": "k3"} and e[ids[3]].outputs == {"a": "k3"}
    assert len(versions(client, ds.id)) == n_versions + 2


def test_multipart_update_spanning_two_datasets_conflicts(make_sdk) -> None:
    client = _multipart_client(make_sdk).client
    ds1, ds2 = new_dataset(client, "span-a"), new_dataset(client, "span-b")
    (e1,) = add_examples(client, ds1.id, [{"inputs": {"q": "one"}}])
    (e2,) = add_examples(client, ds2.id, [{"inputs": {"q": "two"}}])
    with pytest.raises(ls_utils.LangSmithConflictError):
        client.update_examples(dataset_id=ds1.id, updates=[{"id": e1, "inputs": {"q": "x"}},
                                                           {"id": e2, "inputs": {"q": "y"}}])
    assert client.read_example(e1).inputs == {"q": "one"}, "a rejected batch changes nothing"
    assert client.read_example(e2).inputs == {"q": "two"}
    # The keyword form resolves the dataset from the first example (ds1) and sends both.
    with pytest.raises(ls_utils.LangSmithConflictError):
        client.update_examples(example_ids=[e1, e2], inputs=[{"q": "x"}, {"q": "y"}])
    assert client.read_example(e1).inputs == {"q": "one"} and client.read_example(e2).inputs == {"q": "two"}
    # One example of ds2 PATCHed through ds1's path is "an example from another dataset" too.
    with pytest.raises(ls_utils.LangSmithConflictError):
        client.update_example(e2, inputs={"q": "z"}, dataset_id=ds1.id)
    assert client.read_example(e2).inputs == {"q": "two"} and client.read_example(e2).dataset_id == ds2.id


# -- deletes ------------------------------------------------------------------------------


def test_delete_examples_soft_and_hard(ds_sdk: ModeSdk, api: Api) -> None:
    client = ds_sdk.client
    ds = new_dataset(client, "ex-del")
    a, b, c, d, e = add_examples(client, ds.id, [{"inputs": {"n": n}} for n in "abcde"])
    before = latest_as_of(client, ds.id)

    client.delete_example(a)
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        client.read_example(a)
    assert ids_of(client.list_examples(dataset_id=ds.id)) == {b, c, d, e}
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        client.delete_example(a)

    since = len(ds_sdk.sdk.calls)
    client.delete_examples([b, c])
    assert [x for x in ds_sdk.sdk.calls[since:] if x.method == "DELETE" and x.path.endswith("/examples")], \
        "soft delete is DELETE /examples?example_ids=…"
    assert ids_of(client.list_examples(dataset_id=ds.id)) == {d, e}
    # Soft-deleted examples are still part of older versions.
    assert client.read_example(b, as_of=before).inputs == {"n": "b"}
    assert ids_of(client.list_examples(dataset_id=ds.id, as_of=before)) == {a, b, c, d, e}

    since = len(ds_sdk.sdk.calls)
    client.delete_examples([d], hard_delete=True)
    hard = [x for x in ds_sdk.sdk.calls[since:]
            if x.method == "POST" and x.path.endswith("/platform/datasets/examples/delete")]
    assert hard and all(x.ok for x in hard), [(x.path, x.status) for x in ds_sdk.sdk.calls[since:]]
    assert ids_of(client.list_examples(dataset_id=ds.id)) == {e}
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        client.read_example(d)
    # Hard delete removes the example from history too.
    assert ids_of(client.list_examples(dataset_id=ds.id, as_of=before)) == {a, b, c, e}
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        client.read_example(d, as_of=before)
    assert client.read_dataset(dataset_id=ds.id).example_count == 1

    r = api.delete("/examples", params={"example_ids": [str(uuid.uuid4())]})
    assert r.status_code in (200, 204, 404), (r.status_code, r.text)
    assert ids_of(client.list_examples(dataset_id=ds.id)) == {e}


# -- splits -------------------------------------------------------------------------------


def test_splits(ds_sdk: ModeSdk) -> None:
    client = ds_sdk.client
    ds = new_dataset(client, "splits")
    e0, e1, e2, e3 = add_examples(client, ds.id, [
        {"inputs": {"i": 0}, "split": ["train", "test"]},
        {"inputs": {"i": 1}, "split": "train"},
        {"inputs": {"i": 2}},
        {"inputs": {"i": 3}, "split": "test"},
    ])
    e = examples_by_id(client, ds.id)
    assert [splits_of(e[x]) for x in (e0, e1, e2, e3)] == [["test", "train"], ["train"], ["base"], ["test"]], \
        "metadata.dataset_split is a list; examples without a split are in 'base'"
    assert sorted(client.list_dataset_splits(dataset_id=ds.id)) == ["base", "test", "train"]

    def in_split(*names: str, **kw) -> set:
        return ids_of(client.list_examples(dataset_id=ds.id, splits=list(names), **kw))

    assert in_split("train") == {e0, e1}
    assert in_split("test") == {e0, e3}
    assert in_split("base") == {e2}
    assert in_split("train", "base") == {e0, e1, e2}
    assert in_split("nope") == set()

    before = latest_as_of(client, ds.id)
    n_versions = len(versions(client, ds.id))
    client.update_dataset_splits(dataset_id=ds.id, split_name="validation", example_ids=[e1, e3])
    assert in_split("validation") == {e1, e3}
    assert sorted(splits_of(client.read_example(e1))) == ["train", "validation"]
    assert sorted(client.list_dataset_splits(dataset_name=ds.name)) == ["base", "test", "train", "validation"]
    assert len(versions(client, ds.id)) == n_versions + 1, "a split change is a version"
    assert sorted(client.list_dataset_splits(dataset_id=ds.id, as_of=before)) == ["base", "test", "train"]
    assert in_split("validation", as_of=before) == set()

    client.update_dataset_splits(dataset_name=ds.name, split_name="train", example_ids=[e0], remove=True)
    assert in_split("train") == {e1}
    assert splits_of(client.read_example(e0)) == ["test"]
    assert in_split("train", as_of=before) == {e0, e1}
    assert client.read_example(e0).inputs == {"i": 0}, "split changes leave the example's data alone"


# -- attachments (multipart only) ----------------------------------------------------------


def test_example_attachments_bytes_and_path(make_sdk, api: Api, tmp_path: Path) -> None:
    sdk = _multipart_client(make_sdk)
    client = sdk.client
    ds = new_dataset(client, "attach")
    pdf_path = tmp_path / "doc.pdf"
    pdf_path.write_bytes(PDF)
    eid = uuid.uuid4()
    since = len(sdk.calls)
    resp = client.create_examples(dataset_id=ds.id, dangerously_allow_filesystem=True, examples=[{
        "id": eid,
        "inputs": {"q": "describe"},
        "reference_outputs": {"a": "a picture"},
        "attachments": {
            "image": ("image/png", PNG),
            "doc": Attachment(mime_type="application/pdf", data=pdf_path),
            "note": {"mime_type": "text/plain", "data": b"hello"},
        },
    }])
    assert resp["count"] == 1
    bodies = [c.body or b"" for c in sdk.calls[since:] if c.path.endswith(f"/platform/datasets/{ds.id}/examples")]
    assert any(f'name="{eid}.attachment.image"'.encode() in b and b"image/png; length=" in b for b in bodies)

    got = client.read_example(eid)
    assert got.inputs == {"q": "describe"} and got.outputs == {"a": "a picture"}, "attachments are not inlined"
    assert read_attachments(got) == {"image": ("image/png", PNG), "doc": ("application/pdf", PDF),
                                     "note": ("text/plain", b"hello")}
    check_download(client.api_url, got.attachments["image"]["presigned_url"], PNG)

    raw = api.get(f"/examples/{eid}").json()
    urls = raw.get("attachment_urls") or {}
    assert set(urls) == {"attachment.image", "attachment.doc", "attachment.note"}, raw
    assert urls["attachment.doc"]["mime_type"] == "application/pdf"

    listed = list(client.list_examples(dataset_id=ds.id, include_attachments=True))
    assert len(listed) == 1 and read_attachments(listed[0])["doc"] == ("application/pdf", PDF)

    # create_example with attachments (multipart create, then GET /examples/{id}).
    one = client.create_example(inputs={"q": "one"}, dataset_id=ds.id,
                                attachments={"blob": ("application/octet-stream", b"\x00\x01\x02")})
    assert read_attachments(client.read_example(one.id)) == {"blob": ("application/octet-stream", b"\x00\x01\x02")}


def test_attachments_operations_rename_retain(make_sdk) -> None:
    client = _multipart_client(make_sdk).client
    ds = new_dataset(client, "attach-ops")
    eid = uuid.uuid4()
    client.create_examples(dataset_id=ds.id, examples=[{
        "id": eid, "inputs": {"q": "x"},
        "attachments": {"image": ("image/png", PNG), "doc": ("application/pdf", PDF), "note": ("text/plain", b"n")},
    }])
    created = latest_as_of(client, ds.id)

    client.update_example(eid, dataset_id=ds.id,
                          attachments_operations=AttachmentsOperations(rename={"image": "picture"}, retain=["doc"]))
    assert read_attachments(client.read_example(eid)) == {"picture": ("image/png", PNG),
                                                         "doc": ("application/pdf", PDF)}, \
        "renamed and retained attachments stay, the rest is dropped"

    client.update_examples(dataset_id=ds.id, updates=[{
        "id": eid,
        "inputs": {"q": "y"},
        "attachments": {"extra": ("text/csv", b"a,b\n1,2\n")},
        "attachments_operations": {"rename": {}, "retain": ["picture"]},
    }])
    got = client.read_example(eid)
    assert got.inputs == {"q": "y"}
    assert read_attachments(got) == {"picture": ("image/png", PNG), "extra": ("text/csv", b"a,b\n1,2\n")}

    # New attachments without attachments_operations replace the old ones (what the SDK's own
    # integration test expects of LangSmith), and an unknown example is a 404.
    client.update_example(eid, dataset_id=ds.id, attachments={"only": ("text/plain", b"o")})
    assert read_attachments(client.read_example(eid)) == {"only": ("text/plain", b"o")}
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        client.update_examples(dataset_id=ds.id, updates=[{"id": uuid.uuid4(), "inputs": {"q": "nope"}}])

    old = client.read_example(eid, as_of=created)
    assert old.inputs == {"q": "x"} and set(old.attachments or {}) == {"image", "doc", "note"}, \
        "an older version keeps its attachments"
    assert old.attachments["note"]["reader"].read() == b"n"


def test_json_mode_drops_attachments_with_a_warning(make_sdk) -> None:
    client = make_sdk(info=LEGACY_INFO).client
    ds = new_dataset(client, "attach-json")
    with pytest.warns(UserWarning, match="attachments"):
        (eid,) = add_examples(client, ds.id, [{"inputs": {"q": 1}, "attachments": {"f": ("text/plain", b"x")}}])
    got = client.read_example(eid)
    assert got.inputs == {"q": 1} and not got.attachments
    with pytest.raises(ValueError):
        client.update_example(eid, attachments_operations=AttachmentsOperations(retain=[]))


def test_upsert_examples_multipart(make_sdk) -> None:
    sdk = _multipart_client(make_sdk)
    client = sdk.client
    assert (client.info.instance_flags or {}).get("examples_multipart_enabled") is True
    ds = new_dataset(client, "upsert")
    eid = uuid.uuid4()
    res = client.upsert_examples_multipart(upserts=[ExampleUpsertWithAttachments(
        id=eid, dataset_id=ds.id, inputs={"q": 1}, reference_outputs={"a": 1}, metadata={"v": 1},
        attachments={"f": ("text/plain", b"v1")})])
    assert res["count"] == 1 and [str(x) for x in res["example_ids"]] == [str(eid)]
    assert [c for c in sdk.calls if c.method == "POST" and c.path.endswith("/api/v1/platform/examples/multipart")]
    got = client.read_example(eid)
    assert got.inputs == {"q": 1} and got.outputs == {"a": 1} and user_meta(got) == {"v": 1}
    assert read_attachments(got) == {"f": ("text/plain", b"v1")}

    res = client.upsert_examples_multipart(upserts=[
        ExampleUpsertWithAttachments(id=eid, dataset_id=ds.id, inputs={"q": 2}, reference_outputs={"a": 2}),
        ExampleUpsertWithAttachments(dataset_id=ds.id, inputs={"q": "new"}),
    ])
    assert res["count"] == 2
    e = examples_by_id(client, ds.id)
    assert len(e) == 2 and e[eid].inputs == {"q": 2} and e[eid].outputs == {"a": 2}, "upsert updates in place"


# -- raw wire format and prefixes -----------------------------------------------------------


def test_platform_paths_on_every_prefix(make_sdk, prefix: str, server: AnvilServer) -> None:
    """The SDK puts `…/platform/…` under /v1 when api_url lacks it (client.py:11366-11378)."""
    sdk = _multipart_client(make_sdk, prefix)
    client = sdk.client
    ds = new_dataset(client, "prefix")
    ids = add_examples(client, ds.id, [{"inputs": {"p": prefix}, "attachments": {"f": ("text/plain", b"p")}}])
    expected = ("/api/v1" if prefix else "/v1") + f"/platform/datasets/{ds.id}/examples"
    assert [c.path for c in sdk.calls if c.method == "POST" and "/platform/" in c.path] == [expected]
    assert read_attachments(client.read_example(ids[0])) == {"f": ("text/plain", b"p")}
    client.update_example(ids[0], inputs={"p": "updated"}, dataset_id=ds.id)
    assert client.read_example(ids[0]).inputs == {"p": "updated"}
    client.delete_examples(ids, hard_delete=True)
    assert list(client.list_examples(dataset_id=ds.id)) == []


def _post_examples(api: Api, dataset_id, parts: list[Part], method: str = "POST"):
    boundary = new_boundary()
    return api.request(method, f"/platform/datasets/{dataset_id}/examples", data=encode_multipart(parts, boundary),
                       headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})


def test_raw_multipart_examples(api: Api, client: langsmith.Client) -> None:
    ds = new_dataset(client, "raw-mp")
    eid = str(uuid.uuid4())
    parts = [  # like the SDK: no per-part Content-Length, attachment length in the Content-Type
        Part(eid, json_bytes({"metadata": {"raw": True}, "split": ["s1"],
                              "created_at": "2024-01-02T03:04:05.000006+00:00"}), content_length=False),
        Part(f"{eid}.inputs", json_bytes({"q": "raw"}), content_length=False),
        Part(f"{eid}.outputs", json_bytes({"a": "raw"}), content_length=False),
        Part(f"{eid}.attachment.blob", b"\x00\xffdata", "application/octet-stream; length=6", content_length=False),
    ]
    r = _post_examples(api, ds.id, parts)
    assert r.status_code in (200, 201), r.text
    body = r.json()
    assert body["count"] == 1 and body["example_ids"] == [eid], body
    got = client.read_example(eid)
    assert got.inputs == {"q": "raw"} and got.outputs == {"a": "raw"} and user_meta(got) == {"raw": True}
    assert splits_of(got) == ["s1"]
    assert as_utc(got.created_at) == dt.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert read_attachments(got) == {"blob": ("application/octet-stream", b"\x00\xffdata")}

    r = _post_examples(api, ds.id, [Part(eid, json_bytes({})), Part(f"{eid}.inputs", json_bytes({"q": "patched"}))],
                       method="PATCH")
    assert r.status_code == 200, r.text
    assert client.read_example(eid).inputs == {"q": "patched"}

    other = str(uuid.uuid4())
    assert_detail(_post_examples(api, ds.id, [Part(other, b"{}"), Part(f"{other}.inputs", b"{not json")]), {400, 422})
    assert_detail(_post_examples(api, ds.id, [Part(other, b"{}"), Part(f"{other}.bogus", b"{}")]), {400, 422})
    assert_detail(_post_examples(api, uuid.uuid4(), [Part(other, b"{}"), Part(f"{other}.inputs", b"{}")]), {404})
    assert_detail(_post_examples(api, ds.id, [Part(other, b"{}"), Part(f"{other}.inputs", b"{}")], method="PATCH"),
                  {404})
    assert_detail(api.post(f"/platform/datasets/{ds.id}/examples", json={"inputs": {}}), {400, 415, 422})
    assert ids_of(client.list_examples(dataset_id=ds.id)) == {uuid.UUID(eid)}, "rejected bodies store nothing"


def test_example_json_shape(api: Api, client: langsmith.Client) -> None:
    ds = new_dataset(client, "shape")
    (eid,) = add_examples(client, ds.id, [{"inputs": {"q": 1}, "outputs": {"a": 2}, "metadata": {"m": 3}}])
    raw = api.get(f"/examples/{eid}").json()
    for key in ("id", "dataset_id", "inputs", "outputs", "metadata", "created_at", "modified_at", "name"):
        assert key in raw, f"example JSON lacks {key!r}: {raw}"
    assert raw["id"] == str(eid) and raw["dataset_id"] == str(ds.id)
    listed = api.get("/examples", params={"dataset": str(ds.id)}).json()
    assert [x["id"] for x in listed] == [str(eid)] and listed[0]["inputs"] == {"q": 1}
    assert json.loads(json.dumps(listed[0]["metadata"]))["m"] == 3
