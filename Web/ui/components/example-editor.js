// The example drawer: an example's inputs, reference outputs, metadata and splits as JSON
// textareas (validated as you type), saved with PATCH /examples/{id} (or POST /examples for a new
// one). Server rejections (a 422 for a schema violation) are shown verbatim. Read-only (an old
// version) shows the values with the JSON viewer instead.
import { h, fmtTime, copyText } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { jsonView } from './json-view.js';
import { jsonField } from './json-field.js';

/** Metadata without the split list (splits are edited on their own). */
export function userMetadata(example) {
  const m = { ...(example?.metadata || {}) };
  delete m.dataset_split;
  return m;
}

export function splitsOf(example) {
  const s = example?.metadata?.dataset_split;
  return Array.isArray(s) ? s : typeof s === 'string' ? [s] : [];
}

/** The source run's id, turned into a link to its trace once the run (and its project) is known. */
function sourceRun(runId, signal) {
  const el = h('span', { class: 'mono ex-source-run', title: 'source_run_id' }, runId);
  api(`/runs/${encodeURIComponent(runId)}`, { signal }).then((run) => {
    if (!run?.session_id) return;
    el.replaceWith(h('a', {
      class: 'mono ex-source-run', title: 'Open the run in its trace',
      href: `/projects/p/${run.session_id}/r/${run.id}?trace_id=${run.trace_id || run.id}`,
    }, runId));
  }).catch(() => { /* deleted run: keep the plain id */ });
  return el;
}

/** A JSON value shaped by a JSON schema: a template for new examples. */
export function templateFor(schema, depth = 0) {
  if (!schema || typeof schema !== 'object' || depth > 4) return null;
  if (schema.default !== undefined) return schema.default;
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out = {};
      for (const [k, sub] of Object.entries(schema.properties || {})) out[k] = templateFor(sub, depth + 1);
      return out;
    }
    case 'array': return [];
    case 'string': return schema.enum?.[0] ?? '';
    case 'integer': case 'number': return 0;
    case 'boolean': return false;
    default: return schema.properties ? templateFor({ ...schema, type: 'object' }, depth) : null;
  }
}

/**
 * exampleEditor({example, dataset, readOnly, defaultSplit, versionLabel, onSaved(example, created),
 * onDelete(example), onClose()}) → {el, focus(), dispose()}. `example` null = a new example.
 */
export function exampleEditor({ example, dataset, readOnly = false, defaultSplit = null, versionLabel = null, onSaved, onDelete, onClose }) {
  const creating = !example;
  const ctrl = new AbortController();
  const err = h('div', { class: 'banner ex-error', hidden: true, attrs: { role: 'alert' } });
  const note = h('span', { class: 'ex-note muted small', attrs: { role: 'status' } });
  const closeBtn = h('button', { class: 'btn small ghost ex-close', type: 'button', title: 'Close (Esc)', attrs: { 'aria-label': 'Close the example' }, on: { click: () => onClose() } }, '✕');
  const title = creating ? 'New example' : 'Example';
  const head = h('header', { class: 'ex-head' },
    h('h2', {}, title),
    example ? h('span', { class: 'mono faint small ex-id', title: 'Example id' }, example.id,
      h('button', { class: 'btn small ghost', type: 'button', title: 'Copy example id', on: { click: () => copyText(example.id) } }, 'Copy id')) : null,
    h('span', { class: 'grow' }), closeBtn);
  const el = h('aside', { class: ['ex-drawer', readOnly && 'read-only'], dataset: { exampleId: example?.id || 'new' }, attrs: { 'aria-label': title } });

  const meta = example ? h('div', { class: 'ex-meta small muted' },
    h('span', {}, 'Modified ', h('span', { title: example.modified_at }, fmtTime(example.modified_at))),
    h('span', {}, 'Created ', fmtTime(example.created_at)),
    example.source_run_id ? h('span', {}, 'From run ', sourceRun(example.source_run_id, ctrl.signal)) : null) : null;

  if (readOnly) {
    const section = (label, value, cls) => h('section', { class: ['rd-section', cls] }, h('h3', {}, label),
      value === null || value === undefined ? h('div', { class: 'muted' }, 'None') : jsonView(value, { collapsedDepth: 3 }));
    el.append(head, h('div', { class: 'ex-body' },
      h('div', { class: 'ex-readonly-note muted small' }, `Version ${versionLabel || 'shown'} is read-only. Switch to the latest version to edit.`),
      meta,
      section('Inputs', example.inputs, 'ex-inputs'),
      section('Reference outputs', example.outputs, 'ex-outputs'),
      section('Metadata', userMetadata(example), 'ex-metadata'),
      h('section', { class: 'rd-section ex-splits' }, h('h3', {}, 'Splits'), h('div', { class: 'row' }, splitsOf(example).map((s) => h('span', { class: 'pill split' }, s))))));
    return { el, focus: () => closeBtn.focus(), dispose: () => ctrl.abort() };
  }

  const saveBtn = h('button', { class: 'btn primary ex-save', type: 'submit' }, creating ? 'Add example' : 'Save');
  const sync = () => { saveBtn.disabled = ![inputs, outputs, metadata, splits].every((f) => f.valid); };
  const inputs = jsonField({
    label: 'Inputs', name: 'inputs', shape: 'object', rows: 7, onInput: sync,
    value: creating ? (templateFor(dataset.inputs_schema_definition) ?? {}) : example.inputs,
  });
  const outputs = jsonField({
    label: 'Reference outputs', name: 'outputs', shape: 'object-or-null', rows: 6, emptyAs: null, onInput: sync,
    hint: '(empty or null: no reference)',
    value: creating ? (templateFor(dataset.outputs_schema_definition) ?? {}) : example.outputs,
  });
  const metadata = jsonField({ label: 'Metadata', name: 'metadata', shape: 'object', rows: 4, emptyAs: {}, onInput: sync, value: creating ? {} : userMetadata(example) });
  const splits = jsonField({
    label: 'Splits', name: 'splits', shape: 'splits', rows: 1, emptyAs: ['base'], compact: true, onInput: sync,
    hint: '(a list of names)', value: creating ? [defaultSplit || 'base'] : (splitsOf(example).length ? splitsOf(example) : ['base']),
  });

  const deleteBtn = creating ? null : h('button', { class: 'btn ghost danger ex-delete', type: 'button', on: { click: () => onDelete(example) } }, 'Delete');
  const form = h('form', {
    class: 'ex-body',
    on: {
      submit: async (e) => {
        e.preventDefault();
        const fields = [inputs, outputs, metadata, splits].map((f) => f.read());
        const bad = fields.find((r) => !r.ok);
        if (bad) { err.textContent = 'Fix the highlighted fields first.'; err.hidden = false; return; }
        const [iv, ov, mv, sv] = fields.map((r) => r.value);
        const body = { inputs: iv, outputs: ov, metadata: mv, split: typeof sv === 'string' ? [sv] : sv };
        saveBtn.disabled = true;
        err.hidden = true;
        note.textContent = 'Saving…';
        try {
          const saved = creating
            ? await api('/examples', { method: 'POST', body: { ...body, dataset_id: dataset.id }, signal: ctrl.signal })
            : await api(`/examples/${example.id}`, { method: 'PATCH', body, signal: ctrl.signal });
          note.textContent = creating ? 'Added' : 'Saved';
          onSaved(saved, creating);
        } catch (ex) {
          if (ex.name === 'AbortError') return;
          note.textContent = '';
          err.textContent = ex.status === 422 ? ex.detail || ex.message : `Could not save: ${ex.message}`;
          err.hidden = false;
        } finally {
          sync();
        }
      },
    },
  },
  meta,
  inputs.el, outputs.el, metadata.el, splits.el,
  err,
  h('div', { class: 'row ex-foot' }, deleteBtn, h('span', { class: 'grow' }), note,
    h('button', { class: 'btn ghost', type: 'button', on: { click: () => onClose() } }, 'Cancel'), saveBtn));
  // Ctrl/Cmd+Enter saves from any field.
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); }
  });
  el.append(head, form);
  sync();
  return { el, focus: () => inputs.textarea.focus(), dispose: () => ctrl.abort() };
}
