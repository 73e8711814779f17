"""/health, /info and authentication, across the three route prefixes."""

from __future__ import annotations

import stat
import subprocess
import uuid

import pytest
import requests

import langsmith
from langsmith import traceable
from langsmith import utils as ls_utils
from langsmith._internal._background_thread import _ensure_ingest_config
from langsmith.run_helpers import tracing_context

from anvil_server import AnvilServer
from wire import Api, assert_detail, encode_multipart, new_boundary, new_run, run_parts, unique, wait_runs

BATCH_INGEST_KEYS = {
    "use_multipart_endpoint",
    "size_limit",
    "size_limit_bytes",
    "scale_up_nthreads_limit",
    "scale_up_qsize_trigger",
    "scale_down_nempty_trigger",
}
SERVER_BODY_LIMIT = 25 * 1024 * 1024


def test_health_needs_no_auth(server: AnvilServer) -> None:
    r = requests.get(server.url + "/health", timeout=5)
    assert r.status_code == 200


@pytest.mark.parametrize("auth", [{}, {"x-api-key": "wrong"}, {"Authorization": "Bearer wrong"}],
                         ids=["no-key", "wrong-key", "wrong-bearer"])
def test_info_shape(server: AnvilServer, prefix: str, auth: dict) -> None:
    r = requests.get(server.url + prefix + "/info", headers=auth, timeout=5)
    assert r.status_code == 200, r.text
    info = r.json()
    assert isinstance(info.get("version"), str) and info["version"], info
    bic = info.get("batch_ingest_config")
    # All six or nothing: a partial object crashes the SDK's tracing thread (KeyError).
    assert isinstance(bic, dict), info
    assert set(bic) >= BATCH_INGEST_KEYS, f"missing {BATCH_INGEST_KEYS - set(bic)}"
    assert bic["use_multipart_endpoint"] is True
    for key in BATCH_INGEST_KEYS - {"use_multipart_endpoint"}:
        assert isinstance(bic[key], int) and not isinstance(bic[key], bool) and bic[key] > 0, (key, bic[key])
    # The SDK packs batches up to size_limit_bytes; they must fit under the 413 limit.
    assert bic["size_limit_bytes"] <= SERVER_BODY_LIMIT
    if info.get("instance_flags") is not None:
        assert isinstance(info["instance_flags"], dict)


def test_info_parsed_by_sdk(server: AnvilServer, prefix: str) -> None:
    # The SDK's own integration test reads /info with a bogus key.
    client = langsmith.Client(api_url=server.api(prefix), api_key="not-a-real-key", auto_batch_tracing=False)
    info = client.info
    assert info.version, "SDK fell back to an empty LangSmithInfo: /info failed or did not parse"
    cfg = _ensure_ingest_config(info)
    for key in BATCH_INGEST_KEYS:
        assert cfg[key] is not None  # the tracing thread indexes these directly
    assert cfg["size_limit"] == info.batch_ingest_config["size_limit"]


# -- authentication ---------------------------------------------------------------------

RUN_ID = str(uuid.uuid4())


def _multipart_request() -> tuple[bytes, dict]:
    boundary = new_boundary()
    body = encode_multipart(run_parts("post", new_run("unauth", project="unauth", latency=0.1)), boundary)
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def _endpoints() -> list[tuple[str, str, dict]]:
    mp_body, mp_headers = _multipart_request()
    run = new_run("unauth", project="unauth", latency=0.1)
    return [
        ("GET", "/sessions", {}),
        ("POST", "/sessions", {"json": {"name": unique("unauth")}}),
        ("POST", "/runs/query", {"json": {"limit": 1}}),
        ("POST", "/runs/multipart", {"data": mp_body, "headers": mp_headers}),
        ("POST", "/runs/batch", {"json": {"post": [run]}}),
        ("POST", "/runs", {"json": run}),
        ("PATCH", f"/runs/{RUN_ID}", {"json": {"end_time": run["start_time"]}}),
        ("GET", f"/runs/{RUN_ID}", {}),
        ("POST", "/runs/stats", {"json": {}}),
        ("PUT", f"/runs/{RUN_ID}/share", {"json": {"run_id": RUN_ID, "share_token": str(uuid.uuid4())}}),
        ("POST", "/feedback", {"json": {"run_id": RUN_ID, "key": "k", "score": 1}}),
        ("GET", "/feedback", {}),
    ]


def _bad_auth(key: str) -> dict[str, dict]:
    return {
        "none": {},
        "wrong-x-api-key": {"x-api-key": "definitely-wrong"},
        "empty-x-api-key": {"x-api-key": ""},
        "key-prefix": {"x-api-key": key[:-1]},
        "key-plus-suffix": {"x-api-key": key + "x"},
        "wrong-bearer": {"Authorization": "Bearer definitely-wrong"},
        "empty-bearer": {"Authorization": "Bearer "},
    }


BAD_AUTH_IDS = list(_bad_auth("placeholder"))


@pytest.mark.parametrize("method,path,kw", _endpoints(),
                         ids=[f"{m} {p.replace(RUN_ID, '{id}')}" for m, p, _ in _endpoints()])
@pytest.mark.parametrize("auth_id", BAD_AUTH_IDS)
def test_bad_auth_rejected(server: AnvilServer, method: str, path: str, kw: dict, auth_id: str) -> None:
    headers = {**kw.get("headers", {}), **_bad_auth(server.api_key)[auth_id]}
    r = requests.request(method, server.api("/api/v1") + path, headers=headers, timeout=10,
                         **{k: v for k, v in kw.items() if k != "headers"})
    assert_detail(r, {401, 403})


def test_bad_auth_rejected_on_every_prefix(server: AnvilServer, prefix: str) -> None:
    assert_detail(requests.get(server.url + prefix + "/sessions", timeout=5), {401, 403})
    assert_detail(requests.post(server.url + prefix + "/runs/query", json={}, timeout=5,
                                headers={"x-api-key": "wrong"}), {401, 403})


@pytest.mark.parametrize("style", ["x-api-key", "X-API-Key", "bearer"])
def test_valid_auth_forms(server: AnvilServer, prefix: str, style: str) -> None:
    # Header names are case-insensitive; the generated (v2) SDK client sends "X-API-Key".
    headers = ({style: server.api_key} if style.lower() == "x-api-key"
               else {"Authorization": f"Bearer {server.api_key}"})
    r = requests.get(server.url + prefix + "/sessions", params={"limit": 1}, headers=headers, timeout=5)
    assert r.status_code == 200, r.text
    assert isinstance(r.json(), list)


def test_rejected_ingest_is_not_stored(server: AnvilServer, api: Api) -> None:
    project = unique("unauth")
    rejected = new_run("rejected", project=project, latency=0.1, outputs={"x": 1})
    wrong = Api(server.api("/api/v1"), "wrong-key")
    assert_detail(wrong.multipart(run_parts("post", rejected)), {401, 403})
    # A later accepted run becoming visible shows the worker got past that point.
    sentinel = new_run("sentinel", project=project, latency=0.1)
    api.ingest([sentinel])
    wait_runs(api, [sentinel["id"]])
    assert api.run(rejected["id"]) is None
    names = {r["name"] for r in api.query(session=[api.project_id(project)])}
    assert names == {"sentinel"}


def test_sdk_wrong_key_raises(server: AnvilServer) -> None:
    client = langsmith.Client(api_url=server.api("/api/v1"), api_key="wrong", auto_batch_tracing=False)
    with pytest.raises(ls_utils.LangSmithError) as exc:
        list(client.list_projects(limit=1))
    assert isinstance(exc.value, ls_utils.LangSmithAuthError) or "403" in str(exc.value)


def test_sdk_wrong_key_tracing_reports_failure(server: AnvilServer) -> None:
    errors: list[BaseException] = []
    client = langsmith.Client(api_url=server.api("/api/v1"), api_key="wrong",
                              tracing_error_callback=errors.append)

    @traceable(name="wrong-key-run")
    def f(x: int) -> int:
        return x

    with tracing_context(client=client, project_name=unique("wrongkey"), enabled=True):
        f(1)
    client.flush(timeout=30)
    client.close(timeout=5)
    assert errors, "a 401/403 on ingest must surface as an SDK tracing error, not a silent success"


# -- server-side key management ---------------------------------------------------------


@pytest.mark.own_server
def test_generated_key_on_first_start(server_factory) -> None:
    srv: AnvilServer = server_factory(api_key=None)
    files = srv.generated_key_files()
    assert files, f"no file with 'key' in its name under {srv.data_dir}: {list(srv.data_dir.rglob('*'))}"
    key_file = files[0]
    mode = stat.S_IMODE(key_file.stat().st_mode)
    assert mode == 0o600, f"{key_file} has mode {oct(mode)}, want 0o600"
    key = key_file.read_text().strip()
    assert len(key) >= 16, "generated key is too short to be a secret"
    first_log = srv.log_text()
    assert key in first_log, "the generated key must be printed once on first start"

    ok = requests.get(srv.api("/api/v1") + "/sessions", headers={"x-api-key": key}, timeout=5)
    assert ok.status_code == 200, ok.text
    bearer = requests.get(srv.api("/api/v1") + "/sessions", headers={"Authorization": f"Bearer {key}"}, timeout=5)
    assert bearer.status_code == 200
    assert_detail(requests.get(srv.api("/api/v1") + "/sessions", headers={"x-api-key": key + "x"}, timeout=5),
                  {401, 403})

    # Second start: same key from the file, not printed again.
    mark = srv.log_size()
    srv.restart()
    assert key_file.read_text().strip() == key
    assert requests.get(srv.api("/api/v1") + "/sessions", headers={"x-api-key": key}, timeout=5).status_code == 200
    assert key not in srv.log_text(mark), "the key was printed again on restart"


@pytest.mark.own_server
def test_configuration_from_env_only(server_factory) -> None:
    srv: AnvilServer = server_factory(use_flags=False)
    assert srv.command()[-1] == "serve"  # no flags at all
    r = requests.get(srv.api("/api/v1") + "/sessions", headers=srv.headers, timeout=5)
    assert r.status_code == 200, r.text
    assert_detail(requests.get(srv.api("/api/v1") + "/sessions", timeout=5), {401, 403})
    api = Api(srv.api("/api/v1"), srv.api_key)
    run = new_run("env-config", project=unique("env"), latency=0.1)
    api.ingest([run])
    wait_runs(api, [run["id"]])
    assert any(srv.data_dir.iterdir()), "ANVIL_DATA_DIR was not used for storage"


def test_flags_override_environment(server_factory, tmp_path) -> None:
    """Precedence is command line > env > defaults: flags win over conflicting ANVIL_* values."""
    decoy_dir = tmp_path / "env-data-dir"
    srv: AnvilServer = server_factory(env={
        "ANVIL_PORT": "1",  # would fail to bind if it were used
        "ANVIL_DATA_DIR": str(decoy_dir),
        "ANVIL_API_KEY": "env-key-that-must-lose-0000",
    })
    r = requests.get(srv.api("/api/v1") + "/sessions", headers=srv.headers, timeout=5)
    assert r.status_code == 200, r.text
    bad = requests.get(srv.api("/api/v1") + "/sessions", headers={"x-api-key": "env-key-that-must-lose-0000"}, timeout=5)
    assert bad.status_code in (401, 403)
    assert (srv.data_dir / "traces.sqlite").exists()
    assert not decoy_dir.exists()


def test_invalid_configuration_is_rejected_at_start(anvil_bin, tmp_path) -> None:
    """A bad value stops the server at start-up with a message naming it."""
    proc = subprocess.run(
        [str(anvil_bin), "serve", "--port", "0", "--data-dir", str(tmp_path / "d"), "--log-level", "loud"],
        capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0
    assert "loud" in (proc.stdout + proc.stderr)
