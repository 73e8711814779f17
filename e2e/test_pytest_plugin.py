"""The langsmith pytest plugin (`@pytest.mark.langsmith`, `langsmith.testing`) against Anvil.

A generated test module runs in a subprocess (inside a throw-away git repository, so the
plugin also tags the dataset version with `git:commit:<sha>` / `git:branch:main`) with
LANGSMITH_ENDPOINT / API_KEY / TEST_SUITE / EXPERIMENT pointing at the test server. Then the
suite dataset, its examples (fixed uuid5 ids), the experiment, the runs (with
`reference_example_id`) and the `pass` / logged feedback are checked through the API. The
suite runs twice: the second run must reuse the dataset and the same example ids
(`read_example` finds them; `metadata.dataset_split` must be present,
testing/_internal.py:696) and add a second experiment.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import langsmith
from langsmith.testing._internal import _get_example_id

from anvil_server import AnvilServer
from evalhelp_datasets import user_meta
from wire import Api, as_utc, parse_time, unique, wait_for

PLUGIN_WAIT_S = 30.0

SUITE_MODULE = textwrap.dedent('''
    import pytest
    from langsmith import testing as t


    @pytest.mark.langsmith
    def test_addition():
        t.log_inputs({"x": 2, "y": 3})
        t.log_reference_outputs({"sum": 5})
        t.log_outputs({"sum": 2 + 3})
        t.log_feedback(key="exact", score=1.0)
        assert 2 + 3 == 5


    @pytest.mark.langsmith
    def test_half():
        t.log_inputs({"q": "half"})
        t.log_outputs({"answer": 0.5})
        t.log_feedback(key="closeness", score=0.5)


    @pytest.mark.langsmith
    def test_fails():
        t.log_inputs({"q": "fail"})
        t.log_outputs({"answer": "wrong"})
        assert False, "intentional failure"


    @pytest.mark.langsmith
    @pytest.mark.parametrize("a, b, expected", [(1, 2, 3), (2, 2, 4)])
    def test_param(a, b, expected):
        t.log_outputs({"sum": a + b})
        assert a + b == expected
''')

# test name -> (example inputs, reference outputs, run outputs, pass score, other feedback)
CASES = {
    "addition": ({"x": 2, "y": 3}, {"sum": 5}, {"sum": 5}, 1, {"exact": 1.0}),
    "half": ({"q": "half"}, None, {"answer": 0.5}, 1, {"closeness": 0.5}),
    "fails": ({"q": "fail"}, None, {"answer": "wrong"}, 0, {}),
    "param-3": ({"a": 1, "b": 2, "expected": 3}, None, {"sum": 3}, 1, {}),
    "param-4": ({"a": 2, "b": 2, "expected": 4}, None, {"sum": 4}, 1, {}),
}


def _git(repo: Path, *args: str) -> str:
    out = subprocess.run(["git", "-c", "user.name=anvil-e2e", "-c", "user.email=e2e@anvil.invalid",
                          "-c", "init.defaultBranch=main", *args], cwd=repo, check=True, capture_output=True,
                         text=True, timeout=30)
    return out.stdout.strip()


def _make_repo(tmp_path: Path) -> tuple[Path, str]:
    repo = tmp_path / "suite-repo"
    repo.mkdir()
    (repo / "test_llm_suite.py").write_text(SUITE_MODULE)
    _git(repo, "init", "-q")
    _git(repo, "add", "test_llm_suite.py")
    _git(repo, "commit", "-q", "-m", "suite")
    return repo, _git(repo, "rev-parse", "HEAD")


def _run_suite(repo: Path, server: AnvilServer, suite: str, experiment_prefix: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LANGSMITH_", "LANGCHAIN_", "PYTEST_"))}
    env.update(
        LANGSMITH_ENDPOINT=server.api("/api/v1"),
        LANGSMITH_API_KEY=server.api_key or "",
        LANGSMITH_TEST_SUITE=suite,
        LANGSMITH_EXPERIMENT=experiment_prefix,
        LANGSMITH_TRACING="true",
        # t.log_inputs() runs after the run was posted; by default the SDK does not resend
        # inputs on the patch (run_trees.py:173-185), so ask for them to check the merge.
        LANGSMITH_EXCLUDE_INPUTS_ON_PATCH="false",
        LANGSMITH_CONFIG_FILE="/nonexistent/anvil-e2e/langsmith-config.json",
    )
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_llm_suite.py"],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=150)


def _case_of(run) -> str:
    if run.name == "test_param":
        return f"param-{run.inputs['expected']}"
    return run.name.removeprefix("test_")


def _check_experiment(client: langsmith.Client, experiment, expected_ids: dict[str, uuid.UUID]) -> None:
    def runs_ready():
        runs = list(client.list_runs(project_id=experiment.id, is_root=True))
        state = [(r.name, r.reference_example_id is not None, r.end_time is not None) for r in runs]
        assert len(runs) == len(CASES) and all(r.reference_example_id and r.end_time for r in runs), state
        return runs

    runs = wait_for(runs_ready, timeout=PLUGIN_WAIT_S, message="plugin runs")
    by_case = {_case_of(r): r for r in runs}
    assert set(by_case) == set(CASES)
    for case, (inputs, _ref, outputs, _pass, _fb) in CASES.items():
        run = by_case[case]
        assert run.reference_example_id == expected_ids[case], (case, run.reference_example_id, expected_ids[case])
        assert run.inputs == inputs and run.outputs == outputs, (case, run.inputs, run.outputs)

    want = sum(1 + len(fb) for *_, fb in CASES.values())

    def feedback_ready():
        fbs = list(client.list_feedback(run_ids=[r.id for r in runs]))
        assert len(fbs) == want, [(f.key, f.score) for f in fbs]
        return fbs

    fbs = wait_for(feedback_ready, timeout=PLUGIN_WAIT_S, message="plugin feedback")
    got = {(_case_of(next(r for r in runs if r.id == f.run_id)), f.key): f for f in fbs}
    for case, (*_, pass_score, other) in CASES.items():
        assert got[(case, "pass")].score == pass_score, (case, got[(case, "pass")].score)
        for key, score in other.items():
            assert got[(case, key)].score == score, (case, key)
    assert all(f.session_id == experiment.id and f.trace_id == f.run_id for f in fbs)


def test_pytest_plugin_suite(server: AnvilServer, client: langsmith.Client, api: Api, tmp_path: Path) -> None:
    repo, sha = _make_repo(tmp_path)
    suite = unique("e2e-suite")
    prefix = unique("plugin-exp")

    first = _run_suite(repo, server, suite, prefix)
    out = first.stdout + first.stderr
    assert first.returncode == 1 and "4 passed" in out and "1 failed" in out, out[-4000:]

    ds = wait_for(lambda: client.read_dataset(dataset_name=suite), message="suite dataset")
    assert ds.description == "Test suite"
    assert (ds.metadata or {}).get("__ls_runner") == "pytest", ds.metadata

    # Examples: fixed uuid5 ids derived from (dataset id, inputs, outputs) (testing/_internal.py:493-501).
    expected_ids = {case: _get_example_id(str(ds.id), inputs, None) for case, (inputs, *_) in CASES.items()}
    examples = {e.id: e for e in client.list_examples(dataset_id=ds.id)}
    assert set(examples) == set(expected_ids.values()), \
        f"example ids {sorted(map(str, examples))} != expected uuid5 ids {sorted(map(str, expected_ids.values()))}"
    for case, (inputs, ref, *_rest) in CASES.items():
        ex = examples[expected_ids[case]]
        assert ex.inputs == inputs and (ex.outputs or None) == ref and user_meta(ex) == {}, (case, ex)

    # The experiment.
    exps = list(client.list_projects(reference_dataset_id=ds.id))
    assert len(exps) == 1 and exps[0].name.startswith(prefix + ":"), [p.name for p in exps]
    exp = client.read_project(project_id=exps[0].id)
    assert exp.reference_dataset_id == ds.id and exp.description == "Test Suite Results."
    md = exp.metadata
    assert md["__ls_runner"] == "pytest" and md["commit"] == sha and md["branch"] == "main", md
    dataset_version = parse_time(md["dataset_version"])
    assert dataset_version == max(as_utc(e.modified_at) for e in examples.values())
    _check_experiment(client, exp, expected_ids)

    # The plugin tagged the dataset version with the commit and branch (needs an exact version).
    for tag in (f"git:commit:{sha}", "git:branch:main"):
        v = client.read_dataset_version(dataset_id=ds.id, tag=tag)
        assert as_utc(v.as_of) == dataset_version and tag in (v.tags or []), (tag, v)

    # Second run: same dataset, same example ids, a new experiment.
    second = _run_suite(repo, server, suite, prefix)
    out = second.stdout + second.stderr
    assert second.returncode == 1 and "4 passed" in out and "1 failed" in out, out[-4000:]
    assert [d.id for d in client.list_datasets(dataset_name=suite)] == [ds.id]
    assert {e.id for e in client.list_examples(dataset_id=ds.id)} == set(expected_ids.values()), \
        "the second run must reuse the examples (read_example finds them), not create new ones"
    def two_experiments():
        xs = list(client.list_projects(reference_dataset_id=ds.id))
        assert len(xs) == 2, [p.name for p in xs]
        return xs

    exps2 = wait_for(two_experiments, timeout=PLUGIN_WAIT_S, message="second experiment")
    new = next(p for p in exps2 if p.id != exp.id)
    assert new.name.startswith(prefix + ":") and new.name != exp.name
    _check_experiment(client, client.read_project(project_id=new.id), expected_ids)
    assert client.read_dataset(dataset_id=ds.id).session_count == 2
