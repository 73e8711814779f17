// One annotation queue. "Review": the runs needing review one at a time (`GET …/run/{index}`, the
// position in `?i=`), the run's inputs and outputs beside the rubric (instructions and one control
// per rubric item, plus a comment), keyboard-first; submitting writes one feedback per filled item
// (source "app"), marks the run reviewed and shows the next. "Completed" (`?tab=completed`): the
// reviewed runs with their feedback, each can be sent back to review.
import { h, clear, fmtNumber, fmtAgo, fmtTime, preview } from '../lib/dom.js';
import { api, ApiError } from '../lib/api.js';
import { setQuery, query } from '../lib/router.js';
import { dialogHost, openModal } from '../components/dataset-dialogs.js';
import { markdown } from '../components/markdown.js';
import { valueSection } from '../components/run-detail.js';
import { runTypeBadge } from '../components/run-tree.js';
import { openQueueEditor, uuid, fmtScore, errText, traceHref, feedbackText } from '../components/queue-dialogs.js';
import { queueHelp } from './queues.js';

const COMPLETED_PAGE = 50;

const SHORTCUTS = [
  [['1', '…', '9'], 'Pick the n-th category (or score step) of the current item'],
  [['↑', '↓'], 'Previous / next rubric item (also Tab, Shift+Tab)'],
  [['Enter'], 'Submit the review and go to the next run (Shift+Enter: new line)'],
  [['n', '→'], 'Next run'],
  [['p', '←'], 'Previous run'],
  [['s'], 'Skip this run (go to the next, wrapping around)'],
  [['Esc'], 'Leave a text box (then the shortcuts work again)'],
  [['?'], 'Show these shortcuts'],
];

function problem(title, text) {
  return {
    el: h('div', { class: 'empty' }, h('h3', {}, title), h('p', {}, text), h('a', { href: '/annotation-queues' }, 'Back to annotation queues')),
    title,
    crumbs: [{ label: 'Annotation queues', href: '/annotation-queues' }, { label: 'Not found' }],
  };
}

/** Score steps that number keys pick for a bounded continuous item. */
export function scoreSteps(cfg) {
  const lo = cfg?.min, hi = cfg?.max;
  if (lo === null || lo === undefined || hi === null || hi === undefined || !(lo < hi)) return [];
  if (Number.isInteger(lo) && Number.isInteger(hi) && hi - lo >= 2 && hi - lo <= 8) {
    return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  }
  return [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round((lo + f * (hi - lo)) * 10000) / 10000);
}

export async function queueReviewPage(params) {
  const id = params.queueId;
  const qs = query();
  const tab = qs.tab === 'completed' ? 'completed' : 'review';
  let queue;
  try {
    queue = await api(`/annotation-queues/${encodeURIComponent(id)}`);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 422 || err.status === 400)) {
      return problem('Annotation queue not found', 'It may have been deleted, or the link is wrong.');
    }
    if (err instanceof ApiError && err.status === 401) return null;
    return problem('Could not load the annotation queue', errText(err));
  }

  const base = `/annotation-queues/${queue.id}`;
  const dialogs = dialogHost();
  const nameLabel = h('span', {}, queue.name);
  const reviewCount = h('span', { class: 'rd-count rq-count-review' });
  const doneCount = h('span', { class: 'rd-count rq-count-done' });
  const counts = { size: null, total: queue.total_runs ?? null };
  const showCounts = () => {
    reviewCount.textContent = counts.size === null ? '' : fmtNumber(counts.size);
    doneCount.textContent = counts.size === null || counts.total === null ? '' : fmtNumber(Math.max(0, counts.total - counts.size));
  };
  const tabs = h('nav', { class: 'tabs rq-tabs', attrs: { 'aria-label': 'Queue views' } },
    h('a', { href: base, class: tab === 'review' ? 'on' : null, attrs: { 'data-tab': 'review', 'aria-current': tab === 'review' ? 'page' : null } }, 'Review', reviewCount),
    h('a', { href: `${base}?tab=completed`, class: tab === 'completed' ? 'on' : null, attrs: { 'data-tab': 'completed', 'aria-current': tab === 'completed' ? 'page' : null } }, 'Completed', doneCount));

  const toastEl = h('div', { class: 'toast rq-toast', hidden: true, attrs: { role: 'status' } });
  let toastTimer = null;
  const toast = (text) => {
    toastEl.textContent = text;
    toastEl.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { toastEl.hidden = true; }, 2500);
  };

  const container = h('div', { class: `rq-tab rq-${tab}` });
  const el = h('div', { class: 'queue-page' },
    queue.description ? h('p', { class: 'muted rq-desc' }, queue.description) : null,
    container, dialogs, toastEl);

  async function refreshCounts(signal) {
    const [s, t] = await Promise.all([
      api(`${base}/size`, { signal }),
      api(`${base}/total_size`, { signal }),
    ]);
    counts.size = s?.size ?? 0;
    counts.total = t?.size ?? 0;
    showCounts();
    return counts;
  }

  const ctx = { get queue() { return queue; }, base, container, dialogs, counts, refreshCounts, toast };
  let handle = null;

  function showHelp() {
    if (document.querySelector('dialog[open].rq-help')) return;
    openModal(dialogs, {
      title: 'Keyboard shortcuts',
      cls: 'rq-help',
      build: (close) => [
        h('table', { class: 'kv rq-help-table' }, h('tbody', {}, SHORTCUTS.map(([keys, what]) => h('tr', {},
          h('th', {}, keys.map((k) => (k === '…' ? ' … ' : h('span', { class: 'kbd' }, k)))), h('td', {}, what))))),
        h('div', { class: 'row end' }, h('button', { class: 'btn primary', type: 'button', on: { click: close } }, 'Close')),
      ],
    });
  }
  ctx.showHelp = showHelp;

  const actions = [
    tab === 'review' ? h('button', { class: 'btn rq-help-btn', type: 'button', title: 'Keyboard shortcuts (?)', on: { click: showHelp } }, 'Shortcuts ', h('span', { class: 'kbd' }, '?')) : null,
    h('button', {
      class: 'btn rq-edit', type: 'button',
      on: {
        click: () => openQueueEditor(dialogs, {
          queue,
          onSaved: (q) => {
            queue = { ...queue, ...q };
            nameLabel.textContent = queue.name;
            document.title = `${queue.name} · Anvil`;
            handle?.rubricChanged?.();
          },
        }),
      },
    }, 'Edit queue'),
  ];

  let disposed = false;
  return {
    el,
    title: tab === 'review' ? queue.name : `Completed · ${queue.name}`,
    crumbs: [{ label: 'Annotation queues', href: '/annotation-queues' }, { label: nameLabel, href: base }],
    tabs,
    actions,
    async mounted() {
      const hnd = tab === 'review' ? reviewTab(ctx, qs) : completedTab(ctx, qs);
      if (disposed) hnd.dispose(); else handle = hnd;
    },
    dispose() {
      disposed = true;
      clearTimeout(toastTimer);
      handle?.dispose();
      handle = null;
    },
  };
}

// ---- review ----

function reviewTab(ctx, qs) {
  const { container } = ctx;
  const qpath = `/annotation-queues/${ctx.queue.id}`;
  const state = { i: Math.max(0, parseInt(qs.i, 10) || 0), target: null, run: null, feedback: [], items: [], cur: 0, busy: false };
  const ids = new Map();   // `${run id}|${key}` → feedback id chosen for this page's writes (retries overwrite)
  let seq = 0;
  let abort = null;
  let view = null;         // {submitBtn, errBox, comment, itemsEl, rubricEl}

  const idFor = (key) => {
    const mine = state.feedback.find((f) => f.key === key && f.feedback_source?.type === 'app');
    if (mine) return mine.id;
    const k = `${state.run.id}|${key}`;
    if (!ids.has(k)) ids.set(k, uuid());
    return ids.get(k);
  };

  async function load(i, { quiet = false } = {}) {
    const my = ++seq;
    state.target = i;   // where keys pressed while this loads count from
    abort?.abort();
    abort = new AbortController();
    const signal = abort.signal;
    if (!quiet) container.classList.add('loading');
    try {
      let run = null;
      for (let attempt = 0; attempt < 2 && !run; attempt++) {
        const { size } = await ctx.refreshCounts(signal);
        if (my !== seq) return;
        if (!size) { state.run = null; renderDone(); return; }
        i = Math.max(0, Math.min(i, size - 1));
        state.target = i;
        try {
          run = await api(`${qpath}/run/${i}`, { signal });
        } catch (ex) {
          if (!(ex instanceof ApiError && ex.status === 404) || attempt) throw ex;  // the queue changed meanwhile: recount
        }
      }
      const feedback = await api('/feedback', { query: { run: run.id, limit: 200 }, signal }).catch((ex) => { if (ex.name === 'AbortError') throw ex; return []; });
      if (my !== seq) return;
      state.i = i;
      state.run = run;
      state.feedback = feedback || [];
      setQuery({ i: i || null });
      renderRun();
    } catch (ex) {
      if (ex.name === 'AbortError' || my !== seq) return;
      clear(container).append(h('div', { class: 'banner' }, `Could not load the queue’s runs: ${errText(ex)}`));
    } finally {
      if (my === seq) container.classList.remove('loading');
    }
  }

  function renderDone() {
    view = null;
    setQuery({ i: null });
    const { total } = ctx.counts;
    clear(container).append(total
      ? h('div', { class: 'card empty rq-done' },
        h('div', { class: 'rq-done-mark', attrs: { 'aria-hidden': 'true' } }, '✓'),
        h('h3', {}, 'All done'),
        h('p', {}, `Every run in this queue has been reviewed (${fmtNumber(total)} in all).`),
        h('div', { class: 'row rq-done-links' },
          h('a', { class: 'btn primary rq-see-completed', href: `${ctx.base}?tab=completed` }, 'See completed runs'),
          h('a', { class: 'btn', href: '/annotation-queues' }, 'Back to queues')))
      : h('div', { class: 'card empty onboarding rq-empty' },
        h('h3', {}, 'This queue has no runs yet'),
        h('p', {}, 'Add runs to review:'),
        queueHelp(ctx.queue.id)));
  }

  // ---- rubric controls ----

  function buildItem(item, index) {
    const cfg = item.feedback_config?.feedback_config || null;
    const type = cfg?.type || 'score';
    const it = { item, key: item.feedback_key, cfg, type, value: null, index, steps: [] };
    const vd = item.value_descriptions || {};
    const clearBtn = h('button', {
      class: 'btn small ghost rq-clear', type: 'button', hidden: true, title: 'Clear this item', attrs: { 'aria-label': `Clear ${it.key}` },
      on: { click: () => it.set(null) },
    }, 'Clear');
    const head = h('div', { class: 'rq-item-head' },
      h('span', { class: 'rq-key mono' }, it.key),
      item.is_required ? h('span', { class: 'rq-req', title: 'Required' }, '*') : null,
      h('span', { class: 'rq-type faint small' }, type === 'score' ? 'score' : type === 'continuous' && cfg.min !== null && cfg.max !== null ? `${fmtScore(cfg.min)}–${fmtScore(cfg.max)}` : type),
      h('span', { class: 'grow' }), clearBtn);
    const desc = item.description ? h('div', { class: 'rq-item-desc muted small' }, item.description) : null;
    let control;
    let detail = h('div', { class: 'rq-item-detail small muted' });

    if (type === 'categorical') {
      const cats = cfg.categories || [];
      it.steps = cats;
      const buttons = cats.map((c, n) => h('button', {
        class: 'btn rq-cat', type: 'button', dataset: { value: String(c.value), label: c.label ?? '' },
        title: vd[c.label ?? ''] || vd[fmtScore(c.value)] || '',
        attrs: { 'aria-pressed': 'false' },
        on: { click: () => it.set(it.value === c ? null : c) },
      }, n < 9 ? h('span', { class: 'kbd' }, String(n + 1)) : null, c.label ?? fmtScore(c.value)));
      control = h('div', { class: 'rq-cats', attrs: { role: 'group', 'aria-label': it.key } }, buttons);
      it.show = () => {
        buttons.forEach((b, n) => { const on = cats[n] === it.value; b.classList.toggle('on', on); b.setAttribute('aria-pressed', String(on)); });
        const d = it.value ? vd[it.value.label ?? ''] || vd[fmtScore(it.value.value)] : '';
        detail.textContent = d || '';
      };
      it.pick = (n) => { if (cats[n]) it.set(cats[n]); };
    } else if (type === 'continuous' || type === 'score') {
      const bounded = type === 'continuous' && cfg.min !== null && cfg.max !== null && cfg.min < cfg.max;
      const num = h('input', {
        class: 'input rq-number', type: 'number', step: 'any', name: `score-${it.key}`,
        placeholder: bounded ? `${fmtScore(cfg.min)}–${fmtScore(cfg.max)}` : 'score',
        attrs: { 'aria-label': `${it.key} score`, min: cfg?.min ?? null, max: cfg?.max ?? null },
      });
      let range = null;
      if (bounded) {
        const span = cfg.max - cfg.min;
        const integral = Number.isInteger(cfg.min) && Number.isInteger(cfg.max) && span >= 2;
        range = h('input', {
          class: 'rq-range unset', type: 'range', min: String(cfg.min), max: String(cfg.max), step: integral ? '1' : String(span / 100),
          value: String(cfg.min), attrs: { 'aria-label': `${it.key} slider` },
        });
        range.addEventListener('input', () => it.set(Number(range.value), { from: 'range' }));
      }
      num.addEventListener('input', () => it.set(num.value.trim() === '' ? null : Number(num.value), { from: 'number' }));
      it.steps = bounded ? scoreSteps(cfg) : [];
      const stepBtns = it.steps.slice(0, 9).map((v, n) => h('button', {
        class: 'btn small rq-step', type: 'button', dataset: { value: String(v) }, title: (item.score_descriptions || {})[fmtScore(v)] || '',
        on: { click: () => it.set(v) },
      }, h('span', { class: 'kbd' }, String(n + 1)), fmtScore(v)));
      control = h('div', { class: 'rq-continuous' },
        h('div', { class: 'row rq-slider' }, range, num),
        stepBtns.length ? h('div', { class: 'row rq-steps' }, stepBtns) : null,
        type === 'score' ? h('div', { class: 'faint small' }, 'No feedback config is registered for this key: any number.') : null);
      it.show = ({ from } = {}) => {
        if (from !== 'number') num.value = it.value === null ? '' : fmtScore(it.value);
        if (range) {
          range.classList.toggle('unset', it.value === null);
          if (from !== 'range' && it.value !== null && Number.isFinite(it.value)) range.value = String(it.value);
        }
        stepBtns.forEach((b, n) => b.classList.toggle('on', it.value !== null && Math.abs(it.steps[n] - it.value) < 1e-9));
        const sd = item.score_descriptions || {};
        detail.textContent = it.value !== null && sd[fmtScore(it.value)] ? sd[fmtScore(it.value)] : '';
      };
      it.pick = (n) => { if (it.steps[n] !== undefined) it.set(it.steps[n]); };
    } else {
      const text = h('textarea', { class: 'input rq-text', rows: 2, name: `text-${it.key}`, placeholder: 'Your answer…', attrs: { 'aria-label': `${it.key} text` } });
      text.addEventListener('input', () => it.set(text.value.trim() ? text.value : null, { from: 'text' }));
      control = text;
      it.show = ({ from } = {}) => { if (from !== 'text') text.value = it.value ?? ''; };
      it.pick = () => {};
      it.focusTarget = text;
    }

    it.set = (v, opts = {}) => {
      it.value = v;
      it.show(opts);
      clearBtn.hidden = v === null;
      it.el.classList.toggle('filled', v !== null);
      if (v !== null) it.el.classList.remove('missing');
    };
    it.filled = () => it.value !== null;
    it.el = h('div', {
      class: 'rq-item', dataset: { key: it.key, type },
      attrs: { tabindex: '0', role: 'group', 'aria-label': `${it.key}${item.is_required ? ' (required)' : ''}` },
      on: { focusin: () => setCur(index, false), mousedown: () => setCur(index, false) },
    }, head, desc, control, detail);
    return it;
  }

  function setCur(n, focus = true) {
    if (!state.items.length) return;
    state.cur = Math.max(0, Math.min(state.items.length - 1, n));
    state.items.forEach((it, i) => it.el.classList.toggle('cur', i === state.cur));
    if (focus) {
      const it = state.items[state.cur];
      (it.focusTarget || it.el).focus();
      it.el.scrollIntoView({ block: 'nearest' });
    }
  }

  /** Fills the controls from this run's earlier app feedback (a run sent back to review). */
  function prefill() {
    const latest = new Map();
    for (const f of state.feedback) {
      if (f.feedback_source?.type !== 'app') continue;
      const prev = latest.get(f.key);
      if (!prev || (f.modified_at || f.created_at) > (prev.modified_at || prev.created_at)) latest.set(f.key, f);
    }
    let any = false;
    for (const it of state.items) {
      const f = latest.get(it.key);
      if (!f) continue;
      if (it.type === 'categorical') {
        const c = (it.cfg.categories || []).find((x) => (f.value !== null && f.value !== undefined && x.label === f.value) || (f.score !== null && f.score !== undefined && Number(x.value) === Number(f.score)));
        if (c) { it.set(c); any = true; }
      } else if (it.type === 'freeform') {
        if (f.value !== null && f.value !== undefined) { it.set(typeof f.value === 'string' ? f.value : JSON.stringify(f.value)); any = true; }
      } else if (typeof f.score === 'number') { it.set(f.score); any = true; }
    }
    const withComment = [...latest.values()].find((f) => f.comment && (state.items.some((it) => it.key === f.key) || f.key === 'note'));
    if (withComment) { view.comment.value = withComment.comment; any = true; }
    return any;
  }

  // ---- the screen ----

  function renderRun() {
    const run = state.run;
    const { size, total } = ctx.counts;
    const q = ctx.queue;
    const reviewed = Math.max(0, total - size);

    const prevBtn = h('button', { class: 'btn rq-prev', type: 'button', disabled: state.i === 0, title: 'Previous run (p, ←)', on: { click: () => prev() } }, '‹ Previous');
    const nextBtn = h('button', { class: 'btn rq-next', type: 'button', disabled: state.i >= size - 1, title: 'Next run (n, →)', on: { click: () => next() } }, 'Next ›');
    const skipBtn = h('button', { class: 'btn rq-skip', type: 'button', disabled: size < 2, title: 'Skip: review it later (s)', on: { click: () => skip() } }, 'Skip');
    const progress = h('div', { class: 'rq-progress' },
      h('div', { class: 'rq-bar', attrs: { role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': String(total), 'aria-valuenow': String(reviewed), 'aria-label': 'Reviewed' } },
        h('div', { class: 'rq-bar-fill', style: { width: `${total ? (100 * reviewed) / total : 0}%` } })),
      h('span', { class: 'rq-left' }, h('b', {}, fmtNumber(size)), ` of ${fmtNumber(total)} left`),
      h('span', { class: 'muted rq-pos' }, `Run ${fmtNumber(state.i + 1)} of ${fmtNumber(size)} to review`),
      h('span', { class: 'grow' }), prevBtn, skipBtn, nextBtn);

    // run pane
    const removeBtn = h('button', {
      class: 'btn small ghost danger rq-remove', type: 'button', title: 'Take this run out of the queue (its feedback stays)',
      on: {
        click: async () => {
          removeBtn.disabled = true;
          try {
            await api(`${qpath}/runs/${run.queue_run_id || run.id}`, { method: 'DELETE' });
            ctx.toast('Removed the run from the queue.');
            load(state.i);
          } catch (ex) { showErr(`Could not remove the run: ${errText(ex)}`); removeBtn.disabled = false; }
        },
      },
    }, 'Remove from queue');
    const status = run.status || (run.error ? 'error' : run.end_time ? 'success' : 'pending');
    const runPane = h('section', { class: 'rq-run', dataset: { runId: run.id } },
      h('header', { class: 'rq-run-head' },
        h('div', { class: 'rd-title' },
          runTypeBadge(run.run_type),
          h('h2', { class: 'rq-run-name' }, run.name || 'Unnamed'),
          h('span', { class: ['pill', status === 'error' ? 'err' : status === 'success' ? 'ok' : 'pending'] }, status),
          h('span', { class: 'grow' }),
          h('a', { class: 'btn small rq-trace-link', href: traceHref(run), title: 'Open the whole trace' }, 'Open trace'),
          removeBtn),
        h('div', { class: 'rd-stats' },
          h('span', { class: 'muted', title: fmtTime(run.start_time) }, 'Started ', fmtTime(run.start_time)),
          h('span', { class: 'muted', title: fmtTime(run.added_at) }, 'added ', fmtAgo(run.added_at)),
          h('span', { class: 'mono faint small' }, run.id))),
      run.error ? h('section', { class: 'rd-section rd-error' }, h('h3', {}, 'Error'), h('pre', { class: 'error-stack' }, run.error)) : null,
      valueSection('Input', run.inputs, 'This run has no inputs.', 'rq-inputs'),
      valueSection('Output', run.outputs, run.error ? 'No output (the run failed).' : 'This run has no outputs.', 'rq-outputs'));

    // rubric pane
    state.items = (q.rubric_items || []).map((item, n) => buildItem(item, n));
    const itemsEl = h('div', { class: 'rq-items' }, state.items.map((it) => it.el));
    const comment = h('textarea', {
      class: 'input rq-comment', rows: 3, name: 'comment', placeholder: 'Optional. Saved with each score (as a “note” when no item is filled).',
      attrs: { 'aria-label': 'Comment' },
    });
    const errBox = h('div', { class: 'banner rq-error', hidden: true, attrs: { role: 'alert' } });
    const submitBtn = h('button', { class: 'btn primary rq-submit', type: 'button', on: { click: () => submit() } }, 'Submit', h('span', { class: 'kbd' }, '⏎'));
    const prefNote = h('div', { class: 'rq-prefilled small muted', hidden: true }, 'Filled in from your earlier feedback on this run; submitting updates it.');
    const rubricEl = h('aside', { class: 'rq-rubric card' },
      h('header', {}, 'Rubric', h('span', { class: 'grow' }),
        h('button', { class: 'btn small ghost', type: 'button', title: 'Keyboard shortcuts', on: { click: () => ctx.showHelp() } }, h('span', { class: 'kbd' }, '?'))),
      h('div', { class: 'body' },
        q.rubric_instructions ? h('details', { class: 'rq-instructions', open: true }, h('summary', {}, 'Instructions'), markdown(q.rubric_instructions)) : null,
        state.items.length ? itemsEl : h('p', { class: 'muted small rq-no-items' }, 'This queue’s rubric has no items: leave a comment, or add items with “Edit queue”.'),
        h('label', { class: 'rq-comment-field' }, h('span', { class: 'small muted' }, 'Comment'), comment),
        prefNote,
        errBox,
        h('div', { class: 'row rq-submit-row' }, submitBtn, h('span', { class: 'grow' }),
          h('span', { class: 'faint small rq-keys' }, h('span', { class: 'kbd' }, '1–9'), ' pick · ', h('span', { class: 'kbd' }, '↑↓'), ' item · ', h('span', { class: 'kbd' }, 's'), ' skip'))));
    view = { submitBtn, errBox, comment, itemsEl, rubricEl };
    prefNote.hidden = !prefill();

    clear(container).append(progress, h('div', { class: 'rq-grid' }, runPane, rubricEl));
    state.cur = 0;
    if (state.items.length) setCur(0, !document.querySelector('dialog[open]'));
  }

  function showErr(text) {
    if (!view) return;
    view.errBox.replaceChildren(...[].concat(text));
    view.errBox.hidden = !text;
    if (text) view.errBox.scrollIntoView({ block: 'nearest' });
  }

  async function submit() {
    if (state.busy || !state.run || !view) return;
    showErr('');
    state.items.forEach((it) => it.el.classList.remove('missing'));
    const missing = state.items.filter((it) => it.item.is_required && !it.filled());
    if (missing.length) {
      missing.forEach((it) => it.el.classList.add('missing'));
      showErr(`Fill in the required item${missing.length === 1 ? '' : 's'}: ${missing.map((it) => it.key).join(', ')}.`);
      setCur(missing[0].index);
      return;
    }
    const bad = state.items.find((it) => (it.type === 'continuous' || it.type === 'score') && it.filled() && !Number.isFinite(it.value));
    if (bad) { showErr(`“${bad.key}” must be a number.`); setCur(bad.index); return; }
    const run = state.run;
    const note = view.comment.value.trim() || null;
    const writes = state.items.filter((it) => it.filled()).map((it) => {
      const body = { id: idFor(it.key), run_id: run.id, key: it.key, comment: note, feedback_source: { type: 'app' } };
      if (it.type === 'categorical') { body.score = it.value.value; if (it.value.label) body.value = it.value.label; } else if (it.type === 'freeform') body.value = it.value;
      else body.score = it.value;
      return body;
    });
    if (!writes.length && note) writes.push({ id: idFor('note'), run_id: run.id, key: 'note', comment: note, feedback_source: { type: 'app' } });
    state.busy = true;
    view.submitBtn.disabled = true;
    const my = seq;
    try {
      for (const body of writes) {
        try {
          await api('/feedback', { method: 'POST', body });
        } catch (ex) {
          const it = state.items.find((x) => x.key === body.key);
          if (it) { it.el.classList.add('missing'); setCur(it.index); }
          showErr([h('b', {}, `Could not save “${body.key}”: `), h('span', { class: 'rq-server-msg' }, errText(ex))]);
          return;
        }
      }
      try {
        await api(`${qpath}/runs/${run.queue_run_id}`, { method: 'PATCH', body: { last_reviewed_time: new Date().toISOString() } });
      } catch (ex) {
        showErr([h('b', {}, 'The feedback is saved, but the run could not be marked reviewed: '), h('span', { class: 'rq-server-msg' }, errText(ex))]);
        return;
      }
      if (my !== seq) return;
      ctx.toast(writes.length ? `Saved ${writes.length} feedback ${writes.length === 1 ? 'entry' : 'entries'}.` : 'Marked reviewed.');
      await load(state.i, { quiet: true });   // the same position now holds the next run
    } finally {
      state.busy = false;
      if (view) view.submitBtn.disabled = false;
    }
  }

  const size = () => ctx.counts.size || 0;
  const at = () => state.target ?? state.i;
  function next() { if (at() < size() - 1) load(at() + 1, { quiet: true }); }
  function prev() { if (at() > 0) load(at() - 1, { quiet: true }); }
  function skip() {
    if (size() < 2) { ctx.toast('This is the only run left to review.'); return; }
    const to = (at() + 1) % size();
    if (to === 0) ctx.toast('Back to the first run.');
    load(to, { quiet: true });
  }

  function onKey(e) {
    if (e.defaultPrevented || !view || !state.run) return;
    if (document.querySelector('dialog[open]')) return;
    const t = e.target instanceof Element ? e.target : document.body;
    const inItem = t.closest('.rq-item');
    const textish = t.matches('textarea, input:not([type]), input[type=text], input[type=search], input[type=number], select, [contenteditable="true"]');
    if (e.key === 'Enter') {
      if (e.shiftKey && t.matches('textarea')) return;
      if (e.altKey) return;
      // Buttons and links outside the rubric's items keep their own Enter.
      if (!inItem && t.closest('a[href], button, summary') && !t.closest('.rq-submit')) return;
      if (t.matches('select')) return;
      e.preventDefault();
      submit();
      return;
    }
    if (e.metaKey || e.ctrlKey || e.altKey) return;
    if (e.key === 'Tab' && inItem && state.items.length) {
      const n = state.cur + (e.shiftKey ? -1 : 1);
      if (n < 0 || n >= state.items.length) return;   // out of the rubric: the browser's order (comment, submit)
      e.preventDefault();
      setCur(n);
      return;
    }
    if (e.key === 'Escape' && textish && view.rubricEl.contains(t)) {
      e.preventDefault();
      if (inItem) state.items[state.cur].el.focus(); else t.blur();
      return;
    }
    if (textish) return;
    if (e.key === '?') { e.preventDefault(); ctx.showHelp(); return; }
    if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      if (!state.items.length) return;
      e.preventDefault();
      setCur(state.cur + (e.key === 'ArrowDown' ? 1 : -1));
      return;
    }
    if ((e.key === 'ArrowRight' || e.key === 'ArrowLeft') && t.matches('input[type=range]')) return;
    if (e.key === 'n' || e.key === 'ArrowRight') { e.preventDefault(); next(); return; }
    if (e.key === 'p' || e.key === 'ArrowLeft') { e.preventDefault(); prev(); return; }
    if (e.key === 's') { e.preventDefault(); skip(); return; }
    if (/^[1-9]$/.test(e.key) && state.items.length) {
      e.preventDefault();
      const it = state.items[state.cur];
      it.pick(Number(e.key) - 1);
      if (it.type === 'freeform') it.focusTarget.focus();
    }
  }

  document.addEventListener('keydown', onKey);
  load(state.i);
  return {
    rubricChanged() { if (state.run) renderRun(); },
    dispose() {
      document.removeEventListener('keydown', onKey);
      abort?.abort();
      seq++;
    },
  };
}

// ---- completed ----

function completedTab(ctx, qs) {
  const { container } = ctx;
  const qpath = `/annotation-queues/${ctx.queue.id}`;
  const state = { offset: Math.max(0, parseInt(qs.offset, 10) || 0), rows: [], more: false, feedback: new Map() };
  let seq = 0;
  let abort = null;

  async function load() {
    const my = ++seq;
    abort?.abort();
    abort = new AbortController();
    const signal = abort.signal;
    container.classList.add('loading');
    try {
      const [rows] = await Promise.all([
        api(`${qpath}/runs`, { query: { status: 'completed', limit: COMPLETED_PAGE + 1, offset: state.offset }, signal }),
        ctx.refreshCounts(signal),
      ]);
      const page = (rows || []).slice(0, COMPLETED_PAGE);
      const fb = page.length ? await api('/feedback', { query: { run: page.map((r) => r.id), limit: 1000 }, signal }) : [];
      if (my !== seq) return;
      state.more = (rows || []).length > COMPLETED_PAGE;
      state.rows = page;
      state.feedback = new Map();
      for (const f of fb || []) {
        if (!state.feedback.has(f.run_id)) state.feedback.set(f.run_id, []);
        state.feedback.get(f.run_id).push(f);
      }
      if (!page.length && state.offset > 0) { state.offset = 0; setQuery({ offset: null }); load(); return; }
      render();
    } catch (ex) {
      if (ex.name === 'AbortError' || my !== seq) return;
      clear(container).append(h('div', { class: 'banner' }, `Could not load the reviewed runs: ${errText(ex)}`));
    } finally {
      if (my === seq) container.classList.remove('loading');
    }
  }

  function feedbackCell(run) {
    const keys = (ctx.queue.rubric_items || []).map((it) => it.feedback_key);
    const all = state.feedback.get(run.id) || [];
    const mine = all.filter((f) => keys.includes(f.key)).sort((a, b) => keys.indexOf(a.key) - keys.indexOf(b.key));
    const others = all.filter((f) => !keys.includes(f.key));
    if (!all.length) return h('span', { class: 'faint' }, 'no feedback');
    const comments = [...new Set(mine.map((f) => f.comment).filter(Boolean))];
    const pill = (f, cls) => h('span', {
      class: ['pill', 'rq-fb-pill', cls], dataset: { key: f.key },
      title: `${f.key} · ${f.feedback_source?.type || 'unknown source'}${f.comment ? `\n${f.comment}` : ''}`,
    }, h('span', { class: 'mono' }, f.key), ' ', h('b', {}, feedbackText(f)));
    return h('div', { class: 'rq-fb' },
      h('div', { class: 'rq-fb-pills' },
        mine.length ? mine.map((f) => pill(f, 'rubric')) : h('span', { class: 'faint small' }, 'no rubric feedback'),
        others.length ? h('span', {
          class: 'faint small rq-fb-others', title: others.map((f) => `${f.key}: ${feedbackText(f)}`).join('\n'),
        }, `+${others.length} other`) : null),
      comments.length ? h('div', { class: 'rq-fb-comment small muted', title: comments.join('\n') }, comments.join(' · ')) : null);
  }

  function rowFor(run) {
    const back = h('button', {
      class: 'btn small rq-send-back', type: 'button', title: 'Put this run back among those needing review',
      on: {
        click: async () => {
          back.disabled = true;
          try {
            await api(`${qpath}/runs/${run.queue_run_id}`, { method: 'PATCH', body: { last_reviewed_time: null } });
            state.rows = state.rows.filter((r) => r.id !== run.id);
            ctx.toast('Sent back to review.');
            await ctx.refreshCounts();
            render();
          } catch (ex) {
            back.disabled = false;
            ctx.toast(`Could not send it back: ${errText(ex)}`);
          }
        },
      },
    }, 'Send back to review');
    return h('tr', { dataset: { runId: run.id } },
      h('td', { class: 'rq-c-name' },
        h('span', { class: 'rq-c-run' }, runTypeBadge(run.run_type), h('a', { href: traceHref(run), class: 'rq-trace-link' }, run.name || 'Unnamed'))),
      h('td', { class: 'rq-c-preview muted', title: preview(run.inputs, 400) }, preview(run.inputs, 120)),
      h('td', { class: 'rq-c-preview muted', title: preview(run.outputs, 400) }, run.error ? h('span', { class: 'err-text' }, preview(run.error, 120)) : preview(run.outputs, 120)),
      h('td', { class: 'rq-c-feedback' }, feedbackCell(run)),
      h('td', { class: 'num nowrap', title: fmtTime(run.last_reviewed_time) }, fmtAgo(run.last_reviewed_time)),
      h('td', { class: 'actions-cell' }, back));
  }

  function render() {
    clear(container);
    if (!state.rows.length) {
      container.append(h('div', { class: 'empty rq-completed-empty' },
        h('h3', {}, 'No reviewed runs yet'),
        h('p', {}, 'Runs show up here once they are submitted on the review screen.'),
        h('a', { class: 'btn primary', href: ctx.base }, 'Start reviewing')));
      return;
    }
    container.append(h('div', { class: 'table-wrap' }, h('table', { class: 'data rq-completed-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Run'), h('th', {}, 'Input'), h('th', {}, 'Output'), h('th', {}, 'Feedback'),
        h('th', { class: 'num' }, 'Reviewed'), h('th', {}, h('span', { class: 'sr-only' }, 'Actions')))),
      h('tbody', {}, state.rows.map(rowFor)))));
    if (state.offset || state.more) {
      const go = (o) => { state.offset = Math.max(0, o); setQuery({ offset: state.offset || null }); load(); };
      container.append(h('div', { class: 'row pager' },
        h('span', { class: 'muted page-info' }, `Runs ${state.offset + 1}–${state.offset + state.rows.length}`), h('span', { class: 'grow' }),
        h('button', { class: 'btn', type: 'button', disabled: !state.offset, on: { click: () => go(state.offset - COMPLETED_PAGE) } }, '‹ Previous'),
        h('button', { class: 'btn', type: 'button', disabled: !state.more, on: { click: () => go(state.offset + COMPLETED_PAGE) } }, 'Next ›')));
    }
  }

  load();
  return {
    rubricChanged() { render(); },
    dispose() { abort?.abort(); seq++; },
  };
}
