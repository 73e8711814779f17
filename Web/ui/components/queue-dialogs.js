// Annotation queues, shared pieces: the queue editor (name, description, Markdown rubric
// instructions and rubric items whose feedback configs are registered through /feedback-configs),
// "Add to annotation queue" for a run, feedback helpers and a client-side UUID (feedback ids are
// chosen by the browser so a retried submit overwrites instead of duplicating).
import { h, clear } from '../lib/dom.js';
import { api, ApiError } from '../lib/api.js';
import { markdown } from './markdown.js';
import { openModal, errorBanner, showError, codeBlock } from './dataset-dialogs.js';

export const FEEDBACK_TYPES = [
  ['continuous', 'Continuous', 'A number, optionally between a minimum and a maximum'],
  ['categorical', 'Categorical', 'One of a fixed set of labelled categories'],
  ['freeform', 'Freeform', 'Free text'],
];

/** A v4 UUID; crypto.randomUUID needs a secure context, getRandomValues does not. */
export function uuid() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** Numbers as people write them (no trailing zeros, no float noise). */
export const fmtScore = (n) => (n === null || n === undefined || n === '' ? '–' : String(Math.round(Number(n) * 10000) / 10000));

/** The error text of a failed request: the server's `detail` verbatim when it sent one. */
export const errText = (ex) => (ex instanceof ApiError ? ex.detail || ex.message : ex.message);

/** Trace-view link of a run. */
export const traceHref = (run) => `/projects/p/${run.session_id}/r/${run.id}?trace_id=${run.trace_id || run.id}`;

/** The SDK snippet for filling a queue from code. */
export function sdkHelp(queueId) {
  const py = [
    'from langsmith import Client',
    '',
    'client = Client()  # LANGSMITH_ENDPOINT and LANGSMITH_API_KEY from the environment',
    queueId ? `queue_id = "${queueId}"` : 'queue = client.create_annotation_queue(name="Review answers")',
    'runs = client.list_runs(project_name="my-app", is_root=True, limit=20)',
    `client.add_runs_to_annotation_queue(${queueId ? 'queue_id' : 'queue.id'}, run_ids=[r.id for r in runs])`,
  ].join('\n');
  return codeBlock(py, 'Python example');
}

/** Feedback as a short text: the value (a category label, free text) else the score. */
export function feedbackText(f) {
  if (f.value !== null && f.value !== undefined && f.value !== '') {
    const v = typeof f.value === 'object' ? JSON.stringify(f.value) : String(f.value);
    return f.score !== null && f.score !== undefined && String(f.score) !== v ? `${v} (${fmtScore(f.score)})` : v;
  }
  if (f.score !== null && f.score !== undefined) return typeof f.score === 'boolean' ? String(f.score) : fmtScore(f.score);
  return f.comment ? '💬' : '–';
}

// ---- queue editor ----

function configFromItem(it) {
  const c = it.feedback_config?.feedback_config || null;
  return c ? { type: c.type, min: c.min, max: c.max, categories: c.categories || [] } : null;
}

/**
 * Create (no `queue`) or edit a queue. New feedback keys get their config registered with
 * `POST /feedback-configs`; an existing key's config is shown locked (it is shared by every queue
 * and all feedback on the key) and can be unlocked to change it (`PATCH /feedback-configs`).
 * `onSaved(queue)` gets the server's queue.
 */
export function openQueueEditor(host, { queue = null, onSaved }) {
  const editing = !!queue;
  const name = h('input', { class: 'input', name: 'name', required: true, value: queue?.name || '', placeholder: 'e.g. Review support answers', attrs: { 'aria-label': 'Queue name', autocomplete: 'off' } });
  const desc = h('input', { class: 'input', name: 'description', value: queue?.description || '', placeholder: 'Optional', attrs: { 'aria-label': 'Description', autocomplete: 'off' } });
  const instr = h('textarea', {
    class: 'input', name: 'rubric_instructions', rows: 4, value: queue?.rubric_instructions || '',
    placeholder: 'What reviewers should look for (Markdown).', attrs: { 'aria-label': 'Rubric instructions' },
  });
  const preview = h('div', { class: 'qe-preview', hidden: true });
  const previewBtn = h('button', {
    class: 'btn small ghost qe-preview-toggle', type: 'button',
    on: {
      click: () => {
        const show = preview.hidden;
        preview.hidden = !show;
        instr.hidden = show;
        previewBtn.textContent = show ? 'Edit' : 'Preview';
        if (show) preview.replaceChildren(instr.value.trim() ? markdown(instr.value) : h('p', { class: 'faint' }, 'Nothing to preview.'));
      },
    },
  }, 'Preview');
  const keyList = h('datalist', { id: `qe-keys-${uuid().slice(0, 8)}` });
  const itemsEl = h('div', { class: 'qe-items' });
  const err = errorBanner();
  const status = h('span', { class: 'muted small' });
  const submit = h('button', { class: 'btn primary', type: 'submit' }, editing ? 'Save' : 'Create queue');
  const configs = new Map();   // feedback key → registered config (FeedbackConfigSchema)
  const items = [];

  const addBtn = h('button', { class: 'btn small qe-add-item', type: 'button', on: { click: () => { const it = rubricItem(); it.key.focus(); } } }, '+ Add rubric item');

  /** One rubric item editor. `init` is a rubric item from the server (editing). */
  function rubricItem(init = null) {
    const key = h('input', {
      class: 'input qe-key', name: 'feedback_key', value: init?.feedback_key || '', placeholder: 'feedback key, e.g. correctness',
      attrs: { 'aria-label': 'Feedback key', autocomplete: 'off', list: keyList.id },
    });
    const type = h('select', { class: 'input qe-type', name: 'type', attrs: { 'aria-label': 'Feedback type' } },
      FEEDBACK_TYPES.map(([v, label, title]) => h('option', { value: v, title }, label)));
    const min = h('input', { class: 'input qe-min', type: 'number', name: 'min', value: '0', step: 'any', attrs: { 'aria-label': 'Minimum' } });
    const max = h('input', { class: 'input qe-max', type: 'number', name: 'max', value: '1', step: 'any', attrs: { 'aria-label': 'Maximum' } });
    const bounds = h('div', { class: 'row qe-bounds' }, h('span', { class: 'muted small' }, 'from'), min, h('span', { class: 'muted small' }, 'to'), max);
    const catsEl = h('div', { class: 'qe-cats' });
    const addCat = h('button', { class: 'btn small ghost qe-add-cat', type: 'button', on: { click: () => { const c = category(); c.label.focus(); } } }, '+ Category');
    const catsBox = h('div', { class: 'qe-cats-box' }, catsEl, addCat);
    const description = h('input', { class: 'input qe-desc', name: 'item_description', value: init?.description || '', placeholder: 'What this score means (optional)', attrs: { 'aria-label': 'Item description', autocomplete: 'off' } });
    const required = h('input', { type: 'checkbox', name: 'is_required', checked: !!init?.is_required });
    const note = h('div', { class: 'qe-note small' });
    const unlock = h('button', { class: 'btn small ghost qe-unlock', type: 'button', hidden: true }, 'Change config');
    const cats = [];
    const it = { init, key, type, min, max, cats, description, required, locked: false, unlocked: false, el: null };

    function category(c = {}) {
      const label = h('input', { class: 'input qe-cat-label', value: c.label ?? '', placeholder: 'label', attrs: { 'aria-label': 'Category label', autocomplete: 'off' } });
      const value = h('input', { class: 'input qe-cat-value', type: 'number', step: 'any', value: c.value ?? String(cats.length), attrs: { 'aria-label': 'Category value' } });
      const cdesc = h('input', { class: 'input qe-cat-desc', value: c.description ?? '', placeholder: 'description (optional)', attrs: { 'aria-label': 'Category description', autocomplete: 'off' } });
      const cat = { label, value, desc: cdesc };
      const rm = h('button', {
        class: 'btn small ghost qe-rm-cat', type: 'button', title: 'Remove this category', attrs: { 'aria-label': 'Remove category' },
        on: { click: () => { cats.splice(cats.indexOf(cat), 1); cat.el.remove(); } },
      }, '×');
      cat.el = h('div', { class: 'row qe-cat' }, h('span', { class: 'kbd qe-cat-n' }), label, value, cdesc, rm);
      cat.rm = rm;
      cats.push(cat);
      catsEl.append(cat.el);
      renumber();
      return cat;
    }
    const renumber = () => cats.forEach((c, i) => { c.el.querySelector('.qe-cat-n').textContent = String(i + 1); });
    const setCats = (list) => { cats.splice(0); clear(catsEl); list.forEach((c) => category(c)); };

    const sync = () => {
      bounds.hidden = type.value !== 'continuous';
      catsBox.hidden = type.value !== 'categorical';
      if (type.value === 'categorical' && !cats.length) { category({ label: 'bad', value: 0 }); category({ label: 'good', value: 1 }); }
    };
    const lock = (on) => {
      it.locked = on;
      [type, min, max, addCat].forEach((x) => { x.disabled = on; });
      cats.forEach((c) => { c.label.disabled = on; c.value.disabled = on; c.rm.disabled = on; });
      unlock.hidden = !on;
    };
    const fill = (cfg) => {
      type.value = cfg.type;
      min.value = cfg.min ?? '';
      max.value = cfg.max ?? '';
      const vd = init?.value_descriptions || {};
      setCats(cfg.type === 'categorical' ? (cfg.categories || []).map((c) => ({
        label: c.label ?? '', value: c.value, description: vd[c.label ?? ''] ?? vd[fmtScore(c.value)] ?? '',
      })) : []);
      sync();
    };
    /** Matches the key against the registered configs: an existing key shows (locked) its config. */
    const onKey = () => {
      const k = key.value.trim();
      const known = configs.get(k);
      if (known && !it.unlocked) {
        fill(known.feedback_config);
        lock(true);
        note.replaceChildren('Key ', h('b', {}, k), ' has a registered config, shared by all feedback on it. ');
        note.className = 'qe-note small muted';
      } else if (known) {
        note.replaceChildren('Saving changes the registered config of ', h('b', {}, k), ' for all feedback on it.');
        note.className = 'qe-note small warn-text';
      } else {
        if (it.locked) lock(false);
        note.replaceChildren(k ? ['New key: its config is registered when you save.'] : []);
        note.className = 'qe-note small muted';
      }
    };
    unlock.addEventListener('click', () => { it.unlocked = true; lock(false); onKey(); type.focus(); });
    key.addEventListener('input', onKey);
    type.addEventListener('change', sync);

    const rm = h('button', {
      class: 'btn small ghost danger qe-rm-item', type: 'button', title: 'Remove this item', attrs: { 'aria-label': 'Remove rubric item' },
      on: { click: () => { items.splice(items.indexOf(it), 1); it.el.remove(); } },
    }, 'Remove');
    it.el = h('div', { class: 'qe-item' },
      h('div', { class: 'row qe-item-head' }, key, type, h('label', { class: 'qe-req small' }, required, ' required'), rm),
      description, bounds, catsBox, h('div', { class: 'row' }, note, unlock));
    it.fill = fill;
    it.onKey = onKey;
    const cfg = init ? configFromItem(init) : null;
    if (cfg) fill(cfg); else sync();
    items.push(it);
    itemsEl.append(it.el);
    return it;
  }

  /** The item's config as the server wants it; throws Error with a message for bad input. */
  function readConfig(it, k) {
    const t = it.type.value;
    if (t === 'freeform') return { type: 'freeform' };
    if (t === 'continuous') {
      const lo = it.min.value.trim() === '' ? null : Number(it.min.value);
      const hi = it.max.value.trim() === '' ? null : Number(it.max.value);
      if ((lo !== null && !Number.isFinite(lo)) || (hi !== null && !Number.isFinite(hi))) throw new Error(`“${k}”: the bounds must be numbers.`);
      if (lo !== null && hi !== null && !(lo < hi)) throw new Error(`“${k}”: the minimum must be less than the maximum.`);
      return { type: 'continuous', min: lo, max: hi };
    }
    if (!it.cats.length) throw new Error(`“${k}”: a categorical item needs at least one category.`);
    const seen = new Set(), labels = new Set();
    const categories = it.cats.map((c) => {
      const label = c.label.value.trim();
      const value = Number(c.value.value);
      if (!label) throw new Error(`“${k}”: every category needs a label.`);
      if (c.value.value.trim() === '' || !Number.isFinite(value)) throw new Error(`“${k}”: category “${label}” needs a numeric value.`);
      if (seen.has(value)) throw new Error(`“${k}”: two categories have the value ${value}.`);
      if (labels.has(label)) throw new Error(`“${k}”: two categories are labelled “${label}”.`);
      seen.add(value); labels.add(label);
      return { value, label };
    });
    return { type: 'categorical', categories };
  }

  const sameConfig = (a, b) => {
    if (!a || !b || a.type !== b.type) return false;
    if (a.type === 'continuous') return (a.min ?? null) === (b.min ?? null) && (a.max ?? null) === (b.max ?? null);
    if (a.type === 'categorical') {
      const norm = (cs) => JSON.stringify((cs || []).map((c) => [Number(c.value), c.label ?? null]));
      return norm(a.categories) === norm(b.categories);
    }
    return true;
  };

  async function save(e) {
    e.preventDefault();
    showError(err, '');
    const n = name.value.trim();
    if (!n) { showError(err, 'The queue needs a name.'); name.focus(); return; }
    const plan = [];
    const keys = new Set();
    try {
      for (const it of items) {
        const k = it.key.value.trim();
        if (!k) { it.key.focus(); throw new Error('Every rubric item needs a feedback key (or remove the item).'); }
        if (keys.has(k)) { it.key.focus(); throw new Error(`The rubric lists “${k}” twice.`); }
        keys.add(k);
        const cfg = readConfig(it, k);
        const known = configs.get(k);
        const op = !known ? 'POST' : it.unlocked && !sameConfig(known.feedback_config, cfg) ? 'PATCH' : null;
        const valueDescriptions = {};
        if (cfg.type === 'categorical') it.cats.forEach((c) => { if (c.desc.value.trim()) valueDescriptions[c.label.value.trim()] = c.desc.value.trim(); });
        plan.push({
          key: k, cfg, op,
          item: {
            feedback_key: k,
            description: it.description.value.trim() || null,
            value_descriptions: Object.keys(valueDescriptions).length ? valueDescriptions : null,
            score_descriptions: it.init?.feedback_key === k ? it.init.score_descriptions ?? null : null,
            is_required: it.required.checked,
          },
        });
      }
    } catch (ex) {
      showError(err, ex.message);
      return;
    }
    submit.disabled = true;
    try {
      for (const p of plan.filter((x) => x.op)) {
        status.textContent = `Registering the config of “${p.key}”…`;
        try {
          const stored = await api('/feedback-configs', {
            method: p.op,
            body: p.op === 'POST' ? { feedback_key: p.key, feedback_config: p.cfg, is_enforced: false } : { feedback_key: p.key, feedback_config: p.cfg },
          });
          configs.set(p.key, stored);
        } catch (ex) {
          throw new Error(`Could not register the config of “${p.key}”: ${errText(ex)}`);
        }
      }
      status.textContent = editing ? 'Saving…' : 'Creating…';
      const body = {
        name: n,
        description: desc.value.trim() || null,
        rubric_instructions: instr.value.trim() ? instr.value : null,
        rubric_items: plan.map((p) => p.item),
      };
      let saved;
      try {
        saved = await api(editing ? `/annotation-queues/${queue.id}` : '/annotation-queues', { method: editing ? 'PATCH' : 'POST', body });
      } catch (ex) {
        throw new Error(`Could not ${editing ? 'save' : 'create'} the queue: ${errText(ex)}`);
      }
      close();
      onSaved?.(saved);
    } catch (ex) {
      status.textContent = '';
      showError(err, ex.message);
      submit.disabled = false;
    }
  }

  const form = h('form', { class: 'queue-editor', on: { submit: save } },
    h('label', { class: 'field' }, h('span', {}, 'Name'), name),
    h('label', { class: 'field' }, h('span', {}, 'Description'), desc),
    h('div', { class: 'field' },
      h('div', { class: 'row' }, h('span', {}, 'Rubric instructions (Markdown)'), h('span', { class: 'grow' }), previewBtn),
      instr, preview),
    h('div', { class: 'field qe-rubric' },
      h('div', { class: 'row' }, h('span', {}, 'Rubric items'), h('span', { class: 'grow' }), addBtn),
      h('p', { class: 'faint small qe-hint' }, 'One control per item on the review screen. Each item is a feedback key; reviewers’ scores are saved as feedback on the run.'),
      itemsEl),
    keyList,
    err,
    h('div', { class: 'row end' }, status, h('span', { class: 'grow' }), h('button', { class: 'btn ghost', type: 'button', on: { click: () => close() } }, 'Cancel'), submit));
  const { close } = openModal(host, { title: editing ? 'Edit annotation queue' : 'New annotation queue', wide: true, cls: 'queue-editor-dlg', build: () => form });
  (queue?.rubric_items || []).forEach((it) => rubricItem(it));
  name.focus();

  api('/feedback-configs', { query: { limit: 1000 } }).then((list) => {
    for (const c of list || []) configs.set(c.feedback_key, c);
    keyList.replaceChildren(...[...configs.keys()].sort().map((k) => h('option', { value: k })));
    // Items already on the queue keep showing their configs (locked).
    items.forEach((it) => { if (it.key.value.trim()) it.onKey(); });
  }).catch(() => { /* keys still work; unknown ones are registered on save (a 409 then explains) */ });
  return { close };
}

// ---- add a run to a queue ----

const LAST_KEY = 'anvil.addToQueue.last';
const NEW = '__new__';

/** "Add to annotation queue" for `run` (needs `id`; the name is shown when known). */
export function openAddToQueue(run) {
  const dlg = h('dialog', { class: 'modal add-to-queue', attrs: { 'aria-label': 'Add run to annotation queue' } });
  const close = () => { if (dlg.open) dlg.close(); };
  dlg.addEventListener('close', () => dlg.remove());
  const select = h('select', { class: 'input', name: 'queue', disabled: true, attrs: { 'aria-label': 'Annotation queue' } }, h('option', { value: '' }, 'Loading queues…'));
  const newName = h('input', { class: 'input', name: 'new_queue', placeholder: 'New queue name', attrs: { 'aria-label': 'New queue name', autocomplete: 'off' } });
  const newRow = h('div', { class: 'field atq-new', hidden: true }, newName,
    h('span', { class: 'faint small' }, 'Add a rubric later with “Edit queue” on the queue’s page.'));
  const submit = h('button', { class: 'btn primary', type: 'submit', disabled: true }, 'Add to queue');
  const err = h('div', { class: 'banner', hidden: true, attrs: { role: 'alert' } });
  const status = h('span', { class: 'muted small' });
  let queues = [];
  let member = new Set();
  const sync = () => { submit.disabled = !select.value; newRow.hidden = select.value !== NEW; };
  select.addEventListener('change', () => { sync(); if (select.value === NEW) newName.focus(); });

  const form = h('form', {
    on: {
      submit: async (e) => {
        e.preventDefault();
        if (!select.value) return;
        submit.disabled = true;
        err.hidden = true;
        let q = queues.find((x) => x.id === select.value);
        try {
          if (select.value === NEW) {
            const name = newName.value.trim();
            if (!name) { newName.focus(); submit.disabled = false; return; }
            status.textContent = 'Creating the queue…';
            q = await api('/annotation-queues', { method: 'POST', body: { name } });
          }
          status.textContent = 'Adding…';
          const was = member.has(q.id);
          const [entry] = await api(`/annotation-queues/${q.id}/runs`, { method: 'POST', body: [run.id] });
          localStorage.setItem(LAST_KEY, q.id);
          done(q, entry, was);
        } catch (ex) {
          status.textContent = '';
          err.textContent = `Could not add the run: ${errText(ex)}`;
          err.hidden = false;
          sync();
        }
      },
    },
  },
  h('label', { class: 'field' }, h('span', {}, 'Queue'), select),
  newRow,
  err,
  h('div', { class: 'row end' }, status, h('span', { class: 'grow' }), h('button', { class: 'btn ghost', type: 'button', on: { click: close } }, 'Cancel'), submit));

  const body = h('div', { class: 'atq-body' }, form);

  function done(q, entry, was) {
    const href = `/annotation-queues/${q.id}`;
    const link = h('a', { href, class: 'atq-link', on: { click: () => close() } }, q.name);
    const reviewed = !!entry?.last_reviewed_time;
    const back = reviewed ? h('button', {
      class: 'btn small atq-send-back', type: 'button',
      on: {
        click: async (e) => {
          e.target.disabled = true;
          try {
            await api(`/annotation-queues/${q.id}/runs/${entry.id}`, { method: 'PATCH', body: { last_reviewed_time: null } });
            msg.replaceChildren('The run is back in ', link, ' for review.');
            e.target.remove();
          } catch (ex) { msg.append(h('div', { class: 'banner' }, errText(ex))); }
        },
      },
    }, 'Send back to review') : null;
    const msg = h('p', { class: 'atq-done' }, ...(was
      ? ['The run was already in ', link, reviewed ? ' (reviewed).' : ' (waiting for review).']
      : ['Added the run to ', link, '.']));
    clear(body).append(msg,
      h('p', { class: 'muted small' }, 'Run ', h('span', { class: 'mono' }, run.id), '.'),
      h('div', { class: 'row end' }, back, h('span', { class: 'grow' }), h('button', { class: 'btn primary', type: 'button', on: { click: close } }, 'Done')));
  }

  dlg.append(h('h2', {}, 'Add to annotation queue'),
    h('p', { class: 'muted small atq-run' }, 'Reviewers score ', h('b', {}, run.name || run.id), ' against the queue’s rubric.'), body);
  document.body.append(dlg);
  dlg.showModal();
  select.focus();

  Promise.all([
    api('/annotation-queues', { query: { limit: 1000 } }),
    api(`/annotation-queues/${run.id}/queues`).catch(() => []),
  ]).then(([list, mine]) => {
    queues = (list || []).slice().sort((a, b) => a.name.localeCompare(b.name));
    member = new Set((mine || []).map((q) => q.id));
    const last = localStorage.getItem(LAST_KEY);
    select.replaceChildren(
      h('option', { value: '' }, queues.length ? 'Choose a queue…' : 'No queues yet'),
      ...queues.map((q) => h('option', { value: q.id, selected: q.id === last && !member.has(q.id) }, member.has(q.id) ? `${q.name} (already in)` : q.name)),
      h('option', { value: NEW, selected: !queues.length }, '+ New queue…'));
    select.disabled = false;
    sync();
    if (select.value === NEW) newName.focus();
  }).catch((ex) => {
    select.replaceChildren(h('option', { value: NEW }, '+ New queue…'));
    select.disabled = false;
    err.textContent = `Could not list queues: ${errText(ex)}`;
    err.hidden = false;
    sync();
  });
  return { dlg, close };
}
