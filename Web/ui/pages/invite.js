// Invitation: /ui/invite/<secret> (the link the server hands out) and /invite/<secret>.
// GET /auth/invitations/<secret> says who is invited to what; accepting
// (POST /auth/invitations/<secret>/accept) creates the account, or adds an existing one, and
// signs in with a session cookie.
import { h } from '../lib/dom.js';
import { api, auth, ApiError } from '../lib/api.js';
import { session } from '../lib/session.js';
import { navigate } from '../lib/router.js';
import { logo } from '../app.js';

const ROLE = { admin: 'admin', editor: 'editor', viewer: 'viewer', user: 'member' };

export async function invitePage({ secret }) {
  const card = h('div', { class: 'card signin invite' }, h('div', { class: 'brand' }, logo(), 'Anvil'));
  const path = `/auth/invitations/${encodeURIComponent(secret)}`;
  let inv;
  try {
    inv = await api(path, { tenant: null });
  } catch (err) {
    card.append(
      h('h1', {}, 'Invitation not found'),
      h('p', { class: 'muted invite-missing' }, err instanceof ApiError && err.status === 404
        ? 'This invitation link is invalid, was already used, or has expired. Ask an admin for a new one.'
        : `Could not load the invitation: ${err.message}`),
      h('a', { href: '/signin' }, 'Go to sign-in'));
    return { el: card, chrome: false, title: 'Invitation' };
  }

  const error = h('div', { class: 'banner', hidden: true, attrs: { role: 'alert' } });
  const name = h('input', { class: 'input', name: 'name', attrs: { autocomplete: 'name' } });
  const password = h('input', { class: 'input', type: 'password', name: 'password', minLength: 8, required: true, attrs: { autocomplete: inv.existing_user ? 'current-password' : 'new-password' } });
  const confirm = h('input', { class: 'input', type: 'password', name: 'confirm', required: true, attrs: { autocomplete: 'new-password' } });
  const button = h('button', { class: 'btn primary', type: 'submit' }, inv.existing_user ? 'Sign in and join' : 'Create account and join');
  const where = inv.workspace_role ? `as ${ROLE[inv.workspace_role] || inv.workspace_role} of a workspace in ` : `as ${ROLE[inv.organization_role] || inv.organization_role} of `;

  async function accept(e) {
    e.preventDefault();
    error.hidden = true;
    if (!inv.existing_user && password.value !== confirm.value) {
      error.textContent = 'The passwords do not match.';
      error.hidden = false;
      return;
    }
    button.disabled = true;
    try {
      // An existing account proves it is theirs with its password: the link alone signs no one in.
      const body = inv.existing_user ? { password: password.value } : { password: password.value, display_name: name.value.trim() || undefined };
      const me = await api(`${path}/accept`, { method: 'POST', body, tenant: null });
      auth.key = null;
      // Open the workspace they were invited to.
      auth.tenant = me.tenant_id || null;
      session.me = me;
      navigate('/projects', { replace: true });
    } catch (err) {
      error.textContent = err instanceof ApiError && (err.status === 401 || err.status === 403) ? 'Wrong password for this account.' : err.message;
      error.hidden = false;
      button.disabled = false;
    }
  }

  card.append(
    h('h1', {}, `Join ${inv.organization || 'Anvil'}`),
    h('p', { class: 'muted' }, 'You are invited ', where, h('b', {}, inv.organization || 'this organization'), '.'),
    error,
    h('form', { class: 'signin-form', on: { submit: accept } },
      h('label', { class: 'field' }, h('span', {}, 'Email'), h('input', { class: 'input', value: inv.email, readOnly: true, name: 'email', attrs: { autocomplete: 'username' } })),
      inv.existing_user ? null : h('label', { class: 'field' }, h('span', {}, 'Your name'), name),
      h('label', { class: 'field' }, h('span', {}, inv.existing_user ? 'Your password' : 'Choose a password'), password),
      inv.existing_user ? null : h('label', { class: 'field' }, h('span', {}, 'Repeat the password'), confirm),
      inv.existing_user ? h('p', { class: 'muted small' }, 'You already have an account: sign in to accept.') : h('p', { class: 'muted small' }, 'At least 8 characters.'),
      button),
    h('p', { class: 'muted small' }, `The invitation expires ${new Date(inv.expires_at).toLocaleDateString()}.`));
  return { el: card, chrome: false, title: 'Invitation', mounted: () => (inv.existing_user ? password : name).focus() };
}
