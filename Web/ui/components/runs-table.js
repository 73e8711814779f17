// Runs table: name with run-type badge, input/output previews (computed by the server), error,
// start time, latency, tokens, cost, tags and feedback averages. Rows are keyboard-selectable;
// the page owns the key bindings and calls move()/openSelected().
import { h, clear, fmtDuration, fmtNumber, fmtCost, latencyOf } from '../lib/dom.js';

const RT_LETTER = { llm: 'L', chain: 'C', tool: 'T', retriever: 'R', embedding: 'E', prompt: 'P', parser: 'O' };
const RT_KNOWN = new Set(Object.keys(RT_LETTER));

/** The run-type badge (`.rt` classes). */
export function runTypeBadge(type) {
  const t = type || 'chain';
  return h('span', { class: ['rt', RT_KNOWN.has(t) ? t : 'other'], title: t, attrs: { 'aria-label': t } }, RT_LETTER[t] || t.charAt(0).toUpperCase());
}

/** Compact local time: "14:02:11" today, "Jun 3 14:02" this year, else "Jun 3 2024". */
export function shortTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  const now = new Date();
  const hm = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (d.toDateString() === now.toDateString()) return hm;
  const md = d.toLocaleDateString('en-US', { month: 'short', day: 'numeric' });
  if (d.getFullYear() === now.getFullYear()) return `${md} ${hm.slice(0, 5)}`;
  return `${md} ${d.getFullYear()}`;
}

const firstLine = (s) => String(s).split('\n').find((l) => l.trim()) || String(s);

// Fixed layout: widths in % of the table (which has a minimum width and scrolls below it).
const COLUMNS = [
  { key: 'name', label: 'Name', w: 14 },
  { key: 'input', label: 'Input', w: 13 },
  { key: 'output', label: 'Output', w: 13 },
  { key: 'error', label: 'Error', w: 10 },
  { key: 'start', label: 'Start time', w: 7.5 },
  { key: 'latency', label: 'Latency', num: true, w: 6.5 },
  { key: 'tokens', label: 'Tokens', num: true, w: 6 },
  { key: 'cost', label: 'Cost', num: true, w: 6.5 },
  { key: 'tags', label: 'Tags', w: 11 },
  { key: 'feedback', label: 'Feedback', w: 12.5 },
];

function cells(run, href) {
  const lat = latencyOf(run);
  const tags = run.tags || [];
  const fb = Object.entries(run.feedback_stats || {});
  const tokens = Number(run.total_tokens || 0);
  return {
    name: h('td', { class: 'run-name' },
      h('span', { class: 'rn' }, runTypeBadge(run.run_type),
        h('a', { href, class: 'run-link', title: run.name, attrs: { tabindex: '-1' } }, run.name || 'Unnamed'))),
    input: h('td', { class: 'preview', title: run.inputs_preview || '' }, run.inputs_preview || ''),
    output: h('td', { class: 'preview', title: run.outputs_preview || '' }, run.outputs_preview || ''),
    error: h('td', { class: 'err-text run-error', title: run.error || '' }, run.error ? firstLine(run.error) : ''),
    start: h('td', { class: 'nowrap', title: run.start_time || '' }, shortTime(run.start_time)),
    latency: h('td', { class: 'num' },
      run.status === 'pending' && !run.end_time ? h('span', { class: 'pill pending' }, 'running')
        : h('span', { class: ['lat', lat !== null && lat >= 10 ? 'slow' : lat !== null && lat >= 2 ? 'warm' : null] }, fmtDuration(lat))),
    tokens: h('td', { class: 'num' }, tokens ? fmtNumber(tokens) : '–'),
    cost: h('td', { class: 'num' }, run.total_cost !== null && run.total_cost !== undefined && Number(run.total_cost) ? fmtCost(run.total_cost) : '–'),
    tags: h('td', { class: 'tags', title: tags.join(', ') },
      tags.slice(0, 3).map((t) => h('span', { class: 'pill tag' }, t)), tags.length > 3 ? h('span', { class: 'faint' }, ` +${tags.length - 3}`) : null),
    feedback: h('td', { class: 'feedback' },
      fb.map(([k, s]) => h('span', { class: 'pill fb', title: `${k}: avg ${s?.avg ?? '–'} over ${s?.n ?? 0}` },
        `${k}: `, h('b', {}, s?.avg === null || s?.avg === undefined ? '–' : Number(s.avg).toFixed(2))))),
  };
}

/**
 * createRunsTable({hrefFor(run), onOpen(run)}) → {el, runs, has, setRows, prepend, update,
 * move, openSelected, selected, setLoading}.
 */
export function createRunsTable({ hrefFor, onOpen }) {
  const tbody = h('tbody');
  const table = h('table', { class: 'data runs-table' },
    h('colgroup', {}, COLUMNS.map((c) => h('col', { style: { width: `${c.w}%` } }))),
    h('thead', {}, h('tr', {}, COLUMNS.map((c) => h('th', { class: [c.num && 'num', `col-${c.key}`] }, c.label)))),
    tbody);
  const el = h('div', { class: 'table-wrap runs-wrap' }, table);
  let runs = [];
  let byId = new Map();
  let sel = -1;

  function rowEl(run, fresh) {
    const c = cells(run, hrefFor(run));
    const tr = h('tr', {
      class: [run.status === 'error' && 'is-error', fresh && 'fresh'],
      dataset: { runId: run.id, runType: run.run_type || '', status: run.status || '' },
      attrs: { tabindex: '-1' },
      on: {
        click: (e) => {
          if (e.target.closest('a')) return;  // the link (router) handles it, incl. ctrl/middle click
          const i = runs.findIndex((r) => r.id === run.id);
          select(i, false);
          onOpen(run);
        },
      },
    }, COLUMNS.map((col) => c[col.key]));
    if (fresh) setTimeout(() => tr.classList.remove('fresh'), 2600);
    return tr;
  }

  function rebuild(freshIds = new Set()) {
    clear(tbody);
    byId = new Map();
    for (const r of runs) {
      const tr = rowEl(r, freshIds.has(r.id));
      byId.set(r.id, tr);
      tbody.append(tr);
    }
  }

  function select(i, focus = true) {
    const rows = tbody.children;
    if (sel >= 0 && rows[sel]) rows[sel].classList.remove('selected');
    sel = Math.max(-1, Math.min(i, runs.length - 1));
    const tr = rows[sel];
    if (!tr) return;
    tr.classList.add('selected');
    if (focus) {
      tr.focus({ preventScroll: true });
      tr.scrollIntoView({ block: 'nearest' });
    }
  }

  return {
    el,
    get runs() { return runs; },
    get selected() { return sel >= 0 ? runs[sel] : null; },
    has: (id) => byId.has(id),
    /** Replaces the rows; `fresh` ids get the arrival highlight. */
    setRows(list, fresh) {
      runs = list.slice();
      sel = -1;
      rebuild(fresh);
    },
    /** Adds newer runs on top (with the arrival highlight), keeping the selection on its run. */
    prepend(list) {
      if (!list.length) return;
      const keep = sel >= 0 ? runs[sel]?.id : null;
      const frag = document.createDocumentFragment();
      for (const r of list) {
        const tr = rowEl(r, true);
        byId.set(r.id, tr);
        frag.append(tr);
      }
      tbody.prepend(frag);
      runs = list.concat(runs);
      if (keep) sel = runs.findIndex((r) => r.id === keep);
    },
    /** Replaces a shown run's row with new data (e.g. a pending run that finished). */
    update(run) {
      const old = byId.get(run.id);
      if (!old) return;
      const i = runs.findIndex((r) => r.id === run.id);
      if (JSON.stringify(runs[i]) === JSON.stringify(run)) return;
      runs[i] = run;
      const tr = rowEl(run, false);
      if (old.classList.contains('selected')) tr.classList.add('selected');
      const focused = document.activeElement === old;
      old.replaceWith(tr);
      if (focused) tr.focus({ preventScroll: true });
      byId.set(run.id, tr);
    },
    move(delta) {
      if (!runs.length) return;
      select(sel < 0 ? (delta > 0 ? 0 : runs.length - 1) : Math.max(0, sel + delta));
    },
    select,
    openSelected() {
      if (sel >= 0 && runs[sel]) onOpen(runs[sel]);
    },
    setLoading(on) { el.classList.toggle('loading', on); },
  };
}
