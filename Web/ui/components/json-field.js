// A labelled textarea holding JSON, validated on every keystroke (parse errors and the expected
// shape), used by the example editor, the schema tab and "add run to dataset".
import { h } from '../lib/dom.js';

/** Pretty JSON text of a value (`null` → empty text when `emptyNull`). */
export function jsonText(value, emptyNull = false, compact = false) {
  if (value === undefined || (emptyNull && value === null)) return '';
  return compact ? JSON.stringify(value) : JSON.stringify(value, null, 2);
}

const SHAPES = {
  object: (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? null : 'must be a JSON object ({…})'),
  'object-or-null': (v) => (v === null || (typeof v === 'object' && !Array.isArray(v)) ? null : 'must be a JSON object ({…}) or null'),
  splits: (v) => {
    if (typeof v === 'string' && v.trim()) return null;
    if (Array.isArray(v) && v.length && v.every((s) => typeof s === 'string' && s.trim())) return null;
    return 'must be a list of split names, like ["train"]';
  },
  any: () => null,
};

/**
 * jsonField({label, name, value, shape: 'object'|'object-or-null'|'splits'|'any', rows, emptyAs,
 * readOnly, hint, compact (one-line JSON), onInput}) → {el, textarea, read() → {ok, value, error}, set(value), valid}.
 * Empty text reads as `emptyAs` (undefined = an error "required").
 */
export function jsonField({ label, name, value, shape = 'any', rows = 6, emptyAs, readOnly = false, hint = null, compact = false, onInput = () => {} }) {
  const textarea = h('textarea', {
    class: 'input json-input', name, rows, spellcheck: false, readOnly,
    value: jsonText(value, emptyAs === null, compact),
    attrs: { 'aria-label': label, autocomplete: 'off', autocapitalize: 'off' },
  });
  const msg = h('div', { class: 'json-error', attrs: { role: 'status', 'aria-live': 'polite' } });
  const el = h('label', { class: ['field', 'json-field', `jf-${name}`] },
    h('span', { class: 'jf-label' }, label, hint ? h('span', { class: 'faint jf-hint' }, ' ', hint) : null),
    textarea, msg);

  const read = () => {
    const text = textarea.value.trim();
    if (!text) {
      if (emptyAs !== undefined) return { ok: true, value: emptyAs };
      return { ok: false, error: 'required' };
    }
    let v;
    try { v = JSON.parse(text); } catch (e) { return { ok: false, error: `invalid JSON: ${e.message}` }; }
    const bad = SHAPES[shape](v);
    return bad ? { ok: false, error: bad } : { ok: true, value: v };
  };
  const check = () => {
    const r = read();
    msg.textContent = r.ok ? '' : `${label}: ${r.error}`;
    el.classList.toggle('invalid', !r.ok);
    textarea.setAttribute('aria-invalid', r.ok ? 'false' : 'true');
    return r;
  };
  textarea.addEventListener('input', () => { check(); onInput(); });
  return {
    el, textarea,
    read: check,
    get valid() { return read().ok; },
    set(v) { textarea.value = jsonText(v, emptyAs === null, compact); check(); },
  };
}
