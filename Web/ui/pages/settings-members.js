// Settings → Members: the workspace's members and their roles, invitations by email (the link is
// shown once, to pass on), pending invitations. Workspace admins only (the server agrees).
import { h, clear, fmtTime } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { session } from '../lib/session.js';
import { dialogHost, confirmDialog } from '../components/dataset-dialogs.js';
import { workspaceRoles, roleSelect, section, secretBox, errText, when, emptyRow } from '../components/identity.js';

export async function renderMembersTab(container) {
  const dialogs = dialogHost();
  const [wsRoles] = await Promise.all([workspaceRoles()]);
  const editorId = wsRoles.find((r) => r.name === 'WORKSPACE_USER')?.id;
  const roleName = (id) => wsRoles.find((r) => r.id === id)?.display_name || '–';

  const error = h('div', { class: 'banner', hidden: true, attrs: { role: 'alert' } });
  const membersBody = h('tbody');
  const pendingBody = h('tbody');
  const count = h('span', { class: 'muted small' });
  const created = h('div', { class: 'created-secrets' });
  let state = { members: [], pending: [] };

  function showError(text) { error.textContent = text || ''; error.hidden = !text; }

  async function load() {
    try {
      state = await api('/workspaces/current/members');
    } catch (err) {
      showError(`Could not load members: ${errText(err)}`);
      return;
    }
    render();
  }

  // ---- invite ----
  const email = h('input', { class: 'input invite-email', type: 'email', required: true, placeholder: 'name@example.com', attrs: { 'aria-label': 'Email to invite', autocomplete: 'off' } });
  const inviteRole = roleSelect(wsRoles, editorId, { label: 'Role for the invitee', cls: 'invite-role' });
  const inviteBtn = h('button', { class: 'btn primary invite-btn', type: 'submit' }, 'Invite');
  const inviteForm = h('form', {
    class: 'row invite-form',
    on: {
      submit: async (e) => {
        e.preventDefault();
        const address = email.value.trim();
        if (!address) return;
        inviteBtn.disabled = true;
        showError('');
        try {
          // workspace_role_id, not role_id: the batch route reads role_id as an organization role.
          const [res] = await api('/workspaces/current/members/batch', { method: 'POST', body: [{ email: address, workspace_role_id: inviteRole.value }] });
          email.value = '';
          if (res?.invite_url) {
            created.prepend(secretBox({
              title: `Invitation link for ${address}`, secret: res.invite_url, cls: 'invite-link',
              note: 'Send this link to them: it is shown only now and works once, for 7 days. Anvil does not send email.',
              onDismiss: () => {},
            }));
          } else {
            created.prepend(h('div', { class: 'notice ok', attrs: { role: 'status' } }, `${address} already belongs to the organization and was added to this workspace.`));
          }
          await load();
        } catch (err) {
          showError(`Could not invite ${address}: ${errText(err)}`);
        } finally {
          inviteBtn.disabled = false;
        }
      },
    },
  }, email, inviteRole, inviteBtn);

  // ---- rows ----
  function memberRow(m) {
    const self = m.id === session.me?.user?.id;
    const orgAdmin = m.org_role_name === 'ORGANIZATION_ADMIN';
    const locked = self || orgAdmin;
    const select = roleSelect(wsRoles, m.role_id, {
      label: `Role of ${m.email}`, disabled: locked,
      onChange: async (roleId, el) => {
        el.disabled = true;
        showError('');
        try {
          await api(`/workspaces/current/members/${m.id}`, { method: 'PATCH', body: { role_id: roleId } });
          m.role_id = roleId;
        } catch (err) {
          el.value = m.role_id;
          showError(`Could not change the role of ${m.email}: ${errText(err)}`);
        } finally {
          el.disabled = false;
        }
      },
    });
    if (locked) select.title = self ? 'You cannot change your own role' : 'Organization admins are admins of every workspace';
    return h('tr', { dataset: { memberId: m.id, email: m.email } },
      h('td', {}, h('b', {}, m.full_name || m.email.split('@')[0]), self ? h('span', { class: 'pill you' }, 'you') : null),
      h('td', { class: 'mono' }, m.email),
      h('td', {}, select, orgAdmin ? h('span', { class: 'muted small org-admin-note' }, ' organization admin') : null),
      h('td', {}, (m.linked_login_methods || []).map((x) => h('span', { class: 'pill small' }, x === 'email' ? 'password' : x))),
      h('td', { class: 'num' }, when(m.created_at)),
      h('td', { class: 'actions-cell' }, locked ? null : h('button', {
        class: 'btn small ghost danger remove-member', type: 'button', attrs: { 'aria-label': `Remove ${m.email}` },
        on: {
          click: () => confirmDialog(dialogs, {
            title: 'Remove from workspace?',
            message: [h('b', {}, m.email), ' loses access to this workspace. They stay in the organization; their other workspaces are unaffected.'],
            confirmLabel: 'Remove',
            action: async () => { await api(`/workspaces/current/members/${m.id}`, { method: 'DELETE' }); await load(); },
          }),
        },
      }, 'Remove')));
  }

  function pendingRow(p) {
    return h('tr', { dataset: { inviteId: p.id, email: p.email } },
      h('td', { class: 'mono' }, p.email),
      h('td', {}, roleName(p.role_id)),
      h('td', { class: 'num' }, when(p.created_at)),
      h('td', { class: 'num', title: fmtTime(p.expires_at) }, new Date(p.expires_at).toLocaleDateString()),
      h('td', { class: 'actions-cell' }, h('button', {
        class: 'btn small ghost danger revoke-invite', type: 'button', attrs: { 'aria-label': `Revoke the invitation of ${p.email}` },
        on: {
          click: () => confirmDialog(dialogs, {
            title: 'Revoke invitation?', message: ['The link sent to ', h('b', {}, p.email), ' stops working.'], confirmLabel: 'Revoke',
            action: async () => { await api(`/workspaces/current/members/${p.id}/pending`, { method: 'DELETE' }); await load(); },
          }),
        },
      }, 'Revoke')));
  }

  function render() {
    count.textContent = `${state.members.length} member${state.members.length === 1 ? '' : 's'}`;
    clear(membersBody).append(...state.members.map(memberRow));
    clear(pendingBody).append(...(state.pending.length ? state.pending.map(pendingRow) : [emptyRow(5, 'No pending invitations.')]));
  }

  container.append(
    error,
    section('Invite people', { intro: 'Invite by email. People already in the organization are added at once; others get an invitation link to pass on.' },
      inviteForm, created),
    section('Members', { actions: [count], cls: 'members-section' },
      h('div', { class: 'table-wrap' }, h('table', { class: 'data settings-table members-table' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Email'), h('th', {}, 'Role'), h('th', {}, 'Sign-in'),
          h('th', { class: 'num' }, 'Joined'), h('th', {}, h('span', { class: 'sr-only' }, 'Actions')))),
        membersBody))),
    section('Pending invitations', { cls: 'pending-section' },
      h('div', { class: 'table-wrap' }, h('table', { class: 'data settings-table pending-table' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Email'), h('th', {}, 'Role'), h('th', { class: 'num' }, 'Invited'),
          h('th', { class: 'num' }, 'Expires'), h('th', {}, h('span', { class: 'sr-only' }, 'Actions')))),
        pendingBody))),
    dialogs);
  await load();
  return {};
}
