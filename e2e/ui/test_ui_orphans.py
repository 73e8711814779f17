"""A span whose parent never arrives is kept, promoted to a root after the grace period, and the
trace view says so (an "orphan" pill and a note naming the missing parent)."""
from __future__ import annotations

import os
import time
import uuid

import pytest
import requests
from playwright.sync_api import expect

from anvil_server import AnvilServer
from conftest import API_KEY, _new_page, shot


@pytest.fixture(scope="module")
def orphan_server(anvil_bin, tmp_path_factory):
    root = tmp_path_factory.mktemp("anvil-ui-orphans")
    env = {"ANVIL_ORPHAN_GRACE_SECONDS": "1"}
    if os.environ.get("ANVIL_WEB_DIR"):
        env["ANVIL_WEB_DIR"] = os.environ["ANVIL_WEB_DIR"]
    srv = AnvilServer(root / "data", root / "anvil.log", api_key=API_KEY, binary=anvil_bin, env=env)
    srv.start()
    yield srv
    srv.stop()


def test_orphan_span_is_shown_as_a_marked_root(browser, orphan_server):
    project = f"orphans-{uuid.uuid4().hex[:6]}"
    trace_id, missing, span = uuid.uuid4().hex, "d4" * 8, "e5" * 8
    now = time.time_ns()
    body = {"resourceSpans": [{"resource": {"attributes": []}, "scopeSpans": [{"scope": {"name": "ui-test"}, "spans": [{
        "traceId": trace_id, "spanId": span, "parentSpanId": missing, "name": "lonely step", "kind": 1,
        "startTimeUnixNano": str(now - 2_000_000), "endTimeUnixNano": str(now),
        "attributes": [{"key": "input.value", "value": {"stringValue": "where is my parent?"}}],
    }]}]}]}
    headers = {"x-api-key": API_KEY, "Langsmith-Project": project, "Content-Type": "application/json"}
    r = requests.post(f"{orphan_server.api()}/otel/v1/traces", json=body, headers=headers, timeout=30)
    assert r.status_code == 200, r.text

    api = {"x-api-key": API_KEY}
    session = requests.get(f"{orphan_server.api()}/sessions", params={"name": project}, headers=api, timeout=10).json()[0]
    deadline, runs = time.time() + 30, []
    while time.time() < deadline:
        runs = requests.post(f"{orphan_server.api()}/runs/query", json={"session": [session["id"]], "is_root": True},
                             headers=api, timeout=10).json()["runs"]
        if runs:
            break
        time.sleep(0.3)
    assert [r["name"] for r in runs] == ["lonely step"], runs
    run = runs[0]
    missing_run = f"00000000-0000-0000-{missing[:4]}-{missing[4:]}"

    context, page, errors = _new_page(browser, signed_in=True)
    try:
        page.goto(f"{orphan_server.url}/projects/p/{session['id']}")
        row = page.locator(".runs-table tbody tr", has_text="lonely step")
        expect(row).to_have_count(1)
        row.locator("a.run-link").click()
        expect(page.locator(".rd-orphan-pill")).to_have_text("orphan")
        expect(page.locator(".rd-orphan")).to_contain_text(missing_run)
        expect(page.locator(".rd-orphan")).to_contain_text("never arrived")
        shot(page, "trace-orphan")
        assert run["id"] in page.url
    finally:
        context.close()
    assert not errors, f"uncaught page errors: {errors}"
