// One tracing project: breadcrumbs, tabs (Runs, Threads, Monitor) and the mounted tab.
import { h } from '../lib/dom.js';
import { api, ApiError } from '../lib/api.js';
import { renderRunsTab } from './project-runs.js';
import { renderThreadsTab } from './project-threads.js';
import { renderMonitorTab } from './project-monitor.js';

const TABS = [
  { key: 'runs', label: 'Runs', render: renderRunsTab },
  { key: 'threads', label: 'Threads', render: renderThreadsTab },
  { key: 'monitor', label: 'Monitor', render: renderMonitorTab },
];

function problem(title, text, crumbs) {
  return {
    el: h('div', { class: 'empty' }, h('h3', {}, title), h('p', {}, text), h('a', { href: '/projects' }, 'Back to projects')),
    title,
    crumbs,
  };
}

export async function projectPage(params) {
  const id = params.projectId;
  const tabKey = params.tab || 'runs';
  const tab = TABS.find((t) => t.key === tabKey);
  const crumbs = [{ label: 'Projects', href: '/projects' }];
  if (!tab) return problem('Not found', `This project has no “${tabKey}” tab.`, crumbs);

  let project;
  try {
    project = await api(`/sessions/${encodeURIComponent(id)}`, { query: { include_stats: false } });
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 422 || err.status === 400)) {
      return problem('Project not found', 'It may have been deleted, or the link is wrong.', [...crumbs, { label: 'Not found' }]);
    }
    if (err instanceof ApiError && err.status === 401) return null;  // api() went to sign-in
    return problem('Could not load the project', err.message, crumbs);
  }

  const base = `/projects/p/${project.id}`;
  const tabs = h('nav', { class: 'tabs', attrs: { 'aria-label': 'Project views' } },
    TABS.map((t) => h('a', {
      href: t.key === 'runs' ? base : `${base}/${t.key}`,
      class: t === tab ? 'on' : null,
      attrs: { 'aria-current': t === tab ? 'page' : null, 'data-tab': t.key },
    }, t.label)));

  const container = h('div', { class: `project-tab tab-${tab.key}` });
  const el = h('div', { class: 'project-page' },
    project.description ? h('p', { class: 'muted project-desc' }, project.description) : null,
    container);

  let handle = null;
  let disposed = false;
  return {
    el,
    title: project.name,
    crumbs: [...crumbs, { label: project.name, href: base }],
    tabs,
    async mounted() {
      try {
        const hnd = await tab.render(project, container);
        if (disposed) hnd?.dispose?.(); else handle = hnd;
      } catch (err) {
        if (!disposed) container.append(h('div', { class: 'banner' }, `Could not show ${tab.label}: ${err.message}`));
      }
    },
    dispose() {
      disposed = true;
      handle?.dispose?.();
      handle = null;
    },
  };
}
