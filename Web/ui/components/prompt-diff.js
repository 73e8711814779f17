// The line diff between two commits' manifests (pretty-printed JSON), unified, with context and
// expandable unchanged runs.
import { h, clear } from '../lib/dom.js';
import { diffLines, hunks, diffStats } from '../lib/diff.js';

const lines = (manifest) => JSON.stringify(manifest ?? null, null, 2).split('\n');

/** Renders the diff of `from` → `to` (commit objects with `manifest`) into a new element. */
export function renderDiff(from, to, { context = 3 } = {}) {
  const ops = diffLines(lines(from?.manifest), lines(to?.manifest));
  const { added, removed } = diffStats(ops);
  const el = h('div', { class: 'diff' });
  el.append(h('div', { class: 'diff-stats row' },
    h('span', { class: 'diff-added' }, `+${added}`), h('span', { class: 'diff-removed' }, `−${removed}`),
    h('span', { class: 'muted small' }, added || removed ? `line${added + removed === 1 ? '' : 's'} changed` : 'no differences')));
  const table = h('table', { class: 'diff-table', attrs: { role: 'table', 'aria-label': 'Line diff' } });
  const tbody = h('tbody');
  table.append(tbody);
  el.append(h('div', { class: 'diff-wrap' }, table));

  function lineRow(o) {
    const mark = o.op === 'add' ? '+' : o.op === 'del' ? '−' : ' ';
    return h('tr', { class: ['diff-line', o.op], dataset: { op: o.op } },
      h('td', { class: 'ln' }, o.a ?? ''), h('td', { class: 'ln' }, o.b ?? ''),
      h('td', { class: 'mark', attrs: { 'aria-label': o.op === 'add' ? 'added' : o.op === 'del' ? 'removed' : 'unchanged' } }, mark),
      h('td', { class: 'code' }, o.text));
  }

  function render(list) {
    clear(tbody);
    let index = 0;  // position in `ops` of the next item of `list`
    for (const item of list) {
      if (item.op !== 'skip') { tbody.append(lineRow(item)); index++; continue; }
      const start = index, count = item.count;
      const btn = h('button', { class: 'btn small ghost', type: 'button' }, `Show ${count} unchanged line${count === 1 ? '' : 's'}`);
      const row = h('tr', { class: 'diff-skip' }, h('td', { attrs: { colspan: '4' } }, btn));
      btn.addEventListener('click', () => row.replaceWith(...ops.slice(start, start + count).map(lineRow)));
      tbody.append(row);
      index += count;
    }
  }
  render(hunks(ops, context));
  return el;
}
