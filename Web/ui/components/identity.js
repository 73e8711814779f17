// Pieces shared by the settings tabs: workspace roles (GET /orgs/current/roles), role selects,
// the "shown once" secret box, section cards and dates.
import { h, copyText, fmtTime, fmtAgo } from '../lib/dom.js';
import { api, ApiError } from '../lib/api.js';

let rolesCache = null;  // per page load; roles are fixed by the server

/** All roles: [{id, name, display_name, access_scope}], workspace and organization ones. */
export function roles() {
  rolesCache ??= api('/orgs/current/roles').catch((err) => { rolesCache = null; throw err; });
  return rolesCache;
}

/** Workspace roles, most powerful last (Viewer, Editor, Admin). */
export async function workspaceRoles() {
  const order = { WORKSPACE_VIEWER: 0, WORKSPACE_USER: 1, WORKSPACE_ADMIN: 2 };
  return (await roles()).filter((r) => r.access_scope === 'workspace').sort((a, b) => (order[a.name] ?? 9) - (order[b.name] ?? 9));
}

export async function organizationRoles() {
  return (await roles()).filter((r) => r.access_scope === 'organization');
}

/** A <select> of roles; `value` is a role id. */
export function roleSelect(list, value, { label = 'Role', disabled = false, cls = null, onChange = null } = {}) {
  return h('select', {
    class: ['input', 'role-select', cls], disabled,
    attrs: { 'aria-label': label },
    on: onChange ? { change: (e) => onChange(e.target.value, e.target) } : {},
  }, list.map((r) => h('option', { value: r.id, selected: r.id === value, title: r.description }, r.display_name)));
}

export const errText = (ex) => (ex instanceof ApiError ? ex.detail || ex.message : ex.message);

/** A titled card: header with optional actions, then the body. */
export function section(title, { actions = [], cls = null, intro = null } = {}, ...children) {
  return h('section', { class: ['card', 'settings-section', cls] },
    h('header', {}, h('span', {}, title), h('span', { class: 'grow' }), actions),
    h('div', { class: 'body' }, intro ? h('p', { class: 'muted intro' }, intro) : null, children));
}

/** A new secret (API key, invite link) with a copy button and the warning that it is shown once. */
export function secretBox({ title, secret, note, cls = null, onDismiss = null }) {
  const copy = h('button', { class: 'btn small copy-secret', type: 'button', attrs: { 'aria-label': `Copy ${title}` } }, 'Copy');
  copy.addEventListener('click', async () => {
    await copyText(secret);
    copy.textContent = 'Copied';
    setTimeout(() => { copy.textContent = 'Copy'; }, 1500);
  });
  const box = h('div', { class: ['secret-box', cls], attrs: { role: 'status' } },
    h('div', { class: 'row' }, h('b', {}, title), h('span', { class: 'grow' }),
      onDismiss ? h('button', { class: 'btn small ghost', type: 'button', on: { click: () => { box.remove(); onDismiss(); } } }, 'Done') : null),
    h('div', { class: 'row secret-line' }, h('code', { class: 'secret-value' }, secret), copy),
    note ? h('p', { class: 'small muted' }, note) : null);
  return box;
}

export function when(iso) {
  return h('span', { title: iso ? fmtTime(iso) : '' }, iso ? fmtAgo(iso) : 'never');
}

export function emptyRow(cols, text) {
  return h('tr', { class: 'empty-row' }, h('td', { colSpan: cols, class: 'muted' }, text));
}
