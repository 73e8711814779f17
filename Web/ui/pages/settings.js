// Settings: workspace members, organization members, API keys, the workspace (name, hub handle,
// other workspaces), the signed-in account, and the audit log. Tabs appear by role: what a
// viewer cannot read is not offered, what they can read has no write controls.
import { h } from '../lib/dom.js';
import { navigate } from '../lib/router.js';
import { session, canManage, isOrgAdmin, isUser, currentWorkspace, ROLE_LABELS } from '../lib/session.js';

const TABS = [
  { key: 'members', label: 'Members', show: canManage, load: () => import('./settings-members.js').then((m) => m.renderMembersTab) },
  { key: 'organization', label: 'Organization', show: isOrgAdmin, load: () => import('./settings-org.js').then((m) => m.renderOrganizationTab) },
  { key: 'api-keys', label: 'API keys', show: () => canManage() || isUser(), load: () => import('./settings-keys.js').then((m) => m.renderKeysTab) },
  { key: 'workspace', label: 'Workspace', show: () => true, load: () => import('./settings-workspace.js').then((m) => m.renderWorkspaceTab) },
  { key: 'account', label: 'Account', show: () => true, load: () => import('./settings-workspace.js').then((m) => m.renderAccountTab) },
  { key: 'audit', label: 'Audit log', show: canManage, load: () => import('./settings-audit.js').then((m) => m.renderAuditTab) },
];

export async function settingsPage(params) {
  const visible = TABS.filter((t) => t.show());
  if (!params.tab) {
    navigate(`/settings/${visible[0].key}`, { replace: true });
    return null;
  }
  const tab = TABS.find((t) => t.key === params.tab);
  const crumbs = [{ label: 'Settings', href: '/settings' }];
  if (!tab || !tab.show()) {
    return {
      el: h('div', { class: 'empty' },
        h('h3', {}, tab ? 'Not available with your role' : 'Not found'),
        h('p', {}, tab ? `“${tab.label}” needs a higher role than ${ROLE_LABELS[session.me?.role] || 'yours'} in this workspace.` : `Settings have no “${params.tab}” tab.`),
        h('a', { href: '/settings' }, 'Back to settings')),
      title: 'Settings',
      crumbs,
    };
  }
  const tabs = h('nav', { class: 'tabs', attrs: { 'aria-label': 'Settings sections' } },
    visible.map((t) => h('a', {
      href: `/settings/${t.key}`, class: t === tab ? 'on' : null,
      attrs: { 'aria-current': t === tab ? 'page' : null, 'data-tab': t.key },
    }, t.label)));
  const ws = currentWorkspace();
  const container = h('div', { class: `settings-tab tab-${tab.key}` });
  const el = h('div', { class: 'settings-page' },
    session.me?.role === 'viewer' ? h('div', { class: 'notice read-only-note' },
      'You are a viewer in this workspace: settings are read-only for you. Ask a workspace admin for a higher role.') : null,
    container);
  let handle = null;
  let disposed = false;
  return {
    el,
    title: `${tab.label} · Settings`,
    crumbs: [...crumbs, ...(ws ? [{ label: ws.display_name, href: '/settings/workspace' }] : []), { label: tab.label }],
    tabs,
    async mounted() {
      try {
        const render = await tab.load();
        const hnd = await render(container);
        if (disposed) hnd?.dispose?.(); else handle = hnd;
      } catch (err) {
        if (!disposed && err.status !== 401) container.append(h('div', { class: 'banner' }, `Could not show ${tab.label}: ${err.message}`));
      }
    },
    dispose() {
      disposed = true;
      handle?.dispose?.();
      handle = null;
    },
  };
}
