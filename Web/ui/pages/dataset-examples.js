// A dataset's Examples tab: offset-paged table with split and version filters (URL state: split,
// as_of, offset, example), an editing drawer, add / delete / import / export, and split changes
// for selected rows. An old version (as_of) is read-only, with a banner.
import { h, clear, fmtNumber, fmtAgo, fmtTime, preview } from '../lib/dom.js';
import { api, ApiError } from '../lib/api.js';
import { writeControl } from '../lib/session.js';
import { navigate, setQuery, query } from '../lib/router.js';
import { downloadFile } from '../lib/files.js';
import { exampleEditor, splitsOf, userMetadata } from '../components/example-editor.js';
import { openModal, openImport, confirmDialog, errorBanner, showError } from '../components/dataset-dialogs.js';

export const EXAMPLES_PAGE = 50;

/** Short text for one value: strings as they are, chat messages as their last text, else JSON. */
function oneValue(x, max) {
  if (typeof x === 'string') return x;
  const chatLike = Array.isArray(x) && x.length && x.every((m) => m && typeof m === 'object' && ('content' in m || 'role' in m || 'kwargs' in m));
  if (chatLike) return preview(x, max);
  return JSON.stringify(x) ?? '';
}

/** Short text for a JSON object: the value itself for one key, `key: value · …` otherwise. */
export function valuePreview(v, max = 160) {
  if (v === null || v === undefined) return '';
  let text;
  if (typeof v !== 'object' || Array.isArray(v)) text = oneValue(v, max);
  else {
    const entries = Object.entries(v);
    if (!entries.length) return '{}';
    text = entries.length === 1 ? oneValue(entries[0][1], max) : entries.map(([k, x]) => `${k}: ${oneValue(x, max)}`).join(' · ');
  }
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

/** Label of a version: its tags, else its time. */
export function versionLabel(v) {
  return v.tags?.length ? `${v.tags.join(', ')}` : fmtTime(v.as_of);
}

/** Renders the tab into ctx.container; returns {dispose()}. */
export async function renderExamplesTab(ctx) {
  const { dataset, container, dialogs } = ctx;
  const qs = query();
  const state = {
    split: qs.split || '',
    asOf: qs.as_of && qs.as_of !== 'latest' ? qs.as_of : '',
    offset: Math.max(0, parseInt(qs.offset, 10) || 0),
    open: qs.example || null,   // example id in the drawer, or 'new'
    rows: [],
    total: null,
    splits: [],
    versions: [],
    selected: new Set(),
  };
  let seq = 0, abort = null, drawer = null, disposed = false;
  const readOnly = () => !!state.asOf;

  // ---- toolbar ----
  const splitSel = h('select', { class: 'input', name: 'split', attrs: { 'aria-label': 'Split' }, on: { change: () => { state.split = splitSel.value; state.offset = 0; syncUrl(); load(); } } });
  const versionSel = h('select', { class: 'input version-select', name: 'as_of', attrs: { 'aria-label': 'Version' }, on: { change: () => setVersion(versionSel.value) } });
  const addBtn = writeControl(h('button', { class: 'btn primary', type: 'button', on: { click: () => openDrawer('new') } }, '+ Add example'));
  const importBtn = h('button', {
    class: 'btn', type: 'button', title: 'Add examples from a CSV or JSONL file',
    on: {
      click: () => openImport(dialogs, {
        dataset,
        onDone: ({ dataset: target, count, created }) => {
          if (created) { navigate(`/datasets/${target.id}`); return; }
          toast(`Imported ${fmtNumber(count)} example${count === 1 ? '' : 's'}.`);
          state.offset = 0; syncUrl(); load(); ctx.refresh();
        },
      }),
    },
  }, 'Import');
  const exportBtn = (fmt, label) => h('button', {
    class: 'btn', type: 'button', dataset: { export: fmt }, title: `Download the examples (at the version shown) as ${label}`,
    on: {
      click: async (e) => {
        const b = e.currentTarget;
        b.disabled = true;
        try {
          await downloadFile(`/datasets/${dataset.id}/${fmt}${state.asOf ? `?as_of=${encodeURIComponent(state.asOf)}` : ''}`, `${dataset.name}.${fmt}`);
        } catch (ex) {
          toast(`Export failed: ${ex.message}`, true);
        } finally {
          b.disabled = false;
        }
      },
    },
  }, label);
  const exportGroup = h('div', { class: 'row export-group' }, h('span', { class: 'muted small' }, 'Export'), exportBtn('csv', 'CSV'), exportBtn('jsonl', 'JSONL'));
  const count = h('span', { class: 'muted count ex-count' });
  const toolbar = h('div', { class: 'row toolbar ex-toolbar' },
    h('label', { class: 'inline-field' }, h('span', { class: 'muted small' }, 'Split'), splitSel),
    h('label', { class: 'inline-field' }, h('span', { class: 'muted small' }, 'Version'), versionSel),
    count, h('span', { class: 'grow' }), exportGroup, importBtn, addBtn);

  const banner = h('div', { class: 'version-banner', hidden: true, attrs: { role: 'status' } });
  const selBar = h('div', { class: 'row selection-bar', hidden: true });
  const body = h('div', { class: 'ex-body-wrap' });
  const prev = h('button', { class: 'btn', type: 'button', attrs: { 'aria-label': 'Previous page' }, on: { click: () => page(-1) } }, '‹ Previous');
  const next = h('button', { class: 'btn', type: 'button', attrs: { 'aria-label': 'Next page' }, on: { click: () => page(1) } }, 'Next ›');
  const pageInfo = h('span', { class: 'muted page-info' });
  const pager = h('div', { class: 'row pager', hidden: true }, pageInfo, h('span', { class: 'grow' }), prev, next);
  const drawerHost = h('div', { class: 'ex-drawer-host' });
  const toastEl = h('div', { class: 'toast', hidden: true, attrs: { role: 'status' } });
  let toastTimer = null;
  function toast(text, bad = false) {
    toastEl.textContent = text;
    toastEl.classList.toggle('bad', bad);
    toastEl.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { toastEl.hidden = true; }, 3500);
  }

  container.append(h('div', { class: 'examples-tab' }, toolbar, banner, selBar, body, pager, drawerHost, toastEl));

  function syncUrl() {
    setQuery({ split: state.split, as_of: state.asOf, offset: state.offset || null, example: state.open });
  }

  function page(dir) {
    state.offset = Math.max(0, state.offset + dir * EXAMPLES_PAGE);
    syncUrl();
    load().then(() => { if (!disposed) container.closest('.main')?.scrollTo({ top: 0 }); });
  }

  function setVersion(v) {
    closeDrawer(false);
    state.open = null;
    state.asOf = v;
    state.offset = 0;
    state.selected.clear();
    syncUrl();
    loadSplits();
    load();
  }

  // ---- filters ----
  function fillSplits() {
    const names = new Set(state.splits);
    if (state.split) names.add(state.split);
    splitSel.replaceChildren(h('option', { value: '' }, 'All splits'), ...[...names].sort().map((s) => h('option', { value: s, selected: s === state.split }, s)));
    splitSel.value = state.split;
  }

  function fillVersions() {
    const opts = [h('option', { value: '' }, 'Latest')];
    let found = !state.asOf;
    state.versions.forEach((v, i) => {
      const value = v.tags?.[0] || v.as_of;
      const matches = state.asOf === v.as_of || v.tags?.includes(state.asOf);
      if (i === 0 && !matches) return;  // the newest version is "Latest"
      if (matches) found = true;
      opts.push(h('option', { value: matches ? state.asOf : value, selected: matches }, `${versionLabel(v)}${v.tags?.length ? ` · ${fmtTime(v.as_of)}` : ''}`));
    });
    if (!found) opts.push(h('option', { value: state.asOf, selected: true }, state.asOf));
    versionSel.replaceChildren(...opts);
    versionSel.value = state.asOf;
  }

  function versionName() {
    if (!state.asOf) return 'latest';
    const v = state.versions.find((x) => x.as_of === state.asOf || x.tags?.includes(state.asOf));
    return v ? (v.tags?.includes(state.asOf) ? state.asOf : versionLabel(v)) : state.asOf;
  }

  function renderBanner() {
    banner.hidden = !readOnly();
    addBtn.hidden = importBtn.hidden = readOnly();
    if (!readOnly()) return;
    const v = state.versions.find((x) => x.as_of === state.asOf || x.tags?.includes(state.asOf));
    banner.replaceChildren(
      h('span', {}, 'Viewing version ', h('b', {}, versionName()), v ? ` (${fmtTime(v.as_of)})` : '', '. Examples are read-only at an old version.'),
      h('button', { class: 'btn small', type: 'button', on: { click: () => setVersion('') } }, 'Back to latest'));
  }

  async function loadSplits() {
    try {
      state.splits = await api(`/datasets/${dataset.id}/splits`, { query: { as_of: state.asOf || undefined } }) || [];
    } catch { state.splits = []; }
    if (!disposed) fillSplits();
  }

  async function loadVersions() {
    try {
      state.versions = await api(`/datasets/${dataset.id}/versions`, { query: { limit: 100 } }) || [];
    } catch { state.versions = []; }
    if (!disposed) { fillVersions(); renderBanner(); }
  }

  // ---- examples ----
  async function load() {
    const my = ++seq;
    abort?.abort();
    abort = new AbortController();
    body.classList.add('loading');
    const q = { dataset: dataset.id, splits: state.split || undefined, as_of: state.asOf || undefined };
    let rows, total;
    try {
      [rows, total] = await Promise.all([
        api('/examples', { query: { ...q, limit: EXAMPLES_PAGE, offset: state.offset }, signal: abort.signal }),
        api('/examples/count', { query: q, signal: abort.signal }),
      ]);
    } catch (ex) {
      if (ex.name === 'AbortError' || my !== seq) return;
      body.classList.remove('loading');
      const missingTag = ex instanceof ApiError && ex.status === 404 && state.asOf;
      clear(body).append(h('div', { class: 'banner' }, missingTag ? `There is no version “${state.asOf}”. ` : `Could not load examples: ${ex.message}`,
        missingTag ? h('button', { class: 'btn small', type: 'button', on: { click: () => setVersion('') } }, 'Show the latest version') : null));
      pager.hidden = true;
      return;
    }
    if (my !== seq) return;
    body.classList.remove('loading');
    state.rows = rows || [];
    state.total = typeof total === 'number' ? total : null;
    if (!state.rows.length && state.offset > 0) { state.offset = 0; syncUrl(); load(); return; }
    const ids = new Set(state.rows.map((r) => r.id));
    for (const id of [...state.selected]) if (!ids.has(id)) state.selected.delete(id);
    renderBanner();
    render();
    if (state.open && !drawer) openDrawer(state.open, false);
  }

  function render() {
    clear(body);
    const n = state.rows.length;
    count.textContent = state.total === null ? '' : `${fmtNumber(state.total)} example${state.total === 1 ? '' : 's'}`;
    if (!n) {
      pager.hidden = true;
      body.append(state.split || state.asOf
        ? h('div', { class: 'empty' }, h('h3', {}, 'No examples here'),
          h('p', {}, state.split ? `No example is in the split “${state.split}”${state.asOf ? ' at this version' : ''}.` : 'This version has no examples.'),
          h('button', { class: 'btn', type: 'button', on: { click: () => { state.split = ''; splitSel.value = ''; syncUrl(); load(); } } }, 'Show all splits'))
        : h('div', { class: 'card empty onboarding ex-empty' }, h('h3', {}, 'This dataset has no examples yet'),
          h('p', {}, 'Add one by hand with “Add example”, import a CSV or JSONL file with “Import”, use “Add to dataset” on a run in any trace, or from code:'),
          h('pre', {}, `client.create_examples(\n    dataset_id="${dataset.id}",\n    examples=[{"inputs": {"question": "…"}, "outputs": {"answer": "…"}}],\n)`)));
      renderSelection();
      return;
    }
    const all = h('input', {
      type: 'checkbox', attrs: { 'aria-label': 'Select all examples on this page' },
      checked: n > 0 && state.rows.every((r) => state.selected.has(r.id)),
      on: { change: (e) => { for (const r of state.rows) e.target.checked ? state.selected.add(r.id) : state.selected.delete(r.id); render(); } },
    });
    body.append(h('div', { class: 'table-wrap' }, h('table', { class: 'data examples-table' },
      h('thead', {}, h('tr', {},
        h('th', { class: 'sel' }, readOnly() ? null : all), h('th', {}, 'Inputs'), h('th', {}, 'Reference outputs'), h('th', {}, 'Splits'),
        h('th', {}, 'Metadata'), h('th', { class: 'num' }, 'Modified'))),
      h('tbody', {}, state.rows.map(rowFor)))));
    const end = state.offset + n;
    pager.hidden = state.offset === 0 && (state.total === null ? n < EXAMPLES_PAGE : end >= state.total);
    pageInfo.textContent = `Examples ${fmtNumber(state.offset + 1)}–${fmtNumber(end)}${state.total !== null ? ` of ${fmtNumber(state.total)}` : ''}`;
    prev.disabled = state.offset === 0;
    next.disabled = state.total !== null ? end >= state.total : n < EXAMPLES_PAGE;
    renderSelection();
  }

  function rowFor(ex) {
    const meta = userMetadata(ex);
    const metaText = Object.entries(meta).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' · ');
    const box = h('input', {
      type: 'checkbox', checked: state.selected.has(ex.id), attrs: { 'aria-label': 'Select example' },
      on: { change: (e) => { e.target.checked ? state.selected.add(ex.id) : state.selected.delete(ex.id); renderSelection(); tr.classList.toggle('checked', e.target.checked); } },
    });
    const inText = valuePreview(ex.inputs), outText = valuePreview(ex.outputs);
    const tr = h('tr', {
      class: [state.open === ex.id && 'selected', state.selected.has(ex.id) && 'checked'],
      dataset: { exampleId: ex.id }, attrs: { tabindex: '0' },
      on: {
        click: (e) => { if (!e.target.closest('input, a, button, .sel')) openDrawer(ex.id); },
        keydown: (e) => { if (e.key === 'Enter' && e.target === tr) { e.preventDefault(); openDrawer(ex.id); } },
      },
    },
    h('td', { class: 'sel', on: { click: (e) => { if (e.target === e.currentTarget && !readOnly()) box.click(); } } }, readOnly() ? null : box),
    h('td', { class: 'preview ex-in', title: inText }, inText),
    h('td', { class: ['preview ex-out', ex.outputs === null && 'faint'], title: outText }, ex.outputs === null ? 'no reference' : outText),
    h('td', { class: 'ex-splits' }, splitsOf(ex).map((s) => h('span', { class: 'pill split' }, s))),
    h('td', { class: 'preview ex-md faint', title: metaText }, metaText),
    h('td', { class: 'num nowrap', title: fmtTime(ex.modified_at) }, fmtAgo(ex.modified_at)));
    return tr;
  }

  // ---- selection: split changes and bulk delete ----
  function renderSelection() {
    const n = state.selected.size;
    selBar.hidden = !n || readOnly();
    if (selBar.hidden) return;
    selBar.replaceChildren(
      h('b', {}, `${n} selected`),
      h('button', { class: 'btn small', type: 'button', on: { click: openSplitDialog } }, 'Change split…'),
      h('button', { class: 'btn small ghost danger', type: 'button', on: { click: () => deleteExamples([...state.selected]) } }, 'Delete'),
      h('button', { class: 'btn small ghost', type: 'button', on: { click: () => { state.selected.clear(); render(); } } }, 'Clear selection'));
  }

  function openSplitDialog() {
    const ids = [...state.selected];
    const listId = 'split-names-' + Math.random().toString(36).slice(2);
    const name = h('input', { class: 'input', name: 'split_name', placeholder: 'e.g. test', attrs: { list: listId, 'aria-label': 'Split name', autocomplete: 'off' } });
    const err = errorBanner();
    const act = async (mode, close) => {
      const split = name.value.trim();
      if (!split) { name.focus(); return; }
      showError(err, '');
      try {
        await api(`/datasets/${dataset.id}/splits`, { method: 'PUT', body: { split_name: split, examples: ids, remove: mode === 'remove' } });
        if (mode === 'move') {
          // Moving = adding to the target and leaving every other split the examples are in.
          const others = new Set();
          for (const r of state.rows) if (ids.includes(r.id)) splitsOf(r).forEach((s) => { if (s !== split) others.add(s); });
          for (const s of others) await api(`/datasets/${dataset.id}/splits`, { method: 'PUT', body: { split_name: s, examples: ids, remove: true } });
        }
        close();
        toast(`${mode === 'remove' ? 'Removed' : mode === 'move' ? 'Moved' : 'Added'} ${ids.length} example${ids.length === 1 ? '' : 's'} ${mode === 'remove' ? 'from' : 'to'} “${split}”.`);
        state.selected.clear();
        loadSplits();
        load();
      } catch (ex) {
        showError(err, ex.message);
      }
    };
    openModal(dialogs, {
      title: `Split of ${ids.length} example${ids.length === 1 ? '' : 's'}`,
      cls: 'split-dialog',
      build: (close) => [
        h('label', { class: 'field' }, h('span', {}, 'Split name'), name, h('datalist', { id: listId }, state.splits.map((s) => h('option', { value: s })))),
        h('p', { class: 'faint small' }, '“Move” leaves every other split; “Add” keeps them. An example in no split is in “base”.'),
        err,
        h('div', { class: 'row end' },
          h('button', { class: 'btn ghost', type: 'button', on: { click: close } }, 'Cancel'),
          h('button', { class: 'btn', type: 'button', dataset: { mode: 'remove' }, on: { click: () => act('remove', close) } }, 'Remove from split'),
          h('button', { class: 'btn', type: 'button', dataset: { mode: 'add' }, on: { click: () => act('add', close) } }, 'Add to split'),
          h('button', { class: 'btn primary', type: 'button', dataset: { mode: 'move' }, on: { click: () => act('move', close) } }, 'Move to split')),
      ],
    });
    name.focus();
  }

  function deleteExamples(ids) {
    confirmDialog(dialogs, {
      title: ids.length === 1 ? 'Delete example?' : `Delete ${ids.length} examples?`,
      message: `${ids.length === 1 ? 'The example disappears' : 'They disappear'} from the latest version; older versions still show ${ids.length === 1 ? 'it' : 'them'}.`,
      confirmLabel: 'Delete',
      action: async () => {
        if (ids.length === 1) await api(`/examples/${ids[0]}`, { method: 'DELETE' });
        else await api('/examples', { method: 'DELETE', query: { example_ids: ids } });
        for (const id of ids) state.selected.delete(id);
        if (ids.includes(state.open)) closeDrawer();
        toast(`Deleted ${ids.length} example${ids.length === 1 ? '' : 's'}.`);
        loadSplits();
        load();
        ctx.refresh();
      },
    });
  }

  // ---- drawer ----
  async function openDrawer(id, push = true) {
    closeDrawer(false);
    if (id === 'new' && readOnly()) return;
    state.open = id;
    if (push) syncUrl();
    for (const tr of body.querySelectorAll('tbody tr')) tr.classList.toggle('selected', tr.dataset.exampleId === id);
    let example = null;
    if (id !== 'new') {
      example = state.rows.find((r) => r.id === id);
      if (!example) {
        try {
          example = await api(`/examples/${encodeURIComponent(id)}`, { query: { as_of: state.asOf || undefined } });
        } catch (ex) {
          toast(`Could not open the example: ${ex.message}`, true);
          state.open = null; syncUrl();
          return;
        }
        if (state.open !== id || disposed) return;
      }
    }
    drawer = exampleEditor({
      example, dataset: ctx.dataset, readOnly: readOnly(), versionLabel: versionName(),
      defaultSplit: state.split || null,
      onClose: () => closeDrawer(),
      onDelete: (e) => deleteExamples([e.id]),
      onSaved: (saved, created) => {
        if (created) {
          toast('Example added.');
          state.open = saved.id;
          syncUrl();
          closeDrawer(false);
          state.open = saved.id;
          loadSplits();
          load();
          ctx.refresh();
          return;
        }
        const i = state.rows.findIndex((r) => r.id === saved.id);
        if (i >= 0) {
          state.rows[i] = saved;
          const old = body.querySelector(`tbody tr[data-example-id="${saved.id}"]`);
          old?.replaceWith(rowFor(saved));
        }
        loadSplits();
        if (state.split && !splitsOf(saved).includes(state.split)) load();
      },
    });
    drawerHost.append(drawer.el);
    drawer.focus();
  }

  function closeDrawer(updateUrl = true) {
    if (!drawer) { if (updateUrl && state.open) { state.open = null; syncUrl(); } return; }
    drawer.dispose();
    drawer.el.remove();
    drawer = null;
    const was = state.open;
    if (updateUrl) {
      state.open = null;
      syncUrl();
      for (const tr of body.querySelectorAll('tbody tr.selected')) tr.classList.remove('selected');
      body.querySelector(`tbody tr[data-example-id="${was}"]`)?.focus({ preventScroll: true });
    }
  }

  // ---- keyboard: j/k move, Enter opens, x selects, Escape closes the drawer ----
  function onKey(e) {
    if (e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey || document.querySelector('dialog[open]')) return;
    if (e.key === 'Escape' && drawer) { e.preventDefault(); closeDrawer(); return; }
    if (e.target.closest?.('input, textarea, select, [contenteditable="true"]')) return;
    const trs = [...body.querySelectorAll('tbody tr')];
    if (!trs.length) return;
    const cur = trs.indexOf(document.activeElement);
    if (e.key === 'x' && cur >= 0 && !readOnly()) { e.preventDefault(); trs[cur].querySelector('td.sel input')?.click(); return; }
    const down = e.key === 'j' || e.key === 'ArrowDown', up = e.key === 'k' || e.key === 'ArrowUp';
    if (!down && !up) return;
    e.preventDefault();
    const nextRow = trs[cur < 0 ? 0 : Math.max(0, Math.min(trs.length - 1, cur + (down ? 1 : -1)))];
    nextRow.focus();
    if (drawer && state.open !== 'new') openDrawer(nextRow.dataset.exampleId);
  }
  document.addEventListener('keydown', onKey);

  fillSplits();
  fillVersions();
  renderBanner();
  await Promise.all([load(), loadSplits(), loadVersions()]);

  return {
    /** Re-reads the examples (e.g. after another tab changed the dataset). */
    reload: load,
    dispose() {
      disposed = true;
      document.removeEventListener('keydown', onKey);
      abort?.abort();
      seq++;
      drawer?.dispose();
      clearTimeout(toastTimer);
    },
  };
}
