"""`POST /datasets/{id}/runs/delta`: per-example improvements and regressions between experiments."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "ui"))
from seed import seed_dataset  # noqa: E402

from wire import Api, wait_for  # noqa: E402


def test_runs_delta_lists_improved_and_regressed_examples(server) -> None:
    api = Api(server.api("/api/v1"), server.api_key)
    seeded = seed_dataset(api)
    ds, exps, examples = seeded["dataset_id"], seeded["experiments"], seeded["example_ids"]
    baseline, candidate = exps["ui-exp-baseline"], exps["ui-exp-candidate"]

    def delta(base: str, other: str) -> dict:
        r = api.post(f"/datasets/{ds}/runs/delta", json={
            "baseline_session_id": base, "comparison_session_ids": [other], "feedback_key": "correctness"})
        assert r.status_code == 200, r.text
        return r.json()["feedback_deltas"][other]

    # Runs and feedback land through the queue: wait until every example is scored.
    wait_for(lambda: len(delta(baseline, candidate)["improved_examples"]) == 4, timeout=20)
    d = delta(baseline, candidate)
    index = {e: i for i, e in enumerate(examples)}
    assert sorted(index[e] for e in d["improved_examples"]) == [2, 4, 7, 10]
    assert sorted(index[e] for e in d["regressed_examples"]) == [1, 6]
    flipped = delta(candidate, baseline)
    assert sorted(index[e] for e in flipped["improved_examples"]) == [1, 6]
    assert sorted(index[e] for e in flipped["regressed_examples"]) == [2, 4, 7, 10]
    r = api.post(f"/datasets/{ds}/runs/delta", json={"baseline_session_id": baseline, "feedback_key": "correctness",
                                                      "comparison_session_ids": ["00000000-0000-4000-8000-000000000000"]})
    assert r.status_code == 404 and "detail" in r.json()
