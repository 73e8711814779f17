"""Keys, roles and workspaces over the real server and the real SDK.

The route matrix is driven by `anvil routes` (the server's own route table), so an endpoint
added later is covered without editing this file.
"""
from __future__ import annotations

import json
import subprocess
import uuid

import pytest
import requests

import langsmith
from langsmith import utils as ls_utils

from anvil_server import AnvilServer

ADMIN_EMAIL = "admin@auth.test"
ADMIN_PASSWORD = "a long admin password"
BOOT_KEY = "lsv2_sk_auth_e2e_0123456789abcdef00"


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    root = tmp_path_factory.mktemp("anvil-auth")
    s = AnvilServer(root / "data", root / "anvil.log", api_key=BOOT_KEY,
                    env={"ANVIL_ADMIN_EMAIL": ADMIN_EMAIL, "ANVIL_ADMIN_PASSWORD": ADMIN_PASSWORD})
    s.start()
    yield s
    s.stop()


def boot(srv: AnvilServer) -> dict[str, str]:
    return {"x-api-key": BOOT_KEY}


def roles(srv) -> dict[str, str]:
    return {r["name"]: r["id"] for r in requests.get(f"{srv.api()}/orgs/current/roles", headers=boot(srv), timeout=10).json()}


def service_key(srv, role: str, headers=None, description="e2e") -> dict:
    r = requests.post(f"{srv.api()}/api-key", headers=headers or boot(srv), json={"description": description, "role_id": roles(srv)[role]}, timeout=10)
    assert r.status_code in (200, 201), r.text
    return r.json()


def sdk(srv, key: str, **kw) -> langsmith.Client:
    return langsmith.Client(api_url=srv.url, api_key=key, auto_batch_tracing=False, **kw)


def login(srv, email=ADMIN_EMAIL, password=ADMIN_PASSWORD) -> requests.Session:
    s = requests.Session()
    r = s.post(f"{srv.api()}/auth/login", json={"email": email, "password": password}, timeout=30)
    assert r.status_code == 200, r.text
    s.headers["X-Anvil-CSRF"] = "1"
    return s


def test_a_personal_access_token_drives_the_sdk_as_its_user(srv):
    browser = login(srv)
    r = browser.post(f"{srv.api()}/api-key/current", json={"description": "laptop"}, timeout=10)
    assert r.status_code in (200, 201), r.text
    token = r.json()["key"]
    assert token.startswith("lsv2_pt_")
    client = sdk(srv, token)
    name = f"pat-{uuid.uuid4().hex[:8]}"
    client.create_project(name)
    assert client.read_project(project_name=name).name == name
    listed = browser.get(f"{srv.api()}/api-key/current", timeout=10).json()
    mine = next(k for k in listed if k["description"] == "laptop")
    assert "key" not in mine and mine["last_used_at"], "listed without the secret, with its last use"
    # Revoking it stops the very next SDK call.
    assert browser.delete(f"{srv.api()}/api-key/current/{mine['id']}", timeout=10).status_code == 200
    with pytest.raises(ls_utils.LangSmithAuthError):
        client.read_project(project_name=name)


def test_a_viewer_key_reads_but_cannot_write(srv):
    viewer = sdk(srv, service_key(srv, "WORKSPACE_VIEWER")["key"])
    admin = sdk(srv, BOOT_KEY)
    name = f"seen-{uuid.uuid4().hex[:8]}"
    admin.create_project(name)
    assert name in {p.name for p in viewer.list_projects(name_contains="seen-")}
    with pytest.raises(ls_utils.LangSmithError) as e:
        viewer.create_project(f"viewer-{uuid.uuid4().hex[:8]}")
    assert "403" in str(e.value)
    with pytest.raises(ls_utils.LangSmithError):
        viewer.create_dataset(f"viewer-ds-{uuid.uuid4().hex[:8]}")
    # Ingest is a write too: refused, and nothing lands.
    r = requests.post(f"{srv.api()}/runs", headers={"x-api-key": viewer.api_key},
                      json={"id": str(uuid.uuid4()), "name": "x", "run_type": "chain", "inputs": {}, "session_name": name,
                            "start_time": "2026-01-01T00:00:00Z"}, timeout=10)
    assert r.status_code == 403 and r.json()["detail"]


def test_a_revoked_service_key_is_refused_at_once(srv):
    created = service_key(srv, "WORKSPACE_USER", description="short-lived")
    client = sdk(srv, created["key"])
    assert list(client.list_projects(limit=1)) is not None
    r = requests.delete(f"{srv.api()}/api-key/{created['id']}", headers=boot(srv), timeout=10)
    assert r.status_code == 200, r.text
    with pytest.raises(ls_utils.LangSmithAuthError):
        list(client.list_projects(limit=1))


def test_workspaces_are_walls(srv):
    browser = login(srv)
    ws = browser.post(f"{srv.api()}/workspaces", json={"display_name": f"Second {uuid.uuid4().hex[:4]}"}, timeout=10)
    assert ws.status_code in (200, 201), ws.text
    second = ws.json()["id"]
    # A key of the second workspace, created by the admin acting in it.
    key2 = service_key(srv, "WORKSPACE_ADMIN", headers={"X-Anvil-CSRF": "1", "X-Tenant-Id": second, "Cookie": f"anvil_session={browser.cookies['anvil_session']}"})["key"]
    one = sdk(srv, BOOT_KEY)
    two = sdk(srv, key2)
    hidden = f"first-only-{uuid.uuid4().hex[:8]}"
    p = one.create_project(hidden)
    assert hidden not in {x.name for x in two.list_projects()}
    with pytest.raises(ls_utils.LangSmithNotFoundError):
        two.read_project(project_id=p.id)
    # The SDK's workspace_id (X-Tenant-Id) cannot widen a key's reach.
    with pytest.raises(ls_utils.LangSmithError) as e:
        list(sdk(srv, key2, workspace_id=str(p.tenant_id)).list_projects())
    assert "403" in str(e.value)
    # The admin user sees both workspaces and can act in either.
    names = {w["id"] for w in browser.get(f"{srv.api()}/workspaces", timeout=10).json()}
    assert second in names and str(p.tenant_id) in names


def route_table(binary) -> list[dict]:
    out = subprocess.run([str(binary), "routes"], capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def concrete(path: str) -> str:
    return "/".join(str(uuid.uuid4()) if part.startswith("{") else part for part in path.split("/"))


def test_every_route_of_the_real_server_refuses_bad_credentials(srv):
    viewer_key = service_key(srv, "WORKSPACE_VIEWER")["key"]
    routes = [r for r in route_table(srv.binary) if r["path"].startswith("/api/v1/")]
    assert len(routes) > 150
    checked = 0
    for r in routes:
        if r["access"] == "public":
            continue
        url = srv.url + concrete(r["path"])
        def send(headers):
            return requests.request(r["method"], url, headers={"Content-Type": "application/json", **headers}, data="{}", timeout=10)
        label = f"{r['method']} {r['path']}"
        none = send({})
        assert none.status_code == 401 and none.json()["detail"], label
        wrong = send({"x-api-key": "lsv2_sk_not_a_key_000000000000000000"})
        assert wrong.status_code == 401, label
        if r["access"] != "read":
            v = send({"x-api-key": viewer_key})
            assert v.status_code == 403 and v.json()["detail"], f"{label} as viewer: {v.status_code}"
        checked += 1
    assert checked > 100


def test_an_invitation_is_not_a_credential_for_an_existing_account(srv):
    email = f"erin-{uuid.uuid4().hex[:8]}@auth.test"
    org_admin = login(srv)
    created = org_admin.post(f"{srv.api()}/orgs/current/members", json={"email": email, "password": "erin's password"}, timeout=30)
    assert created.status_code in (200, 201), created.text
    user_id = created.json()["user_id"]
    assert org_admin.delete(f"{srv.api()}/orgs/current/members/{user_id}", timeout=10).status_code == 200
    invited = org_admin.post(f"{srv.api()}/orgs/current/members", json={"email": email}, timeout=10)
    assert invited.status_code in (200, 201), invited.text
    secret = invited.json()["invite_url"].rsplit("/", 1)[1]
    info = requests.get(f"{srv.api()}/auth/invitations/{secret}", timeout=10).json()
    assert info["existing_user"] is True
    accept = f"{srv.api()}/auth/invitations/{secret}/accept"
    for body in ({}, {"password": "not erin's password"}):
        r = requests.post(accept, json=body, timeout=30)
        assert r.status_code == 403 and "enter its password" in r.json()["detail"], r.text
        assert "anvil_session" not in r.cookies
    r = requests.post(accept, json={"password": "erin's password"}, timeout=30)
    assert r.status_code == 200 and r.json()["user"]["email"] == email and "anvil_session" in r.cookies, r.text
    # The audit log never holds the invitation's secret.
    events = org_admin.get(f"{srv.api()}/audit-logs", params={"limit": 200}, timeout=10).json()["items"]
    assert not any(secret in json.dumps(e) for e in events)
    assert any(e.get("api", {}).get("operation") == "invitation.accept" for e in events)
