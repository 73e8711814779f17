"""Threads tab, thread transcript and monitor charts (web UI issue 3), in headless Chromium.

Data: seed.py — `ui-demo` has threads thread-paris (3 turns), thread-tokyo (2, one errored) and
thread-rome (1), started in that order; `ui-monitor` has 700 traces over the last 7 days;
`ui-empty` has none. Screenshots land in test-artifacts/ui/.
"""
from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from playwright.sync_api import expect

from conftest import API_KEY, shot
from wire import Api, new_run, wait_for

CHARTS = ["traces", "error_rate", "latency", "tokens", "cost", "feedback"]


@pytest.fixture(scope="module")
def api(ui_server) -> Api:
    return Api(ui_server.url + "/api/v1", API_KEY)


def pid(api: Api, name: str) -> str:
    return api.project_id(name)


def go(page, path: str) -> None:
    page.goto(page.base_url + path)


def wait_monitor(page, range_key: str) -> None:
    """The monitor tab finished loading the given range."""
    page.wait_for_selector(f'.monitor[data-range="{range_key}"][data-traces]:not([aria-busy])')


def chart(page, name: str):
    return page.locator(f'.chart[data-chart="{name}"]')


def series_values(page, name: str, key: str) -> list[float | None]:
    raw = chart(page, name).locator(f'[data-series="{key}"]').get_attribute("data-values")
    return [float(v) if v else None for v in raw.split(",")]


def parse_iso(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


# ---- threads tab ----


def test_threads_tab_lists_threads_newest_first(page, api, seeded):
    project = pid(api, "ui-demo")
    go(page, f"/projects/p/{project}/threads")
    rows = page.locator(".threads-table tbody tr")
    expect(rows).to_have_count(3)
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.threadId)") == ["thread-rome", "thread-tokyo", "thread-paris"]
    assert page.locator(".threads-table td.turns").all_inner_texts() == ["1", "2", "3"]
    assert page.locator(".threads-table td.errors").all_inner_texts() == ["0", "1", "0"]
    expect(rows.nth(2)).to_contain_text("What's the capital of France?")
    expect(rows.nth(2)).to_contain_text("Answer 2: it depends on the season.")
    expect(page.locator(".tabs a.on")).to_have_text("Threads")
    shot(page, "threads-list")

    # Search narrows the list and lives in the URL.
    page.fill(".threads-search", "TOK")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-thread-id", "thread-tokyo")
    expect(page).to_have_url(re.compile(r"[?&]q=TOK\b"))
    shot(page, "threads-search")
    page.reload()
    expect(page.locator(".threads-search")).to_have_value("TOK")
    expect(rows).to_have_count(1)

    page.fill(".threads-search", "no-such-thread")
    expect(page.locator(".threads-empty")).to_contain_text("No threads match")
    expect(rows).to_have_count(0)

    # Clear (Escape), then keyboard: j j Enter opens the second thread.
    page.locator(".threads-search").press("Escape")
    expect(rows).to_have_count(3)
    expect(page).not_to_have_url(re.compile(r"[?&]q="))
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/projects/p/{project}/t/thread-tokyo$"))
    expect(page.locator(".turn")).to_have_count(2)


def test_thread_transcript_shows_turns_as_chat(page, api, seeded):
    project = pid(api, "ui-demo")
    go(page, f"/projects/p/{project}/threads")
    page.locator('.threads-table tr[data-thread-id="thread-paris"] a').click()
    expect(page).to_have_url(re.compile(rf"/projects/p/{project}/t/thread-paris$"))
    turns = page.locator(".turn")
    expect(turns).to_have_count(3)
    expect(page.locator(".crumbs")).to_contain_text("Projects")
    expect(page.locator(".crumbs")).to_contain_text("ui-demo")
    expect(page.locator(".crumbs")).to_contain_text("Threads")
    expect(page.locator(".crumbs .here")).to_have_text("thread-paris")

    questions = ["What's the capital of France?", "What's the weather there?", "Thanks! Any museums?"]
    answers = ["capital of France", "Answer 1: it depends on the season.", "Answer 2: it depends on the season."]
    roots = seeded["root_ids"][:3]  # seed order: the three thread-paris turns first
    for i in range(3):
        turn = turns.nth(i)
        expect(turn).to_have_attribute("data-turn", str(i + 1))
        expect(turn).to_have_attribute("data-run-id", roots[i])
        user = turn.locator(".turn-user .msg.user")
        assistant = turn.locator(".turn-assistant .msg.assistant")
        expect(user).to_have_count(1)  # only the new message: no system prompt, no history
        expect(user.locator(".msg-role")).to_have_text(re.compile("user", re.I))
        expect(user).to_contain_text(questions[i])
        expect(assistant.locator(".msg-role")).to_have_text(re.compile("assistant", re.I))
        expect(assistant).to_contain_text(answers[i])
        link = turn.locator("a.turn-trace")
        expect(link).to_have_attribute("href", f"/projects/p/{project}/r/{roots[i]}?trace_id={roots[i]}")
        expect(turn.locator(".turn-meta")).to_contain_text("565 tokens")
    # Markdown answers render as Markdown, not as literal text.
    expect(turns.nth(0).locator(".turn-assistant strong")).to_have_text("capital of France")
    expect(page.locator(".thread-stats")).to_contain_text("3 turns")
    shot(page, "thread-transcript")

    # Following a turn's link lands on the trace route.
    turns.nth(1).locator("a.turn-trace").click()
    expect(page).to_have_url(re.compile(rf"/projects/p/{project}/r/{roots[1]}\?trace_id={roots[1]}$"))
    expect(page.locator(".thread-page")).to_have_count(0)


def test_thread_with_error_and_escaped_id(page, api, seeded):
    # The errored turn of thread-tokyo shows its error and no answer bubble.
    project = pid(api, "ui-demo")
    go(page, f"/projects/p/{project}/t/thread-tokyo")
    turns = page.locator(".turn")
    expect(turns).to_have_count(2)
    expect(turns.nth(1)).to_have_class(re.compile(r"\berrored\b"))
    expect(turns.nth(1).locator(".turn-error")).to_contain_text("ValueError: the weather API timed out")
    expect(turns.nth(1).locator(".turn-user .msg.user")).to_contain_text("Where should I eat sushi?")
    expect(page.locator(".thread-stats")).to_contain_text("1 error")
    shot(page, "thread-error")

    # A thread id with a quote and a backslash reaches the filter language escaped; more than one
    # page of turns (cursor paging: 100 per request).
    name = f"ui-threads-{uuid.uuid4().hex[:8]}"
    thread = 'odd "quoted" \\ id'
    start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=3)
    runs = [new_run("Turn", project=name, start=start + dt.timedelta(seconds=i), latency=0.5,
                    inputs={"question": f"question number {i}"}, outputs={"answer": f"answer number {i}"},
                    metadata={"thread_id": thread}) for i in range(105)]
    api.ingest(posts=runs)
    other = pid(api, name)
    try:
        _long_thread(page, api, other, thread)
    finally:  # leave the shared server as seeded for the other UI tests
        api.delete(f"/sessions/{other}")


def _long_thread(page, api: Api, other: str, thread: str) -> None:
    turns = page.locator(".turn")
    wait_for(lambda: len(api.query(session=[other], is_root=True, select=["id"], limit=100)) == 105,
             timeout=20, message="105 turns to be queryable")
    go(page, f"/projects/p/{other}/threads")
    row = page.locator(".threads-table tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td.turns")).to_have_text("105")
    row.locator("a").click()
    expect(page.locator(".thread-page h2")).to_have_text(thread)
    expect(turns).to_have_count(100)
    expect(turns.first.locator(".turn-user")).to_contain_text("question number 0")
    expect(turns.first.locator(".turn-assistant")).to_contain_text("answer number 0")
    page.click(".thread-more")
    expect(turns).to_have_count(105)
    expect(turns.last.locator(".turn-user")).to_contain_text("question number 104")
    expect(page.locator(".thread-more")).to_be_hidden()


# ---- monitor ----


def count_roots(api: Api, project: str, start: str, end: str) -> int:
    flt = f'and(gte(start_time, "{start}"), lt(start_time, "{end}"))'
    return len(api.query(session=[project], is_root=True, filter=flt, select=["id"], limit=100))


def test_monitor_charts_7d(page, api, seeded):
    project = pid(api, "ui-monitor")
    go(page, f"/projects/p/{project}/monitor")
    wait_monitor(page, "7d")
    expect(page.locator('.seg button[data-range="7d"]')).to_have_class(re.compile(r"\bon\b"))
    for name in CHARTS:
        c = chart(page, name)
        expect(c).to_have_count(1)
        assert int(c.get_attribute("data-points")) > 0, name
        assert c.locator(".chart-series rect, .chart-series path, .chart-series circle").count() > 0, name
        assert "is-empty" not in (c.get_attribute("class") or ""), name

    # Trace counts: every trace of the last 7 days, bucketed (Succeeded + Errored stacked).
    traces = chart(page, "traces")
    total = float(traces.get_attribute("data-total"))
    start, end = traces.get_attribute("data-start"), traces.get_attribute("data-end")
    span = parse_iso(end) - parse_iso(start)
    assert dt.timedelta(days=7) <= span <= dt.timedelta(days=7, hours=7), span
    if total != 700:  # only if a seeded trace slipped out of the moving 7-day window
        assert total == count_roots(api, project, start, end)
    assert total == 700 or total >= 690, total
    ok = series_values(page, "traces", "ok")
    errors = series_values(page, "traces", "errors")
    assert sum(v or 0 for v in ok) + sum(v or 0 for v in errors) == total
    assert 0 < sum(v or 0 for v in errors) < 0.15 * total

    # Error rate is non-zero and consistent with the counts.
    rates = series_values(page, "error_rate", "error_rate")
    assert max(v or 0 for v in rates) > 0
    for r, o, e in zip(rates, ok, errors):
        if r is not None:
            assert abs(r - e / (o + e)) < 1e-9

    # Two latency series, p99 >= p50; two token series; one feedback series per key.
    p50, p99 = series_values(page, "latency", "p50"), series_values(page, "latency", "p99")
    assert any(p50) and all(b >= a for a, b in zip(p50, p99) if a is not None)
    assert sum(v or 0 for v in series_values(page, "tokens", "prompt_tokens")) > 0
    assert sum(v or 0 for v in series_values(page, "tokens", "completion_tokens")) > 0
    assert sum(v or 0 for v in series_values(page, "cost", "total_cost")) > 0
    fb = series_values(page, "feedback", "helpfulness")
    assert any(v is not None for v in fb) and all(0 <= v <= 1 for v in fb if v is not None)

    # Axis labels: dates for a 7-day range.
    labels = traces.locator("text.chart-label").evaluate_all("ts => ts.map(t => t.textContent)")
    assert any(re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}", t) for t in labels), labels

    # Hover: the tooltip shows the bucket's exact values.
    busiest = max(range(len(ok)), key=lambda i: (ok[i] or 0) + (errors[i] or 0))
    box = traces.locator(".chart-overlay").bounding_box()
    n = int(traces.get_attribute("data-buckets"))
    page.mouse.move(box["x"] + box["width"] * (busiest + 0.5) / n, box["y"] + box["height"] / 2)
    tip = traces.locator(".chart-tip")
    expect(tip).to_be_visible()
    expect(tip).to_have_attribute("data-index", str(busiest))
    expect(tip.locator('[data-series="ok"] b')).to_have_text(str(int(ok[busiest] or 0)))
    expect(tip.locator(".chart-tip-row.extra b")).to_have_text(str(int((ok[busiest] or 0) + (errors[busiest] or 0))))
    shot(page, "monitor-7d")
    page.evaluate("document.querySelector('.main').scrollTop = 10000")
    shot(page, "monitor-7d-lower")
    # Keyboard: the plot is focusable and the arrow keys step through buckets.
    page.mouse.move(0, 0)
    traces.locator(".chart-plot").focus()
    page.keyboard.press("End")
    expect(tip).to_have_attribute("data-index", str(n - 1))
    page.keyboard.press("ArrowLeft")
    expect(tip).to_have_attribute("data-index", str(n - 2))
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()


def test_monitor_range_switch_and_url_state(page, api, seeded):
    project = pid(api, "ui-monitor")
    go(page, f"/projects/p/{project}/monitor")
    wait_monitor(page, "7d")
    week_total = float(chart(page, "traces").get_attribute("data-total"))
    week_values = chart(page, "traces").locator('[data-series="ok"]').get_attribute("data-values")

    page.click('.seg button[data-range="24h"]')
    expect(page).to_have_url(re.compile(r"[?&]range=24h\b"))
    wait_monitor(page, "24h")
    traces = chart(page, "traces")
    day_total = float(traces.get_attribute("data-total"))
    span = parse_iso(traces.get_attribute("data-end")) - parse_iso(traces.get_attribute("data-start"))
    assert dt.timedelta(hours=24) <= span <= dt.timedelta(hours=25), span
    assert 0 < day_total < week_total
    assert traces.locator('[data-series="ok"]').get_attribute("data-values") != week_values
    labels = traces.locator("text.chart-label").evaluate_all("ts => ts.map(t => t.textContent)")
    assert any(re.fullmatch(r"\d\d:\d\d", t) for t in labels), labels
    shot(page, "monitor-24h")

    # The range survives a reload (URL state), and 1h works too.
    page.reload()
    wait_monitor(page, "24h")
    expect(page.locator('.seg button[data-range="24h"]')).to_have_class(re.compile(r"\bon\b"))
    assert float(chart(page, "traces").get_attribute("data-total")) == day_total
    page.click('.seg button[data-range="1h"]')
    wait_monitor(page, "1h")
    expect(page).to_have_url(re.compile(r"[?&]range=1h\b"))

    # Custom range: the last 3 days.
    page.click('.seg button[data-range="custom"]')
    now = dt.datetime.now()
    fmt = "%Y-%m-%dT%H:%M"
    page.fill('input[aria-label="Start time"]', (now - dt.timedelta(days=3)).strftime(fmt))
    page.fill('input[aria-label="End time"]', (now + dt.timedelta(minutes=1)).strftime(fmt))
    page.click(".monitor-custom button")
    expect(page).to_have_url(re.compile(r"range=custom.*start=.*end="))
    wait_monitor(page, "custom")
    page.wait_for_function("document.querySelector('.chart[data-chart=traces]')?.dataset.total > 0")
    custom_total = float(chart(page, "traces").get_attribute("data-total"))
    assert day_total <= custom_total <= week_total


def test_empty_states(page, api, seeded):
    project = pid(api, "ui-empty")
    go(page, f"/projects/p/{project}/threads")
    empty = page.locator(".threads-empty")
    expect(empty).to_contain_text("No threads yet")
    expect(empty).to_contain_text("session_id")
    expect(empty.locator("pre")).to_contain_text('"metadata": {"session_id"')
    shot(page, "threads-empty")

    go(page, f"/projects/p/{project}/monitor")
    wait_monitor(page, "7d")
    expect(page.locator(".monitor-empty")).to_contain_text("No traces in this time range")
    for name in CHARTS:
        c = chart(page, name)
        expect(c).to_have_class(re.compile(r"\bis-empty\b"))
        expect(c.locator(".chart-empty")).to_be_visible()
        assert c.get_attribute("data-points") == "0"
        assert c.locator("svg").count() == 0
    shot(page, "monitor-empty")
