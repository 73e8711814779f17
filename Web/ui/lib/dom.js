// Tiny DOM helpers: no framework, no third-party code.

/**
 * Creates an element. `props` keys: `class`, `style` (object or string), `dataset`, `on` ({event: fn}),
 * `attrs` (raw attributes), anything else is set as a property (e.g. `textContent`, `value`).
 * Children: strings, numbers, nodes, arrays, null/false (skipped).
 */
export function h(tag, props = {}, ...children) {
  const el = tag.includes(':') ? document.createElementNS('http://www.w3.org/2000/svg', tag.split(':')[1]) : document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === 'attrs') for (const [a, av] of Object.entries(v)) { if (av !== undefined && av !== null && av !== false) el.setAttribute(a, av === true ? '' : av); }
    else if (el instanceof SVGElement) el.setAttribute(k, v);
    else el[k] = v;
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** SVG element shorthand: svg('rect', {x: 1}). */
export const svg = (tag, props = {}, ...children) => h('svg:' + tag, props, ...children);

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// ---- formatting ----

export function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '–';
  if (seconds < 0.001) return `${Math.round(seconds * 1e6)}µs`;
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)}s`;
  const m = Math.floor(seconds / 60);
  return `${m}m ${Math.round(seconds - m * 60)}s`;
}

export function fmtNumber(n) {
  if (n === null || n === undefined) return '–';
  return Number(n).toLocaleString('en-US');
}

export function fmtCost(c) {
  if (c === null || c === undefined || c === '') return '–';
  const v = Number(c);
  if (v === 0) return '$0';
  if (v < 0.0001) return `$${v.toFixed(8).replace(/0+$/, '')}`;
  if (v < 1) return `$${v.toFixed(4)}`;
  return `$${v.toFixed(2)}`;
}

export function fmtPercent(r) {
  if (r === null || r === undefined) return '–';
  return `${(r * 100).toFixed(r < 0.1 && r > 0 ? 1 : 0)}%`;
}

export function parseTime(iso) {
  return iso ? new Date(iso).getTime() : null;
}

export function fmtTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function fmtAgo(iso) {
  if (!iso) return 'never';
  const s = (Date.now() - new Date(iso).getTime()) / 1000;
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/** Latency in seconds between two ISO times (null if either is missing). */
export function latencyOf(run) {
  const s = parseTime(run.start_time), e = parseTime(run.end_time);
  return s !== null && e !== null ? (e - s) / 1000 : null;
}

/** One-line text preview of any JSON value (first meaningful string), cut to `max` characters. */
export function preview(value, max = 120) {
  const text = firstText(value);
  if (text === null) return '';
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? one.slice(0, max - 1) + '…' : one;
}

function firstText(v, depth = 0) {
  if (v === null || v === undefined || depth > 6) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    for (let i = v.length - 1; i >= 0 && i >= v.length - 3; i--) {
      const t = firstText(v[i], depth + 1);
      if (t) return t;
    }
    return v.length ? JSON.stringify(v) : null;
  }
  if (typeof v === 'object') {
    for (const k of ['content', 'text', 'output', 'answer', 'input', 'question', 'query', 'messages', 'generations']) {
      if (k in v) {
        const t = firstText(v[k], depth + 1);
        if (t) return t;
      }
    }
    for (const val of Object.values(v)) {
      const t = firstText(val, depth + 1);
      if (t) return t;
    }
  }
  return null;
}

export function debounce(fn, ms) {
  let t;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}

export function copyText(text) {
  return navigator.clipboard?.writeText(text).catch(() => fallbackCopy(text)) ?? fallbackCopy(text);
}

function fallbackCopy(text) {
  const ta = h('textarea', { value: text, style: { position: 'fixed', opacity: '0' } });
  document.body.append(ta);
  ta.select();
  document.execCommand('copy');
  ta.remove();
}
