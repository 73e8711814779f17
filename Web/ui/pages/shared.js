// Public shared trace: /public/:token/r — the trace view, read-only and without the app shell.
// Data from GET /api/v1/public/{token}/trace and GET /api/v1/public/{token}/run/{id}, without any
// API key (the token is the credential).
import { h } from '../lib/dom.js';
import { API_BASE, ApiError } from '../lib/api.js';
import { query, setQuery } from '../lib/router.js';
import { traceView, traceSummary } from '../components/trace-view.js';
import { logo } from '../app.js';

async function publicGet(path, signal) {
  const res = await fetch(API_BASE + path, { headers: { Accept: 'application/json' }, signal, credentials: 'omit' });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!res.ok) throw new ApiError(res.status, data?.detail || res.statusText);
  return data;
}

// Back/forward between selected runs re-renders the page: keep the last trace for a while.
let cache = null;  // { token, data, at, restore }

export async function sharedRunPage({ token }) {
  const q = query();
  const t = encodeURIComponent(token);
  const title = h('h1', { class: 'shared-title' });
  const summary = h('span', { class: 'shared-summary' });
  const body = h('div', { class: 'trace-page shared' }, h('div', { class: 'trace-loading muted' }, 'Loading trace…'));
  const el = h('div', { class: 'shared-page' },
    h('header', { class: 'shared-top' },
      h('span', { class: 'brand' }, logo(), 'Anvil'),
      h('span', { class: 'pill shared-pill', title: 'Anyone with the link can see this trace' }, 'Shared trace · read-only'),
      title, summary),
    body);
  let view = null, isMounted = false, disposed = false;
  const runs = new Map();

  const show = (data) => {
    if (disposed) return;
    if (!data.runs?.length) { fail(new ApiError(404, 'empty')); return; }
    view = traceView({
      runs: data.runs,
      truncated: !!data.truncated,
      selectedId: q.run || null,
      restore: cache?.token === token ? cache.restore : null,
      tab: q.tab || 'run',
      onSelect: (id) => setQuery({ run: id }, { push: true }),
      onTab: (tab) => setQuery({ tab: tab === 'run' ? null : tab }),
      loadRun: async (id, signal) => {
        if (runs.has(id)) return runs.get(id);
        const run = await publicGet(`/public/${t}/run/${encodeURIComponent(id)}`, signal);
        runs.set(id, run);
        return run;
      },
      loadFeedback: null,
    });
    const root = view.tree.roots[0];
    title.textContent = root?.run.name || 'Trace';
    summary.replaceChildren(traceSummary(view.tree) || '');
    body.replaceChildren(view.el);
    document.title = `${title.textContent} · Shared trace · Anvil`;
    if (isMounted) view.mounted();
  };

  const fail = (err) => {
    if (disposed) return;
    const gone = err instanceof ApiError && [401, 403, 404].includes(err.status);
    body.replaceChildren(h('div', { class: 'empty shared-missing' },
      h('h3', {}, gone ? 'This link does not exist' : 'Could not load the shared trace'),
      h('p', {}, gone ? 'The trace was never shared, or its owner turned the public link off.' : err.message)));
  };

  if (cache?.token === token && Date.now() - cache.at < 30_000) show(cache.data);
  else {
    publicGet(`/public/${t}/trace`).then((data) => {
      cache = { token, data, at: Date.now(), restore: null };
      show(data);
    }, fail);
  }

  return {
    chrome: false,
    title: 'Shared trace',
    el,
    mounted: () => { isMounted = true; view?.mounted(); },
    dispose: () => {
      disposed = true;
      if (view && cache?.token === token) cache.restore = view.snapshot();
      view?.dispose();
    },
  };
}
