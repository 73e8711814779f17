// A dataset's Schema tab: JSON Schemas for example inputs and reference outputs, edited as JSON
// (validated in the browser as JSON, by the server as a schema), with a helper that infers a
// schema from the first example.
import { h } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { jsonField } from '../components/json-field.js';

/** A JSON Schema describing `value` (types, properties, every present key required). */
export function inferSchema(value, depth = 0) {
  if (depth > 8) return {};
  if (value === null) return { type: 'null' };
  if (Array.isArray(value)) return value.length ? { type: 'array', items: inferSchema(value[0], depth + 1) } : { type: 'array' };
  switch (typeof value) {
    case 'string': return { type: 'string' };
    case 'number': return { type: Number.isInteger(value) ? 'integer' : 'number' };
    case 'boolean': return { type: 'boolean' };
    case 'object': {
      const properties = {};
      for (const [k, v] of Object.entries(value)) properties[k] = inferSchema(v, depth + 1);
      return { type: 'object', properties, required: Object.keys(value) };
    }
    default: return {};
  }
}

export async function renderSchemaTab(ctx) {
  const { container } = ctx;
  const err = h('div', { class: 'banner schema-error', hidden: true, attrs: { role: 'alert' } });
  const note = h('span', { class: 'muted small schema-note', attrs: { role: 'status' } });
  const saveBtn = h('button', { class: 'btn primary schema-save', type: 'submit' }, 'Save schemas');
  const sync = () => { saveBtn.disabled = !(inputs.valid && outputs.valid); note.textContent = ''; };
  const inputs = jsonField({
    label: 'Inputs schema', name: 'inputs_schema', shape: 'object-or-null', rows: 12, emptyAs: null, onInput: sync,
    hint: '(JSON Schema; empty: no schema)', value: ctx.dataset.inputs_schema_definition ?? null,
  });
  const outputs = jsonField({
    label: 'Reference outputs schema', name: 'outputs_schema', shape: 'object-or-null', rows: 12, emptyAs: null, onInput: sync,
    hint: '(JSON Schema; empty: no schema)', value: ctx.dataset.outputs_schema_definition ?? null,
  });

  async function infer(field, key, btn) {
    btn.disabled = true;
    try {
      const [first] = await api('/examples', { query: { dataset: ctx.dataset.id, limit: 1 } }) || [];
      if (!first) { note.textContent = 'The dataset has no examples to infer from.'; return; }
      const value = first[key];
      if (value === null || value === undefined) { note.textContent = `The first example has no ${key}.`; return; }
      field.set(inferSchema(value));
      sync();
      note.textContent = `Inferred from example ${first.id.slice(0, 8)}… — review, then save.`;
    } catch (ex) {
      note.textContent = `Could not read an example: ${ex.message}`;
    } finally {
      btn.disabled = false;
    }
  }
  const inferBtn = (field, key, label) => {
    const b = h('button', { class: 'btn small infer-btn', type: 'button', dataset: { field: key }, on: { click: () => infer(field, key, b) } }, label);
    return b;
  };

  const form = h('form', {
    class: 'schema-form',
    on: {
      submit: async (e) => {
        e.preventDefault();
        const a = inputs.read(), b = outputs.read();
        if (!a.ok || !b.ok) { err.textContent = 'Fix the JSON first.'; err.hidden = false; return; }
        saveBtn.disabled = true;
        err.hidden = true;
        note.textContent = 'Saving…';
        try {
          const d = await api(`/datasets/${ctx.dataset.id}`, { method: 'PATCH', body: { inputs_schema_definition: a.value, outputs_schema_definition: b.value } });
          note.textContent = 'Saved.';
          ctx.refresh(d);
        } catch (ex) {
          note.textContent = '';
          err.textContent = ex.status === 422 ? ex.detail || ex.message : `Could not save: ${ex.message}`;
          err.hidden = false;
        } finally {
          saveBtn.disabled = !(inputs.valid && outputs.valid);
        }
      },
    },
  },
  h('p', { class: 'muted schema-intro' }, 'Examples are checked against these JSON Schemas whenever they are added or edited; a write that does not match is rejected with the reason. Leave a schema empty to accept anything.'),
  h('div', { class: 'schema-grid' },
    h('div', { class: 'schema-col' }, inputs.el, h('div', { class: 'row' }, inferBtn(inputs, 'inputs', 'Infer from the first example'))),
    h('div', { class: 'schema-col' }, outputs.el, h('div', { class: 'row' }, inferBtn(outputs, 'outputs', 'Infer from the first example')))),
  err,
  h('div', { class: 'row schema-foot' }, saveBtn, note));
  container.append(h('div', { class: 'schema-tab' }, form));
  sync();
  return { dispose() {} };
}
