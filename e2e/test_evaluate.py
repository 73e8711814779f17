"""LangSmith's own evaluation flows against Anvil, checked through the API afterwards:
`evaluate` / `aevaluate` (experiment project, target runs with `reference_example_id`, row
feedback through the multipart queue, summary feedback, experiment stats and results),
`evaluate_existing`, repetitions, evaluator and target errors, evaluating a dataset version,
attachments in targets, and comparative (pairwise) experiments.

Dataset used by most tests (3 examples): q "a" / "bb" / "ccc", reference {"len": len(q)}.
`target` answers len(q) except 0 for "ccc", so `exact` scores 1, 1, 0 (avg 2/3),
`closeness` scores 1, 1, 0.25 (avg 0.75) and the summary `accuracy` is 2/3.
"""

from __future__ import annotations

import asyncio
from typing import Any, Optional

import pytest

import langsmith
from langsmith import aevaluate, evaluate
from langsmith import schemas as ls_schemas
from langsmith.evaluation import evaluate_existing

from conftest import Sdk
from evalhelp_datasets import PNG, add_examples, info_without_zstd, new_dataset
from wire import Api, as_utc, parse_time, unique, wait_for, wait_runs

EVAL_WAIT_S = 30.0
QS = ("a", "bb", "ccc")
EXACT = {"a": 1, "bb": 1, "ccc": 0}
CLOSENESS = {"a": 1.0, "bb": 1.0, "ccc": 0.25}
ACCURACY = round(2 / 3, 4)  # the SDK rounds float feedback scores to 4 places (client.py:735-747)


# -- targets and evaluators (module level: the SDK reads their source for feedback keys) ---


def target(inputs: dict) -> dict:
    q = inputs["q"]
    return {"len": len(q) if q != "ccc" else 0}


async def atarget(inputs: dict) -> dict:
    await asyncio.sleep(0)
    return target(inputs)


def exact(run, example) -> dict:
    return {"key": "exact", "score": int((run.outputs or {}).get("len") == example.outputs["len"])}


async def aexact(run, example) -> dict:
    await asyncio.sleep(0)
    return {"key": "exact", "score": int((run.outputs or {}).get("len") == example.outputs["len"])}


def closeness(outputs: dict, reference_outputs: dict) -> dict:
    return {"key": "closeness", "score": 1.0 / (1 + abs(outputs["len"] - reference_outputs["len"]))}


def accuracy(runs, examples) -> dict:
    correct = sum((r.outputs or {}).get("len") == e.outputs["len"] for r, e in zip(runs, examples))
    return {"key": "accuracy", "score": correct / len(runs)}


def flaky(run, example) -> dict:
    if example.inputs["q"] == "bb":
        raise ValueError("evaluator exploded")
    return {"key": "flaky", "score": 1}


def failing_target(inputs: dict) -> dict:
    if inputs["q"] == "ccc":
        raise RuntimeError("target failed on ccc")
    return target(inputs)


def long_target(inputs: dict) -> dict:
    return {"answer": inputs["q"] * 2}


def short_target(inputs: dict) -> dict:
    return {"answer": inputs["q"]}


def preference(runs: list, example) -> dict:
    best = max(runs, key=lambda r: len(r.outputs["answer"]))
    return {"key": "preference", "scores": {r.id: (1 if r.id == best.id else 0) for r in runs}}


def attachment_target(inputs: dict, attachments: dict) -> dict:
    data = attachments["image"]["reader"].read()
    return {"size": len(data), "png": data.startswith(b"\x89PNG"), "mime": attachments["image"]["mime_type"]}


# -- helpers ----------------------------------------------------------------------------


def qa_dataset(client: langsmith.Client, prefix: str = "eval") -> tuple[ls_schemas.Dataset, dict[str, Any]]:
    ds = new_dataset(client, prefix)
    add_examples(client, ds.id, [{"inputs": {"q": q}, "outputs": {"len": len(q)}} for q in QS])
    by_q = {e.inputs["q"]: e for e in client.list_examples(dataset_id=ds.id)}
    assert set(by_q) == set(QS)
    return ds, by_q


def experiment_runs(client: langsmith.Client, project_id: Any, n: int) -> list:
    """Wait until the experiment has exactly n finished root runs that carry reference_example_id."""
    def ready():
        runs = list(client.list_runs(project_id=project_id, is_root=True))
        state = [(str(r.id)[:8], r.reference_example_id is not None, r.end_time is not None) for r in runs]
        assert len(runs) == n and all(r.end_time and r.reference_example_id for r in runs), \
            f"want {n} finished root runs with reference_example_id, have {state}"
        return runs
    return wait_for(ready, timeout=EVAL_WAIT_S, message=f"{n} experiment runs")


def feedback_on(client: langsmith.Client, run_ids: list, n: int, **kw: Any) -> list:
    def ready():
        fbs = list(client.list_feedback(run_ids=run_ids, **kw))
        assert len(fbs) == n, f"want {n} feedback, have {[(f.key, f.score, str(f.run_id)[:8]) for f in fbs]}"
        return fbs
    return wait_for(ready, timeout=EVAL_WAIT_S, message=f"{n} feedback")


def project_stats(client: langsmith.Client, project_id: Any, pred) -> ls_schemas.TracerSessionResult:
    def ready():
        p = client.read_project(project_id=project_id, include_stats=True)
        assert pred(p), f"run_count={p.run_count} feedback_stats={p.feedback_stats} " \
                        f"session_feedback_stats={p.session_feedback_stats}"
        return p
    return wait_for(ready, timeout=EVAL_WAIT_S, message="experiment stats")


def _n(stats: Optional[dict], key: str) -> Optional[int]:
    return ((stats or {}).get(key) or {}).get("n")


def close(a: Optional[float], b: float) -> bool:
    return a is not None and abs(a - b) < 1e-9


# -- evaluate ---------------------------------------------------------------------------


def test_evaluate_end_to_end(make_sdk, api: Api) -> None:
    sdk: Sdk = make_sdk(info=info_without_zstd(api))
    client = sdk.client
    ds, by_q = qa_dataset(client)
    prefix = unique("exp")
    results = evaluate(target, data=ds.name, evaluators=[exact, closeness], summary_evaluators=[accuracy],
                       experiment_prefix=prefix, metadata={"model": "len-v1"}, description="e2e run", client=client)
    rows = list(results)
    sdk.flush()
    assert len(rows) == 3 and {r["example"].id for r in rows} == {e.id for e in by_q.values()}
    name = results.experiment_name
    assert name.startswith(prefix + "-")

    # The experiment project.
    project = client.read_project(project_name=name)
    assert project.id == results.experiment_id
    assert project.reference_dataset_id == ds.id
    assert project.description == "e2e run"
    md = project.metadata
    assert md["model"] == "len-v1" and md["__ls_runner"] == "py_sdk_evaluate"
    assert md["num_repetitions"] == 1
    assert sorted(md["dataset_splits"]) == ["base"]
    assert parse_time(md["dataset_version"]) == max(as_utc(e.modified_at) for e in by_q.values())
    assert [p.id for p in client.list_projects(reference_dataset_id=ds.id)] == [project.id]

    # One root run per example, linked to it.
    runs = experiment_runs(client, project.id, 3)
    by_example = {r.reference_example_id: r for r in runs}
    assert set(by_example) == {e.id for e in by_q.values()}
    for q, ex in by_q.items():
        run = by_example[ex.id]
        assert run.name == "Target" and run.inputs == {"q": q} and run.outputs == target({"q": q})
        assert run.error is None and run.session_id == project.id
        assert parse_time(run.metadata["example_version"]) == as_utc(ex.modified_at)

    # Row feedback: sent as multipart `feedback.<id>` parts, on the target runs, with the scores.
    assert any(c.body and b'name="feedback.' in c.body for c in sdk.ingest_calls("/runs/multipart")), \
        "row feedback should travel through /runs/multipart"
    fbs = feedback_on(client, [r.id for r in runs], 6)
    for fb in fbs:
        q = next(q for q, ex in by_q.items() if by_example[ex.id].id == fb.run_id)
        expected = {"exact": EXACT, "closeness": CLOSENESS}[fb.key][q]
        assert close(fb.score, expected), (fb.key, q, fb.score)
        assert fb.trace_id == fb.run_id and fb.session_id == project.id
        assert fb.feedback_source is not None and fb.feedback_source.type == "model"
    # Each feedback points at its evaluator run, traced to the "evaluators" project.
    fb = next(f for f in fbs if f.key == "exact")
    evaluator_run_id = fb.feedback_source.metadata["__run"]["run_id"]
    ev = wait_runs(api, [evaluator_run_id])[evaluator_run_id]
    ev_meta = (ev.get("extra") or {}).get("metadata") or {}
    assert ev_meta.get("reference_run_id") == str(fb.run_id) and ev_meta.get("experiment") == name
    assert ev["session_id"] == api.project_id("evaluators")

    # Summary feedback: on the experiment, not on a run.
    summary = wait_for(lambda: [f for f in client.list_feedback(session=[str(project.id)], feedback_key=["accuracy"])],
                       timeout=EVAL_WAIT_S, message="summary feedback")
    assert len(summary) == 1 and summary[0].run_id is None and close(summary[0].score, ACCURACY)

    # Aggregates.
    p = project_stats(client, project.id, lambda p: p.run_count == 3 and _n(p.feedback_stats, "exact") == 3
                      and _n(p.feedback_stats, "closeness") == 3 and _n(p.session_feedback_stats, "accuracy") == 1)
    assert close(p.feedback_stats["exact"]["avg"], 2 / 3)
    assert close(p.feedback_stats["closeness"]["avg"], 0.75)
    assert close(p.session_feedback_stats["accuracy"]["avg"], ACCURACY)
    assert "accuracy" not in p.feedback_stats, "summary feedback is session-level, not run-level"

    res = client.get_experiment_results(name=name)
    assert res["run_stats"]["run_count"] == 3
    fs = res["feedback_stats"]
    assert close(fs["exact"]["avg"], 2 / 3) and close(fs["closeness"]["avg"], 0.75)
    assert close(fs["accuracy"]["avg"], ACCURACY), "get_experiment_results merges session_feedback_stats"
    ewr = list(res["examples_with_runs"])
    assert sorted(e.id for e in ewr) == sorted(e.id for e in by_q.values())
    for e in ewr:
        assert len(e.runs) == 1, f"example {e.id} has {len(e.runs)} runs"
        run = e.runs[0]
        assert run.reference_example_id == e.id and run.session_id == project.id
        assert run.outputs == target(e.inputs) and e.outputs == {"len": len(e.inputs["q"])}

    got = client.read_dataset(dataset_id=ds.id)
    assert got.session_count == 1, f"dataset session_count {got.session_count}"
    assert got.last_session_start_time is not None


def test_get_test_results(sdk: Sdk) -> None:
    client = sdk.client
    ds, by_q = qa_dataset(client, "eval-df")
    results = evaluate(target, data=ds.name, evaluators=[exact], client=client, experiment_prefix=unique("df"))
    list(results)
    sdk.flush()
    runs = experiment_runs(client, results.experiment_id, 3)
    feedback_on(client, [r.id for r in runs], 3)
    df = client.get_test_results(project_name=results.experiment_name)
    assert len(df) == 3
    # The SDK returns a flat frame (json_normalize), one row per run: find each by its input.
    assert sorted(df["input.q"]) == sorted(by_q)
    for q in by_q:
        row = df[df["input.q"] == q].iloc[0]
        assert row["outputs.len"] == target({"q": q})["len"]
        assert row["reference.len"] == len(q) and row["feedback.exact"] == EXACT[q]


def test_aevaluate(sdk: Sdk) -> None:
    client = sdk.client
    ds, by_q = qa_dataset(client, "aeval")
    prefix = unique("aexp")

    async def run() -> tuple[Any, list]:
        results = await aevaluate(atarget, data=ds.name, evaluators=[aexact, closeness],
                                  summary_evaluators=[accuracy], experiment_prefix=prefix, client=client,
                                  max_concurrency=2)
        return results, [r async for r in results]

    results, rows = asyncio.run(run())
    sdk.flush()
    assert len(rows) == 3
    project = client.read_project(project_name=results.experiment_name)
    assert project.reference_dataset_id == ds.id and project.name.startswith(prefix + "-")
    runs = experiment_runs(client, project.id, 3)
    assert {r.reference_example_id for r in runs} == {e.id for e in by_q.values()}
    fbs = feedback_on(client, [r.id for r in runs], 6)
    exact_scores = sorted(f.score for f in fbs if f.key == "exact")
    assert exact_scores == [0, 1, 1]
    p = project_stats(client, project.id, lambda p: p.run_count == 3 and _n(p.feedback_stats, "exact") == 3
                      and _n(p.session_feedback_stats, "accuracy") == 1)
    assert close(p.feedback_stats["exact"]["avg"], 2 / 3)
    assert close(p.session_feedback_stats["accuracy"]["avg"], ACCURACY)


def test_evaluate_existing_adds_feedback(sdk: Sdk) -> None:
    client = sdk.client
    ds, by_q = qa_dataset(client, "eval-existing")
    results = evaluate(target, data=ds.name, evaluators=[exact], client=client, experiment_prefix=unique("exist"))
    list(results)
    sdk.flush()
    runs = experiment_runs(client, results.experiment_id, 3)
    feedback_on(client, [r.id for r in runs], 3)

    again = evaluate_existing(results.experiment_name, evaluators=[closeness], summary_evaluators=[accuracy],
                              client=client)
    assert len(list(again)) == 3
    sdk.flush()
    assert again.experiment_id == results.experiment_id
    runs_after = experiment_runs(client, results.experiment_id, 3)
    assert {r.id for r in runs_after} == {r.id for r in runs}, "evaluate_existing must not create target runs"
    fbs = feedback_on(client, [r.id for r in runs], 6)
    by_run = {r.id: r for r in runs}
    for fb in (f for f in fbs if f.key == "closeness"):
        q = by_run[fb.run_id].inputs["q"]
        assert close(fb.score, CLOSENESS[q]), (q, fb.score)
    p = project_stats(client, results.experiment_id, lambda p: _n(p.feedback_stats, "closeness") == 3
                      and _n(p.feedback_stats, "exact") == 3 and _n(p.session_feedback_stats, "accuracy") == 1)
    assert close(p.feedback_stats["closeness"]["avg"], 0.75) and close(p.feedback_stats["exact"]["avg"], 2 / 3)


def test_evaluate_repetitions(sdk: Sdk) -> None:
    client = sdk.client
    ds, by_q = qa_dataset(client, "eval-reps")
    results = evaluate(target, data=ds.name, evaluators=[exact], num_repetitions=2, client=client,
                       experiment_prefix=unique("reps"))
    assert len(list(results)) == 6
    sdk.flush()
    project = client.read_project(project_id=results.experiment_id)
    assert project.metadata["num_repetitions"] == 2
    runs = experiment_runs(client, project.id, 6)
    counts: dict = {}
    for r in runs:
        counts[r.reference_example_id] = counts.get(r.reference_example_id, 0) + 1
    assert counts == {e.id: 2 for e in by_q.values()}
    fbs = feedback_on(client, [r.id for r in runs], 6)
    assert sorted(f.score for f in fbs) == [0, 0, 1, 1, 1, 1]
    p = project_stats(client, project.id, lambda p: p.run_count == 6 and _n(p.feedback_stats, "exact") == 6)
    assert close(p.feedback_stats["exact"]["avg"], 2 / 3)
    res = client.get_experiment_results(project_id=project.id)
    assert sorted(len(e.runs) for e in res["examples_with_runs"]) == [2, 2, 2]


def test_evaluator_error_becomes_error_feedback(sdk: Sdk) -> None:
    client = sdk.client
    ds, by_q = qa_dataset(client, "eval-flaky")
    results = evaluate(target, data=ds.name, evaluators=[flaky, exact], client=client,
                       experiment_prefix=unique("flaky"))
    assert len(list(results)) == 3
    sdk.flush()
    runs = experiment_runs(client, results.experiment_id, 3)
    assert all(r.error is None and r.outputs is not None for r in runs), "an evaluator error must not fail the run"
    fbs = feedback_on(client, [r.id for r in runs], 6)
    by_run = {r.id: r.inputs["q"] for r in runs}
    flaky_fb = {by_run[f.run_id]: f for f in fbs if f.key == "flaky"}
    assert set(flaky_fb) == set(QS)
    bad = flaky_fb["bb"]
    assert bad.score is None and "evaluator exploded" in (bad.comment or "")
    assert (bad.extra or {}).get("error") is True, f"error feedback keeps extra.error: {bad.extra!r}"
    assert flaky_fb["a"].score == 1 and flaky_fb["ccc"].score == 1
    assert sorted(f.score for f in fbs if f.key == "exact") == [0, 1, 1]


def test_target_error_is_a_logged_run(sdk: Sdk) -> None:
    client = sdk.client
    ds, by_q = qa_dataset(client, "eval-terr")
    results = evaluate(failing_target, data=ds.name, evaluators=[exact], client=client,
                       experiment_prefix=unique("terr"))
    assert len(list(results)) == 3
    sdk.flush()
    runs = experiment_runs(client, results.experiment_id, 3)
    errored = [r for r in runs if r.error]
    assert len(errored) == 1 and "target failed on ccc" in errored[0].error
    assert errored[0].reference_example_id == by_q["ccc"].id
    p = project_stats(client, results.experiment_id, lambda p: p.run_count == 3 and p.error_rate is not None)
    assert close(p.error_rate, 1 / 3)


def test_evaluate_on_a_dataset_version(sdk: Sdk) -> None:
    client = sdk.client
    ds = new_dataset(client, "eval-version")
    a, bb = add_examples(client, ds.id, [{"inputs": {"q": "a"}, "outputs": {"len": 1}},
                                         {"inputs": {"q": "bb"}, "outputs": {"len": 2}}])
    v1 = as_utc(client.read_dataset_version(dataset_id=ds.id, tag="latest").as_of)
    client.update_dataset_tag(dataset_id=ds.id, as_of=v1, tag="v1")
    client.update_example(a, inputs={"q": "aaaa"}, outputs={"len": 4}, dataset_id=ds.id)
    add_examples(client, ds.id, [{"inputs": {"q": "ccc"}, "outputs": {"len": 3}}])

    results = evaluate(target, data=client.list_examples(dataset_name=ds.name, as_of="v1"), evaluators=[exact],
                       client=client, experiment_prefix=unique("ver"))
    assert len(list(results)) == 2
    sdk.flush()
    project = client.read_project(project_id=results.experiment_id)
    assert project.reference_dataset_id == ds.id
    assert parse_time(project.metadata["dataset_version"]) == v1
    runs = experiment_runs(client, project.id, 2)
    assert {r.reference_example_id: r.inputs["q"] for r in runs} == {a: "a", bb: "bb"}, \
        "the runs must see the examples as of the tagged version"
    fbs = feedback_on(client, [r.id for r in runs], 2)
    assert [f.score for f in fbs] == [1, 1]


def test_evaluate_with_attachments(sdk: Sdk) -> None:
    client = sdk.client
    assert (client.info.instance_flags or {}).get("dataset_examples_multipart_enabled") is True
    ds = new_dataset(client, "eval-attach")
    (eid,) = add_examples(client, ds.id, [{"inputs": {"q": "img"}, "outputs": {"size": len(PNG)},
                                           "attachments": {"image": ("image/png", PNG)}}])
    results = evaluate(attachment_target, data=ds.name, client=client, experiment_prefix=unique("att"))
    rows = list(results)
    sdk.flush()
    assert len(rows) == 1
    (run,) = experiment_runs(client, results.experiment_id, 1)
    assert run.reference_example_id == eid
    assert run.outputs == {"size": len(PNG), "png": True, "mime": "image/png"}


# -- comparative ------------------------------------------------------------------------


def test_comparative_experiment(sdk: Sdk, api: Api) -> None:
    client = sdk.client
    ds, by_q = qa_dataset(client, "eval-cmp")
    prefix = unique("cmp")
    exp_long = evaluate(long_target, data=ds.name, client=client, experiment_prefix=f"{prefix}-long")
    exp_short = evaluate(short_target, data=ds.name, client=client, experiment_prefix=f"{prefix}-short")
    list(exp_long), list(exp_short)
    sdk.flush()
    long_id, short_id = exp_long.experiment_id, exp_short.experiment_id
    long_runs = experiment_runs(client, long_id, 3)
    short_runs = experiment_runs(client, short_id, 3)

    cmp = evaluate((exp_long.experiment_name, exp_short.experiment_name), evaluators=[preference], client=client,
                   experiment_prefix=f"{prefix}-pair", description="long vs short")
    sdk.flush()
    comp = cmp.comparative_experiment
    assert comp is not None and comp.reference_dataset_id == ds.id
    assert comp.name.startswith(f"{prefix}-pair-") and comp.description == "long vs short"

    listed = api.get(f"/datasets/{ds.id}/comparative")
    assert listed.status_code == 200, listed.text
    match = [c for c in listed.json() if c["id"] == str(comp.id)]
    assert len(match) == 1, listed.json()
    assert match[0]["reference_dataset_id"] == str(ds.id) and match[0]["name"] == comp.name
    assert {x["id"] for x in match[0]["experiments_info"]} == {str(long_id), str(short_id)}

    # Pairwise feedback: on every run of both experiments, tagged with the comparative id.
    all_runs = long_runs + short_runs
    fbs = feedback_on(client, [r.id for r in all_runs], 6, feedback_key=["preference"])
    run_exp = {r.id: (r.session_id, r.reference_example_id) for r in all_runs}
    groups: dict = {}
    for fb in fbs:
        session, example = run_exp[fb.run_id]
        assert fb.comparative_experiment_id == comp.id
        assert fb.score == (1 if session == long_id else 0), (session, fb.score)
        assert fb.session_id == session
        groups.setdefault(example, set()).add(fb.feedback_group_id)
    assert set(groups) == {e.id for e in by_q.values()}
    assert all(len(g) == 1 and None not in g for g in groups.values()), "both runs of an example share a group id"
    assert len({next(iter(g)) for g in groups.values()}) == 3
    by_cmp = list(client.list_feedback(comparative_experiment_id=str(comp.id)))
    assert {f.id for f in by_cmp} == {f.id for f in fbs}

    # POST /datasets/{id}/runs: examples with the runs of the requested experiment.
    for exp_id, tgt in ((long_id, long_target), (short_id, short_target)):
        res = client.get_experiment_results(project_id=exp_id)
        ewr = list(res["examples_with_runs"])
        assert sorted(e.id for e in ewr) == sorted(e.id for e in by_q.values())
        for e in ewr:
            assert [r.session_id for r in e.runs] == [exp_id]
            assert e.runs[0].reference_example_id == e.id and e.runs[0].outputs == tgt(e.inputs)
        batches = list(client._paginate_examples_with_runs(ds.id, exp_id, limit=2))
        assert [len(b) for b in batches] == [2]
    pages = [api.post(f"/datasets/{ds.id}/runs", json={"session_ids": [str(short_id)], "offset": off, "limit": 2})
             for off in (0, 2, 4)]
    assert all(p.status_code == 200 for p in pages), [p.text[:200] for p in pages]
    assert [len(p.json()) for p in pages] == [2, 1, 0]
    seen = [e["id"] for p in pages for e in p.json()]
    assert sorted(seen) == sorted(str(e.id) for e in by_q.values())
    for p in pages:
        for e in p.json():
            assert [r["session_id"] for r in e["runs"]] == [str(short_id)]
    with_cmp = api.post(f"/datasets/{ds.id}/runs", json={"session_ids": [str(long_id)], "offset": 0, "limit": 10,
                                                         "comparative_experiment_id": str(comp.id)})
    assert with_cmp.status_code == 200 and len(with_cmp.json()) == 3, with_cmp.text[:300]
