"""Servers under benchmark: a fresh `anvil serve` or `phoenix serve` on a temporary data directory.

Both are measured the same way: start-to-healthy time, RSS/peak RSS and CPU seconds of the process
tree from /proc, bytes on disk, and how many runs (Anvil) or spans (Phoenix) are committed in the
store. The count reads the server's SQLite file directly (`max(rowid)` of the runs/spans table: O(1)
and never blocks the server's writer in WAL mode) so that polling it costs neither server any CPU;
each benchmark checks the final count once through the server's own API as well.

Phoenix: `phoenix serve` from its own virtualenv (`.venv-phoenix`, see `bench/requirements-phoenix.txt`)
with `PHOENIX_WORKING_DIR` on a temp dir (SQLite, its default), HTTP (UI, REST, GraphQL, OTLP/HTTP at
`/v1/traces`) on `PHOENIX_PORT`, OTLP/gRPC on `PHOENIX_GRPC_PORT`, bound to 127.0.0.1, telemetry off.
"""
from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
API_KEY = "lsv2_sk_bench_0123456789abcdef0123456789"
PHOENIX_BIN = Path(os.environ.get("PHOENIX_BIN", ROOT / ".venv-phoenix" / "bin" / "phoenix"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def proc_tree(pid: int) -> list[int]:
    pids, i = [pid], 0
    while i < len(pids):
        pids += _children(pids[i])
        i += 1
    return pids


def proc_stats(pid: int) -> dict:
    """RSS, peak RSS (bytes) and CPU seconds (user + system) of a process and its descendants."""
    rss = hwm = 0
    cpu = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for p in proc_tree(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        hwm += int(line.split()[1]) * 1024
                    elif line.startswith("VmRSS:"):
                        rss += int(line.split()[1]) * 1024
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / ticks
        except OSError:
            continue
    return {"rss": rss, "hwm": hwm, "cpu": cpu}


def du(path: str | Path) -> int:
    total = 0
    for dirpath, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(dirpath, f))
            except OSError:
                pass
    return total


def http_json(port: int, method: str, path: str, body=None, headers=None, timeout: float = 60):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    h = {"Content-Type": "application/json", **(headers or {})}
    c.request(method, path, body=None if body is None else json.dumps(body), headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, (json.loads(data) if data and r.getheader("content-type", "").startswith("application/json") else data)


class Server:
    """Common lifecycle: start, wait until healthy, stats, stop, clean up."""

    name = "server"
    health_path = "/health"

    def __init__(self, data_dir: str | None = None, keep: bool = False):
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix=f"{self.name}-bench-"))
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.keep = keep
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.startup_s = float("nan")
        self._db: sqlite3.Connection | None = None

    def command(self) -> tuple[list[str], dict]:
        raise NotImplementedError

    def start(self, timeout: float = 120) -> "Server":
        cmd, env = self.command()
        self.log = open(self.data_dir.parent / f"{self.data_dir.name}.log", "ab")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=self.log, stderr=subprocess.STDOUT)
        while time.perf_counter() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; log: {self.log.name}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                c.request("GET", self.health_path)
                if c.getresponse().status == 200:
                    self.startup_s = time.perf_counter() - t0
                    return self
            except OSError:
                pass
            time.sleep(0.005)
        raise RuntimeError(f"{self.name} did not become healthy in {timeout} s")

    def stats(self) -> dict:
        return proc_stats(self.proc.pid)

    def stop(self, timeout: float = 30) -> None:
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
            self._db = None
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def cleanup(self) -> None:
        self.stop()
        if not self.keep:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            try:
                os.unlink(self.log.name)
            except (OSError, AttributeError):
                pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    # The store, read directly.
    db_file = ""
    count_sql = ""

    def committed(self) -> int:
        """Rows committed in the main table so far (max rowid: rows are only ever added)."""
        if self._db is None:
            path = self.data_dir / self.db_file
            if not path.exists():
                return 0
            self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10, check_same_thread=False)
        try:
            return self._db.execute(self.count_sql).fetchone()[0] or 0
        except sqlite3.OperationalError:
            return 0


class Anvil(Server):
    name = "anvil"
    db_file = "traces.sqlite"
    count_sql = "SELECT max(rowid) FROM runs"

    def __init__(self, binary: str, data_dir: str | None = None, keep: bool = False, extra_args: list[str] | None = None):
        super().__init__(data_dir, keep)
        self.binary = binary
        self.extra_args = extra_args or []
        help_text = subprocess.run([binary, "serve", "--help"], capture_output=True, text=True).stdout
        self.has_otlp = "otlp-grpc-port" in help_text

    def command(self):
        cmd = [self.binary, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--data-dir", str(self.data_dir),
               "--api-key", API_KEY, "--log-level", "warning"]
        if self.has_otlp:
            cmd += ["--otlp-grpc-port", "0"]
        return cmd + self.extra_args, {}

    headers = {"x-api-key": API_KEY}

    def api(self, method: str, path: str, body=None):
        return http_json(self.port, method, "/api/v1" + path, body, self.headers)

    def project_run_count(self, project: str) -> int:
        """Runs of a project through the API (`POST /runs/stats`)."""
        status, sessions = self.api("GET", f"/sessions?name={project}&include_stats=false")
        if status != 200 or not sessions:
            return 0
        status, stats = self.api("POST", "/runs/stats", {"session": [sessions[0]["id"]]})
        return stats["run_count"]


class Phoenix(Server):
    name = "phoenix"
    health_path = "/healthz"
    db_file = "phoenix.db"
    count_sql = "SELECT max(id) FROM spans"

    def __init__(self, data_dir: str | None = None, keep: bool = False, binary: str | Path = PHOENIX_BIN):
        super().__init__(data_dir, keep)
        self.binary = str(binary)
        self.grpc_port = free_port()
        if not Path(self.binary).exists():
            raise RuntimeError(f"{self.binary} not found: install Phoenix with bench/setup-phoenix.sh")

    def command(self):
        env = {
            "PHOENIX_WORKING_DIR": str(self.data_dir), "PHOENIX_PORT": str(self.port),
            "PHOENIX_GRPC_PORT": str(self.grpc_port), "PHOENIX_HOST": "127.0.0.1",
            "PHOENIX_TELEMETRY_ENABLED": "false", "PHOENIX_LOGGING_LEVEL": "warning",
        }
        return [self.binary, "serve"], env

    def version(self) -> str:
        out = subprocess.run([str(Path(self.binary).parent / "python"), "-c",
                              "import phoenix; print(phoenix.__version__)"], capture_output=True, text=True)
        return out.stdout.strip()

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        status, data = http_json(self.port, "POST", "/graphql", {"query": query, "variables": variables or {}})
        if status != 200 or "errors" in data:
            raise RuntimeError(f"Phoenix GraphQL {status}: {data}")
        return data["data"]

    def project_span_count(self, project: str) -> int:
        """Spans of a project through Phoenix's GraphQL API (what its UI shows)."""
        data = self.graphql("{ projects { edges { node { name recordCount } } } }")
        for e in data["projects"]["edges"]:
            if e["node"]["name"] == project:
                return e["node"]["recordCount"]
        return 0
