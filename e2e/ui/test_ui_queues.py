"""Browser tests for annotation queues: the queues list, creating a queue with a rubric (and its
feedback configs) from the UI, the keyboard-first review screen (feedback written, runs marked
reviewed, required items, server-side validation, skip/previous, the done state), the completed
tab with "send back to review", and "Add to annotation queue" from the trace view.

Ground truth comes from the public API of the same server. The runs reviewed are this module's own
(a project it creates and deletes); every test makes its own queues and feedback keys, so feedback
written by one test never pre-fills another's review.
"""
from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from conftest import API_KEY, shot
from seed import MARKDOWN_ANSWER, chat_turn, send
from wire import Api

TONES = [{"value": 0, "label": "rude"}, {"value": 1, "label": "neutral"}, {"value": 2, "label": "friendly"}]


# -- fixtures / helpers -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def ui_api(ui_server) -> Api:
    return Api(ui_server.url + "/api/v1", API_KEY)


QA = [
    ("What's the capital of France?", MARKDOWN_ANSWER),
    ("Is the Louvre open on Tuesdays?", "No: the Louvre is **closed on Tuesdays**."),
    ("How long is the Seine?", "About 777 km, from Burgundy to the English Channel."),
    ("Best time to visit Kyoto?", "Spring (cherry blossoms) and autumn (red maples)."),
    ("Do I need a visa for Japan?", "It depends on your passport; many countries get 90 days visa-free."),
]


@pytest.fixture(scope="module")
def runs(ui_api: Api, seeded) -> list[dict]:
    """Five chat traces of a project of this module's own (reviews write feedback, and the seeded
    ui-demo runs' feedback is asserted elsewhere), once ingested; in creation order. The project
    is deleted afterwards."""
    project = f"ui-queues-{uuid.uuid4().hex[:6]}"
    now = dt.datetime.now(dt.timezone.utc)
    builders, roots = [], []
    for n, (q, a) in enumerate(QA):
        b, root = chat_turn(project, now - dt.timedelta(minutes=30 - n), f"thread-queues-{n}", q, a)
        builders.append(b)
        roots.append(root)
    send(ui_api, builders)
    deadline = time.time() + 60
    while True:
        got = [ui_api.get(f"/runs/{r['id']}") for r in roots]
        if all(r.status_code == 200 and r.json().get("outputs") is not None for r in got):
            break
        assert time.time() < deadline, "runs not ingested"
        time.sleep(0.3)
    full = [r.json() for r in got]
    yield full
    ui_api.delete(f"/sessions/{full[0]['session_id']}")


def question(run: dict) -> str:
    return run["inputs"]["messages"][-1]["content"]


def answer_line(run: dict) -> str:
    """A line of the answer as the rendered Markdown shows it (no markup)."""
    text = run["outputs"]["messages"][-1]["content"]
    line = next(l for l in text.splitlines() if l.strip() and not l.startswith("#"))
    return re.sub(r"[*_`]", "", line).strip()


@pytest.fixture
def make_queue(ui_api: Api):
    """Creates queues through the API: a rubric of fresh keys (continuous 0–1 `qual_*`, required;
    categorical `tone_*` with three categories; freeform `note_*`), registered as feedback configs.
    Returns a factory `(run_ids, name=None, required=True) -> queue dict + "keys"`; cleans up."""
    made, keys_made = [], []

    def make(run_ids, name=None, required=True, items=("qual", "tone", "note")):
        sfx = uuid.uuid4().hex[:6]
        keys = {"qual": f"qual_{sfx}", "tone": f"tone_{sfx}", "note": f"note_{sfx}"}
        configs = {"qual": {"type": "continuous", "min": 0, "max": 1}, "tone": {"type": "categorical", "categories": TONES},
                   "note": {"type": "freeform"}}
        for k in items:
            r = ui_api.post("/feedback-configs", json={"feedback_key": keys[k], "feedback_config": configs[k]})
            assert r.status_code == 200, r.text
            keys_made.append(keys[k])
        rubric = []
        for k in items:
            it = {"feedback_key": keys[k], "description": {"qual": "Overall quality", "tone": "How it sounds", "note": "Anything else"}[k]}
            if k == "qual":
                it["is_required"] = required
            if k == "tone":
                it["value_descriptions"] = {"rude": "Impolite or dismissive"}
            rubric.append(it)
        body = {"name": name or f"ui-q-{sfx}", "description": "Check the travel answers",
                "rubric_instructions": "## How to review\n\n- Is the answer **correct**?\n- Is the tone right?", "rubric_items": rubric}
        r = ui_api.post("/annotation-queues", json=body)
        assert r.status_code == 200, r.text
        q = r.json()
        made.append(q["id"])
        if run_ids:
            r = ui_api.post(f"/annotation-queues/{q['id']}/runs", json=list(run_ids))
            assert r.status_code == 200, r.text
        q["keys"] = keys
        return q

    yield make
    for qid in made:
        ui_api.delete(f"/annotation-queues/{qid}")
    for k in keys_made:
        ui_api.delete("/feedback-configs", params={"feedback_key": k})


def size(api: Api, qid: str, status: str | None = None) -> int:
    r = api.get(f"/annotation-queues/{qid}/size", params={"status": status} if status else None)
    assert r.status_code == 200, r.text
    return r.json()["size"]


def feedback_of(api: Api, run_id: str, key: str) -> list[dict]:
    r = api.get("/feedback", params={"run": run_id, "key": key})
    assert r.status_code == 200, r.text
    return r.json()


def open_review(page: Page, qid: str, run_id: str, query: str = "") -> None:
    page.goto(f"{page.base_url}/annotation-queues/{qid}{query}")
    expect(page.locator(f'.rq-run[data-run-id="{run_id}"]')).to_be_visible()


def current_run(page: Page) -> str:
    return page.locator(".rq-run").get_attribute("data-run-id")


# -- list -------------------------------------------------------------------------------------


def test_list_shows_queues_with_sizes(page: Page, ui_api: Api, runs, make_queue):
    q = make_queue([r["id"] for r in runs[:3]])
    other = make_queue([r["id"] for r in runs[:1]])
    # One of q's runs is reviewed: 2 need review, 3 in all.
    entry = ui_api.get(f"/annotation-queues/{q['id']}/runs", params={"limit": 1}).json()[0]
    assert ui_api.patch(f"/annotation-queues/{q['id']}/runs/{entry['queue_run_id']}",
                        json={"last_reviewed_time": "2026-01-01T00:00:00Z"}).status_code == 200
    page.goto(page.base_url + "/annotation-queues")
    row = page.locator(f'.queues-table tr[data-queue-id="{q["id"]}"]')
    expect(row).to_be_visible()
    expect(row.locator("td.pname")).to_have_text(q["name"])
    expect(row.locator('[data-col="description"]')).to_have_text("Check the travel answers")
    expect(row.locator('[data-col="size"]')).to_have_text("2")
    expect(row.locator('[data-col="total_runs"]')).to_have_text("3")
    expect(row.locator('[data-col="rubric"] .pill')).to_have_text(list(q["keys"].values()))
    orow = page.locator(f'.queues-table tr[data-queue-id="{other["id"]}"]')
    expect(orow.locator('[data-col="size"]')).to_have_text("1")
    shot(page, "queues-list")
    # Search is server-side by name.
    page.locator(".queues-page input.search").fill(q["name"])
    expect(page.locator(".queues-table tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(rf"\?q={q['name']}$"))
    # Opening a row goes to its review screen.
    page.locator(".queues-table tbody tr").click()
    expect(page).to_have_url(re.compile(rf"/annotation-queues/{q['id']}$"))
    expect(page.locator(".rq-tabs [data-tab=review] .rd-count")).to_have_text("2")
    expect(page.locator(".rq-tabs [data-tab=completed] .rd-count")).to_have_text("1")


def test_empty_list_explains_how_runs_get_in(page: Page):
    # A fresh workspace has no queues; the shared test server may, so the list answers empty here.
    page.route(re.compile(r".*/api/v1/annotation-queues\?.*"), lambda route: route.fulfill(status=200, content_type="application/json", body="[]"))
    page.goto(page.base_url + "/annotation-queues")
    empty = page.locator(".queues-empty")
    expect(empty).to_be_visible()
    expect(empty).to_contain_text("Add to annotation queue")
    expect(empty.locator("pre")).to_contain_text("client.add_runs_to_annotation_queue(")
    shot(page, "queues-empty")


def test_edit_and_delete_a_queue_from_the_list(page: Page, ui_api: Api, make_queue):
    q = make_queue([])
    page.goto(page.base_url + "/annotation-queues")
    row = page.locator(f'.queues-table tr[data-queue-id="{q["id"]}"]')
    row.hover()
    row.locator(".q-edit").click()
    dlg = page.locator("dialog[open].queue-editor-dlg")
    expect(dlg.locator("input[name=name]")).to_have_value(q["name"])
    # The rubric's keys are registered: their configs show, locked.
    tone = dlg.locator(".qe-item").nth(1)
    expect(tone.locator(".qe-key")).to_have_value(q["keys"]["tone"])
    expect(tone.locator(".qe-type")).to_have_value("categorical")
    expect(tone.locator(".qe-type")).to_be_disabled()
    expect(tone.locator(".qe-cat-label")).to_have_count(3)
    dlg.locator("input[name=description]").fill("Edited description")
    dlg.get_by_role("button", name="Save").click()
    expect(dlg).to_have_count(0)
    expect(row.locator('[data-col="description"]')).to_have_text("Edited description")
    got = ui_api.get(f"/annotation-queues/{q['id']}").json()
    assert got["description"] == "Edited description"
    assert [i["feedback_key"] for i in got["rubric_items"]] == list(q["keys"].values())
    assert got["rubric_items"][1]["value_descriptions"] == {"rude": "Impolite or dismissive"}
    row.hover()
    row.locator(".q-delete").click()
    page.locator("dialog[open].confirm").get_by_role("button", name="Delete queue").click()
    expect(row).to_have_count(0)
    assert ui_api.get(f"/annotation-queues/{q['id']}").status_code == 404


def test_create_queue_with_rubric_from_the_ui(page: Page, ui_api: Api):
    for k in ("quality", "tone"):
        ui_api.delete("/feedback-configs", params={"feedback_key": k})
        assert ui_api.get("/feedback-configs", params={"key": k}).json() == []
    name = f"ui-made-{uuid.uuid4().hex[:6]}"
    page.goto(page.base_url + "/annotation-queues")
    page.locator(".topbar .new-queue").click()
    dlg = page.locator("dialog[open].queue-editor-dlg")
    dlg.locator("input[name=name]").fill(name)
    dlg.locator("input[name=description]").fill("Made in the browser")
    dlg.locator("textarea[name=rubric_instructions]").fill("Score **quality** from 0 to 1.")
    dlg.locator(".qe-preview-toggle").click()
    expect(dlg.locator(".qe-preview strong")).to_have_text("quality")
    dlg.locator(".qe-preview-toggle").click()

    dlg.locator(".qe-add-item").click()
    quality = dlg.locator(".qe-item").nth(0)
    quality.locator(".qe-key").fill("quality")
    expect(quality.locator(".qe-note")).to_contain_text("New key")
    quality.locator(".qe-type").select_option("continuous")
    quality.locator(".qe-min").fill("0")
    quality.locator(".qe-max").fill("1")
    quality.locator(".qe-desc").fill("How good is the answer?")
    quality.locator("input[name=is_required]").check()

    dlg.locator(".qe-add-item").click()
    tone = dlg.locator(".qe-item").nth(1)
    tone.locator(".qe-key").fill("tone")
    tone.locator(".qe-type").select_option("categorical")
    tone.locator(".qe-add-cat").click()
    for n, (label, desc) in enumerate((("rude", "Impolite"), ("neutral", ""), ("friendly", "Warm and helpful"))):
        cat = tone.locator(".qe-cat").nth(n)
        cat.locator(".qe-cat-label").fill(label)
        cat.locator(".qe-cat-value").fill(str(n))
        cat.locator(".qe-cat-desc").fill(desc)
    shot(page, "queue-create-dialog")
    dlg.get_by_role("button", name="Create queue").click()

    expect(page).to_have_url(re.compile(r"/annotation-queues/[0-9a-f-]{36}$"))
    qid = urlsplit(page.url).path.rsplit("/", 1)[1]
    try:
        expect(page.locator(".crumbs .here")).to_have_text(name)
        expect(page.locator(".rq-empty")).to_contain_text("no runs yet")
        got = ui_api.get(f"/annotation-queues/{qid}").json()
        assert got["name"] == name
        assert got["description"] == "Made in the browser"
        assert got["rubric_instructions"] == "Score **quality** from 0 to 1."
        items = {i["feedback_key"]: i for i in got["rubric_items"]}
        assert list(items) == ["quality", "tone"]
        assert items["quality"]["is_required"] is True
        assert items["quality"]["description"] == "How good is the answer?"
        assert items["tone"]["is_required"] is False
        assert items["tone"]["value_descriptions"] == {"rude": "Impolite", "friendly": "Warm and helpful"}
        # The configs were registered (and come back embedded in the rubric).
        qc = ui_api.get("/feedback-configs", params={"key": "quality"}).json()
        assert [c["feedback_config"]["type"] for c in qc] == ["continuous"]
        assert (qc[0]["feedback_config"]["min"], qc[0]["feedback_config"]["max"]) == (0, 1)
        tc = ui_api.get("/feedback-configs", params={"key": "tone"}).json()
        assert [c["feedback_config"]["type"] for c in tc] == ["categorical"]
        assert [(c["value"], c["label"]) for c in tc[0]["feedback_config"]["categories"]] == [(0, "rude"), (1, "neutral"), (2, "friendly")]
        assert items["tone"]["feedback_config"]["feedback_config"]["categories"] == tc[0]["feedback_config"]["categories"]
    finally:
        ui_api.delete(f"/annotation-queues/{qid}")
        for k in ("quality", "tone"):
            ui_api.delete("/feedback-configs", params={"feedback_key": k})


# -- review -----------------------------------------------------------------------------------


def test_review_with_the_keyboard(page: Page, ui_api: Api, runs, make_queue):
    first, second, third = runs[0], runs[1], runs[2]
    q = make_queue([first["id"], second["id"], third["id"]])
    k = q["keys"]
    open_review(page, q["id"], first["id"])
    # The run, rendered, with its trace link.
    expect(page.locator(".rq-run-name")).to_have_text(first["name"])
    expect(page.locator(".rq-inputs")).to_contain_text(question(first))
    expect(page.locator(".rq-outputs")).to_contain_text(answer_line(first))
    expect(page.locator(".rq-trace-link")).to_have_attribute("href", f"/projects/p/{first['session_id']}/r/{first['id']}?trace_id={first['trace_id']}")
    # The rubric: instructions (Markdown) and one control per item.
    expect(page.locator(".rq-instructions h2")).to_have_text("How to review")
    expect(page.locator(".rq-instructions strong")).to_have_text("correct")
    expect(page.locator(".rq-item")).to_have_count(3)
    expect(page.locator(".rq-item .rq-key")).to_have_text(list(k.values()))
    expect(page.locator(f'.rq-item[data-key="{k["tone"]}"] .rq-cat')).to_have_text(["1rude", "2neutral", "3friendly"])
    expect(page.locator(f'.rq-item[data-key="{k["qual"]}"] input[type=range]')).to_have_count(1)
    expect(page.locator(f'.rq-item[data-key="{k["note"]}"] textarea')).to_have_count(1)
    expect(page.locator(".rq-left")).to_have_text("3 of 3 left")
    # The first item has the focus.
    expect(page.locator(".rq-item.cur")).to_have_attribute("data-key", k["qual"])

    page.keyboard.press("4")                         # the 4th score step of 0–1: 0.75
    expect(page.locator(f'.rq-item[data-key="{k["qual"]}"] input[type=number]')).to_have_value("0.75")
    page.keyboard.press("ArrowDown")
    expect(page.locator(".rq-item.cur")).to_have_attribute("data-key", k["tone"])
    page.keyboard.press("1")
    page.keyboard.press("3")                         # the third category wins
    expect(page.locator(f'.rq-item[data-key="{k["tone"]}"] .rq-cat.on')).to_have_text("3friendly")
    expect(page.locator(f'.rq-item[data-key="{k["tone"]}"] .rq-cat[aria-pressed=true]')).to_have_count(1)
    page.keyboard.press("Tab")                       # to the freeform item's text box
    expect(page.locator(f'.rq-item[data-key="{k["note"]}"] textarea')).to_be_focused()
    page.keyboard.type("Short and right")
    page.locator(".rq-comment").fill("Looks good to me")
    shot(page, "queue-review-filled")
    page.keyboard.press("Enter")

    # The next run shows; the first one is reviewed.
    expect(page.locator(f'.rq-run[data-run-id="{second["id"]}"]')).to_be_visible()
    expect(page.locator(".rq-left")).to_have_text("2 of 3 left")
    expect(page.locator(".rq-inputs")).to_contain_text(question(second))
    expect(page.locator(f'.rq-item[data-key="{k["tone"]}"] .rq-cat.on')).to_have_count(0)
    assert size(ui_api, q["id"]) == 2
    done = ui_api.get(f"/annotation-queues/{q['id']}/runs", params={"status": "completed"}).json()
    assert [r["id"] for r in done] == [first["id"]]
    assert done[0]["last_reviewed_time"]
    fq = feedback_of(ui_api, first["id"], k["qual"])
    assert [(f["score"], f["value"], f["comment"], f["feedback_source"]["type"]) for f in fq] == [(0.75, None, "Looks good to me", "app")]
    ft = feedback_of(ui_api, first["id"], k["tone"])
    assert [(f["score"], f["value"], f["comment"], f["feedback_source"]["type"]) for f in ft] == [(2, "friendly", "Looks good to me", "app")]
    fn = feedback_of(ui_api, first["id"], k["note"])
    assert [(f["score"], f["value"], f["feedback_source"]["type"]) for f in fn] == [(None, "Short and right", "app")]
    assert feedback_of(ui_api, second["id"], k["qual"]) == []
    shot(page, "queue-review-next")


def test_required_item_blocks_submit(page: Page, ui_api: Api, runs, make_queue):
    q = make_queue([runs[0]["id"], runs[1]["id"]])
    k = q["keys"]
    open_review(page, q["id"], runs[0]["id"])
    page.keyboard.press("ArrowDown")
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    err = page.locator(".rq-error")
    expect(err).to_be_visible()
    expect(err).to_have_text(f"Fill in the required item: {k['qual']}.")
    expect(page.locator(f'.rq-item.missing[data-key="{k["qual"]}"]')).to_have_count(1)
    expect(page.locator(".rq-item.cur")).to_have_attribute("data-key", k["qual"])
    shot(page, "queue-review-required")
    assert current_run(page) == runs[0]["id"]
    assert size(ui_api, q["id"]) == 2
    assert feedback_of(ui_api, runs[0]["id"], k["tone"]) == []
    # Filling it in lets the submit through.
    page.keyboard.press("5")
    expect(page.locator(f'.rq-item.missing[data-key="{k["qual"]}"]')).to_have_count(0)
    page.keyboard.press("Enter")
    expect(page.locator(f'.rq-run[data-run-id="{runs[1]["id"]}"]')).to_be_visible()
    assert [f["score"] for f in feedback_of(ui_api, runs[0]["id"], k["qual"])] == [1]
    assert [f["value"] for f in feedback_of(ui_api, runs[0]["id"], k["tone"])] == ["neutral"]


def test_out_of_range_score_shows_the_servers_message(page: Page, ui_api: Api, runs, make_queue):
    q = make_queue([runs[2]["id"]])
    k = q["keys"]
    # What the server says about this score, asked directly (it is rejected, so nothing is stored).
    r = ui_api.post("/feedback", json={"run_id": runs[2]["id"], "key": k["qual"], "score": 1.5, "feedback_source": {"type": "app"}})
    assert r.status_code == 422, r.text
    message = r.json()["detail"]
    assert "1.5" in message
    open_review(page, q["id"], runs[2]["id"])
    box = page.locator(f'.rq-item[data-key="{k["qual"]}"] input[type=number]')
    box.fill("1.5")
    box.press("Enter")
    err = page.locator(".rq-error")
    expect(err).to_be_visible()
    expect(err.locator(".rq-server-msg")).to_have_text(message)
    shot(page, "queue-review-server-error")
    assert current_run(page) == runs[2]["id"]
    assert size(ui_api, q["id"]) == 1
    assert feedback_of(ui_api, runs[2]["id"], k["qual"]) == []
    # A valid score then goes through (the same feedback id: no duplicates on retry).
    box.fill("0.5")
    box.press("Enter")
    expect(page.locator(".rq-done")).to_be_visible()
    assert [f["score"] for f in feedback_of(ui_api, runs[2]["id"], k["qual"])] == [0.5]


def test_skip_previous_and_next(page: Page, ui_api: Api, runs, make_queue):
    ids = [r["id"] for r in runs[:3]]
    q = make_queue(ids, required=False)
    open_review(page, q["id"], ids[0])
    expect(page.locator(".rq-pos")).to_have_text("Run 1 of 3 to review")
    page.keyboard.press("s")
    expect(page.locator(f'.rq-run[data-run-id="{ids[1]}"]')).to_be_visible()
    assert parse_qs(urlsplit(page.url).query)["i"] == ["1"]
    expect(page.locator(".rq-pos")).to_have_text("Run 2 of 3 to review")
    page.keyboard.press("p")
    expect(page.locator(f'.rq-run[data-run-id="{ids[0]}"]')).to_be_visible()
    assert "i" not in parse_qs(urlsplit(page.url).query)
    page.keyboard.press("ArrowRight")
    expect(page.locator(f'.rq-run[data-run-id="{ids[1]}"]')).to_be_visible()
    page.keyboard.press("n")
    expect(page.locator(f'.rq-run[data-run-id="{ids[2]}"]')).to_be_visible()
    expect(page.locator(".rq-next")).to_be_disabled()
    page.keyboard.press("n")                         # the last run: next stays
    page.keyboard.press("ArrowLeft")
    expect(page.locator(f'.rq-run[data-run-id="{ids[1]}"]')).to_be_visible()
    page.keyboard.press("s")
    page.keyboard.press("s")                         # skipping past the last wraps to the first
    expect(page.locator(f'.rq-run[data-run-id="{ids[0]}"]')).to_be_visible()
    # Skipping reviews nothing; the position is in the URL (deep link).
    assert size(ui_api, q["id"]) == 3
    open_review(page, q["id"], ids[2], "?i=2")
    page.locator(".rq-prev").click()
    expect(page.locator(f'.rq-run[data-run-id="{ids[1]}"]')).to_be_visible()
    # `?` shows the shortcuts.
    page.locator(".rq-item").first.focus()
    page.keyboard.press("?")
    help_dlg = page.locator("dialog[open].rq-help")
    expect(help_dlg).to_be_visible()
    expect(help_dlg).to_contain_text("Skip this run")
    shot(page, "queue-review-help")
    page.keyboard.press("Escape")
    expect(help_dlg).to_have_count(0)


def test_done_state_completed_tab_and_send_back(page: Page, ui_api: Api, runs, make_queue):
    a, b = runs[3], runs[0]
    q = make_queue([a["id"], b["id"]], required=False)
    k = q["keys"]
    open_review(page, q["id"], a["id"])
    page.keyboard.press("ArrowDown")
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    expect(page.locator(f'.rq-run[data-run-id="{b["id"]}"]')).to_be_visible()
    expect(page.locator(".rq-left")).to_have_text("1 of 2 left")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("3")
    page.locator(".rq-comment").fill("Lovely")
    page.locator(".rq-submit").click()
    done = page.locator(".rq-done")
    expect(done).to_be_visible()
    expect(done).to_contain_text("All done")
    expect(page.locator(".rq-tabs [data-tab=review] .rd-count")).to_have_text("0")
    assert size(ui_api, q["id"]) == 0
    assert size(ui_api, q["id"], "completed") == 2
    shot(page, "queue-review-done")

    done.locator(".rq-see-completed").click()
    expect(page).to_have_url(re.compile(rf"/annotation-queues/{q['id']}\?tab=completed$"))
    rows = page.locator(".rq-completed-table tbody tr")
    expect(rows).to_have_count(2)
    row_a = page.locator(f'.rq-completed-table tr[data-run-id="{a["id"]}"]')
    row_b = page.locator(f'.rq-completed-table tr[data-run-id="{b["id"]}"]')
    expect(row_a.locator(f'.rq-fb-pill[data-key="{k["tone"]}"]')).to_contain_text("rude")
    expect(row_b.locator(f'.rq-fb-pill[data-key="{k["tone"]}"]')).to_contain_text("friendly")
    expect(row_b.locator(".rq-fb-comment")).to_contain_text("Lovely")
    expect(row_a.locator(".rq-trace-link")).to_have_attribute("href", f"/projects/p/{a['session_id']}/r/{a['id']}?trace_id={a['trace_id']}")
    shot(page, "queue-completed")

    row_b.locator(".rq-send-back").click()
    expect(rows).to_have_count(1)
    expect(page.locator(".rq-tabs [data-tab=review] .rd-count")).to_have_text("1")
    assert size(ui_api, q["id"]) == 1
    assert [r["id"] for r in ui_api.get(f"/annotation-queues/{q['id']}/runs", params={"status": "needs_my_review"}).json()] == [b["id"]]
    # Back on the review screen the run shows with the earlier answers filled in; resubmitting
    # updates the feedback instead of adding a second one.
    page.locator(".rq-tabs [data-tab=review]").click()
    expect(page.locator(f'.rq-run[data-run-id="{b["id"]}"]')).to_be_visible()
    expect(page.locator(f'.rq-item[data-key="{k["tone"]}"] .rq-cat.on')).to_have_text("3friendly")
    expect(page.locator(".rq-comment")).to_have_value("Lovely")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    expect(page.locator(".rq-done")).to_be_visible()
    fb = feedback_of(ui_api, b["id"], k["tone"])
    assert [(f["score"], f["value"]) for f in fb] == [(1, "neutral")]


def test_remove_run_from_queue(page: Page, ui_api: Api, runs, make_queue):
    q = make_queue([runs[0]["id"], runs[1]["id"]], required=False)
    open_review(page, q["id"], runs[0]["id"])
    page.locator(".rq-remove").click()
    expect(page.locator(f'.rq-run[data-run-id="{runs[1]["id"]}"]')).to_be_visible()
    expect(page.locator(".rq-left")).to_have_text("1 of 1 left")
    left = ui_api.get(f"/annotation-queues/{q['id']}/runs").json()
    assert [r["id"] for r in left] == [runs[1]["id"]]


# -- add from the trace view --------------------------------------------------------------------


def test_add_to_queue_from_the_trace_view(page: Page, ui_api: Api, runs, make_queue):
    run = runs[1]
    q = make_queue([], required=False)
    page.goto(f"{page.base_url}/projects/p/{run['session_id']}/r/{run['id']}?trace_id={run['trace_id']}")
    button = page.locator(".rd-header .rd-actions .rd-add-queue")
    expect(button).to_have_text("+ Add to annotation queue")
    expect(page.locator(".rd-header .rd-actions .rd-add-dataset")).to_be_visible()
    button.click()
    dlg = page.locator("dialog[open].add-to-queue")
    expect(dlg.locator(f'select[name=queue] option[value="{q["id"]}"]')).to_have_text(q["name"])
    dlg.locator("select[name=queue]").select_option(q["id"])
    shot(page, "trace-add-to-queue")
    dlg.get_by_role("button", name="Add to queue").click()
    link = dlg.locator(".atq-link")
    expect(link).to_have_text(q["name"])
    expect(link).to_have_attribute("href", f"/annotation-queues/{q['id']}")
    in_queue = ui_api.get(f"/annotation-queues/{q['id']}/runs").json()
    assert [r["id"] for r in in_queue] == [run["id"]]
    link.click()
    expect(page).to_have_url(re.compile(rf"/annotation-queues/{q['id']}$"))
    expect(page.locator(f'.rq-run[data-run-id="{run["id"]}"]')).to_be_visible()
    expect(page.locator(".rq-inputs")).to_contain_text(question(run))

    # Again from the trace: the dialog knows the run is in that queue already.
    page.goto(f"{page.base_url}/projects/p/{run['session_id']}/r/{run['id']}?trace_id={run['trace_id']}")
    page.locator(".rd-header .rd-add-queue").click()
    dlg = page.locator("dialog[open].add-to-queue")
    expect(dlg.locator(f'select[name=queue] option[value="{q["id"]}"]')).to_have_text(f"{q['name']} (already in)")
    dlg.locator("select[name=queue]").select_option(q["id"])
    dlg.get_by_role("button", name="Add to queue").click()
    expect(dlg.locator(".atq-done")).to_contain_text("already in")
    assert len(ui_api.get(f"/annotation-queues/{q['id']}/runs").json()) == 1


def test_add_to_queue_can_create_the_queue(page: Page, ui_api: Api, runs):
    run = runs[2]
    name = f"ui-q-from-run-{uuid.uuid4().hex[:6]}"
    page.goto(f"{page.base_url}/projects/p/{run['session_id']}/r/{run['id']}?trace_id={run['trace_id']}")
    page.locator(".rd-header .rd-add-queue").click()
    dlg = page.locator("dialog[open].add-to-queue")
    dlg.locator("select[name=queue]").select_option("__new__")
    dlg.locator("input[name=new_queue]").fill(name)
    dlg.get_by_role("button", name="Add to queue").click()
    expect(dlg.locator(".atq-link")).to_have_text(name)
    made = ui_api.get("/annotation-queues", params={"name": name}).json()
    try:
        assert len(made) == 1
        assert [r["id"] for r in ui_api.get(f"/annotation-queues/{made[0]['id']}/runs").json()] == [run["id"]]
    finally:
        for m in made:
            ui_api.delete(f"/annotation-queues/{m['id']}")


def test_shared_trace_has_no_add_to_queue(anon_page: Page, ui_api: Api, runs):
    run_id = runs[-1]["id"]
    r = ui_api.put(f"/runs/{run_id}/share", json={})
    assert r.status_code == 200, r.text
    token = r.json()["share_token"]
    try:
        anon_page.goto(f"{anon_page.base_url}/public/{token}/r")
        expect(anon_page.locator(".rd-header h2")).to_be_visible()
        expect(anon_page.locator(".rd-add-queue")).to_have_count(0)
    finally:
        ui_api.delete(f"/runs/{run_id}/share")
