// Anvil UI entry: layout, sign-in gate, routes.
import { h, clear } from './lib/dom.js';
import { auth } from './lib/api.js';
import { route, match, start, navigate } from './lib/router.js';
const root = document.getElementById('app');
let current = null;  // { dispose?() } of the mounted page
let generation = 0;  // bumps on every navigation; a slower, older render never lands

// Routes. Pages load on first use (dynamic import), so boot fetches only what the first screen needs.
const page = (module, name) => async (params) => (await import(module))[name](params);
route('/', () => { navigate('/projects', { replace: true }); return null; });
route('/signin', page('./pages/signin.js', 'signinPage'));
route('/projects', page('./pages/projects.js', 'projectsPage'));
route('/projects/p/:projectId', page('./pages/project.js', 'projectPage'));
route('/projects/p/:projectId/:tab', page('./pages/project.js', 'projectPage'));
route('/projects/p/:projectId/r/:runId', page('./pages/trace.js', 'tracePage'));
route('/projects/p/:projectId/t/:threadId', page('./pages/thread.js', 'threadPage'));
// LangSmith-style app paths (`app_path` of runs) map onto the same pages.
route('/o/:tenant/projects/p/:projectId', page('./pages/project.js', 'projectPage'));
route('/o/:tenant/projects/p/:projectId/r/:runId', page('./pages/trace.js', 'tracePage'));
route('/public/:token/r', page('./pages/shared.js', 'sharedRunPage'));
route('/datasets', page('./pages/datasets.js', 'datasetsPage'));
route('/datasets/:datasetId', page('./pages/dataset.js', 'datasetPage'));
route('/datasets/:datasetId/compare', page('./pages/compare.js', 'comparePage'));
route('/datasets/:datasetId/:tab', page('./pages/dataset.js', 'datasetPage'));
route('/o/:tenant/datasets/:datasetId', page('./pages/dataset.js', 'datasetPage'));
route('/o/:tenant/datasets/:datasetId/compare', page('./pages/compare.js', 'comparePage'));
route('/annotation-queues', page('./pages/queues.js', 'queuesPage'));
route('/annotation-queues/:queueId', page('./pages/queue-review.js', 'queueReviewPage'));
route('/prompts', page('./pages/prompts.js', 'promptsPage'));
route('/prompts/:name', page('./pages/prompt.js', 'promptPage'));
// The SDK prints `{host}/prompts/{name}/{hash8}` for own prompts and `{host}/hub/{owner}/{name}:{hash8}` for others'.
route('/prompts/:name/:commit', page('./pages/prompt.js', 'promptPage'));
route('/hub/:owner/:spec', page('./pages/prompt.js', 'promptPage'));

export const PUBLIC_PATHS = [/^\/signin/, /^\/public\//];

async function render() {
  const mine = ++generation;
  current?.dispose?.();
  current = null;
  const path = location.pathname;
  const isPublic = PUBLIC_PATHS.some((re) => re.test(path));
  if (!isPublic && !auth.key) {
    navigate('/signin?next=' + encodeURIComponent(path + location.search), { replace: true });
    return;
  }
  const m = match(path);
  clear(root);
  if (!m) {
    root.append(layout(h('div', { class: 'empty' }, h('h3', {}, 'Not found'), h('p', {}, `Nothing lives at ${path}.`), h('a', { href: '/projects' }, 'Back to projects'))));
    return;
  }
  const mounted = await m.render(m.params);
  if (mine !== generation) { mounted?.dispose?.(); return; }
  if (!mounted) return;
  current = mounted;
  root.append(mounted.chrome === false ? mounted.el : layout(mounted.el, mounted));
  mounted.mounted?.();
  document.title = mounted.title ? `${mounted.title} · Anvil` : 'Anvil';
}

/** The app shell: sidebar navigation, top bar with breadcrumbs and page actions. */
export function layout(content, page = {}) {
  const path = location.pathname;
  const nav = (href, label, test) => h('a', { class: ['nav-item', test(path) && 'active'], href }, label);
  const themeButton = h('button', { class: 'btn small ghost', title: 'Toggle light/dark theme', on: { click: toggleTheme } }, 'Theme');
  return h('div', { class: 'shell' },
    h('aside', { class: 'sidebar' },
      h('a', { class: 'brand', href: '/projects' }, logo(), 'Anvil'),
      nav('/projects', 'Projects', (p) => p.startsWith('/projects') || (p.startsWith('/o/') && p.includes('/projects'))),
      nav('/datasets', 'Datasets & experiments', (p) => p.startsWith('/datasets') || (p.startsWith('/o/') && p.includes('/datasets'))),
      nav('/annotation-queues', 'Annotation queues', (p) => p.startsWith('/annotation-queues')),
      nav('/prompts', 'Prompts', (p) => p.startsWith('/prompts') || p.startsWith('/hub/')),
      h('div', { class: 'spacer' }),
      h('div', { class: 'foot' },
        themeButton,
        h('button', { class: 'btn small ghost', on: { click: () => { auth.key = null; navigate('/signin'); } } }, 'Sign out'))),
    h('main', { class: 'main' },
      h('div', { class: 'topbar' },
        h('nav', { class: 'crumbs', attrs: { 'aria-label': 'Breadcrumb' } }, crumbs(page.crumbs || [])),
        h('div', { class: 'actions' }, page.actions || [])),
      page.tabs || null,
      h('div', { class: ['content', page.flush && 'flush'] }, content)));
}

function crumbs(list) {
  const out = [];
  list.forEach((c, i) => {
    if (i) out.push(h('span', { class: 'sep' }, '/'));
    out.push(i === list.length - 1 ? h('span', { class: 'here' }, c.label) : h('a', { href: c.href }, c.label));
  });
  return out;
}

export function logo() {
  const el = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  el.setAttribute('viewBox', '0 0 16 16');
  el.innerHTML = '<path d="M2 5h9l3-2v3l-3 2H9v2l2 3H4l2-3V8H4z" fill="var(--accent)"/>';
  return el;
}

function toggleTheme() {
  const rootEl = document.documentElement;
  const dark = rootEl.dataset.theme ? rootEl.dataset.theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
  rootEl.dataset.theme = dark ? 'light' : 'dark';
  localStorage.setItem('anvil.theme', rootEl.dataset.theme);
}

const savedTheme = localStorage.getItem('anvil.theme');
if (savedTheme) document.documentElement.dataset.theme = savedTheme;

start(render);
