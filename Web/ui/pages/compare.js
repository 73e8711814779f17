// Experiment comparison: one row per dataset example, the experiments' outputs side by side.
// Route: /datasets/:datasetId/compare?experiments=<id>,<id>[,…] (LangSmith's ?selectedSessions= is
// accepted too) &baseline=<id> (default: the first) &key=<feedback key> &filter=all|regressions|improvements
// &offset=<n>. Everything a link should restore lives in the URL.
//
// Data (public API only):
//   GET  /datasets/{id}                         name, example_count
//   GET  /sessions?reference_dataset={id}       the dataset's experiments (picker)
//   GET  /sessions?id=…&include_stats=true      summary cards (run count, feedback avg, p50, tokens, cost)
//   GET  /feedback-configs?key=…                is_lower_score_better (optional; unknown → higher is better)
//   POST /runs/query (root runs, select id/session/example/feedback_stats)
//                                               per-example scores of every selected experiment: the
//                                               regression/improvement sets and the counts on the filters
//   POST /datasets/{id}/runs {session_ids, offset, limit}
//                                               a page of examples with their runs (filter "all")
//   GET  /examples?dataset=&id=… + POST /runs/query {reference_example}
//                                               a page of a filtered set of examples with their runs
import { h, append, clear, fmtDuration, fmtNumber, fmtCost, fmtAgo, latencyOf } from '../lib/dom.js';
import { api, ApiError } from '../lib/api.js';
import { renderValue } from '../components/chat-view.js';
import { markdown } from '../components/markdown.js';

export const PAGE_SIZE = 50;
const EPS = 1e-9;
const COLORS = ['var(--chart-1)', 'var(--chart-3)', 'var(--chart-2)', 'var(--chart-4)', 'var(--chart-5)', 'var(--chart-6)'];
const FILTERS = [
  { key: 'all', label: 'All' },
  { key: 'regressions', label: 'Regressions', title: 'Examples where some experiment scored worse than the baseline' },
  { key: 'improvements', label: 'Improvements', title: 'Examples where some experiment scored better than the baseline' },
];
const RUN_SELECT = ['id', 'name', 'trace_id', 'session_id', 'reference_example_id', 'start_time', 'end_time', 'status', 'error',
  'outputs', 'total_tokens', 'prompt_tokens', 'completion_tokens', 'total_cost', 'feedback_stats'];

/** Experiment ids from `?experiments=a,b` or LangSmith's `?selectedSessions=a,b` (deduplicated, in order). */
export function parseExperimentIds(params) {
  const raw = [params.get('experiments'), params.get('selectedSessions')].filter(Boolean).join(',');
  const out = [];
  for (const part of raw.split(',')) {
    const id = part.trim().toLowerCase();
    if (id && !out.includes(id)) out.push(id);
  }
  return out;
}

export const traceHref = (run) =>
  `/projects/p/${encodeURIComponent(run.session_id)}/r/${encodeURIComponent(run.id)}?trace_id=${encodeURIComponent(run.trace_id || run.id)}`;

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const fmtScore = (v) => (isNum(v) ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : '–');
const fmtAvg = (v) => (isNum(v) ? v.toFixed(2) : '–');
const fmtDelta = (d) => (Math.abs(d) < EPS ? '±0' : `${d > 0 ? '+' : '−'}${Math.abs(d).toFixed(2)}`);

/** 'better' | 'worse' | 'same' | null: `value` against `base`, `dir` = +1 (higher is better) or −1. */
const VERDICT_TEXT = { better: 'better than', worse: 'worse than', same: 'same as' };

export function verdict(value, base, dir = 1) {
  if (!isNum(value) || !isNum(base)) return null;
  const d = (value - base) * dir;
  return d > EPS ? 'better' : d < -EPS ? 'worse' : 'same';
}

function problem(title, text, crumbs) {
  return {
    el: h('div', { class: 'empty' }, h('h3', {}, title), h('p', {}, text), h('a', { href: '/datasets' }, 'Back to datasets')),
    title, crumbs,
  };
}

export async function comparePage(params) {
  const datasetId = params.datasetId;
  const datasetHref = `/datasets/${encodeURIComponent(datasetId)}`;
  const crumbs = [{ label: 'Datasets', href: '/datasets' }];
  let dataset;
  let experiments;
  let comparatives;
  try {
    [dataset, experiments, comparatives] = await Promise.all([
      api(`/datasets/${encodeURIComponent(datasetId)}`),
      listExperiments(datasetId),
      // Pairwise (comparative) experiments are quick picks; the page works without them.
      api(`/datasets/${encodeURIComponent(datasetId)}/comparative`, { query: { limit: 100 } }).catch((err) => {
        if (err instanceof ApiError && err.status === 401) throw err;
        return [];
      }),
    ]);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;  // api() went to sign-in
    if (err instanceof ApiError && [400, 404, 422].includes(err.status)) {
      return problem('Dataset not found', 'It may have been deleted, or the link is wrong.', [...crumbs, { label: 'Not found' }]);
    }
    return problem('Could not load the comparison', err.message, crumbs);
  }
  crumbs.push({ label: dataset.name, href: datasetHref }, { label: 'Compare', href: location.pathname + location.search });
  const view = createCompareView(dataset, experiments, Array.isArray(comparatives) ? comparatives : []);
  return {
    el: view.el,
    title: `Compare · ${dataset.name}`,
    crumbs,
    actions: view.actions,
    mounted: () => view.mount(),
    dispose: () => view.dispose(),
  };
}

async function listExperiments(datasetId) {
  const out = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await api('/sessions', { query: { reference_dataset: datasetId, limit: 1000, offset } });
    out.push(...(page || []));
    if (!page || page.length < 1000) break;
  }
  return out;
}

function createCompareView(dataset, experiments, comparatives) {
  const byId = new Map(experiments.map((e) => [e.id.toLowerCase(), e]));
  const state = {
    ids: [], missing: [], baseline: null, key: null, filter: 'all', offset: 0,
    stats: new Map(),      // session id → session with stats
    directions: new Map(), // feedback key → −1 when lower is better
    keys: [],              // feedback keys of the selected experiments
    index: null,           // example id → {first, sessions: Map(session id → {n, sums: {key: [sum, n]}})}
    regressions: [], improvements: [],
    items: [],             // the shown page: [{example, runs}]
    expanded: new Set(), selected: -1,
  };
  let seq = 0;
  let abort = null;
  let disposed = false;

  // ---- elements ----
  const cards = h('div', { class: 'cmp-cards' });
  const banner = h('div', { class: 'banner', hidden: true, attrs: { role: 'alert' } });
  const notice = h('div', { class: 'cmp-notice muted', hidden: true });
  const picker = createPicker();
  const baselineSel = h('select', { class: 'input cmp-baseline', attrs: { 'aria-label': 'Baseline experiment' }, on: { change: () => setBaseline(baselineSel.value) } });
  const keySel = h('select', { class: 'input cmp-key', attrs: { 'aria-label': 'Feedback key to compare on' }, on: { change: () => setKey(keySel.value) } });
  const filterSeg = h('div', { class: 'seg cmp-filters', attrs: { role: 'group', 'aria-label': 'Which examples' } },
    FILTERS.map((f) => h('button', {
      type: 'button', title: f.title || 'Every example of the dataset', dataset: { filter: f.key },
      attrs: { 'aria-pressed': 'false' }, on: { click: () => setFilter(f.key) },
    }, h('span', { class: 'cmp-filter-label' }, f.label), ' ', h('span', { class: 'count' }, '–'))));
  const keysHint = h('span', { class: 'faint keys-hint' },
    h('span', { class: 'kbd' }, 'j'), ' ', h('span', { class: 'kbd' }, 'k'), ' move · ', h('span', { class: 'kbd' }, 'Enter'), ' expand');
  const toolbar = h('div', { class: 'row cmp-toolbar' },
    h('label', { class: 'cmp-field' }, h('span', { class: 'muted' }, 'Baseline'), baselineSel),
    h('label', { class: 'cmp-field' }, h('span', { class: 'muted' }, 'Compare on'), keySel),
    filterSeg, h('span', { class: 'grow' }), keysHint);
  const headInner = h('div', { class: 'cmp-grid cmp-head-row' });
  const head = h('div', { class: 'cmp-head' }, headInner);
  const rows = h('div', { class: 'cmp-rows', attrs: { role: 'list', 'aria-label': 'Examples' } });
  const body = h('div', { class: 'cmp-body', on: { scroll: () => { head.scrollLeft = body.scrollLeft; } } }, rows);
  const emptyEl = h('div', { class: 'cmp-empty', hidden: true });
  const prevBtn = h('button', { class: 'btn', type: 'button', attrs: { 'aria-label': 'Previous examples' }, on: { click: () => goPage(-1) } }, '‹ Previous');
  const nextBtn = h('button', { class: 'btn', type: 'button', attrs: { 'aria-label': 'Next examples' }, on: { click: () => goPage(1) } }, 'Next ›');
  const pageInfo = h('span', { class: 'muted page-info' });
  const pager = h('div', { class: 'row pager cmp-pager' }, pageInfo, h('span', { class: 'grow' }), prevBtn, nextBtn);
  const table = h('div', { class: 'cmp-table' }, head, body, pager);
  const main = h('div', { class: 'cmp-main' }, toolbar, table);
  const el = h('div', { class: 'compare-page', dataset: { state: 'loading' }, attrs: { 'aria-busy': 'true' } },
    banner, cards, notice, main, emptyEl);

  // ---- URL state ----
  function readUrl() {
    const qs = new URLSearchParams(location.search);
    const ids = parseExperimentIds(qs);
    state.ids = ids.filter((id) => byId.has(id));
    state.missing = ids.filter((id) => !byId.has(id));
    const b = (qs.get('baseline') || '').toLowerCase();
    state.baseline = state.ids.includes(b) ? b : state.ids[0] || null;
    state.key = qs.get('key') || null;
    state.filter = FILTERS.some((f) => f.key === qs.get('filter')) ? qs.get('filter') : 'all';
    state.offset = Math.max(0, parseInt(qs.get('offset'), 10) || 0);
    state.offset -= state.offset % PAGE_SIZE;
  }

  /** Writes the state into the URL (commas kept literal, so links stay readable). */
  function writeUrl(push = false) {
    const qs = new URLSearchParams(location.search);
    qs.delete('selectedSessions');
    const set = (k, v) => (v === null || v === undefined || v === '' ? qs.delete(k) : qs.set(k, v));
    set('experiments', state.ids.join(','));
    set('baseline', state.baseline && state.baseline !== state.ids[0] ? state.baseline : null);
    set('key', state.key);
    set('filter', state.filter === 'all' ? null : state.filter);
    set('offset', state.offset ? String(state.offset) : null);
    const search = qs.toString().replace(/%2C/gi, ',');
    const to = location.pathname + (search ? `?${search}` : '');
    if (to !== location.pathname + location.search) (push ? history.pushState : history.replaceState).call(history, null, '', to);
  }

  const dir = (key) => state.directions.get(key) ?? 1;
  const colorOf = (id) => COLORS[Math.max(0, state.ids.indexOf(id)) % COLORS.length];
  const nameOf = (id) => byId.get(id)?.name || id;

  // ---- loading ----
  function busy(on) {
    if (on) el.setAttribute('aria-busy', 'true'); else el.removeAttribute('aria-busy');
    table.classList.toggle('loading', on);
  }

  /** Reloads everything that depends on the selected experiments, then the page of rows. */
  async function reload() {
    const my = ++seq;
    abort?.abort();
    abort = new AbortController();
    const signal = abort.signal;
    busy(true);
    el.dataset.state = 'loading';
    renderMissing();
    picker.render();
    if (!state.ids.length) {
      state.items = [];
      renderAll();
      el.dataset.state = 'ready';
      busy(false);
      return;
    }
    try {
      const [stats, index] = await Promise.all([
        api('/sessions', { query: { id: state.ids, include_stats: true, limit: state.ids.length }, signal }),
        loadIndex(state.ids, signal),
      ]);
      if (my !== seq || disposed) return;
      state.stats = new Map((stats || []).map((s) => [s.id.toLowerCase(), s]));
      state.index = index;
      const keys = new Set();
      for (const s of state.stats.values()) for (const [k, v] of Object.entries(s.feedback_stats || {})) if (isNum(v?.avg)) keys.add(k);
      state.keys = [...keys].sort();
      await loadDirections(state.keys, signal);
      if (my !== seq || disposed) return;
      if (!state.key || !state.keys.includes(state.key)) state.key = state.keys.includes('correctness') ? 'correctness' : state.keys[0] || null;
      if (!state.key || state.ids.length < 2) state.filter = 'all';  // nothing to compare on
      computeDeltas();
      writeUrl();
      await loadRows(my);
    } catch (err) {
      if (err.name === 'AbortError' || my !== seq || disposed) return;
      fail(err);
    }
  }

  async function loadDirections(keys, signal) {
    const unknown = keys.filter((k) => !state.directions.has(k));
    if (!unknown.length) return;
    try {
      const configs = await api('/feedback-configs', { query: { key: unknown, limit: 100 }, signal });
      for (const c of Array.isArray(configs) ? configs : []) {
        if (c?.feedback_key) state.directions.set(c.feedback_key, c.is_lower_score_better ? -1 : 1);
      }
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      // No feedback configs on this server: every key counts as "higher is better".
    }
    for (const k of unknown) if (!state.directions.has(k)) state.directions.set(k, 1);
  }

  /** Per-example scores of every selected experiment (root runs; repetitions averaged). */
  async function loadIndex(ids, signal) {
    const index = new Map();
    let cursor = null;
    do {
      const res = await api('/runs/query', {
        method: 'POST', signal,
        body: { session: ids, is_root: true, limit: 1000, order: 'asc', select: ['id', 'session_id', 'reference_example_id', 'start_time', 'feedback_stats'], ...(cursor ? { cursor } : {}) },
      });
      for (const r of res?.runs || []) {
        const ex = r.reference_example_id?.toLowerCase();
        if (!ex) continue;
        let e = index.get(ex);
        if (!e) { e = { first: r.start_time || '', sessions: new Map() }; index.set(ex, e); }
        if (r.start_time && r.start_time < e.first) e.first = r.start_time;
        const sid = r.session_id.toLowerCase();
        let s = e.sessions.get(sid);
        if (!s) { s = { n: 0, sums: {} }; e.sessions.set(sid, s); }
        s.n += 1;
        for (const [k, v] of Object.entries(r.feedback_stats || {})) {
          if (!isNum(v?.avg)) continue;
          const acc = s.sums[k] || (s.sums[k] = [0, 0]);
          acc[0] += v.avg;
          acc[1] += 1;
        }
      }
      cursor = res?.cursors?.next || null;
    } while (cursor);
    return index;
  }

  function indexScore(entry, sessionId, key) {
    const acc = entry?.sessions.get(sessionId)?.sums[key];
    return acc && acc[1] ? acc[0] / acc[1] : null;
  }

  /** Regressions/improvements on the chosen key against the baseline, worst/best first. */
  function computeDeltas() {
    const reg = [], imp = [];
    const key = state.key;
    if (key && state.index && state.baseline) {
      const others = state.ids.filter((id) => id !== state.baseline);
      for (const [exId, entry] of state.index) {
        const base = indexScore(entry, state.baseline, key);
        if (!isNum(base)) continue;
        let worst = 0, best = 0;
        for (const id of others) {
          const v = indexScore(entry, id, key);
          if (!isNum(v)) continue;
          const d = (v - base) * dir(key);
          worst = Math.min(worst, d);
          best = Math.max(best, d);
        }
        if (worst < -EPS) reg.push({ id: exId, d: worst, first: entry.first });
        if (best > EPS) imp.push({ id: exId, d: best, first: entry.first });
      }
    }
    const order = (a, b) => a.first.localeCompare(b.first) || a.id.localeCompare(b.id);
    reg.sort((a, b) => a.d - b.d || order(a, b));
    imp.sort((a, b) => b.d - a.d || order(a, b));
    state.regressions = reg.map((x) => x.id);
    state.improvements = imp.map((x) => x.id);
  }

  const totalFor = (f) => (f === 'regressions' ? state.regressions.length : f === 'improvements' ? state.improvements.length : dataset.example_count ?? 0);

  /** Loads the current page of rows (filter + offset) and renders everything. */
  async function loadRows(my = ++seq) {
    if (my !== seq) return;
    abort?.abort();
    abort = new AbortController();
    const signal = abort.signal;
    busy(true);
    const total = totalFor(state.filter);
    if (state.offset >= total && state.offset > 0) state.offset = Math.max(0, (Math.ceil(total / PAGE_SIZE) - 1) * PAGE_SIZE);
    writeUrl();
    let items;
    try {
      if (state.filter === 'all') {
        const res = await api(`/datasets/${encodeURIComponent(dataset.id)}/runs`, {
          method: 'POST', signal, body: { session_ids: state.ids, offset: state.offset, limit: PAGE_SIZE },
        });
        items = (res || []).map((ex) => ({ example: ex, runs: ex.runs || [] }));
      } else {
        const ids = (state.filter === 'regressions' ? state.regressions : state.improvements).slice(state.offset, state.offset + PAGE_SIZE);
        items = ids.length ? await loadExamples(ids, signal) : [];
      }
    } catch (err) {
      if (err.name === 'AbortError' || my !== seq || disposed) return;
      fail(err);
      return;
    }
    if (my !== seq || disposed) return;
    banner.hidden = true;
    state.items = items;
    state.selected = -1;
    renderAll();
    el.dataset.state = 'ready';
    busy(false);
  }

  /** Examples with the given ids (in that order) and the selected experiments' root runs on them. */
  async function loadExamples(ids, signal) {
    const [examples, runs] = await Promise.all([
      api('/examples', { query: { dataset: dataset.id, id: ids, limit: ids.length }, signal }),
      (async () => {
        const out = [];
        let cursor = null;
        do {
          const res = await api('/runs/query', {
            method: 'POST', signal,
            body: { session: state.ids, reference_example: ids, is_root: true, order: 'asc', limit: 1000, select: RUN_SELECT, ...(cursor ? { cursor } : {}) },
          });
          out.push(...(res?.runs || []));
          cursor = res?.cursors?.next || null;
        } while (cursor);
        return out;
      })(),
    ]);
    const byExample = new Map();
    for (const r of runs) {
      const k = r.reference_example_id?.toLowerCase();
      if (k) (byExample.get(k) || byExample.set(k, []).get(k)).push(r);
    }
    const exById = new Map((examples || []).map((e) => [e.id.toLowerCase(), e]));
    return ids.filter((id) => exById.has(id)).map((id) => ({ example: exById.get(id), runs: byExample.get(id) || [] }));
  }

  function fail(err) {
    busy(false);
    el.dataset.state = 'error';
    if (err instanceof ApiError && err.status === 401) return;
    banner.textContent = `Could not load the comparison: ${err.message}`;
    banner.hidden = false;
  }

  // ---- state changes ----
  function setExperiments(ids) {
    state.ids = ids;
    state.missing = [];
    if (!ids.includes(state.baseline)) state.baseline = ids[0] || null;
    state.offset = 0;
    state.expanded.clear();
    writeUrl(true);
    reload();
  }
  function setBaseline(id) {
    if (!state.ids.includes(id) || id === state.baseline) return;
    state.baseline = id;
    state.offset = state.filter === 'all' ? state.offset : 0;
    computeDeltas();
    loadRows();
  }
  function setKey(key) {
    if (!state.keys.includes(key) || key === state.key) return;
    state.key = key;
    state.offset = state.filter === 'all' ? state.offset : 0;
    computeDeltas();
    loadRows();
  }
  function setFilter(f) {
    if (f === state.filter) return;
    state.filter = f;
    state.offset = 0;
    state.expanded.clear();
    loadRows();
  }
  function goPage(delta) {
    const next = state.offset + delta * PAGE_SIZE;
    if (next < 0 || next >= totalFor(state.filter)) return;
    state.offset = next;
    writeUrl(true);
    loadRows().then(() => el.scrollIntoView?.({ block: 'start' }));
  }

  // ---- rendering ----
  function renderMissing() {
    if (!state.missing.length) { notice.hidden = true; return; }
    notice.hidden = false;
    append(clear(notice), [`Not shown: ${state.missing.length === 1 ? 'this id is not an experiment' : 'these ids are not experiments'} on ${dataset.name}: `,
      state.missing.map((id, i) => [i ? ', ' : '', h('code', {}, id)])]);
  }

  function renderAll() {
    renderCards();
    renderToolbar();
    renderRows();
  }

  function renderCards() {
    clear(cards);
    if (!state.ids.length) return;
    const base = state.stats.get(state.baseline);
    for (const id of state.ids) {
      const s = state.stats.get(id) || byId.get(id) || { id, name: id };
      const isBase = id === state.baseline;
      const scores = state.keys.map((k) => {
        const v = s.feedback_stats?.[k]?.avg;
        const b = base?.feedback_stats?.[k]?.avg;
        const vd = isBase ? null : verdict(v, b, dir(k));
        return h('div', { class: ['cmp-score', k === state.key && 'on'], dataset: { key: k } },
          h('span', { class: 'cmp-score-key' }, k),
          h('b', { class: 'cmp-score-value' }, fmtAvg(v)),
          vd ? h('span', { class: ['cmp-delta', vd], dataset: { verdict: vd }, title: `${VERDICT_TEXT[vd]} the baseline (${fmtAvg(b)})` }, fmtDelta(v - b)) : null,
          h('span', { class: 'faint cmp-score-n' }, s.feedback_stats?.[k]?.n ? `n=${s.feedback_stats[k].n}` : ''));
      });
      cards.append(h('section', { class: ['card cmp-card', isBase && 'baseline'], dataset: { sessionId: id }, style: `--exp-color: ${colorOf(id)}` },
        h('header', {},
          h('span', { class: 'cmp-swatch' }),
          h('a', { class: 'cmp-card-name', href: `/projects/p/${encodeURIComponent(id)}`, title: s.name }, s.name || id),
          h('span', { class: 'grow' }),
          isBase ? h('span', { class: 'pill cmp-base-pill' }, 'Baseline') : null,
          h('button', {
            class: 'btn small ghost cmp-remove', type: 'button', title: 'Remove from the comparison', attrs: { 'aria-label': `Remove ${s.name}` },
            on: { click: () => setExperiments(state.ids.filter((x) => x !== id)) },
          }, '×')),
        h('div', { class: 'body' },
          h('div', { class: 'cmp-scores' }, scores.length ? scores : h('span', { class: 'faint' }, 'No feedback scores')),
          h('div', { class: 'cmp-stats' },
            stat('Runs', fmtNumber(s.run_count ?? null), 'runs'),
            stat('P50 latency', fmtDuration(s.latency_p50), 'latency'),
            stat('Tokens', s.total_tokens ? fmtNumber(s.total_tokens) : '–', 'tokens'),
            stat('Cost', s.total_cost !== null && s.total_cost !== undefined && Number(s.total_cost) ? fmtCost(s.total_cost) : '–', 'cost'),
            s.error_rate ? stat('Errors', `${Math.round(s.error_rate * 100)}%`, 'errors') : null,
            isBase ? null : h('button', {
              class: 'btn small cmp-make-base', type: 'button', title: 'Compare the other experiments against this one',
              on: { click: () => setBaseline(id) },
            }, 'Set as baseline')))));
    }
    if (state.ids.length === 1) {
      cards.append(h('div', { class: 'cmp-add-hint muted' },
        h('span', {}, 'Add another experiment to compare against ', h('b', {}, nameOf(state.ids[0])), '.'), picker.openButton('Add experiment')));
    }
  }

  const stat = (label, value, key) => h('div', { class: 'cmp-stat', dataset: { stat: key } }, h('span', { class: 'muted' }, label), h('b', {}, value));

  function renderToolbar() {
    const on = state.ids.length > 0;
    main.hidden = !on;
    clear(baselineSel).append(...state.ids.map((id) => h('option', { value: id, selected: id === state.baseline }, nameOf(id))));
    baselineSel.disabled = state.ids.length < 2;
    clear(keySel).append(...(state.keys.length ? state.keys.map((k) => h('option', { value: k, selected: k === state.key }, k))
      : [h('option', { value: '' }, 'no feedback')]));
    keySel.disabled = !state.keys.length;
    for (const b of filterSeg.children) {
      const f = b.dataset.filter;
      const active = f === state.filter;
      b.classList.toggle('on', active);
      b.setAttribute('aria-pressed', String(active));
      b.querySelector('.count').textContent = String(totalFor(f));
      b.disabled = f !== 'all' && (!state.key || state.ids.length < 2);
    }
  }

  function gridTemplate() {
    const n = state.ids.length;
    el.style.setProperty('--cmp-cols', `minmax(200px, .9fr) minmax(160px, .7fr) repeat(${n}, minmax(260px, 1.2fr))`);
    el.style.setProperty('--cmp-min', `${200 + 160 + n * 260}px`);
  }

  function renderHead() {
    gridTemplate();
    append(clear(headInner), [
      h('div', { class: 'cmp-hcell' }, 'Input'),
      h('div', { class: 'cmp-hcell' }, 'Reference output'),
      state.ids.map((id) => h('div', { class: ['cmp-hcell cmp-hexp', id === state.baseline && 'baseline'], dataset: { sessionId: id }, style: `--exp-color: ${colorOf(id)}` },
        h('span', { class: 'cmp-swatch' }), h('span', { class: 'cmp-hname', title: nameOf(id) }, nameOf(id)),
        id === state.baseline ? h('span', { class: 'pill cmp-base-pill' }, 'Baseline') : null))]);
  }

  function renderRows() {
    if (!state.ids.length) {
      clear(rows);
      showEmpty(noExperiments());
      return;
    }
    renderHead();
    clear(rows);
    state.items.forEach((item, i) => rows.append(rowEl(item, i)));
    const total = totalFor(state.filter);
    if (!state.items.length) {
      head.hidden = true;
      if (state.filter === 'all') showEmpty(h('h3', {}, 'This dataset has no examples'), h('p', {}, 'Add examples to the dataset, then run an experiment on it.'));
      else {
        const what = state.filter === 'regressions' ? 'regressions' : 'improvements';
        showEmpty(h('h3', {}, `No ${what} on ${state.key}`),
          h('p', {}, state.filter === 'regressions'
            ? `No experiment scored worse than ${nameOf(state.baseline)} on any example.`
            : `No experiment scored better than ${nameOf(state.baseline)} on any example.`),
          h('button', { class: 'btn', type: 'button', on: { click: () => setFilter('all') } }, 'Show all examples'));
      }
    } else {
      head.hidden = false;
      showEmpty();
    }
    const from = state.items.length ? state.offset + 1 : 0;
    pageInfo.textContent = state.items.length ? `Examples ${from}–${state.offset + state.items.length} of ${fmtNumber(total)}` : '';
    prevBtn.disabled = state.offset === 0;
    nextBtn.disabled = state.offset + PAGE_SIZE >= total;
    pager.hidden = total <= PAGE_SIZE && !state.offset;
    requestAnimationFrame(() => { head.scrollLeft = body.scrollLeft; });
  }

  function showEmpty(...children) {
    clear(emptyEl);
    emptyEl.hidden = !children.length;
    if (children.length) emptyEl.append(h('div', { class: 'empty' }, children));
  }

  function noExperiments() {
    if (!experiments.length) {
      return [h('h3', {}, 'No experiments on this dataset yet'),
        h('p', {}, 'Run an evaluation against it and each run of your app becomes an experiment you can compare here:'),
        h('pre', { class: 'cmp-snippet' }, `from langsmith import evaluate\n\nevaluate(my_app, data=${JSON.stringify(dataset.name)}, evaluators=[correctness])`)];
    }
    const recent = [...experiments].sort((a, b) => String(b.start_time).localeCompare(String(a.start_time))).slice(0, 2);
    return [h('h3', {}, 'No experiments selected'),
      h('p', {}, `Pick two or more of the ${experiments.length} experiment${experiments.length === 1 ? '' : 's'} on ${dataset.name} to compare their outputs example by example.`),
      h('div', { class: 'row cmp-empty-actions' },
        recent.length >= 2 ? h('button', { class: 'btn primary', type: 'button', on: { click: () => setExperiments(recent.map((e) => e.id.toLowerCase())) } },
          'Compare the two most recent') : null,
        picker.openButton('Choose experiments…'))];
  }

  // One example row: input, reference output, then each experiment's run.
  function rowEl(item, i) {
    const ex = item.example;
    const exId = ex.id.toLowerCase();
    const expanded = state.expanded.has(exId);
    const bySession = new Map();
    for (const r of item.runs) {
      const sid = r.session_id.toLowerCase();
      (bySession.get(sid) || bySession.set(sid, []).get(sid)).push(r);
    }
    const baseRuns = bySession.get(state.baseline) || [];
    const toggle = h('button', {
      class: 'btn small ghost cmp-expand', type: 'button', attrs: { 'aria-expanded': String(expanded) },
      title: expanded ? 'Show compact outputs' : 'Show full outputs', on: { click: (e) => { e.stopPropagation(); toggleRow(exId); } },
    }, expanded ? 'Collapse' : 'Expand');
    const cells = [
      h('div', { class: 'cmp-cell cmp-input' },
        h('div', { class: 'cmp-cell-top' }, h('span', { class: 'faint cmp-n' }, `#${state.offset + i + 1}`), h('span', { class: 'grow' }), toggle),
        valueBox(ex.inputs, expanded)),
      h('div', { class: 'cmp-cell cmp-ref' }, ex.outputs && Object.keys(ex.outputs).length ? valueBox(ex.outputs, expanded) : h('span', { class: 'faint' }, 'no reference output')),
      state.ids.map((id) => runCell(id, bySession.get(id) || [], baseRuns, expanded)),
    ];
    return h('div', {
      class: ['cmp-grid cmp-row', expanded && 'expanded', i === state.selected && 'selected'],
      dataset: { exampleId: exId }, attrs: { role: 'listitem', tabindex: '-1' },
      on: { click: (e) => { if (!e.target.closest('a, button, .json-view, input, select')) select(i, false); } },
    }, cells);
  }

  function runCell(id, runs, baseRuns, expanded) {
    if (!runs.length) {
      return h('div', { class: 'cmp-cell cmp-run none', dataset: { sessionId: id, verdict: 'none' }, style: `--exp-color: ${colorOf(id)}` },
        h('span', { class: 'faint cmp-norun' }, 'no run'));
    }
    const run = runs[0];
    const isBase = id === state.baseline;
    const avg = (list, k) => {
      const vals = list.map((r) => r.feedback_stats?.[k]?.avg).filter(isNum);
      return vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null;
    };
    const keys = new Set(state.keys);
    for (const r of runs) for (const [k, v] of Object.entries(r.feedback_stats || {})) if (isNum(v?.avg)) keys.add(k);
    const pills = [...keys].sort().map((k) => {
      const v = avg(runs, k);
      if (!isNum(v)) return null;
      const vd = isBase ? null : verdict(v, avg(baseRuns, k), dir(k));
      return h('span', { class: ['pill cmp-fb', vd, k === state.key && 'on'], dataset: { key: k, verdict: vd || (isBase ? 'baseline' : 'none') },
        title: vd ? `${k}: ${fmtScore(v)}, ${VERDICT_TEXT[vd]} the baseline (${fmtScore(avg(baseRuns, k))})` : `${k}: ${fmtScore(v)}` },
      `${k} `, h('b', {}, fmtScore(v)));
    });
    const main = isBase ? 'baseline' : verdict(avg(runs, state.key), avg(baseRuns, state.key), dir(state.key)) || 'none';
    const lat = latencyOf(run);
    const tokens = Number(run.total_tokens || 0);
    return h('div', { class: ['cmp-cell cmp-run', main], dataset: { sessionId: id, verdict: main, runId: run.id }, style: `--exp-color: ${colorOf(id)}` },
      run.error ? h('div', { class: 'cmp-error err-text', title: run.error }, expanded ? run.error : String(run.error).split('\n')[0]) : null,
      run.error && (run.outputs === null || run.outputs === undefined) ? null : valueBox(run.outputs, expanded),
      h('div', { class: 'cmp-run-foot' },
        h('div', { class: 'cmp-fbs' }, pills),
        h('div', { class: 'cmp-metrics' },
          runs.length > 1 ? h('span', { class: 'faint', title: 'Repetitions: scores are averaged, the first run is shown' }, `×${runs.length}`) : null,
          h('span', { class: 'cmp-lat muted', title: 'Latency' }, fmtDuration(lat)),
          tokens ? h('span', { class: 'cmp-tok muted', title: 'Total tokens' }, `${fmtNumber(tokens)} tok`) : null,
          h('span', { class: 'grow' }),
          h('a', { class: 'cmp-trace', href: traceHref(run), title: 'Open the trace' }, 'Trace ↗'))));
  }

  function toggleRow(exId, open) {
    const want = open ?? !state.expanded.has(exId);
    if (want) state.expanded.add(exId); else state.expanded.delete(exId);
    const i = state.items.findIndex((it) => it.example.id.toLowerCase() === exId);
    const old = rows.children[i];
    if (!old) return;
    const fresh = rowEl(state.items[i], i);
    old.replaceWith(fresh);
    if (i === state.selected) fresh.focus({ preventScroll: true });
  }

  function select(i, focus = true) {
    const list = rows.children;
    list[state.selected]?.classList.remove('selected');
    state.selected = Math.max(0, Math.min(i, state.items.length - 1));
    const row = list[state.selected];
    if (!row) return;
    row.classList.add('selected');
    if (focus) {
      row.focus({ preventScroll: true });
      row.scrollIntoView({ block: 'nearest' });
    }
  }

  // ---- experiment picker (popover with checkboxes) ----
  function createPicker() {
    const search = h('input', { class: 'input cmp-picker-search', type: 'search', placeholder: 'Filter experiments', attrs: { 'aria-label': 'Filter experiments' }, on: { input: () => renderList() } });
    const list = h('div', { class: 'cmp-picker-list', attrs: { role: 'group', 'aria-label': 'Experiments' } });
    const panel = h('div', { class: 'card cmp-picker-panel', hidden: true },
      h('div', { class: 'row cmp-picker-top' }, h('b', {}, 'Experiments'), h('span', { class: 'grow' }),
        h('span', { class: 'faint small' }, `${experiments.length} on this dataset`)),
      experiments.length > 8 ? search : null,
      list,
      comparatives.length ? h('div', { class: 'cmp-picker-saved' },
        h('div', { class: 'muted small' }, 'Pairwise experiments'),
        comparatives.map((c) => {
          const ids = (c.experiments_info || []).map((x) => String(x.id).toLowerCase()).filter((id) => byId.has(id));
          return h('button', {
            class: 'btn small ghost cmp-picker-pairwise', type: 'button', dataset: { comparativeId: c.id }, disabled: ids.length < 1,
            title: (c.experiments_info || []).map((x) => x.name || x.id).join(' vs '),
            on: { click: () => { toggle(false); setExperiments(ids); } },
          }, h('span', { class: 'cmp-picker-name' }, c.name || (c.experiments_info || []).map((x) => x.name || x.id).join(' vs ')),
          h('span', { class: 'faint' }, `${ids.length} experiments`));
        })) : null);
    const btnLabel = h('span', {}, 'Experiments');
    const btn = h('button', { class: 'btn cmp-picker-btn', type: 'button', attrs: { 'aria-haspopup': 'true', 'aria-expanded': 'false' }, on: { click: (e) => { e.stopPropagation(); toggle(); } } }, btnLabel, ' ▾');
    const root = h('div', { class: 'cmp-picker' }, btn, panel);
    function renderList() {
      const q = search.value.trim().toLowerCase();
      const shown = experiments.filter((e) => !q || String(e.name || '').toLowerCase().includes(q));
      append(clear(list), [shown.map((e) => {
        const id = e.id.toLowerCase();
        const on = state.ids.includes(id);
        return h('label', { class: ['cmp-picker-item', on && 'on'], dataset: { sessionId: id } },
          h('input', { type: 'checkbox', checked: on, on: { change: (ev) => {
            const ids = ev.target.checked ? [...state.ids, id] : state.ids.filter((x) => x !== id);
            setExperiments(ids);
          } } }),
          on ? h('span', { class: 'cmp-swatch', style: `--exp-color: ${colorOf(id)}` }) : h('span', { class: 'cmp-swatch off' }),
          h('span', { class: 'cmp-picker-name', title: e.name }, e.name),
          h('span', { class: 'faint small' }, fmtAgo(e.start_time)));
      }), shown.length ? null : h('div', { class: 'faint small' }, experiments.length ? 'No experiment matches.' : 'This dataset has no experiments yet.')]);
    }
    function toggle(open = panel.hidden) {
      panel.hidden = !open;
      btn.setAttribute('aria-expanded', String(open));
      if (open) { renderList(); (experiments.length > 8 ? search : list.querySelector('input'))?.focus(); }
    }
    const outside = (e) => { if (!panel.hidden && !root.contains(e.target) && !e.target.closest?.('.cmp-open-picker')) toggle(false); };
    document.addEventListener('click', outside);
    return {
      el: root,
      get open() { return !panel.hidden; },
      close: () => toggle(false),
      render() {
        btnLabel.textContent = `Experiments · ${state.ids.length}`;
        if (!panel.hidden) renderList();
      },
      openButton: (label) => h('button', { class: 'btn cmp-open-picker', type: 'button', on: { click: (e) => { e.stopPropagation(); toggle(true); } } }, label),
      dispose: () => document.removeEventListener('click', outside),
    };
  }

  // ---- keyboard: j/k or ↓/↑ move between examples, Enter expands, Escape collapses ----
  function onKey(e) {
    if (e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey || document.querySelector('dialog[open]')) return;
    if (e.key === 'Escape' && picker.open) { picker.close(); return; }
    const t = e.target;
    if (t.closest?.('input, textarea, select, [contenteditable="true"]')) return;
    if (!state.items.length) return;
    if (e.key === 'j' || e.key === 'ArrowDown') { e.preventDefault(); select(state.selected < 0 ? 0 : state.selected + 1); }
    else if (e.key === 'k' || e.key === 'ArrowUp') { e.preventDefault(); select(state.selected < 0 ? 0 : state.selected - 1); }
    else if (e.key === 'Enter' && state.selected >= 0 && !t.closest?.('button, a')) {
      e.preventDefault();
      toggleRow(state.items[state.selected].example.id.toLowerCase());
    } else if (e.key === 'Escape' && state.selected >= 0) {
      toggleRow(state.items[state.selected].example.id.toLowerCase(), false);
    }
  }

  return {
    el,
    actions: [picker.el],
    mount() {
      const bar = document.querySelector('.topbar');
      if (bar) el.style.setProperty('--cmp-top', `${bar.offsetHeight}px`);
      document.addEventListener('keydown', onKey);
      readUrl();
      writeUrl();
      reload();
    },
    dispose() {
      disposed = true;
      seq++;
      abort?.abort();
      picker.dispose();
      document.removeEventListener('keydown', onKey);
    },
  };
}

/** A value in a row: compact (clamped; flat objects as key/value lines) or full (renderValue). */
function valueBox(value, expanded) {
  if (expanded) return h('div', { class: 'cmp-val full' }, renderValue(value));
  return h('div', { class: 'cmp-val' }, compactValue(value));
}

function compactValue(v) {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const entries = Object.entries(v);
    const flat = entries.length > 0 && entries.length <= 8 && entries.every(([, x]) => x === null || ['string', 'number', 'boolean'].includes(typeof x));
    if (flat) {
      return h('div', { class: 'cmp-kvs' }, entries.map(([k, x]) => h('div', { class: 'cmp-kv' },
        entries.length > 1 || !['output', 'answer', 'text', 'content', 'result', 'response', 'completion'].includes(k) ? h('span', { class: 'cmp-k mono faint' }, k) : null,
        typeof x === 'string' && x.includes('\n') ? markdown(x.length > 2000 ? `${x.slice(0, 2000)}…` : x)
          : h('span', { class: ['cmp-v', typeof x !== 'string' && 'mono'] }, x === null ? 'null' : String(x).length > 600 ? `${String(x).slice(0, 600)}…` : String(x)))));
    }
  }
  return renderValue(v);
}
