// One conversation thread as a chat transcript: the thread's root runs (turns), oldest first.
// Route: /projects/p/:projectId/t/:threadId. Each turn shows the user's new message(s) and the
// assistant's answer, with latency, tokens, errors and a link to the turn's trace.
import { h, append, clear, fmtNumber, fmtCost, fmtDuration, fmtTime, latencyOf, preview } from '../lib/dom.js';
import { api, ApiError } from '../lib/api.js';
import { navigate } from '../lib/router.js';
import { chatView, renderValue, toMessages } from '../components/chat-view.js';
import { markdown } from '../components/markdown.js';

const PAGE = 100;
const SELECT = ['id', 'name', 'trace_id', 'inputs', 'outputs', 'start_time', 'end_time', 'error', 'status',
  'total_tokens', 'prompt_tokens', 'completion_tokens', 'total_cost'];

/** A filter-language string literal: double quotes, with backslashes and quotes escaped. */
export const dslString = (s) => `"${String(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export const traceHref = (projectId, run) =>
  `/projects/p/${encodeURIComponent(projectId)}/r/${encodeURIComponent(run.id)}?trace_id=${encodeURIComponent(run.trace_id || run.id)}`;

export async function threadPage({ projectId, threadId }) {
  const threadsHref = `/projects/p/${encodeURIComponent(projectId)}/threads`;
  let project = null;
  try {
    project = await api(`/sessions/${encodeURIComponent(projectId)}`, { query: { include_stats: false } });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;  // api() went to sign-in
    if (!(err instanceof ApiError && [400, 404, 422].includes(err.status))) {
      return { el: h('div', { class: 'banner' }, `Could not load the project: ${err.message}`), title: threadId,
        crumbs: [{ label: 'Projects', href: '/projects' }, { label: threadId }] };
    }
  }
  const crumbs = [
    { label: 'Projects', href: '/projects' },
    { label: project?.name || projectId, href: `/projects/p/${encodeURIComponent(projectId)}` },
    { label: 'Threads', href: threadsHref },
    { label: threadId, href: location.pathname },
  ];
  if (!project) {
    return { el: h('div', { class: 'empty' }, h('h3', {}, 'Project not found'), h('p', {}, `No project has the id ${projectId}.`),
      h('a', { href: '/projects' }, 'Back to projects')), crumbs, title: threadId };
  }

  const controller = new AbortController();
  const turns = [];          // loaded root runs, oldest first
  const articles = [];       // their elements
  let cursor = null;
  let focused = -1;

  const stats = h('div', { class: 'row thread-stats muted' });
  const transcript = h('div', { class: 'transcript', attrs: { role: 'list', 'aria-label': 'Conversation' } });
  const status = h('div');
  const more = h('button', { class: 'btn thread-more', hidden: true, on: { click: () => loadPage() } }, 'Load more turns');
  const el = h('div', { class: 'thread-page', dataset: { threadId } },
    h('header', { class: 'thread-head' },
      h('h2', { class: 'mono' }, threadId),
      stats),
    status, transcript, h('div', { class: 'thread-foot' }, more));

  async function loadPage() {
    more.disabled = true;
    let data;
    try {
      data = await api('/runs/query', {
        method: 'POST', signal: controller.signal,
        body: { session: [projectId], is_root: true, filter: `eq(thread_id, ${dslString(threadId)})`, order: 'asc',
          limit: PAGE, select: SELECT, ...(cursor ? { cursor } : {}) },
      });
    } catch (err) {
      if (err.name === 'AbortError') return;
      more.disabled = false;
      status.replaceChildren(h('div', { class: 'banner' }, `Could not load the thread: ${err.message}`));
      return;
    }
    status.replaceChildren();
    const runs = data?.runs || [];
    for (const run of runs) {
      turns.push(run);
      const art = turnView(run, turns.length, projectId);
      articles.push(art);
      transcript.append(art);
    }
    cursor = data?.cursors?.next || null;
    more.hidden = !cursor;
    more.disabled = false;
    updateStats();
    if (!turns.length) {
      transcript.replaceChildren(h('div', { class: 'empty' },
        h('h3', {}, 'No turns in this thread'),
        h('p', {}, 'No root run of this project has thread id ', h('code', {}, threadId), '.'),
        h('a', { href: threadsHref }, 'Back to threads')));
    }
  }

  function updateStats() {
    const tokens = turns.reduce((a, r) => a + (Number(r.total_tokens) || 0), 0);
    const cost = turns.reduce((a, r) => a + (Number(r.total_cost) || 0), 0);
    const errors = turns.filter((r) => r.error || r.status === 'error').length;
    const first = turns[0]?.start_time, last = turns[turns.length - 1]?.start_time;
    el.dataset.turns = String(turns.length);
    clear(stats);
    append(stats, [
      h('span', {}, `${fmtNumber(turns.length)}${cursor ? '+' : ''} turn${turns.length === 1 ? '' : 's'}`),
      first ? h('span', {}, `${fmtTime(first)}${last && last !== first ? ` → ${fmtTime(last)}` : ''}`) : null,
      tokens ? h('span', {}, `${fmtNumber(tokens)} tokens`) : null,
      cost ? h('span', {}, fmtCost(cost)) : null,
      errors ? h('span', { class: 'pill err' }, `${errors} error${errors === 1 ? '' : 's'}`) : null]);
  }

  function focusTurn(i) {
    if (!articles.length) return;
    focused = Math.max(0, Math.min(articles.length - 1, i));
    articles.forEach((a, k) => a.classList.toggle('selected', k === focused));
    articles[focused].focus({ preventScroll: true });
    articles[focused].scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }

  function onKey(e) {
    if (!el.isConnected || e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey) return;
    const t = e.target;
    if (t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    if (e.key === 'j') { e.preventDefault(); focusTurn(focused + 1); }
    else if (e.key === 'k') { e.preventDefault(); focusTurn(focused <= 0 ? 0 : focused - 1); }
    else if (e.key === 'Enter' && focused >= 0 && t === articles[focused]) { e.preventDefault(); navigate(traceHref(projectId, turns[focused])); }
    else if (e.key === 'Escape') { navigate(threadsHref); }
  }

  await loadPage();
  document.addEventListener('keydown', onKey);
  return {
    el,
    title: `${threadId} · ${project.name}`,
    crumbs,
    actions: [h('a', { class: 'btn small', href: threadsHref }, 'All threads')],
    dispose() {
      controller.abort();
      document.removeEventListener('keydown', onKey);
    },
  };
}

// ---- one turn ----

function turnView(run, n, projectId) {
  const latency = latencyOf(run);
  const errored = Boolean(run.error) || run.status === 'error';
  const href = traceHref(projectId, run);
  const user = userMessages(run.inputs);
  const answer = errored && isEmpty(run.outputs) ? null : assistantMessages(run.inputs, run.outputs);

  const meta = h('div', { class: 'turn-meta' },
    h('span', { class: 'turn-n' }, `Turn ${n}`),
    h('span', { class: 'muted', title: fmtTime(run.start_time) }, fmtTime(run.start_time)),
    h('span', { class: 'muted', title: 'Latency' }, fmtDuration(latency)),
    run.total_tokens ? h('span', { class: 'muted' }, `${fmtNumber(run.total_tokens)} tokens`) : null,
    Number(run.total_cost) ? h('span', { class: 'muted' }, fmtCost(run.total_cost)) : null,
    errored ? h('span', { class: 'pill err' }, 'error') : (run.end_time ? null : h('span', { class: 'pill pending' }, 'running')),
    h('span', { class: 'grow' }),
    h('a', { class: 'turn-trace', href, title: `Open the trace of turn ${n} (${run.name || 'run'})` }, 'Open trace →'));

  const art = h('article', {
    class: ['turn', errored && 'errored'], tabIndex: -1,
    dataset: { runId: run.id, traceId: run.trace_id || run.id, turn: String(n) },
    attrs: { role: 'listitem', 'aria-label': `Turn ${n}` },
  }, meta,
  h('div', { class: 'turn-side turn-user', dataset: { role: 'user' } }, user),
  answer ? h('div', { class: 'turn-side turn-assistant', dataset: { role: 'assistant' } }, answer) : null,
  errored ? h('details', { class: 'turn-error' },
    h('summary', {}, h('span', { class: 'err-text' }, firstLine(run.error) || 'This turn failed.')),
    h('pre', {}, String(run.error || ''))) : null);
  return art;
}

/** The user's new message(s) of a turn: the input messages after the last assistant message. */
function userMessages(inputs) {
  const found = findMessages(inputs);
  if (found) {
    const { raw, norm } = found;
    let start = 0;
    norm.forEach((m, i) => { if (m.role === 'assistant') start = i + 1; });
    // Earlier turns' history and the system prompt are context, not what the user just said.
    let fresh = raw.slice(start).filter((_, i) => norm[start + i].role !== 'system');
    if (!fresh.length) fresh = raw.slice(-1);
    return renderMessages(fresh) || bubble('user', inputs);
  }
  return bubble('user', inputs);
}

/** The assistant's answer: the output messages that are new in this turn, or text/value found in the outputs. */
function assistantMessages(inputs, outputs) {
  if (isEmpty(outputs)) return bubble('assistant', null);
  const found = findMessages(outputs);
  if (found) {
    const { raw, norm } = found;
    const inNorm = findMessages(inputs)?.norm || [];
    let fresh;
    if (norm.length > inNorm.length && inNorm.every((m, i) => sameMessage(m, norm[i]))) fresh = raw.slice(inNorm.length);
    else {
      let start = 0;
      norm.forEach((m, i) => { if (m.role === 'user') start = i + 1; });
      fresh = raw.slice(start).filter((_, i) => norm[start + i].role !== 'system');
      if (!fresh.length) fresh = raw.slice(-1);
    }
    return renderMessages(fresh) || bubble('assistant', outputs);
  }
  // {choices: …}, {generations: …}, a single message object, or a wrapper chatView understands.
  const whole = toMessages(outputs);
  if (whole) return chatView(outputs);
  return bubble('assistant', outputs);
}

/** A flat list of messages inside a value, with its normalised form (same length, same order). */
function findMessages(v, depth = 0) {
  if (v === null || v === undefined || depth > 4 || typeof v !== 'object') return null;
  if (Array.isArray(v)) {
    if (!v.length) return null;
    if (v.every(Array.isArray)) return findMessages(v[v.length - 1], depth + 1);  // [[…]] batches: the last one
    const norm = toMessages(v);
    return norm && norm.length === v.length ? { raw: v, norm } : null;
  }
  for (const k of ['messages', 'chat_history', 'history', 'input', 'inputs', 'output']) {
    const found = Array.isArray(v[k]) ? findMessages(v[k], depth + 1) : null;
    if (found) return found;
  }
  return null;
}

function renderMessages(list) {
  try { return chatView(list); } catch { return null; }
}

/** A role-labelled bubble (same look as chat-view's) for values that are not chat messages. */
function bubble(role, value) {
  let content;
  if (value === null || value === undefined) content = h('span', { class: 'faint' }, role === 'assistant' ? 'No output' : 'No input');
  else {
    const text = plainText(value);
    content = text !== null ? markdown(text) : renderValue(value);
  }
  return h('div', { class: 'chat' },
    h('div', { class: ['msg', role] },
      h('div', { class: 'msg-head' }, h('span', { class: 'msg-role' }, role === 'user' ? 'User' : 'Assistant')),
      h('div', { class: 'msg-body' }, content)));
}

/** A single text inside a value ({question: "…"}, {output: "…"}, "…"), or null when the value is structured. */
function plainText(v) {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const entries = Object.entries(v).filter(([, x]) => x !== null && x !== undefined);
    if (entries.length === 1 && typeof entries[0][1] === 'string') return entries[0][1];
  }
  return null;
}

function contentKey(m) { return typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? null); }
function sameMessage(a, b) { return a.role === b.role && contentKey(a) === contentKey(b); }

function isEmpty(v) {
  return v === null || v === undefined || (typeof v === 'object' && !Array.isArray(v) && !Object.keys(v).length);
}

function firstLine(s) { return s ? preview(String(s).split('\n')[0], 200) : ''; }
