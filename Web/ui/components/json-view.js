// Collapsible JSON viewer with copy buttons (whole value and any sub-tree). Children are built
// lazily when a node is first expanded, long arrays are paged and long strings are cut with
// "show more", so huge payloads stay cheap.
import { h, copyText } from '../lib/dom.js';

const STRING_LIMIT = 600;   // characters of a string shown before "show more"
const PAGE = 100;           // array items / object keys rendered per "show more"

/**
 * Renders `value` as a JSON tree. Nodes at depth ≥ `collapsedDepth` start collapsed
 * (depth 0 is the value itself).
 */
export function jsonView(value, { collapsedDepth = 2 } = {}) {
  const el = h('div', { class: 'json-view' });
  const body = h('div', { class: 'jv-body' }, node(null, value, 0, collapsedDepth));
  const deep = depthOf(value, collapsedDepth + 1) > collapsedDepth;
  el.append(
    h('div', { class: 'jv-toolbar' },
      copyButton(() => value, 'Copy', 'jv-copy-all', 'Copy the whole value as JSON'),
      deep ? h('button', {
        class: 'btn small ghost', type: 'button', title: 'Expand every level',
        on: { click: () => setAll(body, true) },
      }, 'Expand all') : null,
      deep ? h('button', {
        class: 'btn small ghost', type: 'button', title: 'Collapse to the first level',
        on: { click: () => setAll(body, false) },
      }, 'Collapse') : null),
    body);
  return el;
}

/** A button copying `JSON.stringify(get())`, flashing "Copied". */
export function copyButton(get, label = 'Copy', cls = 'jv-copy', title = 'Copy as JSON') {
  const btn = h('button', {
    class: ['btn small ghost', cls], type: 'button', title,
    on: {
      click: async (e) => {
        e.stopPropagation();
        const v = get();
        await copyText(typeof v === 'string' ? v : JSON.stringify(v, null, 2));
        btn.textContent = 'Copied';
        btn.classList.add('copied');
        setTimeout(() => { btn.textContent = label; btn.classList.remove('copied'); }, 1200);
      },
    },
  }, label);
  return btn;
}

/** Nesting depth of containers in `v`, counted up to `limit`. */
function depthOf(v, limit, d = 0) {
  if (d >= limit || !isContainer(v)) return d;
  let max = d + 1;
  let budget = 200;
  for (const x of Array.isArray(v) ? v : Object.values(v)) {
    if (budget-- <= 0) break;
    if (isContainer(x)) max = Math.max(max, depthOf(x, limit, d + 1));
    if (max >= limit) break;
  }
  return max;
}

const isContainer = (v) => v !== null && typeof v === 'object' && Object.keys(v).length > 0;

function keyLabel(key) {
  if (key === null) return null;
  return [h('span', { class: typeof key === 'number' ? 'jv-index' : 'jv-key' }, typeof key === 'number' ? String(key) : JSON.stringify(key)), h('span', { class: 'jv-punct' }, ': ')];
}

function node(key, value, depth, collapsedDepth) {
  if (!isContainer(value)) return h('div', { class: 'jv-line jv-leaf' }, keyLabel(key), primitive(value));
  const isArray = Array.isArray(value);
  const keys = isArray ? null : Object.keys(value);
  const count = isArray ? value.length : keys.length;
  const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
  const summary = h('span', { class: 'jv-summary' }, isArray ? `${count} item${count === 1 ? '' : 's'}` : `${count} key${count === 1 ? '' : 's'}`);
  const children = h('div', { class: 'jv-children' });
  const toggle = h('span', { class: 'jv-toggle', attrs: { 'aria-hidden': 'true' } });
  const head = h('div', { class: 'jv-line jv-head', attrs: { role: 'button', tabindex: '0', 'aria-expanded': 'false' } },
    toggle, keyLabel(key), h('span', { class: 'jv-punct' }, open), summary, h('span', { class: 'jv-punct jv-close-inline' }, close),
    copyButton(() => value));
  const el = h('div', { class: 'jv-node' }, head, children, h('div', { class: 'jv-line jv-close' }, h('span', { class: 'jv-punct' }, close)));
  let built = 0;
  const buildMore = () => {
    const end = Math.min(count, built + PAGE);
    children.querySelector(':scope > .jv-more')?.remove();
    for (let i = built; i < end; i++) {
      children.append(isArray ? node(i, value[i], depth + 1, collapsedDepth) : node(keys[i], value[keys[i]], depth + 1, collapsedDepth));
    }
    built = end;
    if (built < count) {
      children.append(h('div', { class: 'jv-line jv-more' }, h('button', {
        class: 'btn small ghost', type: 'button', on: { click: (e) => { e.stopPropagation(); buildMore(); } },
      }, `Show ${Math.min(PAGE, count - built)} more of ${count - built} remaining`)));
    }
  };
  const set = (expanded) => {
    if (expanded && !built) buildMore();
    el.classList.toggle('collapsed', !expanded);
    head.setAttribute('aria-expanded', String(expanded));
  };
  el._jvSet = set;
  head.addEventListener('click', (e) => { if (!e.target.closest('button')) set(el.classList.contains('collapsed')); });
  head.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); set(el.classList.contains('collapsed')); }
  });
  set(depth < collapsedDepth);
  return el;
}

/** Expands every node (up to a budget) or collapses everything below the first level. */
function setAll(body, expanded) {
  if (!expanded) {
    body.querySelectorAll('.jv-node').forEach((n) => n._jvSet?.(false));
    body.querySelector('.jv-node')?._jvSet?.(true);
    return;
  }
  let budget = 5000;
  const walk = (n) => {
    if (budget-- <= 0) return;
    n._jvSet?.(true);
    n.querySelectorAll(':scope > .jv-children > .jv-node').forEach(walk);
  };
  const top = body.querySelector('.jv-node');
  if (top) walk(top);
}

function primitive(v) {
  if (v === null || v === undefined) return h('span', { class: 'jv-null' }, 'null');
  if (typeof v === 'boolean') return h('span', { class: 'jv-bool' }, String(v));
  if (typeof v === 'number') return h('span', { class: 'jv-num' }, String(v));
  if (Array.isArray(v)) return h('span', { class: 'jv-punct' }, '[]');
  if (typeof v === 'object') return h('span', { class: 'jv-punct' }, '{}');
  return longString(String(v), 'jv-str', true);
}

/** A string cut at STRING_LIMIT characters with a "show more" button. */
export function longString(s, cls = 'long-text', quoted = false, limit = STRING_LIMIT) {
  const text = h('span', {}, s.length > limit ? s.slice(0, limit) : s);
  const el = h('span', { class: cls }, quoted ? '"' : null, text);
  if (s.length > limit) {
    const more = h('button', {
      class: 'btn small ghost show-more', type: 'button',
      on: { click: (e) => { e.stopPropagation(); text.textContent = s; more.remove(); ellipsis.remove(); } },
    }, `show more (${(s.length - limit).toLocaleString('en-US')} more characters)`);
    const ellipsis = h('span', { class: 'faint' }, '…');
    el.append(ellipsis, quoted ? '"' : null, ' ', more);
  } else if (quoted) el.append('"');
  return el;
}
