// Waterfall timeline: one bar per row, positioned by start/end relative to the trace,
// coloured by run type (errors red, running runs striped). Bars use percentages, so the
// column can be resized without re-rendering.
import { h, fmtDuration } from '../lib/dom.js';
import { nodeLatency } from './run-tree.js';

/** Time scale of a trace: `x(ms)` → fraction in [0, 1]. */
export function waterfallScale(tree, now = Date.now()) {
  const t0 = tree.t0;
  // Running runs stretch to "now" (but never make a finished trace look tiny).
  const running = tree.pre.some((n) => n.end === null);
  const t1 = running ? Math.max(tree.t1, Math.min(now, tree.t1 + 3600e3)) : tree.t1;
  const span = Math.max(1, t1 - t0);
  return { t0, t1, span, x: (t) => Math.min(1, Math.max(0, (t - t0) / span)) };
}

/** The waterfall half of a row. */
export function waterfallCell(n, scale) {
  const start = n.start ?? scale.t0;
  const end = n.end ?? scale.t1;
  const left = scale.x(start) * 100;
  const width = Math.max(0, scale.x(end) * 100 - left);
  const lat = nodeLatency(n);
  const bar = h('div', {
    class: ['tv-bar', n.run.run_type || 'chain', n.err && 'err', n.end === null && 'running'],
    style: { left: `${left}%`, width: `max(2px, ${width}%)` },
    title: `${n.run.name}: starts +${fmtDuration((start - scale.t0) / 1000)}, ${lat === null ? 'running' : fmtDuration(lat)}`,
  });
  if (n.firstToken !== null && n.end !== null && n.firstToken > start && n.firstToken < end) {
    bar.append(h('span', { class: 'tv-bar-ttft', style: { left: `${((n.firstToken - start) / Math.max(1, end - start)) * 100}%` }, title: 'first token' }));
  }
  return h('div', { class: 'tv-wf-cell' }, bar);
}

/** Axis with tick labels for the waterfall column header. */
export function waterfallAxis(scale, ticks = 4) {
  const el = h('div', { class: 'tv-axis' });
  for (let i = 0; i <= ticks; i++) {
    const f = i / ticks;
    el.append(h('span', { class: ['tv-tick', i === 0 && 'first', i === ticks && 'last'], style: { left: `${f * 100}%` } },
      i === 0 ? '0' : fmtDuration((scale.span * f) / 1000)));
  }
  return el;
}
