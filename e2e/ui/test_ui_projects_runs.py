"""Browser tests for the sign-in gate, the projects page and a project's Runs tab.

Ground truth comes from the public API of the same server (never from the UI's own code), so a
wrong filter, a lost row or a repeated page fails the test.
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
from wire import Api, new_run

PAGE_SIZE = 50
ROWS = ".runs-table tbody tr"
PROJECT_ROWS = ".projects-table tbody tr"


# -- helpers --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ui_api(ui_server) -> Api:
    return Api(ui_server.url + "/api/v1", API_KEY)


@pytest.fixture(scope="module")
def projects(ui_api: Api, seeded) -> dict[str, dict]:
    """The seeded projects (with stats), once ingestion has caught up."""
    want = {"ui-demo": 7, "ui-monitor": 700, "ui-empty": 0}
    deadline = time.time() + 60
    while True:
        rows = ui_api.get("/sessions", params={"include_stats": "true", "limit": 100}).json()
        by_name = {p["name"]: p for p in rows}
        if all(n in by_name and by_name[n]["run_count"] == c for n, c in want.items()):
            return by_name
        assert time.time() < deadline, f"seed not ingested: { {n: by_name.get(n, {}).get('run_count') for n in want} }"
        time.sleep(0.3)


@pytest.fixture(scope="module")
def error_root(ui_api: Api, projects) -> str:
    """The one errored trace of ui-demo (asked of the API: seed.py's `error_root` names the wrong root)."""
    ids = query_ids(ui_api, {"session": [projects["ui-demo"]["id"]], "is_root": True, "error": True})
    assert len(ids) == 1
    return ids[0]


def query_ids(api: Api, body: dict) -> list[str]:
    """Every run id the API returns for a /runs/query body (following cursors)."""
    body = {"limit": 100, "select": ["id"], **body}
    ids: list[str] = []
    while True:
        r = api.post("/runs/query", json=body)
        assert r.status_code == 200, r.text
        page = r.json()
        ids += [run["id"] for run in page["runs"]]
        nxt = (page.get("cursors") or {}).get("next")
        if not nxt or not page["runs"]:
            return ids
        body["cursor"] = nxt


def row_ids(page: Page) -> list[str]:
    return page.eval_on_selector_all(ROWS, "trs => trs.map(t => t.dataset.runId)")


def project_names(page: Page) -> list[str]:
    return page.eval_on_selector_all(PROJECT_ROWS, "trs => trs.map(t => t.dataset.name)")


def column(page: Page, col: str) -> list[str]:
    return page.eval_on_selector_all(f'{PROJECT_ROWS} td[data-col="{col}"]', "tds => tds.map(t => t.textContent)")


def open_runs(page: Page, project: dict, query: str = "") -> None:
    page.goto(f"{page.base_url}/projects/p/{project['id']}{query}")
    page.wait_for_selector(".runs-tab")
    wait_idle(page)


def poll(page: Page, script: str, arg=None, timeout: float = 15_000, what: str = "condition"):
    """Evaluates `script` (a function expression) until it returns something truthy.

    (Playwright's wait_for_function evaluates strings in the page, which the server's CSP forbids.)
    """
    deadline = time.time() + timeout / 1000
    while True:
        value = page.evaluate(script, arg)
        if value:
            return value
        assert time.time() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def wait_idle(page: Page) -> None:
    """Waits until the runs table is not loading."""
    poll(page, "() => !document.querySelector('.runs-wrap.loading')", what="the runs table to load")


def wait_rows(page: Page, ids: set[str], timeout: float = 15_000) -> None:
    want = sorted(ids)
    poll(page, "want => { const got = [...document.querySelectorAll('.runs-table tbody tr')].map(t => t.dataset.runId);"
         " return got.length === want.length && want.every(id => got.includes(id)); }",
         want, timeout, what=f"rows {want[:3]}… ({len(want)})")


def apply_filter(page: Page, dsl: str) -> None:
    box = page.get_by_label("Filter", exact=True)
    box.fill(dsl)
    box.press("Enter")
    wait_idle(page)


def pct(r: float) -> str:
    return f"{r * 100:.{1 if 0 < r < 0.1 else 0}f}%"


# -- sign-in ----------------------------------------------------------------------------------


def test_sign_in_rejects_wrong_key_then_accepts_right_one(anon_page: Page, projects):
    page = anon_page
    page.goto(page.base_url + "/projects")
    expect(page).to_have_url(re.compile(r"/signin\?next=%2Fprojects$"))
    page.get_by_label("API key").fill("lsv2_sk_wrong_key_000000000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("That API key was not accepted.")).to_be_visible()
    assert "/signin" in page.url
    shot(page, "signin-wrong-key")
    page.get_by_label("API key").fill(API_KEY)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/projects$"))
    expect(page.locator(f'{PROJECT_ROWS}[data-name="ui-demo"]')).to_be_visible()


# -- projects page ----------------------------------------------------------------------------


def test_projects_table_shows_stats(page: Page, projects):
    page.goto(page.base_url + "/projects")
    page.wait_for_selector(PROJECT_ROWS)
    names = project_names(page)
    for n in ("ui-demo", "ui-monitor", "ui-empty"):
        assert n in names
    demo = page.locator(f'{PROJECT_ROWS}[data-name="ui-demo"]')
    expect(demo.locator('td[data-col="run_count"]')).to_have_text("7")
    expect(page.locator(f'{PROJECT_ROWS}[data-name="ui-monitor"] td[data-col="run_count"]')).to_have_text("700")
    expect(page.locator(f'{PROJECT_ROWS}[data-name="ui-empty"] td[data-col="run_count"]')).to_have_text("0")
    expect(page.locator(f'{PROJECT_ROWS}[data-name="ui-empty"] td[data-col="last_run_start_time"]')).to_have_text("never")
    p = projects["ui-demo"]
    expect(demo.locator('td[data-col="error_rate"]')).to_have_text(pct(p["error_rate"]))
    expect(demo.locator('td[data-col="total_tokens"]')).to_have_text(f"{p['total_tokens']:,}")
    assert p["error_rate"] > 0 and p["total_tokens"] > 0
    for col in ("latency_p50", "latency_p99", "total_cost"):
        assert demo.locator(f'td[data-col="{col}"]').text_content() not in ("", "–"), col
    expect(demo.locator('td[data-col="last_run_start_time"]')).to_have_text(re.compile(r"ago|just now"))
    shot(page, "projects")


def test_projects_sort_by_columns(page: Page, projects):
    page.goto(page.base_url + "/projects")
    page.wait_for_selector(PROJECT_ROWS)
    header = page.locator('.projects-table th[data-col="run_count"]')
    header.click()
    counts = [int(t.replace(",", "")) for t in column(page, "run_count")]
    assert counts == sorted(counts, reverse=True) and len(set(counts)) > 1
    assert "sort=run_count" in page.url and "dir=desc" in page.url
    header.click()
    counts = [int(t.replace(",", "")) for t in column(page, "run_count")]
    assert counts == sorted(counts)
    page.locator('.projects-table th[data-col="name"]').click()
    names = project_names(page)
    assert names == sorted(names, key=str.lower)
    page.locator('.projects-table th[data-col="name"]').click()
    assert project_names(page) == sorted(names, key=str.lower, reverse=True)
    # The sort survives a reload (URL state).
    page.reload()
    page.wait_for_selector(PROJECT_ROWS)
    assert project_names(page) == sorted(names, key=str.lower, reverse=True)


def test_projects_search_is_server_side_and_in_the_url(page: Page, projects):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/api/v1/sessions" in r.url else None)
    page.goto(page.base_url + "/projects")
    page.wait_for_selector(PROJECT_ROWS)
    page.get_by_label("Search projects").fill("monit")
    poll(page, "() => document.querySelectorAll('.projects-table tbody tr').length === 1", what="one project row")
    assert project_names(page) == ["ui-monitor"]
    assert any("name_contains=monit" in u for u in requests)
    expect(page).to_have_url(re.compile(r"[?&]q=monit"))
    page.reload()
    page.wait_for_selector(PROJECT_ROWS)
    expect(page.get_by_label("Search projects")).to_have_value("monit")
    assert project_names(page) == ["ui-monitor"]
    page.get_by_label("Search projects").fill("no-such-project-xyz")
    expect(page.get_by_text("No projects match")).to_be_visible()
    page.get_by_role("button", name="Clear search").click()
    page.wait_for_selector(f'{PROJECT_ROWS}[data-name="ui-demo"]')


def test_create_and_delete_project(page: Page, ui_api: Api, ui_server, projects):
    name = f"ui-created-{uuid.uuid4().hex[:8]}"
    page.goto(page.base_url + "/projects")
    page.wait_for_selector(PROJECT_ROWS)
    page.get_by_role("button", name="+ New project").click()
    page.get_by_label("Project name").fill(name)
    page.get_by_label("Description").fill("made by the UI test")
    shot(page, "projects-create-dialog")
    page.get_by_role("button", name="Create").click()
    expect(page).to_have_url(re.compile(r"/projects/p/[0-9a-f-]{36}$"))
    created = ui_api.get("/sessions", params={"name": name}).json()
    assert len(created) == 1 and created[0]["description"] == "made by the UI test"
    assert page.url.endswith(created[0]["id"])
    # A new project shows how to send its first trace.
    expect(page.locator(".runs-empty")).to_contain_text(f"LANGSMITH_PROJECT={name}")

    # Creating it again is refused with a clear message.
    page.goto(page.base_url + "/projects")
    page.wait_for_selector(f'{PROJECT_ROWS}[data-name="{name}"]')
    page.get_by_role("button", name="+ New project").click()
    page.get_by_label("Project name").fill(name)
    page.get_by_role("button", name="Create").click()
    expect(page.locator("dialog[open]")).to_contain_text("already exists")
    page.locator("dialog[open]").get_by_role("button", name="Cancel").click()

    row = page.locator(f'{PROJECT_ROWS}[data-name="{name}"]')
    row.hover()
    row.get_by_role("button", name=f"Delete project {name}").click()
    expect(page.locator("dialog[open]")).to_contain_text(name)
    shot(page, "projects-delete-dialog")
    page.locator("dialog[open]").get_by_role("button", name="Delete project").click()
    expect(row).to_have_count(0)
    assert ui_api.get("/sessions", params={"name": name}).json() == []
    page.reload()
    page.wait_for_selector(PROJECT_ROWS)
    assert name not in project_names(page)


def test_row_enter_opens_project(page: Page, projects):
    page.goto(page.base_url + "/projects")
    page.wait_for_selector(PROJECT_ROWS)
    page.locator(f'{PROJECT_ROWS}[data-name="ui-monitor"]').focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"/projects/p/{projects['ui-monitor']['id']}$"))
    expect(page.locator(".crumbs .here")).to_have_text("ui-monitor")


def test_new_user_without_projects_sees_first_trace_guide(page: Page, ui_server, projects):
    # A brand-new workspace: the project list is empty (answered by a stub, the server has data).
    page.route(re.compile(r".*/api/v1/sessions\?.*"), lambda route: route.fulfill(json=[]))
    page.goto(page.base_url + "/projects")
    guide = page.locator(".onboarding")
    expect(guide).to_contain_text("Send your first trace")
    text = guide.text_content()
    assert f"LANGSMITH_ENDPOINT={ui_server.url}/api/v1" in text
    assert "LANGSMITH_API_KEY=<your key>" in text and "LANGSMITH_TRACING=true" in text
    assert "LANGSMITH_PROJECT=default" in text and "@traceable" in text
    assert page.locator(PROJECT_ROWS).count() == 0
    shot(page, "projects-new-user")


def test_empty_project_shows_first_trace_instructions(page: Page, ui_server, projects):
    open_runs(page, projects["ui-empty"])
    empty = page.locator(".runs-empty")
    expect(empty).to_contain_text("No runs yet")
    text = empty.text_content()
    assert f"LANGSMITH_ENDPOINT={ui_server.url}/api/v1" in text
    assert "LANGSMITH_API_KEY=<your key>" in text
    assert "LANGSMITH_TRACING=true" in text
    assert "LANGSMITH_PROJECT=ui-empty" in text
    assert "@traceable" in text and "from langsmith import traceable" in text
    assert page.locator(ROWS).count() == 0
    shot(page, "project-empty")


# -- runs tab ---------------------------------------------------------------------------------


def test_runs_tab_lists_root_runs(page: Page, projects, seeded, error_root):
    open_runs(page, projects["ui-demo"])
    wait_rows(page, set(seeded["root_ids"]))
    assert len(row_ids(page)) == 7
    err = page.locator(f'{ROWS}[data-run-id="{error_root}"]')
    expect(err.locator(".run-error")).to_contain_text("ValueError: the weather API timed out")
    expect(page.locator(f'{ROWS} .rt.chain')).to_have_count(7)
    # Previews come from the server (no payload download); feedback shows key: avg.
    first = page.locator(f'{ROWS}[data-run-id="{seeded["first_root"]}"]')
    expect(first).to_contain_text("What's the capital of France?")
    expect(first.locator(".pill.fb")).to_contain_text("correctness: 0.00")
    expect(page.locator(".crumbs")).to_contain_text("ui-demo")
    shot(page, "project-runs")


def test_project_routes_tabs_and_unknown_project(page: Page, projects, seeded):
    demo = projects["ui-demo"]
    # LangSmith-style app path (`app_path` of runs) shows the same page.
    page.goto(f"{page.base_url}/o/{demo['tenant_id']}/projects/p/{demo['id']}")
    page.wait_for_selector(ROWS)
    wait_rows(page, set(seeded["root_ids"]))
    expect(page.locator(".tabs a.on")).to_have_text("Runs")
    page.locator('.tabs a[data-tab="threads"]').click()
    expect(page).to_have_url(re.compile(rf"/projects/p/{demo['id']}/threads$"))
    expect(page.locator(".tabs a.on")).to_have_text("Threads")
    assert page.locator(".runs-tab").count() == 0
    page.locator('.tabs a[data-tab="runs"]').click()
    expect(page).to_have_url(re.compile(rf"/projects/p/{demo['id']}$"))
    page.wait_for_selector(ROWS)
    page.goto(f"{page.base_url}/projects/p/{uuid.uuid4()}")
    expect(page.get_by_text("Project not found")).to_be_visible()


def test_view_toggle_changes_rows(page: Page, ui_api: Api, projects, seeded):
    demo = projects["ui-demo"]
    open_runs(page, demo)
    wait_rows(page, set(seeded["root_ids"]))
    page.get_by_role("button", name="All runs").click()
    all_ids = query_ids(ui_api, {"session": [demo["id"]]})
    assert len(all_ids) > 7
    wait_rows(page, set(all_ids[:PAGE_SIZE]))
    assert row_ids(page) == all_ids[:PAGE_SIZE]  # newest first, same order as the API
    expect(page).to_have_url(re.compile(r"[?&]view=all"))
    page.get_by_role("button", name="LLM calls").click()
    llm_ids = query_ids(ui_api, {"session": [demo["id"]], "run_type": "llm"})
    assert len(llm_ids) == 12
    wait_rows(page, set(llm_ids))
    types = page.eval_on_selector_all(ROWS, "trs => trs.map(t => t.dataset.runType)")
    assert set(types) == {"llm"}
    shot(page, "project-runs-llm")
    page.get_by_role("button", name="Root runs").click()
    wait_rows(page, set(seeded["root_ids"]))


def test_builder_writes_dsl_and_filters(page: Page, ui_api: Api, projects):
    demo = projects["ui-demo"]
    open_runs(page, demo, "?view=all")
    page.get_by_role("button", name="Filter builder").click()
    builder = page.get_by_role("group", name="Filter builder")
    rows = builder.locator(".fb-row")
    expect(rows).to_have_count(1)
    rows.nth(0).get_by_label("Field").select_option(label="Run type")
    rows.nth(0).get_by_label("Value").select_option("llm")
    builder.get_by_role("button", name="Apply").click()
    expect(page.get_by_label("Filter", exact=True)).to_have_value('eq(run_type, "llm")')
    want = query_ids(ui_api, {"session": [demo["id"]], "run_type": "llm"})
    assert len(want) == 12
    wait_rows(page, set(want))
    assert set(page.eval_on_selector_all(ROWS, "trs => trs.map(t => t.dataset.runType)")) == {"llm"}

    # Change it to chains with a tag.
    page.get_by_role("button", name="Filter builder").click()
    expect(rows).to_have_count(1)
    expect(rows.nth(0).get_by_label("Value")).to_have_value("llm")
    rows.nth(0).get_by_label("Value").select_option("chain")
    builder.get_by_role("button", name="+ Add condition").click()
    rows.nth(1).get_by_label("Field").select_option(label="Tag")
    rows.nth(1).get_by_label("Value").fill("agent")
    shot(page, "runs-filter-builder")
    builder.get_by_role("button", name="Apply").click()
    dsl = 'and(eq(run_type, "chain"), has(tags, "agent"))'
    expect(page.get_by_label("Filter", exact=True)).to_have_value(dsl)
    want = query_ids(ui_api, {"session": [demo["id"]], "filter": dsl})
    assert len(want) == 6
    wait_rows(page, set(want))
    assert parse_qs(urlsplit(page.url).query)["filter"] == [dsl]

    # Reopening the builder reads the DSL back; replace it with a metadata condition.
    page.get_by_role("button", name="Filter builder").click()
    expect(rows).to_have_count(2)
    expect(rows.nth(0).get_by_label("Field")).to_have_value("run_type")
    expect(rows.nth(1).get_by_label("Value")).to_have_value("agent")
    builder.get_by_role("button", name="Remove all").click()
    builder.get_by_role("button", name="+ Add condition").click()
    rows.nth(0).get_by_label("Field").select_option(label="Metadata")
    rows.nth(0).get_by_label("Key").fill("user_id")
    rows.nth(0).get_by_label("Value").fill('bob "the builder"')
    builder.get_by_role("button", name="Apply").click()
    dsl = 'and(eq(metadata_key, "user_id"), eq(metadata_value, "bob \\"the builder\\""))'
    expect(page.get_by_label("Filter", exact=True)).to_have_value(dsl)
    wait_idle(page)
    expect(page.locator(".runs-empty")).to_contain_text("No runs match this filter")
    assert query_ids(ui_api, {"session": [demo["id"]], "filter": dsl}) == []

    # Fix the value by hand in the bar: exactly the one run with that metadata.
    dsl = 'and(eq(metadata_key, "user_id"), eq(metadata_value, "bob"))'
    apply_filter(page, dsl)
    want = query_ids(ui_api, {"session": [demo["id"]], "filter": dsl})
    assert len(want) == 1
    wait_rows(page, set(want))

    # The builder's other kinds produce DSL the server accepts and agrees with.
    page.get_by_role("button", name="Filter builder").click()
    builder.get_by_role("button", name="Remove all").click()
    for label in ("Latency", "Feedback", "Start time"):
        builder.get_by_role("button", name="+ Add condition").click()
        rows.last.get_by_label("Field").select_option(label=label)
    rows.nth(0).get_by_label("Operator").select_option("gt")
    rows.nth(0).get_by_label("Value").fill("2")
    rows.nth(1).get_by_label("Key").fill("correctness")
    rows.nth(1).get_by_label("Score operator").select_option("gte")
    rows.nth(1).get_by_label("Score", exact=True).fill("0.5")
    rows.nth(2).get_by_role("button", name="30d").click()
    builder.get_by_role("button", name="Apply").click()
    box = page.get_by_label("Filter", exact=True)
    expect(box).to_have_value(re.compile(
        r'^and\(gt\(latency, "2s"\), and\(eq\(feedback_key, "correctness"\), gte\(feedback_score, 0\.5\)\), '
        r'gte\(start_time, "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"\)\)$'))
    dsl = box.input_value()
    since = dt.datetime.fromisoformat(re.search(r'start_time, "([^"]+)"', dsl).group(1).replace("Z", "+00:00"))
    assert abs((dt.datetime.now(dt.timezone.utc) - since) - dt.timedelta(days=30)) < dt.timedelta(minutes=5)
    want = query_ids(ui_api, {"session": [demo["id"]], "filter": dsl})
    assert 0 < len(want) < 7
    wait_rows(page, set(want))


def test_typed_dsl_shows_exactly_the_errored_runs(page: Page, ui_api: Api, projects, error_root):
    demo = projects["ui-demo"]
    open_runs(page, demo)
    page.keyboard.press("/")
    expect(page.get_by_label("Filter", exact=True)).to_be_focused()
    apply_filter(page, 'eq(status, "error")')
    wait_rows(page, {error_root})
    shot(page, "runs-filter-errors")
    # Across all runs: the root and the tool that failed, matching the API exactly.
    page.get_by_role("button", name="All runs").click()
    want = query_ids(ui_api, {"session": [demo["id"]], "filter": 'eq(status, "error")'})
    assert len(want) == 2
    wait_rows(page, set(want))
    statuses = page.eval_on_selector_all(ROWS, "trs => trs.map(t => t.dataset.status)")
    assert statuses == ["error", "error"]


def test_invalid_dsl_shows_the_server_error(page: Page, ui_api: Api, projects):
    demo = projects["ui-demo"]
    bad = 'and(eq(run_type, "llm"), gt(latency'
    r = ui_api.post("/runs/query", json={"session": [demo["id"]], "filter": bad, "limit": 1})
    assert r.status_code == 400
    detail = r.json()["detail"]
    open_runs(page, demo)
    apply_filter(page, bad)
    err = page.locator(".filter-error")
    expect(err).to_be_visible()
    expect(err).to_have_text(detail)
    assert page.locator(ROWS).count() == 0 or not page.locator(".runs-wrap").is_visible()
    shot(page, "runs-filter-invalid")
    # Fixing the filter clears the message.
    apply_filter(page, 'eq(run_type, "chain")')
    expect(err).to_be_hidden()
    expect(page.locator(ROWS)).to_have_count(7)


def test_cursor_pagination_never_repeats_a_row(page: Page, ui_api: Api, projects):
    mon = projects["ui-monitor"]
    truth = query_ids(ui_api, {"session": [mon["id"]], "is_root": True})
    assert len(truth) == 700
    requests: list[dict] = []
    page.on("request", lambda r: requests.append(r.post_data_json) if r.url.endswith("/runs/query") and r.method == "POST" else None)
    open_runs(page, mon)
    pages: list[list[str]] = []
    cursors_in_url: list[str] = []
    while True:
        ids = row_ids(page)
        assert len(ids) == PAGE_SIZE or not page.get_by_role("button", name="Next page").is_enabled()
        pages.append(ids)
        if not page.get_by_role("button", name="Next page").is_enabled():
            break
        before = ids[0]
        page.get_by_role("button", name="Next page").click()
        poll(page, "first => document.querySelector('.runs-table tbody tr')?.dataset.runId !== first", before, what="the next page")
        wait_idle(page)
        cursors_in_url.append(parse_qs(urlsplit(page.url).query)["cursor"][0])
        if len(pages) == 3:
            shot(page, "runs-page-3")
    seen = [i for p in pages for i in p]
    assert len(pages) == 14
    assert len(seen) == len(set(seen)) == 700
    assert seen == truth  # same rows, same order as the API's cursor walk
    # Never offsets, never counts: only opaque cursors.
    assert all("offset" not in (b or {}) for b in requests)
    assert len(set(cursors_in_url)) == len(cursors_in_url)

    # Previous walks back page by page.
    for n in (12, 11):
        page.get_by_role("button", name="Previous page").click()
        wait_rows(page, set(pages[n]))
        assert row_ids(page) == pages[n]
    # The browser's back button too (each page is a history entry).
    page.go_back()
    wait_rows(page, set(pages[12]))
    # A reload restores the page from the cursor in the URL, and Previous still works.
    page.reload()
    page.wait_for_selector(ROWS)
    wait_rows(page, set(pages[12]))
    page.get_by_role("button", name="Previous page").click()
    wait_rows(page, set(pages[11]))
    page.get_by_role("button", name="Newest runs").click()
    wait_rows(page, set(pages[0]))
    assert "cursor" not in page.url


def test_url_restores_filter_and_view(page: Page, ui_api: Api, projects):
    demo = projects["ui-demo"]
    open_runs(page, demo)
    apply_filter(page, 'has(tags, "batch")')
    page.get_by_role("button", name="All runs").click()
    wait_idle(page)
    want = query_ids(ui_api, {"session": [demo["id"]], "filter": 'has(tags, "batch")'})
    assert len(want) == 1
    wait_rows(page, set(want))
    url = page.url
    page.reload()
    page.wait_for_selector(".runs-tab")
    expect(page.get_by_label("Filter", exact=True)).to_have_value('has(tags, "batch")')
    expect(page.get_by_role("button", name="All runs")).to_have_attribute("aria-pressed", "true")
    wait_rows(page, set(want))
    # A fresh tab from the link shows the same view.
    other = page.context.new_page()
    other.goto(url)
    other.wait_for_selector(ROWS)
    assert row_ids(other) == want
    other.close()
    # Back undoes the view change, then the filter.
    page.go_back()
    expect(page.get_by_role("button", name="Root runs")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_label("Filter", exact=True)).to_have_value('has(tags, "batch")')
    page.go_back()
    expect(page.get_by_label("Filter", exact=True)).to_have_value("")
    expect(page.locator(ROWS)).to_have_count(7)


def test_keyboard_moves_and_opens_a_run(page: Page, projects, seeded):
    demo = projects["ui-demo"]
    open_runs(page, demo)
    wait_rows(page, set(seeded["root_ids"]))
    ids = row_ids(page)
    page.locator("body").press("j")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    selected = page.locator(f"{ROWS}.selected")
    expect(selected).to_have_count(1)
    expect(selected).to_have_attribute("data-run-id", ids[1])
    page.keyboard.press("ArrowDown")
    expect(selected).to_have_attribute("data-run-id", ids[2])
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/projects/p/{demo['id']}/r/{ids[2]}\?trace_id={ids[2]}$"))


def test_row_click_opens_the_trace_route(page: Page, projects, seeded):
    demo = projects["ui-demo"]
    open_runs(page, demo, "?view=all")
    row = page.locator(f'{ROWS}[data-run-type="tool"]').first
    run_id = row.get_attribute("data-run-id")
    row.locator(".run-error, .preview").first.click()
    expect(page).to_have_url(re.compile(rf"/projects/p/{demo['id']}/r/{run_id}\?trace_id=[0-9a-f-]{{36}}$"))
    trace_id = parse_qs(urlsplit(page.url).query)["trace_id"][0]
    assert trace_id in seeded["root_ids"]


def test_live_refresh_shows_new_runs_without_reload(page: Page, ui_api: Api):
    name = f"ui-live-{uuid.uuid4().hex[:8]}"
    t0 = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    first = new_run("first", project=name, start=t0, latency=0.5)
    ui_api.ingest([first])
    deadline = time.time() + 30
    while not (pid := [p["id"] for p in ui_api.get("/sessions", params={"name": name}).json()]) or not query_ids(ui_api, {"session": pid}):
        assert time.time() < deadline
        time.sleep(0.2)
    project = {"id": pid[0]}
    open_runs(page, project)
    wait_rows(page, {first["id"]})
    page.evaluate("window.__noReload = true")
    second = new_run("second", project=name, latency=0.3, tags=["late"])
    ui_api.ingest([second])
    wait_rows(page, {first["id"], second["id"]}, timeout=15_000)
    assert row_ids(page) == [second["id"], first["id"]]
    assert page.evaluate("window.__noReload") is True
    expect(page.locator(f'{ROWS}[data-run-id="{second["id"]}"]')).to_have_class(re.compile(r"\bfresh\b"))
    shot(page, "runs-live")

    # With live refresh off, new runs wait for a manual refresh.
    page.get_by_label("Live refresh").uncheck()
    third = new_run("third", project=name, latency=0.1)
    ui_api.ingest([third])
    deadline = time.time() + 30
    while third["id"] not in query_ids(ui_api, {"session": [project["id"]]}):
        assert time.time() < deadline
        time.sleep(0.2)
    page.wait_for_timeout(6_500)
    assert row_ids(page) == [second["id"], first["id"]]
    page.get_by_label("Live refresh").check()
    wait_rows(page, {first["id"], second["id"], third["id"]}, timeout=10_000)
    assert page.evaluate("window.__noReload") is True
