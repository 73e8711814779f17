"""Starts, stops and kills `anvil serve` processes for the end-to-end suite.

Each server gets a free port, its own data directory and a log file that receives the
process's stdout and stderr (appended across restarts, so a crash test's log shows every
incarnation). The conftest prints the part of the log written during a failing test.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import ClassVar, Optional

import requests

DEFAULT_BINARY = "/work/main/.build/debug/anvil"
STARTUP_TIMEOUT_S = float(os.environ.get("ANVIL_E2E_STARTUP_TIMEOUT", "60"))


def anvil_binary() -> Path:
    return Path(os.environ.get("ANVIL_BIN", DEFAULT_BINARY))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerStartError(RuntimeError):
    pass


class AnvilServer:
    """One `anvil serve` process bound to 127.0.0.1.

    `api_key=None` starts the server without a key so that it generates one; read it
    back with `generated_key_file()` / the log. `env` adds environment variables; with
    `use_flags=False` the host/port/data dir/key are passed only through `ANVIL_*` env.
    """

    instances: ClassVar[list["AnvilServer"]] = []

    def __init__(
        self,
        data_dir: Path,
        log_path: Path,
        *,
        api_key: Optional[str],
        port: Optional[int] = None,
        env: Optional[dict[str, str]] = None,
        use_flags: bool = True,
        binary: Optional[Path] = None,
    ) -> None:
        self.binary = binary or anvil_binary()
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = Path(log_path)
        self.api_key = api_key
        self.port = port or free_port()
        # Every server gets its own OTLP/gRPC port too, so servers can run side by side.
        self.grpc_port = free_port()
        self.extra_env = dict(env or {})
        self.use_flags = use_flags
        self.proc: Optional[subprocess.Popen] = None
        self.starts = 0
        AnvilServer.instances.append(self)

    # -- addresses ---------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Root URL, no prefix: http://127.0.0.1:PORT"""
        return f"http://127.0.0.1:{self.port}"

    def api(self, prefix: str = "/api/v1") -> str:
        return self.url + prefix

    @property
    def headers(self) -> dict[str, str]:
        return {"x-api-key": self.api_key} if self.api_key else {}

    # -- lifecycle ---------------------------------------------------------------------

    def command(self) -> list[str]:
        cmd = [str(self.binary), "serve"]
        if self.use_flags:
            cmd += ["--host", "127.0.0.1", "--port", str(self.port), "--data-dir", str(self.data_dir),
                    "--otlp-grpc-port", str(self.grpc_port)]
            if self.api_key:
                cmd += ["--api-key", self.api_key]
        return cmd

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANVIL_")}
        if not self.use_flags:
            env.update(
                ANVIL_HOST="127.0.0.1",
                ANVIL_PORT=str(self.port),
                ANVIL_DATA_DIR=str(self.data_dir),
                ANVIL_OTLP_GRPC_PORT=str(self.grpc_port),
            )
            if self.api_key:
                env["ANVIL_API_KEY"] = self.api_key
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = STARTUP_TIMEOUT_S) -> "AnvilServer":
        if self.proc is not None and self.proc.poll() is None:
            raise ServerStartError("server already running")
        if not self.binary.exists():
            raise ServerStartError(f"anvil binary not found at {self.binary} (set ANVIL_BIN or run `swift build`)")
        self.starts += 1
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== start #{self.starts}: {' '.join(self.command())}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                self.command(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.environment(),
                # Own process group: a Ctrl-C on pytest must not reach the server first,
                # and kill9() targets exactly this pid.
                start_new_session=True,
            )
        self.wait_healthy(timeout)
        return self

    def wait_healthy(self, timeout: float = STARTUP_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        last: object = None
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise ServerStartError(
                    f"anvil exited with {self.proc.returncode} during start-up\n{self.log_tail()}"
                )
            try:
                r = requests.get(self.url + "/health", timeout=2)
                if r.status_code == 200:
                    return
                last = f"HTTP {r.status_code}: {r.text[:200]}"
            except requests.RequestException as e:
                last = e
            time.sleep(0.05)
        raise ServerStartError(f"anvil not healthy after {timeout}s (last: {last})\n{self.log_tail()}")

    def is_running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 15) -> Optional[int]:
        """SIGTERM, then SIGKILL if it has not exited within `timeout`. Returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        return self.proc.returncode

    def kill9(self) -> None:
        assert self.proc is not None and self.proc.poll() is None, "server is not running"
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def restart(self, timeout: float = STARTUP_TIMEOUT_S) -> "AnvilServer":
        """Start again on the same port and data dir (after stop() or kill9())."""
        if self.is_running():
            self.stop()
        # The old socket may linger briefly; retry the bind a few times.
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.start(timeout=max(1.0, deadline - time.monotonic()))
            except ServerStartError:
                if time.monotonic() >= deadline or "address already in use" not in self.log_tail().lower():
                    raise
                time.sleep(0.2)

    # -- logs --------------------------------------------------------------------------

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except FileNotFoundError:
            return 0

    def log_text(self, since: int = 0) -> str:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(since)
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, nbytes: int = 6000) -> str:
        size = self.log_size()
        return self.log_text(max(0, size - nbytes))

    def generated_key_files(self) -> list[Path]:
        """Files in the data dir whose name mentions 'key' (where a generated key lives)."""
        return sorted(p for p in self.data_dir.rglob("*") if p.is_file() and "key" in p.name.lower())
