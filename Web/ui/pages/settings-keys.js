// Settings → API keys: the workspace's service keys (workspace admins) and the signed-in user's
// personal access tokens. A new key's secret is shown once, with a copy button; the list shows
// the short form, role and last use; revoking takes effect at once.
import { h, clear } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { canManage, isUser, currentWorkspace } from '../lib/session.js';
import { dialogHost, confirmDialog } from '../components/dataset-dialogs.js';
import { workspaceRoles, roleSelect, section, secretBox, errText, when, emptyRow } from '../components/identity.js';

/**
 * One kind of key: `base` is `/api-key` (service keys) or `/api-key/current` (personal tokens).
 */
function keyList({ base, kind, dialogs, roles = null }) {
  const service = kind === 'service';
  const error = h('div', { class: 'banner', hidden: true, attrs: { role: 'alert' } });
  const body = h('tbody');
  const created = h('div', { class: 'created-secrets' });
  const showError = (text) => { error.textContent = text || ''; error.hidden = !text; };
  const description = h('input', {
    class: 'input key-description', maxLength: 200, placeholder: service ? 'e.g. production tracing' : 'e.g. my laptop',
    attrs: { 'aria-label': service ? 'Service key description' : 'Token description', autocomplete: 'off' },
  });
  const role = service ? roleSelect(roles, roles.find((r) => r.name === 'WORKSPACE_USER')?.id, { label: 'Service key role', cls: 'key-role' }) : null;
  const submit = h('button', { class: 'btn primary create-key', type: 'submit' }, service ? 'Create service key' : 'Create token');
  const form = h('form', {
    class: 'row key-form',
    on: {
      submit: async (e) => {
        e.preventDefault();
        submit.disabled = true;
        showError('');
        try {
          const payload = { description: description.value.trim() || undefined };
          if (service) payload.role_id = role.value;
          const key = await api(base, { method: 'POST', body: payload });
          description.value = '';
          created.prepend(secretBox({
            title: `New ${service ? 'service key' : 'personal access token'}: ${key.description}`, secret: key.key, cls: 'new-key',
            note: 'Copy it now: Anvil keeps only a hash and will not show it again. Use it as LANGSMITH_API_KEY or the x-api-key header.',
            onDismiss: () => {},
          }));
          await load();
        } catch (err) {
          showError(`Could not create the key: ${errText(err)}`);
        } finally {
          submit.disabled = false;
        }
      },
    },
  }, description, role, submit);

  function row(k) {
    return h('tr', { dataset: { keyId: k.id, description: k.description } },
      h('td', {}, h('b', {}, k.description)),
      h('td', { class: 'mono short-key' }, k.short_key),
      service ? h('td', {}, roles.find((r) => r.id === k.role_id)?.display_name || k.role_name || '–')
        : h('td', {}, k.default_workspace_name || '–'),
      h('td', { class: 'num' }, when(k.created_at)),
      h('td', { class: 'num last-used' }, when(k.last_used_at)),
      h('td', { class: 'actions-cell' }, h('button', {
        class: 'btn small ghost danger revoke-key', type: 'button', attrs: { 'aria-label': `Revoke ${k.description}` },
        on: {
          click: () => confirmDialog(dialogs, {
            title: service ? 'Revoke service key?' : 'Revoke token?',
            message: ['Anything using ', h('b', {}, k.description), ` (${k.short_key}) gets 401 from now on. This cannot be undone.`],
            confirmLabel: 'Revoke',
            action: async () => { await api(`${base}/${k.id}`, { method: 'DELETE' }); await load(); },
          }),
        },
      }, 'Revoke')));
  }

  async function load() {
    let keys;
    try {
      keys = await api(base);
    } catch (err) {
      showError(`Could not load keys: ${errText(err)}`);
      return;
    }
    clear(body).append(...(keys.length ? keys.map(row) : [emptyRow(6, service ? 'No service keys yet.' : 'No personal access tokens yet.')]));
  }

  const el = section(service ? 'Service keys' : 'Personal access tokens', {
    cls: service ? 'service-keys' : 'personal-tokens',
    intro: service
      ? `Keys for applications and CI in ${currentWorkspace()?.display_name || 'this workspace'}, with a role of their own; they do not belong to a person.`
      : 'Tokens that act as you, with your role, in the workspace they are created in. Use them for scripts and notebooks.',
  },
  error, form, created,
  h('div', { class: 'table-wrap' }, h('table', { class: `data settings-table keys-table ${kind}-keys-table` },
    h('thead', {}, h('tr', {}, h('th', {}, 'Description'), h('th', {}, 'Key'), h('th', {}, service ? 'Role' : 'Workspace'),
      h('th', { class: 'num' }, 'Created'), h('th', { class: 'num' }, 'Last used'), h('th', {}, h('span', { class: 'sr-only' }, 'Actions')))),
    body)));
  return { el, load };
}

export async function renderKeysTab(container) {
  const dialogs = dialogHost();
  const lists = [];
  if (canManage()) lists.push(keyList({ base: '/api-key', kind: 'service', dialogs, roles: await workspaceRoles() }));
  if (isUser()) lists.push(keyList({ base: '/api-key/current', kind: 'personal', dialogs }));
  container.append(...lists.map((l) => l.el), dialogs);
  await Promise.all(lists.map((l) => l.load()));
  return {};
}
