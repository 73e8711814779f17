// Dialogs shared by the datasets pages: a generic modal, confirmations, "new dataset", and the
// CSV / JSONL import (into an existing dataset through POST /examples/bulk, or a CSV uploaded as
// a new dataset through POST /datasets/upload).
import { h, clear, fmtNumber, copyText } from '../lib/dom.js';
import { api, ApiError } from '../lib/api.js';
import { parseCSV, parseJSONL, postForm } from '../lib/files.js';

export const DATA_TYPES = [
  ['kv', 'Key-value', 'Any JSON inputs and outputs (the default)'],
  ['llm', 'LLM', 'A prompt string in, a completion string out'],
  ['chat', 'Chat', 'A list of chat messages in, a message out'],
];

/** A host for dialogs: append it once to the page. */
export function dialogHost() {
  return h('div', { class: 'dialog-host' });
}

/**
 * Opens a modal <dialog>. `build(close)` returns its children. Closing removes it.
 * Returns {dlg, close}.
 */
export function openModal(host, { title, wide = false, cls = null, build }) {
  const dlg = h('dialog', { class: ['modal', wide && 'wide', cls], attrs: { 'aria-label': title } });
  const close = () => { if (dlg.open) dlg.close(); };
  dlg.append(h('h2', {}, title), ...[].concat(build(close)));
  dlg.addEventListener('close', () => dlg.remove());
  host.append(dlg);
  dlg.showModal();
  return { dlg, close };
}

export function errorBanner() {
  return h('div', { class: 'banner', hidden: true, attrs: { role: 'alert' } });
}

export function showError(banner, text) {
  banner.textContent = text;
  banner.hidden = !text;
}

/** "Are you sure?" with an async action; errors stay in the dialog. */
export function confirmDialog(host, { title, message, confirmLabel = 'Delete', danger = true, action }) {
  const err = errorBanner();
  const ok = h('button', { class: ['btn primary', danger && 'danger-fill'], type: 'button' }, confirmLabel);
  const { dlg, close } = openModal(host, {
    title,
    cls: 'confirm',
    build: (close) => [
      h('p', {}, message),
      err,
      h('div', { class: 'row end' }, h('button', { class: 'btn ghost', type: 'button', on: { click: close } }, 'Cancel'), ok),
    ],
  });
  ok.addEventListener('click', async () => {
    ok.disabled = true;
    try {
      await action();
      close();
    } catch (ex) {
      showError(err, ex.message);
      ok.disabled = false;
    }
  });
  ok.focus();
  return dlg;
}

export function codeBlock(text, label) {
  const btn = h('button', { class: 'btn small copy', type: 'button', attrs: { 'aria-label': `Copy ${label}` } }, 'Copy');
  btn.addEventListener('click', async () => {
    await copyText(text);
    btn.textContent = 'Copied';
    setTimeout(() => { btn.textContent = 'Copy'; }, 1500);
  });
  return h('div', { class: 'codeblock' }, btn, h('pre', {}, h('code', {}, text)));
}

/** The 409 message for dataset names. */
export function datasetError(ex, name) {
  return ex instanceof ApiError && ex.status === 409 ? `A dataset named “${name}” already exists.` : ex.message;
}

/** New dataset: name, description, data type → POST /datasets; `onCreated(dataset)`. */
export function openCreateDataset(host, { onCreated }) {
  const name = h('input', { class: 'input', name: 'name', required: true, placeholder: 'my-eval-set', attrs: { 'aria-label': 'Dataset name', autocomplete: 'off' } });
  const desc = h('textarea', { class: 'input', name: 'description', rows: 2, placeholder: 'Optional', attrs: { 'aria-label': 'Description' } });
  const type = h('select', { class: 'input', name: 'data_type', attrs: { 'aria-label': 'Data type' } },
    DATA_TYPES.map(([v, label, title]) => h('option', { value: v, title }, `${label} (${v})`)));
  const err = errorBanner();
  const submit = h('button', { class: 'btn primary', type: 'submit' }, 'Create');
  let close;
  const form = h('form', {
    on: {
      submit: async (e) => {
        e.preventDefault();
        const n = name.value.trim();
        if (!n) { name.focus(); return; }
        submit.disabled = true;
        showError(err, '');
        try {
          const d = await api('/datasets', { method: 'POST', body: { name: n, description: desc.value.trim() || undefined, data_type: type.value } });
          close();
          onCreated(d);
        } catch (ex) {
          showError(err, `Could not create the dataset: ${datasetError(ex, n)}`);
          submit.disabled = false;
          name.focus();
        }
      },
    },
  },
  h('label', { class: 'field' }, h('span', {}, 'Name'), name),
  h('label', { class: 'field' }, h('span', {}, 'Description'), desc),
  h('label', { class: 'field' }, h('span', {}, 'Data type'), type),
  err,
  h('div', { class: 'row end' }, h('button', { class: 'btn ghost', type: 'button', on: { click: () => close() } }, 'Cancel'), submit));
  ({ close } = openModal(host, { title: 'New dataset', build: () => form }));
  name.focus();
}

// ---- import ----

const ROLES = [['input', 'Input'], ['output', 'Output'], ['metadata', 'Metadata (JSON)'], ['split', 'Split'], ['skip', 'Skip']];

function guessRole(col) {
  const c = col.toLowerCase();
  if (['example_id', 'id', 'created_at', 'modified_at', 'source_run_id'].includes(c)) return 'skip';
  if (['split', 'splits', 'dataset_split'].includes(c)) return 'split';
  if (c === 'metadata') return 'metadata';
  if (/^(outputs?|answer|answers|expected|expected_output|reference|reference_output|label|target|ground_truth|completion|response)$/.test(c) || c.startsWith('output_')) return 'output';
  return 'input';
}

function cellValue(text, parseJson) {
  const t = text.trim();
  if (parseJson && (t.startsWith('{') || t.startsWith('['))) {
    try { return JSON.parse(t); } catch { /* a plain string after all */ }
  }
  return text;
}

/** CSV rows → example bodies by column role. Returns {examples, errors}. */
export function csvExamples(table, roles, parseJson) {
  const examples = [], errors = [];
  table.rows.forEach((cells, n) => {
    const line = n + 2;
    const ex = { inputs: {} };
    let outputs = null;
    table.header.forEach((col, i) => {
      const cell = cells[i] ?? '';
      switch (roles[col]) {
        case 'input': ex.inputs[col] = cellValue(cell, parseJson); break;
        case 'output': (outputs ||= {})[col] = cellValue(cell, parseJson); break;
        case 'metadata':
          if (!cell.trim()) break;
          try {
            const m = JSON.parse(cell);
            if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new Error('not an object');
            ex.metadata = { ...(ex.metadata || {}), ...m };
          } catch { errors.push(`row ${line}: column “${col}” is not a JSON object`); }
          break;
        case 'split': {
          const names = cell.split(',').map((s) => s.trim()).filter(Boolean);
          if (names.length) ex.split = names;
          break;
        }
        default: break;
      }
    });
    if (outputs) ex.outputs = outputs;
    if (ex.metadata && Array.isArray(ex.metadata.dataset_split)) {
      if (!ex.split) ex.split = ex.metadata.dataset_split;
      delete ex.metadata.dataset_split;
    }
    examples.push(ex);
  });
  if (!Object.values(roles).includes('input')) errors.unshift('choose at least one input column');
  return { examples, errors };
}

/** JSONL items → example bodies. Each line: {"inputs": {…}, "outputs"?: {…}|null, "metadata"?: {…}, "split"?: …}. */
export function jsonlExamples(parsed) {
  const examples = [];
  const errors = parsed.errors.map((e) => `line ${e.line}: invalid JSON (${e.message})`);
  const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  for (const { line, value } of parsed.items) {
    if (!isObj(value)) { errors.push(`line ${line}: must be a JSON object`); continue; }
    if (!isObj(value.inputs)) { errors.push(`line ${line}: needs an "inputs" object`); continue; }
    if (value.outputs !== undefined && value.outputs !== null && !isObj(value.outputs)) { errors.push(`line ${line}: "outputs" must be an object or null`); continue; }
    if (value.metadata !== undefined && value.metadata !== null && !isObj(value.metadata)) { errors.push(`line ${line}: "metadata" must be an object`); continue; }
    const ex = { inputs: value.inputs };
    if (value.outputs !== undefined) ex.outputs = value.outputs;
    if (isObj(value.metadata)) ex.metadata = { ...value.metadata };
    const split = value.split ?? value.splits ?? ex.metadata?.dataset_split;
    if (ex.metadata) delete ex.metadata.dataset_split;
    if (typeof split === 'string' && split) ex.split = [split];
    else if (Array.isArray(split) && split.length && split.every((s) => typeof s === 'string')) ex.split = split;
    examples.push(ex);
  }
  return { examples, errors };
}

const BULK_CHUNK = 500;

/**
 * Import dialog. With `dataset`: CSV or JSONL into it (or a CSV as a new dataset). Without: a CSV
 * uploaded as a new dataset. `onDone({dataset, count, created})`.
 */
export function openImport(host, { dataset = null, onDone }) {
  const state = { file: null, format: null, table: null, jsonl: null, roles: {}, target: dataset ? 'this' : 'new' };
  const fileInput = h('input', {
    type: 'file', class: 'input import-file', name: 'file',
    accept: dataset ? '.csv,.jsonl,.ndjson,.json,text/csv,application/json' : '.csv,text/csv',
    attrs: { 'aria-label': dataset ? 'CSV or JSONL file' : 'CSV file' },
  });
  const body = h('div', { class: 'import-body' });
  const err = errorBanner();
  const submit = h('button', { class: 'btn primary', type: 'submit', disabled: true }, 'Import');
  const status = h('span', { class: 'muted import-status' });

  // New-dataset fields (CSV upload).
  const newName = h('input', { class: 'input', name: 'name', placeholder: 'Dataset name', attrs: { 'aria-label': 'New dataset name', autocomplete: 'off' } });
  const newDesc = h('input', { class: 'input', name: 'description', placeholder: 'Optional', attrs: { 'aria-label': 'New dataset description' } });
  const newType = h('select', { class: 'input', name: 'data_type', attrs: { 'aria-label': 'New dataset data type' } },
    DATA_TYPES.map(([v, label]) => h('option', { value: v }, `${label} (${v})`)));
  const parseJson = h('input', { type: 'checkbox', checked: true, name: 'parse_json' });

  fileInput.addEventListener('change', async () => {
    const file = fileInput.files?.[0];
    showError(err, '');
    state.file = file || null;
    state.table = state.jsonl = null;
    if (!file) { render(); return; }
    let text;
    try { text = await file.text(); } catch (ex) { showError(err, `Could not read the file: ${ex.message}`); render(); return; }
    const ext = (file.name.split('.').pop() || '').toLowerCase();
    const sniffJson = /^\s*[[{]/.test(text);
    state.format = ext === 'csv' ? 'csv' : ['jsonl', 'ndjson', 'json'].includes(ext) ? 'jsonl' : sniffJson ? 'jsonl' : 'csv';
    if (!dataset && state.format !== 'csv') { showError(err, 'A new dataset is created from a CSV file; import JSONL into an existing dataset from its Examples tab.'); render(); return; }
    try {
      if (state.format === 'csv') {
        state.table = parseCSV(text);
        state.roles = Object.fromEntries(state.table.header.map((c) => [c, guessRole(c)]));
        if (!newName.value) newName.value = file.name.replace(/\.[^.]+$/, '');
      } else {
        state.jsonl = parseJSONL(text);
        state.target = 'this';
      }
    } catch (ex) {
      showError(err, `Could not parse ${file.name}: ${ex.message}`);
    }
    render();
  });

  function result() {
    if (state.table) return csvExamples(state.table, state.roles, parseJson.checked);
    if (state.jsonl) return jsonlExamples(state.jsonl);
    return null;
  }

  function render() {
    clear(body);
    const r = result();
    submit.disabled = true;
    status.textContent = '';
    if (!r) {
      body.append(h('p', { class: 'muted small import-help' }, dataset
        ? ['CSV: pick which columns are inputs and outputs. JSONL: one example per line, ',
          h('code', {}, '{"inputs": {…}, "outputs": {…}, "metadata": {…}}'), '.']
        : 'Pick a CSV file, then choose which columns are inputs and which are outputs.'));
      return;
    }
    if (state.table) {
      if (dataset) {
        const radio = (value, label) => h('label', { class: 'radio' },
          h('input', { type: 'radio', name: 'target', value, checked: state.target === value, on: { change: () => { state.target = value; render(); } } }), label);
        body.append(h('div', { class: 'row import-target' }, h('span', { class: 'muted' }, 'Add to'),
          radio('this', `this dataset (${dataset.name})`), radio('new', 'a new dataset')));
      }
      const upload = state.target === 'new';
      body.append(h('table', { class: 'data import-columns' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Column'), h('th', {}, 'Use as'), h('th', {}, 'First value'))),
        h('tbody', {}, state.table.header.map((col, i) => h('tr', { dataset: { column: col } },
          h('td', { class: 'mono' }, col),
          h('td', {}, h('select', {
            class: 'input small-select', attrs: { 'aria-label': `Use column ${col} as` },
            on: { change: (e) => { state.roles[col] = e.target.value; render(); } },
          }, ROLES.filter(([v]) => !upload || ['input', 'output', 'skip'].includes(v)).map(([v, label]) =>
            h('option', { value: v, selected: (upload && !['input', 'output'].includes(state.roles[col]) ? 'skip' : state.roles[col]) === v }, label)))),
          h('td', { class: 'faint' }, (state.table.rows[0]?.[i] ?? '').slice(0, 80)))))));
      if (upload) {
        body.append(
          h('div', { class: 'import-new' },
            h('label', { class: 'field' }, h('span', {}, 'New dataset name'), newName),
            h('label', { class: 'field' }, h('span', {}, 'Description'), newDesc),
            h('label', { class: 'field' }, h('span', {}, 'Data type'), newType)),
          h('p', { class: 'faint small' }, 'The server reads the CSV; every cell becomes a string value.'));
      } else {
        body.append(h('label', { class: 'check small' }, parseJson, ' Cells holding JSON objects or arrays become JSON values'));
      }
    } else {
      body.append(h('p', { class: 'muted small' }, `${fmtNumber(state.jsonl.items.length)} line${state.jsonl.items.length === 1 ? '' : 's'} read.`));
    }
    const upload = state.table && state.target === 'new';
    const errors = upload ? (Object.values(state.roles).includes('input') ? [] : ['choose at least one input column']) : r.errors;
    if (errors.length) {
      body.append(h('div', { class: 'banner import-errors' }, h('b', {}, `${errors.length} problem${errors.length === 1 ? '' : 's'}: `),
        h('ul', {}, errors.slice(0, 6).map((e) => h('li', {}, e))), errors.length > 6 ? h('div', {}, `…and ${errors.length - 6} more`) : null));
    }
    if (!upload && r.examples.length) {
      body.append(h('details', { class: 'import-preview', open: true },
        h('summary', {}, `Preview (first ${Math.min(3, r.examples.length)} of ${fmtNumber(r.examples.length)})`),
        h('pre', {}, r.examples.slice(0, 3).map((e) => JSON.stringify(e)).join('\n'))));
    }
    const n = upload ? state.table.rows.length : r.examples.length;
    submit.disabled = !!errors.length || !n;
    submit.textContent = upload ? `Create dataset with ${fmtNumber(n)} example${n === 1 ? '' : 's'}` : `Import ${fmtNumber(n)} example${n === 1 ? '' : 's'}`;
  }

  async function run(e) {
    e.preventDefault();
    const r = result();
    if (!r) return;
    submit.disabled = true;
    showError(err, '');
    try {
      if (state.table && state.target === 'new') {
        const name = newName.value.trim();
        if (!name) { showError(err, 'Name the new dataset.'); newName.focus(); submit.disabled = false; return; }
        const form = new FormData();
        for (const [col, role] of Object.entries(state.roles)) {
          if (role === 'input') form.append('input_keys', col);
          if (role === 'output') form.append('output_keys', col);
        }
        form.append('name', name);
        if (newDesc.value.trim()) form.append('description', newDesc.value.trim());
        form.append('data_type', newType.value);
        form.append('file', state.file, state.file.name);
        status.textContent = 'Uploading…';
        let created;
        try {
          created = await postForm('/datasets/upload', form);
        } catch (ex) {
          throw new Error(datasetError(ex, name));
        }
        close();
        onDone({ dataset: created, count: created.example_count ?? state.table.rows.length, created: true });
        return;
      }
      let done = 0;
      for (let i = 0; i < r.examples.length; i += BULK_CHUNK) {
        const chunk = r.examples.slice(i, i + BULK_CHUNK).map((x) => ({ ...x, dataset_id: dataset.id }));
        status.textContent = `Importing… ${fmtNumber(done)} of ${fmtNumber(r.examples.length)}`;
        await api('/examples/bulk', { method: 'POST', body: chunk });
        done += chunk.length;
      }
      close();
      onDone({ dataset, count: done, created: false });
    } catch (ex) {
      status.textContent = '';
      showError(err, `Import failed: ${ex.message}`);
      submit.disabled = false;
    }
  }

  const form = h('form', { class: 'import-form', on: { submit: run } },
    h('label', { class: 'field' }, h('span', {}, dataset ? 'File (CSV or JSONL)' : 'CSV file'), fileInput),
    body, err,
    h('div', { class: 'row end' }, status, h('span', { class: 'grow' }), h('button', { class: 'btn ghost', type: 'button', on: { click: () => close() } }, 'Cancel'), submit));
  const { close } = openModal(host, { title: dataset ? 'Import examples' : 'New dataset from CSV', wide: true, cls: 'import-dialog', build: () => form });
  render();
  fileInput.focus();
}
