// Settings → Organization: everyone in the organization with their organization role and
// workspaces, invitations to the organization, removal. Organization admins only.
import { h, clear, fmtTime } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { session } from '../lib/session.js';
import { dialogHost, confirmDialog } from '../components/dataset-dialogs.js';
import { organizationRoles, workspaceRoles, roleSelect, section, secretBox, errText, when, emptyRow } from '../components/identity.js';

export async function renderOrganizationTab(container) {
  const dialogs = dialogHost();
  const [org, orgRoles, wsRoles, workspaces] = await Promise.all([
    api('/orgs/current'), organizationRoles(), workspaceRoles(), api('/workspaces'),
  ]);
  const wsName = new Map(workspaces.map((w) => [w.id, w.display_name]));
  const orgRoleName = (id) => orgRoles.find((r) => r.id === id)?.display_name || '–';
  const error = h('div', { class: 'banner', hidden: true, attrs: { role: 'alert' } });
  const membersBody = h('tbody');
  const pendingBody = h('tbody');
  const created = h('div', { class: 'created-secrets' });
  let state = { members: [], pending: [] };
  const showError = (text) => { error.textContent = text || ''; error.hidden = !text; };

  async function load() {
    try {
      state = await api('/orgs/current/members');
    } catch (err) {
      showError(`Could not load the organization's members: ${errText(err)}`);
      return;
    }
    render();
  }

  // ---- invite to the organization (optionally into one workspace) ----
  const email = h('input', { class: 'input', type: 'email', required: true, placeholder: 'name@example.com', attrs: { 'aria-label': 'Email to invite to the organization', autocomplete: 'off' } });
  const orgRole = roleSelect(orgRoles, orgRoles.find((r) => r.name === 'ORGANIZATION_USER')?.id, { label: 'Organization role' });
  const workspace = h('select', { class: 'input', attrs: { 'aria-label': 'Workspace' } },
    h('option', { value: '' }, 'No workspace'),
    workspaces.map((w) => h('option', { value: w.id, selected: w.id === session.me?.tenant_id }, w.display_name)));
  const wsRole = roleSelect(wsRoles, wsRoles.find((r) => r.name === 'WORKSPACE_USER')?.id, { label: 'Workspace role' });
  const submit = h('button', { class: 'btn primary', type: 'submit' }, 'Invite');
  const form = h('form', {
    class: 'row invite-form org-invite-form',
    on: {
      submit: async (e) => {
        e.preventDefault();
        const address = email.value.trim();
        if (!address) return;
        submit.disabled = true;
        showError('');
        const body = { email: address, role_id: orgRole.value };
        if (workspace.value) Object.assign(body, { workspace_ids: [workspace.value], workspace_role_id: wsRole.value });
        try {
          const res = await api('/orgs/current/members', { method: 'POST', body });
          email.value = '';
          if (res?.invite_url) {
            created.prepend(secretBox({
              title: `Invitation link for ${address}`, secret: res.invite_url, cls: 'invite-link',
              note: 'Send this link to them: it is shown only now and works once, for 7 days.', onDismiss: () => {},
            }));
          }
          await load();
        } catch (err) {
          showError(`Could not invite ${address}: ${errText(err)}`);
        } finally {
          submit.disabled = false;
        }
      },
    },
  }, email, orgRole, h('span', { class: 'muted small' }, 'into'), workspace, wsRole, submit);
  workspace.addEventListener('change', () => { wsRole.disabled = !workspace.value; });

  function memberRow(m) {
    const self = m.id === session.me?.user?.id;
    const select = roleSelect(orgRoles, m.org_role_id, {
      label: `Organization role of ${m.email}`, disabled: self,
      onChange: async (roleId, el) => {
        el.disabled = true;
        showError('');
        try {
          await api(`/orgs/current/members/${m.id}`, { method: 'PATCH', body: { role_id: roleId } });
          m.org_role_id = roleId;
        } catch (err) {
          el.value = m.org_role_id;
          showError(`Could not change the role of ${m.email}: ${errText(err)}`);
        } finally {
          el.disabled = self;
        }
      },
    });
    if (self) select.title = 'You cannot change your own organization role';
    const names = (m.tenant_ids || []).map((id) => wsName.get(id) || id.slice(0, 8));
    return h('tr', { dataset: { memberId: m.id, email: m.email } },
      h('td', {}, h('b', {}, m.full_name || m.email.split('@')[0]), self ? h('span', { class: 'pill you' }, 'you') : null),
      h('td', { class: 'mono' }, m.email),
      h('td', {}, select),
      h('td', { class: 'ws-names', title: names.join(', ') }, names.length ? names.join(', ') : h('span', { class: 'faint' }, 'none')),
      h('td', { class: 'num' }, when(m.created_at)),
      h('td', { class: 'actions-cell' }, self ? null : h('button', {
        class: 'btn small ghost danger remove-org-member', type: 'button', attrs: { 'aria-label': `Remove ${m.email} from the organization` },
        on: {
          click: () => confirmDialog(dialogs, {
            title: 'Remove from the organization?',
            message: [h('b', {}, m.email), ' loses access to every workspace; their sessions and personal access tokens stop working now.'],
            confirmLabel: 'Remove',
            action: async () => { await api(`/orgs/current/members/${m.id}`, { method: 'DELETE' }); await load(); },
          }),
        },
      }, 'Remove')));
  }

  function pendingRow(p) {
    return h('tr', { dataset: { inviteId: p.id, email: p.email } },
      h('td', { class: 'mono' }, p.email),
      h('td', {}, orgRoleName(p.org_role_id)),
      h('td', {}, p.tenant_id ? `${wsName.get(p.tenant_id) || p.tenant_id.slice(0, 8)} (${p.role_name === 'WORKSPACE_VIEWER' ? 'Viewer' : p.role_name === 'WORKSPACE_ADMIN' ? 'Admin' : 'Editor'})` : h('span', { class: 'faint' }, 'none')),
      h('td', { class: 'num', title: fmtTime(p.expires_at) }, new Date(p.expires_at).toLocaleDateString()),
      h('td', { class: 'actions-cell' }, h('button', {
        class: 'btn small ghost danger revoke-invite', type: 'button', attrs: { 'aria-label': `Revoke the invitation of ${p.email}` },
        on: {
          click: () => confirmDialog(dialogs, {
            title: 'Revoke invitation?', message: ['The link sent to ', h('b', {}, p.email), ' stops working.'], confirmLabel: 'Revoke',
            action: async () => { await api(`/orgs/current/members/${p.id}/pending`, { method: 'DELETE' }); await load(); },
          }),
        },
      }, 'Revoke')));
  }

  function render() {
    clear(membersBody).append(...state.members.map(memberRow));
    clear(pendingBody).append(...(state.pending.length ? state.pending.map(pendingRow) : [emptyRow(5, 'No pending invitations.')]));
  }

  container.append(
    error,
    section(org.display_name, { cls: 'org-summary', intro: `${org.workspace_count} workspace${org.workspace_count === 1 ? '' : 's'}. Organization admins manage every workspace, its members and this organization.` }),
    section('Invite to the organization', {}, form, created),
    section('Organization members', {},
      h('div', { class: 'table-wrap' }, h('table', { class: 'data settings-table org-members-table' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Email'), h('th', {}, 'Organization role'), h('th', {}, 'Workspaces'),
          h('th', { class: 'num' }, 'Joined'), h('th', {}, h('span', { class: 'sr-only' }, 'Actions')))),
        membersBody))),
    section('Pending invitations', {},
      h('div', { class: 'table-wrap' }, h('table', { class: 'data settings-table org-pending-table' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Email'), h('th', {}, 'Organization role'), h('th', {}, 'Workspace'),
          h('th', { class: 'num' }, 'Expires'), h('th', {}, h('span', { class: 'sr-only' }, 'Actions')))),
        pendingBody))),
    dialogs);
  await load();
  return {};
}
