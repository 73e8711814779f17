// A project's Runs tab: view toggle (root runs / all runs / LLM calls), filter DSL bar with a
// point-and-click builder, cursor pagination (never offsets or counts), live refresh, keyboard
// navigation. State that a link should restore lives in the URL: filter, view, cursor, page, live.
import { h, clear } from '../lib/dom.js';
import { api, ApiError } from '../lib/api.js';
import { navigate, setQuery, query } from '../lib/router.js';
import { createRunsTable } from '../components/runs-table.js';
import { createFilterBar } from '../components/filter-bar.js';
import { firstTraceHelp } from './projects.js';

export const PAGE_SIZE = 50;
const LIVE_MS = 5000;
const SELECT = ['id', 'name', 'run_type', 'start_time', 'end_time', 'status', 'error', 'total_tokens', 'total_cost', 'tags',
  'feedback_stats', 'inputs_preview', 'outputs_preview', 'trace_id', 'session_id', 'parent_run_id'];
const VIEWS = [
  { key: 'root', label: 'Root runs', title: 'Only the top-level run of each trace', body: { is_root: true } },
  { key: 'all', label: 'All runs', title: 'Every run, at any depth', body: {} },
  { key: 'llm', label: 'LLM calls', title: 'Only LLM runs, at any depth', body: { run_type: 'llm' } },
];

// Previous-page cursors survive reloads: cursor → the cursor of the page before it, per view.
const PREV_KEY = 'anvil.runs.prev';
function prevMap() {
  try { return JSON.parse(sessionStorage.getItem(PREV_KEY) || '{}'); } catch { return {}; }
}
function rememberPrev(scope, cursor, prev) {
  const m = prevMap();
  m[`${scope}|${cursor}`] = prev || '';
  const keys = Object.keys(m);
  for (const k of keys.slice(0, Math.max(0, keys.length - 500))) delete m[k];
  try { sessionStorage.setItem(PREV_KEY, JSON.stringify(m)); } catch { /* storage full or disabled */ }
}
function lookupPrev(scope, cursor) {
  const v = prevMap()[`${scope}|${cursor}`];
  return v === undefined ? undefined : v || null;
}

/** Renders the Runs tab into `container`; returns {dispose()}. */
export async function renderRunsTab(project, container) {
  const qs = query();
  const state = {
    filter: qs.filter || '',
    view: VIEWS.some((v) => v.key === qs.view) ? qs.view : 'root',
    cursor: qs.cursor || null,
    page: Math.max(1, parseInt(qs.page, 10) || 1),
    live: qs.live !== '0',
    next: null,
    failed: false,
  };
  let abort = null;
  let seq = 0;
  let liveBusy = false;
  let timer = null;
  let disposed = false;

  const traceHref = (run) => `/projects/p/${project.id}/r/${run.id}?trace_id=${run.trace_id || run.id}`;
  const scope = () => `${project.id}|${state.view}|${state.filter}`;

  // ---- widgets ----
  const table = createRunsTable({ hrefFor: traceHref, onOpen: (run) => navigate(traceHref(run)) });
  const bar = createFilterBar({
    value: state.filter,
    onApply: (dsl) => {
      if (dsl === state.filter && !state.failed) return;
      state.filter = dsl;
      goFirst();
    },
    suggestions: () => {
      const fk = new Set(), tg = new Set(), nm = new Set();
      for (const r of table.runs) {
        Object.keys(r.feedback_stats || {}).forEach((k) => fk.add(k));
        (r.tags || []).forEach((t) => tg.add(t));
        if (r.name) nm.add(r.name);
      }
      return { feedbackKeys: [...fk].sort(), tags: [...tg].sort(), names: [...nm].sort() };
    },
  });

  const viewSeg = h('div', { class: 'seg', attrs: { role: 'group', 'aria-label': 'Which runs' } },
    VIEWS.map((v) => h('button', {
      type: 'button', class: v.key === state.view ? 'on' : null, title: v.title,
      attrs: { 'aria-pressed': v.key === state.view ? 'true' : 'false', 'data-view': v.key },
      on: {
        click: () => {
          if (state.view === v.key) return;
          state.view = v.key;
          for (const b of viewSeg.children) {
            const on = b.dataset.view === v.key;
            b.classList.toggle('on', on);
            b.setAttribute('aria-pressed', on ? 'true' : 'false');
          }
          goFirst();
        },
      },
    }, v.label)));

  const liveBox = h('input', { type: 'checkbox', checked: state.live, attrs: { 'aria-label': 'Live refresh' } });
  const liveDot = h('span', { class: 'live-dot' });
  const liveLabel = h('label', { class: 'live-toggle', title: 'Fetch new runs every 5 seconds' }, liveBox, liveDot, h('span', { class: 'live-text' }, 'Live'));
  liveBox.addEventListener('change', () => {
    state.live = liveBox.checked;
    setQuery({ live: state.live ? null : '0' });
    syncLive();
    if (state.live) tick();
  });
  const refreshBtn = h('button', { class: 'btn small ghost', type: 'button', title: 'Reload this page of runs', on: { click: () => load() } }, '↻ Refresh');

  const newer = h('button', { class: 'btn', type: 'button', attrs: { 'aria-label': 'Newest runs' }, on: { click: () => goFirst() } }, '« Newest');
  const prev = h('button', { class: 'btn', type: 'button', attrs: { 'aria-label': 'Previous page' }, on: { click: () => goPrev() } }, '‹ Previous');
  const next = h('button', { class: 'btn', type: 'button', attrs: { 'aria-label': 'Next page' }, on: { click: () => goNext() } }, 'Next ›');
  const pageInfo = h('span', { class: 'muted page-info' });
  const pager = h('div', { class: 'row pager' }, pageInfo, h('span', { class: 'grow' }), newer, prev, next);

  const banner = h('div', { class: 'banner', hidden: true, attrs: { role: 'alert' } });
  const emptyEl = h('div', { class: 'runs-empty', hidden: true });

  const keysHint = h('span', { class: 'faint keys-hint' },
    h('span', { class: 'kbd' }, 'j'), ' ', h('span', { class: 'kbd' }, 'k'), ' move · ',
    h('span', { class: 'kbd' }, 'Enter'), ' open · ', h('span', { class: 'kbd' }, '/'), ' filter');

  clear(container).append(h('div', { class: 'runs-tab' },
    h('div', { class: 'row runs-toolbar' }, viewSeg, h('span', { class: 'grow' }), keysHint, refreshBtn, liveLabel),
    bar.el,
    banner,
    table.el,
    emptyEl,
    pager));

  // ---- requests ----
  function baseBody() {
    const b = { session: [project.id], select: SELECT, ...VIEWS.find((v) => v.key === state.view).body };
    if (state.filter) b.filter = state.filter;
    return b;
  }

  function writeUrl(push) {
    setQuery({
      filter: state.filter || null,
      view: state.view === 'root' ? null : state.view,
      cursor: state.cursor,
      page: state.cursor && state.page > 1 ? state.page : null,
    }, { push });
  }

  function goFirst() {
    state.cursor = null;
    state.page = 1;
    writeUrl(true);
    load();
  }
  function goNext() {
    if (!state.next) return;
    rememberPrev(scope(), state.next, state.cursor);
    state.cursor = state.next;
    state.page += 1;
    writeUrl(true);
    load({ top: true });
  }
  function goPrev() {
    if (!state.cursor) return;
    const p = lookupPrev(scope(), state.cursor);
    state.cursor = p === undefined ? null : p;  // unknown (shared link): back to the newest page
    state.page = state.cursor ? Math.max(2, state.page - 1) : 1;
    writeUrl(true);
    load({ top: true });
  }

  async function load({ top = false } = {}) {
    const my = ++seq;
    abort?.abort();
    abort = new AbortController();
    table.setLoading(true);
    const body = { ...baseBody(), limit: PAGE_SIZE };
    if (state.cursor) body.cursor = state.cursor;
    let res;
    try {
      res = await api('/runs/query', { method: 'POST', body, signal: abort.signal });
    } catch (err) {
      if (err.name === 'AbortError' || my !== seq || disposed) return;
      table.setLoading(false);
      fail(err);
      return;
    }
    if (my !== seq || disposed) return;
    state.failed = false;
    table.setLoading(false);
    banner.hidden = true;
    bar.setError(null);
    state.next = res?.cursors?.next || null;
    table.setRows(res?.runs || []);
    if (top) table.el.scrollIntoView?.({ block: 'nearest' });
    renderState();
  }

  function fail(err) {
    state.failed = true;
    state.next = null;
    table.setRows([]);
    if (err instanceof ApiError && err.status === 400) {
      bar.setError(err.detail || err.message);
      showEmpty(h('h3', {}, 'The filter could not be applied'),
        h('p', {}, 'Fix it above, or start over:'), clearFilterButton());
    } else if (err instanceof ApiError && err.status === 422 && state.cursor) {
      showEmpty(h('h3', {}, 'This page link is no longer valid'), h('button', { class: 'btn', type: 'button', on: { click: goFirst } }, 'Go to the newest runs'));
    } else if (!(err instanceof ApiError && err.status === 401)) {
      banner.textContent = `Could not load runs: ${err.message}`;
      banner.hidden = false;
      showEmpty();
    }
    renderPager();
  }

  const clearFilterButton = () => h('button', {
    class: 'btn', type: 'button',
    on: { click: () => { bar.setValue(''); bar.setError(null); state.filter = ''; goFirst(); } },
  }, 'Clear filter');

  function showEmpty(...children) {
    clear(emptyEl);
    emptyEl.hidden = !children.length;
    if (children.length) emptyEl.append(h('div', { class: 'empty' }, children));
    table.el.hidden = !!children.length;
  }

  function renderState() {
    const n = table.runs.length;
    if (n) showEmpty();
    else if (state.filter) {
      showEmpty(h('h3', {}, 'No runs match this filter'),
        h('p', {}, h('code', {}, state.filter)), clearFilterButton());
    } else if (state.view !== 'root' && !state.cursor) {
      showEmpty(h('h3', {}, state.view === 'llm' ? 'No LLM calls in this project yet' : 'No runs yet'),
        h('button', { class: 'btn', type: 'button', on: { click: () => viewSeg.querySelector('[data-view="root"]').click() } }, 'Show root runs'));
    } else if (!state.cursor) {
      showEmpty(h('h3', {}, 'No runs yet'),
        h('p', {}, 'Send a trace to this project and it appears here within seconds', state.live ? ' (live refresh is on).' : '.'),
        firstTraceHelp(project.name));
    } else {
      showEmpty(h('h3', {}, 'No more runs'), h('button', { class: 'btn', type: 'button', on: { click: goFirst } }, 'Go to the newest runs'));
    }
    renderPager();
  }

  function renderPager() {
    const n = table.runs.length;
    newer.disabled = !state.cursor;
    prev.disabled = !state.cursor;
    next.disabled = !state.next;
    pageInfo.textContent = state.failed ? '' : `Page ${state.cursor ? state.page : 1} · ${n} run${n === 1 ? '' : 's'}`;
    pager.hidden = state.failed || (!state.cursor && !state.next && n === 0);
    syncLive();
  }

  // ---- live refresh: newer runs (start_time ≥ newest shown) prepended, deduped by id ----
  function syncLive() {
    const active = state.live && !state.cursor;
    liveLabel.classList.toggle('on', active);
    liveLabel.title = !state.live ? 'Live refresh is off' : state.cursor ? 'Live refresh runs on the newest page only' : 'Fetching new runs every 5 seconds';
  }

  async function tick() {
    if (disposed || liveBusy || !state.live || state.cursor || state.failed || document.hidden) return;
    if (table.el.classList.contains('loading')) return;
    liveBusy = true;
    const my = seq;
    try {
      const shown = table.runs;
      const newest = shown.reduce((best, r) => (!best || Date.parse(r.start_time) > Date.parse(best) ? r.start_time : best), null);
      const body = { ...baseBody(), limit: PAGE_SIZE };
      if (newest) body.start_time = newest;
      const res = await api('/runs/query', { method: 'POST', body });
      if (disposed || my !== seq || state.cursor) return;
      const runs = res?.runs || [];
      const fresh = runs.filter((r) => !table.has(r.id));
      for (const r of runs) if (table.has(r.id)) table.update(r);
      if (!shown.length) {
        if (runs.length) {
          state.next = res?.cursors?.next || null;
          table.setRows(runs, new Set(runs.map((r) => r.id)));
          renderState();
        }
      } else if (runs.length >= PAGE_SIZE && fresh.length) {
        // More arrived than one request holds: reload the newest page so nothing is skipped.
        const again = await api('/runs/query', { method: 'POST', body: { ...baseBody(), limit: PAGE_SIZE } });
        if (disposed || my !== seq || state.cursor) return;
        const known = new Set(table.runs.map((r) => r.id));
        state.next = again?.cursors?.next || null;
        table.setRows(again?.runs || [], new Set((again?.runs || []).filter((r) => !known.has(r.id)).map((r) => r.id)));
        renderState();
      } else if (fresh.length) {
        fresh.sort((a, b) => Date.parse(b.start_time) - Date.parse(a.start_time));
        table.prepend(fresh);
        renderPager();
      }
      // Runs still in progress further down: refresh them by id (cheap, at most one page).
      const pending = table.runs.filter((r) => r.status === 'pending' && !runs.some((x) => x.id === r.id)).map((r) => r.id);
      if (pending.length) {
        const upd = await api('/runs/query', { method: 'POST', body: { ...baseBody(), id: pending.slice(0, PAGE_SIZE), limit: PAGE_SIZE } });
        if (!disposed && my === seq) for (const r of upd?.runs || []) table.update(r);
      }
    } catch {
      // Transient failures are retried on the next tick.
    } finally {
      liveBusy = false;
    }
  }

  const onVisible = () => { if (!document.hidden) tick(); };

  // ---- keyboard: j/k or ↑/↓ move, Enter opens, / focuses the filter ----
  function onKey(e) {
    if (e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey || document.querySelector('dialog[open]')) return;
    const t = e.target;
    const typing = t.closest?.('input, textarea, select, [contenteditable="true"]');
    if (e.key === '/' && !typing) { e.preventDefault(); bar.focus(); return; }
    if (typing) return;
    if (e.key === 'j' || e.key === 'ArrowDown') { e.preventDefault(); table.move(1); }
    else if (e.key === 'k' || e.key === 'ArrowUp') { e.preventDefault(); table.move(-1); }
    else if (e.key === 'Enter' && table.selected && !t.closest?.('button, a')) { e.preventDefault(); table.openSelected(); }
  }

  document.addEventListener('keydown', onKey);
  document.addEventListener('visibilitychange', onVisible);
  timer = setInterval(tick, LIVE_MS);
  syncLive();
  await load();

  return {
    dispose() {
      disposed = true;
      seq++;
      abort?.abort();
      clearInterval(timer);
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('visibilitychange', onVisible);
    },
  };
}
