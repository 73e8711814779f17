// One dataset: summary, tabs (Examples, Experiments, Versions, Schema) and the mounted tab.
// /datasets/:id and /datasets/:id/examples show the examples; /o/:tenant/datasets/:id (the SDK's
// app links) too.
import { h, clear, append, fmtNumber, fmtAgo, fmtTime } from '../lib/dom.js';
import { api, ApiError } from '../lib/api.js';
import { navigate } from '../lib/router.js';
import { dialogHost, openModal, confirmDialog, errorBanner, showError, datasetError } from '../components/dataset-dialogs.js';
import { renderExamplesTab } from './dataset-examples.js';
import { renderExperimentsTab } from './dataset-experiments.js';
import { renderVersionsTab } from './dataset-versions.js';
import { renderSchemaTab } from './dataset-schema.js';

const TABS = [
  { key: 'examples', label: 'Examples', render: renderExamplesTab },
  { key: 'experiments', label: 'Experiments', render: renderExperimentsTab },
  { key: 'versions', label: 'Versions', render: renderVersionsTab },
  { key: 'schema', label: 'Schema', render: renderSchemaTab },
];

function problem(title, text, crumbs) {
  return {
    el: h('div', { class: 'empty' }, h('h3', {}, title), h('p', {}, text), h('a', { href: '/datasets' }, 'Back to datasets')),
    title,
    crumbs,
  };
}

export async function datasetPage(params) {
  const id = params.datasetId;
  const tabKey = params.tab || 'examples';
  const tab = TABS.find((t) => t.key === tabKey);
  const crumbs = [{ label: 'Datasets & experiments', href: '/datasets' }];
  if (!tab) return problem('Not found', `A dataset has no “${tabKey}” tab.`, crumbs);

  let dataset;
  try {
    dataset = await api(`/datasets/${encodeURIComponent(id)}`);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 422 || err.status === 400)) {
      return problem('Dataset not found', 'It may have been deleted, or the link is wrong.', [...crumbs, { label: 'Not found' }]);
    }
    if (err instanceof ApiError && err.status === 401) return null;
    return problem('Could not load the dataset', err.message, crumbs);
  }

  const base = `/datasets/${dataset.id}`;
  const tabs = h('nav', { class: 'tabs', attrs: { 'aria-label': 'Dataset views' } },
    TABS.map((t) => h('a', {
      href: `${base}/${t.key}`,
      class: t === tab ? 'on' : null,
      attrs: { 'aria-current': t === tab ? 'page' : null, 'data-tab': t.key },
    }, t.label)));

  const dialogs = dialogHost();
  const summary = h('div', { class: 'dataset-summary' });
  const nameLabel = h('span', {}, dataset.name);
  const renderSummary = () => {
    nameLabel.textContent = dataset.name;
    clear(summary);
    append(summary, [
      dataset.description ? h('p', { class: 'muted dataset-desc' }, dataset.description) : null,
      h('div', { class: 'row dataset-stats small' },
        h('span', { class: 'pill', title: 'Data type' }, dataset.data_type || 'kv'),
        h('span', { class: 'stat-examples' }, h('b', {}, fmtNumber(dataset.example_count ?? 0)), dataset.example_count === 1 ? ' example' : ' examples'),
        h('a', { href: `${base}/experiments`, class: 'stat-experiments' }, h('b', {}, fmtNumber(dataset.session_count ?? 0)), dataset.session_count === 1 ? ' experiment' : ' experiments'),
        h('span', { class: 'muted', title: fmtTime(dataset.modified_at) }, 'modified ', fmtAgo(dataset.modified_at)),
        dataset.inputs_schema_definition || dataset.outputs_schema_definition ? h('a', { href: `${base}/schema`, class: 'pill schema-pill' }, 'schema enforced') : null,
        h('span', { class: 'mono faint dataset-id', title: 'Dataset id' }, dataset.id))]);
  };
  renderSummary();

  const container = h('div', { class: `dataset-tab tab-${tab.key}` });
  const el = h('div', { class: 'dataset-page' }, summary, container, dialogs);

  const ctx = {
    get dataset() { return dataset; },
    container,
    dialogs,
    /** Re-reads the dataset (counts, schema) after a change; `fresh` skips the fetch. */
    async refresh(fresh) {
      try {
        dataset = fresh && fresh.id === dataset.id ? { ...dataset, ...fresh } : await api(`/datasets/${dataset.id}`);
        renderSummary();
      } catch { /* keep the old summary */ }
    },
  };

  function openEdit() {
    const name = h('input', { class: 'input', name: 'name', value: dataset.name, required: true, attrs: { 'aria-label': 'Dataset name' } });
    const desc = h('textarea', { class: 'input', name: 'description', rows: 3, value: dataset.description || '', attrs: { 'aria-label': 'Description' } });
    const err = errorBanner();
    const submit = h('button', { class: 'btn primary', type: 'submit' }, 'Save');
    let close;
    const form = h('form', {
      on: {
        submit: async (e) => {
          e.preventDefault();
          const n = name.value.trim();
          if (!n) { name.focus(); return; }
          submit.disabled = true;
          try {
            const d = await api(`/datasets/${dataset.id}`, { method: 'PATCH', body: { name: n, description: desc.value.trim() || null } });
            close();
            ctx.refresh(d);
            document.title = `${dataset.name} · Anvil`;
          } catch (ex) {
            showError(err, `Could not save: ${datasetError(ex, n)}`);
            submit.disabled = false;
          }
        },
      },
    },
    h('label', { class: 'field' }, h('span', {}, 'Name'), name),
    h('label', { class: 'field' }, h('span', {}, 'Description'), desc),
    err,
    h('div', { class: 'row end' }, h('button', { class: 'btn ghost', type: 'button', on: { click: () => close() } }, 'Cancel'), submit));
    ({ close } = openModal(dialogs, { title: 'Edit dataset', build: () => form }));
    name.focus();
  }

  const actions = [
    h('button', { class: 'btn', type: 'button', on: { click: openEdit } }, 'Edit'),
    h('button', {
      class: 'btn ghost danger', type: 'button',
      on: {
        click: () => confirmDialog(dialogs, {
          title: 'Delete dataset?',
          message: ['This permanently deletes ', h('b', {}, dataset.name), ` and its ${fmtNumber(dataset.example_count ?? 0)} examples and versions.`],
          confirmLabel: 'Delete dataset',
          action: async () => { await api(`/datasets/${dataset.id}`, { method: 'DELETE' }); navigate('/datasets'); },
        }),
      },
    }, 'Delete'),
  ];

  let handle = null;
  let disposed = false;
  return {
    el,
    title: tab.key === 'examples' ? dataset.name : `${tab.label} · ${dataset.name}`,
    crumbs: [...crumbs, { label: nameLabel, href: base }],
    tabs,
    actions,
    async mounted() {
      try {
        const hnd = await tab.render(ctx);
        if (disposed) hnd?.dispose?.(); else handle = hnd;
      } catch (err) {
        if (!disposed) container.append(h('div', { class: 'banner' }, `Could not show ${tab.label}: ${err.message}`));
      }
    },
    dispose() {
      disposed = true;
      handle?.dispose?.();
      handle = null;
    },
  };
}
