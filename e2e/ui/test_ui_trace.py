"""Browser tests for the trace view: run tree + waterfall (virtualised), run detail (chat bubbles,
markdown, JSON viewer, errors, attachments, feedback), deep links, sharing and the 10,000-run trace.

Ground truth comes from the public API of the same server, never from the UI's own code.
"""
from __future__ import annotations

import json
import re
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from playwright.sync_api import Page, expect

from conftest import API_KEY, BIG_TRACE_RUNS, shot
from wire import Api

ROWS = ".tv-row[data-id]"


# -- fixtures / helpers -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def ui_api(ui_server) -> Api:
    return Api(ui_server.url + "/api/v1", API_KEY)


def _trace(api: Api, trace_id: str) -> list[dict]:
    r = api.get(f"/ui/traces/{trace_id}")
    return r.json()["runs"] if r.status_code == 200 else []


@pytest.fixture(scope="module")
def ids(ui_api: Api, seeded) -> dict:
    """Project ids and the runs of the seeded traces, once ingestion has caught up."""
    deadline = time.time() + 60
    while True:
        first = _trace(ui_api, seeded["first_root"])
        big = _trace(ui_api, seeded["big_trace"]) if seeded.get("big_trace") else []
        if len(first) == 5 and len(big) == BIG_TRACE_RUNS:
            break
        assert time.time() < deadline, f"seed not ingested: {len(first)} / {len(big)} runs"
        time.sleep(0.3)
    projects = {p["name"]: p["id"] for p in ui_api.get("/sessions", params={"limit": 100}).json()}
    demo = projects["ui-demo"]
    # The errored trace, found through the API (is_root + error) rather than trusted from the seed.
    errored = ui_api.post("/runs/query", json={"session": [demo], "is_root": True, "error": True, "select": ["id"]}).json()["runs"]
    assert errored, "the seed has an errored chat trace"
    by_name: dict[str, list[dict]] = {}
    for r in first:
        by_name.setdefault(r["name"], []).append(r)
    return {
        "demo": demo, "big_project": projects["ui-big"], "first": first, "by_name": by_name,
        "error_root": errored[0]["id"], "big": big, "plain_root": seeded["root_ids"][-1],
    }


def trace_url(page: Page, project: str, root: str, **query: str) -> str:
    q = "".join(f"&{k}={v}" for k, v in query.items())
    return f"{page.base_url}/projects/p/{project}/r/{root}?trace_id={root}{q}"


def open_trace(page: Page, project: str, root: str, **query: str) -> None:
    page.goto(trace_url(page, project, root, **query))
    page.wait_for_selector(ROWS)


def row(page: Page, run_id: str):
    return page.locator(f'{ROWS}[data-id="{run_id}"]')


def llm_runs(ids: dict) -> tuple[dict, dict]:
    llms = sorted(ids["by_name"]["ChatOpenAI"], key=lambda r: r["start_time"])
    return llms[0], llms[1]


def clipboard(page: Page) -> str:
    return page.evaluate("navigator.clipboard.readText()")


def has_class(cls: str) -> re.Pattern:
    return re.compile(rf"(^|\s){cls}(\s|$)")


def public_url(base: str) -> re.Pattern:
    return re.compile("^" + re.escape(base) + r"/public/[0-9a-f-]{36}/r$")


# -- tree + waterfall ---------------------------------------------------------------------------


def test_tree_shows_runs_with_types_latency_and_tokens(page: Page, seeded, ids):
    root = seeded["first_root"]
    open_trace(page, ids["demo"], root)
    rows = page.locator(ROWS)
    expect(rows).to_have_count(5)
    # Breadcrumbs: Projects / ui-demo / trace name.
    crumbs = page.locator(".crumbs")
    expect(crumbs).to_contain_text("Projects")
    expect(crumbs.locator("a", has_text="ui-demo")).to_have_attribute("href", f"/projects/p/{ids['demo']}")
    expect(crumbs.locator(".here")).to_have_text("ChatAgent")

    # Root first, children in start order, each with its run-type badge.
    assert rows.nth(0).get_attribute("data-id") == root
    types = [rows.nth(i).get_attribute("data-type") for i in range(5)]
    assert types == ["chain", "retriever", "llm", "tool", "llm"]
    for i, t in enumerate(types):
        expect(rows.nth(i).locator(f".rt.{t}")).to_be_visible()

    llm1, llm2 = llm_runs(ids)
    expect(row(page, root).locator(".tv-tokens")).to_have_text("565")        # rolled up
    expect(row(page, llm1["id"]).locator(".tv-tokens")).to_have_text("205")
    expect(row(page, llm2["id"]).locator(".tv-tokens")).to_have_text("360")
    expect(row(page, root).locator(".tv-latency")).to_have_text("2.40s")
    expect(row(page, llm1["id"]).locator(".tv-latency")).to_have_text("900ms")
    expect(row(page, ids["by_name"]["get_weather"][0]["id"]).locator(".tv-latency")).to_have_text("200ms")

    # Waterfall: the root bar spans the whole trace; children sit inside it, in time order.
    boxes = [rows.nth(i).locator(".tv-bar").bounding_box() for i in range(5)]
    cell = rows.nth(0).locator(".tv-wf-cell").bounding_box()
    assert abs(boxes[0]["x"] - cell["x"]) < 2 and abs(boxes[0]["width"] - cell["width"]) < 3
    lefts = [b["x"] for b in boxes[1:]]
    assert lefts == sorted(lefts) and lefts[0] > boxes[0]["x"]
    assert all(b["x"] + b["width"] <= boxes[0]["x"] + boxes[0]["width"] + 1 for b in boxes[1:])
    expect(rows.nth(2).locator(".tv-bar.llm")).to_be_visible()
    shot(page, "trace-tree")

    # Collapse/expand by the twisty.
    row(page, root).locator(".tv-twisty").click()
    expect(rows).to_have_count(1)
    shot(page, "trace-tree-collapsed")
    row(page, root).locator(".tv-twisty").click()
    expect(rows).to_have_count(5)

    # Keyboard: ← collapses, → expands, ↓/j move, Enter selects (and lands in the URL).
    page.locator(".tv-scroll").focus()
    page.keyboard.press("ArrowLeft")
    expect(rows).to_have_count(1)
    page.keyboard.press("ArrowRight")
    expect(rows).to_have_count(5)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("j")
    expect(row(page, llm1["id"])).to_have_class(has_class("cursor"))
    page.keyboard.press("Enter")
    expect(row(page, llm1["id"])).to_have_class(has_class("selected"))
    expect(page.locator(".rd-title h2")).to_have_text("ChatOpenAI")
    assert parse_qs(urlsplit(page.url).query)["run"] == [llm1["id"]]
    page.keyboard.press("k")
    page.keyboard.press("Enter")
    expect(page.locator(".rd-title h2")).to_have_text("search_docs")


# -- run detail ---------------------------------------------------------------------------------


def test_llm_run_shows_chat_bubbles_with_tool_calls_and_results(page: Page, seeded, ids):
    root = seeded["first_root"]
    llm1, llm2 = llm_runs(ids)
    open_trace(page, ids["demo"], root)
    row(page, llm2["id"]).click()
    inputs = page.locator(".rd-inputs")
    expect(inputs.locator(".msg")).to_have_count(4)
    expect(inputs.locator(".msg.system .msg-role")).to_have_text("System")
    expect(inputs.locator(".msg.user .msg-role")).to_have_text("User")
    expect(inputs.locator(".msg.user")).to_contain_text("What's the capital of France?")
    # OpenAI tool call on the assistant message, then the tool's result.
    assistant = inputs.locator(".msg.assistant")
    expect(assistant.locator(".msg-role")).to_have_text("Assistant")
    expect(assistant.locator(".tool-call-name")).to_have_text("get_weather")
    expect(assistant.locator(".tool-call .jv-str")).to_contain_text("Paris")
    tool = inputs.locator(".msg.tool")
    expect(tool.locator(".msg-role")).to_have_text("Tool")
    expect(tool.locator(".msg-name")).to_have_text("get_weather")
    expect(tool.locator(".tool-result")).to_contain_text("18°C, light rain")
    # OpenAI completion output.
    expect(page.locator(".rd-outputs .msg.assistant h2")).to_have_text("Paris")
    assert parse_qs(urlsplit(page.url).query)["run"] == [llm2["id"]]
    shot(page, "trace-llm-chat")

    # LangChain serialized messages (nested list) and an LLMResult with an AIMessage tool call.
    row(page, llm1["id"]).click()
    expect(page.locator(".rd-inputs .msg.system")).to_contain_text("You are a helpful travel assistant.")
    expect(page.locator(".rd-inputs .msg.user")).to_contain_text("What's the capital of France?")
    expect(page.locator(".rd-outputs .msg.assistant .tool-call-name")).to_have_text("get_weather")
    shot(page, "trace-llm-langchain")

    # Token breakdown incl. details.
    row(page, llm2["id"]).click()
    page.locator(".rd-tab[data-tab=usage]").click()
    usage = page.locator(".rd-usage")
    expect(usage).to_contain_text("Prompt · cache_read")
    expect(usage.locator("tr", has_text="cache_read")).to_contain_text("128")
    expect(usage.locator("tr.total").first).to_contain_text("360")
    expect(usage).to_contain_text("$0.000108")
    assert parse_qs(urlsplit(page.url).query)["tab"] == ["usage"]
    shot(page, "trace-usage")

    # Back button: previous selection (llm1), then the root.
    page.go_back()
    expect(page.locator(".rd-title h2")).to_have_text("ChatOpenAI")
    expect(row(page, llm1["id"])).to_have_class(has_class("selected"))
    page.go_back()
    expect(row(page, llm2["id"])).to_have_class(has_class("selected"))
    page.go_back()
    expect(page.locator(".rd-title h2")).to_have_text("ChatAgent")
    assert "run" not in parse_qs(urlsplit(page.url).query)


def test_root_output_renders_markdown(page: Page, seeded, ids):
    open_trace(page, ids["demo"], seeded["first_root"])
    answer = page.locator(".rd-outputs .msg.assistant .md")
    expect(answer.locator("h2")).to_have_text("Paris")
    expect(answer.locator("strong")).to_have_text("capital of France")
    expect(answer.locator("em")).to_have_text("the Seine")
    expect(answer.locator("ul > li")).to_have_count(2)
    expect(answer.locator("pre code")).to_have_text('print("Bonjour")')
    link = answer.locator("a", has_text="Wikipedia")
    expect(link).to_have_attribute("href", "https://en.wikipedia.org/wiki/Paris")
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")
    # Nothing was injected as HTML: the raw markdown markers are gone, no script elements.
    assert "**" not in answer.inner_text()
    shot(page, "trace-markdown")


def test_markdown_renderer_is_safe_and_complete(page: Page, ids, seeded):
    """The renderer on its own (the module the thread page imports too)."""
    open_trace(page, ids["demo"], seeded["first_root"])
    out = page.evaluate("""async () => {
      const { markdown } = await import('/ui/components/markdown.js');
      const { renderValue, chatView } = await import('/ui/components/chat-view.js');
      const el = markdown('# T\\n\\n> quoted **b**\\n\\n1. one\\n2. two\\n   - nested\\n\\n[x](javascript:alert(1)) <img src=x onerror=alert(1)> `a<b>`\\n\\n| a | b |\\n|---|---|\\n| 1 | 2 |');
      const anthropic = chatView({messages: [{role: 'user', content: [{type: 'text', text: 'hi'}]},
        {role: 'assistant', content: [{type: 'text', text: 'let me check'}, {type: 'tool_use', id: 't1', name: 'lookup', input: {q: 1}}]},
        {role: 'user', content: [{type: 'tool_result', tool_use_id: 't1', content: 'found'}]}]});
      const dicts = chatView([{type: 'human', content: 'a'}, {type: 'ai', content: 'b'}]);
      const long = renderValue({output: 'x'.repeat(30000)});
      return {
        h1: el.querySelector('h1')?.textContent, quote: el.querySelector('blockquote strong')?.textContent,
        ol: el.querySelectorAll('ol > li').length, nested: el.querySelector('ol li ul li')?.textContent,
        links: [...el.querySelectorAll('a')].map(a => a.getAttribute('href')), imgs: el.querySelectorAll('img').length,
        code: el.querySelector('p code')?.textContent, td: el.querySelectorAll('table td').length,
        anthropic: anthropic && [...anthropic.querySelectorAll('.msg')].map(m => m.className),
        toolUse: anthropic?.querySelector('.tool-call-name')?.textContent,
        toolResult: anthropic?.querySelector('.tool-result-block')?.textContent,
        dicts: dicts && [...dicts.querySelectorAll('.msg-role')].map(r => r.textContent),
        notChat: chatView({a: 1}) === null,
        longShown: long.textContent.length < 25000, longMore: !!long.querySelector('.show-more'),
      };
    }""")
    assert out["h1"] == "T" and out["quote"] == "b"
    assert out["ol"] == 2 and out["nested"] == "nested"
    assert out["links"] == [] and out["imgs"] == 0
    assert out["code"] == "a<b>" and out["td"] == 2
    assert out["anthropic"] == ["msg user", "msg assistant", "msg user"]
    assert out["toolUse"] == "lookup" and "found" in out["toolResult"] and "lookup" in out["toolResult"]
    assert out["dicts"] == ["User", "Assistant"] and out["notChat"]
    assert out["longShown"] and out["longMore"]


def test_json_viewer_collapses_expands_and_copies(page: Page, ids, ui_api: Api):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=page.base_url)
    root = ids["plain_root"]
    outputs = ui_api.get(f"/runs/{root}").json()["outputs"]
    open_trace(page, ids["demo"], root)
    view = page.locator(".rd-outputs .json-view")
    expect(view).to_be_visible()
    top = view.locator(".jv-body > .jv-node")
    entities = top.locator(":scope > .jv-children > .jv-node").first
    expect(entities.locator(":scope > .jv-head .jv-key")).to_have_text('"entities"')
    items = entities.locator(":scope > .jv-children > .jv-node")
    expect(items).to_have_count(3)
    # Depth 2 starts collapsed: the first entity shows a summary, not its keys.
    first = items.first
    expect(first).to_have_class(has_class("collapsed"))
    expect(first.locator(":scope > .jv-head .jv-summary")).to_have_text("2 keys")
    first.locator(":scope > .jv-head .jv-index").click()
    expect(first).not_to_have_class(has_class("collapsed"))
    expect(first.locator(".jv-str").first).to_have_text('"Marie Curie"')
    # Collapse the array: its items disappear.
    entities.locator(":scope > .jv-head .jv-key").click()
    expect(items.first).to_be_hidden()
    shot(page, "trace-json-collapsed")
    entities.locator(":scope > .jv-head .jv-toggle").click()
    expect(items.first).to_be_visible()
    shot(page, "trace-json")

    # Copy a sub-tree (the first entity) …
    first.locator(":scope > .jv-head").hover()
    first.locator(":scope > .jv-head > .jv-copy").click()
    expect(first.locator(":scope > .jv-head > .jv-copy")).to_have_text("Copied")
    assert json.loads(clipboard(page)) == outputs["entities"][0]
    # … and the whole value.
    page.locator(".rd-outputs .rd-copy").click()
    assert json.loads(clipboard(page)) == outputs
    # The JSON switch renders any value with the viewer (here the inputs).
    page.locator(".rd-inputs .seg button", has_text="JSON").click()
    expect(page.locator(".rd-inputs .json-view .jv-key")).to_have_text('"text"')


def test_error_trace_highlights_failed_runs_and_shows_stack(page: Page, ids, ui_api: Api):
    root = ids["error_root"]
    runs = _trace(ui_api, root)
    failed = [r["id"] for r in runs if r["error"]]
    assert len(failed) == 2
    open_trace(page, ids["demo"], root)
    expect(page.locator(f"{ROWS}.err")).to_have_count(2)
    for rid in failed:
        expect(row(page, rid)).to_have_class(has_class("err"))
        expect(row(page, rid).locator(".tv-bar.err")).to_be_visible()
        expect(row(page, rid).locator(".tv-err-badge")).to_be_visible()
    color = row(page, root).locator(".tv-name").evaluate("e => getComputedStyle(e).color")
    bar = row(page, root).locator(".tv-bar").evaluate("e => getComputedStyle(e).backgroundColor")
    assert color == bar and color.startswith("rgb(198, 47, 47")  # --err
    stack = page.locator(".rd-error .error-stack")
    expect(stack).to_contain_text("ValueError: the weather API timed out")
    expect(stack).to_contain_text('File "agent.py", line 42, in run')
    assert "mono" in stack.evaluate("e => getComputedStyle(e).fontFamily").lower()
    assert stack.evaluate("e => getComputedStyle(e).whiteSpace") == "pre-wrap"
    expect(page.locator(".rd-status")).to_have_text("error")
    shot(page, "trace-error")
    # "N errors ›" jumps to the next failed run.
    page.locator(".tv-next-error").click()
    expect(page.locator(".rd-title h2")).to_have_text("get_weather")
    expect(page.locator(".rd-error .error-stack")).to_contain_text("TimeoutError: upstream took longer than 10s")
    shot(page, "trace-error-tool")


def test_attachment_image_and_feedback(page: Page, seeded, ids):
    open_trace(page, ids["demo"], seeded["first_root"])
    img = page.locator(".rd-attachments .attachment img")
    expect(img).to_have_count(1)
    img.scroll_into_view_if_needed()
    # (no wait_for_function: the UI's CSP forbids the eval it relies on)
    deadline = time.time() + 10
    while not img.evaluate("i => i.complete && i.naturalWidth > 0"):
        assert time.time() < deadline, "the attachment image did not load"
        time.sleep(0.05)
    assert img.evaluate("i => i.naturalWidth") == 4  # the seeded 4×4 PNG
    expect(page.locator(".rd-attachments figcaption")).to_contain_text("photo")
    shot(page, "trace-attachment")

    tab = page.locator(".rd-tab[data-tab=feedback]")
    expect(tab.locator(".rd-count")).to_have_text("1")
    tab.click()
    fb = page.locator(".rd-feedback")
    expect(fb.locator(".fb-key")).to_have_text("correctness")
    expect(fb).to_contain_text("checked by hand")
    assert parse_qs(urlsplit(page.url).query)["tab"] == ["feedback"]
    shot(page, "trace-feedback")
    # Metadata tab: metadata, tags.
    page.locator(".rd-tab[data-tab=metadata]").click()
    expect(page.locator(".rd-meta")).to_contain_text("alice")
    expect(page.locator(".rd-tags .tag")).to_have_text(["agent", "production"])


def test_share_link_opens_without_key_and_unshare_revokes(page: Page, anon_page: Page, seeded, ids):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=page.base_url)
    root = seeded["first_root"]
    open_trace(page, ids["demo"], root)
    page.locator(".share-btn").click()
    page.locator(".share-create").click()
    url_input = page.locator(".share-url")
    expect(url_input).to_have_value(public_url(page.base_url))
    url = url_input.input_value()
    page.locator(".share-copy").click()
    assert clipboard(page) == url
    expect(page.locator(".share-btn")).to_have_text("Shared")
    shot(page, "trace-share")

    anon_page.goto(url)
    anon_page.wait_for_selector(ROWS)
    expect(anon_page.locator(ROWS)).to_have_count(5)
    expect(anon_page.locator(".shared-title")).to_have_text("ChatAgent")
    expect(anon_page.locator(".sidebar")).to_have_count(0)        # no shell
    assert anon_page.evaluate("localStorage.getItem('anvil.apiKey')") is None
    expect(anon_page.locator(".rd-outputs .msg.assistant h2")).to_have_text("Paris")
    _, llm2 = llm_runs(ids)
    row(anon_page, llm2["id"]).click()
    expect(anon_page.locator(".rd-inputs .msg.tool .tool-result")).to_contain_text("18°C")
    assert parse_qs(urlsplit(anon_page.url).query)["run"] == [llm2["id"]]
    shot(anon_page, "trace-shared-public")

    token = url.rstrip("/").split("/")[-2]
    page.locator(".share-revoke").click()
    expect(page.locator(".share-create")).to_be_visible()
    expect(page.locator(".share-btn")).to_have_text("Share")
    assert requests.get(f"{page.base_url}/api/v1/public/{token}/trace", timeout=10).status_code == 404
    anon_page.reload()
    expect(anon_page.locator(".shared-missing")).to_contain_text("does not exist")
    shot(anon_page, "trace-shared-revoked")


def test_unknown_trace_and_run_show_clear_messages(page: Page, ids, seeded):
    missing = str(uuid.uuid4())
    page.goto(f"{page.base_url}/projects/p/{ids['demo']}/r/{missing}")
    expect(page.locator(".trace-missing h3")).to_have_text("Trace not found")
    shot(page, "trace-unknown")
    open_trace(page, ids["demo"], seeded["first_root"], run=missing)
    expect(page.locator(".tv-missing")).to_contain_text("Run not in this trace")
    page.locator(".tv-missing button").click()
    expect(page.locator(".rd-title h2")).to_have_text("ChatAgent")


# -- the 10,000-run trace -------------------------------------------------------------------------


def test_big_trace_is_virtualised_and_scrolls_to_the_end(page: Page, seeded, ids):
    big = ids["big"]
    open_trace(page, ids["big_project"], seeded["big_trace"])
    expect(page.locator(".tv-count")).to_contain_text(f"{BIG_TRACE_RUNS:,} runs")
    painted = page.evaluate("performance.getEntriesByName('anvil:tree-painted').length")
    assert painted == 1
    dom_rows = lambda: page.evaluate(f"document.querySelectorAll('{ROWS}').length")  # noqa: E731
    assert dom_rows() < 300
    page.locator(".tv-expand-all").click()
    expect(page.locator(".tv-count")).to_have_text(f"{BIG_TRACE_RUNS:,} runs")
    scroller = page.locator(".tv-scroll")
    height = scroller.evaluate("e => e.scrollHeight")
    assert height >= BIG_TRACE_RUNS * 28
    # Scroll down in steps like a user would; the DOM stays bounded all the way.
    for frac in (0.1, 0.3, 0.5, 0.7, 0.9, 1.0):
        scroller.evaluate(f"e => {{ e.scrollTop = e.scrollHeight * {frac}; }}")
        page.wait_for_timeout(40)
        assert dom_rows() < 300
    last = big[-1]  # dotted order: the last run in the fully expanded tree
    expect(row(page, last["id"])).to_be_visible()
    expect(row(page, last["id"])).to_contain_text(last["name"])
    shot(page, "trace-big-bottom")
    # Select the last run by keyboard (End, Enter): its detail loads.
    scroller.focus()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    expect(page.locator(".rd-title h2")).to_have_text(last["name"])
    # One up is the previous run in dotted order: here a parser run recorded with no inputs.
    prev = big[-2]
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    expect(page.locator(".rd-title h2")).to_have_text(prev["name"])
    if prev["name"].startswith("parse_"):
        expect(page.locator(".rd-inputs .rd-empty")).to_have_text("This run has no inputs.")
    page.locator(".tv-collapse-all").click()
    expect(page.locator(ROWS)).to_have_count(1)
    shot(page, "trace-big-collapsed")


def test_app_path_link_opens_the_trace_at_that_run(page: Page, ids, ui_api: Api):
    """`app_path` of a child run (LangSmith's /o/<tenant>/projects/p/<id>/r/<run>?trace_id=…)."""
    _, llm2 = llm_runs(ids)
    app_path = ui_api.get(f"/runs/{llm2['id']}").json()["app_path"]
    assert app_path.startswith("/o/")
    page.goto(page.base_url + app_path)
    page.wait_for_selector(ROWS)
    expect(page.locator(ROWS)).to_have_count(5)
    expect(row(page, llm2["id"])).to_have_class(has_class("selected"))
    expect(page.locator(".rd-title h2")).to_have_text("ChatOpenAI")
    expect(page.locator(".rd-inputs .msg.tool")).to_be_visible()
    # Without trace_id the trace is found through the run.
    page.goto(f"{page.base_url}/projects/p/{ids['demo']}/r/{llm2['id']}")
    page.wait_for_selector(ROWS)
    expect(page.locator(ROWS)).to_have_count(5)
    expect(row(page, llm2["id"])).to_have_class(has_class("selected"))
