"""Fixtures for the Anvil end-to-end suite.

* `server`: one shared `anvil serve` for the session (own temp data dir, fixed API key).
  Tests isolate themselves with unique project names, never by resetting the server.
* `server_factory`: private servers for tests that need a fresh data dir, a generated
  key, env-only configuration or kill -9.
* `sdk` / `make_sdk`: a real `langsmith.Client` with explicit api_url/api_key, whose
  requests are recorded so tests can assert which endpoint/encoding the SDK used and
  that every ingest request got a 2xx.
* `prefix`: parametrises "", "/api", "/api/v1" for prefix coverage.
* On failure, the server log written during the test is attached to the report.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Optional
from urllib.parse import urlsplit

import pytest
import requests

import langsmith
from langsmith import run_trees as ls_run_trees
from langsmith import utils as ls_utils

from anvil_server import AnvilServer, anvil_binary
from wire import Api, new_run, unique, wait_runs

INGEST_PATH_SUFFIXES = ("/runs/multipart", "/runs/batch", "/runs", "/feedback")

# Full batch_ingest_config: the SDK indexes all of these keys directly once the object is
# present (wire doc §3.3 gotcha), so a test `info` must carry all six.
FULL_BATCH_INGEST_CONFIG = {
    "use_multipart_endpoint": True,
    "size_limit": 100,
    "size_limit_bytes": 20_971_520,
    "scale_up_nthreads_limit": 16,
    "scale_up_qsize_trigger": 1000,
    "scale_down_nempty_trigger": 4,
}


# -- binary / servers -------------------------------------------------------------------


@pytest.fixture(scope="session")
def anvil_bin() -> Path:
    path = anvil_binary()
    if not path.exists():
        pytest.exit(
            f"anvil binary not found at {path}: build it (`swift build`) or point ANVIL_BIN at it",
            returncode=4,
        )
    return path


@pytest.fixture(scope="session")
def server(anvil_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnvilServer]:
    root = tmp_path_factory.mktemp("anvil-shared")
    srv = AnvilServer(root / "data", root / "anvil.log", api_key="e2e-" + uuid.uuid4().hex, binary=anvil_bin)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def server_factory(anvil_bin: Path, tmp_path: Path) -> Iterator[Callable[..., AnvilServer]]:
    """Make private servers: server_factory(api_key=..., env=..., use_flags=..., start=True)."""
    made: list[AnvilServer] = []

    def make(*, api_key: Optional[str] = "k-" + uuid.uuid4().hex, start: bool = True,
             data_dir: Optional[Path] = None, **kw: Any) -> AnvilServer:
        n = len(made)
        srv = AnvilServer(data_dir or tmp_path / f"data{n}", tmp_path / f"anvil{n}.log",
                          api_key=api_key, binary=anvil_bin, **kw)
        made.append(srv)
        if start:
            srv.start()
        return srv

    yield make
    for srv in made:
        if srv.is_running():
            srv.stop()


@pytest.fixture(autouse=True)
def _mark_server_logs(request: pytest.FixtureRequest) -> None:
    request.node._anvil_log_marks = {id(s): s.log_size() for s in AnvilServer.instances}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    rep = outcome.get_result()
    if not rep.failed:
        return
    marks = getattr(item, "_anvil_log_marks", {})
    for srv in AnvilServer.instances:
        text = srv.log_text(marks.get(id(srv), 0))
        if text.strip():
            rep.sections.append((f"anvil server log {srv.log_path} ({rep.when})", text[-30000:]))


# -- prefixes / raw API -----------------------------------------------------------------

PREFIXES = ["", "/api", "/api/v1"]


@pytest.fixture(params=PREFIXES, ids=["root", "api", "api-v1"])
def prefix(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def api(server: AnvilServer) -> Api:
    return Api(server.api("/api/v1"), server.api_key)


@pytest.fixture
def project() -> str:
    return unique("e2e-proj")


def assert_server_alive(srv: AnvilServer, api: Api) -> None:
    """The server still answers /health and a valid ingest still becomes queryable."""
    assert srv.is_running(), f"server process exited ({srv.proc.returncode if srv.proc else None})"
    assert requests.get(srv.url + "/health", timeout=5).status_code == 200
    run = new_run("alive-probe", project=unique("alive"), latency=0.01, outputs={"ok": True})
    api.ingest([run])
    wait_runs(api, [run["id"]], pred=lambda r: r.get("outputs") == {"ok": True})


# -- langsmith env isolation ------------------------------------------------------------


def _clear_langsmith_caches() -> None:
    # get_env_var and get_tracer_project are lru_cached: without this a value read by an
    # earlier test (endpoint, key, project, tracing flag) leaks into the next one.
    ls_utils.get_env_var.cache_clear()
    ls_utils.get_tracer_project.cache_clear()


@pytest.fixture(autouse=True)
def _isolated_langsmith_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for k in list(os.environ):
        if k.startswith(("LANGSMITH_", "LANGCHAIN_")):
            monkeypatch.delenv(k)
    # Keep any ~/.langsmith profile (keys, endpoints) out of the picture.
    monkeypatch.setenv("LANGSMITH_CONFIG_FILE", "/nonexistent/anvil-e2e/langsmith-config.json")
    # A fresh global client per test; the default one is built from env on first use.
    monkeypatch.setattr(ls_run_trees, "_CLIENT", None)
    _clear_langsmith_caches()
    yield
    _clear_langsmith_caches()


def set_langsmith_env(monkeypatch: pytest.MonkeyPatch, endpoint: str, api_key: Optional[str],
                      project: Optional[str] = None) -> None:
    monkeypatch.setenv("LANGSMITH_TRACING", "true")
    monkeypatch.setenv("LANGSMITH_ENDPOINT", endpoint)
    if api_key is not None:
        monkeypatch.setenv("LANGSMITH_API_KEY", api_key)
    if project is not None:
        monkeypatch.setenv("LANGSMITH_PROJECT", project)
    _clear_langsmith_caches()


# -- recorded SDK client ----------------------------------------------------------------


@dataclass
class Call:
    method: str
    url: str
    status: int
    request_headers: dict[str, str]
    body: Optional[bytes]

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def is_ingest(self) -> bool:
        return self.method in ("POST", "PATCH") and (
            self.path.endswith(INGEST_PATH_SUFFIXES) or "/runs/" in self.path and self.method == "PATCH"
        )


@dataclass
class Sdk:
    """A langsmith.Client plus the requests it made and any tracing errors it reported."""

    client: langsmith.Client
    calls: list[Call] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)

    def flush(self, timeout: float = 30) -> None:
        """Drain the SDK's queues and require every ingest request to have succeeded."""
        self.client.flush(timeout=timeout)
        assert not self.errors, f"SDK reported tracing errors: {self.errors!r}"
        bad = [(c.method, c.path, c.status) for c in self.calls if c.is_ingest and not c.ok]
        assert not bad, f"ingest requests failed: {bad}"

    def ingest_calls(self, suffix: str) -> list[Call]:
        return [c for c in self.calls if c.method in ("POST", "PATCH") and c.path.endswith(suffix)]


def _recording_session(calls: list[Call]) -> requests.Session:
    session = requests.Session()

    def hook(resp: requests.Response, *args: Any, **kwargs: Any) -> None:
        req = resp.request
        body = req.body if isinstance(req.body, (bytes, bytearray)) else None
        calls.append(Call(req.method or "", req.url or "", resp.status_code, dict(req.headers),
                          bytes(body) if body is not None else None))

    session.hooks["response"].append(hook)
    return session


@pytest.fixture
def make_sdk(server: AnvilServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Sdk]]:
    """make_sdk(prefix="/api/v1", srv=server, from_env=False, **Client kwargs) -> Sdk.

    The env (LANGSMITH_TRACING/ENDPOINT/API_KEY) is pointed at the same server, so code
    that builds its own default client lands in the same place. `from_env=True` builds
    the Client from that env alone (no api_url/api_key arguments).
    """
    made: list[Sdk] = []

    def make(prefix: str = "/api/v1", srv: Optional[AnvilServer] = None, *, from_env: bool = False,
             **kwargs: Any) -> Sdk:
        srv = srv or server
        sdk = Sdk(client=None)  # type: ignore[arg-type]
        set_langsmith_env(monkeypatch, srv.api(prefix), kwargs.get("api_key", srv.api_key))
        if not from_env:  # explicit api_url/api_key, as the brief asks; env only when requested
            kwargs.setdefault("api_key", srv.api_key)
            kwargs["api_url"] = srv.api(prefix)
        sdk.client = langsmith.Client(
            session=_recording_session(sdk.calls),
            tracing_error_callback=sdk.errors.append,
            **kwargs,
        )
        made.append(sdk)
        return sdk

    yield make
    for sdk in made:
        try:
            sdk.client.close(timeout=10)
        except Exception:  # teardown must not mask the test's own result
            pass


@pytest.fixture
def sdk(make_sdk: Callable[..., Sdk]) -> Sdk:
    """The SDK as documented for self-hosting: LANGSMITH_ENDPOINT=http://host/api/v1."""
    return make_sdk("/api/v1")


@pytest.fixture
def client(sdk: Sdk) -> langsmith.Client:
    return sdk.client
