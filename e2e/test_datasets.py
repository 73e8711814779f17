"""Datasets: CRUD, list filters and paging, 409s, data types, schemas, versions/tags/diffs,
CSV/JSONL/OpenAI exports, upload_csv, sharing and clone_public_dataset.

Example-level behaviour (both upload modes, attachments, splits) is in test_examples.py;
`ds_sdk` runs a test once per mode (see evalhelp_datasets.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import uuid
from pathlib import Path

import pytest
import requests

import langsmith
from langsmith import schemas as ls_schemas
from langsmith import utils as ls_utils

from anvil_server import AnvilServer
from evalhelp_datasets import (  # noqa: F401  (ds_sdk is a fixture)
    ModeSdk,
    add_examples,
    as_create,
    ds_sdk,
    ids_of,
    latest_as_of,
    new_dataset,
    versions,
)
from wire import Api, as_utc, assert_detail, parse_time, unique


def test_info_advertises_example_multipart(api: Api) -> None:
    flags = api.get("/info").json().get("instance_flags") or {}
    assert flags.get("dataset_examples_multipart_enabled") is True, flags
    assert flags.get("examples_multipart_enabled") is True, flags


# -- CRUD -------------------------------------------------------------------------------


def test_dataset_crud(client: langsmith.Client, api: Api) -> None:
    name = unique("crud-ds")
    created = client.create_dataset(name, description="first", metadata={"team": "anvil"})
    assert created.name == name and created.description == "first"
    assert created.data_type == ls_schemas.DataType.kv, "data_type defaults to kv"
    assert created.created_at is not None

    by_id = client.read_dataset(dataset_id=created.id)
    assert by_id.id == created.id and by_id.name == name and by_id.description == "first"
    assert by_id.data_type == ls_schemas.DataType.kv
    assert by_id.example_count == 0
    assert as_utc(by_id.created_at) == as_utc(created.created_at)
    # extra.metadata round-trips as `metadata`: the pytest plugin keys its example ids on
    # metadata.runtime.sdk_version (testing/_internal.py:949-956).
    assert by_id.metadata is not None and by_id.metadata.get("team") == "anvil", by_id.metadata
    assert (by_id.metadata.get("runtime") or {}).get("sdk_version") == langsmith.__version__, by_id.metadata
    by_name = client.read_dataset(dataset_name=name)
    assert by_name.id == created.id
    assert client.has_dataset(dataset_name=name) and client.has_dataset(dataset_id=created.id)
    assert not client.has_dataset(dataset_name=unique("missing-ds"))
    assert not client.has_dataset(dataset_id=uuid.uuid4())

    raw = api.get(f"/datasets/{created.id}").json()
    for key in ("id", "name", "created_at", "modified_at", "description", "data_type", "example_count"):
        assert key in raw, f"dataset JSON lacks {key!r}: {raw}"

    # Examples count; modified_at moves with them.
    add_examples(client, created.id, [{"inputs": {"q": i}, "outputs": {"a": i}} for i in range(3)])
    assert client.read_dataset(dataset_id=created.id).example_count == 3

    # Update (PATCH /datasets/{id}, the JS SDK's updateDataset).
    renamed = unique("crud-ds-renamed")
    r = api.patch(f"/datasets/{created.id}", json={"name": renamed, "description": "second"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == renamed and r.json()["description"] == "second"
    got = client.read_dataset(dataset_name=renamed)
    assert got.id == created.id and got.description == "second" and got.example_count == 3
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        client.read_dataset(dataset_name=name)
    r = api.patch(f"/datasets/{created.id}", json={"metadata": {"team": "core"}})
    assert r.status_code == 200, r.text
    after = client.read_dataset(dataset_id=created.id)
    assert after.metadata["team"] == "core" and after.name == renamed and after.description == "second"

    # Delete: the dataset and its examples are gone.
    some_example = next(iter(client.list_examples(dataset_id=created.id)))
    client.delete_dataset(dataset_id=created.id)
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        client.read_dataset(dataset_id=created.id)
    assert not client.has_dataset(dataset_name=renamed)
    assert list(client.list_datasets(dataset_name=renamed)) == []
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        client.read_example(some_example.id)
    assert_detail(api.delete(f"/datasets/{created.id}"), {404})


def test_delete_dataset_by_name(client: langsmith.Client) -> None:
    ds = new_dataset(client)
    client.delete_dataset(dataset_name=ds.name)
    assert not client.has_dataset(dataset_id=ds.id)


def test_duplicate_dataset_name_conflicts(client: langsmith.Client, api: Api) -> None:
    ds = new_dataset(client)
    with pytest.raises(ls_utils.LangSmithConflictError):
        client.create_dataset(ds.name)
    assert_detail(api.post("/datasets", json={"name": ds.name}), {409})
    other = new_dataset(client)
    assert_detail(api.patch(f"/datasets/{other.id}", json={"name": ds.name}), {409})
    assert [d.id for d in client.list_datasets(dataset_name=ds.name)] == [ds.id]
    # The name is free again once the dataset is deleted.
    client.delete_dataset(dataset_id=ds.id)
    again = client.create_dataset(ds.name)
    assert again.id != ds.id


def test_dataset_errors(api: Api) -> None:
    missing = uuid.uuid4()
    assert_detail(api.get(f"/datasets/{missing}"), {404})
    assert_detail(api.patch(f"/datasets/{missing}", json={"name": "x"}), {404})
    assert_detail(api.delete(f"/datasets/{missing}"), {404})
    assert_detail(api.get("/datasets/not-a-uuid"), {400, 404, 422})
    assert_detail(api.post("/datasets", json={"description": "no name"}), {400, 422})
    assert_detail(api.post("/datasets", json={"name": unique("bad-type"), "data_type": "spreadsheet"}), {400, 422})
    assert_detail(api.get(f"/datasets/{missing}/versions"), {404})
    assert_detail(api.get(f"/datasets/{missing}/splits"), {404})


def test_create_examples_in_missing_dataset(ds_sdk: ModeSdk) -> None:
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        ds_sdk.client.create_examples(dataset_id=uuid.uuid4(), examples=[{"inputs": {"q": 1}}])


# -- data types and list filters ---------------------------------------------------------


def test_data_types_and_typed_examples(client: langsmith.Client) -> None:
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    prefix = unique("typed")
    kv = client.create_dataset(f"{prefix}-kv", data_type=ls_schemas.DataType.kv)
    llm = client.create_dataset(f"{prefix}-llm", data_type=ls_schemas.DataType.llm)
    chat = client.create_dataset(f"{prefix}-chat", data_type=ls_schemas.DataType.chat)
    assert client.read_dataset(dataset_id=kv.id).data_type == ls_schemas.DataType.kv
    assert client.read_dataset(dataset_id=llm.id).data_type == ls_schemas.DataType.llm
    assert client.read_dataset(dataset_id=chat.id).data_type == ls_schemas.DataType.chat

    for dtype, ds in (("kv", kv), ("llm", llm), ("chat", chat)):
        listed = list(client.list_datasets(dataset_name_contains=prefix, data_type=dtype))
        assert [d.id for d in listed] == [ds.id], f"data_type={dtype}"

    e = client.create_llm_example("Say hi", generation="hi", dataset_id=llm.id)
    got = client.read_example(e.id)
    assert got.inputs == {"input": "Say hi"} and got.outputs == {"output": "hi"} and got.dataset_id == llm.id

    c = client.create_chat_example([SystemMessage("be brief"), HumanMessage("hello")], AIMessage("hi there"),
                                   dataset_id=chat.id)
    got = client.read_example(c.id)
    msgs = got.inputs["input"]
    assert [m["type"] for m in msgs] == ["system", "human"]
    assert [m["data"]["content"] for m in msgs] == ["be brief", "hello"]
    assert got.outputs["output"]["type"] == "ai" and got.outputs["output"]["data"]["content"] == "hi there"


def test_list_datasets_filters_and_paging(client: langsmith.Client, api: Api) -> None:
    prefix = unique("listds")
    made = [client.create_dataset(f"{prefix}-{i}", metadata={"group": "a" if i < 2 else "b", "i": i},
                                  data_type=ls_schemas.DataType.llm if i == 4 else ls_schemas.DataType.kv)
            for i in range(5)]
    ids = [d.id for d in made]

    def listed(**kw) -> list:
        return [d.id for d in client.list_datasets(**kw)]

    assert sorted(listed(dataset_name_contains=prefix)) == sorted(ids)
    assert listed(dataset_name=f"{prefix}-3") == [ids[3]]
    assert listed(dataset_name=prefix) == [], "name= is exact, not a substring"
    assert sorted(listed(dataset_ids=[ids[0], ids[2]])) == sorted([ids[0], ids[2]])
    assert sorted(listed(dataset_name_contains=prefix, metadata={"group": "a"})) == sorted(ids[:2])
    assert listed(dataset_name_contains=prefix, metadata={"group": "b", "i": 3}) == [ids[3]]
    assert listed(dataset_name_contains=prefix, data_type="llm") == [ids[4]]
    assert len(listed(dataset_name_contains=prefix, limit=3)) == 3
    assert sorted(listed(dataset_name_contains=prefix.upper())) in (sorted(ids), []), \
        "name_contains may be case-insensitive, but must not return other datasets"

    # Raw offset paging: bare arrays, every dataset exactly once.
    pages = [api.get("/datasets", params={"name_contains": prefix, "limit": 2, "offset": off}).json()
             for off in (0, 2, 4, 6)]
    assert [len(p) for p in pages] == [2, 2, 1, 0]
    seen = [uuid.UUID(d["id"]) for p in pages for d in p]
    assert sorted(seen) == sorted(ids)


# -- schemas ----------------------------------------------------------------------------

INPUTS_SCHEMA = {
    "type": "object",
    "properties": {"question": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}},
    "required": ["question"],
    "additionalProperties": False,
}
OUTPUTS_SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "number"}},
    "required": ["answer"],
}


def test_dataset_schemas_validate_examples(ds_sdk: ModeSdk, api: Api) -> None:
    client = ds_sdk.client
    ds = client.create_dataset(unique("schema"), inputs_schema=INPUTS_SCHEMA, outputs_schema=OUTPUTS_SCHEMA)
    got = client.read_dataset(dataset_id=ds.id)
    assert got.inputs_schema == INPUTS_SCHEMA and got.outputs_schema == OUTPUTS_SCHEMA

    ok_ids = add_examples(client, ds.id, [
        {"inputs": {"question": "2+2?"}, "outputs": {"answer": 4}},
        {"inputs": {"question": "3+3?", "tags": ["math"]}, "outputs": {"answer": 6.0}},
    ])

    bad_batches = [
        ([{"inputs": {"question": "ok"}, "outputs": {"answer": 1}},
          {"inputs": {"question": 42}, "outputs": {"answer": 1}}], "question"),       # wrong type
        ([{"inputs": {"tags": ["x"]}, "outputs": {"answer": 1}}], "question"),         # missing required
        ([{"inputs": {"question": "q", "extra": 1}, "outputs": {"answer": 1}}], "extra"),  # additionalProperties
        ([{"inputs": {"question": "q"}, "outputs": {"answer": "four"}}], "answer"),   # outputs schema
        ([{"inputs": {"question": "q", "tags": ["a", 7]}, "outputs": {"answer": 1}}], "tags"),  # nested path
    ]
    for batch, field in bad_batches:
        with pytest.raises(ls_utils.LangSmithError) as exc:
            client.create_examples(dataset_id=ds.id, examples=[as_create(x) for x in batch])
        msg = str(exc.value)
        assert re.search(r"\b(400|422) Client Error", msg), f"schema violation must be a 400/422, got: {msg[:500]}"
        assert field in msg, f"the error must name {field!r}: {msg[:500]}"
    assert ids_of(client.list_examples(dataset_id=ds.id)) == set(ok_ids), \
        "nothing from a rejected batch may be stored"
    assert client.read_dataset(dataset_id=ds.id).example_count == 2

    # Raw single create: clear 4xx naming the field.
    body = assert_detail(api.post("/examples", json={"dataset_id": str(ds.id), "inputs": {"question": 5},
                                                     "outputs": {"answer": 1}}), {400, 422})
    assert "question" in json.dumps(body["detail"])

    # Updates are validated too, and a rejected update changes nothing.
    with pytest.raises(ls_utils.LangSmithError) as exc:
        client.update_example(ok_ids[0], inputs={"question": ["not", "a", "string"]}, dataset_id=ds.id)
    assert "question" in str(exc.value)
    assert client.read_example(ok_ids[0]).inputs == {"question": "2+2?"}


# -- versions, tags, as_of, diff ----------------------------------------------------------


def test_dataset_versions_tags_and_as_of(ds_sdk: ModeSdk, api: Api) -> None:
    client = ds_sdk.client
    ds = new_dataset(client, "versions")
    base = len(versions(client, ds.id))

    e1, e2 = uuid.uuid4(), uuid.uuid4()
    resp = client.create_examples(dataset_id=ds.id, examples=[
        {"id": e1, "inputs": {"q": "one"}, "reference_outputs": {"a": 1}},
        {"id": e2, "inputs": {"q": "two"}, "reference_outputs": {"a": 2}},
    ])
    vs = versions(client, ds.id)
    assert len(vs) == base + 1, "one create_examples call is one version"
    a = as_utc(vs[-1].as_of)
    if ds_sdk.multipart:
        assert resp.get("as_of") is not None and as_utc(parse_time(str(resp["as_of"]))) == a, \
            f"multipart create must answer the new version's as_of ({a}), got {resp!r}"

    client.update_example(e1, inputs={"q": "one v2"}, dataset_id=ds.id)
    vs = versions(client, ds.id)
    assert len(vs) == base + 2
    b = as_utc(vs[-1].as_of)
    e3 = client.create_example(inputs={"q": "three"}, reference_outputs={"a": 3}, dataset_id=ds.id).id
    c = latest_as_of(client, ds.id)
    client.delete_example(e2)
    vs = versions(client, ds.id)
    assert len(vs) == base + 4, "every change (create, update, create, delete) is a version"
    d = as_utc(vs[-1].as_of)
    assert a < b < c < d

    # An example's modified_at is the version of its last change: evaluate() and the pytest
    # plugin use max(modified_at) as the dataset version (list_examples(as_of=...),
    # update_dataset_tag(as_of=...) which needs an exact version).
    assert as_utc(client.read_example(e1).modified_at) == b
    assert as_utc(client.read_example(e3).modified_at) == c

    # read_dataset_version: as_of resolves to the latest version at or before it.
    assert as_utc(client.read_dataset_version(dataset_id=ds.id, as_of=b).as_of) == b
    assert as_utc(client.read_dataset_version(dataset_id=ds.id, as_of=b + (c - b) / 2).as_of) == b
    assert as_utc(client.read_dataset_version(dataset_id=ds.id, tag="latest").as_of) == d
    assert as_utc(client.read_dataset_version(dataset_name=ds.name, as_of=d + dt.timedelta(days=1)).as_of) == d

    # Tags.
    client.update_dataset_tag(dataset_id=ds.id, as_of=a, tag="ta")
    client.update_dataset_tag(dataset_name=ds.name, as_of=c, tag="tc")
    va = client.read_dataset_version(dataset_id=ds.id, tag="ta")
    assert as_utc(va.as_of) == a and "ta" in (va.tags or [])
    assert as_utc(client.read_dataset_version(dataset_id=ds.id, tag="tc").as_of) == c
    tagged = {as_utc(v.as_of): set(v.tags or []) for v in versions(client, ds.id)}
    assert "ta" in tagged[a] and "tc" in tagged[c] and "ta" not in tagged[b]
    # A tag moves when re-assigned.
    client.update_dataset_tag(dataset_id=ds.id, as_of=a, tag="mv")
    client.update_dataset_tag(dataset_id=ds.id, as_of=b, tag="mv")
    assert as_utc(client.read_dataset_version(dataset_id=ds.id, tag="mv").as_of) == b
    tagged = {as_utc(v.as_of): set(v.tags or []) for v in versions(client, ds.id)}
    assert "mv" in tagged[b] and "mv" not in tagged[a]
    # as_of must be an exact version; unknown tags are 404.
    with pytest.raises(ls_utils.LangSmithError):
        client.update_dataset_tag(dataset_id=ds.id, as_of=b + (c - b) / 2, tag="inexact")
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        client.read_dataset_version(dataset_id=ds.id, tag="no-such-tag")
    assert_detail(api.get(f"/datasets/{ds.id}/version", params={"tag": "no-such-tag"}), {404})

    # list_examples / read_example as of a version (datetime or tag).
    def state(**kw) -> dict:
        return {e.id: e.inputs["q"] for e in client.list_examples(dataset_id=ds.id, **kw)}

    v_a = {e1: "one", e2: "two"}
    v_c = {e1: "one v2", e2: "two", e3: "three"}
    v_d = {e1: "one v2", e3: "three"}
    assert state(as_of=a) == v_a
    assert state(as_of="ta") == v_a
    assert state(as_of=b) == {e1: "one v2", e2: "two"}
    assert state(as_of=c) == v_c and state(as_of="tc") == v_c
    assert state(as_of=d) == v_d and state(as_of="latest") == v_d and state() == v_d
    assert state(as_of=a - dt.timedelta(microseconds=1)) == {}, "before the first version the dataset is empty"
    assert client.read_example(e1, as_of=a).inputs == {"q": "one"}
    assert client.read_example(e1).inputs == {"q": "one v2"}
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        client.read_example(e2)
    assert client.read_example(e2, as_of=c).inputs == {"q": "two"}
    assert client.read_dataset(dataset_id=ds.id).example_count == 2

    # Diffs (tags, datetimes and "latest" all resolve).
    diff = client.diff_dataset_versions(ds.id, from_version="ta", to_version=d)
    assert (set(diff.examples_added), set(diff.examples_modified), set(diff.examples_removed)) == ({e3}, {e1}, {e2})
    diff = client.diff_dataset_versions(dataset_name=ds.name, from_version=a, to_version="tc")
    assert (set(diff.examples_added), set(diff.examples_modified), set(diff.examples_removed)) == ({e3}, {e1}, set())
    diff = client.diff_dataset_versions(ds.id, from_version="tc", to_version="latest")
    assert (diff.examples_added, diff.examples_modified, set(diff.examples_removed)) == ([], [], {e2})
    diff = client.diff_dataset_versions(ds.id, from_version=c, to_version=c)
    assert (diff.examples_added, diff.examples_modified, diff.examples_removed) == ([], [], [])


def test_latest_resolves_on_an_empty_dataset(client: langsmith.Client, api: Api) -> None:
    ds = new_dataset(client, "empty-latest")
    assert list(client.list_examples(dataset_id=ds.id, as_of="latest")) == []
    assert client.diff_dataset_versions(ds.id, from_version="latest", to_version="latest").examples_added == []
    v = client.read_dataset_version(dataset_id=ds.id, tag="latest")
    assert as_utc(v.as_of) >= as_utc(ds.created_at) - dt.timedelta(seconds=1)


def test_dataset_versions_paging(client: langsmith.Client, api: Api) -> None:
    ds = new_dataset(client, "vpages")
    base = len(versions(client, ds.id))
    for i in range(5):
        client.create_example(inputs={"i": i}, dataset_id=ds.id)
    assert len(versions(client, ds.id)) == base + 5
    assert len(list(client.list_dataset_versions(dataset_id=ds.id, limit=2))) == 2
    pages = [api.get(f"/datasets/{ds.id}/versions", params={"limit": 2, "offset": off}).json()
             for off in range(0, base + 7, 2)]
    flat = [p["as_of"] for page in pages for p in page]
    assert len(flat) == base + 5 and len(set(flat)) == base + 5
    assert [len(p) for p in pages if p] == [2] * ((base + 5) // 2) + ([1] if (base + 5) % 2 else [])


# -- CSV upload and exports ---------------------------------------------------------------


CSV_ROWS = [
    {"question": "What is the capital of France?", "context": "geography", "answer": "Paris"},
    {"question": "2 + 2", "context": "math, basic", "answer": "4"},
    {"question": 'He said "hi"', "context": "quotes\nand newline", "answer": "greeting"},
]


def _csv_bytes(rows: list[dict]) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode()


def _as_pairs(examples) -> list[tuple[str, str]]:
    return sorted((json.dumps(e.inputs, sort_keys=True), json.dumps(e.outputs, sort_keys=True)) for e in examples)


def _expected_pairs(rows: list[dict]) -> list[tuple[str, str]]:
    return sorted((json.dumps({"question": r["question"], "context": r["context"]}, sort_keys=True),
                   json.dumps({"answer": r["answer"]}, sort_keys=True)) for r in rows)


def test_upload_csv(client: langsmith.Client, tmp_path: Path) -> None:
    path = tmp_path / "qa.csv"
    path.write_bytes(_csv_bytes(CSV_ROWS))
    name = unique("csv")
    ds = client.upload_csv(str(path), input_keys=["question", "context"], output_keys=["answer"], name=name,
                           description="from csv")
    assert ds.name == name and ds.description == "from csv" and ds.data_type == ls_schemas.DataType.kv
    examples = list(client.list_examples(dataset_id=ds.id))
    assert len(examples) == 3
    assert _as_pairs(examples) == _expected_pairs(CSV_ROWS)
    assert client.read_dataset(dataset_id=ds.id).example_count == 3

    # The tuple form, and an empty output_keys list.
    name2 = unique("csv-tuple")
    ds2 = client.upload_csv(("data.csv", io.BytesIO(_csv_bytes(CSV_ROWS))), input_keys=["question"],
                            output_keys=[], name=name2)
    got = sorted(json.dumps(e.inputs, sort_keys=True) for e in client.list_examples(dataset_id=ds2.id))
    assert got == sorted(json.dumps({"question": r["question"]}, sort_keys=True) for r in CSV_ROWS)

    # A duplicate name is refused (409, or a 2xx body whose detail says "already exists").
    with pytest.raises((ls_utils.LangSmithConflictError, ValueError)):
        client.upload_csv(str(path), input_keys=["question"], output_keys=["answer"], name=name)
    # Keys that are not CSV columns are a client error.
    with pytest.raises(ls_utils.LangSmithError):
        client.upload_csv(str(path), input_keys=["nope"], output_keys=["answer"], name=unique("csv-bad"))


def _column_roles(header: list[str], in_keys: set[str], out_keys: set[str]) -> dict[str, tuple[str, str]]:
    """Map export columns to (inputs|outputs, key); accepts `k`, `inputs.k`, `inputs_k`, `input_k`."""
    roles: dict[str, tuple[str, str]] = {}
    for col in header:
        for role, keys, prefixes in (("inputs", in_keys, ("inputs.", "inputs_", "input_", "input.")),
                                     ("outputs", out_keys, ("outputs.", "outputs_", "output_", "output."))):
            key = next((col[len(p):] for p in prefixes if col.startswith(p) and col[len(p):] in keys), None)
            if key is None and col in keys:
                key = col
            if key is not None:
                roles[col] = (role, key)
    return roles


def test_csv_and_jsonl_export_round_trip(client: langsmith.Client, api: Api) -> None:
    ds = new_dataset(client, "export")
    originals = [
        {"inputs": {"question": r["question"], "context": r["context"]}, "outputs": {"answer": r["answer"]},
         "metadata": {"row": i}}
        for i, r in enumerate(CSV_ROWS)
    ]
    add_examples(client, ds.id, originals)

    # CSV: one row per example, one column per input/output key, so upload_csv can re-import it.
    r = api.get(f"/datasets/{ds.id}/csv")
    assert r.status_code == 200, r.text
    assert "csv" in r.headers.get("Content-Type", "") + r.headers.get("Content-Disposition", ""), r.headers
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 3
    roles = _column_roles(list(rows[0]), {"question", "context"}, {"answer"})
    assert sorted(roles.values()) == [("inputs", "context"), ("inputs", "question"), ("outputs", "answer")], \
        f"CSV export must have one column per input/output key, header was {list(rows[0])}"
    exported = sorted(
        (json.dumps({k: row[c] for c, (role, k) in roles.items() if role == "inputs"}, sort_keys=True),
         json.dumps({k: row[c] for c, (role, k) in roles.items() if role == "outputs"}, sort_keys=True))
        for row in rows)
    assert exported == _expected_pairs(CSV_ROWS)

    in_cols = [c for c, (role, _) in roles.items() if role == "inputs"]
    out_cols = [c for c, (role, _) in roles.items() if role == "outputs"]
    back = client.upload_csv(("export.csv", io.BytesIO(r.content)), input_keys=in_cols, output_keys=out_cols,
                             name=unique("export-csv-back"))
    rebuilt = sorted(
        (json.dumps({roles[c][1]: v for c, v in e.inputs.items()}, sort_keys=True),
         json.dumps({roles[c][1]: v for c, v in (e.outputs or {}).items()}, sort_keys=True))
        for e in client.list_examples(dataset_id=back.id))
    assert rebuilt == _expected_pairs(CSV_ROWS)

    # JSONL: one JSON object per example with inputs and outputs; re-creating examples from
    # the lines gives the same dataset.
    r = api.get(f"/datasets/{ds.id}/jsonl")
    assert r.status_code == 200, r.text
    lines = [json.loads(line) for line in r.text.splitlines() if line.strip()]
    assert len(lines) == 3
    assert sorted((json.dumps(x["inputs"], sort_keys=True), json.dumps(x["outputs"], sort_keys=True))
                  for x in lines) == _expected_pairs(CSV_ROWS)
    back2 = new_dataset(client, "export-jsonl-back")
    client.create_examples(dataset_id=back2.id, examples=[
        {"inputs": x["inputs"], "reference_outputs": x["outputs"], "metadata": x.get("metadata")} for x in lines])
    assert _as_pairs(client.list_examples(dataset_id=back2.id)) == _expected_pairs(CSV_ROWS)

    # Exports of a version: as_of before the last change shows the old state.
    first = latest_as_of(client, ds.id)
    victim = next(e for e in client.list_examples(dataset_id=ds.id) if e.inputs["question"] == "2 + 2")
    client.delete_example(victim.id)
    assert len([x for x in api.get(f"/datasets/{ds.id}/jsonl").text.splitlines() if x.strip()]) == 2
    old = api.get(f"/datasets/{ds.id}/jsonl", params={"as_of": first.isoformat()})
    assert old.status_code == 200 and len([x for x in old.text.splitlines() if x.strip()]) == 3
    assert len(list(csv.DictReader(io.StringIO(api.get(f"/datasets/{ds.id}/csv").text)))) == 2

    assert_detail(api.get(f"/datasets/{uuid.uuid4()}/csv"), {404})
    assert_detail(api.get(f"/datasets/{uuid.uuid4()}/jsonl"), {404})


def test_openai_finetuning_export(client: langsmith.Client, api: Api) -> None:
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    ds = client.create_dataset(unique("oaift"), data_type=ls_schemas.DataType.chat)
    client.create_chat_example([SystemMessage("be brief"), HumanMessage("hello")], AIMessage("hi there"),
                               dataset_id=ds.id)
    client.create_chat_example([HumanMessage("2+2?")], AIMessage("4"), dataset_id=ds.id)
    probe = api.get(f"/datasets/{ds.id}/openai_ft")
    if probe.status_code in (405, 501) or (probe.status_code == 404 and "no route" in probe.text.lower()):
        pytest.skip(f"server has no /datasets/{{id}}/openai_ft ({probe.status_code}): read_dataset_openai_finetuning "
                    "is unsupported")
    assert probe.status_code == 200, probe.text
    lines = client.read_dataset_openai_finetuning(ds.id)
    assert len(lines) == 2
    convos = []
    for line in lines:
        msgs = line["messages"]
        assert msgs[-1]["role"] == "assistant"
        convos.append([(m["role"], m["content"]) for m in msgs])
    assert sorted(convos) == sorted([
        [("system", "be brief"), ("user", "hello"), ("assistant", "hi there")],
        [("user", "2+2?"), ("assistant", "4")],
    ])
    assert client.read_dataset_openai_finetuning(dataset_name=ds.name) == lines


# -- sharing and cloning ------------------------------------------------------------------


def test_share_list_clone_unshare(client: langsmith.Client, api: Api, server: AnvilServer) -> None:
    ds = client.create_dataset(unique("shared"), description="public one", data_type=ls_schemas.DataType.kv)
    ids = add_examples(client, ds.id, [
        {"inputs": {"q": f"q{i}"}, "outputs": {"a": i}, "metadata": {"i": i}} for i in range(3)])

    share = client.share_dataset(ds.id)
    token = uuid.UUID(str(share["share_token"]))
    assert str(share["dataset_id"]) == str(ds.id)
    assert share["url"].endswith(f"/public/{token}/d")
    assert uuid.UUID(str(client.read_dataset_shared_schema(ds.id)["share_token"])) == token
    again = client.share_dataset(dataset_name=ds.name)
    assert uuid.UUID(str(again["share_token"])) == token, "sharing an already shared dataset keeps its token"

    shared = client.read_shared_dataset(str(token))
    assert shared.id == ds.id and shared.name == ds.name and shared.description == "public one"
    listed = list(client.list_shared_examples(str(token)))
    assert {e.id for e in listed} == set(ids)
    assert sorted(e.inputs["q"] for e in listed) == ["q0", "q1", "q2"]
    assert [e.id for e in client.list_shared_examples(str(token), example_ids=[ids[1]])] == [ids[1]]

    # Public reads need no key, and ignore a bogus one (clone_public_dataset sends "placeholder").
    base = server.api("/api/v1")
    for headers in ({}, {"x-api-key": "placeholder"}):
        r = requests.get(f"{base}/public/{token}/datasets", headers=headers, timeout=10)
        assert r.status_code == 200 and r.json()["id"] == str(ds.id), (headers, r.status_code, r.text[:200])
        r = requests.get(f"{base}/public/{token}/examples", headers=headers, timeout=10)
        assert r.status_code == 200 and len(r.json()) == 3, (headers, r.status_code, r.text[:200])

    clone_name = unique("cloned")
    clone = client.clone_public_dataset(share["url"], dataset_name=clone_name)
    assert clone.name == clone_name and clone.id != ds.id
    got = sorted((e.inputs["q"], e.outputs["a"]) for e in client.list_examples(dataset_id=clone.id))
    assert got == [("q0", 0), ("q1", 1), ("q2", 2)]
    assert client.clone_public_dataset(str(token), dataset_name=clone_name).id == clone.id, "clone is idempotent"
    assert len(list(client.list_examples(dataset_id=clone.id))) == 3

    client.unshare_dataset(ds.id)
    assert_detail(requests.get(f"{base}/public/{token}/datasets", timeout=10), {404})
    assert_detail(requests.get(f"{base}/public/{token}/examples", timeout=10), {404})
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        client.read_shared_dataset(str(token))
    r = api.get(f"/datasets/{ds.id}/share")
    assert (r.status_code == 200 and r.json() is None) or r.status_code == 404, (r.status_code, r.text)
    # Re-sharing after unsharing gives a fresh token.
    fresh = uuid.UUID(str(client.share_dataset(ds.id)["share_token"]))
    assert fresh != token
    assert client.read_shared_dataset(str(fresh)).id == ds.id


def test_share_errors(api: Api, server: AnvilServer) -> None:
    missing = uuid.uuid4()
    assert_detail(api.put(f"/datasets/{missing}/share", json={"dataset_id": str(missing)}), {404})
    assert_detail(requests.get(f"{server.api('/api/v1')}/public/{uuid.uuid4()}/datasets", timeout=10), {404})
    assert_detail(requests.get(f"{server.api('/api/v1')}/public/{uuid.uuid4()}/examples", timeout=10), {404})
