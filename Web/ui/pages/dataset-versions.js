// A dataset's Versions tab: every version (one per write) with its tags; tag or re-tag a version,
// open the examples as of a version, and diff two versions (added / modified / removed examples
// with their content). URL state: from, to (tags or ISO times).
import { h, clear, fmtNumber, fmtTime, fmtAgo } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { setQuery, query } from '../lib/router.js';
import { openModal, errorBanner, showError } from '../components/dataset-dialogs.js';
import { userMetadata, splitsOf } from '../components/example-editor.js';

const PAGE = 100;
const DIFF_SHOWN = 50;   // examples shown per diff section

/** The value that names a version in the API: its first tag, else its time. */
const ref = (v) => v.tags?.[0] || v.as_of;

export async function renderVersionsTab(ctx) {
  const { dataset, container, dialogs } = ctx;
  const qs = query();
  const state = { versions: [], more: false, from: qs.from || '', to: qs.to || '' };
  let disposed = false;
  const ctrl = new AbortController();

  const listEl = h('div', { class: 'versions-list' });
  const fromSel = h('select', { class: 'input', name: 'from', attrs: { 'aria-label': 'From version' } });
  const toSel = h('select', { class: 'input', name: 'to', attrs: { 'aria-label': 'To version' } });
  const diffBtn = h('button', { class: 'btn primary diff-btn', type: 'button', on: { click: () => showDiff() } }, 'Show changes');
  const diffEl = h('div', { class: 'diff-result' });
  const diffCard = h('section', { class: 'card diff-card' },
    h('header', {}, 'Compare versions'),
    h('div', { class: 'body' },
      h('div', { class: 'row' }, h('span', { class: 'muted' }, 'From'), fromSel, h('span', { class: 'muted' }, '→ to'), toSel, diffBtn),
      diffEl));
  container.append(h('div', { class: 'versions-tab' }, listEl, diffCard));

  async function load(append = false) {
    const offset = append ? state.versions.length : 0;
    try {
      const page = await api(`/datasets/${dataset.id}/versions`, { query: { limit: PAGE, offset }, signal: ctrl.signal }) || [];
      if (disposed) return;
      state.versions = append ? state.versions.concat(page) : page;
      state.more = page.length === PAGE;
    } catch (ex) {
      if (ex.name === 'AbortError') return;
      clear(listEl).append(h('div', { class: 'banner' }, `Could not load versions: ${ex.message}`));
      return;
    }
    render();
  }

  function optionLabel(v, i) {
    return `${i === 0 ? 'latest' : ''}${i === 0 && v.tags?.length ? ', ' : ''}${v.tags?.join(', ') || ''}${i === 0 || v.tags?.length ? ' · ' : ''}${fmtTime(v.as_of)}`;
  }

  function fillDiffPickers() {
    const vs = state.versions;
    const pick = (sel, value) => {
      sel.replaceChildren(...vs.map((v, i) => h('option', { value: i === 0 && sel === toSel ? 'latest' : ref(v) }, optionLabel(v, i))));
      const match = vs.findIndex((v, i) => value === ref(v) || value === v.as_of || v.tags?.includes(value) || (value === 'latest' && i === 0));
      if (match >= 0) sel.selectedIndex = match;
      return match >= 0;
    };
    if (!pick(toSel, state.to || 'latest')) toSel.selectedIndex = 0;
    if (!pick(fromSel, state.from)) fromSel.selectedIndex = Math.min(1, vs.length - 1);
    diffBtn.disabled = vs.length < 2;
  }

  function render() {
    clear(listEl);
    if (!state.versions.length) {
      listEl.append(h('div', { class: 'empty' }, h('h3', {}, 'No versions yet'), h('p', {}, 'Every write to the examples (add, edit, delete, import) creates a version. Add an example to create the first one.')));
      diffCard.hidden = true;
      return;
    }
    diffCard.hidden = state.versions.length < 2;
    listEl.append(h('div', { class: 'table-wrap' }, h('table', { class: 'data versions-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Version'), h('th', {}, 'Tags'), h('th', { class: 'num' }, 'When'), h('th', {}, h('span', { class: 'sr-only' }, 'Actions')))),
      h('tbody', {}, state.versions.map((v, i) => h('tr', { dataset: { asOf: v.as_of, tags: (v.tags || []).join(',') } },
        h('td', { class: 'mono' }, v.as_of),
        h('td', { class: 'tags' }, i === 0 ? h('span', { class: 'pill latest' }, 'latest') : null, (v.tags || []).map((t) => h('span', { class: 'pill tag version-tag' }, t))),
        h('td', { class: 'num', title: fmtTime(v.as_of) }, fmtAgo(v.as_of)),
        h('td', { class: 'actions-cell' }, h('div', { class: 'row version-actions' },
          h('a', { class: 'btn small view-version', href: `/datasets/${dataset.id}/examples${i === 0 ? '' : `?as_of=${encodeURIComponent(ref(v))}`}` }, 'View examples'),
          h('button', { class: 'btn small tag-version', type: 'button', on: { click: () => openTag(v) } }, 'Tag…'),
          i > 0 ? h('button', { class: 'btn small ghost diff-latest', type: 'button', title: 'Changes from this version to the latest', on: { click: () => { state.from = ref(v); state.to = 'latest'; fillDiffPickers(); showDiff(); } } }, 'Diff with latest') : null))))))));
    if (state.more) listEl.append(h('div', { class: 'row pager' }, h('span', { class: 'grow' }), h('button', { class: 'btn', type: 'button', on: { click: () => load(true) } }, 'Load older versions')));
    fillDiffPickers();
  }

  function openTag(v) {
    const known = [...new Set(state.versions.flatMap((x) => x.tags || []))];
    const listId = 'tags-' + Math.random().toString(36).slice(2);
    const name = h('input', { class: 'input', name: 'tag', placeholder: 'e.g. prod', attrs: { list: listId, 'aria-label': 'Tag', autocomplete: 'off' } });
    const err = errorBanner();
    const submit = h('button', { class: 'btn primary', type: 'submit' }, 'Tag version');
    let close;
    const form = h('form', {
      on: {
        submit: async (e) => {
          e.preventDefault();
          const tag = name.value.trim();
          if (!tag) { name.focus(); return; }
          submit.disabled = true;
          showError(err, '');
          try {
            await api(`/datasets/${dataset.id}/tags`, { method: 'PUT', body: { as_of: v.as_of, tag } });
            close();
            load();
          } catch (ex) {
            showError(err, ex.message);
            submit.disabled = false;
          }
        },
      },
    },
    h('p', { class: 'muted small' }, 'Version of ', h('b', {}, fmtTime(v.as_of)), '. A tag already on another version moves here. SDK: ',
      h('code', {}, 'client.list_examples(dataset_id=…, as_of="tag")'), '.'),
    h('label', { class: 'field' }, h('span', {}, 'Tag'), name, h('datalist', { id: listId }, known.map((t) => h('option', { value: t })))),
    err,
    h('div', { class: 'row end' }, h('button', { class: 'btn ghost', type: 'button', on: { click: () => close() } }, 'Cancel'), submit));
    ({ close } = openModal(dialogs, { title: 'Tag version', build: () => form }));
    name.focus();
  }

  // ---- diff ----
  async function examplesAt(ids, asOf) {
    if (!ids.length) return new Map();
    const rows = await api('/examples', { query: { dataset: dataset.id, id: ids, as_of: asOf === 'latest' ? undefined : asOf, limit: ids.length }, signal: ctrl.signal });
    return new Map((rows || []).map((e) => [e.id, e]));
  }

  async function showDiff() {
    const from = fromSel.value, to = toSel.value;
    state.from = from; state.to = to;
    setQuery({ from, to: to === 'latest' ? null : to });
    clear(diffEl).append(h('div', { class: 'muted' }, 'Comparing…'));
    diffEl.classList.add('loading');
    let d, before, after;
    try {
      d = await api(`/datasets/${dataset.id}/versions/diff`, { query: { from_version: from, to_version: to }, signal: ctrl.signal });
      const added = d.examples_added.slice(0, DIFF_SHOWN), modified = d.examples_modified.slice(0, DIFF_SHOWN), removed = d.examples_removed.slice(0, DIFF_SHOWN);
      [before, after] = await Promise.all([examplesAt([...modified, ...removed], from), examplesAt([...modified, ...added], to)]);
    } catch (ex) {
      if (ex.name === 'AbortError') return;
      diffEl.classList.remove('loading');
      clear(diffEl).append(h('div', { class: 'banner' }, `Could not compare: ${ex.message}`));
      return;
    }
    if (disposed) return;
    diffEl.classList.remove('loading');
    clear(diffEl);
    const total = d.examples_added.length + d.examples_modified.length + d.examples_removed.length;
    diffEl.append(h('p', { class: 'diff-summary' },
      h('span', { class: 'pill diff-added' }, `${fmtNumber(d.examples_added.length)} added`), ' ',
      h('span', { class: 'pill diff-modified' }, `${fmtNumber(d.examples_modified.length)} modified`), ' ',
      h('span', { class: 'pill diff-removed' }, `${fmtNumber(d.examples_removed.length)} removed`),
      total ? null : h('span', { class: 'muted' }, ' — the two versions hold the same examples.')));
    const section = (kind, label, ids, render) => {
      if (!ids.length) return;
      diffEl.append(h('section', { class: ['diff-section', `diff-${kind}`], dataset: { kind } },
        h('h3', {}, `${label} (${fmtNumber(ids.length)})`),
        ids.slice(0, DIFF_SHOWN).map(render),
        ids.length > DIFF_SHOWN ? h('p', { class: 'muted small' }, `…and ${fmtNumber(ids.length - DIFF_SHOWN)} more.`) : null));
    };
    section('modified', 'Modified', d.examples_modified, (id) => changeCard(id, before.get(id), after.get(id)));
    section('added', 'Added', d.examples_added, (id) => changeCard(id, null, after.get(id)));
    section('removed', 'Removed', d.examples_removed, (id) => changeCard(id, before.get(id), null));
  }

  function fields(e) {
    return e ? { inputs: e.inputs, outputs: e.outputs, metadata: userMetadata(e), splits: splitsOf(e) } : null;
  }

  function changeCard(id, a, b) {
    const fa = fields(a), fb = fields(b);
    const keys = ['inputs', 'outputs', 'metadata', 'splits'];
    const text = (f, k) => (f ? JSON.stringify(f[k], null, 2) : '');
    const rows = keys.map((k) => {
      const ta = text(fa, k), tb = text(fb, k);
      const changed = fa && fb ? ta !== tb : true;
      if (fa && fb && !changed) return h('div', { class: 'diff-field same', dataset: { field: k } }, h('span', { class: 'muted small' }, `${k}: unchanged`));
      return h('div', { class: ['diff-field', 'changed'], dataset: { field: k } },
        h('div', { class: 'diff-key' }, k),
        h('div', { class: 'diff-cols' },
          fa ? h('pre', { class: ['diff-before', fb && 'old'] }, ta) : null,
          fb ? h('pre', { class: ['diff-after', fa && 'new'] }, tb) : null));
    });
    return h('div', { class: 'diff-example', dataset: { exampleId: id } },
      h('div', { class: 'row diff-example-head' }, h('span', { class: 'mono small' }, id),
        !a && !b ? h('span', { class: 'muted small' }, '(content unavailable)') : null,
        fa && fb ? h('span', { class: 'faint small' }, 'before → after') : null),
      rows);
  }

  await load();
  if (!disposed && (qs.from || qs.to) && state.versions.length > 1) showDiff();
  return { dispose() { disposed = true; ctrl.abort(); } };
}

