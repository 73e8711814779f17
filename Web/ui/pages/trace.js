// Trace page: /projects/p/:projectId/r/:runId?trace_id=…&run=…&tab=…
// (and the LangSmith app_path form /o/:tenant/projects/p/:projectId/r/:runId).
// The whole trace comes from GET /ui/traces/{trace_id}; the selected run (?run=, default: the run
// in the path) is loaded lazily from GET /runs/{id}.
import { h } from '../lib/dom.js';
import { api, ApiError } from '../lib/api.js';
import { query, setQuery } from '../lib/router.js';
import { traceView, traceSummary } from '../components/trace-view.js';
import { shareButton } from '../components/share.js';

// The last trace shown, so back/forward between selected runs re-renders instantly and keeps
// the expansion state and scroll position.
const CACHE_MS = 30_000;
let cache = null;  // { traceId, data, project, at, restore }

const fullRuns = new Map();  // small LRU of loaded full runs
function rememberRun(id, run) {
  fullRuns.delete(id);
  fullRuns.set(id, run);
  if (fullRuns.size > 40) fullRuns.delete(fullRuns.keys().next().value);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function tracePage({ projectId, runId }) {
  const q = query();
  const projectHref = `/projects/p/${encodeURIComponent(projectId)}`;
  const wantedTrace = q.trace_id || null;

  // Breadcrumb labels and actions are filled in once the trace is here.
  const projectLabel = h('span', {}, 'Project');
  const traceLabel = h('span', {}, 'Loading…');
  const actions = h('div', { class: 'row trace-actions' });
  const el = h('div', { class: 'trace-page' }, h('div', { class: 'trace-loading muted' }, 'Loading trace…'));
  let view = null, share = null, traceId = wantedTrace, isMounted = false, disposed = false;

  const fresh = cache && Date.now() - cache.at < CACHE_MS &&
    (cache.traceId === wantedTrace || (!wantedTrace && cache.data.runs.some((r) => r.id === runId)));
  const load = fresh ? Promise.resolve(cache) : (async () => {
    const projectP = api(`/sessions/${encodeURIComponent(projectId)}`).catch(() => null);
    let tid, data;
    try {
      ({ traceId: tid, data } = await loadTrace(wantedTrace, runId));
    } catch (err) {
      err.project = await projectP;
      throw err;
    }
    performance.mark('anvil:trace-loaded', { detail: { runs: data.runs.length } });
    const project = await projectP;
    cache = { traceId: tid, data, project, at: Date.now(), restore: null };
    return cache;
  })();

  const show = (loaded) => {
    if (disposed) return;
    traceId = loaded.traceId;
    const { data, project } = loaded;
    projectLabel.textContent = project?.name || 'Project';
    if (!data.runs.length) { fail(new ApiError(404, 'empty trace')); return; }
    view = traceView({
      runs: data.runs,
      truncated: data.truncated,
      selectedId: q.run || runId,
      restore: cache?.traceId === traceId ? cache.restore : null,
      tab: q.tab || 'run',
      onSelect: (id) => setQuery({ run: id === runId ? null : id }, { push: true }),
      onTab: (t) => setQuery({ tab: t === 'run' ? null : t }),
      loadRun: async (id, signal) => {
        if (fullRuns.has(id)) return fullRuns.get(id);
        const run = await api(`/runs/${encodeURIComponent(id)}`, { signal });
        rememberRun(id, run);
        return run;
      },
      loadFeedback: (id, signal) => api('/feedback', { query: { run: id, limit: 100 }, signal }),
    });
    const root = view.tree.roots[0];
    traceLabel.textContent = root?.run.name || 'Trace';
    share = root ? shareButton(root.id) : null;
    actions.replaceChildren(traceSummary(view.tree) || '', share?.el || '');
    el.replaceChildren(view.el);
    if (isMounted) {
      view.mounted();
      document.title = `${traceLabel.textContent} · Trace · Anvil`;
    }
  };

  const fail = (err) => {
    if (disposed) return;
    if (err?.project?.name) projectLabel.textContent = err.project.name;
    const notFound = err instanceof ApiError && (err.status === 404 || err.status === 400 || err.status === 422);
    traceLabel.textContent = notFound ? 'Not found' : 'Trace';
    el.replaceChildren(notFound
      ? h('div', { class: 'empty trace-missing' }, h('h3', {}, 'Trace not found'),
        h('p', {}, `No run or trace with id ${traceId || runId} exists in this workspace. It may have been deleted, or the link is wrong.`),
        h('a', { class: 'btn', href: projectHref }, 'Back to the project'))
      : h('div', { class: 'banner' }, `Could not load the trace: ${err.message}`));
  };

  // Fast loads render in one go; slow ones (big traces) show the shell and a loading state first.
  let outcome = null;
  await Promise.race([load.then((v) => { outcome = { v }; }, (e) => { outcome = { e }; }), sleep(250)]);
  if (outcome?.e instanceof ApiError && outcome.e.status === 401) return null;  // api() went to sign-in
  if (outcome) { if (outcome.e) fail(outcome.e); else show(outcome.v); } else load.then(show, fail);

  return {
    el,
    title: view ? `${traceLabel.textContent} · Trace` : 'Trace',
    crumbs: [{ label: 'Projects', href: '/projects' }, { label: projectLabel, href: projectHref }, { label: traceLabel }],
    actions: [actions],
    flush: true,
    mounted: () => { isMounted = true; view?.mounted(); },
    dispose: () => {
      disposed = true;
      if (view && cache && cache.traceId === traceId) cache.restore = view.snapshot();
      share?.dispose();
      view?.dispose();
    },
  };
}

/** Finds and loads the trace: by ?trace_id, else the path run (a root), else via the run's trace_id. */
async function loadTrace(traceId, runId) {
  if (traceId) return { traceId, data: normalise(await api(`/ui/traces/${encodeURIComponent(traceId)}`)) };
  try {
    const data = normalise(await api(`/ui/traces/${encodeURIComponent(runId)}`));
    if (data.runs.length) return { traceId: runId, data };
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
  }
  const run = await api(`/runs/${encodeURIComponent(runId)}`);
  rememberRun(run.id, run);
  const tid = run.trace_id || run.id;
  return { traceId: tid, data: normalise(await api(`/ui/traces/${encodeURIComponent(tid)}`)) };
}

function normalise(d) {
  return { runs: Array.isArray(d?.runs) ? d.runs : [], truncated: !!d?.truncated };
}
