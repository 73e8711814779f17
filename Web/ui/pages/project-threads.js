// Project "Threads" tab: traces grouped into conversations by thread id (metadata session_id,
// thread_id or conversation_id), newest activity first. URL state: ?q= (search), ?offset=.
import { h, clear, fmtNumber, fmtCost, fmtAgo, fmtTime, debounce } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { navigate, query, setQuery } from '../lib/router.js';

const PAGE = 50;

export const threadHref = (projectId, threadId) =>
  `/projects/p/${encodeURIComponent(projectId)}/t/${encodeURIComponent(threadId)}`;

export async function renderThreadsTab(project, container) {
  const q0 = query();
  let search = q0.q || '';
  let offset = Math.max(0, parseInt(q0.offset, 10) || 0);
  let controller = null;
  let disposed = false;
  let rows = [];
  let selected = -1;

  const input = h('input', { class: 'input threads-search', type: 'search', value: search, placeholder: 'Search thread ids…',
    attrs: { 'aria-label': 'Search threads' } });
  const count = h('span', { class: 'muted threads-count' });
  const prev = h('button', { class: 'btn small', on: { click: () => page(-1) } }, '← Prev');
  const next = h('button', { class: 'btn small', on: { click: () => page(1) } }, 'Next →');
  const status = h('div');
  const body = h('div', { class: 'threads-body' });
  let keysHint = null;
  const el = h('div', { class: 'threads' },
    h('div', { class: 'row threads-bar' }, input, h('span', { class: 'grow' }),
      keysHint = h('span', { class: 'faint threads-keys' }, h('span', { class: 'kbd' }, 'j'), ' ', h('span', { class: 'kbd' }, 'k'), ' move · ',
        h('span', { class: 'kbd' }, 'Enter'), ' open'),
      count, prev, next),
    status, body);
  container.append(el);

  const onInput = debounce(() => {
    search = input.value.trim();
    offset = 0;
    setQuery({ q: search, offset: null });
    load();
  }, 250);
  input.addEventListener('input', onInput);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && input.value) { input.value = ''; onInput(); }
    else if (e.key === 'ArrowDown' || e.key === 'Enter') { if (rows.length) { e.preventDefault(); input.blur(); select(0); } }
  });

  function page(dir) {
    offset = Math.max(0, offset + dir * PAGE);
    setQuery({ offset: offset || null });
    load();
  }

  function select(i) {
    if (!rows.length) return;
    selected = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach((r, k) => r.tr.classList.toggle('selected', k === selected));
    rows[selected].tr.focus({ preventScroll: true });
    rows[selected].tr.scrollIntoView({ block: 'nearest' });
  }

  const open = (i) => { if (rows[i]) navigate(rows[i].href); };

  function onKey(e) {
    if (!el.isConnected || e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey) return;
    const t = e.target;
    if (t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    if (e.key === 'j' || e.key === 'ArrowDown') { e.preventDefault(); select(selected + 1); }
    else if (e.key === 'k' || e.key === 'ArrowUp') { e.preventDefault(); select(selected <= 0 ? 0 : selected - 1); }
    else if (e.key === 'Enter' && selected >= 0) { e.preventDefault(); open(selected); }
    else if (e.key === '/') { e.preventDefault(); input.focus(); }
  }
  document.addEventListener('keydown', onKey);

  async function load() {
    controller?.abort();
    controller = new AbortController();
    el.classList.add('loading');
    let data;
    try {
      data = await api(`/ui/sessions/${encodeURIComponent(project.id)}/threads`,
        { query: { limit: PAGE, offset, search }, signal: controller.signal });
    } catch (err) {
      if (err.name === 'AbortError' || disposed) return;
      el.classList.remove('loading');
      status.replaceChildren(h('div', { class: 'banner' }, `Could not load threads: ${err.message}`));
      return;
    }
    if (disposed) return;
    el.classList.remove('loading');
    status.replaceChildren();
    show(data?.threads || [], Number(data?.total) || 0);
  }

  function show(threads, total) {
    clear(body);
    rows = [];
    selected = -1;
    el.dataset.total = String(total);
    count.textContent = total ? `${offset + 1}–${offset + threads.length} of ${fmtNumber(total)}` : '';
    prev.disabled = offset === 0;
    next.disabled = offset + threads.length >= total;
    prev.hidden = next.hidden = total <= PAGE && offset === 0;
    keysHint.hidden = !threads.length;

    if (!threads.length) {
      if (search || offset) {
        body.append(h('div', { class: 'empty threads-empty' },
          h('h3', {}, search ? `No threads match “${search}”` : 'No more threads'),
          h('p', {}, 'Search matches any part of a thread id (case-insensitive).'),
          h('button', { class: 'btn', on: { click: () => { input.value = ''; search = ''; offset = 0; setQuery({ q: null, offset: null }); load(); } } }, 'Clear search')));
      } else {
        body.append(emptyState(project));
      }
      return;
    }

    const tbody = h('tbody');
    threads.forEach((t, i) => {
      const href = threadHref(project.id, t.thread_id);
      const tr = h('tr', {
        tabIndex: -1, dataset: { threadId: t.thread_id },
        on: {
          click: (e) => { if (!e.target.closest('a')) navigate(href); },
          focus: () => { selected = i; rows.forEach((r, k) => r.tr.classList.toggle('selected', k === i)); },
        },
      },
      h('td', { class: 'mono thread-id' }, h('a', { href, title: t.thread_id }, t.thread_id)),
      h('td', { class: 'num turns' }, fmtNumber(t.trace_count)),
      h('td', { class: 'preview', title: t.first_input_preview || '' }, t.first_input_preview || h('span', { class: 'faint' }, '–')),
      h('td', { class: 'preview', title: t.last_output_preview || '' }, t.last_output_preview || h('span', { class: 'faint' }, '–')),
      h('td', { class: 'when', title: fmtTime(t.last_start_time) }, fmtAgo(t.last_start_time)),
      h('td', { class: 'num' }, t.total_tokens ? fmtNumber(t.total_tokens) : h('span', { class: 'faint' }, '–')),
      h('td', { class: 'num' }, Number(t.total_cost) ? fmtCost(t.total_cost) : h('span', { class: 'faint' }, '–')),
      h('td', { class: 'num errors' }, t.error_count ? h('span', { class: 'pill err' }, fmtNumber(t.error_count)) : h('span', { class: 'faint' }, '0')));
      rows.push({ tr, href });
      tbody.append(tr);
    });
    body.append(h('div', { class: 'table-wrap' },
      h('table', { class: 'data threads-table' },
        h('thead', {}, h('tr', {},
          h('th', {}, 'Thread'), h('th', { class: 'num' }, 'Turns'), h('th', {}, 'First message'), h('th', {}, 'Last output'),
          h('th', {}, 'Last activity'), h('th', { class: 'num' }, 'Tokens'), h('th', { class: 'num' }, 'Cost'), h('th', { class: 'num' }, 'Errors'))),
        tbody)));
  }

  await load();
  return {
    el,
    dispose() {
      disposed = true;
      controller?.abort();
      document.removeEventListener('keydown', onKey);
    },
  };
}

function emptyState(project) {
  return h('div', { class: 'empty threads-empty' },
    h('h3', {}, 'No threads yet'),
    h('p', {}, 'A thread is a conversation: the traces whose metadata carry the same ',
      h('code', {}, 'session_id'), ', ', h('code', {}, 'thread_id'), ' or ', h('code', {}, 'conversation_id'),
      '. Add one of these keys to each turn of your chat app:'),
    h('pre', {}, `from langsmith import traceable

@traceable(name="ChatAgent")
def chat(messages): ...

# every turn of one conversation shares the id
chat(messages, langsmith_extra={
    "project_name": ${JSON.stringify(project.name ?? 'my-project')},
    "metadata": {"session_id": conversation_id},
})`),
    h('p', { class: 'muted' }, 'Turns then appear here grouped by conversation, newest activity first.'));
}
