// "Add to dataset" for a run: pick a dataset (or name a new one), edit the inputs and reference
// outputs (prefilled from the run), → POST /examples with source_run_id. Ends with a link to the
// new example.
import { h, clear } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { jsonField } from './json-field.js';
import { DATA_TYPES, datasetError } from './dataset-dialogs.js';

const LAST_KEY = 'anvil.addToDataset.last';
const NEW = '__new__';

/** Opens the dialog for `run` (a full run: inputs and outputs loaded). */
export function openAddToDataset(run) {
  const dlg = h('dialog', { class: 'modal wide add-to-dataset', attrs: { 'aria-label': 'Add run to dataset' } });
  const close = () => { if (dlg.open) dlg.close(); };
  dlg.addEventListener('close', () => dlg.remove());

  const select = h('select', { class: 'input', name: 'dataset', disabled: true, attrs: { 'aria-label': 'Dataset' } }, h('option', { value: '' }, 'Loading datasets…'));
  const newName = h('input', { class: 'input', name: 'new_dataset', placeholder: 'New dataset name', attrs: { 'aria-label': 'New dataset name', autocomplete: 'off' } });
  const newType = h('select', { class: 'input', name: 'new_data_type', attrs: { 'aria-label': 'New dataset data type' } },
    DATA_TYPES.map(([v, label]) => h('option', { value: v }, `${label} (${v})`)));
  const newRow = h('div', { class: 'row new-dataset-row', hidden: true }, newName, newType);
  const split = h('input', { class: 'input', name: 'split', placeholder: 'base', attrs: { 'aria-label': 'Split', autocomplete: 'off' } });
  const submit = h('button', { class: 'btn primary', type: 'submit', disabled: true }, 'Add to dataset');
  const sync = () => { submit.disabled = !select.value || !(inputs.valid && outputs.valid); };
  const inputs = jsonField({ label: 'Inputs', name: 'inputs', shape: 'object', rows: 8, value: run.inputs ?? {}, onInput: sync });
  const outputs = jsonField({
    label: 'Reference outputs', name: 'outputs', shape: 'object-or-null', rows: 8, emptyAs: null, onInput: sync,
    hint: '(what a good answer looks like; edit freely)', value: run.outputs ?? null,
  });
  const err = h('div', { class: 'banner', hidden: true, attrs: { role: 'alert' } });
  const status = h('span', { class: 'muted small' });
  let datasets = [];

  select.addEventListener('change', () => {
    newRow.hidden = select.value !== NEW;
    if (select.value === NEW) newName.focus();
    sync();
  });

  const form = h('form', {
    on: {
      submit: async (e) => {
        e.preventDefault();
        const iv = inputs.read(), ov = outputs.read();
        if (!iv.ok || !ov.ok || !select.value) return;
        submit.disabled = true;
        err.hidden = true;
        let ds = datasets.find((d) => d.id === select.value);
        try {
          if (select.value === NEW) {
            const name = newName.value.trim();
            if (!name) { newName.focus(); submit.disabled = false; return; }
            status.textContent = 'Creating the dataset…';
            try {
              ds = await api('/datasets', { method: 'POST', body: { name, data_type: newType.value } });
            } catch (ex) { throw new Error(datasetError(ex, name)); }
            datasets.push(ds);
            select.insertBefore(h('option', { value: ds.id }, ds.name), select.lastChild);
            select.value = ds.id;
            newRow.hidden = true;
          }
          status.textContent = 'Adding…';
          const body = { dataset_id: ds.id, inputs: iv.value, outputs: ov.value, source_run_id: run.id };
          if (split.value.trim()) body.split = split.value.split(',').map((s) => s.trim()).filter(Boolean);
          const ex = await api('/examples', { method: 'POST', body });
          localStorage.setItem(LAST_KEY, ds.id);
          done(ds, ex);
        } catch (ex) {
          status.textContent = '';
          err.textContent = ex.status === 422 ? ex.detail || ex.message : `Could not add the example: ${ex.message}`;
          err.hidden = false;
          sync();
        }
      },
    },
  },
  h('label', { class: 'field' }, h('span', {}, 'Dataset'), select),
  newRow,
  h('div', { class: 'atd-grid' }, inputs.el, outputs.el),
  h('label', { class: 'field' }, h('span', {}, 'Split (optional, comma-separated)'), split),
  err,
  h('div', { class: 'row end' }, status, h('span', { class: 'grow' }), h('button', { class: 'btn ghost', type: 'button', on: { click: close } }, 'Cancel'), submit));

  function done(ds, ex) {
    const href = `/datasets/${ds.id}/examples?example=${ex.id}`;
    clear(body).append(
      h('p', { class: 'atd-done' }, 'Added the run as an example of ',
        h('a', { href, class: 'atd-link', on: { click: () => close() } }, ds.name), '.'),
      h('p', { class: 'muted small' }, 'Example ', h('span', { class: 'mono' }, ex.id), ', source run ', h('span', { class: 'mono' }, run.id), '.'),
      h('div', { class: 'row end' }, h('button', { class: 'btn primary', type: 'button', on: { click: close } }, 'Done')));
  }

  const body = h('div', { class: 'atd-body' }, form);
  dlg.append(h('h2', {}, 'Add run to dataset'), h('p', { class: 'muted small atd-run' }, 'Run ', h('b', {}, run.name || run.id), ' becomes an example; it keeps a link to this run.'), body);
  document.body.append(dlg);
  dlg.showModal();
  select.focus();

  api('/datasets', { query: { limit: 1000 } }).then((list) => {
    datasets = (list || []).slice().sort((a, b) => a.name.localeCompare(b.name));
    const last = localStorage.getItem(LAST_KEY);
    select.replaceChildren(
      h('option', { value: '' }, datasets.length ? 'Choose a dataset…' : 'No datasets yet'),
      ...datasets.map((d) => h('option', { value: d.id, selected: d.id === last }, d.name)),
      h('option', { value: NEW }, '+ New dataset…'));
    select.disabled = false;
    newRow.hidden = select.value !== NEW;
    sync();
  }).catch((ex) => {
    select.replaceChildren(h('option', { value: NEW }, '+ New dataset…'));
    select.disabled = false;
    newRow.hidden = false;
    err.textContent = `Could not list datasets: ${ex.message}`;
    err.hidden = false;
    sync();
  });
  return { dlg, close };
}
