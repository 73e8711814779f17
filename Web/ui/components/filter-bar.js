// Filter bar: one text input holding the LangSmith filter DSL (the single source of truth), an
// error line for the server's 400 `detail`, and a toggle for the point-and-click builder, which
// reads the DSL from the bar and writes it back.
import { h } from '../lib/dom.js';
import { createFilterBuilder } from './filter-builder.js';

const PLACEHOLDER = 'Filter runs, e.g. and(eq(run_type, "llm"), gt(latency, "2s"), has(tags, "prod"))  — press / to focus';

/**
 * createFilterBar({value, onApply(dsl), suggestions}) → {el, value, setValue, setError, focus}.
 * `onApply` is called with the trimmed DSL when the user presses Enter, clicks Apply, clears the
 * bar or applies the builder.
 */
export function createFilterBar({ value = '', onApply, suggestions }) {
  let applied = value;
  const input = h('input', {
    class: 'input mono filter-input', type: 'text', value, placeholder: PLACEHOLDER, spellcheck: false,
    attrs: { 'aria-label': 'Filter', autocomplete: 'off', name: 'filter' },
    on: {
      keydown: (e) => {
        if (e.key === 'Enter') { e.preventDefault(); apply(); }
        if (e.key === 'Escape') { e.preventDefault(); if (input.value !== applied) input.value = applied; input.blur(); }
      },
      input: () => sync(),
    },
  });
  const error = h('div', { class: 'filter-error', attrs: { role: 'alert' }, hidden: true });
  const applyBtn = h('button', { class: 'btn', type: 'button', on: { click: () => apply() } }, 'Apply');
  const clearBtn = h('button', {
    class: 'btn ghost', type: 'button', title: 'Clear the filter', attrs: { 'aria-label': 'Clear filter' },
    on: { click: () => { input.value = ''; apply(); } },
  }, 'Clear');
  const toggle = h('button', {
    class: 'btn', type: 'button', attrs: { 'aria-expanded': 'false', 'aria-label': 'Filter builder' },
    on: { click: () => (builderOpen() ? closeBuilder() : openBuilder()) },
  }, '⚲ Builder');

  const builder = createFilterBuilder({
    suggestions,
    onApply: (dsl) => { input.value = dsl; closeBuilder(); apply(); },
    onCancel: () => { closeBuilder(); input.focus(); },
  });
  builder.el.hidden = true;

  const builderOpen = () => !builder.el.hidden;
  function openBuilder() {
    builder.load(input.value);
    builder.el.hidden = false;
    toggle.setAttribute('aria-expanded', 'true');
    toggle.classList.add('on');
  }
  function closeBuilder() {
    builder.el.hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
    toggle.classList.remove('on');
  }
  function sync() {
    clearBtn.hidden = !input.value;
    applyBtn.classList.toggle('primary', input.value.trim() !== applied);
  }
  function apply() {
    const dsl = input.value.trim();
    applied = dsl;
    sync();
    onApply?.(dsl);
  }

  const el = h('div', { class: 'filter-bar' },
    h('div', { class: 'row filter-line' }, toggle, input, clearBtn, applyBtn),
    error,
    builder.el);
  sync();

  return {
    el,
    input,
    get value() { return input.value.trim(); },
    setValue(v) { input.value = v; applied = v; sync(); if (builderOpen()) builder.load(v); },
    /** Shows the server's message under the input (null hides it). */
    setError(message) {
      error.textContent = message || '';
      error.hidden = !message;
      input.classList.toggle('invalid', !!message);
      input.setAttribute('aria-invalid', message ? 'true' : 'false');
    },
    focus() { input.focus(); input.select(); },
    closeBuilder,
    openBuilder,
  };
}
