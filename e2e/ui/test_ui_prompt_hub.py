"""Browser tests for the prompt hub pages: the list, a prompt's rendered template, the commit diff,
editing (a new commit) and the stale-edit conflict.

Prompts are pushed with the real SDK (so manifests are exactly what LangChain writes); ground truth
comes from the public API of the same server.
"""
from __future__ import annotations

import difflib
import json
import re
import time
import uuid
from urllib.parse import urlsplit

import pytest
from langchain_core.prompts import ChatPromptTemplate
from playwright.sync_api import Page, expect

import langsmith
from conftest import API_KEY, shot
from wire import Api

ROWS = ".prompts-table tbody tr"

V1 = ChatPromptTemplate.from_messages([
    ("system", "You are a {style} comedian."),
    ("human", "Tell me a joke about {topic}."),
])
V2 = ChatPromptTemplate.from_messages([
    ("system", "You are a {style} comedian."),
    ("human", "Tell me a short joke about {topic} and {place}."),
])


@pytest.fixture(scope="module")
def ui_api(ui_server) -> Api:
    return Api(ui_server.url + "/api/v1", API_KEY)


@pytest.fixture(scope="module")
def client(ui_server) -> langsmith.Client:
    c = langsmith.Client(api_url=ui_server.url + "/api/v1", api_key=API_KEY, disable_prompt_cache=True, auto_batch_tracing=False)
    yield c
    c.close()


@pytest.fixture(scope="module")
def hub(client: langsmith.Client, ui_api: Api) -> dict:
    """Three prompts under one unique token: `jokes` (2 commits, `prod` on the first, liked),
    `summary` (1 commit) and `old` (archived)."""
    token = "uip-" + uuid.uuid4().hex[:8]
    jokes, summary, old = f"{token}-jokes", f"{token}-summary", f"{token}-old"
    url1 = client.push_prompt(jokes, object=V1, description="Jokes on demand", tags=["fun"], commit_tags=["prod"],
                              commit_description="first draft")
    client.push_prompt(jokes, object=V2, commit_description="shorter, with a place")
    client.push_prompt(summary, object=ChatPromptTemplate.from_messages([("human", "Summarize: {text}")]))
    client.push_prompt(old, object=ChatPromptTemplate.from_messages([("human", "Old {thing}")]))
    client.update_prompt(old, is_archived=True)
    client.like_prompt(jokes)
    commits = ui_api.get(f"/commits/-/{jokes}", params={"include_model": "true"}).json()["commits"]
    return {"token": token, "jokes": jokes, "summary": summary, "old": old, "url1": url1,
            "v1": commits[1], "v2": commits[0]}


def poll(page: Page, script: str, arg=None, timeout: float = 15_000, what: str = "condition"):
    deadline = time.time() + timeout / 1000
    while True:
        value = page.evaluate(script, arg)
        if value:
            return value
        assert time.time() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def listed(page: Page) -> list[str]:
    return page.eval_on_selector_all(ROWS, "trs => trs.map(t => t.dataset.name)")


def wait_listed(page: Page, names: list[str]) -> None:
    poll(page, "want => { if (document.querySelector('.prompts-body.loading')) return false;"
         " const got = [...document.querySelectorAll('.prompts-table tbody tr')].map(t => t.dataset.name);"
         " return JSON.stringify(got) === JSON.stringify(want); }", names, what=f"rows {names}")


# -- list ---------------------------------------------------------------------------------


def test_list_search_filters_and_sort(page: Page, hub: dict, ui_api: Api):
    page.goto(f"{page.base_url}/prompts?q={hub['token']}")
    expect(page.get_by_role("link", name="Prompts", exact=True)).to_have_class(re.compile("active"))
    wait_listed(page, [hub["summary"], hub["jokes"]])  # updated_at desc, archived hidden
    row = page.locator(f'{ROWS}[data-name="{hub["jokes"]}"]')
    expect(row.locator('td[data-col="num_commits"]')).to_have_text("2")
    expect(row.locator('td[data-col="num_likes"]')).to_have_text("1")
    expect(row.get_by_text("Private")).to_be_visible()
    expect(row.get_by_text("fun")).to_be_visible()
    shot(page, "prompts-list")

    page.get_by_role("combobox", name="Sort by").select_option("num_likes")
    wait_listed(page, [hub["jokes"], hub["summary"]])
    assert "sort=num_likes" in page.url
    page.get_by_role("button", name="Sort direction").click()
    wait_listed(page, [hub["summary"], hub["jokes"]])

    page.get_by_role("group", name="Archived").get_by_role("button", name="Archived").click()
    wait_listed(page, [hub["old"]])
    page.get_by_role("group", name="Archived").get_by_role("button", name="Both").click()
    wait_listed(page, listed_api(ui_api, hub, "allow"))

    page.get_by_role("group", name="Visibility").get_by_role("button", name="Public").click()
    poll(page, "() => !document.querySelector('.prompts-body.loading') && !!document.querySelector('.prompts-body .empty')",
         what="no public prompts")
    expect(page.get_by_text("No prompts match")).to_be_visible()

    # Search narrows on the server.
    page.goto(f"{page.base_url}/prompts?q={hub['token']}-SUMM")
    wait_listed(page, [hub["summary"]])


def listed_api(ui_api: Api, hub: dict, archived: str) -> list[str]:
    """The API's answer for the same listing (the ground truth the page must show)."""
    r = ui_api.get("/repos", params={"query": hub["token"], "is_archived": archived, "sort_field": "num_likes", "sort_direction": "asc"})
    return [x["repo_handle"] for x in r.json()["repos"]]


# -- prompt page ------------------------------------------------------------------------------


def test_open_prompt_renders_messages_with_variables(page: Page, hub: dict):
    page.goto(f"{page.base_url}/prompts?q={hub['token']}")
    wait_listed(page, [hub["summary"], hub["jokes"]])
    page.locator(f'{ROWS}[data-name="{hub["jokes"]}"] a').click()
    expect(page).to_have_url(re.compile(rf"/prompts/{hub['jokes']}$"))
    expect(page.locator(".prompt-title")).to_have_text(hub["jokes"])
    msgs = page.locator(".template-card .pt-msg")
    expect(msgs).to_have_count(2)
    assert page.eval_on_selector_all(".template-card .pt-msg", "ms => ms.map(m => m.dataset.role)") == ["system", "human"]
    expect(msgs.nth(1).locator(".pt-text")).to_have_text("Tell me a short joke about {topic} and {place}.")
    variables = page.eval_on_selector_all(".template-card .pt-text .pt-var", "vs => vs.map(v => v.textContent)")
    assert variables == ["{style}", "{topic}", "{place}"]
    # Only the variables are highlighted, not the surrounding text.
    assert page.eval_on_selector_all(".template-card .pt-var", "vs => vs.every(v => getComputedStyle(v).backgroundColor !== 'rgba(0, 0, 0, 0)')")
    pills = page.eval_on_selector_all(".pt-vars .pt-var-pill", "ps => ps.map(p => p.textContent)")
    assert pills == ["place", "style", "topic"]
    expect(page.locator(".template-bar .pill", has_text="latest")).to_be_visible()
    expect(page.locator(".prompt-desc")).to_have_text("Jokes on demand")
    shot(page, "prompt-template")


def test_sdk_commit_url_opens_that_commit(page: Page, hub: dict):
    """push_prompt returns `{host}/prompts/{name}/{hash8}?organizationId=…`; that path is a page."""
    parts = urlsplit(hub["url1"])
    assert parts.path == f"/prompts/{hub['jokes']}/{hub['v1']['commit_hash'][:8]}"
    page.goto(f"{page.base_url}{parts.path}?{parts.query}")
    expect(page.locator(".template-bar .commit-hash")).to_have_text(hub["v1"]["commit_hash"][:8])
    expect(page.locator(".template-bar .commit-tag")).to_have_text("prod")
    expect(page.locator(".template-card .pt-msg").nth(1)).to_contain_text("Tell me a joke about {topic}.")
    expect(page.get_by_role("button", name="View latest")).to_be_visible()


def test_diff_between_two_commits_marks_added_and_removed_lines(page: Page, hub: dict):
    page.goto(f"{page.base_url}/prompts/{hub['jokes']}?tab=commits")
    rows = page.locator(".commits-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1).locator(".commit-tag")).to_have_attribute("data-tag", "prod")
    compare = page.get_by_role("button", name="Compare selected")
    expect(compare).to_be_disabled()
    rows.nth(0).get_by_role("checkbox").check()
    rows.nth(1).get_by_role("checkbox").check()
    expect(compare).to_be_enabled()
    compare.click()
    expect(page.locator(".diff-table")).to_be_visible()
    assert "tab=diff" in page.url
    assert page.locator('select[data-side="from"]').input_value() == hub["v1"]["commit_hash"][:8]
    assert page.locator('select[data-side="to"]').input_value() == hub["v2"]["commit_hash"][:8]

    removed = page.eval_on_selector_all(".diff-line.del td.code", "tds => tds.map(t => t.textContent)")
    added = page.eval_on_selector_all(".diff-line.add td.code", "tds => tds.map(t => t.textContent)")
    assert any('"template": "Tell me a joke about {topic}."' in line for line in removed), removed
    assert any('"template": "Tell me a short joke about {topic} and {place}."' in line for line in added), added
    assert page.eval_on_selector_all(".diff-line.del td.mark", "tds => tds.every(t => t.textContent === '−')")
    assert page.eval_on_selector_all(".diff-line.add td.mark", "tds => tds.every(t => t.textContent === '+')")
    # Ground truth: a line diff of the same pretty-printed manifests from the API.
    old = json.dumps(hub["v1"]["manifest"], indent=2, ensure_ascii=False).split("\n")
    new = json.dumps(hub["v2"]["manifest"], indent=2, ensure_ascii=False).split("\n")
    want_removed = [l[2:] for l in difflib.ndiff(old, new) if l.startswith("- ")]
    want_added = [l[2:] for l in difflib.ndiff(old, new) if l.startswith("+ ")]
    assert sorted(removed) == sorted(want_removed)
    assert sorted(added) == sorted(want_added)
    expect(page.locator(".diff-added")).to_have_text(f"+{len(want_added)}")
    expect(page.locator(".diff-removed")).to_have_text(f"−{len(want_removed)}")
    # Unchanged lines are context only, never marked.
    assert page.eval_on_selector_all(".diff-line.same td.mark", "tds => tds.every(t => t.textContent.trim() === '')")
    shot(page, "prompt-diff")

    # Expanding a collapsed run shows the unchanged lines; swapping the ends swaps add/remove.
    skips = page.locator(".diff-skip button")
    if skips.count():
        before = page.locator(".diff-line").count()
        skips.first.click()
        assert page.locator(".diff-line").count() > before
    page.locator('select[data-side="from"]').select_option(hub["v2"]["commit_hash"][:8])
    page.locator('select[data-side="to"]').select_option(hub["v1"]["commit_hash"][:8])
    expect(page.locator(".diff-added")).to_have_text(f"+{len(want_removed)}")
    swapped = page.eval_on_selector_all(".diff-line.add td.code", "tds => tds.map(t => t.textContent)")
    assert sorted(swapped) == sorted(want_removed)


def test_edit_creates_a_new_commit_visible_in_history(page: Page, hub: dict, client: langsmith.Client, ui_api: Api):
    name = hub["summary"]
    head = ui_api.get(f"/commits/-/{name}/latest").json()["commit_hash"]
    page.goto(f"{page.base_url}/prompts/{name}")
    expect(page.locator(".prompt-head")).not_to_contain_text("null")
    expect(page.locator(".prompt-desc")).to_have_count(0)
    page.get_by_role("button", name="Edit").click()
    box = page.get_by_label("human message template")
    expect(box).to_have_value("Summarize: {text}")
    box.fill("Summarize in {n} words: {text}")
    preview = page.locator(".pt-preview .pt-var")
    expect(preview).to_have_count(2)
    assert page.eval_on_selector_all(".pt-preview .pt-var", "vs => vs.map(v => v.textContent)") == ["{n}", "{text}"]
    page.get_by_label("Commit description").fill("word limit")
    shot(page, "prompt-editor")
    page.get_by_role("button", name="Commit", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Committed")
    expect(page.locator(".template-card .pt-msg").first).to_contain_text("Summarize in {n} words: {text}")

    latest = ui_api.get(f"/commits/-/{name}/latest").json()
    assert latest["commit_hash"] != head and latest["parent_commit_hash"] == head and latest["description"] == "word limit"
    # The edited manifest still loads with LangChain, with the new variable.
    pulled = client.pull_prompt(name)
    assert pulled.input_variables == ["n", "text"]
    assert pulled.invoke({"n": 5, "text": "hello"}).to_messages()[0].content == "Summarize in 5 words: hello"

    page.locator('.tabs a[data-tab="commits"]').click()
    rows = page.locator(".commits-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("word limit")
    expect(rows.first).to_contain_text(latest["commit_hash"][:8])
    expect(rows.first.locator(".pill", has_text="latest")).to_be_visible()
    shot(page, "prompt-history")


def test_stale_edit_shows_conflict(page: Page, hub: dict, client: langsmith.Client, ui_api: Api):
    name = f"{hub['token']}-race"
    client.push_prompt(name, object=ChatPromptTemplate.from_messages([("human", "one {x}")]))
    page.goto(f"{page.base_url}/prompts/{name}")
    page.get_by_role("button", name="Edit").click()
    page.get_by_label("human message template").fill("mine {x}")
    # Someone else commits while the editor is open.
    client.push_prompt(name, object=ChatPromptTemplate.from_messages([("human", "theirs {x}")]))
    page.get_by_role("button", name="Commit", exact=True).click()
    alert = page.locator(".prompt-page > .banner")
    expect(alert).to_contain_text("Someone else committed")
    shot(page, "prompt-conflict")
    # Nothing was overwritten; reloading shows their version.
    assert client.pull_prompt(name).messages[0].prompt.template == "theirs {x}"
    alert.get_by_role("button", name="Reload").click()
    expect(page.locator(".template-card .pt-msg").first).to_contain_text("theirs {x}")


def test_tag_and_untag_a_commit(page: Page, hub: dict, ui_api: Api):
    name = hub["jokes"]
    page.goto(f"{page.base_url}/prompts/{name}?tab=commits")
    rows = page.locator(".commits-table tbody tr")
    expect(rows).to_have_count(2)
    rows.first.get_by_role("button", name="Tag…").click()
    dialog = page.get_by_role("dialog", name="Tag commit")
    dialog.get_by_label("Tag").fill("beta")
    dialog.get_by_role("button", name="Save tag").click()
    expect(rows.first.locator('.commit-tag[data-tag="beta"]')).to_be_visible()
    tags = {t["tag_name"]: t["commit_hash"] for t in ui_api.get(f"/repos/-/{name}/tags").json()}
    assert tags["beta"] == hub["v2"]["commit_hash"]
    # Pulling by the tag gives that commit.
    assert ui_api.get(f"/commits/-/{name}/beta").json()["commit_hash"] == hub["v2"]["commit_hash"]
    rows.first.get_by_role("button", name="Remove tag beta").click()
    expect(rows.first.locator('.commit-tag[data-tag="beta"]')).to_have_count(0)
    assert "beta" not in {t["tag_name"] for t in ui_api.get(f"/repos/-/{name}/tags").json()}
    # An invalid tag name is refused with the server's message, in the dialog.
    rows.first.get_by_role("button", name="Tag…").click()
    dialog = page.get_by_role("dialog", name="Tag commit")
    dialog.get_by_label("Tag").fill("latest")
    dialog.get_by_role("button", name="Save tag").click()
    expect(dialog.get_by_role("alert")).to_contain_text("tag_name")


def test_create_prompt_from_the_list(page: Page, hub: dict, client: langsmith.Client):
    name = f"{hub['token']}-made-in-ui"
    page.goto(f"{page.base_url}/prompts")
    page.get_by_role("button", name="+ New prompt").click()
    dialog = page.get_by_role("dialog", name="New prompt")
    dialog.get_by_label("Prompt name").fill(name)
    dialog.get_by_label("System message").fill("You answer in {language}.")
    dialog.get_by_label("Human message").fill("{question}")
    dialog.get_by_role("button", name="Create").click()
    expect(page).to_have_url(re.compile(rf"/prompts/{name}$"))
    expect(page.locator(".template-card .pt-msg")).to_have_count(2)
    pulled = client.pull_prompt(name)
    assert isinstance(pulled, ChatPromptTemplate)
    assert pulled.input_variables == ["language", "question"]
    assert [m.content for m in pulled.invoke({"language": "French", "question": "hi?"}).to_messages()] == ["You answer in French.", "hi?"]
