// Prompts: the hub's prompts with search, visibility and archived filters, and sorting — all done
// by the server (`GET /repos`), with the state in the URL. Public prompts of other workspaces
// show under "Public" with their owner.
import { h, clear, fmtNumber, fmtAgo, fmtTime, debounce } from '../lib/dom.js';
import { api, ApiError } from '../lib/api.js';
import { writeControl } from '../lib/session.js';
import { navigate, setQuery, query } from '../lib/router.js';
import { variablesOf } from '../components/prompt-template.js';

const PAGE = 50;
const VISIBILITY = [
  { key: 'all', label: 'All mine', title: 'Every prompt of this workspace' },
  { key: 'private', label: 'Private', title: 'Only this workspace can see them' },
  { key: 'public', label: 'Public', title: 'Public prompts of every workspace' },
];
const ARCHIVED = [
  { key: 'false', label: 'Active' },
  { key: 'true', label: 'Archived' },
  { key: 'allow', label: 'Both' },
];
const SORTS = [
  { key: 'updated_at', label: 'Last updated' },
  { key: 'num_likes', label: 'Likes' },
  { key: 'num_downloads', label: 'Downloads' },
  { key: 'num_views', label: 'Views' },
];

/** The UI path of a prompt: own prompts by name, others' public prompts by owner/name. */
export function promptHref(repo, ownHandle) {
  const own = !repo.owner || repo.owner === ownHandle;
  return own ? `/prompts/${encodeURIComponent(repo.repo_handle)}` : `/hub/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.repo_handle)}`;
}

export async function promptsPage() {
  const qs = query();
  const state = {
    q: qs.q || '',
    visibility: VISIBILITY.some((v) => v.key === qs.visibility) ? qs.visibility : 'all',
    archived: ARCHIVED.some((a) => a.key === qs.archived) ? qs.archived : 'false',
    sort: SORTS.some((s) => s.key === qs.sort) ? qs.sort : 'updated_at',
    dir: qs.dir === 'asc' ? 'asc' : 'desc',
    offset: Math.max(0, parseInt(qs.offset, 10) || 0),
    rows: [],
    total: 0,
  };
  let settings = null;
  let abort = null;
  let seq = 0;

  const search = h('input', {
    class: 'input search', type: 'search', value: state.q, placeholder: 'Search prompts by name or description…',
    attrs: { 'aria-label': 'Search prompts', autocomplete: 'off' },
    on: { input: debounce(() => { state.q = search.value.trim(); state.offset = 0; sync(); load(); }, 250) },
  });
  const seg = (items, key, label) => h('div', { class: 'seg', attrs: { role: 'group', 'aria-label': label } },
    items.map((it) => h('button', {
      type: 'button', title: it.title || null, class: state[key] === it.key ? 'on' : null, dataset: { [key]: it.key },
      attrs: { 'aria-pressed': String(state[key] === it.key) },
      on: {
        click: (e) => {
          state[key] = it.key;
          state.offset = 0;
          for (const b of e.currentTarget.parentElement.children) {
            const on = b === e.currentTarget;
            b.classList.toggle('on', on);
            b.setAttribute('aria-pressed', String(on));
          }
          sync();
          load();
        },
      },
    }, it.label)));
  const sortSelect = h('select', {
    class: 'input', attrs: { 'aria-label': 'Sort by' },
    on: { change: () => { state.sort = sortSelect.value; state.offset = 0; sync(); load(); } },
  }, SORTS.map((s) => h('option', { value: s.key, selected: s.key === state.sort }, s.label)));
  const dirBtn = h('button', {
    class: 'btn', type: 'button', attrs: { 'aria-label': 'Sort direction' },
    on: { click: () => { state.dir = state.dir === 'asc' ? 'desc' : 'asc'; dirBtn.textContent = dirLabel(); state.offset = 0; sync(); load(); } },
  });
  const dirLabel = () => (state.dir === 'asc' ? '↑ Ascending' : '↓ Descending');
  dirBtn.textContent = dirLabel();
  const body = h('div', { class: 'prompts-body' });
  const status = h('span', { class: 'muted count' });
  const newBtn = writeControl(h('button', { class: 'btn primary', type: 'button', on: { click: () => openCreate() } }, '+ New prompt'));
  const dialogs = h('div');

  function sync() {
    setQuery({
      q: state.q, visibility: state.visibility === 'all' ? null : state.visibility, archived: state.archived === 'false' ? null : state.archived,
      sort: state.sort === 'updated_at' ? null : state.sort, dir: state.dir === 'desc' ? null : state.dir, offset: state.offset || null,
    });
  }

  function params() {
    return {
      limit: PAGE, offset: state.offset, query: state.q || undefined, sort_field: state.sort, sort_direction: state.dir, is_archived: state.archived,
      is_public: state.visibility === 'all' ? undefined : String(state.visibility === 'public'),
    };
  }

  async function load() {
    const my = ++seq;
    abort?.abort();
    abort = new AbortController();
    body.classList.add('loading');
    try {
      if (!settings) settings = await api('/settings', { signal: abort.signal });
      const page = await api('/repos', { query: params(), signal: abort.signal });
      if (my !== seq) return;
      state.rows = page.repos || [];
      state.total = page.total || 0;
    } catch (ex) {
      if (ex.name === 'AbortError' || my !== seq) return;
      if (ex instanceof ApiError && ex.status === 401) return 401;
      clear(body).append(h('div', { class: 'banner' }, `Could not load prompts: ${ex.message}`));
      body.classList.remove('loading');
      return;
    }
    body.classList.remove('loading');
    render();
  }

  function tagPills(tags) {
    return (tags || []).map((t) => h('span', { class: 'pill tag' }, t));
  }

  function rowFor(r) {
    const href = promptHref(r, settings?.tenant_handle);
    return h('tr', {
      dataset: { name: r.repo_handle, owner: r.owner || '' }, attrs: { tabindex: '0' },
      on: {
        click: (e) => { if (!e.target.closest('a, button')) navigate(href); },
        keydown: (e) => { if (e.key === 'Enter' && e.target === e.currentTarget) { e.preventDefault(); navigate(href); } },
      },
    },
    h('td', { class: 'pname' }, h('a', { href, attrs: { tabindex: '-1' } }, r.full_name),
      r.description ? h('div', { class: 'faint small desc' }, r.description) : null),
    h('td', {}, h('span', { class: ['pill', r.is_public ? 'public' : 'private'] }, r.is_public ? 'Public' : 'Private'),
      r.is_archived ? h('span', { class: 'pill archived' }, 'Archived') : null),
    h('td', { class: 'tags-cell' }, tagPills(r.tags)),
    h('td', { class: 'num', dataset: { col: 'num_commits' } }, fmtNumber(r.num_commits)),
    h('td', { class: 'num', dataset: { col: 'num_likes' } }, fmtNumber(r.num_likes)),
    h('td', { class: 'num', dataset: { col: 'num_downloads' } }, fmtNumber(r.num_downloads)),
    h('td', { class: 'num', dataset: { col: 'num_views' } }, fmtNumber(r.num_views)),
    h('td', { class: 'num', title: fmtTime(r.updated_at), dataset: { col: 'updated_at' } }, fmtAgo(r.updated_at)));
  }

  function render() {
    clear(body);
    status.textContent = state.total ? `${fmtNumber(state.total)} prompt${state.total === 1 ? '' : 's'}` : '';
    const filtered = state.q || state.visibility !== 'all' || state.archived !== 'false';
    if (!state.rows.length && !filtered && !state.offset) {
      body.append(h('div', { class: 'card empty onboarding' },
        h('h3', {}, 'No prompts yet'),
        h('p', {}, 'Create one here, or push one from code with the LangSmith SDK:'),
        h('pre', {}, h('code', {}, [
          'from langchain_core.prompts import ChatPromptTemplate',
          'from langsmith import Client',
          '',
          'prompt = ChatPromptTemplate.from_messages([("system", "You are {role}."), ("human", "{question}")])',
          'Client().push_prompt("my-prompt", object=prompt)',
        ].join('\n')))));
      return;
    }
    if (!state.rows.length) {
      body.append(h('div', { class: 'empty' }, h('h3', {}, 'No prompts match'),
        h('p', {}, 'Nothing matches these filters.'),
        h('button', {
          class: 'btn', type: 'button',
          on: { click: () => { search.value = ''; Object.assign(state, { q: '', visibility: 'all', archived: 'false', offset: 0 }); sync(); navigate('/prompts'); } },
        }, 'Clear filters')));
      return;
    }
    body.append(h('div', { class: 'table-wrap' },
      h('table', { class: 'data prompts-table' },
        h('thead', {}, h('tr', {}, ['Prompt', 'Visibility', 'Tags', 'Commits', 'Likes', 'Downloads', 'Views', 'Updated']
          .map((l, i) => h('th', { class: i >= 3 ? 'num' : null }, l)))),
        h('tbody', {}, state.rows.map(rowFor)))));
    if (state.total > PAGE) {
      const from = state.offset + 1, to = state.offset + state.rows.length;
      const go = (offset) => { state.offset = offset; sync(); load(); };
      body.append(h('div', { class: 'row pager' },
        h('button', { class: 'btn small', type: 'button', disabled: state.offset === 0, on: { click: () => go(Math.max(0, state.offset - PAGE)) } }, '‹ Previous'),
        h('span', { class: 'muted page-info' }, `${from}–${to} of ${fmtNumber(state.total)}`),
        h('button', { class: 'btn small', type: 'button', disabled: to >= state.total, on: { click: () => go(state.offset + PAGE) } }, 'Next ›')));
    }
  }

  function openCreate() {
    const name = h('input', { class: 'input', name: 'name', required: true, placeholder: 'my-prompt', attrs: { 'aria-label': 'Prompt name', autocomplete: 'off' } });
    const desc = h('input', { class: 'input', name: 'description', placeholder: 'Optional', attrs: { 'aria-label': 'Description' } });
    const system = h('textarea', { class: 'input', rows: 3, value: 'You are a helpful assistant.', attrs: { 'aria-label': 'System message' } });
    const human = h('textarea', { class: 'input', rows: 3, value: '{question}', attrs: { 'aria-label': 'Human message' } });
    const err = h('div', { class: 'banner', hidden: true, attrs: { role: 'alert' } });
    const submit = h('button', { class: 'btn primary', type: 'submit' }, 'Create');
    const dlg = h('dialog', { class: 'modal', attrs: { 'aria-label': 'New prompt' } });
    const form = h('form', {
      on: {
        submit: async (e) => {
          e.preventDefault();
          const n = name.value.trim();
          if (!n) { name.focus(); return; }
          submit.disabled = true;
          err.hidden = true;
          try {
            await api('/repos', { method: 'POST', body: { repo_handle: n, description: desc.value.trim(), readme: '', tags: [], is_public: false } });
            await api(`/commits/-/${encodeURIComponent(n)}`, {
              method: 'POST', body: { parent_commit: null, manifest: newChatManifest(system.value, human.value), description: 'Created in the UI' },
            });
            dlg.close();
            navigate(`/prompts/${encodeURIComponent(n)}`);
          } catch (ex) {
            err.textContent = ex instanceof ApiError && ex.status === 409 ? `A prompt named “${n}” already exists.` : `Could not create the prompt: ${ex.message}`;
            err.hidden = false;
            submit.disabled = false;
          }
        },
      },
    },
    h('h2', {}, 'New prompt'),
    h('label', { class: 'field' }, h('span', {}, 'Name'), name),
    h('label', { class: 'field' }, h('span', {}, 'Description'), desc),
    h('label', { class: 'field' }, h('span', {}, 'System message'), system),
    h('label', { class: 'field' }, h('span', {}, 'Human message'), human),
    err,
    h('div', { class: 'row end' }, h('button', { class: 'btn ghost', type: 'button', on: { click: () => dlg.close() } }, 'Cancel'), submit));
    dlg.append(form);
    dlg.addEventListener('close', () => dlg.remove());
    dialogs.append(dlg);
    dlg.showModal();
    name.focus();
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

  const el = h('div', { class: 'prompts-page' },
    h('div', { class: 'row toolbar' }, search, seg(VISIBILITY, 'visibility', 'Visibility'), seg(ARCHIVED, 'archived', 'Archived'),
      h('span', { class: 'grow' }), status, sortSelect, dirBtn),
    body, dialogs);
  if (await load() === 401) return null;
  return {
    el,
    title: 'Prompts',
    crumbs: [{ label: 'Prompts', href: '/prompts' }],
    actions: [newBtn],
    mounted() { document.addEventListener('keydown', onKey); },
    dispose() { document.removeEventListener('keydown', onKey); abort?.abort(); seq++; },
  };
}

/** A two-message ChatPromptTemplate manifest as `langchain_core.load.dumps` writes it. */
export function newChatManifest(system, human) {
  const vars = (t) => variablesOf(t, 'f-string');
  const message = (cls, text) => ({
    lc: 1, type: 'constructor', id: ['langchain', 'prompts', 'chat', cls],
    kwargs: { prompt: { lc: 1, type: 'constructor', id: ['langchain', 'prompts', 'prompt', 'PromptTemplate'], kwargs: { input_variables: vars(text), template_format: 'f-string', template: text } } },
  });
  const messages = [system.trim() ? message('SystemMessagePromptTemplate', system) : null, message('HumanMessagePromptTemplate', human)].filter(Boolean);
  return {
    lc: 1, type: 'constructor', id: ['langchain', 'prompts', 'chat', 'ChatPromptTemplate'],
    kwargs: { input_variables: [...new Set([...vars(system), ...vars(human)])].sort(), messages },
  };
}
