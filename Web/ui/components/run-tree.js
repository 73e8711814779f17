// Run tree model (built from compact runs via parent_run_id) and the tree cell of a row.
// The model keeps a pre-order array and subtree sizes, so the list of visible rows is computed
// in O(visible) even for 100,000-run traces.
import { h, fmtDuration } from '../lib/dom.js';

// toLocaleString() builds a formatter per call (slow in a hot row loop): reuse one.
const NUMBER = new Intl.NumberFormat('en-US');
export const fmtNumber = (n) => (n === null || n === undefined ? '–' : NUMBER.format(n));

export const RUN_TYPE_LETTERS = { chain: 'C', llm: 'L', tool: 'T', retriever: 'R', embedding: 'E', prompt: 'P', parser: 'Ps' };

/** Parses an ISO time to epoch milliseconds (naive times are UTC, as the API sends them). */
export function ts(iso) {
  if (!iso) return null;
  const s = /[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : iso + 'Z';
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
}

/** Dollar cost for humans without exponent notation: $0.000042, $0.0123, $1.50. */
export function fmtCostExact(c) {
  if (c === null || c === undefined || c === '') return '–';
  const v = Number(c);
  if (!Number.isFinite(v)) return String(c);
  if (v === 0) return '$0';
  if (Math.abs(v) >= 1) return `$${v.toFixed(2)}`;
  if (Math.abs(v) >= 0.01) return `$${v.toFixed(4)}`;
  const digits = Math.min(12, Math.ceil(-Math.log10(Math.abs(v))) + 2);
  return `$${Number(v.toPrecision(3)).toFixed(digits).replace(/0+$/, '')}`;
}

/** The `.rt.<type>` run-type badge. */
export function runTypeBadge(type) {
  const t = RUN_TYPE_LETTERS[type] ? type : 'chain';
  return h('span', { class: ['rt', t], title: type || 'run', attrs: { 'aria-label': type || 'run' } }, RUN_TYPE_LETTERS[t]);
}

export class RunTree {
  /** @param {Array} runs compact runs (any order; dotted order preferred) */
  constructor(runs) {
    const byId = new Map();
    const nodes = [];
    for (const run of runs) {
      const node = {
        id: run.id, run, parent: null, children: [], depth: 0, expanded: false,
        start: ts(run.start_time), end: ts(run.end_time), firstToken: ts(run.first_token_time),
        err: run.status === 'error' || !!run.error, errBelow: false,
        tokens: 0, cost: 0, size: 1, index: 0, order: run.dotted_order || '',
      };
      byId.set(run.id, node);
      nodes.push(node);
    }
    const roots = [];
    for (const node of nodes) {
      const p = node.run.parent_run_id && byId.get(node.run.parent_run_id);
      if (p && p !== node) { node.parent = p; p.children.push(node); } else roots.push(node);
    }
    const byOrder = (a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : (a.start ?? 0) - (b.start ?? 0));
    const sortIfNeeded = (list) => {
      for (let i = 1; i < list.length; i++) if (byOrder(list[i - 1], list[i]) > 0) { list.sort(byOrder); return; }
    };
    sortIfNeeded(roots);
    // Pre-order walk (iterative: traces can be deep).
    const pre = [];
    const stack = roots.slice().reverse();
    roots.forEach((r) => { r.depth = 0; });
    while (stack.length) {
      const n = stack.pop();
      n.index = pre.length;
      pre.push(n);
      sortIfNeeded(n.children);
      for (let i = n.children.length - 1; i >= 0; i--) {
        const c = n.children[i];
        c.depth = n.depth + 1;
        stack.push(c);
      }
    }
    // Subtree sizes and roll-ups (tokens, cost, errors below), children before parents.
    const childTokens = new Float64Array(pre.length);
    const childCost = new Float64Array(pre.length);
    let t0 = Infinity, t1 = -Infinity;
    for (let i = pre.length - 1; i >= 0; i--) {
      const n = pre[i];
      const ownTokens = Number(n.run.total_tokens) || 0;
      const ownCost = Number(n.run.total_cost) || 0;
      // The server may already roll usage up into parents; never count it twice.
      n.tokens = Math.max(ownTokens, childTokens[i]);
      n.cost = Math.max(ownCost, childCost[i]);
      if (n.parent) {
        const pi = n.parent.index;
        n.parent.size += n.size;
        childTokens[pi] += n.tokens;
        childCost[pi] += n.cost;
        if (n.err || n.errBelow) n.parent.errBelow = true;
      }
      if (n.start !== null) { t0 = Math.min(t0, n.start); t1 = Math.max(t1, n.start); }
      if (n.end !== null) t1 = Math.max(t1, n.end);
    }
    this.byId = byId;
    this.roots = roots;
    this.pre = pre;
    this.t0 = Number.isFinite(t0) ? t0 : 0;
    this.t1 = Number.isFinite(t1) ? Math.max(t1, this.t0 + 1) : this.t0 + 1;
    this.errors = pre.filter((n) => n.err);
    this.visible = [];
  }

  get size() { return this.pre.length; }

  /** Initial expansion: everything for small traces, the first levels for big ones. */
  expandDefault(maxRows = 2000) {
    if (this.pre.length <= maxRows) { this.setAll(true); return; }
    for (const n of this.pre) n.expanded = false;
    // Expand level by level while the visible row count stays under maxRows.
    let level = this.roots.slice();
    let rows = level.length;
    while (level.length) {
      const next = [];
      let add = 0;
      for (const n of level) add += n.children.length;
      if (rows + add > maxRows && rows > level.length) break;
      for (const n of level) { n.expanded = true; next.push(...n.children); }
      rows += add;
      if (rows > maxRows) break;
      level = next;
    }
    this.refresh();
  }

  setAll(expanded) {
    for (const n of this.pre) n.expanded = expanded && n.children.length > 0;
    this.refresh();
  }

  /** Expands the ancestors of `id` so it is visible. */
  reveal(id) {
    let n = this.byId.get(id)?.parent;
    let changed = false;
    while (n) { if (!n.expanded) { n.expanded = true; changed = true; } n = n.parent; }
    if (changed) this.refresh();
  }

  toggle(node, expanded = !node.expanded) {
    if (!node.children.length || node.expanded === expanded) return false;
    node.expanded = expanded;
    this.refresh();
    return true;
  }

  /** Recomputes the visible rows (skips collapsed sub-trees via subtree sizes). */
  refresh() {
    const out = [];
    const pre = this.pre;
    for (let i = 0; i < pre.length;) {
      const n = pre[i];
      out.push(n);
      i += n.expanded ? 1 : n.size;
    }
    this.visible = out;
    for (let i = 0; i < out.length; i++) out[i].row = i;
    return out;
  }

  indexOf(id) {
    const n = this.byId.get(id);
    return n && this.visible[n.row] === n ? n.row : -1;
  }

  /** Expansion state as a compact set of expanded ids (for restoring on back/forward). */
  expandedIds() { return new Set(this.pre.filter((n) => n.expanded).map((n) => n.id)); }

  restore(expandedIds) {
    for (const n of this.pre) n.expanded = expandedIds.has(n.id) && n.children.length > 0;
    this.refresh();
  }
}

/** Latency in seconds, or null while running. */
export function nodeLatency(n) {
  return n.start !== null && n.end !== null ? (n.end - n.start) / 1000 : null;
}

/** The tree half of a row: indentation, twisty, run-type badge, name, errors, tokens, latency. */
export function treeCell(n, onToggle) {
  const run = n.run;
  const twisty = n.children.length
    ? h('span', {
      class: ['tv-twisty', n.expanded ? 'open' : 'closed'], title: n.expanded ? 'Collapse' : `Expand (${fmtNumber(n.size - 1)} runs below)`,
      on: { click: (e) => { e.stopPropagation(); onToggle(n); } },
    })
    : h('span', { class: 'tv-twisty none' });
  const latency = nodeLatency(n);
  const tokenTitle = run.prompt_tokens || run.completion_tokens
    ? `${fmtNumber(n.tokens)} tokens (${fmtNumber(run.prompt_tokens || 0)} prompt, ${fmtNumber(run.completion_tokens || 0)} completion)${n.cost ? ', ' + fmtCostExact(n.cost) : ''}`
    : `${fmtNumber(n.tokens)} tokens${n.cost ? ', ' + fmtCostExact(n.cost) : ''}`;
  return h('div', { class: 'tv-tree-cell' },
    h('span', { class: 'tv-indent', style: { width: `${n.depth * 16}px` } }),
    twisty,
    runTypeBadge(run.run_type),
    h('span', { class: 'tv-name', title: run.name }, run.name || 'Unnamed'),
    n.err ? h('span', { class: 'tv-err-badge', title: run.error || 'error' }, '!') : null,
    !n.expanded && n.errBelow ? h('span', { class: 'tv-err-below', title: 'Errors in collapsed runs' }) : null,
    h('span', { class: 'tv-meta' },
      n.tokens ? h('span', { class: 'tv-tokens', title: tokenTitle }, fmtNumber(n.tokens)) : null,
      h('span', { class: ['tv-latency', latency === null && 'pending'], title: latency === null ? 'still running' : 'latency' },
        latency === null ? 'running' : fmtDuration(latency))));
}
