// A dataset's Experiments tab: the projects that reference the dataset, with run stats and the
// average score of every feedback key (best per key highlighted); pick two or more to compare.
import { h, clear, fmtNumber, fmtDuration, fmtCost, fmtPercent, fmtAgo, fmtTime } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { navigate, setQuery, query } from '../lib/router.js';
import { codeBlock } from '../components/dataset-dialogs.js';

const PAGE = 100;

/** Feedback averages of an experiment: run feedback, then experiment-level feedback. */
export function scoresOf(p) {
  const out = {};
  for (const src of [p.session_feedback_stats, p.feedback_stats]) {
    for (const [k, s] of Object.entries(src || {})) {
      if (s && typeof s.avg === 'number') out[k] = { avg: s.avg, n: s.n ?? null };
    }
  }
  return out;
}

const num = (v) => (v === null || v === undefined || v === '' ? null : Number(v));

const BASE_COLS = [
  { key: 'name', label: 'Experiment', get: (p) => p.name?.toLowerCase() ?? '' },
  { key: 'start_time', label: 'Created', num: true, get: (p) => (p.start_time ? Date.parse(p.start_time) : null) },
  { key: 'run_count', label: 'Runs', num: true, get: (p) => num(p.run_count) },
  { key: 'error_rate', label: 'Error rate', num: true, get: (p) => num(p.error_rate) },
  { key: 'latency_p50', label: 'P50 latency', num: true, get: (p) => num(p.latency_p50) },
  { key: 'total_tokens', label: 'Tokens', num: true, get: (p) => num(p.total_tokens) },
  { key: 'total_cost', label: 'Cost', num: true, get: (p) => num(p.total_cost) },
];

export async function renderExperimentsTab(ctx) {
  const { dataset, container } = ctx;
  const qs = query();
  const state = { rows: [], keys: [], selected: [], sort: qs.sort || 'start_time', dir: qs.dir === 'asc' ? 'asc' : 'desc' };
  let disposed = false;
  const ctrl = new AbortController();

  const compareBtn = h('button', { class: 'btn primary compare-btn', type: 'button', disabled: true, on: { click: compare } }, 'Compare');
  const hint = h('span', { class: 'muted small' });
  const body = h('div', { class: 'exp-body loading' });
  container.append(h('div', { class: 'experiments-tab' },
    h('div', { class: 'row toolbar' }, h('span', { class: 'muted count exp-count' }), h('span', { class: 'grow' }), hint, compareBtn),
    body));
  const countEl = container.querySelector('.exp-count');

  function compare() {
    if (state.selected.length < 2) return;
    navigate(`/datasets/${dataset.id}/compare?experiments=${state.selected.join(',')}`);
  }

  function syncSelection() {
    const n = state.selected.length;
    compareBtn.disabled = n < 2;
    compareBtn.textContent = n >= 2 ? `Compare ${n} experiments` : 'Compare';
    hint.textContent = n < 2 ? 'Select two or more experiments to compare them' : '';
    setQuery({ selected: state.selected.join(',') });
    for (const tr of body.querySelectorAll('tbody tr')) tr.classList.toggle('checked', state.selected.includes(tr.dataset.experimentId));
  }

  const cols = () => [...BASE_COLS, ...state.keys.map((k) => ({ key: `fb:${k}`, fb: k, label: k, num: true, get: (p) => scoresOf(p)[k]?.avg ?? null }))];

  function sorted() {
    const col = cols().find((c) => c.key === state.sort) || BASE_COLS[1];
    return state.rows.slice().sort((a, b) => {
      const x = col.get(a), y = col.get(b);
      if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1;
      if (y === null || y === undefined) return -1;
      const c = typeof x === 'string' ? x.localeCompare(y) : x - y;
      return state.dir === 'asc' ? c : -c;
    });
  }

  function header(col) {
    const on = state.sort === col.key;
    const sortBy = () => {
      if (on) state.dir = state.dir === 'asc' ? 'desc' : 'asc';
      else { state.sort = col.key; state.dir = col.key === 'name' ? 'asc' : 'desc'; }
      setQuery({ sort: state.sort, dir: state.dir });
      render();
    };
    return h('th', {
      class: ['sortable', col.num && 'num', on && 'sorted', col.fb && 'fb-col'],
      dataset: { col: col.key }, title: col.fb ? `Average “${col.fb}” score` : null,
      attrs: { tabindex: '0', 'aria-sort': on ? (state.dir === 'asc' ? 'ascending' : 'descending') : 'none' },
      on: { click: sortBy, keydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(); } } },
    }, col.label, h('span', { class: 'sort-ind' }, on ? (state.dir === 'asc' ? ' ▲' : ' ▼') : ''));
  }

  function render() {
    clear(body);
    countEl.textContent = state.rows.length ? `${state.rows.length} experiment${state.rows.length === 1 ? '' : 's'}` : '';
    if (!state.rows.length) {
      const py = [
        'from langsmith import Client',
        '',
        'client = Client()',
        '',
        'def target(inputs: dict) -> dict:',
        '    return {"answer": my_app(inputs["question"])}',
        '',
        'def correctness(outputs: dict, reference_outputs: dict) -> bool:',
        '    return outputs["answer"] == reference_outputs["answer"]',
        '',
        `client.evaluate(target, data=${JSON.stringify(dataset.name)}, evaluators=[correctness], experiment_prefix="baseline")`,
      ].join('\n');
      body.append(h('div', { class: 'card empty onboarding exp-empty' },
        h('h3', {}, 'No experiments yet'),
        h('p', {}, 'An experiment runs your app on every example of this dataset and scores the results. Run one with the SDK:'),
        h('div', { class: 'first-trace' }, codeBlock(py, 'evaluation example'))));
      syncSelection();
      return;
    }
    // Best average per feedback key (higher is better), only when experiments differ.
    const best = {};
    for (const k of state.keys) {
      const vals = state.rows.map((p) => scoresOf(p)[k]?.avg).filter((v) => typeof v === 'number');
      if (vals.length > 1 && Math.max(...vals) !== Math.min(...vals)) best[k] = Math.max(...vals);
    }
    const allCols = cols();
    body.append(h('div', { class: 'table-wrap' }, h('table', { class: 'data experiments-table' },
      h('thead', {}, h('tr', {}, h('th', { class: 'sel' }, h('span', { class: 'sr-only' }, 'Select')), allCols.map(header))),
      h('tbody', {}, sorted().map((p) => rowFor(p, best))))));
    syncSelection();
  }

  function rowFor(p, best) {
    const href = `/projects/p/${p.id}`;
    const scores = scoresOf(p);
    const meta = Object.entries(p.extra?.metadata || {}).filter(([, v]) => v !== null && typeof v !== 'object').slice(0, 3);
    const box = h('input', {
      type: 'checkbox', checked: state.selected.includes(p.id), attrs: { 'aria-label': `Select experiment ${p.name}` },
      on: {
        change: (e) => {
          state.selected = e.target.checked ? [...state.selected.filter((x) => x !== p.id), p.id] : state.selected.filter((x) => x !== p.id);
          syncSelection();
        },
      },
    });
    const er = num(p.error_rate);
    return h('tr', {
      dataset: { experimentId: p.id, name: p.name },
      on: { click: (e) => { if (!e.target.closest('a, input, button')) box.click(); } },
    },
    h('td', { class: 'sel' }, box),
    h('td', { class: 'pname', dataset: { col: 'name' } }, h('a', { href }, p.name),
      meta.length ? h('div', { class: 'exp-meta' }, meta.map(([k, v]) => h('span', { class: 'pill small' }, `${k}: ${v}`))) : null),
    h('td', { class: 'num', dataset: { col: 'start_time' }, title: fmtTime(p.start_time) }, fmtAgo(p.start_time)),
    h('td', { class: 'num', dataset: { col: 'run_count' } }, fmtNumber(p.run_count ?? 0)),
    h('td', { class: ['num', er > 0 && 'err-text'], dataset: { col: 'error_rate' } }, p.run_count ? fmtPercent(er ?? 0) : '–'),
    h('td', { class: 'num', dataset: { col: 'latency_p50' } }, fmtDuration(num(p.latency_p50))),
    h('td', { class: 'num', dataset: { col: 'total_tokens' } }, p.total_tokens ? fmtNumber(p.total_tokens) : '–'),
    h('td', { class: 'num', dataset: { col: 'total_cost' } }, num(p.total_cost) ? fmtCost(p.total_cost) : '–'),
    state.keys.map((k) => {
      const s = scores[k];
      const isBest = s && best[k] !== undefined && s.avg === best[k];
      return h('td', {
        class: ['num', 'score', isBest && 'best'], dataset: { key: k },
        title: s ? `${k}: average ${s.avg}${s.n !== null ? ` over ${s.n}` : ''}${isBest ? ' (best)' : ''}` : `no “${k}” feedback`,
      }, s ? s.avg.toFixed(2) : '–');
    }));
  }

  const rows = [];
  try {
    for (let offset = 0; ; offset += PAGE) {
      const page = await api('/sessions', { query: { reference_dataset: dataset.id, include_stats: true, limit: PAGE, offset }, signal: ctrl.signal });
      rows.push(...(page || []));
      if (!page || page.length < PAGE) break;
    }
  } catch (ex) {
    if (ex.name === 'AbortError') return { dispose() {} };
    body.classList.remove('loading');
    body.append(h('div', { class: 'banner' }, `Could not load experiments: ${ex.message}`));
    return { dispose() { ctrl.abort(); } };
  }
  if (!disposed) {
    state.rows = rows;
    state.keys = [...new Set(rows.flatMap((p) => Object.keys(scoresOf(p))))].sort();
    const wanted = (qs.selected || '').split(',').filter((id) => rows.some((p) => p.id === id));
    state.selected = wanted;
    body.classList.remove('loading');
    render();
  }
  return { dispose() { disposed = true; ctrl.abort(); } };
}
