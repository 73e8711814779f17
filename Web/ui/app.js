// Anvil UI entry: layout, sign-in gate, routes.
import { h, clear } from './lib/dom.js';
import { auth } from './lib/api.js';
import { route, match, start, navigate } from './lib/router.js';
import { signinPage } from './pages/signin.js';
import { projectsPage } from './pages/projects.js';
import { projectPage } from './pages/project.js';
import { tracePage } from './pages/trace.js';
import { threadPage } from './pages/thread.js';
import { sharedRunPage } from './pages/shared.js';

const root = document.getElementById('app');
let current = null;  // { dispose?() } of the mounted page
let generation = 0;  // bumps on every navigation; a slower, older render never lands

// Routes. Project sub-pages share one page with tabs: runs (default), threads, monitor.
route('/', () => { navigate('/projects', { replace: true }); return null; });
route('/signin', signinPage, { public: true });
route('/projects', projectsPage);
route('/projects/p/:projectId', projectPage);
route('/projects/p/:projectId/:tab', projectPage);
route('/projects/p/:projectId/r/:runId', tracePage);
route('/projects/p/:projectId/t/:threadId', threadPage);
// LangSmith-style app paths (`app_path` of runs) map onto the same pages.
route('/o/:tenant/projects/p/:projectId', projectPage);
route('/o/:tenant/projects/p/:projectId/r/:runId', tracePage);
route('/public/:token/r', sharedRunPage);

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
  const page = await m.render(m.params);
  if (mine !== generation) { page?.dispose?.(); return; }
  if (!page) return;
  current = page;
  root.append(page.chrome === false ? page.el : layout(page.el, page));
  page.mounted?.();
  document.title = page.title ? `${page.title} · Anvil` : 'Anvil';
}

/** The app shell: sidebar navigation, top bar with breadcrumbs and page actions. */
export function layout(content, page = {}) {
  const path = location.pathname;
  const nav = (href, label, test) => h('a', { class: ['nav-item', test(path) && 'active'], href }, label);
  const themeButton = h('button', { class: 'btn small ghost', title: 'Toggle light/dark theme', on: { click: toggleTheme } }, 'Theme');
  return h('div', { class: 'shell' },
    h('aside', { class: 'sidebar' },
      h('a', { class: 'brand', href: '/projects' }, logo(), 'Anvil'),
      nav('/projects', 'Projects', (p) => p.startsWith('/projects') || p.startsWith('/o/')),
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
