// Datasets: every dataset with its example and experiment counts; search by name (server-side),
// offset paging, create (empty or from a CSV), delete, and a getting-started guide.
import { h, clear, fmtNumber, fmtAgo, fmtTime, debounce } from '../lib/dom.js';
import { api, ApiError } from '../lib/api.js';
import { writeControl } from '../lib/session.js';
import { navigate, setQuery, query } from '../lib/router.js';
import { dialogHost, openCreateDataset, openImport, confirmDialog, codeBlock } from '../components/dataset-dialogs.js';

const PAGE = 50;

/** How to create a dataset from the SDK (pointed at this server) and from the UI. */
export function datasetHelp() {
  const py = [
    'from langsmith import Client',
    '',
    'client = Client()  # LANGSMITH_ENDPOINT and LANGSMITH_API_KEY from the environment',
    'dataset = client.create_dataset("capitals", description="Capital cities QA")',
    'client.create_examples(',
    '    dataset_id=dataset.id,',
    '    examples=[',
    '        {"inputs": {"question": "What is the capital of France?"}, "outputs": {"answer": "Paris"}},',
    '        {"inputs": {"question": "What is the capital of Japan?"}, "outputs": {"answer": "Tokyo"}},',
    '    ],',
    ')',
  ].join('\n');
  const env = [`export LANGSMITH_ENDPOINT=${location.origin}/api/v1`, 'export LANGSMITH_API_KEY=<your key>'].join('\n');
  return h('div', { class: 'first-trace dataset-help' },
    h('ol', {},
      h('li', {}, h('p', {}, 'From code: point the LangSmith SDK at this server…'), codeBlock(env, 'environment variables')),
      h('li', {}, h('p', {}, '…then create a dataset and add examples:'), codeBlock(py, 'Python example')),
      h('li', {}, h('p', {}, 'From the UI: “New dataset” creates an empty one (add examples by hand, import CSV or JSONL, or use “Add to dataset” on any run in a trace); “Upload CSV” creates one from a spreadsheet.'))));
}

export async function datasetsPage() {
  const qs = query();
  const state = { q: qs.q || '', offset: Math.max(0, parseInt(qs.offset, 10) || 0), rows: [], more: false };
  let seq = 0;
  let abort = null;

  const search = h('input', {
    class: 'input search', type: 'search', value: state.q, placeholder: 'Search datasets by name…',
    attrs: { 'aria-label': 'Search datasets', autocomplete: 'off' },
    on: { input: debounce(() => { state.q = search.value.trim(); state.offset = 0; setQuery({ q: state.q, offset: null }); load(); }, 250) },
  });
  const dialogs = dialogHost();
  const newBtn = writeControl(h('button', {
    class: 'btn primary', type: 'button',
    on: { click: () => openCreateDataset(dialogs, { onCreated: (d) => navigate(`/datasets/${d.id}`) }) },
  }, '+ New dataset'));
  const uploadBtn = writeControl(h('button', {
    class: 'btn', type: 'button', title: 'Create a dataset from a CSV file',
    on: { click: () => openImport(dialogs, { onDone: ({ dataset }) => navigate(`/datasets/${dataset.id}`) }) },
  }, 'Upload CSV'));
  const body = h('div', { class: 'datasets-body' });
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
      rows = await api('/datasets', {
        query: { limit: PAGE + 1, offset: state.offset, name_contains: state.q || undefined },
        signal: abort.signal,
      });
    } catch (ex) {
      if (ex.name === 'AbortError' || my !== seq) return undefined;
      if (ex instanceof ApiError && ex.status === 401) return 401;
      clear(body).append(h('div', { class: 'banner' }, `Could not load datasets: ${ex.message}`));
      body.classList.remove('loading');
      return undefined;
    }
    if (my !== seq) return undefined;
    rows = rows || [];
    state.more = rows.length > PAGE;
    state.rows = rows.slice(0, PAGE);
    body.classList.remove('loading');
    if (!state.rows.length && state.offset > 0) { go(0); return undefined; }
    render();
    return undefined;
  }

  function openDelete(d) {
    confirmDialog(dialogs, {
      title: 'Delete dataset?',
      message: [`This permanently deletes `, h('b', {}, d.name), ` and its ${fmtNumber(d.example_count ?? 0)} examples and versions.`,
        d.session_count ? ` Its ${fmtNumber(d.session_count)} experiments stay, without their dataset.` : ''],
      confirmLabel: 'Delete dataset',
      action: async () => {
        await api(`/datasets/${d.id}`, { method: 'DELETE' });
        state.rows = state.rows.filter((r) => r.id !== d.id);
        render();
      },
    });
  }

  function rowFor(d) {
    const href = `/datasets/${d.id}`;
    return h('tr', {
      dataset: { datasetId: d.id, name: d.name }, attrs: { tabindex: '0' },
      on: {
        click: (e) => { if (!e.target.closest('a, button')) navigate(href); },
        keydown: (e) => { if (e.key === 'Enter' && e.target === e.currentTarget) { e.preventDefault(); navigate(href); } },
      },
    },
    h('td', { class: 'pname' }, h('a', { href, attrs: { tabindex: '-1' } }, d.name), d.description ? h('div', { class: 'faint small desc' }, d.description) : null),
    h('td', { dataset: { col: 'data_type' } }, h('span', { class: 'pill' }, d.data_type || 'kv')),
    h('td', { class: 'num', dataset: { col: 'example_count' } }, fmtNumber(d.example_count ?? 0)),
    h('td', { class: 'num', dataset: { col: 'session_count' } }, fmtNumber(d.session_count ?? 0)),
    h('td', { class: 'num', dataset: { col: 'modified_at' }, title: fmtTime(d.modified_at) }, fmtAgo(d.modified_at)),
    h('td', { class: 'num', dataset: { col: 'last_session_start_time' }, title: d.last_session_start_time ? fmtTime(d.last_session_start_time) : '' },
      d.last_session_start_time ? fmtAgo(d.last_session_start_time) : 'never'),
    h('td', { class: 'actions-cell' }, h('button', {
      class: 'btn small ghost danger', type: 'button', attrs: { 'aria-label': `Delete dataset ${d.name}` },
      on: { click: (e) => { e.stopPropagation(); openDelete(d); } },
    }, 'Delete')));
  }

  function render() {
    clear(body);
    const n = state.rows.length;
    status.textContent = n ? (state.offset || state.more ? `${state.offset + 1}–${state.offset + n}` : `${n} dataset${n === 1 ? '' : 's'}`) : '';
    if (!n && !state.q) {
      body.append(h('div', { class: 'card empty onboarding datasets-empty' },
        h('h3', {}, 'Create your first dataset'),
        h('p', {}, 'Datasets hold examples (inputs with reference outputs) to test and evaluate your app against. Experiments run on a dataset show up under it.'),
        datasetHelp()));
      return;
    }
    if (!n) {
      body.append(h('div', { class: 'empty' },
        h('h3', {}, 'No datasets match'),
        h('p', {}, 'No dataset name contains “', state.q, '”.'),
        h('button', { class: 'btn', type: 'button', on: { click: () => { search.value = ''; state.q = ''; setQuery({ q: null }); load(); } } }, 'Clear search')));
      return;
    }
    body.append(h('div', { class: 'table-wrap' },
      h('table', { class: 'data datasets-table' },
        h('thead', {}, h('tr', {},
          h('th', {}, 'Name'), h('th', {}, 'Type'), h('th', { class: 'num' }, 'Examples'), h('th', { class: 'num' }, 'Experiments'),
          h('th', { class: 'num' }, 'Modified'), h('th', { class: 'num' }, 'Last experiment'), h('th', {}, h('span', { class: 'sr-only' }, 'Actions')))),
        h('tbody', {}, state.rows.map(rowFor)))));
    if (state.offset || state.more) {
      pageInfo.textContent = `Datasets ${state.offset + 1}–${state.offset + n}`;
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

  const el = h('div', { class: 'datasets-page' },
    h('div', { class: 'row toolbar' }, search, status, h('span', { class: 'grow' })),
    body, dialogs);
  if (await load() === 401) return null;
  return {
    el,
    title: 'Datasets',
    crumbs: [{ label: 'Datasets & experiments', href: '/datasets' }],
    actions: [uploadBtn, newBtn],
    mounted() { document.addEventListener('keydown', onKey); },
    dispose() { document.removeEventListener('keydown', onKey); abort?.abort(); seq++; },
  };
}
