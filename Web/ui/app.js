// Anvil UI entry: layout, sign-in gate, workspace switcher, routes.
import { h, clear } from './lib/dom.js';
import { isPublicPath } from './lib/api.js';
import { session, loadMe, switchWorkspace, signOut, ROLE_LABELS } from './lib/session.js';
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
route('/settings', page('./pages/settings.js', 'settingsPage'));
route('/settings/:tab', page('./pages/settings.js', 'settingsPage'));
// Invitation links: the server prints `/ui/invite/<secret>`; `/invite/<secret>` is the same page.
route('/invite/:secret', page('./pages/invite.js', 'invitePage'));
route('/ui/invite/:secret', page('./pages/invite.js', 'invitePage'));

async function render() {
  const mine = ++generation;
  current?.dispose?.();
  current = null;
  const path = location.pathname;
  if (!isPublicPath(path)) {
    // The sign-in gate: a session cookie or a stored key, checked once per page load.
    try {
      await loadMe();
    } catch (err) {
      if (mine !== generation || err.status === 401) return;  // api() went to sign-in
      clear(root).append(h('div', { class: 'card signin' },
        h('h1', {}, 'Anvil is not answering'),
        h('p', { class: 'muted' }, `Could not check who is signed in: ${err.message}`),
        h('button', { class: 'btn primary', type: 'button', on: { click: () => render() } }, 'Try again')));
      return;
    }
    if (mine !== generation) return;
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
      workspaceSwitcher(),
      nav('/projects', 'Projects', (p) => p.startsWith('/projects') || (p.startsWith('/o/') && p.includes('/projects'))),
      nav('/datasets', 'Datasets & experiments', (p) => p.startsWith('/datasets') || (p.startsWith('/o/') && p.includes('/datasets'))),
      nav('/annotation-queues', 'Annotation queues', (p) => p.startsWith('/annotation-queues')),
      nav('/prompts', 'Prompts', (p) => p.startsWith('/prompts') || p.startsWith('/hub/')),
      nav('/settings', 'Settings', (p) => p.startsWith('/settings')),
      h('div', { class: 'spacer' }),
      h('div', { class: 'foot' },
        whoAmI(),
        themeButton,
        h('button', {
          class: 'btn small ghost sign-out', type: 'button',
          on: { click: async () => { await signOut(); navigate('/signin', { replace: true }); } },
        }, 'Sign out'))),
    h('main', { class: 'main' },
      h('div', { class: 'topbar' },
        h('nav', { class: 'crumbs', attrs: { 'aria-label': 'Breadcrumb' } }, crumbs(page.crumbs || [])),
        h('div', { class: 'actions' }, page.actions || [])),
      page.tabs || null,
      h('div', { class: ['content', page.flush && 'flush'] }, content)));
}

/** Renders the current page again (after a workspace switch or rename). */
export function refresh() { render(); }

/** Rebuilds the workspace select (after a workspace was created). */
export function refreshSwitcher() {
  const old = document.querySelector('.ws-switcher');
  const fresh = workspaceSwitcher();
  if (old && fresh) old.replaceWith(fresh);
}

/** The workspace select: later requests carry the chosen id in X-Tenant-Id. */
function workspaceSwitcher() {
  const me = session.me;
  const list = me?.workspaces || [];
  if (!list.length) return null;
  const select = h('select', {
    class: 'input ws-switch', disabled: list.length < 2,
    title: list.length < 2 ? 'You belong to one workspace' : 'Switch workspace',
    attrs: { 'aria-label': 'Workspace' },
    on: {
      change: async () => {
        select.disabled = true;
        try {
          await switchWorkspace(select.value);
        } catch (err) {
          if (err.status !== 401) alert(`Could not switch workspace: ${err.message}`);
          return;
        }
        // Ids in the URL belong to the old workspace: go to the section's list (settings stay).
        const section = location.pathname.split('/')[1];
        const target = section === 'settings' ? location.pathname + location.search
          : ['projects', 'datasets', 'annotation-queues', 'prompts'].includes(section) ? `/${section}`
            : section === 'hub' ? '/prompts' : '/projects';
        if (target === location.pathname + location.search) render(); else navigate(target);
      },
    },
  }, list.map((w) => h('option', { value: w.id, selected: w.id === me.tenant_id }, w.display_name)));
  return h('label', { class: 'ws-switcher' }, h('span', { class: 'ws-label' }, 'Workspace'), select);
}

/** Who is signed in, and their role in this workspace. */
function whoAmI() {
  const me = session.me;
  if (!me) return null;
  const who = me.user ? (me.user.display_name || me.user.email) : (me.kind === 'service_key' ? 'Service key' : 'Signed in');
  return h('div', { class: 'who', title: me.user?.email || '' },
    h('span', { class: 'who-name' }, who),
    me.role ? h('span', { class: ['pill', 'role-pill', `role-${me.role}`] }, ROLE_LABELS[me.role] || me.role) : null);
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
