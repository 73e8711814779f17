"""Browser tests for sign-in and the settings pages: password sign-in (wrong password, sign out),
the workspace switcher, inviting a member and accepting the invitation in a fresh browser,
service keys shown once and revoked, a viewer's read-only views, the audit log with paging, and
the single sign-on button.

These tests need users and sessions, so they run against their own server (this module's
`idp`), started with a known admin password; the shared `ui_server` keeps its API-key-only
setup for the other browser tests. Ground truth comes from the same server's API.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator, Optional
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from playwright.sync_api import Page, expect

from anvil_server import AnvilServer
from conftest import shot

ADMIN = "admin@anvil.test"
ADMIN_PW = "admin-password-1"
KEY = "lsv2_sk_ui_settings_0123456789abcdef"
ROLE = {
    "admin": "6b1a3a3e-0000-4000-8000-000000000001",
    "editor": "6b1a3a3e-0000-4000-8000-000000000002",
    "viewer": "6b1a3a3e-0000-4000-8000-000000000003",
}


# -- servers and clients ----------------------------------------------------------------------


def start_server(anvil_bin: Path, root: Path, **env: str) -> AnvilServer:
    base_env = {"ANVIL_ADMIN_PASSWORD": ADMIN_PW, "ANVIL_ADMIN_EMAIL": ADMIN}
    if os.environ.get("ANVIL_WEB_DIR"):
        base_env["ANVIL_WEB_DIR"] = os.environ["ANVIL_WEB_DIR"]
    srv = AnvilServer(root / "data", root / "anvil.log", api_key=KEY, binary=anvil_bin, env={**base_env, **env})
    return srv.start()


@pytest.fixture(scope="module")
def idp(anvil_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnvilServer]:
    srv = start_server(anvil_bin, tmp_path_factory.mktemp("anvil-settings"))
    yield srv
    srv.stop()


class Client:
    """A signed-in API client: a session cookie (with the CSRF header) or an API key."""

    def __init__(self, server: AnvilServer, *, email: Optional[str] = None, password: Optional[str] = None,
                 key: Optional[str] = None, tenant: Optional[str] = None) -> None:
        self.base = server.url + "/api/v1"
        self.http = requests.Session()
        self.http.headers["Accept"] = "application/json"
        if key:
            self.http.headers["x-api-key"] = key
        if tenant:
            self.http.headers["X-Tenant-Id"] = tenant
        if email:
            r = self.http.post(self.base + "/auth/login", json={"email": email, "password": password}, timeout=10)
            assert r.status_code == 200, r.text
            self.http.headers["X-Anvil-CSRF"] = "1"

    def call(self, method: str, path: str, expect_status: Optional[int] = None, **kw):
        r = self.http.request(method, self.base + path, timeout=10, **kw)
        ok = r.ok if expect_status is None else r.status_code == expect_status
        assert ok, f"{method} {path}: {r.status_code} {r.text[:300]}"
        return r.json() if r.content else None

    def get(self, path: str, **kw):
        return self.call("GET", path, **kw)

    def post(self, path: str, body, **kw):
        return self.call("POST", path, json=body, **kw)


@pytest.fixture(scope="module")
def admin(idp) -> Client:
    return Client(idp, email=ADMIN, password=ADMIN_PW)


def new_user(admin: Client, role: str, name: str = "User") -> tuple[str, str]:
    """An organization member with a password and `role` in the default workspace."""
    email = f"{name.lower()}-{uuid.uuid4().hex[:8]}@anvil.test"
    password = "pw-" + uuid.uuid4().hex[:12]
    ws = admin.get("/auth/me")["tenant_id"]
    admin.post("/orgs/current/members", {"email": email, "password": password, "full_name": name,
                                          "workspace_ids": [ws], "workspace_role_id": ROLE[role]})
    return email, password


@contextlib.contextmanager
def browser_page(browser, server: AnvilServer) -> Iterator[Page]:
    """A fresh browser context (no cookie, no stored key); uncaught page errors fail the test."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_default_timeout(15_000)
    page.base_url = server.url
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"uncaught page errors: {errors}"


def sign_in(page: Page, email: str, password: str, next_path: str = "/projects") -> None:
    page.goto(page.base_url + next_path)
    expect(page).to_have_url(re.compile(r"/signin\?next="))
    page.get_by_label("Email or API key").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(next_path) + r"$"))


def session_cookie(page: Page) -> Optional[dict]:
    return next((c for c in page.context.cookies() if c["name"] == "anvil_session"), None)


# -- sign-in ----------------------------------------------------------------------------------


def test_password_sign_in_wrong_password_and_sign_out(browser, idp):
    with browser_page(browser, idp) as page:
        page.goto(page.base_url + "/datasets")
        expect(page).to_have_url(re.compile(r"/signin\?next=%2Fdatasets$"))
        page.get_by_label("Email or API key").fill(ADMIN)
        page.get_by_label("Password", exact=True).fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
        assert "/signin" in page.url and session_cookie(page) is None
        shot(page, "settings-signin-wrong-password")

        page.get_by_label("Password", exact=True).fill(ADMIN_PW)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(re.compile(r"/datasets$"))
        expect(page.locator(".who-name")).to_have_text("Admin")
        expect(page.locator(".role-pill")).to_have_text("Admin")
        cookie = session_cookie(page)
        assert cookie and cookie["httpOnly"], "the session lives in an http-only cookie"
        assert page.evaluate("localStorage.getItem('anvil.apiKey')") is None
        shot(page, "settings-signed-in")

        page.get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(re.compile(r"/signin$"))
        # The server ended the session: the old cookie no longer works.
        r = requests.get(idp.url + "/api/v1/auth/me", cookies={"anvil_session": cookie["value"]}, timeout=10)
        assert r.status_code == 401
        page.goto(page.base_url + "/projects")
        expect(page).to_have_url(re.compile(r"/signin\?next=%2Fprojects$"))


def test_api_key_alternative_and_401_returns_to_sign_in(browser, idp):
    with browser_page(browser, idp) as page:
        page.goto(page.base_url + "/signin")
        page.get_by_role("link", name="Use an API key").click()
        expect(page.get_by_label("Password", exact=True)).to_be_hidden()
        page.get_by_label("Email or API key").fill(KEY)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(re.compile(r"/projects$"))
        expect(page.locator(".who-name")).to_have_text("Service key")
        assert page.evaluate("localStorage.getItem('anvil.apiKey')") == KEY
        # A key that stops working sends the user back to sign-in on the next request.
        page.evaluate("localStorage.setItem('anvil.apiKey', 'lsv2_sk_revoked_000000000000000000')")
        page.get_by_role("link", name="Datasets & experiments").click()
        expect(page).to_have_url(re.compile(r"/signin\?next=%2Fdatasets$"))
        assert page.evaluate("localStorage.getItem('anvil.apiKey')") is None


# -- workspace switcher -----------------------------------------------------------------------


def test_workspace_switcher_sends_tenant_header(browser, idp, admin):
    default_ws = admin.get("/auth/me")["tenant_id"]
    name = f"Team {uuid.uuid4().hex[:6]}"
    other = admin.post("/workspaces", {"display_name": name})
    here, there = f"proj-a-{uuid.uuid4().hex[:6]}", f"proj-b-{uuid.uuid4().hex[:6]}"
    Client(idp, email=ADMIN, password=ADMIN_PW, tenant=default_ws).post("/sessions", {"name": here})
    Client(idp, email=ADMIN, password=ADMIN_PW, tenant=other["id"]).post("/sessions", {"name": there})

    with browser_page(browser, idp) as page:
        sign_in(page, ADMIN, ADMIN_PW)
        switch = page.get_by_label("Workspace", exact=True)
        expect(switch).to_have_value(default_ws)
        expect(page.locator(f'tr[data-name="{here}"]')).to_be_visible()
        expect(page.locator(f'tr[data-name="{there}"]')).to_have_count(0)

        tenants: list[Optional[str]] = []
        page.on("request", lambda r: tenants.append(r.headers.get("x-tenant-id")) if "/api/v1/sessions" in r.url else None)
        switch.select_option(label=name)
        expect(page.locator(f'tr[data-name="{there}"]')).to_be_visible()
        expect(page.locator(f'tr[data-name="{here}"]')).to_have_count(0)
        assert page.evaluate("localStorage.getItem('anvil.tenantId')") == other["id"]
        assert tenants and all(t == other["id"] for t in tenants), tenants
        shot(page, "settings-workspace-switched")

        # The choice survives a reload; deep pages fall back to the section's list.
        page.reload()
        expect(page.get_by_label("Workspace", exact=True)).to_have_value(other["id"])
        expect(page.locator(f'tr[data-name="{there}"]')).to_be_visible()
        page.goto(page.base_url + "/settings/workspace")
        expect(page.locator(".ws-name")).to_have_value(name)
        page.get_by_label("Workspace", exact=True).select_option(default_ws)
        expect(page.locator(".ws-name")).to_have_value("Default Workspace")
        expect(page).to_have_url(re.compile(r"/settings/workspace$"))


# -- members and invitations ------------------------------------------------------------------


def open_invite(page: Page, invite_url: str) -> None:
    """Opens the invitation link as printed; see test_invite_link_path_is_served_by_the_server."""
    res = page.goto(invite_url)
    assert res is not None and res.status == 200, invite_url


def test_invite_member_accept_and_sign_in(browser, idp, admin):
    email = f"carol-{uuid.uuid4().hex[:8]}@anvil.test"
    with browser_page(browser, idp) as page:
        sign_in(page, ADMIN, ADMIN_PW, "/settings/members")
        page.get_by_label("Email to invite").fill(email)
        page.get_by_label("Role for the invitee").select_option(label="Editor")
        page.get_by_role("button", name="Invite", exact=True).click()
        box = page.locator(".invite-link")
        expect(box).to_contain_text(f"Invitation link for {email}")
        invite_url = box.locator(".secret-value").inner_text()
        assert re.fullmatch(re.escape(idp.url) + r"/invite/[0-9a-f]{32,}", invite_url), invite_url
        expect(page.locator(f'.pending-table tr[data-email="{email}"]')).to_contain_text("Editor")
        shot(page, "settings-members-invited")

    with browser_page(browser, idp) as guest:
        open_invite(guest, invite_url)
        expect(guest.get_by_role("heading", name="Join Default Organization")).to_be_visible()
        expect(guest.get_by_label("Email")).to_have_value(email)
        guest.get_by_label("Your name").fill("Carol")
        guest.get_by_label("Choose a password").fill("carol-password-1")
        guest.get_by_label("Repeat the password").fill("carol-password-2")
        guest.get_by_role("button", name="Create account and join").click()
        expect(guest.get_by_role("alert")).to_have_text("The passwords do not match.")
        guest.get_by_label("Repeat the password").fill("carol-password-1")
        shot(guest, "settings-invite-accept")
        guest.get_by_role("button", name="Create account and join").click()
        expect(guest).to_have_url(re.compile(r"/projects$"))
        expect(guest.locator(".who-name")).to_have_text("Carol")
        expect(guest.locator(".role-pill")).to_have_text("Editor")
        # The link worked once.
        open_invite(guest, invite_url)
        expect(guest.locator(".invite-missing")).to_contain_text("already used")

    with browser_page(browser, idp) as page:
        sign_in(page, email, "carol-password-1")
        expect(page.locator(".who-name")).to_have_text("Carol")
    members = admin.get("/workspaces/current/members")
    assert any(m["email"] == email and m["role_name"] == "WORKSPACE_USER" for m in members["members"])
    assert not any(p["email"] == email for p in members["pending"])


def test_invite_link_path_is_served_by_the_server(idp, admin):
    [inv] = admin.post("/workspaces/current/members/batch", [{"email": f"dan-{uuid.uuid4().hex[:8]}@anvil.test",
                                                              "workspace_role_id": ROLE["viewer"]}])
    r = requests.get(inv["invite_url"], headers={"Accept": "text/html"}, timeout=10)
    assert r.status_code == 200 and "/ui/app.js" in r.text


# -- API keys ---------------------------------------------------------------------------------


def test_service_key_shown_once_then_revoked(browser, idp, admin):
    desc = f"ci-{uuid.uuid4().hex[:6]}"
    with browser_page(browser, idp) as page:
        sign_in(page, ADMIN, ADMIN_PW, "/settings/api-keys")
        service = page.locator(".service-keys")
        service.get_by_label("Service key description").fill(desc)
        service.get_by_label("Service key role").select_option(label="Viewer")
        service.get_by_role("button", name="Create service key").click()
        secret = service.locator(".new-key .secret-value").inner_text()
        assert secret.startswith("lsv2_sk_"), secret
        expect(service.locator(".new-key")).to_contain_text("will not show it again")
        row = service.locator(f'tr[data-description="{desc}"]')
        expect(row).to_contain_text("Viewer")
        expect(row.locator(".last-used")).to_have_text("never")
        shot(page, "settings-service-key-created")

        # The key works, with its role: reads yes, writes no.
        key_client = Client(idp, key=secret)
        key_client.get("/sessions")
        key_client.post("/sessions", {"name": "nope"}, expect_status=403)

        # Shown once: after a reload only its short form is left.
        page.reload()
        row = page.locator(f'.service-keys tr[data-description="{desc}"]')
        expect(row.locator(".short-key")).to_have_text(re.compile(r"^lsv2_sk_…"))
        assert secret not in page.content()
        expect(row.locator(".last-used")).to_have_text("just now")

        row.get_by_role("button", name=f"Revoke {desc}").click()
        page.get_by_role("dialog").get_by_role("button", name="Revoke").click()
        expect(row).to_have_count(0)
        shot(page, "settings-service-key-revoked")
    r = requests.get(idp.url + "/api/v1/sessions", headers={"x-api-key": secret}, timeout=10)
    assert r.status_code == 401


def test_personal_access_token_created_and_revoked(browser, idp):
    desc = f"laptop-{uuid.uuid4().hex[:6]}"
    with browser_page(browser, idp) as page:
        sign_in(page, ADMIN, ADMIN_PW, "/settings/api-keys")
        tokens = page.locator(".personal-tokens")
        tokens.get_by_label("Token description").fill(desc)
        tokens.get_by_role("button", name="Create token").click()
        secret = tokens.locator(".new-key .secret-value").inner_text()
        assert secret.startswith("lsv2_pt_"), secret
        assert Client(idp, key=secret).get("/auth/me")["user"]["email"] == ADMIN
        tokens.locator(f'tr[data-description="{desc}"]').get_by_role("button", name=f"Revoke {desc}").click()
        page.get_by_role("dialog").get_by_role("button", name="Revoke").click()
        expect(tokens.locator(f'tr[data-description="{desc}"]')).to_have_count(0)
    assert requests.get(idp.url + "/api/v1/auth/me", headers={"x-api-key": secret}, timeout=10).status_code == 401


# -- roles ------------------------------------------------------------------------------------


def test_viewer_sees_read_only_views(browser, idp, admin):
    email, password = new_user(admin, "editor", "Erin")
    with browser_page(browser, idp) as page:
        sign_in(page, ADMIN, ADMIN_PW, "/settings/members")
        page.get_by_label(f"Role of {email}").select_option(label="Viewer")
        expect(page.get_by_label(f"Role of {email}")).to_be_enabled()
        shot(page, "settings-members-role-changed")
    me = Client(idp, email=email, password=password).get("/auth/me")
    assert me["role"] == "viewer"

    with browser_page(browser, idp) as page:
        sign_in(page, email, password)
        expect(page.locator(".role-pill")).to_have_text("Viewer")
        expect(page.get_by_role("button", name="+ New project")).to_be_disabled()
        page.goto(page.base_url + "/datasets")
        expect(page.get_by_role("button", name="+ New dataset")).to_be_disabled()

        page.goto(page.base_url + "/settings")
        expect(page).to_have_url(re.compile(r"/settings/api-keys$"))
        tabs = page.locator("nav.tabs a")
        expect(tabs).to_have_text(["API keys", "Workspace", "Account"])
        expect(page.locator(".read-only-note")).to_be_visible()
        expect(page.locator(".service-keys")).to_have_count(0)
        expect(page.locator(".personal-tokens")).to_be_visible()
        page.get_by_role("link", name="Workspace", exact=True).click()
        expect(page.get_by_label("Prompt hub handle")).to_be_disabled()
        expect(page.get_by_role("button", name="Save handle")).to_be_disabled()
        expect(page.get_by_label("Workspace name")).to_be_disabled()
        expect(page.locator(".create-ws")).to_have_count(0)
        shot(page, "settings-viewer-read-only")
        page.goto(page.base_url + "/settings/members")
        expect(page.get_by_role("heading", name="Not available with your role")).to_be_visible()


def test_workspace_handle_and_password_change(browser, idp, admin):
    email, password = new_user(admin, "admin", "Hank")
    handle = f"team-{uuid.uuid4().hex[:6]}"
    with browser_page(browser, idp) as page:
        sign_in(page, email, password, "/settings/workspace")
        page.get_by_label("Prompt hub handle").fill("Bad Handle!")
        page.get_by_role("button", name="Save handle").click()
        expect(page.locator(".form-status.err-text")).to_contain_text("lowercase")
        page.get_by_label("Prompt hub handle").fill(handle)
        page.get_by_role("button", name="Save handle").click()
        expect(page.locator(".form-status.ok-text")).to_contain_text(f"{handle}/<name>")

        page.get_by_role("link", name="Account").click()
        page.get_by_label("Current password").fill("wrong-password-0")
        page.get_by_label("New password", exact=True).fill("new-password-123")
        page.get_by_label("Repeat the new password").fill("new-password-123")
        page.get_by_role("button", name="Change password").click()
        expect(page.locator(".form-status.err-text")).to_be_visible()
        page.get_by_label("Current password").fill(password)
        page.get_by_role("button", name="Change password").click()
        expect(page.locator(".form-status.ok-text")).to_have_text("Password changed.")
        shot(page, "settings-account-password")
        # Still signed in after the change (the server re-issued the cookie).
        page.get_by_role("link", name="Projects").click()
        expect(page).to_have_url(re.compile(r"/projects$"))
    assert admin.get("/settings")["tenant_handle"] == handle
    Client(idp, email=email, password="new-password-123")


# -- audit log --------------------------------------------------------------------------------


def test_audit_log_shows_sign_ins_and_key_events_with_paging(browser, idp, admin):
    key = admin.post("/api-key", {"description": "audited key", "role_id": ROLE["viewer"]})
    admin.call("DELETE", f"/api-key/{key['id']}")
    for i in range(30):  # 2 events each (create, revoke): the key's own events move to the second page
        token = admin.post("/api-key/current", {"description": f"filler {i}"})
        admin.call("DELETE", f"/api-key/current/{token['id']}")
    bad = f"nobody-{uuid.uuid4().hex[:6]}@anvil.test"
    r = requests.post(idp.url + "/api/v1/auth/login", json={"email": bad, "password": "x"}, timeout=10)
    assert r.status_code == 401

    with browser_page(browser, idp) as page:
        sign_in(page, ADMIN, ADMIN_PW, "/settings/audit")
        rows = page.locator(".audit-table tbody tr")
        expect(rows).to_have_count(50)
        first = rows.first
        expect(first.locator(".audit-action")).to_have_text("auth.login")
        expect(first.locator(".audit-actor")).to_have_text(ADMIN)
        expect(first.locator(".audit-outcome")).to_contain_text("Success")
        failed = page.locator('.audit-table tr[data-operation="auth.login"][data-status="Failure"]').first
        expect(failed.locator(".audit-message")).to_contain_text(f"failed sign-in for {bad}")
        expect(failed.locator(".audit-outcome")).to_contain_text("401")
        expect(page.locator(".page-info")).to_have_text("Events 1–50")
        expect(page.get_by_role("button", name="‹ Newer")).to_be_disabled()
        shot(page, "settings-audit-log")

        page.get_by_role("button", name="Older ›").click()
        expect(page.locator(".page-info")).to_have_text(re.compile(r"^Events 51–"))
        created = page.locator('.audit-table tr[data-operation="api_key.create"]')
        expect(created.first).to_contain_text(f"api_key {key['id'][:8]}")
        expect(created.first.locator(".audit-actor")).to_have_text(ADMIN)
        page.get_by_role("button", name="‹ Newer").click()
        expect(page.locator(".page-info")).to_have_text("Events 1–50")

        # Nothing in the table leaks an invitation secret from a request path.
        assert not re.search(r"/invitations/[0-9a-f]{24,}", page.locator(".audit-table").inner_text())


# -- single sign-on ---------------------------------------------------------------------------


class StubProvider:
    """A minimal OpenID provider: discovery, and an authorization endpoint that refuses
    (redirects back with error=access_denied), which is enough to drive the browser through
    the SSO button, Anvil's start route, the provider and the callback."""

    def __init__(self) -> None:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if url.path == "/.well-known/openid-configuration":
                    body = json.dumps({"issuer": stub.issuer, "authorization_endpoint": stub.issuer + "/authorize",
                                       "token_endpoint": stub.issuer + "/token", "jwks_uri": stub.issuer + "/jwks"}).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                elif url.path == "/authorize":
                    q = parse_qs(url.query)
                    stub.authorize_queries.append(q)
                    back = q["redirect_uri"][0] + "?" + urlencode({"error": "access_denied", "error_description": "Denied by the test IdP",
                                                                    "state": q["state"][0]})
                    self.send_response(302)
                    self.send_header("Location", back)
                    self.end_headers()
                else:
                    self.send_response(404)
                    self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.authorize_queries: list[dict] = []
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()


def test_sso_button_goes_to_the_provider_and_shows_its_refusal(browser, anvil_bin, tmp_path):
    idp_stub = StubProvider()
    srv = start_server(anvil_bin, tmp_path, ANVIL_OIDC_ISSUER=idp_stub.issuer, ANVIL_OIDC_CLIENT_ID="anvil-ui",
                       ANVIL_OIDC_CLIENT_SECRET="oidc-secret", ANVIL_OIDC_NAME="Acme SSO")
    try:
        oidc = requests.get(srv.url + "/api/v1/auth/providers", timeout=10).json()["oidc"]
        assert oidc["enabled"] is True
        with browser_page(browser, srv) as page:
            page.goto(page.base_url + "/signin?next=%2Fdatasets")
            button = page.get_by_role("link", name="Continue with Acme SSO")
            expect(button).to_be_visible()
            href = button.get_attribute("href")
            assert urlsplit(href).path == urlsplit(oidc.get("url") or "/api/v1/auth/oidc/start").path, href
            assert parse_qs(urlsplit(href).query).get("return_to") == ["/datasets"], href
            shot(page, "settings-signin-sso")
            start = requests.get(srv.url + href, allow_redirects=False, timeout=10)
            if start.status_code == 404:
                pytest.skip(f"the OIDC start route {urlsplit(href).path} is not on this server yet (button rendered and linked)")
            # Through Anvil's start route to the provider, which refuses; back on sign-in with why.
            button.click()
            expect(page).to_have_url(re.compile(r"/signin\?sso_error="))
            expect(page.get_by_role("alert")).to_contain_text("Denied by the test IdP")
            assert idp_stub.authorize_queries and idp_stub.authorize_queries[-1]["client_id"] == ["anvil-ui"]
            shot(page, "settings-signin-sso-refused")
    finally:
        srv.stop()
        idp_stub.close()


def test_no_sso_button_without_provider(browser, idp):
    with browser_page(browser, idp) as page:
        page.goto(page.base_url + "/signin")
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        expect(page.locator(".sso-btn")).to_have_count(0)
