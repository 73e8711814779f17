// Detail pane of the selected run: header (type, name, status, latency, tokens, cost), then tabs:
// Run (error, inputs, outputs, attachments), Usage (tokens and costs), Metadata (metadata, tags,
// runtime, ids), Events, Feedback. The full run (`GET /runs/{id}` or the public twin) is loaded
// lazily by the caller-provided `loadRun`. Signed-in views get header actions ("Add to dataset",
// "Add to annotation queue").
import { h, fmtDuration, fmtNumber, fmtTime, copyText } from '../lib/dom.js';
import { session, canWrite } from '../lib/session.js';
import { renderValue } from './chat-view.js';
import { jsonView, copyButton } from './json-view.js';
import { runTypeBadge, ts, fmtCostExact } from './run-tree.js';

export { renderValue };

export const DETAIL_TABS = [
  ['run', 'Run'], ['usage', 'Usage'], ['metadata', 'Metadata'], ['events', 'Events'], ['feedback', 'Feedback'],
];

/** Header actions are for signed-in editors, never for viewers or public shared traces. */
const canEdit = () => !!session.me && canWrite() && !location.pathname.startsWith('/public/');

/**
 * @param {object} node tree node of the selected run (compact run in `node.run`)
 * @param {object} opts `loadRun(id, signal)`, `loadFeedback(id, signal)` (optional), `tab`, `onTab(tab)`,
 *   `actions` (show header actions such as "Add to dataset"; default: when signed in and not public)
 */
export function runDetail(node, { loadRun, loadFeedback = null, tab = 'run', onTab = () => {}, actions = canEdit() } = {}) {
  const ctrl = new AbortController();
  const compact = node.run;
  const state = { run: null, feedback: null, error: null, tab: DETAIL_TABS.some(([k]) => k === tab) ? tab : 'run' };
  const header = h('header', { class: 'rd-header' });
  const tabsEl = h('nav', { class: 'rd-tabs tabs', attrs: { role: 'tablist' } });
  const body = h('div', { class: 'rd-body' });
  const el = h('section', { class: 'run-detail', dataset: { runId: compact.id } }, header, tabsEl, body);

  const renderHeader = () => {
    const run = state.run || compact;
    const start = ts(run.start_time), end = ts(run.end_time);
    const latency = start !== null && end !== null ? (end - start) / 1000 : null;
    const status = run.status || (run.error ? 'error' : end ? 'success' : 'pending');
    const tokens = node.tokens || Number(run.total_tokens) || 0;
    const cost = node.cost || Number(run.total_cost) || 0;
    header.replaceChildren(
      h('div', { class: 'rd-title' },
        runTypeBadge(run.run_type),
        h('h2', {}, run.name || 'Unnamed'),
        h('span', { class: ['pill', status === 'error' ? 'err' : status === 'success' ? 'ok' : 'pending', 'rd-status'] }, status),
        orphanOf(run) ? h('span', { class: 'pill warn rd-orphan-pill', title: 'Its parent never arrived' }, 'orphan') : null,
        actions ? headerActions() : null),
      orphanOf(run) ? h('p', { class: 'rd-orphan' },
        'Orphan: this run names a parent ', h('span', { class: 'mono' }, orphanOf(run)),
        ' that never arrived, so it is shown as the root of its own trace. If the parent arrives later, it is nested there.') : null,
      h('div', { class: 'rd-stats' },
        stat('Latency', latency === null ? 'running' : fmtDuration(latency)),
        tokens ? stat('Tokens', fmtNumber(tokens), tokenTitle(run)) : null,
        cost ? stat('Cost', fmtCostExact(cost)) : null,
        run.first_token_time && start !== null ? stat('First token', fmtDuration((ts(run.first_token_time) - start) / 1000)) : null,
        stat('Started', fmtTime(run.start_time)),
        run.run_type ? stat('Type', run.run_type) : null,
        h('span', { class: 'rd-id mono faint', title: 'Run id' }, run.id,
          h('button', { class: 'btn small ghost', type: 'button', title: 'Copy run id', on: { click: () => copyText(run.id) } }, 'Copy id'))));
  };

  // Right side of the title row; room for more actions (e.g. annotation queues).
  const headerActions = () => h('div', { class: 'rd-actions' },
    h('button', {
      class: 'btn small rd-add-dataset', type: 'button', disabled: !state.run,
      title: state.run ? 'Save this run’s inputs and outputs as a dataset example' : 'Loading the run…',
      on: {
        click: async () => {
          if (!state.run) return;
          const { openAddToDataset } = await import('./add-to-dataset.js');
          openAddToDataset(state.run);
        },
      },
    }, '+ Add to dataset'),
    h('button', {
      class: 'btn small rd-add-queue', type: 'button', title: 'Queue this run for review against a rubric',
      on: {
        click: async () => {
          const { openAddToQueue } = await import('./queue-dialogs.js');
          openAddToQueue(state.run || compact);
        },
      },
    }, '+ Add to annotation queue'));

  const renderTabs = () => {
    tabsEl.replaceChildren(...DETAIL_TABS.map(([key, label]) => {
      let count = null;
      if (key === 'feedback') count = state.feedback ? state.feedback.length : feedbackStatsCount(state.run);
      if (key === 'events' && state.run) count = (state.run.events || []).length;
      return h('a', {
        class: ['rd-tab', state.tab === key && 'on'], href: '#', dataset: { tab: key }, attrs: { role: 'tab', 'aria-selected': String(state.tab === key) },
        on: { click: (e) => { e.preventDefault(); state.tab = key; onTab(key); renderTabs(); renderBody(); } },
      }, label, count ? h('span', { class: 'rd-count' }, String(count)) : null);
    }));
  };

  const renderBody = () => {
    body.replaceChildren();
    if (state.error) {
      body.append(state.error.status === 404
        ? h('div', { class: 'empty' }, h('h3', {}, 'Run not found'), h('p', {}, `The run ${compact.id} could not be loaded. It may have been deleted.`))
        : h('div', { class: 'banner' }, `Could not load the run: ${state.error.message}`));
      return;
    }
    if (!state.run) {
      body.append(h('div', { class: 'rd-loading muted' }, 'Loading run…'));
      return;
    }
    const run = state.run;
    switch (state.tab) {
      case 'usage': body.append(usageTab(run)); break;
      case 'metadata': body.append(metadataTab(run)); break;
      case 'events': body.append(eventsTab(run)); break;
      case 'feedback': body.append(feedbackTab(run, state.feedback, !!loadFeedback)); break;
      default: body.append(runTab(run));
    }
  };

  renderHeader();
  renderTabs();
  renderBody();

  loadRun(compact.id, ctrl.signal).then((run) => {
    if (ctrl.signal.aborted) return;
    state.run = run;
    renderHeader(); renderTabs(); renderBody();
  }).catch((err) => {
    if (ctrl.signal.aborted || err?.name === 'AbortError') return;
    state.error = err;
    renderBody();
  });
  if (loadFeedback) {
    loadFeedback(compact.id, ctrl.signal).then((list) => {
      if (ctrl.signal.aborted) return;
      state.feedback = Array.isArray(list) ? list : [];
      renderTabs();
      if (state.tab === 'feedback' && state.run) renderBody();
    }).catch(() => { /* the tab shows feedback_stats instead */ });
  }
  return { el, dispose: () => ctrl.abort() };
}

function stat(label, value, title) {
  return h('span', { class: 'rd-stat', title: title || null }, h('span', { class: 'rd-stat-label' }, label), h('span', { class: 'rd-stat-value' }, value));
}

function tokenTitle(run) {
  if (!run.prompt_tokens && !run.completion_tokens) return null;
  return `${fmtNumber(run.prompt_tokens || 0)} prompt + ${fmtNumber(run.completion_tokens || 0)} completion`;
}

function feedbackStatsCount(run) {
  if (!run?.feedback_stats) return null;
  return Object.values(run.feedback_stats).reduce((a, s) => a + (s?.n || 0), 0) || null;
}

const isEmpty = (v) => v === null || v === undefined || (typeof v === 'object' && !Array.isArray(v) && !Object.keys(v).length) || (Array.isArray(v) && !v.length);

/** A titled section with a Rendered/JSON switch and a copy button. */
export function valueSection(title, value, emptyText, cls) {
  if (isEmpty(value)) {
    return h('section', { class: ['rd-section', cls] }, h('h3', {}, title), h('div', { class: 'rd-empty muted' }, emptyText));
  }
  const holder = h('div', { class: 'rd-value' });
  let mode = 'rendered';
  const rendered = h('button', { class: 'on', type: 'button', on: { click: () => setMode('rendered') } }, 'Rendered');
  const json = h('button', { type: 'button', on: { click: () => setMode('json') } }, 'JSON');
  const setMode = (m) => {
    mode = m;
    rendered.classList.toggle('on', m === 'rendered');
    json.classList.toggle('on', m === 'json');
    holder.replaceChildren(m === 'json' ? jsonView(value, { collapsedDepth: 3 }) : safeRender(value));
  };
  setMode(mode);
  return h('section', { class: ['rd-section', cls] },
    h('div', { class: 'rd-section-head' }, h('h3', {}, title), h('span', { class: 'grow' }),
      h('div', { class: 'seg small' }, rendered, json), copyButton(() => value, 'Copy', 'rd-copy', `Copy ${title.toLowerCase()} as JSON`)),
    holder);
}

function safeRender(value) {
  try { return renderValue(value); } catch (e) { return jsonView(value); }
}

function runTab(run) {
  const out = h('div', { class: 'rd-run' });
  if (run.error) {
    out.append(h('section', { class: 'rd-section rd-error' }, h('div', { class: 'rd-section-head' }, h('h3', {}, 'Error'), h('span', { class: 'grow' }),
      copyButton(() => run.error, 'Copy', 'rd-copy', 'Copy the error')),
    h('pre', { class: 'error-stack' }, run.error)));
  }
  out.append(valueSection('Input', run.inputs, 'This run has no inputs.', 'rd-inputs'));
  const pending = !run.end_time && !run.error;
  out.append(valueSection('Output', run.outputs, pending ? 'The run is still in progress.' : run.error ? 'No output (the run failed).' : 'This run has no outputs.', 'rd-outputs'));
  const atts = attachmentsOf(run);
  if (atts.length) out.append(h('section', { class: 'rd-section rd-attachments' }, h('h3', {}, 'Attachments'), h('div', { class: 'attachments' }, atts.map(attachment))));
  return out;
}

function attachmentsOf(run) {
  return Object.entries(run.s3_urls || {})
    .filter(([k, v]) => k.startsWith('attachment.') && v && v.presigned_url)
    .map(([k, v]) => ({ name: k.slice('attachment.'.length), url: v.presigned_url, mime: v.mime_type || 'application/octet-stream' }));
}

function attachment(a) {
  const safe = /^(\/|https?:\/\/)/i.test(a.url) ? a.url : null;
  if (!safe) return h('div', { class: 'attachment' }, h('span', { class: 'mono' }, a.name), h('span', { class: 'faint' }, a.mime));
  const isImage = /^image\//i.test(a.mime);
  return h('figure', { class: ['attachment', isImage && 'image'] },
    isImage ? h('a', { href: safe, target: '_blank', rel: 'noopener' }, h('img', { src: safe, alt: a.name, loading: 'lazy' })) : null,
    h('figcaption', {},
      h('a', { href: safe, download: a.name, target: '_blank', rel: 'noopener', class: 'attachment-link' }, a.name),
      h('span', { class: 'faint' }, ` ${a.mime}`)));
}

function kvTable(rows) {
  return h('table', { class: 'kv' }, h('tbody', {}, rows.filter(Boolean).map(([k, v, cls]) =>
    h('tr', { class: cls || null }, h('th', {}, k), h('td', {}, v)))));
}

function usageTab(run) {
  const hasTokens = run.total_tokens || run.prompt_tokens || run.completion_tokens;
  const hasCost = run.total_cost !== null && run.total_cost !== undefined || run.prompt_cost || run.completion_cost;
  const details = (obj, prefix, fmt) => Object.entries(obj || {}).filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => [`${prefix} · ${k}`, typeof v === 'object' ? jsonView(v, { collapsedDepth: 1 }) : fmt(v), 'detail']);
  const start = ts(run.start_time), end = ts(run.end_time);
  const out = h('div', { class: 'rd-usage' });
  if (!hasTokens && !hasCost) out.append(h('p', { class: 'muted' }, 'No token usage was recorded for this run.'));
  if (hasTokens) {
    out.append(h('section', { class: 'rd-section' }, h('h3', {}, 'Tokens'), kvTable([
      ['Prompt', fmtNumber(run.prompt_tokens ?? 0)],
      ...details(run.prompt_token_details, 'Prompt', fmtNumber),
      ['Completion', fmtNumber(run.completion_tokens ?? 0)],
      ...details(run.completion_token_details, 'Completion', fmtNumber),
      ['Total', h('strong', {}, fmtNumber(run.total_tokens ?? 0)), 'total'],
    ])));
  }
  if (hasCost) {
    out.append(h('section', { class: 'rd-section' }, h('h3', {}, 'Cost'), kvTable([
      ['Prompt', costText(run.prompt_cost)],
      ...details(run.prompt_cost_details, 'Prompt', costText),
      ['Completion', costText(run.completion_cost)],
      ...details(run.completion_cost_details, 'Completion', costText),
      ['Total', h('strong', {}, costText(run.total_cost)), 'total'],
    ])));
  }
  out.append(h('section', { class: 'rd-section' }, h('h3', {}, 'Timing'), kvTable([
    ['Start', fmtTime(run.start_time)],
    ['End', run.end_time ? fmtTime(run.end_time) : 'running'],
    ['Latency', start !== null && end !== null ? fmtDuration((end - start) / 1000) : '–'],
    run.first_token_time ? ['Time to first token', fmtDuration((ts(run.first_token_time) - start) / 1000)] : null,
  ])));
  return out;
}

/** Costs are decimal strings: show them exactly, with a short form alongside. */
function costText(c) {
  if (c === null || c === undefined || c === '') return '–';
  return h('span', { title: `${c} USD` }, fmtCostExact(c));
}

/** The missing parent's id when the server promoted this run to a root (`anvil_orphan`). */
function orphanOf(run) {
  const meta = run.extra?.metadata;
  return meta?.anvil_orphan ? String(meta.anvil_orphan_parent_run_id || 'unknown') : null;
}

function metadataTab(run) {
  const meta = run.extra?.metadata || {};
  const entries = Object.entries(meta);
  const out = h('div', { class: 'rd-metadata' });
  out.append(h('section', { class: 'rd-section' }, h('h3', {}, 'Tags'),
    (run.tags || []).length ? h('div', { class: 'row rd-tags' }, run.tags.map((t) => h('span', { class: 'pill tag' }, t))) : h('div', { class: 'muted' }, 'No tags.')));
  out.append(h('section', { class: 'rd-section rd-meta' },
    h('div', { class: 'rd-section-head' }, h('h3', {}, 'Metadata'), h('span', { class: 'grow' }), entries.length ? copyButton(() => meta, 'Copy', 'rd-copy', 'Copy metadata as JSON') : null),
    entries.length ? kvTable(entries.map(([k, v]) => [k, v !== null && typeof v === 'object' ? jsonView(v, { collapsedDepth: 1 }) : h('span', { class: 'mono' }, String(v))]))
      : h('div', { class: 'muted' }, 'No metadata.')));
  const runtime = run.extra?.runtime;
  if (runtime && Object.keys(runtime).length) out.append(h('section', { class: 'rd-section' }, h('h3', {}, 'Runtime'), jsonView(runtime, { collapsedDepth: 1 })));
  const otherExtra = Object.fromEntries(Object.entries(run.extra || {}).filter(([k]) => k !== 'metadata' && k !== 'runtime'));
  if (Object.keys(otherExtra).length) out.append(h('section', { class: 'rd-section' }, h('h3', {}, 'Extra'), jsonView(otherExtra, { collapsedDepth: 1 })));
  const ids = [
    ['Run id', run.id], ['Trace id', run.trace_id], ['Parent run id', run.parent_run_id], ['Project id', run.session_id],
    ['Dotted order', run.dotted_order], ['Thread id', run.thread_id], ['Reference example', run.reference_example_id],
  ].filter(([, v]) => v);
  out.append(h('section', { class: 'rd-section' }, h('h3', {}, 'Identifiers'), kvTable(ids.map(([k, v]) => [k, h('span', { class: 'mono' }, v)]))));
  if (run.serialized && Object.keys(run.serialized).length) out.append(h('section', { class: 'rd-section' }, h('h3', {}, 'Serialized'), jsonView(run.serialized, { collapsedDepth: 1 })));
  return out;
}

function eventsTab(run) {
  const events = run.events || [];
  if (!events.length) return h('div', { class: 'muted rd-empty' }, 'No events were recorded for this run.');
  const start = ts(run.start_time);
  return h('table', { class: 'data rd-events' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Event'), h('th', { class: 'num' }, 'At'), h('th', {}, 'Details'))),
    h('tbody', {}, events.map((e) => {
      const t = ts(e.time);
      const extra = Object.fromEntries(Object.entries(e).filter(([k]) => k !== 'name' && k !== 'time'));
      return h('tr', {},
        h('td', { class: 'mono' }, e.name || 'event'),
        h('td', { class: 'num', title: e.time || '' }, t !== null && start !== null ? `+${fmtDuration((t - start) / 1000)}` : '–'),
        h('td', {}, Object.keys(extra).length ? jsonView(extra, { collapsedDepth: 1 }) : null));
    })));
}

function feedbackTab(run, list, canList) {
  if (list && list.length) {
    return h('div', { class: 'table-wrap' }, h('table', { class: 'data rd-feedback' },
      h('thead', {}, h('tr', {}, ['Key', 'Score', 'Value', 'Comment', 'Source', 'Created'].map((c) => h('th', {}, c)))),
      h('tbody', {}, list.map((f) => h('tr', { dataset: { key: f.key } },
        h('td', { class: 'mono fb-key' }, f.key),
        h('td', { class: 'num' }, f.score === null || f.score === undefined ? '–' : String(f.score)),
        h('td', {}, f.value === null || f.value === undefined ? '–' : typeof f.value === 'object' ? JSON.stringify(f.value) : String(f.value)),
        h('td', { class: 'fb-comment' }, f.comment || ''),
        h('td', {}, f.feedback_source?.type || '–'),
        h('td', { class: 'nowrap' }, fmtTime(f.created_at)))))));
  }
  const stats = run.feedback_stats || {};
  if (Object.keys(stats).length) {
    return h('div', {},
      canList && list ? null : h('p', { class: 'muted' }, 'Feedback summary:'),
      h('table', { class: 'data rd-feedback' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Key'), h('th', { class: 'num' }, 'Count'), h('th', { class: 'num' }, 'Average'), h('th', {}, 'Comments'))),
        h('tbody', {}, Object.entries(stats).map(([k, s]) => h('tr', { dataset: { key: k } },
          h('td', { class: 'mono fb-key' }, k),
          h('td', { class: 'num' }, fmtNumber(s?.n ?? 0)),
          h('td', { class: 'num' }, s?.avg === null || s?.avg === undefined ? '–' : Number(s.avg).toFixed(2)),
          h('td', {}, (s?.comments || []).join(' · ')))))));
  }
  return h('div', { class: 'muted rd-empty' }, list ? 'No feedback on this run yet. Add some with the SDK: ' : 'No feedback on this run.',
    list ? h('code', {}, `client.create_feedback("${run.id}", key="correctness", score=1)`) : null);
}
