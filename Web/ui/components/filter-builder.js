// Point-and-click filter builder for runs. The filter DSL in the bar is the single source of
// truth: the builder reads the current DSL into conditions (`load`), lets the user edit them, and
// writes DSL back (`onApply(dsl)`). Expressions it does not recognise are kept verbatim.
import { h, clear } from '../lib/dom.js';

// ---------------------------------------------------------------------------------------------
// DSL: a small tokenizer/parser, enough to recognise the builder's own shapes and keep the rest
// verbatim (the server remains the judge of validity).

export class FilterParseError extends Error {}

/** A DSL string literal: double-quoted with JSON escapes (which the server's lexer accepts). */
export const quote = (s) => JSON.stringify(String(s));

const ESCAPES = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', "'": "'", '\\': '\\', '/': '/' };

function tokenize(src) {
  const toks = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if ('(),[]'.includes(c)) { toks.push({ t: c, start: i, end: i + 1 }); i++; continue; }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let out = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) {
          const e = src[j + 1];
          const hex = src.slice(j + 2, j + 6);
          if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(hex)) { out += String.fromCharCode(parseInt(hex, 16)); j += 6; continue; }
          if (e in ESCAPES) { out += ESCAPES[e]; j += 2; continue; }
          out += '\\'; j += 1; continue;
        }
        out += src[j]; j++;
      }
      if (j >= src.length) throw new FilterParseError('unterminated string');
      toks.push({ t: 'str', v: out, start: i, end: j + 1 });
      i = j + 1;
      continue;
    }
    const rest = src.slice(i);
    const num = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(rest);
    if (num) { toks.push({ t: 'num', v: Number(num[0]), start: i, end: i + num[0].length }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(rest);
    if (id) { toks.push({ t: 'id', v: id[0], start: i, end: i + id[0].length }); i += id[0].length; continue; }
    throw new FilterParseError(`unexpected character ${c}`);
  }
  return toks;
}

/**
 * Parses a filter into nodes: `{type: 'call', name, args}`, `{type: 'ident', name}`,
 * `{type: 'string'|'number'|'bool'|'null', value}`, `{type: 'list', items}`; every node has the
 * source span `start`/`end`. Throws FilterParseError.
 */
export function parseFilter(src) {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const expect = (t) => {
    const k = toks[p];
    if (!k || k.t !== t) throw new FilterParseError(`expected ${t}`);
    p++;
    return k;
  };
  const seq = (close) => {
    const items = [];
    while (peek() && peek().t !== close) {
      items.push(value());
      if (peek()?.t === ',') p++; else break;
    }
    return [items, expect(close)];
  };
  function value() {
    const k = toks[p];
    if (!k) throw new FilterParseError('unexpected end of filter');
    p++;
    if (k.t === 'str') return { type: 'string', value: k.v, start: k.start, end: k.end };
    if (k.t === 'num') return { type: 'number', value: k.v, start: k.start, end: k.end };
    if (k.t === '[') { const [items, e] = seq(']'); return { type: 'list', items, start: k.start, end: e.end }; }
    if (k.t === 'id') {
      if (peek()?.t === '(') {
        p++;
        const [args, e] = seq(')');
        return { type: 'call', name: k.v.toLowerCase(), args, start: k.start, end: e.end };
      }
      const low = k.v.toLowerCase();
      if (low === 'true' || low === 'false') return { type: 'bool', value: low === 'true', start: k.start, end: k.end };
      if (low === 'null') return { type: 'null', value: null, start: k.start, end: k.end };
      return { type: 'ident', name: k.v, start: k.start, end: k.end };
    }
    throw new FilterParseError(`unexpected ${k.t}`);
  }
  const node = value();
  if (p < toks.length) throw new FilterParseError('unexpected text after the expression');
  return node;
}

// ---------------------------------------------------------------------------------------------
// Conditions: the builder's model. Each kind knows its operators, its value widgets and its DSL.

const CMP = [['gt', '>'], ['gte', '≥'], ['lt', '<'], ['lte', '≤']];
export const RUN_TYPES = ['llm', 'chain', 'tool', 'retriever', 'embedding', 'prompt', 'parser'];
const STATUSES = ['success', 'error', 'pending'];

export const KINDS = {
  run_type: { label: 'Run type', ops: [['eq', 'is'], ['neq', 'is not']] },
  name: { label: 'Name', ops: [['search', 'contains'], ['eq', 'equals']] },
  status: { label: 'Status', ops: [['eq', 'is'], ['neq', 'is not']] },
  latency: { label: 'Latency', ops: CMP },
  tokens: { label: 'Total tokens', ops: CMP },
  tag: { label: 'Tag', ops: [['has', 'has']] },
  metadata: { label: 'Metadata', ops: [['eq', 'equals']] },
  feedback: { label: 'Feedback', ops: [...CMP, ['eq', '=']] },
  time: { label: 'Start time', ops: [['gte', 'after'], ['lte', 'before']] },
};

const fold = (name) => name.toLowerCase().replace(/_/g, '');
const isCmp = (op) => CMP.some(([o]) => o === op);
const scalarText = (n) => (n.type === 'string' ? n.value : n.type === 'number' || n.type === 'bool' ? String(n.value) : null);

/** A fresh condition of `kind` with defaults. */
export function blank(kind = 'run_type') {
  const op = KINDS[kind].ops[0][0];
  if (kind === 'run_type') return { kind, op, value: 'llm' };
  if (kind === 'status') return { kind, op, value: 'error' };
  if (kind === 'time') return { kind, op, value: new Date(Date.now() - 86400e3).toISOString() };
  return { kind, op, key: '', value: '' };
}

/** Recognises one DSL node as a builder condition, or keeps it verbatim as `raw`. */
export function toCondition(node, src) {
  const raw = { kind: 'raw', text: src.slice(node.start, node.end) };
  if (node.type !== 'call') return raw;
  const op = node.name;
  const [a, b] = node.args;
  if (node.args.length === 2 && a.type === 'ident') {
    const f = fold(a.name);
    const str = b.type === 'string' ? b.value : null;
    const num = b.type === 'number' ? b.value : null;
    if (f === 'runtype' && (op === 'eq' || op === 'neq') && str !== null) return { kind: 'run_type', op, value: str };
    if (f === 'name' && (op === 'eq' || op === 'search') && str !== null) return { kind: 'name', op, value: str };
    if (f === 'status' && (op === 'eq' || op === 'neq') && str !== null) return { kind: 'status', op, value: str };
    if (f === 'latency' && isCmp(op) && (str !== null || num !== null)) return { kind: 'latency', op, value: str ?? String(num) };
    if (f === 'totaltokens' && isCmp(op) && num !== null) return { kind: 'tokens', op, value: String(num) };
    if (f === 'tags' && op === 'has' && str !== null) return { kind: 'tag', op, value: str };
    if (f === 'starttime' && (op === 'gte' || op === 'lte') && str !== null && !Number.isNaN(Date.parse(str))) {
      return { kind: 'time', op, value: new Date(str).toISOString() };
    }
  }
  if (op === 'and' && node.args.length === 2 && node.args.every((n) => n.type === 'call' && n.args.length === 2 && n.args[0].type === 'ident')) {
    const [x, y] = node.args;
    const fx = fold(x.args[0].name), fy = fold(y.args[0].name);
    if (x.name === 'eq' && fx === 'metadatakey' && x.args[1].type === 'string' && y.name === 'eq' && fy === 'metadatavalue' && scalarText(y.args[1]) !== null) {
      return { kind: 'metadata', op: 'eq', key: x.args[1].value, value: scalarText(y.args[1]) };
    }
    if (x.name === 'eq' && fx === 'feedbackkey' && x.args[1].type === 'string' && fy === 'feedbackscore' && (isCmp(y.name) || y.name === 'eq') && y.args[1].type === 'number') {
      return { kind: 'feedback', op: y.name, key: x.args[1].value, value: String(y.args[1].value) };
    }
  }
  return raw;
}

/** The conditions a filter string holds (top-level `and` split into its parts). */
export function conditionsOf(dsl) {
  const src = (dsl || '').trim();
  if (!src) return [];
  let node;
  try { node = parseFilter(src); } catch { return [{ kind: 'raw', text: src }]; }
  const whole = toCondition(node, src);
  if (whole.kind !== 'raw') return [whole];
  if (node.type === 'call' && node.name === 'and' && node.args.length) return node.args.map((n) => toCondition(n, src));
  return [whole];
}

const num = (v) => (String(v).trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null);
const durationText = (v) => { const t = String(v).trim(); return /^\d+(\.\d+)?$/.test(t) ? `${t}s` : t; };

/** One condition as DSL, or null while it is incomplete. */
export function conditionDsl(c) {
  switch (c.kind) {
    case 'run_type': case 'name': case 'status':
      return c.value === '' ? null : `${c.op}(${c.kind}, ${quote(c.value)})`;
    case 'latency':
      return String(c.value).trim() === '' ? null : `${c.op}(latency, ${quote(durationText(c.value))})`;
    case 'tokens':
      return num(c.value) === null ? null : `${c.op}(total_tokens, ${num(c.value)})`;
    case 'tag':
      return c.value === '' ? null : `has(tags, ${quote(c.value)})`;
    case 'metadata':
      return c.key === '' ? null : `and(eq(metadata_key, ${quote(c.key)}), eq(metadata_value, ${quote(c.value)}))`;
    case 'feedback':
      return c.key === '' || num(c.value) === null ? null : `and(eq(feedback_key, ${quote(c.key)}), ${c.op}(feedback_score, ${num(c.value)}))`;
    case 'time':
      return Number.isNaN(Date.parse(c.value)) ? null : `${c.op}(start_time, ${quote(new Date(c.value).toISOString())})`;
    case 'raw':
      return c.text.trim() || null;
    default:
      return null;
  }
}

/** The DSL for a list of conditions (AND-ed; incomplete ones are skipped). */
export function toDsl(conditions) {
  const parts = conditions.map(conditionDsl).filter(Boolean);
  return parts.length === 0 ? '' : parts.length === 1 ? parts[0] : `and(${parts.join(', ')})`;
}

// ---------------------------------------------------------------------------------------------
// The builder panel.

/** `datetime-local` value (local time, minutes) for an ISO instant. */
function localInput(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/**
 * createFilterBuilder({onApply(dsl), onCancel(), suggestions()}) → {el, load(dsl)}.
 * `suggestions()` returns `{feedbackKeys, tags, names}` seen in the loaded rows (for datalists).
 */
export function createFilterBuilder({ onApply, onCancel, suggestions = () => ({}) }) {
  let conds = [];
  const uid = Math.random().toString(36).slice(2, 8);
  const lists = h('div', { hidden: true });
  const rowsEl = h('div', { class: 'fb-rows' });

  function datalists() {
    const s = suggestions();
    clear(lists);
    for (const [id, values] of [['fk', s.feedbackKeys], ['tg', s.tags], ['nm', s.names]]) {
      lists.append(h('datalist', { id: `${id}-${uid}` }, (values || []).map((v) => h('option', { value: v }))));
    }
  }

  const select = (label, options, value, onChange) => {
    const el = h('select', { class: 'input', attrs: { 'aria-label': label }, on: { change: (e) => onChange(e.target.value) } },
      options.map(([v, text]) => h('option', { value: v }, text)));
    el.value = value;
    return el;
  };

  const text = (label, value, onInput, extra = {}) => h('input', {
    class: 'input', type: 'text', value: value ?? '', attrs: { 'aria-label': label, autocomplete: 'off', ...extra },
    on: { input: (e) => onInput(e.target.value) },
  });

  function valueWidgets(c) {
    const set = (k) => (v) => { c[k] = v; };
    switch (c.kind) {
      case 'run_type': {
        const opts = RUN_TYPES.includes(c.value) ? RUN_TYPES : [...RUN_TYPES, c.value];
        return [select('Value', opts.map((t) => [t, t]), c.value, set('value'))];
      }
      case 'status': {
        const opts = STATUSES.includes(c.value) ? STATUSES : [...STATUSES, c.value];
        return [select('Value', opts.map((t) => [t, t]), c.value, set('value'))];
      }
      case 'name': return [text('Value', c.value, set('value'), { placeholder: 'ChatOpenAI', list: `nm-${uid}` })];
      case 'latency': return [text('Value', c.value, set('value'), { placeholder: 'seconds, e.g. 2 or 500ms', size: 14 })];
      case 'tokens': return [h('input', { class: 'input', type: 'number', min: 0, value: c.value, attrs: { 'aria-label': 'Value', placeholder: '1000' }, on: { input: (e) => { c.value = e.target.value; } } })];
      case 'tag': return [text('Value', c.value, set('value'), { placeholder: 'production', list: `tg-${uid}` })];
      case 'metadata': return [text('Key', c.key, set('key'), { placeholder: 'key' }), h('span', { class: 'muted' }, '='), text('Value', c.value, set('value'), { placeholder: 'value' })];
      case 'feedback': return [
        text('Key', c.key, set('key'), { placeholder: 'feedback key', list: `fk-${uid}` }),
        select('Score operator', KINDS.feedback.ops, c.op, set('op')),
        h('input', { class: 'input fb-score', type: 'number', step: 'any', value: c.value, attrs: { 'aria-label': 'Score', placeholder: '0.5' }, on: { input: (e) => { c.value = e.target.value; } } })];
      case 'time': {
        const input = h('input', { class: 'input', type: 'datetime-local', value: localInput(c.value), attrs: { 'aria-label': 'Value' },
          on: { input: (e) => { c.value = e.target.value ? new Date(e.target.value).toISOString() : ''; } } });
        const preset = (label, seconds) => h('button', { class: 'btn small ghost', type: 'button', on: { click: () => {
          c.op = 'gte';
          c.value = new Date(Date.now() - seconds * 1000).toISOString();
          render();
        } } }, label);
        return [input, preset('1h', 3600), preset('24h', 86400), preset('7d', 7 * 86400), preset('30d', 30 * 86400)];
      }
      default: return [];
    }
  }

  function rowFor(c, i) {
    const remove = h('button', { class: 'btn small ghost', type: 'button', title: 'Remove condition', attrs: { 'aria-label': 'Remove condition' },
      on: { click: () => { conds.splice(i, 1); render(); } } }, '✕');
    if (c.kind === 'raw') {
      return h('div', { class: 'fb-row raw' }, h('span', { class: 'fb-field muted' }, 'Expression'), h('code', { class: 'fb-raw' }, c.text), remove);
    }
    const field = select('Field', Object.entries(KINDS).map(([k, v]) => [k, v.label]), c.kind, (k) => { conds[i] = blank(k); render(); });
    field.classList.add('fb-field');
    const op = c.kind === 'feedback' || c.kind === 'metadata' ? null
      : select('Operator', KINDS[c.kind].ops, c.op, (v) => { c.op = v; });
    return h('div', { class: 'fb-row' }, field, op, valueWidgets(c), remove);
  }

  function render() {
    datalists();
    clear(rowsEl);
    if (!conds.length) rowsEl.append(h('p', { class: 'muted fb-none' }, 'No conditions: every run matches.'));
    conds.forEach((c, i) => rowsEl.append(rowFor(c, i)));
  }

  const add = h('button', { class: 'btn small', type: 'button', on: { click: () => { conds.push(blank('run_type')); render(); rowsEl.lastElementChild?.querySelector('select')?.focus(); } } }, '+ Add condition');
  const apply = h('button', { class: 'btn primary small', type: 'button', on: { click: () => onApply(toDsl(conds)) } }, 'Apply');
  const cancel = h('button', { class: 'btn small ghost', type: 'button', on: { click: () => onCancel?.() } }, 'Cancel');
  const clearAll = h('button', { class: 'btn small ghost', type: 'button', on: { click: () => { conds = []; render(); } } }, 'Remove all');
  const el = h('div', {
    class: 'card filter-builder', attrs: { role: 'group', 'aria-label': 'Filter builder' },
    on: {
      keydown: (e) => {
        if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); onCancel?.(); }
        if (e.key === 'Enter' && e.target.tagName === 'INPUT') { e.preventDefault(); onApply(toDsl(conds)); }
      },
    },
  },
  h('div', { class: 'body' }, rowsEl, lists,
    h('div', { class: 'row fb-foot' }, add, h('span', { class: 'grow' }), clearAll, cancel, apply)));

  return {
    el,
    /** Reads conditions from a DSL string; adds an empty one to start from when there are none. */
    load(dsl) {
      conds = conditionsOf(dsl);
      if (!conds.length) conds.push(blank('run_type'));
      render();
    },
    get conditions() { return conds; },
  };
}
