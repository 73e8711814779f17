// Small SVG time-series charts (bars, lines, areas) drawn with svg(); no third-party code.
//
//   const chart = timeChart({ name, kind: 'bar'|'line'|'area', stacked, times, bucketMs, series, yFormat, ... });
//   container.append(chart.el); … chart.update({ times, series }); chart.dispose();
//
// `times` are bucket start times (ms), `series` = [{ key, label, color, values: [number|null] }] with one value
// per bucket (null = no data: lines break, bars are skipped). Charts follow the container's width
// (ResizeObserver) and take their colors from CSS variables, so they follow the light/dark theme.
// Hovering shows a tooltip with the bucket's exact values.
//
// The root element carries its data for tests and tooling: data-chart, data-points (non-null values),
// data-total (sum of all values), data-start/data-end (ISO); every series group has data-series,
// data-sum and data-values (comma-separated, empty for null).
import { h, svg, clear } from '../lib/dom.js';

const MARGIN = { top: 10, right: 14, bottom: 24, left: 52 };
const MIN = 60_000, HOUR = 3_600_000, DAY = 86_400_000;
const TIME_STEPS = [MIN, 2 * MIN, 5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
  DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Palette for series without an explicit color (CSS variables defined in styles.css). */
export const PALETTE = ['var(--chart-1)', 'var(--chart-2)', 'var(--chart-3)', 'var(--chart-4)', 'var(--chart-5)', 'var(--chart-6)'];

/**
 * A time-series chart. Options:
 *   name        identifier (data-chart)
 *   kind        'bar' | 'line' | 'area' (default 'line')
 *   stacked     stack the series (bars and areas)
 *   times       bucket start times in ms; bucketMs the bucket width
 *   series      [{ key, label, color?, values }]
 *   yFormat     value → text for tooltips (default: locale number); yTickFormat for the axis (default yFormat)
 *   integer     y ticks are whole numbers (counts)
 *   yMax        fixed upper bound of the y axis (e.g. 1 for ratios), still grows if data exceeds it
 *   height      pixels (default 190)
 *   legend      show the legend even for a single series (it always shows for several)
 *   emptyText   text shown when no series has a value
 *   tooltipExtra(i) → [[label, text], …] extra tooltip rows for bucket i
 */
export function timeChart(opts) {
  let o = { kind: 'line', height: 190, yFormat: defaultFormat, emptyText: 'No data in this time range', ...opts };
  const el = h('div', { class: 'chart', dataset: { chart: o.name || '' } });
  const legend = h('div', { class: 'chart-legend' });
  // Focusable: arrow keys step through the buckets' tooltips, Escape hides them.
  const plot = h('div', { class: 'chart-plot', style: { height: `${o.height}px` }, tabIndex: 0,
    on: { keydown: onKeydown, blur: () => hideTip() } });
  const tip = h('div', { class: 'chart-tip', hidden: true, attrs: { role: 'tooltip' } });
  el.append(legend, plot);
  let width = 0;
  let frame = 0;
  let hoverIndex = -1;
  let geometry = null;  // scales of the last draw, for hover

  const ro = typeof ResizeObserver === 'function' ? new ResizeObserver(() => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => {
      const w = Math.floor(plot.clientWidth);
      if (w && w !== width) { width = w; draw(); }
    });
  }) : null;
  ro?.observe(plot);

  function seriesList() {
    return (o.series || []).map((s, i) => ({ ...s, color: s.color || PALETTE[i % PALETTE.length], values: (s.values || []).map(num) }));
  }

  function annotate(series) {
    let points = 0, total = 0;
    for (const s of series) for (const v of s.values) if (v !== null) { points++; total += v; }
    el.dataset.points = String(points);
    el.dataset.total = String(exact(total));
    const times = o.times || [];
    el.dataset.start = times.length ? new Date(times[0]).toISOString() : '';
    el.dataset.end = times.length ? new Date(times[times.length - 1] + (o.bucketMs || 0)).toISOString() : '';
    el.dataset.buckets = String(times.length);
    return points;
  }

  function draw() {
    const series = seriesList();
    const points = annotate(series);
    clear(legend);
    if (series.length > 1 || (o.legend && series.length)) {
      for (const s of series) legend.append(h('span', { class: 'chart-key' }, h('i', { style: { background: s.color } }), s.label));
    }
    clear(plot);
    tip.hidden = true;
    geometry = null;
    const times = o.times || [];
    if (!points || !times.length) {
      el.classList.add('is-empty');
      plot.append(h('div', { class: 'chart-empty' }, o.emptyText));
      return;
    }
    el.classList.remove('is-empty');
    if (!width) width = Math.floor(plot.clientWidth) || 480;
    const W = width, H = o.height;
    const L = MARGIN.left, R = W - MARGIN.right, T = MARGIN.top, B = H - MARGIN.bottom;
    const n = times.length;
    const bucketMs = o.bucketMs || (n > 1 ? times[1] - times[0] : HOUR);
    const t0 = times[0], t1 = times[n - 1] + bucketMs;
    const x = (t) => L + ((t - t0) / (t1 - t0)) * (R - L);

    // Stacks (for stacked kinds): per bucket, the running base of each series.
    const stacked = o.stacked && o.kind !== 'line';
    const tops = series.map(() => new Array(n).fill(null));
    const bases = series.map(() => new Array(n).fill(0));
    let lo = 0, hi = 0;
    for (let i = 0; i < n; i++) {
      let acc = 0;
      series.forEach((s, k) => {
        const v = s.values[i];
        if (v === null) return;
        if (stacked) { bases[k][i] = acc; acc += v; tops[k][i] = acc; } else { tops[k][i] = v; }
        hi = Math.max(hi, tops[k][i]);
        lo = Math.min(lo, stacked ? bases[k][i] : v);
      });
    }
    if (o.yMax !== undefined) hi = Math.max(hi, o.yMax);
    const yt = niceTicks(lo, hi, Math.max(2, Math.min(5, Math.floor((B - T) / 36))), o.integer);
    const y = (v) => B - ((v - yt.lo) / (yt.hi - yt.lo)) * (B - T);

    const root = svg('svg', { class: 'chart-svg', width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img',
      'aria-label': `${o.name || 'chart'}: ${series.map((s) => s.label).join(', ')}` });

    // Grid and y axis.
    const grid = svg('g', { class: 'chart-grid' });
    const tickFmt = o.yTickFormat || o.yFormat;
    for (const v of yt.ticks) {
      const yy = Math.round(y(v)) + 0.5;
      grid.append(svg('line', { x1: L, x2: R, y1: yy, y2: yy, class: v === 0 ? 'zero' : '' }));
      grid.append(svg('text', { x: L - 6, y: yy + 3.5, 'text-anchor': 'end', class: 'chart-label' }, tickFmt(v)));
    }
    // Time axis.
    const tt = timeTicks(t0, t1, Math.max(2, Math.floor((R - L) / 86)));
    for (const t of tt.ticks) {
      const xx = Math.round(x(t)) + 0.5;
      grid.append(svg('line', { x1: xx, x2: xx, y1: B, y2: B + 4, class: 'tick' }));
      grid.append(svg('text', { x: xx, y: H - 6, 'text-anchor': 'middle', class: 'chart-label' }, tt.format(t)));
    }
    grid.append(svg('line', { x1: L, x2: R, y1: B + 0.5, y2: B + 0.5, class: 'axis' }));
    root.append(grid);

    // Series.
    const bandW = (R - L) / n;
    series.forEach((s, k) => {
      const g = svg('g', { class: `chart-series ${o.kind}`, 'data-series': s.key, 'data-label': s.label,
        'data-sum': String(exact(s.values.reduce((a, v) => a + (v ?? 0), 0))),
        'data-values': s.values.map((v) => (v === null ? '' : String(exact(v)))).join(',') });
      g.style.setProperty('--series', s.color);
      if (o.kind === 'bar') {
        const groups = stacked ? 1 : series.length;
        const gap = Math.min(2, bandW * 0.15);
        const bw = Math.max(1, (bandW - gap) / groups);
        for (let i = 0; i < n; i++) {
          const v = s.values[i];
          if (v === null || v === 0) continue;
          const top = tops[k][i], base = stacked ? bases[k][i] : 0;
          const yTop = y(Math.max(top, base)), yBot = y(Math.min(top, base));
          const bx = x(times[i]) + gap / 2 + (stacked ? 0 : k * bw);
          g.append(svg('rect', { x: round(bx), y: round(yTop), width: round(bw), height: round(Math.max(1, yBot - yTop)), 'data-i': i }));
        }
      } else {
        const cx = (i) => x(times[i] + bucketMs / 2);
        const segs = segments(s.values);
        for (const seg of segs) {
          if (o.kind === 'area') {
            const top = seg.map((i) => `${round(cx(i))},${round(y(tops[k][i]))}`);
            const bottom = seg.slice().reverse().map((i) => `${round(cx(i))},${round(y(stacked ? bases[k][i] : Math.max(yt.lo, 0)))}`);
            if (seg.length > 1) g.append(svg('path', { class: 'area', d: `M${top.join('L')}L${bottom.join('L')}Z` }));
          }
          if (seg.length > 1) {
            g.append(svg('path', { class: 'line', d: 'M' + seg.map((i) => `${round(cx(i))},${round(y(tops[k][i]))}`).join('L') }));
          } else {
            const i = seg[0];
            g.append(svg('circle', { class: 'dot', cx: round(cx(i)), cy: round(y(tops[k][i])), r: 2.5 }));
          }
        }
      }
      root.append(g);
    });

    // Hover layer.
    const band = svg('rect', { class: 'chart-hover-band', x: 0, y: T, width: 0, height: B - T, visibility: 'hidden' });
    const marks = svg('g', { class: 'chart-hover-marks' });
    root.insertBefore(band, root.firstChild.nextSibling);
    root.append(marks);
    const overlay = svg('rect', { class: 'chart-overlay', x: L, y: T, width: R - L, height: B - T });
    root.append(overlay);
    plot.append(root, tip);
    geometry = { L, R, T, B, n, bandW, x, y, times, bucketMs, series, tops, band, marks };

    overlay.addEventListener('mousemove', (e) => {
      const rect = root.getBoundingClientRect();
      const px = e.clientX - rect.left;
      const i = Math.max(0, Math.min(n - 1, Math.floor((px - L) / bandW)));
      if (i !== hoverIndex) showTip(i);
    });
    overlay.addEventListener('mouseleave', hideTip);
    if (hoverIndex >= 0 && hoverIndex < n) showTip(hoverIndex);
  }

  function showTip(i) {
    const gm = geometry;
    if (!gm) return;
    hoverIndex = i;
    const { x, y, times, bucketMs, series, tops, band, marks } = gm;
    band.setAttribute('x', round(x(times[i])));
    band.setAttribute('width', round(gm.bandW));
    band.setAttribute('visibility', 'visible');
    clear(marks);
    if (o.kind !== 'bar') {
      series.forEach((s, k) => {
        if (tops[k][i] === null) return;
        const c = svg('circle', { class: 'hover-dot', cx: round(x(times[i] + bucketMs / 2)), cy: round(y(tops[k][i])), r: 3.5 });
        c.style.setProperty('--series', s.color);
        marks.append(c);
      });
    }
    clear(tip);
    tip.dataset.index = String(i);
    tip.append(h('div', { class: 'chart-tip-time' }, bucketLabel(times[i], bucketMs)));
    for (const s of series) {
      const v = s.values[i];
      tip.append(h('div', { class: 'chart-tip-row', dataset: { series: s.key, value: v === null ? '' : String(v) } },
        h('i', { style: { background: s.color } }), h('span', {}, s.label), h('b', {}, v === null ? '–' : o.yFormat(v))));
    }
    for (const [label, text] of o.tooltipExtra?.(i) || []) {
      tip.append(h('div', { class: 'chart-tip-row extra' }, h('i'), h('span', {}, label), h('b', {}, text)));
    }
    tip.hidden = false;
    // Place the tooltip beside the hovered bucket, flipping to the left near the right edge.
    const cx = x(times[i] + bucketMs / 2);
    const tw = tip.offsetWidth || 160;
    const left = cx + 14 + tw > width ? cx - 14 - tw : cx + 14;
    tip.style.left = `${Math.max(0, left)}px`;
    tip.style.top = `${gm.T}px`;
  }

  function hideTip() {
    hoverIndex = -1;
    tip.hidden = true;
    if (geometry) { geometry.band.setAttribute('visibility', 'hidden'); clear(geometry.marks); }
  }

  function onKeydown(e) {
    if (!geometry) return;
    const n = geometry.n;
    let i = hoverIndex;
    if (e.key === 'ArrowRight') i = i < 0 ? 0 : Math.min(n - 1, i + 1);
    else if (e.key === 'ArrowLeft') i = i < 0 ? n - 1 : Math.max(0, i - 1);
    else if (e.key === 'Home') i = 0;
    else if (e.key === 'End') i = n - 1;
    else if (e.key === 'Escape') { hideTip(); return; }
    else return;
    e.preventDefault();
    showTip(i);
  }

  draw();
  return {
    el,
    /** Replaces data/options and redraws. */
    update(next) { o = { ...o, ...next }; hoverIndex = -1; draw(); },
    /** Shows the tooltip of bucket i (keyboard/tests); -1 hides it. */
    focus(i) { i < 0 ? hideTip() : showTip(i); },
    dispose() { ro?.disconnect(); cancelAnimationFrame(frame); },
  };
}

// ---- scales ----

/** Round ticks covering [lo, hi]: 1/2/2.5/5 × 10^k steps, about `count` of them. */
export function niceTicks(lo, hi, count = 4, integer = false) {
  if (!(hi > lo)) { hi = lo + (integer ? Math.max(1, count) : 1); }
  const raw = (hi - lo) / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const m = raw / pow;
  let step = (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * pow;
  if (integer) step = Math.max(1, Math.round(step));
  const first = Math.floor(lo / step) * step;
  const last = Math.ceil(hi / step) * step;
  const ticks = [];
  for (let i = 0; first + i * step <= last + step / 2; i++) ticks.push(exact(first + i * step));
  return { lo: first, hi: last, step, ticks };
}

/** Time ticks aligned to local clock boundaries, with a label format suited to the span. */
export function timeTicks(t0, t1, maxTicks = 6) {
  const span = t1 - t0;
  const step = TIME_STEPS.find((s) => span / s <= maxTicks) || TIME_STEPS[TIME_STEPS.length - 1];
  const ticks = [];
  if (step >= DAY) {
    const d = new Date(t0);
    d.setHours(0, 0, 0, 0);
    if (d.getTime() < t0) d.setDate(d.getDate() + 1);
    const days = Math.round(step / DAY);
    for (; d.getTime() <= t1; d.setDate(d.getDate() + days)) ticks.push(d.getTime());
  } else {
    const offset = new Date(t0).getTimezoneOffset() * MIN;
    for (let t = Math.ceil((t0 - offset) / step) * step + offset; t <= t1; t += step) ticks.push(t);
  }
  const format = (t) => {
    const d = new Date(t);
    const midnight = d.getHours() === 0 && d.getMinutes() === 0;
    if (step >= DAY || (span >= DAY && midnight)) return `${MONTHS[d.getMonth()]} ${d.getDate()}`;
    return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  };
  return { step, ticks, format };
}

/** "Mar 3, 14:00 – 16:00", "Mar 3", or "Mar 3 – Mar 9" for a bucket. */
export function bucketLabel(start, ms) {
  const a = new Date(start), b = new Date(start + ms);
  const day = (d) => `${MONTHS[d.getMonth()]} ${d.getDate()}`;
  const time = (d) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (ms >= DAY) return ms === DAY && b.getHours() === a.getHours() ? day(a) : `${day(a)} – ${day(b)}`;
  return a.toDateString() === b.toDateString() || (b.getHours() === 0 && b.getMinutes() === 0 && b - a <= DAY)
    ? `${day(a)}, ${time(a)} – ${time(b)}` : `${day(a)} ${time(a)} – ${day(b)} ${time(b)}`;
}

/** Compact numbers for axes: 950, 1.2k, 3.4M; small fractions keep significant digits. */
export function compact(v) {
  const a = Math.abs(v);
  if (a >= 1e9) return `${trim(v / 1e9)}B`;
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e4) return `${trim(v / 1e3)}k`;
  if (a >= 1000) return `${trim(v / 1e3)}k`;
  if (a === 0 || a >= 1) return trim(v);
  return String(Number(v.toPrecision(2)));
}

function trim(v) { return String(Number(v.toFixed(Math.abs(v) >= 100 ? 0 : 1))); }
function defaultFormat(v) { return Number(round(v)).toLocaleString('en-US'); }
function pad(n) { return String(n).padStart(2, '0'); }
function round(v) { return Math.round(v * 1000) / 1000; }
function exact(v) { return Number(v.toPrecision(12)); }
function num(v) {
  if (v === null || v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Runs of consecutive non-null indexes. */
function segments(values) {
  const out = [];
  let cur = [];
  values.forEach((v, i) => {
    if (v === null) { if (cur.length) out.push(cur); cur = []; } else cur.push(i);
  });
  if (cur.length) out.push(cur);
  return out;
}
