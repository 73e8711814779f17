// Projects: every tracing project with its stats; sort, search (server-side), create, delete,
// and a first-trace guide for new users.
import { h, clear, fmtDuration, fmtNumber, fmtCost, fmtPercent, fmtAgo, fmtTime, debounce, copyText } from '../lib/dom.js';
import { api, ApiError } from '../lib/api.js';
import { writeControl } from '../lib/session.js';
import { navigate, setQuery, query } from '../lib/router.js';

const PAGE = 100;

/** Shell-quotes a value only when it needs it. */
const shq = (v) => (/^[A-Za-z0-9_.\/:@%+=,-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);

function codeBlock(text, label) {
  const btn = h('button', { class: 'btn small copy', type: 'button', attrs: { 'aria-label': `Copy ${label}` } }, 'Copy');
  btn.addEventListener('click', async () => {
    await copyText(text);
    btn.textContent = 'Copied';
    setTimeout(() => { btn.textContent = 'Copy'; }, 1500);
  });
  return h('div', { class: 'codeblock' }, btn, h('pre', {}, h('code', {}, text)));
}

/**
 * How to send the first trace to THIS server: the env vars (endpoint from location.origin) and a
 * five-line `@traceable` example. Shared by the projects page and an empty project's runs tab.
 */
export function firstTraceHelp(projectName = 'default') {
  const env = [
    'export LANGSMITH_TRACING=true',
    `export LANGSMITH_ENDPOINT=${location.origin}/api/v1`,
    'export LANGSMITH_API_KEY=<your key>',
    `export LANGSMITH_PROJECT=${shq(projectName)}`,
  ].join('\n');
  const py = [
    'from langsmith import traceable',
    '',
    '@traceable',
    'def greet(name: str) -> str:',
    '    return f"Hello, {name}!"',
    '',
    'greet("Anvil")',
  ].join('\n');
  return h('div', { class: 'first-trace' },
    h('ol', {},
      h('li', {}, h('p', {}, 'Install the LangSmith SDK (LangChain and LangGraph use it too):'), codeBlock('pip install -U langsmith', 'install command')),
      h('li', {}, h('p', {}, 'Point it at this server. ', h('code', {}, '<your key>'), ' is the API key you signed in with.'), codeBlock(env, 'environment variables')),
      h('li', {}, h('p', {}, 'Run any traced function; the trace shows up here within seconds:'), codeBlock(py, 'Python example'))));
}

const COLS = [
  { key: 'name', label: 'Name', get: (p) => p.name?.toLowerCase() ?? '' },
  { key: 'run_count', label: 'Traces', num: true, get: (p) => p.run_count },
  { key: 'error_rate', label: 'Error rate', num: true, get: (p) => p.error_rate },
  { key: 'latency_p50', label: 'P50 latency', num: true, get: (p) => p.latency_p50 },
  { key: 'latency_p99', label: 'P99 latency', num: true, get: (p) => p.latency_p99 },
  { key: 'total_tokens', label: 'Tokens', num: true, get: (p) => p.total_tokens },
  { key: 'total_cost', label: 'Cost', num: true, get: (p) => (p.total_cost === null || p.total_cost === undefined ? null : Number(p.total_cost)) },
  { key: 'last_run_start_time', label: 'Last activity', num: true, get: (p) => (p.last_run_start_time ? Date.parse(p.last_run_start_time) : null) },
];

function compare(col, dir) {
  return (a, b) => {
    const x = col.get(a), y = col.get(b);
    // Missing values sort last in either direction.
    if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1;
    if (y === null || y === undefined) return -1;
    const c = typeof x === 'string' ? x.localeCompare(y) : x - y;
    return dir === 'asc' ? c : -c;
  };
}

export async function projectsPage() {
  const qs = query();
  const state = {
    q: qs.q || '',
    sort: COLS.some((c) => c.key === qs.sort) ? qs.sort : 'last_run_start_time',
    dir: qs.dir === 'asc' ? 'asc' : 'desc',
    rows: [],
    sel: -1,
  };
  let seq = 0;
  let abort = null;

  const search = h('input', {
    class: 'input search', type: 'search', value: state.q, placeholder: 'Search projects by name…',
    attrs: { 'aria-label': 'Search projects', autocomplete: 'off' },
    on: { input: debounce(() => { state.q = search.value.trim(); setQuery({ q: state.q }); load(); }, 250) },
  });
  const newBtn = writeControl(h('button', { class: 'btn primary', type: 'button', on: { click: () => openCreate() } }, '+ New project'));
  const body = h('div', { class: 'projects-body' });
  const status = h('span', { class: 'muted count' });

  // ---- create / delete dialogs ----
  const dialogs = h('div');
  function openCreate() {
    const name = h('input', { class: 'input', name: 'name', required: true, placeholder: 'my-app', attrs: { 'aria-label': 'Project name', autocomplete: 'off' } });
    const desc = h('textarea', { class: 'input', name: 'description', rows: 3, placeholder: 'Optional', attrs: { 'aria-label': 'Description' } });
    const err = h('div', { class: 'banner', hidden: true, attrs: { role: 'alert' } });
    const submit = h('button', { class: 'btn primary', type: 'submit' }, 'Create');
    const dlg = h('dialog', { class: 'modal', attrs: { 'aria-label': 'New project' } });
    const form = h('form', {
      on: {
        submit: async (e) => {
          e.preventDefault();
          const n = name.value.trim();
          if (!n) { name.focus(); return; }
          submit.disabled = true;
          err.hidden = true;
          try {
            const p = await api('/sessions', { method: 'POST', body: { name: n, description: desc.value.trim() || undefined } });
            dlg.close();
            navigate(`/projects/p/${p.id}`);
          } catch (ex) {
            err.textContent = ex instanceof ApiError && ex.status === 409
              ? `A project named “${n}” already exists.` : `Could not create the project: ${ex.message}`;
            err.hidden = false;
            submit.disabled = false;
            name.focus();
          }
        },
      },
    },
    h('h2', {}, 'New project'),
    h('label', { class: 'field' }, h('span', {}, 'Name'), name),
    h('label', { class: 'field' }, h('span', {}, 'Description'), desc),
    err,
    h('div', { class: 'row end' }, h('button', { class: 'btn ghost', type: 'button', on: { click: () => dlg.close() } }, 'Cancel'), submit));
    dlg.append(form);
    dlg.addEventListener('close', () => dlg.remove());
    dialogs.append(dlg);
    dlg.showModal();
    name.focus();
  }

  function openDelete(p) {
    const err = h('div', { class: 'banner', hidden: true, attrs: { role: 'alert' } });
    const confirmBtn = h('button', { class: 'btn primary danger-fill', type: 'button' }, 'Delete project');
    const dlg = h('dialog', { class: 'modal', attrs: { 'aria-label': 'Delete project' } },
      h('h2', {}, 'Delete project?'),
      h('p', {}, 'This permanently deletes ', h('b', {}, p.name), ` and its ${fmtNumber(p.run_count ?? 0)} traces, with their runs and feedback.`),
      err,
      h('div', { class: 'row end' }, h('button', { class: 'btn ghost', type: 'button', on: { click: () => dlg.close() } }, 'Cancel'), confirmBtn));
    confirmBtn.addEventListener('click', async () => {
      confirmBtn.disabled = true;
      try {
        await api(`/sessions/${p.id}`, { method: 'DELETE' });
        dlg.close();
        state.rows = state.rows.filter((r) => r.id !== p.id);
        render();
      } catch (ex) {
        err.textContent = `Could not delete: ${ex.message}`;
        err.hidden = false;
        confirmBtn.disabled = false;
      }
    });
    dlg.addEventListener('close', () => dlg.remove());
    dialogs.append(dlg);
    dlg.showModal();
    confirmBtn.focus();
  }

  // ---- loading ----
  async function load() {
    const my = ++seq;
    abort?.abort();
    abort = new AbortController();
    body.classList.add('loading');
    const rows = [];
    try {
      for (let offset = 0; ; offset += PAGE) {
        const page = await api('/sessions', {
          query: { include_stats: true, reference_free: true, limit: PAGE, offset, name_contains: state.q || undefined },
          signal: abort.signal,
        });
        rows.push(...(page || []));
        if (!page || page.length < PAGE) break;
      }
    } catch (ex) {
      if (ex.name === 'AbortError' || my !== seq) return;
      if (ex instanceof ApiError && ex.status === 401) return 401;  // api() went to sign-in
      clear(body).append(h('div', { class: 'banner' }, `Could not load projects: ${ex.message}`));
      body.classList.remove('loading');
      return;
    }
    if (my !== seq) return;
    state.rows = rows;
    state.sel = -1;
    body.classList.remove('loading');
    render();
  }

  // ---- rendering ----
  function header(col) {
    const on = state.sort === col.key;
    return h('th', {
      class: ['sortable', col.num && 'num', on && 'sorted'],
      attrs: { 'aria-sort': on ? (state.dir === 'asc' ? 'ascending' : 'descending') : 'none', tabindex: '0', 'data-col': col.key },
      on: {
        click: () => sortBy(col.key),
        keydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(col.key); } },
      },
    }, col.label, h('span', { class: 'sort-ind' }, on ? (state.dir === 'asc' ? ' ▲' : ' ▼') : ''));
  }

  function sortBy(key) {
    if (state.sort === key) state.dir = state.dir === 'asc' ? 'desc' : 'asc';
    else { state.sort = key; state.dir = key === 'name' ? 'asc' : 'desc'; }
    setQuery({ sort: state.sort, dir: state.dir });
    render();
  }

  function sorted() {
    const col = COLS.find((c) => c.key === state.sort);
    return state.rows.slice().sort(compare(col, state.dir));
  }

  function rowFor(p) {
    const href = `/projects/p/${p.id}`;
    const del = h('button', {
      class: 'btn small ghost danger', type: 'button', title: `Delete ${p.name}`, attrs: { 'aria-label': `Delete project ${p.name}` },
      on: { click: (e) => { e.stopPropagation(); openDelete(p); } },
    }, 'Delete');
    const er = p.error_rate;
    return h('tr', {
      dataset: { projectId: p.id, name: p.name }, attrs: { tabindex: '0' },
      on: {
        click: (e) => { if (!e.target.closest('a, button')) navigate(href); },
        keydown: (e) => { if (e.key === 'Enter' && e.target === e.currentTarget) { e.preventDefault(); navigate(href); } },
      },
    },
    h('td', { class: 'pname' }, h('a', { href, attrs: { tabindex: '-1' } }, p.name), p.description ? h('div', { class: 'faint small desc' }, p.description) : null),
    h('td', { class: 'num', dataset: { col: 'run_count' } }, fmtNumber(p.run_count ?? 0)),
    h('td', { class: ['num', er > 0 && 'err-text'], dataset: { col: 'error_rate' } }, p.run_count ? fmtPercent(er ?? 0) : '–'),
    h('td', { class: 'num', dataset: { col: 'latency_p50' } }, fmtDuration(p.latency_p50)),
    h('td', { class: 'num', dataset: { col: 'latency_p99' } }, fmtDuration(p.latency_p99)),
    h('td', { class: 'num', dataset: { col: 'total_tokens' } }, p.total_tokens ? fmtNumber(p.total_tokens) : '–'),
    h('td', { class: 'num', dataset: { col: 'total_cost' } }, p.total_cost !== null && p.total_cost !== undefined && Number(p.total_cost) ? fmtCost(p.total_cost) : '–'),
    h('td', { class: 'num', dataset: { col: 'last_run_start_time' }, title: p.last_run_start_time ? fmtTime(p.last_run_start_time) : '' }, p.last_run_start_time ? fmtAgo(p.last_run_start_time) : 'never'),
    h('td', { class: 'actions-cell' }, del));
  }

  function render() {
    clear(body);
    const rows = sorted();
    status.textContent = state.rows.length ? `${state.rows.length} project${state.rows.length === 1 ? '' : 's'}` : '';
    if (!rows.length && !state.q) {
      body.append(h('div', { class: 'card empty onboarding' },
        h('h3', {}, 'Send your first trace'),
        h('p', {}, 'No projects yet. Projects appear automatically when the first trace arrives, or create one with “New project”.'),
        firstTraceHelp('default')));
      return;
    }
    if (!rows.length) {
      body.append(h('div', { class: 'empty' },
        h('h3', {}, 'No projects match'),
        h('p', {}, 'No project name contains “', state.q, '”.'),
        h('button', { class: 'btn', type: 'button', on: { click: () => { search.value = ''; state.q = ''; setQuery({ q: null }); load(); } } }, 'Clear search')));
      return;
    }
    body.append(h('div', { class: 'table-wrap' },
      h('table', { class: 'data projects-table' },
        h('thead', {}, h('tr', {}, COLS.map(header), h('th', {}, h('span', { class: 'sr-only' }, 'Actions')))),
        h('tbody', {}, rows.map(rowFor)))));
    if (!state.q && state.rows.every((p) => !p.run_count)) {
      body.append(h('div', { class: 'card empty onboarding' },
        h('h3', {}, 'Send your first trace'),
        h('p', {}, 'Your projects have no traces yet. Set these variables wherever your app runs:'),
        firstTraceHelp(state.rows[0]?.name || 'default')));
    }
  }

  // ---- keyboard: j/k or arrows move, Enter opens (on the focused row), / focuses search ----
  function onKey(e) {
    if (e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey || document.querySelector('dialog[open]')) return;
    const typing = e.target.closest?.('input, textarea, select, [contenteditable="true"]');
    if (e.key === '/' && !typing) { e.preventDefault(); search.focus(); search.select(); return; }
    if (typing) return;
    const trs = [...body.querySelectorAll('tbody tr')];
    if (!trs.length) return;
    const down = e.key === 'j' || e.key === 'ArrowDown', up = e.key === 'k' || e.key === 'ArrowUp';
    if (!down && !up) return;
    e.preventDefault();
    const cur = trs.indexOf(document.activeElement);
    const next = cur < 0 ? 0 : Math.max(0, Math.min(trs.length - 1, cur + (down ? 1 : -1)));
    trs[next].focus();
  }

  const el = h('div', { class: 'projects-page' },
    h('div', { class: 'row toolbar' }, search, status, h('span', { class: 'grow' })),
    body,
    dialogs);
  if (await load() === 401) return null;
  return {
    el,
    title: 'Projects',
    crumbs: [{ label: 'Projects', href: '/projects' }],
    actions: [newBtn],
    mounted() { document.addEventListener('keydown', onKey); },
    dispose() { document.removeEventListener('keydown', onKey); abort?.abort(); seq++; },
  };
}
