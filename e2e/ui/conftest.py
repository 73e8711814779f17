"""Browser fixtures: a seeded Anvil server and headless Chromium (Debian's) driven by Playwright.

Screenshots go to `test-artifacts/ui/` at the repository root. Uncaught page errors fail the test.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from anvil_server import AnvilServer
from seed import seed

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"
API_KEY = "lsv2_sk_ui_tests_0123456789abcdef"
BIG_TRACE_RUNS = int(os.environ.get("ANVIL_UI_BIG_TRACE", "10000"))


@pytest.fixture(scope="session")
def ui_server(anvil_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnvilServer]:
    root = tmp_path_factory.mktemp("anvil-ui")
    env = {"ANVIL_WEB_DIR": os.environ["ANVIL_WEB_DIR"]} if os.environ.get("ANVIL_WEB_DIR") else None
    srv = AnvilServer(root / "data", root / "anvil.log", api_key=API_KEY, binary=anvil_bin, env=env)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def seeded(ui_server: AnvilServer) -> dict:
    """Ids of the seeded data (see seed.py); the big trace has BIG_TRACE_RUNS runs."""
    return seed(ui_server.url, API_KEY, big_trace=BIG_TRACE_RUNS)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        b.close()


def _new_page(browser, signed_in: bool):
    # bypass_csp: Playwright's wait_for_function evaluates code, which the UI's CSP (no eval) forbids.
    context = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)
    if signed_in:
        context.add_init_script(f"localStorage.setItem('anvil.apiKey', {API_KEY!r})")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_default_timeout(15_000)
    return context, page, errors


@pytest.fixture
def page(browser, ui_server, seeded):
    """A signed-in page (API key preset in localStorage)."""
    context, page, errors = _new_page(browser, signed_in=True)
    page.base_url = ui_server.url  # convenience for tests
    yield page
    context.close()
    assert not errors, f"uncaught page errors: {errors}"


@pytest.fixture
def anon_page(browser, ui_server, seeded):
    """A page without a stored key (sign-in flow)."""
    context, page, errors = _new_page(browser, signed_in=False)
    page.base_url = ui_server.url
    yield page
    context.close()
    assert not errors, f"uncaught page errors: {errors}"


def shot(page, name: str) -> Path:
    """Saves a full-page screenshot as a test artifact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
