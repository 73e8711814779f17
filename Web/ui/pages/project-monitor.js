// Project "Monitor" tab: time-bucketed charts of root runs (traces), aggregated by the server
// (`GET /api/v1/ui/sessions/{id}/monitor`). URL state: ?range=1h|24h|7d|30d|custom (&start=&end= for custom).
import { h, clear, fmtNumber, fmtCost, fmtDuration } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { query, setQuery } from '../lib/router.js';
import { timeChart, compact, PALETTE } from '../components/charts.js';

const MIN = 60_000, HOUR = 3_600_000, DAY = 86_400_000;
export const RANGES = [
  { key: '1h', label: '1h', span: HOUR, bucket: MIN, title: 'Last hour' },
  { key: '24h', label: '24h', span: DAY, bucket: 30 * MIN, title: 'Last 24 hours' },
  { key: '7d', label: '7d', span: 7 * DAY, bucket: 3 * HOUR, title: 'Last 7 days' },
  { key: '30d', label: '30d', span: 30 * DAY, bucket: 12 * HOUR, title: 'Last 30 days' },
];
const DEFAULT_RANGE = '7d';
const BUCKET_STEPS = [MIN, 2 * MIN, 5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY];
const MAX_BUCKETS = 60;

/** The request window for the URL state: bucket-aligned (local time) so axis ticks and buckets line up. */
export function windowFor(state, now = Date.now()) {
  let start, end, bucket;
  const preset = RANGES.find((r) => r.key === state.range);
  if (preset) {
    bucket = preset.bucket;
    start = now - preset.span;
    end = now;
  } else {
    start = state.start;
    end = state.end;
    const span = Math.max(MIN, end - start);
    bucket = BUCKET_STEPS.find((s) => span / s <= MAX_BUCKETS) || BUCKET_STEPS[BUCKET_STEPS.length - 1];
  }
  const offset = new Date(start).getTimezoneOffset() * MIN;
  const floor = (t) => Math.floor((t - offset) / bucket) * bucket + offset;
  const ceil = (t) => Math.ceil((t - offset) / bucket) * bucket + offset;
  start = floor(start);
  end = Math.max(ceil(end), start + bucket);
  return { start, end, bucket, buckets: Math.round((end - start) / bucket) };
}

function readState() {
  const q = query();
  const range = q.range === 'custom' || RANGES.some((r) => r.key === q.range) ? q.range : DEFAULT_RANGE;
  if (range === 'custom') {
    const start = Date.parse(q.start), end = Date.parse(q.end);
    if (Number.isFinite(start) && Number.isFinite(end) && end > start) return { range, start, end };
    const now = Date.now();
    return { range, start: now - 7 * DAY, end: now };
  }
  return { range };
}

export async function renderMonitorTab(project, container) {
  let state = readState();
  let controller = null;
  let charts = [];
  let disposed = false;

  const seg = h('div', { class: 'seg', attrs: { role: 'group', 'aria-label': 'Time range' } });
  const startInput = h('input', { class: 'input', type: 'datetime-local', attrs: { 'aria-label': 'Start time' } });
  const endInput = h('input', { class: 'input', type: 'datetime-local', attrs: { 'aria-label': 'End time' } });
  const applyBtn = h('button', { class: 'btn small', on: { click: applyCustom } }, 'Apply');
  const custom = h('div', { class: 'row monitor-custom', hidden: true }, startInput, h('span', { class: 'muted' }, 'to'), endInput, applyBtn);
  const rangeLabel = h('span', { class: 'muted monitor-range-label' });
  const refreshBtn = h('button', { class: 'btn small', title: 'Reload the charts', on: { click: () => load() } }, 'Refresh');
  const status = h('div', { class: 'monitor-status' });
  const summary = h('div', { class: 'monitor-summary' });
  const grid = h('div', { class: 'monitor-grid' });
  const el = h('div', { class: 'monitor', dataset: { range: state.range } },
    h('div', { class: 'monitor-bar row' }, seg, custom, h('span', { class: 'grow' }), rangeLabel, refreshBtn),
    status, summary, grid);
  container.append(el);

  const buttons = [...RANGES.map((r) => ({ key: r.key, label: r.label })), { key: 'custom', label: 'Custom' }].map((r) =>
    h('button', { type: 'button', dataset: { range: r.key }, on: { click: () => pickRange(r.key) } }, r.label));
  seg.append(...buttons);

  function syncControls() {
    for (const b of buttons) {
      b.classList.toggle('on', b.dataset.range === state.range);
      b.setAttribute('aria-pressed', String(b.dataset.range === state.range));
    }
    custom.hidden = state.range !== 'custom';
    el.dataset.range = state.range;
    if (state.range === 'custom') {
      startInput.value = toLocalInput(state.start);
      endInput.value = toLocalInput(state.end);
    }
  }

  function pickRange(key) {
    if (key === 'custom') {
      const w = windowFor(state);
      state = { range: 'custom', start: state.start ?? w.start, end: state.end ?? Math.min(w.end, Date.now()) };
      setQuery({ range: 'custom', start: new Date(state.start).toISOString(), end: new Date(state.end).toISOString() });
    } else {
      state = { range: key };
      setQuery({ range: key === DEFAULT_RANGE ? null : key, start: null, end: null });
    }
    syncControls();
    load();
  }

  function applyCustom() {
    const s = Date.parse(startInput.value), e = Date.parse(endInput.value);
    if (!Number.isFinite(s) || !Number.isFinite(e) || e <= s) {
      status.replaceChildren(h('div', { class: 'banner' }, 'Pick a start time before the end time.'));
      return;
    }
    state = { range: 'custom', start: s, end: e };
    setQuery({ range: 'custom', start: new Date(s).toISOString(), end: new Date(e).toISOString() });
    load();
  }

  async function load() {
    controller?.abort();
    controller = new AbortController();
    const w = windowFor(state);
    const preset = RANGES.find((r) => r.key === state.range);
    rangeLabel.textContent = preset ? preset.title : `${new Date(w.start).toLocaleString()} – ${new Date(w.end).toLocaleString()}`;
    el.classList.add('loading');
    el.setAttribute('aria-busy', 'true');
    let data;
    try {
      data = await api(`/ui/sessions/${encodeURIComponent(project.id)}/monitor`, {
        query: { start: new Date(w.start).toISOString(), end: new Date(w.end).toISOString(), buckets: w.buckets },
        signal: controller.signal,
      });
    } catch (err) {
      if (err.name === 'AbortError' || disposed) return;
      el.classList.remove('loading');
      el.removeAttribute('aria-busy');
      status.replaceChildren(h('div', { class: 'banner' }, `Could not load the monitor data: ${err.message}`));
      return;
    }
    if (disposed) return;
    el.classList.remove('loading');
    el.removeAttribute('aria-busy');
    status.replaceChildren();
    show(data);
  }

  function show(data) {
    const buckets = data.buckets || [];
    const bucketMs = (Number(data.bucket_seconds) || 0) * 1000 || (buckets.length > 1 ? Date.parse(buckets[1].start) - Date.parse(buckets[0].start) : HOUR);
    const times = buckets.map((b) => Date.parse(b.start));
    const has = (b) => Number(b.traces) > 0;
    const val = (b, f) => (has(b) ? nullable(f(b)) : null);
    const sum = (f) => buckets.reduce((a, b) => a + (Number(f(b)) || 0), 0);
    const totalTraces = sum((b) => b.traces);
    const totalErrors = sum((b) => b.errors);
    const totalPrompt = sum((b) => b.prompt_tokens), totalCompletion = sum((b) => b.completion_tokens);
    const totalTokens = sum((b) => b.total_tokens) || totalPrompt + totalCompletion;
    const totalCost = sum((b) => b.total_cost);
    const keys = data.feedback_keys?.length ? data.feedback_keys
      : [...new Set(buckets.flatMap((b) => Object.keys(b.feedback || {})))].sort();
    el.dataset.traces = String(totalTraces);
    el.dataset.start = data.start || '';
    el.dataset.end = data.end || '';

    charts.forEach((c) => c.dispose());
    charts = [];
    clear(grid);
    clear(summary);

    if (!totalTraces) {
      status.replaceChildren(h('div', { class: 'empty monitor-empty' },
        h('h3', {}, 'No traces in this time range'),
        h('p', {}, 'Charts fill in as traces arrive. Pick a longer range, or send traces to this project:'),
        h('pre', {}, `export LANGSMITH_ENDPOINT=${location.origin}\nexport LANGSMITH_API_KEY=<your key>\nexport LANGSMITH_PROJECT=${JSON.stringify(project.name ?? '')}\nexport LANGSMITH_TRACING=true`)));
    }

    const tile = (label, value, cls) => h('div', { class: ['monitor-tile', cls] }, h('div', { class: 'muted' }, label), h('b', {}, value));
    const feedbackAvgs = keys.map((k) => {
      let n = 0, s = 0;
      for (const b of buckets) { const f = b.feedback?.[k]; if (f && f.n > 0 && f.avg !== null && f.avg !== undefined) { n += f.n; s += f.n * Number(f.avg); } }
      return { key: k, n, avg: n ? s / n : null };
    });
    summary.hidden = !totalTraces;
    summary.append(
      tile('Traces', fmtNumber(totalTraces)),
      tile('Errors', totalTraces ? `${fmtNumber(totalErrors)} (${pct(totalErrors / totalTraces)})` : '–', totalErrors ? 'err' : ''),
      tile('Tokens', fmtNumber(totalTokens)),
      tile('Cost', fmtCost(totalCost)),
      ...feedbackAvgs.filter((f) => f.n).map((f) => tile(`${f.key} (avg)`, `${round2(f.avg)} · n=${fmtNumber(f.n)}`)));

    const common = { times, bucketMs, height: 190 };
    const card = (name, title, note, options) => {
      const c = timeChart({ name, ...common, ...options });
      charts.push(c);
      grid.append(h('section', { class: 'card chart-card', dataset: { chartCard: name } },
        h('header', {}, h('span', {}, title), h('span', { class: 'grow' }), note ? h('span', { class: 'muted chart-note' }, note) : null),
        h('div', { class: 'body' }, c.el)));
      return c;
    };

    card('traces', 'Traces', `${fmtNumber(totalTraces)} total`, {
      kind: 'bar', stacked: true, integer: true, yTickFormat: compact,
      series: [
        { key: 'ok', label: 'Succeeded', color: 'var(--chart-1)', values: buckets.map((b) => val(b, (x) => Number(x.traces) - Number(x.errors || 0))) },
        { key: 'errors', label: 'Errored', color: 'var(--err)', values: buckets.map((b) => val(b, (x) => x.errors || 0)) },
      ],
      tooltipExtra: (i) => [['Total', fmtNumber(buckets[i].traces)]],
      emptyText: 'No traces in this time range',
    });
    card('error_rate', 'Error rate', totalTraces ? `${pct(totalErrors / totalTraces)} overall` : null, {
      kind: 'area', yFormat: pct, yTickFormat: (v) => `${Number((v * 100).toFixed(2))}%`,
      series: [{ key: 'error_rate', label: 'Error rate', color: 'var(--err)', values: buckets.map((b) => val(b, (x) => x.error_rate ?? (Number(x.errors || 0) / Number(x.traces)))) }],
      tooltipExtra: (i) => (has(buckets[i]) ? [['Errors', `${fmtNumber(buckets[i].errors || 0)} of ${fmtNumber(buckets[i].traces)}`]] : []),
      emptyText: 'No traces in this time range',
    });
    card('latency', 'Latency', 'p50 and p99 of trace duration', {
      kind: 'line', yFormat: fmtDuration, yTickFormat: axisDuration,
      series: [
        { key: 'p50', label: 'p50', color: 'var(--chart-2)', values: buckets.map((b) => val(b, (x) => x.latency_p50)) },
        { key: 'p99', label: 'p99', color: 'var(--chart-3)', values: buckets.map((b) => val(b, (x) => x.latency_p99)) },
      ],
      tooltipExtra: (i) => (has(buckets[i]) ? [['Traces', fmtNumber(buckets[i].traces)]] : []),
      emptyText: 'No finished traces in this time range',
    });
    card('tokens', 'Tokens', `${fmtNumber(totalTokens)} total`, {
      kind: 'bar', stacked: true, integer: true, yFormat: (v) => fmtNumber(v), yTickFormat: compact,
      series: [
        { key: 'prompt_tokens', label: 'Prompt', color: 'var(--chart-4)', values: buckets.map((b) => val(b, (x) => x.prompt_tokens || 0)) },
        { key: 'completion_tokens', label: 'Completion', color: 'var(--chart-5)', values: buckets.map((b) => val(b, (x) => x.completion_tokens || 0)) },
      ],
      tooltipExtra: (i) => (has(buckets[i]) ? [['Total', fmtNumber(buckets[i].total_tokens ?? (Number(buckets[i].prompt_tokens || 0) + Number(buckets[i].completion_tokens || 0)))]] : []),
      emptyText: 'No token usage in this time range',
    });
    card('cost', 'Cost', `${fmtCost(totalCost)} total`, {
      kind: 'area', yFormat: preciseCost, yTickFormat: axisCost,
      series: [{ key: 'total_cost', label: 'Cost', color: 'var(--chart-6)', values: buckets.map((b) => val(b, (x) => x.total_cost || 0)) }],
      emptyText: 'No cost data in this time range',
    });
    card('feedback', 'Feedback scores', keys.length ? 'average per bucket' : null, {
      kind: 'line', legend: true, yFormat: (v) => String(round2(v)), yTickFormat: (v) => String(round2(v)),
      series: keys.map((k, i) => ({ key: k, label: k, color: PALETTE[(i + 1) % PALETTE.length], values: buckets.map((b) => {
        const f = b.feedback?.[k];
        return f && f.n > 0 ? nullable(f.avg) : null;
      }) })),
      tooltipExtra: (i) => keys.filter((k) => buckets[i].feedback?.[k]?.n).map((k) => [`${k} n`, fmtNumber(buckets[i].feedback[k].n)]),
      emptyText: 'No feedback in this time range. Scores logged with client.create_feedback(run_id, key, score=…) appear here.',
    });
  }

  syncControls();
  await load();

  return {
    el,
    dispose() {
      disposed = true;
      controller?.abort();
      charts.forEach((c) => c.dispose());
    },
  };
}

function nullable(v) {
  if (v === null || v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}
function pct(r) {
  if (r === null || r === undefined) return '–';
  const p = r * 100;
  return `${p === 0 ? 0 : p < 10 ? p.toFixed(1) : p.toFixed(0)}%`;
}
function round2(v) { return v === null ? '–' : Math.round(v * 100) / 100; }
function axisDuration(s) {
  if (s === 0) return '0';
  if (s < 1) return `${Math.round(s * 1000)}ms`;
  if (s < 60) return `${Number(s.toFixed(1))}s`;
  return `${Number((s / 60).toFixed(1))}m`;
}
function axisCost(v) {
  if (v === 0) return '$0';
  if (v >= 1) return `$${Number(v.toFixed(2))}`;
  return `$${Number(v.toPrecision(2))}`;
}
function preciseCost(v) {
  if (v === 0) return '$0';
  return v >= 1 ? `$${v.toFixed(2)}` : `$${Number(v.toPrecision(3))}`;
}
function toLocalInput(ms) {
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
