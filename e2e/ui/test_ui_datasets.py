"""Browser tests for the datasets UI: the datasets list, a dataset's Examples, Experiments, Versions
and Schema tabs, imports and exports, and "Add to dataset" from the trace view.

Ground truth comes from the public API of the same server. Tests that write use a scratch dataset
of their own (created through the API), so the seeded `ui-dataset` stays as seed.py made it.
"""
from __future__ import annotations

import csv
import io
import json
import re
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from conftest import API_KEY, shot
from wire import Api

EX_ROWS = ".examples-table tbody tr[data-example-id]"
DS_ROWS = ".datasets-table tbody tr"
SCHEMA = {"type": "object", "properties": {"question": {"type": "string"}}, "required": ["question"]}


# -- helpers --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ui_api(ui_server) -> Api:
    return Api(ui_server.url + "/api/v1", API_KEY)


@pytest.fixture(scope="module")
def ds(ui_api: Api, seeded) -> dict:
    """The seeded datasets and experiments, once the experiments' runs and feedback are ingested."""
    seed = seeded["dataset"]
    deadline = time.time() + 60
    while True:
        exps = ui_api.get("/sessions", params={"reference_dataset": seed["dataset_id"], "include_stats": "true"}).json()
        done = [p for p in exps if p["run_count"] == 12 and (p.get("feedback_stats") or {}).get("correctness", {}).get("n") == 12]
        if len(done) == 2:
            break
        assert time.time() < deadline, f"experiments not ingested: {[(p['name'], p['run_count']) for p in exps]}"
        time.sleep(0.3)
    by_name = {d["name"]: d for d in ui_api.get("/datasets", params={"limit": 100}).json()}
    return {"id": seed["dataset_id"], "example_ids": seed["example_ids"], "experiments": seed["experiments"],
            "empty_id": by_name["ui-dataset-empty"]["id"]}


@pytest.fixture
def scratch(ui_api: Api):
    """A fresh dataset with the seed's inputs schema and three examples (two versions: the bulk
    create and an edit), deleted afterwards."""
    r = ui_api.post("/datasets", json={"name": f"ui-scratch-{uuid.uuid4().hex[:8]}", "inputs_schema_definition": SCHEMA})
    assert r.status_code == 200, r.text
    d = r.json()
    examples = [{"id": str(uuid.uuid4()), "dataset_id": d["id"], "inputs": {"question": q}, "outputs": {"answer": a}, "split": [s]}
                for q, a, s in (("2+2?", "4", "train"), ("3+3?", "6", "train"), ("Capital of Peru?", "Lima", "test"))]
    assert ui_api.post("/examples/bulk", json=examples).status_code == 200
    assert ui_api.patch(f"/examples/{examples[0]['id']}", json={"outputs": {"answer": "four"}}).status_code == 200
    d["example_ids"] = [e["id"] for e in examples]
    yield d
    ui_api.delete(f"/datasets/{d['id']}")


def go(page: Page, path: str) -> None:
    """Opens an app path through the client-side router (see test_deep_links_serve_the_app for why
    not page.goto)."""
    if not page.url.startswith(page.base_url):
        page.goto(page.base_url + "/projects")
        page.wait_for_selector(".sidebar")
    page.evaluate("p => { history.pushState(null, '', p); dispatchEvent(new PopStateEvent('popstate')); }", path)


def examples_of(api: Api, dataset_id: str, **params) -> list[dict]:
    r = api.get("/examples", params={"dataset": dataset_id, "limit": 1000, **params})
    assert r.status_code == 200, r.text
    return r.json()


def example(api: Api, example_id: str) -> dict:
    r = api.get(f"/examples/{example_id}")
    assert r.status_code == 200, r.text
    return r.json()


def row_ids(page: Page) -> list[str]:
    return page.eval_on_selector_all(EX_ROWS, "trs => trs.map(t => t.dataset.exampleId)")


def open_examples(page: Page, dataset_id: str, query: str = "") -> None:
    go(page, f"/datasets/{dataset_id}/examples{query}")
    page.wait_for_selector(f".examples-table, .ex-empty")
    expect(page.locator(".ex-body-wrap")).not_to_have_class(re.compile("loading"))


def open_example(page: Page, example_id: str) -> None:
    page.locator(f'{EX_ROWS}[data-example-id="{example_id}"] td.ex-in').click()
    expect(page.locator(f'.ex-drawer[data-example-id="{example_id}"]')).to_be_visible()


def field(page: Page, name: str):
    return page.locator(f".ex-drawer textarea[name={name}]")


# -- datasets list ------------------------------------------------------------------------------


def test_datasets_list_shows_datasets_with_counts(page: Page, ds, ui_api: Api):
    go(page, "/datasets")
    page.wait_for_selector(DS_ROWS)
    api_rows = {d["name"]: d for d in ui_api.get("/datasets", params={"limit": 100}).json()}
    assert api_rows["ui-dataset"]["example_count"] == 12 and api_rows["ui-dataset"]["session_count"] == 2
    for name in ("ui-dataset", "ui-dataset-empty"):
        row = page.locator(f'{DS_ROWS}[data-name="{name}"]')
        expect(row).to_have_count(1)
        expect(row.locator('td[data-col="example_count"]')).to_have_text(str(api_rows[name]["example_count"]))
        expect(row.locator('td[data-col="session_count"]')).to_have_text(str(api_rows[name]["session_count"]))
        expect(row.locator('td[data-col="data_type"]')).to_have_text(api_rows[name]["data_type"])
    expect(page.locator(f'{DS_ROWS}[data-name="ui-dataset"] td[data-col="last_session_start_time"]')).not_to_have_text("never")
    expect(page.locator(f'{DS_ROWS}[data-name="ui-dataset"] .desc')).to_have_text("Capital cities QA")
    shot(page, "datasets-list")

    # Search by name is server-side (name_contains) and lives in the URL.
    page.fill("input[type=search]", "empty")
    expect(page.locator(DS_ROWS)).to_have_count(len([n for n in api_rows if "empty" in n]))
    expect(page.locator(f'{DS_ROWS}[data-name="ui-dataset"]')).to_have_count(0)
    assert parse_qs(urlsplit(page.url).query)["q"] == ["empty"]

    # A row opens its dataset.
    page.locator(f'{DS_ROWS}[data-name="ui-dataset-empty"] td.pname a').click()
    expect(page).to_have_url(re.compile(rf"/datasets/{ds['empty_id']}$"))
    expect(page.locator(".ex-empty")).to_contain_text("client.create_examples")


def test_datasets_empty_state_explains_the_sdk_and_the_ui(page: Page, ds):
    # A server without datasets: answer the list with [] (the shared test server has datasets).
    page.route(re.compile(r".*/api/v1/datasets\?.*"), lambda route: route.fulfill(status=200, content_type="application/json", body="[]"))
    go(page, "/datasets")
    empty = page.locator(".datasets-empty")
    expect(empty).to_be_visible()
    expect(empty).to_contain_text("client.create_dataset")
    expect(empty).to_contain_text("client.create_examples")
    expect(empty).to_contain_text("New dataset")
    expect(empty).to_contain_text(page.base_url + "/api/v1")
    shot(page, "datasets-empty")


def test_create_and_delete_a_dataset(page: Page, ds, ui_api: Api):
    name = f"ui-created-{uuid.uuid4().hex[:8]}"
    go(page, "/datasets")
    page.wait_for_selector(DS_ROWS)
    page.get_by_role("button", name="+ New dataset").click()
    dlg = page.locator("dialog[open]")
    dlg.locator("input[name=name]").fill(name)
    dlg.locator("textarea[name=description]").fill("made by the browser test")
    dlg.locator("select[name=data_type]").select_option("chat")
    shot(page, "datasets-create")
    dlg.get_by_role("button", name="Create").click()
    expect(page).to_have_url(re.compile(r"/datasets/[0-9a-f-]{36}$"))
    made = ui_api.get("/datasets", params={"name": name}).json()
    assert len(made) == 1 and made[0]["data_type"] == "chat" and made[0]["description"] == "made by the browser test"
    assert page.url.endswith(made[0]["id"])
    expect(page.locator(".crumbs .here")).to_have_text(name)

    # The same name again: the server's 409 becomes "already exists".
    go(page, "/datasets")
    page.wait_for_selector(DS_ROWS)
    page.get_by_role("button", name="+ New dataset").click()
    dlg = page.locator("dialog[open]")
    dlg.locator("input[name=name]").fill(name)
    dlg.get_by_role("button", name="Create").click()
    expect(dlg.locator(".banner")).to_contain_text("already exists")
    dlg.get_by_role("button", name="Cancel").click()
    assert len(ui_api.get("/datasets", params={"name": name}).json()) == 1

    # Delete, after confirming.
    row = page.locator(f'{DS_ROWS}[data-name="{name}"]')
    row.hover()
    row.get_by_role("button", name=f"Delete dataset {name}").click()
    page.locator("dialog[open]").get_by_role("button", name="Delete dataset").click()
    expect(row).to_have_count(0)
    assert ui_api.get(f"/datasets/{made[0]['id']}").status_code == 404


# -- examples ---------------------------------------------------------------------------------


def test_examples_tab_lists_all_examples_and_filters_by_split(page: Page, ds, ui_api: Api):
    open_examples(page, ds["id"])
    api_all = examples_of(ui_api, ds["id"])
    assert len(api_all) == 12
    expect(page.locator(EX_ROWS)).to_have_count(12)
    assert sorted(row_ids(page)) == sorted(e["id"] for e in api_all)
    expect(page.locator(".ex-count")).to_have_text("12 examples")
    first = next(e for e in api_all if e["id"] == ds["example_ids"][0])
    first_row = page.locator(f'{EX_ROWS}[data-example-id="{first["id"]}"]')
    expect(first_row.locator("td.ex-in")).to_have_text(first["inputs"]["question"])
    expect(first_row.locator("td.ex-splits")).to_have_text("test")
    expect(first_row.locator("td.ex-md")).to_have_text("region: europe")
    shot(page, "dataset-examples")

    # The split filter comes from GET /datasets/{id}/splits and shows exactly the split's examples.
    options = page.eval_on_selector_all("select[name=split] option", "os => os.map(o => o.value)")
    assert options == ["", *ui_api.get(f"/datasets/{ds['id']}/splits").json()]
    page.select_option("select[name=split]", "test")
    api_test = examples_of(ui_api, ds["id"], splits="test")
    assert len(api_test) == 4
    expect(page.locator(EX_ROWS)).to_have_count(4)
    assert sorted(row_ids(page)) == sorted(e["id"] for e in api_test)
    expect(page.locator(".ex-count")).to_have_text("4 examples")
    assert parse_qs(urlsplit(page.url).query)["split"] == ["test"]
    shot(page, "dataset-examples-split")


def test_version_picker_shows_the_tagged_content_read_only(page: Page, ds, ui_api: Api):
    first = ds["example_ids"][0]
    assert example(ui_api, first)["outputs"] == {"answer": "Paris (Île-de-France)"}
    open_examples(page, ds["id"])
    cell = page.locator(f'{EX_ROWS}[data-example-id="{first}"] td.ex-out')
    expect(cell).to_have_text("Paris (Île-de-France)")
    expect(page.locator(".version-banner")).to_be_hidden()

    page.select_option("select[name=as_of]", "v1")
    expect(cell).to_have_text("Paris")
    assert parse_qs(urlsplit(page.url).query)["as_of"] == ["v1"]
    banner = page.locator(".version-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("v1")
    expect(page.get_by_role("button", name="+ Add example")).to_be_hidden()
    expect(page.locator(f"{EX_ROWS} input[type=checkbox]")).to_have_count(0)
    open_example(page, first)
    drawer = page.locator(".ex-drawer")
    expect(drawer.locator("textarea")).to_have_count(0)
    expect(drawer.locator(".ex-outputs")).to_contain_text('"Paris"')
    shot(page, "dataset-examples-v1")

    page.keyboard.press("Escape")
    expect(drawer).to_have_count(0)
    banner.get_by_role("button", name="Back to latest").click()
    expect(cell).to_have_text("Paris (Île-de-France)")
    expect(banner).to_be_hidden()
    assert "as_of" not in parse_qs(urlsplit(page.url).query)


def test_edit_an_example_inline_and_it_persists(page: Page, scratch, ui_api: Api):
    eid = scratch["example_ids"][1]
    before = example(ui_api, eid)
    open_examples(page, scratch["id"])
    open_example(page, eid)
    assert json.loads(field(page, "outputs").input_value()) == before["outputs"]
    assert json.loads(field(page, "splits").input_value()) == ["train"]
    shot(page, "dataset-example-editor")

    # Invalid JSON is caught in the browser: an error, and Save is disabled.
    field(page, "outputs").fill('{"answer": ')
    expect(page.locator(".ex-drawer .jf-outputs .json-error")).to_contain_text("invalid JSON")
    expect(page.locator(".ex-drawer .ex-save")).to_be_disabled()
    field(page, "outputs").fill('["not", "an object"]')
    expect(page.locator(".ex-drawer .jf-outputs .json-error")).to_contain_text("must be a JSON object")
    expect(page.locator(".ex-drawer .ex-save")).to_be_disabled()
    assert example(ui_api, eid)["modified_at"] == before["modified_at"]

    field(page, "outputs").fill('{"answer": "six", "confidence": 0.9}')
    field(page, "metadata").fill('{"reviewed": true}')
    field(page, "splits").fill('["train", "gold"]')
    page.locator(".ex-drawer .ex-save").click()
    expect(page.locator(".ex-drawer .ex-note")).to_have_text("Saved")
    after = example(ui_api, eid)
    assert after["outputs"] == {"answer": "six", "confidence": 0.9}
    assert after["inputs"] == before["inputs"]
    assert after["metadata"]["reviewed"] is True
    assert sorted(after["metadata"]["dataset_split"]) == ["gold", "train"]
    row = page.locator(f'{EX_ROWS}[data-example-id="{eid}"]')
    expect(row.locator("td.ex-out")).to_contain_text("six")
    expect(row.locator("td.ex-splits .pill")).to_have_count(2)
    # The new split is offered by the filter.
    expect(page.locator("select[name=split] option[value=gold]")).to_have_count(1)


def test_an_edit_violating_the_schema_shows_the_server_message_and_changes_nothing(page: Page, scratch, ui_api: Api):
    eid = scratch["example_ids"][2]
    before = example(ui_api, eid)
    versions_before = ui_api.get(f"/datasets/{scratch['id']}/versions").json()
    # What the server says about this edit (a rejected write changes nothing).
    r = ui_api.patch(f"/examples/{eid}", json={"inputs": {"question": 5}})
    assert r.status_code == 422
    message = r.json()["detail"]
    assert "question" in message

    open_examples(page, scratch["id"])
    open_example(page, eid)
    field(page, "inputs").fill('{"question": 5}')
    page.locator(".ex-drawer .ex-save").click()
    expect(page.locator(".ex-drawer .ex-error")).to_have_text(message)
    shot(page, "dataset-example-schema-violation")
    assert example(ui_api, eid) == before
    assert ui_api.get(f"/datasets/{scratch['id']}/versions").json() == versions_before
    expect(page.locator(f'{EX_ROWS}[data-example-id="{eid}"] td.ex-in')).to_have_text("Capital of Peru?")


def test_add_and_delete_an_example(page: Page, scratch, ui_api: Api):
    open_examples(page, scratch["id"])
    expect(page.locator(EX_ROWS)).to_have_count(3)
    page.get_by_role("button", name="+ Add example").click()
    expect(page.locator('.ex-drawer[data-example-id="new"]')).to_be_visible()
    # The inputs template follows the dataset's inputs schema.
    assert json.loads(field(page, "inputs").input_value()) == {"question": ""}
    field(page, "inputs").fill('{"question": "What is 7 x 6?"}')
    field(page, "outputs").fill('{"answer": "42"}')
    field(page, "splits").fill('["test"]')
    page.locator(".ex-drawer .ex-save").click()
    expect(page.locator(EX_ROWS)).to_have_count(4)
    added = [e for e in examples_of(ui_api, scratch["id"]) if e["id"] not in scratch["example_ids"]]
    assert len(added) == 1
    new = added[0]
    assert new["inputs"] == {"question": "What is 7 x 6?"} and new["outputs"] == {"answer": "42"}
    assert new["metadata"]["dataset_split"] == ["test"]
    expect(page.locator(".ex-count")).to_have_text("4 examples")
    # The drawer now shows the saved example.
    expect(page.locator(f'.ex-drawer[data-example-id="{new["id"]}"]')).to_be_visible()

    page.locator(".ex-drawer .ex-delete").click()
    page.locator("dialog[open]").get_by_role("button", name="Delete").click()
    expect(page.locator(EX_ROWS)).to_have_count(3)
    expect(page.locator(f'{EX_ROWS}[data-example-id="{new["id"]}"]')).to_have_count(0)
    expect(page.locator(".ex-drawer")).to_have_count(0)
    assert new["id"] not in [e["id"] for e in examples_of(ui_api, scratch["id"])]


def test_selected_rows_move_to_and_leave_a_split(page: Page, scratch, ui_api: Api):
    a, b, c = scratch["example_ids"]
    open_examples(page, scratch["id"])
    for eid in (a, c):
        page.locator(f'{EX_ROWS}[data-example-id="{eid}"] td.sel input').check()
    expect(page.locator(".selection-bar")).to_contain_text("2 selected")
    page.get_by_role("button", name="Change split…").click()
    dlg = page.locator("dialog[open]")
    dlg.locator("input[name=split_name]").fill("holdout")
    dlg.get_by_role("button", name="Move to split").click()
    expect(page.locator(f'{EX_ROWS}[data-example-id="{a}"] td.ex-splits')).to_have_text("holdout")
    splits = {e["id"]: e["metadata"]["dataset_split"] for e in examples_of(ui_api, scratch["id"])}
    assert splits[a] == ["holdout"] and splits[c] == ["holdout"] and splits[b] == ["train"]

    page.locator(f'{EX_ROWS}[data-example-id="{a}"] td.sel input').check()
    page.get_by_role("button", name="Change split…").click()
    dlg = page.locator("dialog[open]")
    dlg.locator("input[name=split_name]").fill("holdout")
    dlg.get_by_role("button", name="Remove from split").click()
    expect(page.locator(f'{EX_ROWS}[data-example-id="{a}"] td.ex-splits')).to_have_text("base")
    splits = {e["id"]: e["metadata"]["dataset_split"] for e in examples_of(ui_api, scratch["id"])}
    assert splits[a] == ["base"] and splits[c] == ["holdout"]


def test_import_jsonl_into_the_dataset(page: Page, scratch, ui_api: Api):
    lines = [
        {"inputs": {"question": "Capital of Chile?"}, "outputs": {"answer": "Santiago"}, "metadata": {"src": "jsonl"}},
        {"inputs": {"question": "Capital of Norway?"}, "outputs": {"answer": "Oslo"}, "split": "test"},
        {"inputs": {"question": "Capital of Mars?"}, "outputs": None},
    ]
    data = ("\n".join(json.dumps(x) for x in lines) + "\n").encode()
    open_examples(page, scratch["id"])
    page.get_by_role("button", name="Import").click()
    dlg = page.locator("dialog[open]")
    dlg.locator("input[type=file]").set_input_files(files=[{"name": "more.jsonl", "mimeType": "application/jsonl", "buffer": data}])
    expect(dlg.locator(".import-preview")).to_contain_text("Capital of Chile?")
    submit = dlg.locator("button[type=submit]")
    expect(submit).to_have_text("Import 3 examples")
    shot(page, "dataset-import-jsonl")
    submit.click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    expect(page.locator(EX_ROWS)).to_have_count(6)
    new = {e["inputs"]["question"]: e for e in examples_of(ui_api, scratch["id"]) if e["id"] not in scratch["example_ids"]}
    assert set(new) == {"Capital of Chile?", "Capital of Norway?", "Capital of Mars?"}
    assert new["Capital of Chile?"]["outputs"] == {"answer": "Santiago"} and new["Capital of Chile?"]["metadata"]["src"] == "jsonl"
    assert new["Capital of Norway?"]["metadata"]["dataset_split"] == ["test"]
    assert new["Capital of Mars?"]["outputs"] is None
    for e in new.values():
        expect(page.locator(f'{EX_ROWS}[data-example-id="{e["id"]}"]')).to_have_count(1)


def test_import_rejects_bad_jsonl_lines(page: Page, scratch, ui_api: Api):
    data = b'{"inputs": {"question": "ok?"}}\n{"question": "no inputs key"}\nnot json\n'
    open_examples(page, scratch["id"])
    page.get_by_role("button", name="Import").click()
    dlg = page.locator("dialog[open]")
    dlg.locator("input[type=file]").set_input_files(files=[{"name": "bad.jsonl", "mimeType": "application/jsonl", "buffer": data}])
    errors = dlg.locator(".import-errors")
    expect(errors).to_contain_text("line 2")
    expect(errors).to_contain_text("line 3")
    expect(dlg.locator("button[type=submit]")).to_be_disabled()
    dlg.get_by_role("button", name="Cancel").click()
    assert len(examples_of(ui_api, scratch["id"])) == 3


def test_import_csv_into_the_dataset_and_as_a_new_dataset(page: Page, scratch, ui_api: Api):
    data = 'question,answer,notes\n"Capital of Egypt?",Cairo,"a, quoted cell"\nCapital of Kenya?,Nairobi,\n'.encode()
    open_examples(page, scratch["id"])
    page.get_by_role("button", name="Import").click()
    dlg = page.locator("dialog[open]")
    dlg.locator("input[type=file]").set_input_files(files=[{"name": "capitals.csv", "mimeType": "text/csv", "buffer": data}])
    # Roles: question → input (guessed), answer → output (guessed), notes → skipped (chosen).
    expect(dlg.locator('.import-columns tr[data-column="question"] select')).to_have_value("input")
    expect(dlg.locator('.import-columns tr[data-column="answer"] select')).to_have_value("output")
    dlg.locator('.import-columns tr[data-column="notes"] select').select_option("skip")
    shot(page, "dataset-import-csv")
    dlg.locator("button[type=submit]").click()
    expect(page.locator(EX_ROWS)).to_have_count(5)
    new = {e["inputs"]["question"]: e for e in examples_of(ui_api, scratch["id"]) if e["id"] not in scratch["example_ids"]}
    assert set(new) == {"Capital of Egypt?", "Capital of Kenya?"}
    assert new["Capital of Egypt?"]["inputs"] == {"question": "Capital of Egypt?"}
    assert new["Capital of Egypt?"]["outputs"] == {"answer": "Cairo"}

    # The same file as a new dataset, through POST /datasets/upload.
    name = f"ui-upload-{uuid.uuid4().hex[:8]}"
    go(page, "/datasets")
    page.wait_for_selector(DS_ROWS)
    page.get_by_role("button", name="Upload CSV").click()
    dlg = page.locator("dialog[open]")
    dlg.locator("input[type=file]").set_input_files(files=[{"name": "capitals.csv", "mimeType": "text/csv", "buffer": data}])
    dlg.locator("input[name=name]").fill(name)
    dlg.locator('.import-columns tr[data-column="notes"] select').select_option("skip")
    dlg.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/datasets/[0-9a-f-]{36}$"))
    made = ui_api.get("/datasets", params={"name": name}).json()
    try:
        assert len(made) == 1 and made[0]["example_count"] == 2
        assert page.url.endswith(made[0]["id"])
        got = sorted(((e["inputs"], e["outputs"]) for e in examples_of(ui_api, made[0]["id"])), key=lambda x: x[0]["question"])
        assert got == [({"question": "Capital of Egypt?"}, {"answer": "Cairo"}), ({"question": "Capital of Kenya?"}, {"answer": "Nairobi"})]
        expect(page.locator(EX_ROWS)).to_have_count(2)
    finally:
        for d in made:
            ui_api.delete(f"/datasets/{d['id']}")


def test_export_csv_and_jsonl_download_every_example(page: Page, ds, ui_api: Api):
    open_examples(page, ds["id"])
    api_ids = sorted(e["id"] for e in examples_of(ui_api, ds["id"]))
    with page.expect_download() as dl:
        page.locator("button[data-export=csv]").click()
    download = dl.value
    assert download.suggested_filename == "ui-dataset.csv"
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    assert len(rows) == 12
    assert sorted(r["example_id"] for r in rows) == api_ids
    assert {"question", "answer", "split"} <= set(rows[0])

    with page.expect_download() as dl:
        page.locator("button[data-export=jsonl]").click()
    lines = [json.loads(x) for x in open(dl.value.path(), encoding="utf-8").read().splitlines() if x.strip()]
    assert sorted(x["id"] for x in lines) == api_ids

    # At version v1 the export has the pre-edit answer.
    page.select_option("select[name=as_of]", "v1")
    expect(page.locator(".version-banner")).to_be_visible()
    with page.expect_download() as dl:
        page.locator("button[data-export=csv]").click()
    rows = {r["example_id"]: r for r in csv.DictReader(io.StringIO(open(dl.value.path(), encoding="utf-8").read()))}
    assert rows[ds["example_ids"][0]]["answer"] == "Paris"


# -- experiments ------------------------------------------------------------------------------


def test_experiments_tab_shows_scores_and_compares(page: Page, ds, ui_api: Api):
    go(page, f"/datasets/{ds['id']}/experiments")
    page.wait_for_selector(".experiments-table tbody tr")
    api_exps = {p["id"]: p for p in ui_api.get("/sessions", params={"reference_dataset": ds["id"], "include_stats": "true"}).json()}
    base, cand = ds["experiments"]["ui-exp-baseline"], ds["experiments"]["ui-exp-candidate"]
    assert set(api_exps) == {base, cand}
    expect(page.locator(".experiments-table tbody tr")).to_have_count(2)
    brow = page.locator(f'.experiments-table tr[data-experiment-id="{base}"]')
    crow = page.locator(f'.experiments-table tr[data-experiment-id="{cand}"]')
    expect(brow.locator('td[data-key="correctness"]')).to_have_text(f"{api_exps[base]['feedback_stats']['correctness']['avg']:.2f}")
    expect(brow.locator('td[data-key="correctness"]')).to_have_text("0.67")
    expect(crow.locator('td[data-key="correctness"]')).to_have_text("0.83")
    expect(crow.locator('td[data-key="correctness"]')).to_have_class(re.compile(r"\bbest\b"))
    expect(brow.locator('td[data-key="correctness"]')).not_to_have_class(re.compile(r"\bbest\b"))
    expect(brow.locator('td[data-col="run_count"]')).to_have_text(str(api_exps[base]["run_count"]))
    expect(brow.locator('td[data-col="total_tokens"]')).to_have_text(f"{api_exps[base]['total_tokens']:,}")
    expect(brow.locator('td[data-col="error_rate"]')).to_have_text("0%")
    expect(brow.locator('td[data-col="name"] a')).to_have_attribute("href", f"/projects/p/{base}")
    shot(page, "dataset-experiments")

    compare = page.locator(".compare-btn")
    expect(compare).to_be_disabled()
    brow.locator("td.sel input").check()
    expect(compare).to_be_disabled()
    crow.locator("td.sel input").check()
    expect(compare).to_be_enabled()
    compare.click()
    expect(page).to_have_url(re.compile(rf"/datasets/{ds['id']}/compare\?"))
    q = parse_qs(urlsplit(page.url).query)
    assert sorted(q["experiments"][0].split(",")) == sorted([base, cand])


def test_experiment_name_links_to_its_runs(page: Page, ds):
    base = ds["experiments"]["ui-exp-baseline"]
    go(page, f"/datasets/{ds['id']}/experiments")
    page.locator(f'.experiments-table tr[data-experiment-id="{base}"] td[data-col="name"] a').click()
    expect(page).to_have_url(re.compile(rf"/projects/p/{base}$"))
    expect(page.locator(".crumbs .here")).to_have_text("ui-exp-baseline")


# -- versions ---------------------------------------------------------------------------------


def test_versions_tab_lists_versions_and_diffs_them(page: Page, ds, ui_api: Api):
    go(page, f"/datasets/{ds['id']}/versions")
    page.wait_for_selector(".versions-table tbody tr")
    api_versions = ui_api.get(f"/datasets/{ds['id']}/versions").json()
    rows = page.locator(".versions-table tbody tr")
    expect(rows).to_have_count(len(api_versions))
    v1 = next(v for v in api_versions if "v1" in v["tags"])
    v1_row = page.locator(f'.versions-table tr[data-as-of="{v1["as_of"]}"]')
    expect(v1_row.locator(".version-tag")).to_have_text("v1")
    expect(rows.first.locator(".pill.latest")).to_have_count(1)

    # Diff v1 → latest: the example edited after the tag is "modified", with before and after.
    page.select_option("select[name=from]", "v1")
    page.select_option("select[name=to]", "latest")
    page.locator(".diff-btn").click()
    api_diff = ui_api.get(f"/datasets/{ds['id']}/versions/diff", params={"from_version": "v1", "to_version": "latest"}).json()
    assert api_diff["examples_modified"] == [ds["example_ids"][0]]
    expect(page.locator(".diff-summary")).to_contain_text("1 modified")
    expect(page.locator(".diff-section")).to_have_count(1)
    card = page.locator(f'.diff-modified .diff-example[data-example-id="{ds["example_ids"][0]}"]')
    expect(card).to_have_count(1)
    expect(card.locator('[data-field="outputs"] .diff-before')).to_contain_text('"Paris"')
    expect(card.locator('[data-field="outputs"] .diff-after')).to_contain_text("Paris (Île-de-France)")
    expect(card.locator('[data-field="inputs"]')).to_have_class(re.compile(r"\bsame\b"))
    shot(page, "dataset-versions")

    # "View examples" at v1 opens the Examples tab at that version.
    v1_row.locator(".view-version").click()
    expect(page).to_have_url(re.compile(rf"/datasets/{ds['id']}/examples\?as_of=v1$"))
    expect(page.locator(".version-banner")).to_contain_text("v1")
    expect(page.locator(f'{EX_ROWS}[data-example-id="{ds["example_ids"][0]}"] td.ex-out')).to_have_text("Paris")


def test_tag_a_version_and_move_the_tag(page: Page, scratch, ui_api: Api):
    versions = ui_api.get(f"/datasets/{scratch['id']}/versions").json()
    assert len(versions) == 2
    newest, older = versions[0]["as_of"], versions[1]["as_of"]
    go(page, f"/datasets/{scratch['id']}/versions")
    page.wait_for_selector(".versions-table tbody tr")

    def tag(as_of: str, name: str) -> None:
        page.locator(f'.versions-table tr[data-as-of="{as_of}"] .tag-version').click()
        dlg = page.locator("dialog[open]")
        dlg.locator("input[name=tag]").fill(name)
        dlg.get_by_role("button", name="Tag version").click()
        expect(page.locator("dialog[open]")).to_have_count(0)

    tag(older, "candidate")
    expect(page.locator(f'.versions-table tr[data-as-of="{older}"] .version-tag')).to_have_text("candidate")
    assert ui_api.get(f"/datasets/{scratch['id']}/version", params={"tag": "candidate"}).json()["as_of"] == older

    tag(newest, "candidate")  # moves it
    expect(page.locator(f'.versions-table tr[data-as-of="{newest}"] .version-tag')).to_have_text("candidate")
    expect(page.locator(f'.versions-table tr[data-as-of="{older}"] .version-tag')).to_have_count(0)
    assert ui_api.get(f"/datasets/{scratch['id']}/version", params={"tag": "candidate"}).json()["as_of"] == newest


# -- schema -----------------------------------------------------------------------------------


def test_schema_tab_validates_json_and_shows_server_errors(page: Page, scratch, ui_api: Api):
    patches: list[str] = []
    page.on("request", lambda r: patches.append(r.url) if r.method == "PATCH" else None)
    go(page, f"/datasets/{scratch['id']}/schema")
    page.wait_for_selector(".schema-form")
    inputs = page.locator("textarea[name=inputs_schema]")
    assert json.loads(inputs.input_value()) == SCHEMA
    save = page.locator(".schema-save")

    # Not JSON: caught in the browser, nothing sent.
    inputs.fill('{"type": "object",')
    expect(page.locator(".jf-inputs_schema .json-error")).to_contain_text("invalid JSON")
    expect(save).to_be_disabled()
    assert patches == []

    # JSON but not a valid schema: the server's 422, verbatim; nothing changes.
    bad = {"type": "objectx"}
    r = ui_api.patch(f"/datasets/{scratch['id']}", json={"inputs_schema_definition": bad})
    assert r.status_code == 422
    inputs.fill(json.dumps(bad))
    expect(save).to_be_enabled()
    save.click()
    expect(page.locator(".schema-error")).to_have_text(r.json()["detail"])
    shot(page, "dataset-schema-invalid")
    assert ui_api.get(f"/datasets/{scratch['id']}").json()["inputs_schema_definition"] == SCHEMA

    # Infer the outputs schema from the first example, then save both.
    inputs.fill(json.dumps(SCHEMA))
    first = examples_of(ui_api, scratch["id"], limit=1)[0]
    page.locator('.infer-btn[data-field="outputs"]').click()
    outputs = page.locator("textarea[name=outputs_schema]")
    expect(outputs).not_to_have_value("")
    want = {"type": "object", "properties": {k: {"type": "string"} for k in first["outputs"]}, "required": list(first["outputs"])}
    assert json.loads(outputs.input_value()) == want
    save.click()
    expect(page.locator(".schema-note")).to_have_text("Saved.")
    d = ui_api.get(f"/datasets/{scratch['id']}").json()
    assert d["outputs_schema_definition"] == want and d["inputs_schema_definition"] == SCHEMA
    shot(page, "dataset-schema")


# -- add a run to a dataset -------------------------------------------------------------------


def test_add_a_run_to_a_dataset_from_the_trace_view(page: Page, ds, seeded, ui_api: Api):
    run_id = seeded["root_ids"][-1]  # the plain extract_entities trace of ui-demo
    deadline = time.time() + 30
    while (r := ui_api.get(f"/runs/{run_id}")).status_code != 200:
        assert time.time() < deadline, "seed run not ingested"
        time.sleep(0.3)
    run = r.json()
    before = {e["id"] for e in examples_of(ui_api, ds["empty_id"])}
    page.goto(f"{page.base_url}/projects/p/{run['session_id']}/r/{run_id}?trace_id={run_id}")
    button = page.locator(".rd-header .rd-add-dataset")
    expect(button).to_be_enabled()
    button.click()
    dlg = page.locator("dialog[open].add-to-dataset")
    expect(dlg.locator("select[name=dataset] option", has_text="ui-dataset-empty")).to_have_count(1)
    assert json.loads(dlg.locator("textarea[name=inputs]").input_value()) == run["inputs"]
    assert json.loads(dlg.locator("textarea[name=outputs]").input_value()) == run["outputs"]
    dlg.locator("select[name=dataset]").select_option(label="ui-dataset-empty")
    dlg.locator("textarea[name=outputs]").fill('{"entities": ["Marie Curie", "Warsaw"]}')
    shot(page, "trace-add-to-dataset")
    dlg.get_by_role("button", name="Add to dataset").click()
    link = dlg.locator(".atd-link")
    expect(link).to_have_text("ui-dataset-empty")

    added = [e for e in examples_of(ui_api, ds["empty_id"]) if e["id"] not in before]
    assert len(added) == 1
    ex = added[0]
    assert ex["source_run_id"] == run_id
    assert ex["inputs"] == run["inputs"]
    assert ex["outputs"] == {"entities": ["Marie Curie", "Warsaw"]}
    assert link.get_attribute("href") == f"/datasets/{ds['empty_id']}/examples?example={ex['id']}"

    link.click()
    expect(page).to_have_url(re.compile(rf"/datasets/{ds['empty_id']}/examples\?example={ex['id']}$"))
    expect(page.locator(f'{EX_ROWS}[data-example-id="{ex["id"]}"]')).to_have_count(1)
    drawer = page.locator(f'.ex-drawer[data-example-id="{ex["id"]}"]')
    expect(drawer).to_be_visible()
    expect(drawer.locator(".ex-meta")).to_contain_text(run_id)
    expect(drawer.locator("a.ex-source-run")).to_have_attribute("href", f"/projects/p/{run['session_id']}/r/{run_id}?trace_id={run['trace_id']}")
    shot(page, "dataset-example-from-run")


def test_add_to_dataset_can_create_the_dataset(page: Page, seeded, ui_api: Api):
    run_id = seeded["root_ids"][0]
    run = ui_api.get(f"/runs/{run_id}").json()
    name = f"ui-from-run-{uuid.uuid4().hex[:8]}"
    page.goto(f"{page.base_url}/projects/p/{run['session_id']}/r/{run_id}?trace_id={run['trace_id']}")
    page.locator(".rd-header .rd-add-dataset").click()
    dlg = page.locator("dialog[open].add-to-dataset")
    dlg.locator("select[name=dataset]").select_option("__new__")
    dlg.locator("input[name=new_dataset]").fill(name)
    dlg.get_by_role("button", name="Add to dataset").click()
    expect(dlg.locator(".atd-link")).to_have_text(name)
    made = ui_api.get("/datasets", params={"name": name}).json()
    try:
        assert len(made) == 1
        exs = examples_of(ui_api, made[0]["id"])
        assert [e["source_run_id"] for e in exs] == [run_id]
        assert exs[0]["inputs"] == run["inputs"]
    finally:
        for d in made:
            ui_api.delete(f"/datasets/{d['id']}")


def test_shared_trace_has_no_add_to_dataset(anon_page: Page, seeded, ui_api: Api):
    run_id = seeded["root_ids"][-1]
    r = ui_api.put(f"/runs/{run_id}/share", json={})
    assert r.status_code == 200, r.text
    token = r.json()["share_token"]
    try:
        anon_page.goto(f"{anon_page.base_url}/public/{token}/r")
        expect(anon_page.locator(".rd-header h2")).to_be_visible()
        expect(anon_page.locator(".rd-add-dataset")).to_have_count(0)
    finally:
        ui_api.delete(f"/runs/{run_id}/share")


# -- deep links --------------------------------------------------------------------------------


def test_deep_links_serve_the_app(page: Page, ds):
    for path in ("/datasets", f"/datasets/{ds['id']}", f"/datasets/{ds['id']}/versions"):
        page.goto(page.base_url + path)
        expect(page.locator(".sidebar")).to_be_visible(timeout=3000)
