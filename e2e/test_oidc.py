"""OpenID Connect sign-in against a real OpenID provider (`oidc-provider-mock`, run in-process).

The browser's part is played by a `requests.Session` that carries cookies and follows the
redirects one at a time, so every hop of the authorization code flow is asserted: Anvil's
authorization request (PKCE S256, state, nonce), the provider's consent (a form post naming the
subject), the callback that verifies the ID token and starts a session, and the refusals
(stranger, unverified email, forged state, replayed callback).
"""
from __future__ import annotations

import threading
import uuid
from typing import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import werkzeug.serving

import oidc_provider_mock

from anvil_server import AnvilServer

ADMIN_EMAIL = "admin@anvil.test"
ADMIN_PASSWORD = "correct horse battery staple"
CLIENT_ID = "anvil-e2e"
CLIENT_SECRET = "anvil-e2e-secret"
# The admin's identity at the provider: the first SSO sign-in links it to the admin account.
ADMIN_SUB = f"admin-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The OpenID provider's issuer URL; nonces are required, as a strict provider would."""
    server = werkzeug.serving.make_server("127.0.0.1", 0, oidc_provider_mock.app(require_nonce=True), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(2)


def start_anvil(tmp_path, provider: str, **extra: str) -> AnvilServer:
    env = {
        "ANVIL_ADMIN_EMAIL": ADMIN_EMAIL,
        "ANVIL_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "ANVIL_OIDC_ISSUER": provider,
        "ANVIL_OIDC_CLIENT_ID": CLIENT_ID,
        "ANVIL_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "ANVIL_OIDC_NAME": "Mock IdP",
        **extra,
    }
    srv = AnvilServer(tmp_path / "data", tmp_path / "anvil.log", api_key="lsv2_sk_oidc_e2e_0123456789abcdef", env=env)
    srv.start()
    return srv


@pytest.fixture(scope="module")
def anvil(tmp_path_factory, provider) -> Iterator[AnvilServer]:
    srv = start_anvil(tmp_path_factory.mktemp("anvil-oidc"), provider)
    yield srv
    srv.stop()


def set_claims(provider: str, sub: str, **claims) -> None:
    r = requests.put(f"{provider}/users/{sub}", json=claims, timeout=10)
    assert r.status_code < 300, r.text


def sso(anvil: AnvilServer, provider: str, sub: str, return_to: str = "/projects") -> tuple[requests.Session, requests.Response]:
    """Runs the browser's side of the flow; returns the session and Anvil's final answer."""
    browser = requests.Session()
    start = browser.get(f"{anvil.api()}/auth/oidc/start", params={"return_to": return_to}, allow_redirects=False, timeout=10)
    assert start.status_code == 302, start.text
    authorize = start.headers["location"]
    assert authorize.startswith(provider + "/"), authorize
    q = parse_qs(urlsplit(authorize).query)
    assert q["response_type"] == ["code"] and q["client_id"] == [CLIENT_ID]
    assert q["code_challenge_method"] == ["S256"] and len(q["code_challenge"][0]) == 43
    assert q["state"][0] and q["nonce"][0] and "openid" in q["scope"][0].split()
    assert q["redirect_uri"] == [f"{anvil.url}/api/v1/auth/oidc/callback"]
    state_cookie = browser.cookies.get("anvil_oidc")
    assert state_cookie and q["state"][0] not in state_cookie, "the state cookie is sealed, not the plain state"
    consent = browser.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert consent.status_code == 302, consent.text
    callback = consent.headers["location"]
    assert callback.startswith(f"{anvil.url}/api/v1/auth/oidc/callback?"), callback
    done = browser.get(callback, allow_redirects=False, timeout=20)
    done.callback_url = callback  # type: ignore[attr-defined]
    return browser, done


def sso_error(response: requests.Response) -> str:
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    assert location.path == "/signin", response.headers["location"]
    return parse_qs(location.query)["sso_error"][0]


def test_providers_advertise_the_sso_button(anvil):
    r = requests.get(f"{anvil.api()}/auth/providers", timeout=10)
    assert r.status_code == 200
    assert r.json()["oidc"] == {"enabled": True, "name": "Mock IdP", "url": "/api/v1/auth/oidc/start"}
    assert r.json()["password"] is True


def test_verified_email_links_the_existing_admin_and_signs_in(anvil, provider):
    sub = ADMIN_SUB
    set_claims(provider, sub, email=ADMIN_EMAIL, email_verified=True, name="The Admin")
    browser, done = sso(anvil, provider, sub, return_to="/datasets")
    assert done.status_code == 302 and done.headers["location"] == "/datasets"
    cookies = done.headers.get("set-cookie", "")
    assert "anvil_session=" in cookies and "HttpOnly" in cookies
    me = browser.get(f"{anvil.api()}/auth/me", timeout=10)
    assert me.status_code == 200, me.text
    body = me.json()
    assert body["user"]["email"] == ADMIN_EMAIL and body["kind"] == "session" and body["role"] == "admin"
    assert body["organization_role"] == "admin"
    # The session writes like a password session (with the CSRF header).
    r = browser.post(f"{anvil.api()}/sessions", json={"name": f"sso-{sub}"}, headers={"X-Anvil-CSRF": "1"}, timeout=10)
    assert r.status_code == 201, r.text
    # Signing in again with the same subject finds the now-linked account.
    browser2, again = sso(anvil, provider, sub)
    assert again.status_code == 302 and again.headers["location"] == "/projects"
    assert browser2.get(f"{anvil.api()}/auth/me", timeout=10).json()["user"]["id"] == body["user"]["id"]
    # The audit log (admin-only) records the single sign-on.
    events = requests.get(f"{anvil.api()}/audit-logs", headers=anvil.headers, params={"limit": 100}, timeout=10).json()["items"]
    assert any(e.get("api", {}).get("operation") == "auth.login" and "single sign-on" in (e.get("message") or "") for e in events), events[:3]


def test_a_stranger_without_invitation_is_refused(anvil, provider):
    sub = f"stranger-{uuid.uuid4().hex[:8]}"
    set_claims(provider, sub, email=f"{sub}@elsewhere.test", email_verified=True)
    browser, done = sso(anvil, provider, sub)
    assert "no Anvil account" in sso_error(done)
    assert "anvil_session" not in browser.cookies
    assert browser.get(f"{anvil.api()}/auth/me", timeout=10).status_code == 401


def test_an_unverified_email_cannot_take_over_an_existing_account(anvil, provider):
    sub = f"mallory-{uuid.uuid4().hex[:8]}"
    set_claims(provider, sub, email=ADMIN_EMAIL, email_verified=False)
    browser, done = sso(anvil, provider, sub)
    assert "not verified" in sso_error(done)
    assert browser.get(f"{anvil.api()}/auth/me", timeout=10).status_code == 401


def test_an_invited_user_signs_up_with_sso_and_gets_the_invited_role(anvil, provider):
    email = f"viewer-{uuid.uuid4().hex[:8]}@anvil.test"
    roles = requests.get(f"{anvil.api()}/orgs/current/roles", headers=anvil.headers, timeout=10).json()
    viewer = next(r["id"] for r in roles if r["name"] == "WORKSPACE_VIEWER")
    r = requests.post(f"{anvil.api()}/workspaces/current/members/batch", headers=anvil.headers,
                      json=[{"email": email, "role_id": viewer}], timeout=10)
    assert r.status_code in (200, 201), r.text
    pending = requests.get(f"{anvil.api()}/workspaces/current/members", headers=anvil.headers, timeout=10).json()["pending"]
    assert any(p["email"] == email for p in pending), pending
    sub = f"invited-{uuid.uuid4().hex[:8]}"
    set_claims(provider, sub, email=email, email_verified=True, name="Vera Viewer")
    browser, done = sso(anvil, provider, sub)
    assert done.status_code == 302 and done.headers["location"] == "/projects", done.headers.get("location")
    me = browser.get(f"{anvil.api()}/auth/me", timeout=10).json()
    assert me["user"]["email"] == email and me["role"] == "viewer" and me["user"]["display_name"] == "Vera Viewer"
    assert browser.get(f"{anvil.api()}/sessions", timeout=10).status_code == 200
    refused = browser.post(f"{anvil.api()}/sessions", json={"name": "nope"}, headers={"X-Anvil-CSRF": "1"}, timeout=10)
    assert refused.status_code == 403
    members = requests.get(f"{anvil.api()}/workspaces/current/members", headers=anvil.headers, timeout=10).json()
    assert any(m["email"] == email for m in members["members"]) and not any(p["email"] == email for p in members["pending"])


def test_forged_state_and_replayed_callbacks_are_refused(anvil, provider):
    sub = ADMIN_SUB
    set_claims(provider, sub, email=ADMIN_EMAIL, email_verified=True)
    # A callback for another browser's sign-in (no state cookie here) is refused.
    _, done = sso(anvil, provider, sub)
    assert done.status_code == 302 and done.headers["location"] == "/projects"
    stranger = requests.Session()
    assert "not started here" in sso_error(stranger.get(done.callback_url, allow_redirects=False, timeout=10))
    # The same browser replaying its callback: the state cookie was cleared on success.
    browser = requests.Session()
    start = browser.get(f"{anvil.api()}/auth/oidc/start", allow_redirects=False, timeout=10)
    consent = browser.post(start.headers["location"], data={"sub": sub}, allow_redirects=False, timeout=10)
    callback = consent.headers["location"]
    tampered = callback.replace("state=", "state=x")
    assert "does not belong" in sso_error(browser.get(tampered, allow_redirects=False, timeout=10))


def test_the_provider_refusing_is_reported(anvil, provider):
    browser = requests.Session()
    start = browser.get(f"{anvil.api()}/auth/oidc/start", allow_redirects=False, timeout=10)
    state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
    r = browser.get(f"{anvil.api()}/auth/oidc/callback", params={"state": state, "error": "access_denied", "error_description": "user said no"},
                    allow_redirects=False, timeout=10)
    assert "user said no" in sso_error(r)


def test_open_redirects_are_not_possible(anvil, provider):
    sub = ADMIN_SUB
    set_claims(provider, sub, email=ADMIN_EMAIL, email_verified=True)
    _, done = sso(anvil, provider, sub, return_to="//evil.example/phish")
    assert done.status_code == 302 and done.headers["location"] == "/"


def test_auto_provisioning_admits_new_users_with_the_configured_role(tmp_path, provider):
    srv = start_anvil(tmp_path, provider, ANVIL_OIDC_AUTO_PROVISION_ROLE="editor")
    try:
        sub = f"newbie-{uuid.uuid4().hex[:8]}"
        set_claims(provider, sub, email=f"{sub}@anvil.test", email_verified=True, name="New Bie")
        browser, done = sso(srv, provider, sub)
        assert done.status_code == 302 and done.headers["location"] == "/projects", done.headers.get("location")
        me = browser.get(f"{srv.api()}/auth/me", timeout=10).json()
        assert me["user"]["email"] == f"{sub}@anvil.test" and me["role"] == "editor" and me["organization_role"] == "user"
        r = browser.post(f"{srv.api()}/sessions", json={"name": "by-newbie"}, headers={"X-Anvil-CSRF": "1"}, timeout=10)
        assert r.status_code == 201, r.text
        assert browser.get(f"{srv.api()}/api-key", timeout=10).status_code == 403, "editors do not manage keys"
    finally:
        srv.stop()


def test_sso_is_404_when_not_configured(server):
    r = requests.get(f"{server.api()}/auth/oidc/start", allow_redirects=False, timeout=10)
    assert r.status_code == 404 and "not configured" in r.json()["detail"]
    assert requests.get(f"{server.api()}/auth/providers", timeout=10).json()["oidc"]["enabled"] is False
