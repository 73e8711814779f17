"""Experiment comparison view (web UI issue 4), in headless Chromium.

Data: seed.py `seed_dataset` — dataset `ui-dataset` (12 capital-city questions) with experiments
`ui-exp-baseline` (correctness 1,1,0,1,0,1,1,0,1,1,0,1 → 0.67) and `ui-exp-candidate`
(1,0,1,1,1,1,0,1,1,1,1,1 → 0.83): against the baseline the candidate improves on examples 2, 4, 7, 10
and regresses on 1, 6; failed answers are "I don't know". Tests that need more (three experiments, a
missing run, two feedback keys, chat outputs, more than one page of examples) build their own
datasets, so the shared seed stays as other tests expect it. Screenshots land in test-artifacts/ui/.
"""
from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from conftest import API_KEY, shot
from seed import TraceBuilder, send
from wire import Api

COUNTRIES = ["France", "Japan", "Italy", "Spain", "Kenya", "Peru", "Canada", "Egypt", "Chile", "Norway", "India", "Brazil"]
REGRESSED = {COUNTRIES[i] for i in (1, 6)}
IMPROVED = {COUNTRIES[i] for i in (2, 4, 7, 10)}
READY = '.compare-page[data-state="ready"]:not([aria-busy])'
ROWS = ".cmp-rows .cmp-row"


@pytest.fixture(scope="module")
def api(ui_server) -> Api:
    return Api(ui_server.url + "/api/v1", API_KEY)


@pytest.fixture(scope="module")
def ds(seeded) -> dict:
    d = seeded["dataset"]
    return {"id": d["dataset_id"], "base": d["experiments"]["ui-exp-baseline"], "cand": d["experiments"]["ui-exp-candidate"]}


def open_compare(page, dataset_id: str, query: str = "") -> None:
    page.goto(f"{page.base_url}/datasets/{dataset_id}/compare{'?' + query if query else ''}")
    page.wait_for_selector(READY)


def wait_ready(page) -> None:
    page.wait_for_selector(READY)


def url_query(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def questions(page) -> list[str]:
    return [re.search(r"capital of ([^?]+)\?", t).group(1) for t in page.locator(f"{ROWS} .cmp-input").all_inner_texts()]


def row_of(page, country: str):
    return page.locator(ROWS).filter(has=page.locator(".cmp-input", has_text=f"capital of {country}?"))


def cell(row, session_id: str):
    return row.locator(f'.cmp-run[data-session-id="{session_id}"]')


def filter_button(page, name: str):
    return page.locator(f'.cmp-filters button[data-filter="{name}"]')


def css_color(page, var: str) -> str:
    """The computed colour of a CSS variable (e.g. --ok) as the browser reports colours."""
    return page.evaluate("""(v) => { const s = document.createElement('span'); s.style.color = `var(${v})`;
        document.body.append(s); const c = getComputedStyle(s).color; s.remove(); return c; }""", var)


# ---- data for the tests that need their own dataset ----


def make_dataset(api: Api, questions_: list[str], experiments: list[tuple[str, list]]) -> dict:
    """A dataset with one example per question and experiments given as (name, per-example entries);
    an entry is None (no run) or (output, {feedback key: score}). Waits until every run and score is
    readable. Returns {"id", "examples": [ids], "exp": {name: id}}."""
    tag = uuid.uuid4().hex[:8]
    r = api.post("/datasets", json={"name": f"ui-compare-{tag}", "description": "compare view test data"})
    r.raise_for_status()
    dataset = r.json()
    examples = [{"id": str(uuid.uuid4()), "dataset_id": dataset["id"], "inputs": {"question": q}, "outputs": {"answer": f"reference {i}"}}
                for i, q in enumerate(questions_)]
    for i in range(0, len(examples), 100):
        api.post("/examples/bulk", json=examples[i:i + 100]).raise_for_status()
    ids, expected = {}, 0
    now = dt.datetime.now(dt.timezone.utc)
    for n, (name, entries) in enumerate(experiments):
        r = api.post("/sessions", json={"name": f"{name}-{tag}", "reference_dataset_id": dataset["id"]})
        r.raise_for_status()
        ids[name] = r.json()["id"]
        builders, feedback = [], []
        for i, entry in enumerate(entries):
            if entry is None:
                continue
            output, scores = entry
            b = TraceBuilder(f"{name}-{tag}", now - dt.timedelta(minutes=10 - n) + dt.timedelta(seconds=i))
            root = b.add("Target", "chain", duration=0.2 + 0.01 * i, inputs=examples[i]["inputs"], outputs=output,
                         usage={"input_tokens": 10, "output_tokens": 3})
            root["reference_example_id"] = examples[i]["id"]
            builders.append(b)
            expected += 1
            for key, score in scores.items():
                feedback.append({"id": str(uuid.uuid4()), "run_id": root["id"], "trace_id": root["id"], "key": key, "score": score,
                                 "feedback_source": {"type": "model"}})
        send(api, builders, feedback)
    want_scores = sum(len(e[1]) for _, entries in experiments for e in entries if e)
    deadline = time.time() + 20
    while True:
        got = api.post(f"/datasets/{dataset['id']}/runs", json={"session_ids": list(ids.values()), "limit": 1000}).json()
        runs = [r for e in got for r in e["runs"]]
        scores = sum(len(r.get("feedback_stats") or {}) for r in runs)
        if len(runs) == expected and scores == want_scores:
            break
        assert time.time() < deadline, f"ingest incomplete: {len(runs)}/{expected} runs, {scores}/{want_scores} scores"
        time.sleep(0.2)
    return {"id": dataset["id"], "examples": [e["id"] for e in examples], "exp": ids}


CHAT_ANSWER = {"output": {"role": "assistant", "content": "**Rain** on the roof\n\n- soft drums\n- a grey sky listens"}}


@pytest.fixture(scope="module")
def trio(api) -> dict:
    """Three experiments on three examples; C has no run on the third. Scores (correctness, conciseness):
    A: (1, .5) (0, .5) (1, .5) · B: (1, .8) (1, .2) (0, .5) · C: (0, .5) (1, .5) —.
    Against A on correctness: regressions = examples 0 (C) and 2 (B), improvements = 1 (B, C).
    On conciseness: regression = 1 (B), improvement = 0 (B)."""
    qs = ["Summarise the French revolution", "Write a haiku about rain", "Translate hello to Spanish"]
    a = [({"answer": "A summary"}, {"correctness": 1, "conciseness": 0.5}), ({"answer": "no haiku"}, {"correctness": 0, "conciseness": 0.5}),
         ({"answer": "hola"}, {"correctness": 1, "conciseness": 0.5})]
    b = [({"answer": "B summary"}, {"correctness": 1, "conciseness": 0.8}), (CHAT_ANSWER, {"correctness": 1, "conciseness": 0.2}),
         ({"answer": "adios"}, {"correctness": 0, "conciseness": 0.5})]
    c = [({"answer": "C wrong"}, {"correctness": 0, "conciseness": 0.5}), ({"answer": "C haiku"}, {"correctness": 1, "conciseness": 0.5}), None]
    d = make_dataset(api, qs, [("exp-a", a), ("exp-b", b), ("exp-c", c)])
    d["questions"] = qs
    return d


# ---- the seeded pair ----


@pytest.mark.parametrize("form", ["experiments", "selectedSessions", "sdk-link"])
def test_compare_renders_every_example_with_both_outputs_side_by_side(page, ds, api, form):
    if form == "sdk-link":
        # evaluate() prints LangSmith's app path: /o/<tenant>/datasets/<id>/compare?selectedSessions=<id>
        tenant = api.get(f"/sessions/{ds['base']}").json()["tenant_id"]
        page.goto(f"{page.base_url}/o/{tenant}/datasets/{ds['id']}/compare?selectedSessions={ds['base']},{ds['cand']}")
        wait_ready(page)
    else:
        open_compare(page, ds["id"], f"{form}={ds['base']},{ds['cand']}")
    rows = page.locator(ROWS)
    expect(rows).to_have_count(12)
    assert sorted(questions(page)) == sorted(COUNTRIES)
    # Columns: input, reference, then the two experiments in URL order.
    heads = page.locator(".cmp-head .cmp-hexp")
    expect(heads).to_have_count(2)
    assert heads.evaluate_all("hs => hs.map(h => h.dataset.sessionId)") == [ds["base"], ds["cand"]]
    expect(heads.nth(0)).to_contain_text("ui-exp-baseline")
    expect(heads.nth(0)).to_contain_text("Baseline")
    expect(heads.nth(1)).to_contain_text("ui-exp-candidate")
    for i in range(12):
        assert rows.nth(i).locator(".cmp-run").evaluate_all("cs => cs.map(c => c.dataset.sessionId)") == [ds["base"], ds["cand"]]
    italy = row_of(page, "Italy")          # baseline failed, candidate right
    expect(italy.locator(".cmp-ref")).to_have_text("Rome")
    expect(cell(italy, ds["base"]).locator(".cmp-val")).to_have_text("I don't know")
    expect(cell(italy, ds["cand"]).locator(".cmp-val")).to_have_text("Rome")
    japan = row_of(page, "Japan")          # the other way round
    expect(cell(japan, ds["base"]).locator(".cmp-val")).to_have_text("Tokyo")
    expect(cell(japan, ds["cand"]).locator(".cmp-val")).to_have_text("I don't know")
    # Per-run score, latency and tokens in each cell.
    expect(cell(italy, ds["cand"]).locator('.cmp-fb[data-key="correctness"]')).to_have_text("correctness 1")
    expect(cell(italy, ds["base"]).locator('.cmp-fb[data-key="correctness"]')).to_have_text("correctness 0")
    expect(cell(italy, ds["cand"]).locator(".cmp-lat")).to_have_text("600ms")   # example 2: 0.5 + 2 × 0.05 s
    expect(cell(italy, ds["cand"]).locator(".cmp-tok")).to_have_text("25 tok")
    # Either URL form ends as the canonical experiments= form, breadcrumbs lead back.
    q = url_query(page)
    assert q["experiments"] == f"{ds['base']},{ds['cand']}" and "selectedSessions" not in q
    crumbs = page.locator(".crumbs")
    expect(crumbs.locator("a", has_text="Datasets")).to_have_attribute("href", "/datasets")
    expect(crumbs.locator("a", has_text="ui-dataset")).to_have_attribute("href", f"/datasets/{ds['id']}")
    expect(crumbs.locator(".here")).to_have_text("Compare")
    shot(page, f"compare-all-{form}")


def test_summary_cards_show_scores_deltas_and_stats(page, ds):
    open_compare(page, ds["id"], f"experiments={ds['base']},{ds['cand']}")
    base = page.locator(f'.cmp-card[data-session-id="{ds["base"]}"]')
    cand = page.locator(f'.cmp-card[data-session-id="{ds["cand"]}"]')
    expect(base.locator('.cmp-score[data-key="correctness"] .cmp-score-value')).to_have_text("0.67")
    expect(cand.locator('.cmp-score[data-key="correctness"] .cmp-score-value')).to_have_text("0.83")
    expect(base.locator(".cmp-base-pill")).to_have_text("Baseline")
    expect(base.locator(".cmp-delta")).to_have_count(0)
    delta = cand.locator('.cmp-score[data-key="correctness"] .cmp-delta')
    expect(delta).to_have_text("+0.17")
    expect(delta).to_have_attribute("data-verdict", "better")
    assert delta.evaluate("e => getComputedStyle(e).color") == css_color(page, "--ok")
    for card in (base, cand):
        expect(card.locator('[data-stat="runs"] b')).to_have_text("12")
        expect(card.locator('[data-stat="latency"] b')).to_have_text("750ms")
        expect(card.locator('[data-stat="tokens"] b')).to_have_text("300")
        expect(card.locator('[data-stat="cost"] b')).to_have_text("–")
    shot(page, "compare-cards")


def test_filters_show_regressions_and_improvements_with_counts(page, ds):
    open_compare(page, ds["id"], f"experiments={ds['base']},{ds['cand']}")
    expect(filter_button(page, "all").locator(".count")).to_have_text("12")
    expect(filter_button(page, "regressions").locator(".count")).to_have_text("2")
    expect(filter_button(page, "improvements").locator(".count")).to_have_text("4")
    expect(page.locator(".cmp-key")).to_have_value("correctness")

    filter_button(page, "regressions").click()
    wait_ready(page)
    expect(page.locator(ROWS)).to_have_count(2)
    assert set(questions(page)) == REGRESSED
    expect(filter_button(page, "regressions")).to_have_attribute("aria-pressed", "true")
    assert url_query(page)["filter"] == "regressions"
    worse = css_color(page, "--err")
    for country in REGRESSED:
        c = cell(row_of(page, country), ds["cand"])
        expect(c).to_have_attribute("data-verdict", "worse")
        expect(c.locator('.cmp-fb[data-key="correctness"]')).to_have_attribute("data-verdict", "worse")
        assert c.locator('.cmp-fb[data-key="correctness"]').evaluate("e => getComputedStyle(e).color") == worse
        expect(cell(row_of(page, country), ds["base"])).to_have_attribute("data-verdict", "baseline")
    shot(page, "compare-regressions")

    filter_button(page, "improvements").click()
    wait_ready(page)
    expect(page.locator(ROWS)).to_have_count(4)
    assert set(questions(page)) == IMPROVED
    better = css_color(page, "--ok")
    for country in IMPROVED:
        c = cell(row_of(page, country), ds["cand"])
        expect(c).to_have_attribute("data-verdict", "better")
        assert c.locator('.cmp-fb[data-key="correctness"]').evaluate("e => getComputedStyle(e).color") == better
    shot(page, "compare-improvements")

    # The filter survives a reload (URL state); "All" brings every example back, unchanged ones "same".
    page.reload()
    wait_ready(page)
    expect(page.locator(ROWS)).to_have_count(4)
    filter_button(page, "all").click()
    wait_ready(page)
    expect(page.locator(ROWS)).to_have_count(12)
    expect(cell(row_of(page, "France"), ds["cand"])).to_have_attribute("data-verdict", "same")
    assert "filter" not in url_query(page)


def test_switching_the_baseline_flips_regressions_and_improvements(page, ds):
    open_compare(page, ds["id"], f"experiments={ds['base']},{ds['cand']}&filter=regressions")
    expect(page.locator(ROWS)).to_have_count(2)
    page.select_option(".cmp-baseline", ds["cand"])
    wait_ready(page)
    expect(filter_button(page, "regressions").locator(".count")).to_have_text("4")
    expect(filter_button(page, "improvements").locator(".count")).to_have_text("2")
    expect(page.locator(ROWS)).to_have_count(4)
    assert set(questions(page)) == IMPROVED
    for country in IMPROVED:
        expect(cell(row_of(page, country), ds["base"])).to_have_attribute("data-verdict", "worse")
        expect(cell(row_of(page, country), ds["cand"])).to_have_attribute("data-verdict", "baseline")
    assert url_query(page)["baseline"] == ds["cand"]
    base_delta = page.locator(f'.cmp-card[data-session-id="{ds["base"]}"] .cmp-delta')
    expect(base_delta).to_have_text("−0.17")
    expect(base_delta).to_have_attribute("data-verdict", "worse")
    assert base_delta.evaluate("e => getComputedStyle(e).color") == css_color(page, "--err")
    expect(page.locator(f'.cmp-head .cmp-hexp[data-session-id="{ds["cand"]}"]')).to_contain_text("Baseline")
    shot(page, "compare-baseline-candidate")

    # Back through the card's button.
    page.locator(f'.cmp-card[data-session-id="{ds["base"]}"] .cmp-make-base').click()
    wait_ready(page)
    expect(filter_button(page, "regressions").locator(".count")).to_have_text("2")
    expect(filter_button(page, "improvements").locator(".count")).to_have_text("4")
    assert set(questions(page)) == REGRESSED
    assert "baseline" not in url_query(page)   # the first experiment is the default


def test_trace_link_opens_the_run_trace(page, ds, api):
    open_compare(page, ds["id"], f"experiments={ds['base']},{ds['cand']}")
    c = cell(row_of(page, "Italy"), ds["cand"])
    run_id = c.get_attribute("data-run-id")
    run = api.get(f"/runs/{run_id}").json()
    assert run["session_id"] == ds["cand"] and run["outputs"] == {"answer": "Rome"}
    link = c.locator(".cmp-trace")
    expect(link).to_have_attribute("href", f"/projects/p/{ds['cand']}/r/{run_id}?trace_id={run['trace_id']}")
    link.click()
    expect(page).to_have_url(re.compile(re.escape(f"/projects/p/{ds['cand']}/r/{run_id}?trace_id={run['trace_id']}") + "$"))
    expect(page.locator(f'.tv-row[data-id="{run_id}"]')).to_be_visible()
    expect(page.locator(".rd-title h2")).to_have_text("Target")
    expect(page.locator(".rd-outputs")).to_contain_text("Rome")


def test_picker_adds_and_removes_experiments(page, ds):
    open_compare(page, ds["id"])
    empty = page.locator(".cmp-empty")
    expect(empty).to_contain_text("No experiments selected")
    expect(page.locator(ROWS)).to_have_count(0)
    shot(page, "compare-empty")
    page.locator(".cmp-empty .cmp-open-picker").click()
    items = page.locator(".cmp-picker-item")
    expect(items).to_have_count(2)

    items.filter(has_text="ui-exp-baseline").locator("input").check()
    wait_ready(page)
    assert url_query(page)["experiments"] == ds["base"]
    expect(page.locator(".cmp-card")).to_have_count(1)
    expect(page.locator(".cmp-add-hint")).to_contain_text("Add another experiment")
    items.filter(has_text="ui-exp-candidate").locator("input").check()
    wait_ready(page)
    assert url_query(page)["experiments"] == f"{ds['base']},{ds['cand']}"
    expect(page.locator(ROWS)).to_have_count(12)
    expect(page.locator(ROWS).first.locator(".cmp-run")).to_have_count(2)
    expect(page.locator(".cmp-picker-btn")).to_contain_text("Experiments · 2")
    shot(page, "compare-picker")

    items.filter(has_text="ui-exp-baseline").locator("input").uncheck()
    wait_ready(page)
    assert url_query(page)["experiments"] == ds["cand"]
    expect(page.locator(ROWS).first.locator(".cmp-run")).to_have_count(1)
    expect(page.locator(".cmp-run").first).to_have_attribute("data-session-id", ds["cand"])
    # Removing from a card works too, and leads back to the empty state.
    page.keyboard.press("Escape")
    expect(page.locator(".cmp-picker-panel")).to_be_hidden()
    page.locator(f'.cmp-card[data-session-id="{ds["cand"]}"] .cmp-remove').click()
    expect(empty).to_contain_text("No experiments selected")
    assert "experiments" not in url_query(page)
    # Back restores the previous selection.
    page.go_back()
    wait_ready(page)
    assert url_query(page)["experiments"] == ds["cand"]
    expect(page.locator(".cmp-card")).to_have_count(1)


def test_empty_state_offers_the_two_most_recent(page, ds):
    open_compare(page, ds["id"])
    page.get_by_role("button", name="Compare the two most recent").click()
    wait_ready(page)
    assert set(url_query(page)["experiments"].split(",")) == {ds["base"], ds["cand"]}
    expect(page.locator(ROWS)).to_have_count(12)


# ---- own datasets ----


def test_three_experiments_missing_run_and_feedback_key(page, trio):
    e = trio["exp"]
    open_compare(page, trio["id"], f"experiments={e['exp-a']},{e['exp-b']},{e['exp-c']}")
    rows = page.locator(ROWS)
    expect(rows).to_have_count(3)
    expect(page.locator(".cmp-head .cmp-hexp")).to_have_count(3)
    translate = rows.filter(has_text="Translate hello to Spanish")
    missing = cell(translate, e["exp-c"])
    expect(missing).to_have_text("no run")
    expect(missing).to_have_attribute("data-verdict", "none")
    expect(missing.locator(".cmp-trace")).to_have_count(0)
    expect(cell(translate, e["exp-b"])).to_have_attribute("data-verdict", "worse")

    # correctness is the default key (when present): 2 regressions, 1 improvement.
    expect(page.locator(".cmp-key")).to_have_value("correctness")
    expect(filter_button(page, "regressions").locator(".count")).to_have_text("2")
    expect(filter_button(page, "improvements").locator(".count")).to_have_text("1")
    filter_button(page, "regressions").click()
    wait_ready(page)
    expect(rows).to_have_count(2)
    texts = rows.locator(".cmp-input").all_inner_texts()
    assert any("French revolution" in t for t in texts) and any("Translate" in t for t in texts)
    shot(page, "compare-three")

    # Another key: conciseness regresses only on the haiku (B 0.2 < A 0.5) and improves on the summary.
    page.select_option(".cmp-key", "conciseness")
    wait_ready(page)
    assert url_query(page)["key"] == "conciseness"
    expect(filter_button(page, "regressions").locator(".count")).to_have_text("1")
    expect(filter_button(page, "improvements").locator(".count")).to_have_text("1")
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".cmp-input")).to_contain_text("haiku")
    expect(cell(rows.first, e["exp-b"])).to_have_attribute("data-verdict", "worse")
    expect(cell(rows.first, e["exp-c"])).to_have_attribute("data-verdict", "same")
    card_b = page.locator(f'.cmp-card[data-session-id="{e["exp-b"]}"]')
    expect(card_b.locator('.cmp-score.on')).to_have_attribute("data-key", "conciseness")


def test_lower_is_better_feedback_config_reverses_the_verdicts(page, trio):
    """A feedback config with is_lower_score_better flips what counts as better. Anvil has no
    /feedback-configs yet, so the browser gets LangSmith's response shape from a stub."""
    e = trio["exp"]
    requested: list[str] = []

    def configs(route):
        requested.append(route.request.url)
        route.fulfill(json=[{"feedback_key": "correctness", "feedback_config": {"type": "continuous", "min": 0, "max": 1},
                             "tenant_id": str(uuid.uuid4()), "modified_at": "2025-01-01T00:00:00Z", "is_lower_score_better": True}])

    page.route("**/api/v1/feedback-configs*", configs)
    open_compare(page, trio["id"], f"experiments={e['exp-a']},{e['exp-b']},{e['exp-c']}")
    assert any("key=correctness" in u for u in requested)
    # Lower is better: A→B/C on the haiku (0 → 1) is now the regression, the other two improvements.
    expect(filter_button(page, "regressions").locator(".count")).to_have_text("1")
    expect(filter_button(page, "improvements").locator(".count")).to_have_text("2")
    delta = page.locator(f'.cmp-card[data-session-id="{e["exp-c"]}"] .cmp-score[data-key="correctness"] .cmp-delta')
    expect(delta).to_have_text("−0.17")
    expect(delta).to_have_attribute("data-verdict", "better")
    assert delta.evaluate("e => getComputedStyle(e).color") == css_color(page, "--ok")
    filter_button(page, "regressions").click()
    wait_ready(page)
    rows = page.locator(ROWS)
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".cmp-input")).to_contain_text("haiku")
    expect(cell(rows.first, e["exp-b"])).to_have_attribute("data-verdict", "worse")
    expect(cell(rows.first, e["exp-c"])).to_have_attribute("data-verdict", "worse")


def test_picker_offers_pairwise_experiments(page, api, trio):
    e = trio["exp"]
    r = api.post("/datasets/comparative", json={"id": str(uuid.uuid4()), "name": "A vs C", "experiment_ids": [e["exp-a"], e["exp-c"]],
                                                "reference_dataset_id": trio["id"], "created_at": dt.datetime.now(dt.timezone.utc).isoformat()})
    r.raise_for_status()
    open_compare(page, trio["id"], f"experiments={e['exp-a']},{e['exp-b']}")
    page.locator(".cmp-picker-btn").click()
    pairwise = page.locator(".cmp-picker-pairwise", has_text="A vs C")
    expect(pairwise).to_contain_text("2 experiments")
    pairwise.click()
    wait_ready(page)
    assert url_query(page)["experiments"] == f"{e['exp-a']},{e['exp-c']}"
    expect(page.locator(".cmp-head .cmp-hexp")).to_have_count(2)
    expect(page.locator(".cmp-picker-panel")).to_be_hidden()


def test_keyboard_moves_between_rows_and_expands_full_outputs(page, trio):
    e = trio["exp"]
    open_compare(page, trio["id"], f"experiments={e['exp-a']},{e['exp-b']}")
    rows = page.locator(ROWS)
    expect(rows).to_have_count(3)
    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile(r"\bselected\b"))
    expect(rows.nth(0)).not_to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_class(re.compile(r"\bselected\b"))

    haiku_index = [i for i, t in enumerate(rows.locator(".cmp-input").all_inner_texts()) if "haiku" in t][0]
    while not re.search(r"\bselected\b", rows.nth(haiku_index).get_attribute("class")):
        page.keyboard.press("j")
    haiku = rows.nth(haiku_index)
    expect(haiku.locator(".cmp-val.full")).to_have_count(0)
    page.keyboard.press("Enter")
    expect(haiku).to_have_class(re.compile(r"\bexpanded\b"))
    full = cell(haiku, e["exp-b"]).locator(".cmp-val.full")
    expect(full.locator(".msg.assistant")).to_be_visible()            # chat bubble
    expect(full.locator(".msg.assistant strong")).to_have_text("Rain")  # markdown
    expect(full.locator(".msg.assistant li")).to_have_count(2)
    expect(haiku.locator(".cmp-input .cmp-val.full .json-view")).to_be_visible()  # inputs as JSON
    shot(page, "compare-expanded")
    page.keyboard.press("Escape")
    expect(haiku).not_to_have_class(re.compile(r"\bexpanded\b"))
    haiku.locator(".cmp-expand").click()
    expect(haiku).to_have_class(re.compile(r"\bexpanded\b"))


def test_pages_through_large_datasets_and_counts_every_page(page, api):
    n = 53
    qs = [f"Question number {i:02d}" for i in range(n)]
    base = [({"answer": f"a{i}"}, {"correctness": 1}) for i in range(n)]
    cand = [({"answer": f"b{i}"}, {"correctness": 0 if i in (5, 51) else 1}) for i in range(n)]
    d = make_dataset(api, qs, [("big-base", base), ("big-cand", cand)])
    b, c = d["exp"]["big-base"], d["exp"]["big-cand"]
    open_compare(page, d["id"], f"experiments={b},{c}")
    rows = page.locator(ROWS)
    expect(rows).to_have_count(50)
    expect(page.locator(".cmp-pager .page-info")).to_have_text("Examples 1–50 of 53")
    expect(filter_button(page, "regressions").locator(".count")).to_have_text("2")
    first_page = set(rows.locator(".cmp-input").all_inner_texts())
    page.get_by_role("button", name="Next examples").click()
    wait_ready(page)
    expect(rows).to_have_count(3)
    expect(page.locator(".cmp-pager .page-info")).to_have_text("Examples 51–53 of 53")
    assert url_query(page)["offset"] == "50"
    assert not first_page & set(rows.locator(".cmp-input").all_inner_texts())
    expect(page.get_by_role("button", name="Next examples")).to_be_disabled()
    shot(page, "compare-page-2")
    # Regressions come from every page, not just the one shown.
    filter_button(page, "regressions").click()
    wait_ready(page)
    expect(rows).to_have_count(2)
    assert sorted(t.split("\n")[-1] for t in rows.locator(".cmp-input").all_inner_texts()) == ["Question number 05", "Question number 51"]
    assert "offset" not in url_query(page)
