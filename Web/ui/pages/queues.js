// Annotation queues: every queue with its runs needing review and in total; search by name
// (server-side), create and edit (rubric instructions and items, registering feedback configs),
// delete, and a guide to filling queues (the trace view or the SDK).
import { h, clear, fmtNumber, fmtAgo, fmtTime, debounce } from '../lib/dom.js';
import { api, ApiError } from '../lib/api.js';
import { writeControl } from '../lib/session.js';
import { navigate, setQuery, query } from '../lib/router.js';
import { dialogHost, confirmDialog } from '../components/dataset-dialogs.js';
import { openQueueEditor, sdkHelp, errText } from '../components/queue-dialogs.js';

const PAGE = 50;

/** How runs get into a queue. */
export function queueHelp(queueId = null) {
  return h('div', { class: 'first-trace queue-help' },
    h('ol', {},
      h('li', {}, h('p', {}, 'From the UI: open a trace, select a run and use “+ Add to annotation queue” in its header.')),
      h('li', {}, h('p', {}, 'From code: point the LangSmith SDK at this server (', h('code', {}, `LANGSMITH_ENDPOINT=${location.origin}/api/v1`), ') and add runs by id:'),
        sdkHelp(queueId)),
      h('li', {}, h('p', {}, 'Then open the queue and review the runs one at a time: each rubric item becomes feedback on the run.'))));
}

export async function queuesPage() {
  const qs = query();
  const state = { q: qs.q || '', offset: Math.max(0, parseInt(qs.offset, 10) || 0), rows: [], more: false, sizes: new Map() };
  let seq = 0;
  let abort = null;

  const search = h('input', {
    class: 'input search', type: 'search', value: state.q, placeholder: 'Search queues by name…',
    attrs: { 'aria-label': 'Search annotation queues', autocomplete: 'off' },
    on: { input: debounce(() => { state.q = search.value.trim(); state.offset = 0; setQuery({ q: state.q, offset: null }); load(); }, 250) },
  });
  const dialogs = dialogHost();
  const newBtn = writeControl(h('button', {
    class: 'btn primary new-queue', type: 'button',
    on: { click: () => openQueueEditor(dialogs, { onSaved: (q) => navigate(`/annotation-queues/${q.id}`) }) },
  }, '+ New queue'));
  const body = h('div', { class: 'queues-body' });
  const status = h('span', { class: 'muted count' });
  const prev = h('button', { class: 'btn', type: 'button', attrs: { 'aria-label': 'Previous page' }, on: { click: () => go(state.offset - PAGE) } }, '‹ Previous');
  const next = h('button', { class: 'btn', type: 'button', attrs: { 'aria-label': 'Next page' }, on: { click: () => go(state.offset + PAGE) } }, 'Next ›');
  const pageInfo = h('span', { class: 'muted page-info' });
  const pager = h('div', { class: 'row pager' }, pageInfo, h('span', { class: 'grow' }), prev, next);

  function go(offset) {
    state.offset = Math.max(0, offset);
    setQuery({ offset: state.offset || null });
    load();
  }

  async function load() {
    const my = ++seq;
    abort?.abort();
    abort = new AbortController();
    body.classList.add('loading');
    let rows;
    try {
      rows = await api('/annotation-queues', {
        query: { limit: PAGE + 1, offset: state.offset, name_contains: state.q || undefined },
        signal: abort.signal,
      });
      rows = rows || [];
      // Runs needing review: one small request per queue (the list has only the total).
      const sizes = await Promise.all(rows.slice(0, PAGE).map((q) => api(`/annotation-queues/${q.id}/size`, { signal: abort.signal })
        .then((r) => r?.size ?? null).catch((ex) => { if (ex.name === 'AbortError') throw ex; return null; })));
      state.sizes = new Map(rows.slice(0, PAGE).map((q, i) => [q.id, sizes[i]]));
    } catch (ex) {
      if (ex.name === 'AbortError' || my !== seq) return undefined;
      if (ex instanceof ApiError && ex.status === 401) return 401;
      clear(body).append(h('div', { class: 'banner' }, `Could not load annotation queues: ${errText(ex)}`));
      body.classList.remove('loading');
      return undefined;
    }
    if (my !== seq) return undefined;
    state.more = rows.length > PAGE;
    state.rows = rows.slice(0, PAGE);
    body.classList.remove('loading');
    if (!state.rows.length && state.offset > 0) { go(0); return undefined; }
    render();
    return undefined;
  }

  function openDelete(q) {
    confirmDialog(dialogs, {
      title: 'Delete annotation queue?',
      message: ['This deletes ', h('b', {}, q.name), ` and its list of ${fmtNumber(q.total_runs ?? 0)} runs. The runs and the feedback already given stay.`],
      confirmLabel: 'Delete queue',
      action: async () => {
        await api(`/annotation-queues/${q.id}`, { method: 'DELETE' });
        state.rows = state.rows.filter((r) => r.id !== q.id);
        render();
      },
    });
  }

  function openEdit(q) {
    openQueueEditor(dialogs, {
      queue: q,
      onSaved: (saved) => {
        state.rows = state.rows.map((r) => (r.id === saved.id ? { ...r, ...saved } : r));
        render();
      },
    });
  }

  function rowFor(q) {
    const href = `/annotation-queues/${q.id}`;
    const size = state.sizes.get(q.id);
    const keys = (q.rubric_items || []).map((it) => it.feedback_key);
    return h('tr', {
      dataset: { queueId: q.id, name: q.name }, attrs: { tabindex: '0' },
      on: {
        click: (e) => { if (!e.target.closest('a, button')) navigate(href); },
        keydown: (e) => { if (e.key === 'Enter' && e.target === e.currentTarget) { e.preventDefault(); navigate(href); } },
      },
    },
    h('td', { class: 'pname' }, h('a', { href, attrs: { tabindex: '-1' } }, q.name)),
    h('td', { class: 'q-desc muted', dataset: { col: 'description' }, title: q.description || '' }, q.description || ''),
    h('td', { class: ['num', size ? 'q-pending' : null], dataset: { col: 'size' } }, size === null || size === undefined ? '–' : fmtNumber(size)),
    h('td', { class: 'num', dataset: { col: 'total_runs' } }, fmtNumber(q.total_runs ?? 0)),
    h('td', { class: 'q-rubric', dataset: { col: 'rubric' }, title: keys.join(', ') },
      keys.length ? keys.slice(0, 4).map((k) => h('span', { class: 'pill mono' }, k)) : h('span', { class: 'faint' }, 'none'),
      keys.length > 4 ? h('span', { class: 'faint small' }, ` +${keys.length - 4}`) : null),
    h('td', { class: 'num', dataset: { col: 'created_at' }, title: fmtTime(q.created_at) }, fmtAgo(q.created_at)),
    h('td', { class: 'actions-cell' },
      h('button', {
        class: 'btn small ghost q-edit', type: 'button', attrs: { 'aria-label': `Edit queue ${q.name}` },
        on: { click: (e) => { e.stopPropagation(); openEdit(q); } },
      }, 'Edit'),
      h('button', {
        class: 'btn small ghost danger q-delete', type: 'button', attrs: { 'aria-label': `Delete queue ${q.name}` },
        on: { click: (e) => { e.stopPropagation(); openDelete(q); } },
      }, 'Delete')));
  }

  function render() {
    clear(body);
    const n = state.rows.length;
    status.textContent = n ? (state.offset || state.more ? `${state.offset + 1}–${state.offset + n}` : `${n} queue${n === 1 ? '' : 's'}`) : '';
    if (!n && !state.q) {
      body.append(h('div', { class: 'card empty onboarding queues-empty' },
        h('h3', {}, 'Review runs with annotation queues'),
        h('p', {}, 'An annotation queue is a list of runs for people to review one at a time against a rubric: scores, categories and comments that are saved as feedback on each run. Create a queue with “+ New queue”, then add runs to it:'),
        queueHelp(),
        h('div', { class: 'row' }, h('button', {
          class: 'btn primary', type: 'button',
          on: { click: () => openQueueEditor(dialogs, { onSaved: (q) => navigate(`/annotation-queues/${q.id}`) }) },
        }, '+ New queue'))));
      return;
    }
    if (!n) {
      body.append(h('div', { class: 'empty' },
        h('h3', {}, 'No queues match'),
        h('p', {}, 'No queue name contains “', state.q, '”.'),
        h('button', { class: 'btn', type: 'button', on: { click: () => { search.value = ''; state.q = ''; setQuery({ q: null }); load(); } } }, 'Clear search')));
      return;
    }
    body.append(h('div', { class: 'table-wrap' },
      h('table', { class: 'data queues-table' },
        h('thead', {}, h('tr', {},
          h('th', {}, 'Name'), h('th', {}, 'Description'), h('th', { class: 'num', title: 'Runs not reviewed yet' }, 'Needs review'),
          h('th', { class: 'num' }, 'Total runs'), h('th', {}, 'Rubric'), h('th', { class: 'num' }, 'Created'),
          h('th', {}, h('span', { class: 'sr-only' }, 'Actions')))),
        h('tbody', {}, state.rows.map(rowFor)))));
    if (state.offset || state.more) {
      pageInfo.textContent = `Queues ${state.offset + 1}–${state.offset + n}`;
      prev.disabled = state.offset === 0;
      next.disabled = !state.more;
      body.append(pager);
    }
  }

  function onKey(e) {
    if (e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey || document.querySelector('dialog[open]')) return;
    const typing = e.target.closest?.('input, textarea, select, [contenteditable="true"]');
    if (e.key === '/' && !typing) { e.preventDefault(); search.focus(); search.select(); return; }
    if (typing) return;
    const trs = [...body.querySelectorAll('tbody tr')];
    const down = e.key === 'j' || e.key === 'ArrowDown', up = e.key === 'k' || e.key === 'ArrowUp';
    if (!trs.length || (!down && !up)) return;
    e.preventDefault();
    const cur = trs.indexOf(document.activeElement);
    trs[cur < 0 ? 0 : Math.max(0, Math.min(trs.length - 1, cur + (down ? 1 : -1)))].focus();
  }

  const el = h('div', { class: 'queues-page' },
    h('div', { class: 'row toolbar' }, search, status, h('span', { class: 'grow' })),
    body, dialogs);
  if (await load() === 401) return null;
  return {
    el,
    title: 'Annotation queues',
    crumbs: [{ label: 'Annotation queues', href: '/annotation-queues' }],
    actions: [newBtn],
    mounted() { document.addEventListener('keydown', onKey); },
    dispose() { document.removeEventListener('keydown', onKey); abort?.abort(); seq++; },
  };
}
