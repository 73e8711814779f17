// The trace view shared by the trace page and the public shared-trace page: the run tree beside
// the waterfall in ONE virtualised row list (fixed row height, only the visible window plus
// overscan is in the DOM, a spacer gives the total height), and the selected run's detail.
import { h, fmtDuration, fmtNumber } from '../lib/dom.js';
import { RunTree, treeCell, fmtCostExact } from './run-tree.js';
import { waterfallScale, waterfallCell, waterfallAxis } from './waterfall.js';
import { runDetail } from './run-detail.js';

export const ROW_HEIGHT = 28;
const OVERSCAN = 10;

/**
 * @param {object} o
 *   runs, truncated        the trace (compact runs)
 *   selectedId             initially selected run (falls back to the root)
 *   loadRun(id, signal)    full run loader; loadFeedback(id, signal) optional
 *   tab, onTab(tab)        detail tab state (URL)
 *   onSelect(id)           called when the user selects a run (URL)
 *   restore                {expanded: Set, scrollTop} from a previous visit, or null
 */
export function traceView(o) {
  const tree = new RunTree(o.runs);
  if (o.restore?.expanded) tree.restore(o.restore.expanded); else tree.expandDefault();
  const scale = waterfallScale(tree);
  performance.mark('anvil:tree-built', { detail: { runs: tree.size } });
  let selected = tree.byId.get(o.selectedId) || tree.roots[0] || null;
  const missingSelection = o.selectedId && !tree.byId.has(o.selectedId) ? o.selectedId : null;
  if (selected) tree.reveal(selected.id);
  let cursor = selected;
  let tab = o.tab || 'run';
  let detail = null;

  // ---- elements ----
  const spacer = h('div', { class: 'tv-spacer' });
  const header = h('div', { class: 'tv-row tv-head' },
    h('div', { class: 'tv-tree-cell tv-head-cell' }, 'Run', h('span', { class: 'grow' }), h('span', { class: 'faint tv-head-meta' }, 'tokens · latency')),
    h('div', { class: 'tv-wf-cell tv-head-cell' }, waterfallAxis(scale)));
  const scroller = h('div', {
    class: 'tv-scroll', tabIndex: 0,
    attrs: { role: 'tree', 'aria-label': 'Runs of this trace', 'aria-multiselectable': 'false' },
  }, header, spacer);
  const countEl = h('span', { class: 'tv-count muted' });
  const errorsBtn = tree.errors.length
    ? h('button', { class: 'btn small danger tv-next-error', type: 'button', title: 'Select the next run that failed', on: { click: () => nextError() } },
      `${fmtNumber(tree.errors.length)} error${tree.errors.length === 1 ? '' : 's'} ›`)
    : null;
  const toolbar = h('div', { class: 'tv-toolbar' },
    h('button', { class: 'btn small tv-expand-all', type: 'button', on: { click: () => expandAll(true) } }, 'Expand all'),
    h('button', { class: 'btn small tv-collapse-all', type: 'button', on: { click: () => expandAll(false) } }, 'Collapse all'),
    countEl, h('span', { class: 'grow' }), errorsBtn,
    h('span', { class: 'muted tv-keys', title: 'Keyboard: ↑/↓ or j/k move, ←/→ collapse/expand, Enter selects' },
      h('span', { class: 'kbd' }, '↑↓'), ' ', h('span', { class: 'kbd' }, '←→'), ' ', h('span', { class: 'kbd' }, '⏎')));
  const left = h('section', { class: 'tv-left' },
    o.truncated ? h('div', { class: 'banner tv-truncated' }, `This trace is too large to show completely: only the first ${fmtNumber(tree.size)} runs are listed.`) : null,
    toolbar, scroller);
  const detailHost = h('div', { class: 'tv-detail' });
  const el = h('div', { class: 'trace-view' }, left, detailHost);

  // ---- virtual rows ----
  const live = new Map();   // node id → row element currently in the DOM
  let raf = 0;
  let headerHeight = 0;

  function rowEl(n, i) {
    const row = h('div', {
      class: ['tv-row', n.err && 'err', n === selected && 'selected', n === cursor && 'cursor'],
      dataset: { id: n.id, index: i, type: n.run.run_type || 'chain' },
      attrs: { role: 'treeitem', 'aria-level': n.depth + 1, 'aria-expanded': n.children.length ? String(n.expanded) : null, 'aria-selected': String(n === selected) },
      style: { top: `${i * ROW_HEIGHT}px` },
    }, treeCell(n, toggle), waterfallCell(n, scale));
    row._node = n;
    return row;
  }

  function renderWindow(force = false) {
    raf = 0;
    const vis = tree.visible;
    const top = Math.max(0, scroller.scrollTop - headerHeight);
    const height = scroller.clientHeight || 800;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(vis.length, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    if (force) { for (const r of live.values()) r.remove(); live.clear(); }
    const want = new Set();
    for (let i = first; i < last; i++) want.add(vis[i].id);
    for (const [id, r] of live) if (!want.has(id)) { r.remove(); live.delete(id); }
    const frag = document.createDocumentFragment();
    for (let i = first; i < last; i++) {
      const n = vis[i];
      const r = live.get(n.id);
      if (r) {
        if (r.dataset.index !== String(i)) { r.style.top = `${i * ROW_HEIGHT}px`; r.dataset.index = i; }
      } else {
        const nr = rowEl(n, i);
        live.set(n.id, nr);
        frag.append(nr);
      }
    }
    spacer.append(frag);
  }

  function schedule() { if (!raf) raf = requestAnimationFrame(() => renderWindow()); }

  function relayout() {
    spacer.style.height = `${tree.visible.length * ROW_HEIGHT}px`;
    countEl.textContent = tree.visible.length === tree.size
      ? `${fmtNumber(tree.size)} run${tree.size === 1 ? '' : 's'}`
      : `${fmtNumber(tree.size)} runs · ${fmtNumber(tree.visible.length)} shown`;
    renderWindow(true);
  }

  function restyle() {
    for (const r of live.values()) {
      const n = r._node;
      r.classList.toggle('selected', n === selected);
      r.classList.toggle('cursor', n === cursor);
      r.setAttribute('aria-selected', String(n === selected));
    }
  }

  function toggle(n, expanded) {
    if (tree.toggle(n, expanded)) relayout();
    cursor = n;
    restyle();
  }

  function expandAll(expanded) {
    const t = performance.now();
    tree.setAll(expanded);
    if (!expanded && cursor && tree.indexOf(cursor.id) < 0) cursor = tree.roots[0];
    relayout();
    performance.mark(expanded ? 'anvil:expand-all' : 'anvil:collapse-all', { detail: { ms: performance.now() - t } });
  }

  /** Scrolls so that visible row `i` is inside the viewport. */
  function scrollToRow(i, center = false) {
    if (i < 0) return;
    const y = i * ROW_HEIGHT + headerHeight;
    const view = scroller.clientHeight;
    if (center) scroller.scrollTop = Math.max(0, y - view / 2 + ROW_HEIGHT);
    else if (y < scroller.scrollTop + headerHeight) scroller.scrollTop = y - headerHeight;
    else if (y + ROW_HEIGHT > scroller.scrollTop + view) scroller.scrollTop = y + ROW_HEIGHT - view;
    renderWindow();
  }

  function moveCursor(n) {
    if (!n) return;
    cursor = n;
    if (tree.indexOf(n.id) < 0) { tree.reveal(n.id); relayout(); }
    scrollToRow(tree.indexOf(n.id));
    restyle();
  }

  function select(n, { notify = true, center = false } = {}) {
    if (!n) return;
    selected = n;
    moveCursor(n);
    if (center) scrollToRow(tree.indexOf(n.id), true);
    showDetail();
    if (notify) o.onSelect?.(n.id);
  }

  function nextError() {
    const errs = tree.errors;
    if (!errs.length) return;
    const from = (cursor || selected)?.index ?? -1;
    const next = errs.find((e) => e.index > from) || errs[0];
    select(next, { center: true });
  }

  function showDetail() {
    detail?.dispose();
    detail = null;
    detailHost.replaceChildren();
    if (missingSelection && selected === null) return;
    if (!selected) {
      detailHost.append(h('div', { class: 'empty' }, h('h3', {}, 'Nothing to show'), h('p', {}, 'This trace has no runs.')));
      return;
    }
    detail = runDetail(selected, {
      loadRun: o.loadRun, loadFeedback: o.loadFeedback, tab,
      onTab: (t) => { tab = t; o.onTab?.(t); },
    });
    detailHost.append(detail.el);
    detailHost.scrollTop = 0;
  }

  // ---- events ----
  scroller.addEventListener('scroll', schedule, { passive: true });
  scroller.addEventListener('click', (e) => {
    const row = e.target.closest('.tv-row[data-id]');
    if (!row || !row._node) return;
    if (e.detail === 2 && row._node.children.length) { toggle(row._node); return; }
    if (row._node !== selected) select(row._node); else { cursor = row._node; restyle(); }
  });
  function onKey(e) {
    if (e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey) return;
    const t = e.target;
    if (t !== document.body && !left.contains(t)) return;
    if (t.matches?.('input, textarea, select, [contenteditable]')) return;
    const vis = tree.visible;
    const i = cursor ? tree.indexOf(cursor.id) : -1;
    const n = cursor;
    switch (e.key) {
      case 'ArrowDown': case 'j': moveCursor(vis[Math.min(vis.length - 1, i + 1)]); break;
      case 'ArrowUp': case 'k': moveCursor(vis[Math.max(0, i - 1)]); break;
      case 'PageDown': moveCursor(vis[Math.min(vis.length - 1, i + Math.floor(scroller.clientHeight / ROW_HEIGHT))]); break;
      case 'PageUp': moveCursor(vis[Math.max(0, i - Math.floor(scroller.clientHeight / ROW_HEIGHT))]); break;
      case 'Home': moveCursor(vis[0]); break;
      case 'End': moveCursor(vis[vis.length - 1]); break;
      case 'ArrowLeft': case 'h':
        if (!n) return;
        if (n.expanded && n.children.length) toggle(n, false); else if (n.parent) moveCursor(n.parent);
        break;
      case 'ArrowRight': case 'l':
        if (!n) return;
        if (n.children.length && !n.expanded) toggle(n, true); else if (n.children.length) moveCursor(n.children[0]);
        break;
      case 'Enter': case ' ':
        if (n) select(n);
        break;
      default: return;
    }
    e.preventDefault();
  }
  document.addEventListener('keydown', onKey);
  const resize = new ResizeObserver(() => schedule());
  resize.observe(scroller);

  // ---- initial content ----
  relayout();
  if (missingSelection) {
    detailHost.append(h('div', { class: 'empty tv-missing' }, h('h3', {}, 'Run not in this trace'),
      h('p', {}, `No run with id ${missingSelection} belongs to this trace.`),
      selected ? h('button', { class: 'btn', type: 'button', on: { click: () => select(selected) } }, 'Show the root run') : null));
  } else showDetail();

  return {
    el, tree,
    select: (id, opts) => select(tree.byId.get(id), opts),
    /** Called once the element is in the document: measure, scroll, paint mark. */
    mounted() {
      headerHeight = header.offsetHeight;
      if (o.restore?.scrollTop) scroller.scrollTop = o.restore.scrollTop;
      else if (selected) {
        const i = tree.indexOf(selected.id);
        if (i * ROW_HEIGHT > scroller.clientHeight - ROW_HEIGHT * 2) scrollToRow(i, true);
      }
      renderWindow(true);
      scroller.focus({ preventScroll: true });
      requestAnimationFrame(() => setTimeout(() => performance.mark('anvil:tree-painted', { detail: { runs: tree.size } }), 0));
    },
    /** State worth restoring when the user comes back (back/forward). */
    snapshot: () => ({ expanded: tree.expandedIds(), scrollTop: scroller.scrollTop }),
    dispose() {
      document.removeEventListener('keydown', onKey);
      resize.disconnect();
      if (raf) cancelAnimationFrame(raf);
      detail?.dispose();
    },
  };
}

/** Summary figures of a trace (for page headers). */
export function traceSummary(tree) {
  const root = tree.roots[0];
  if (!root) return null;
  const lat = root.end !== null && root.start !== null ? (root.end - root.start) / 1000 : null;
  return h('span', { class: 'tv-summary muted' },
    lat !== null ? fmtDuration(lat) : 'running',
    root.tokens ? ` · ${fmtNumber(root.tokens)} tokens` : '',
    root.cost ? ` · ${fmtCostExact(root.cost)}` : '');
}
