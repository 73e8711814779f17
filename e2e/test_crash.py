"""Durability: every acknowledged run survives kill -9, exactly once and complete.

A sender thread posts steady raw multipart batches and records exactly which runs got a
2xx (and whether that request carried their outputs). The server is killed with SIGKILL
mid-stream, restarted on the same data dir, killed again while it is replaying, and
restarted; then every acknowledged run must be queryable once, with outputs whenever an
acknowledged request carried them. Select with `-m crash`.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Optional

import pytest
import requests

from anvil_server import AnvilServer
from wire import Api, new_run, patch_of, run_parts, unique, wait_for

pytestmark = [pytest.mark.crash, pytest.mark.own_server, pytest.mark.timeout(600)]

REPLAY_TIMEOUT_S = 60.0


@dataclass(repr=False)
class Ledger:
    sent: set[str] = field(default_factory=set)         # ids in any request we sent
    acked: set[str] = field(default_factory=set)        # ids in a request that got a 2xx
    acked_outputs: dict[str, dict] = field(default_factory=dict)  # id -> outputs in an acked request
    requests_ok: int = 0
    requests_failed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __repr__(self) -> str:  # keep failure reports readable
        return (f"Ledger(sent={len(self.sent)}, acked={len(self.acked)}, with_outputs={len(self.acked_outputs)}, "
                f"requests_ok={self.requests_ok}, requests_failed={self.requests_failed})")


class Sender(threading.Thread):
    """Posts batches of runs in three shapes, forever, until stopped.

    * complete: one post carrying end_time and outputs (the SDK's merged form);
    * open: a post without outputs, patched (with outputs) in the NEXT request;
    * pair: post and patch of the same run in one request (the zstd-mode shape).
    """

    def __init__(self, api: Api, project: str, ledger: Ledger, batch: int = 6) -> None:
        super().__init__(daemon=True)
        self.api, self.project, self.ledger, self.batch = api, project, ledger, batch
        self.stop_flag = threading.Event()
        self.pending_patches: list[dict] = []
        self.seq = 0

    def one_request(self) -> None:
        parts, ids, outputs = [], [], {}
        patches, self.pending_patches = self.pending_patches, []
        for p in patches:
            parts += run_parts("patch", p)
            outputs[p["id"]] = p["outputs"]
        opened = []
        for _ in range(self.batch):
            self.seq += 1
            kind = self.seq % 3
            out = {"seq": self.seq, "payload": "x" * 200}
            if kind == 0:
                run = new_run(f"c{self.seq}", project=self.project, latency=0.01, outputs=out)
                parts += run_parts("post", run)
                outputs[run["id"]] = out
            elif kind == 1:
                run = new_run(f"o{self.seq}", project=self.project, inputs={"seq": self.seq})
                parts += run_parts("post", run)
                opened.append(patch_of(run, latency=0.02, outputs=out))
            else:
                run = new_run(f"p{self.seq}", project=self.project, inputs={"seq": self.seq})
                parts += run_parts("post", run) + run_parts("patch", patch_of(run, latency=0.01, outputs=out))
                outputs[run["id"]] = out
            ids.append(run["id"])
        with self.ledger.lock:
            self.ledger.sent.update(ids)
        try:
            resp = self.api.multipart(parts)
            ok = 200 <= resp.status_code < 300
        except requests.RequestException:
            ok = False
        with self.ledger.lock:
            if ok:
                self.ledger.requests_ok += 1
                self.ledger.acked.update(ids)
                self.ledger.acked_outputs.update(outputs)
            else:
                self.ledger.requests_failed += 1
        # Patch only runs whose post was acknowledged; a failed request's patches are
        # retried, like a client would, so "acked patch => outputs present" stays checkable.
        self.pending_patches = opened if ok else patches

    def run(self) -> None:
        while not self.stop_flag.is_set():
            self.one_request()


def _wait_acked(ledger: Ledger, n: int, timeout: float = 60) -> None:
    wait_for(lambda: ledger.requests_ok >= n, timeout=timeout, message=f"{n} acknowledged requests")


def _query_ids(api: Api, session: str, ids: list[str]) -> list[dict]:
    out: list[dict] = []
    for i in range(0, len(ids), 100):
        out += api.query(session=[session], id=ids[i : i + 100], limit=100, select=["id", "name", "outputs"])
    return out


def _verify(api: Api, project: str, ledger: Ledger) -> None:
    project_id = api.project_id(project)
    acked = sorted(ledger.acked)

    def all_acked_complete() -> Optional[list[dict]]:
        runs = _query_ids(api, project_id, acked)
        by_id = {r["id"]: r for r in runs}
        if set(by_id) != set(acked):
            return None
        if any(by_id[rid].get("outputs") != out for rid, out in ledger.acked_outputs.items()):
            return None
        return runs

    try:
        runs = wait_for(all_acked_complete, timeout=REPLAY_TIMEOUT_S, message="every acked run, complete")
    except AssertionError:
        runs = _query_ids(api, project_id, acked)
        by_id = {r["id"]: r for r in runs}
        missing = sorted(set(acked) - set(by_id))
        incomplete = sorted(rid for rid, out in ledger.acked_outputs.items()
                            if rid in by_id and by_id[rid].get("outputs") != out)
        raise AssertionError(f"{len(missing)} acknowledged runs missing (e.g. {missing[:5]}), "
                             f"{len(incomplete)} without their acknowledged outputs (e.g. {incomplete[:5]})") from None

    ids = [r["id"] for r in runs]
    assert len(ids) == len(set(ids)), "a run id came back twice from an id query"

    # Let anything still queued drain: a later run becoming visible means earlier work is done.
    sentinel = new_run("sentinel", project=project, latency=0.01, outputs={"last": True})
    api.ingest([sentinel])
    wait_for(lambda: api.run(sentinel["id"]), timeout=REPLAY_TIMEOUT_S, message="sentinel")

    everything = [r["id"] for r in api.query(session=[project_id], limit=100, select=["id"])]
    dupes = {i for i in everything if everything.count(i) > 1}
    assert not dupes, f"{len(dupes)} runs stored more than once, e.g. {sorted(dupes)[:5]}"
    stored = set(everything) - {sentinel["id"]}
    assert set(acked) <= stored
    assert stored <= ledger.sent, "runs appeared that were never sent"
    stats = api.post("/runs/stats", json={"session": [project_id]}).json()
    assert stats["run_count"] == len(everything), "stats disagree with the stored runs"


def test_kill9_mid_stream_loses_no_acknowledged_run(server_factory) -> None:
    srv: AnvilServer = server_factory()
    api = Api(srv.api("/api/v1"), srv.api_key, timeout=5)
    project = unique("crash")
    ledger = Ledger()

    # Round 1: kill while batches are streaming in.
    sender = Sender(api, project, ledger)
    sender.start()
    _wait_acked(ledger, 25)
    srv.kill9()
    sender.stop_flag.set()
    sender.join(30)
    assert not sender.is_alive()
    acked_before_restart = len(ledger.acked)

    # Round 2: restart, stream more, kill again right away (while the queue replays).
    srv.restart()
    sender = Sender(api, project, ledger)
    sender.seq = 10_000_000  # distinct names
    sender.start()
    _wait_acked(ledger, ledger.requests_ok + 10)
    srv.kill9()
    sender.stop_flag.set()
    sender.join(30)

    srv.restart()
    srv.kill9()  # during start-up replay
    srv.restart()

    assert acked_before_restart > 0
    _verify(api, project, ledger)


def test_sigterm_drains_and_keeps_acknowledged_runs(server_factory) -> None:
    srv: AnvilServer = server_factory()
    api = Api(srv.api("/api/v1"), srv.api_key, timeout=5)
    project = unique("sigterm")
    ledger = Ledger()
    sender = Sender(api, project, ledger)
    sender.start()
    _wait_acked(ledger, 15)
    t0 = time.monotonic()
    code = srv.stop(timeout=20)
    sender.stop_flag.set()
    sender.join(30)
    assert code == 0, f"graceful shutdown exited with {code}"
    assert time.monotonic() - t0 < 20, "SIGTERM shutdown took too long"
    srv.restart()
    _verify(api, project, ledger)


def test_sigterm_after_ingest_exits_cleanly(server_factory) -> None:
    """SIGTERM once the worker has processed everything: exit status 0, every time."""
    srv: AnvilServer = server_factory(start=False)
    api = Api(srv.api("/api/v1"), srv.api_key)
    codes = []
    for i in range(3):
        srv.restart()
        run = new_run(f"idle-{i}", project=unique("idle"), latency=0.1, outputs={"i": i})
        api.ingest([run])
        wait_for(lambda: api.run(run["id"]), message="run stored")
        codes.append(srv.stop(timeout=20))
    assert codes == [0, 0, 0], f"exit statuses after SIGTERM: {codes}"


def test_restart_keeps_projects_feedback_and_sharing(server_factory) -> None:
    srv: AnvilServer = server_factory()
    api = Api(srv.api("/api/v1"), srv.api_key)
    project = unique("persist")
    run = new_run("persisted", project=project, latency=0.2, outputs={"ok": 1})
    api.ingest([run])
    wait_for(lambda: api.run(run["id"]), message="run")
    fid, token = str(uuid.uuid4()), str(uuid.uuid4())
    assert api.post("/feedback", json={"id": fid, "run_id": run["id"], "key": "kept", "score": 1}).status_code < 300
    assert api.put(f"/runs/{run['id']}/share", json={"run_id": run["id"], "share_token": token}).status_code == 200
    wait_for(lambda: api.get(f"/feedback/{fid}").status_code == 200, message="feedback")

    srv.kill9()
    srv.restart()

    assert api.run(run["id"])["outputs"] == {"ok": 1}
    assert api.project(project) is not None
    assert api.get(f"/feedback/{fid}").json()["key"] == "kept"
    assert requests.get(f"{srv.api('/api/v1')}/public/{token}/run", timeout=10).json()["id"] == run["id"]
