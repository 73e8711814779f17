// Settings → Workspace (name, prompt hub handle, the workspaces you can use, new workspaces) and
// Settings → Account (who you are, password change).
import { h, clear, copyText } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { navigate } from '../lib/router.js';
import { session, loadMe, switchWorkspace, signOut, canManage, isOrgAdmin, ROLE_LABELS, ROLE_NAME_LABELS } from '../lib/session.js';
import { section, errText, when } from '../components/identity.js';
import { refresh, refreshSwitcher } from '../app.js';

const HANDLE_RE = /^[a-z0-9_-]{3,64}$/;

/** A label + control + hint line, and a status line for the result. */
function field(label, control, hint = null) {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), control, hint ? h('span', { class: 'small muted' }, hint) : null);
}

function statusLine() {
  const el = h('div', { class: 'form-status small', attrs: { role: 'status' } });
  return {
    el,
    ok(text) { el.className = 'form-status small ok-text'; el.textContent = text; },
    fail(text) { el.className = 'form-status small err-text'; el.textContent = text; },
    clear() { el.textContent = ''; },
  };
}

export async function renderWorkspaceTab(container) {
  const [settings, workspaces] = await Promise.all([api('/settings'), api('/workspaces')]);

  // ---- this workspace ----
  const nameStatus = statusLine();
  const name = h('input', { class: 'input ws-name', value: settings.display_name, maxLength: 200, disabled: !isOrgAdmin(), attrs: { 'aria-label': 'Workspace name' } });
  const saveName = h('button', { class: 'btn save-name', type: 'submit', disabled: !isOrgAdmin() }, 'Rename');
  const nameForm = h('form', {
    class: 'settings-form',
    on: {
      submit: async (e) => {
        e.preventDefault();
        nameStatus.clear();
        saveName.disabled = true;
        try {
          await api('/workspaces/current', { method: 'PATCH', body: { display_name: name.value.trim() } });
          await loadMe({ force: true });
          refresh();
        } catch (err) {
          nameStatus.fail(errText(err));
          saveName.disabled = false;
        }
      },
    },
  }, field('Name', h('div', { class: 'row' }, name, saveName), isOrgAdmin() ? null : 'Only organization admins rename workspaces.'), nameStatus.el);

  const handleStatus = statusLine();
  const handle = h('input', {
    class: 'input ws-handle mono', value: settings.tenant_handle || '', placeholder: 'my-team', maxLength: 64, disabled: !canManage(),
    attrs: { 'aria-label': 'Prompt hub handle', autocomplete: 'off', spellcheck: 'false' },
  });
  const saveHandle = h('button', { class: 'btn save-handle', type: 'submit', disabled: !canManage() }, 'Save handle');
  const handleForm = h('form', {
    class: 'settings-form',
    on: {
      submit: async (e) => {
        e.preventDefault();
        handleStatus.clear();
        const value = handle.value.trim();
        if (!HANDLE_RE.test(value)) { handleStatus.fail('Use 3–64 lowercase letters, digits, “-” and “_”.'); return; }
        saveHandle.disabled = true;
        try {
          const res = await api('/settings/handle', { method: 'POST', body: { tenant_handle: value } });
          handle.value = res.tenant_handle || value;
          handleStatus.ok(`Saved. Public prompts of this workspace are ${res.tenant_handle}/<name>.`);
        } catch (err) {
          handleStatus.fail(errText(err));
        } finally {
          saveHandle.disabled = false;
        }
      },
    },
  }, field('Prompt hub handle', h('div', { class: 'row' }, handle, saveHandle),
    'The owner name of this workspace’s public prompts (owner/name in the hub). Needed before making a prompt public.'), handleStatus.el);

  const copyId = h('button', { class: 'btn small', type: 'button', on: { click: () => copyText(settings.id) } }, 'Copy');
  const current = section('This workspace', { cls: 'workspace-section' },
    nameForm, handleForm,
    field('Workspace id', h('div', { class: 'row' }, h('code', { class: 'ws-id' }, settings.id), copyId),
      'Send it as X-Tenant-Id to act in this workspace with a personal access token.'));

  // ---- workspaces ----
  const listBody = h('tbody');
  function renderList(list) {
    clear(listBody).append(...list.map((w) => {
      const here = w.id === session.me?.tenant_id;
      return h('tr', { dataset: { workspaceId: w.id, name: w.display_name } },
        h('td', {}, h('b', {}, w.display_name), here ? h('span', { class: 'pill ok' }, 'current') : null),
        h('td', {}, ROLE_NAME_LABELS[w.role_name] || '–'),
        h('td', { class: 'mono' }, w.tenant_handle || h('span', { class: 'faint' }, 'none')),
        h('td', { class: 'num' }, when(w.created_at)),
        h('td', { class: 'actions-cell' }, here ? null : h('button', {
          class: 'btn small switch-to', type: 'button', attrs: { 'aria-label': `Switch to ${w.display_name}` },
          on: { click: async () => { await switchWorkspace(w.id); refresh(); } },
        }, 'Switch')));
    }));
  }
  renderList(workspaces);

  const createStatus = statusLine();
  const newName = h('input', { class: 'input new-ws-name', required: true, maxLength: 200, placeholder: 'Workspace name', attrs: { 'aria-label': 'New workspace name' } });
  const newHandle = h('input', { class: 'input new-ws-handle mono', placeholder: 'handle (optional)', maxLength: 64, attrs: { 'aria-label': 'New workspace handle' } });
  const create = h('button', { class: 'btn primary create-ws', type: 'submit' }, 'Create workspace');
  const createForm = isOrgAdmin() ? h('form', {
    class: 'row new-ws-form',
    on: {
      submit: async (e) => {
        e.preventDefault();
        createStatus.clear();
        const body = { display_name: newName.value.trim() };
        if (newHandle.value.trim()) {
          if (!HANDLE_RE.test(newHandle.value.trim())) { createStatus.fail('Handles use 3–64 lowercase letters, digits, “-” and “_”.'); return; }
          body.tenant_handle = newHandle.value.trim();
        }
        create.disabled = true;
        try {
          const ws = await api('/workspaces', { method: 'POST', body });
          newName.value = ''; newHandle.value = '';
          await loadMe({ force: true });
          renderList(await api('/workspaces'));
          createStatus.ok(`Created “${ws.display_name}”. Switch to it from the list or the workspace menu.`);
          refreshSwitcher();
        } catch (err) {
          createStatus.fail(errText(err));
        } finally {
          create.disabled = false;
        }
      },
    },
  }, newName, newHandle, create) : h('p', { class: 'muted small' }, 'Organization admins create workspaces.');

  container.append(current,
    section('Your workspaces', { cls: 'workspaces-section', intro: 'Data, members, keys and prompts belong to one workspace. The menu at the top left switches between them.' },
      h('div', { class: 'table-wrap' }, h('table', { class: 'data settings-table workspaces-table' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Your role'), h('th', {}, 'Handle'), h('th', { class: 'num' }, 'Created'),
          h('th', {}, h('span', { class: 'sr-only' }, 'Actions')))),
        listBody)),
      createForm, createStatus.el));
  return {};
}

export async function renderAccountTab(container) {
  const me = session.me;
  const user = me?.user;
  const rows = [
    ['Signed in as', user ? user.email : me?.kind === 'service_key' ? 'a service key (no user)' : '–'],
    ['Name', user?.display_name || '–'],
    ['Role here', ROLE_LABELS[me?.role] || me?.role || '–'],
    ['Organization role', me?.organization_role === 'admin' ? 'Organization admin' : me?.organization_role ? 'Member' : '–'],
    ['Sign-in methods', user ? [user.has_password && 'password', user.sso && 'single sign-on'].filter(Boolean).join(', ') || '–' : 'API key'],
    ['Member since', user ? when(user.created_at) : '–'],
  ];
  const profile = section('Account', { cls: 'account-section' },
    h('dl', { class: 'kv' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    h('button', { class: 'btn', type: 'button', on: { click: async () => { await signOut(); navigate('/signin', { replace: true }); } } }, 'Sign out'));

  if (!user) {
    container.append(profile, section('Password', { intro: 'You are signed in with a service key, which has no password. Sign in with an email and password to manage your account.' }));
    return {};
  }
  const status = statusLine();
  const currentPw = h('input', { class: 'input', type: 'password', name: 'current', required: !!user.has_password, attrs: { autocomplete: 'current-password', 'aria-label': 'Current password' } });
  const newPw = h('input', { class: 'input', type: 'password', name: 'new', required: true, minLength: 8, attrs: { autocomplete: 'new-password', 'aria-label': 'New password' } });
  const repeat = h('input', { class: 'input', type: 'password', name: 'repeat', required: true, attrs: { autocomplete: 'new-password', 'aria-label': 'Repeat the new password' } });
  const submit = h('button', { class: 'btn primary change-password', type: 'submit' }, 'Change password');
  const form = h('form', {
    class: 'settings-form password-form',
    on: {
      submit: async (e) => {
        e.preventDefault();
        status.clear();
        if (newPw.value !== repeat.value) { status.fail('The new passwords do not match.'); return; }
        submit.disabled = true;
        try {
          await api('/auth/password', { method: 'POST', body: { current_password: currentPw.value, new_password: newPw.value } });
          currentPw.value = newPw.value = repeat.value = '';
          status.ok('Password changed.');
        } catch (err) {
          status.fail(errText(err));
        } finally {
          submit.disabled = false;
        }
      },
    },
  },
  h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Current password'), currentPw),
  h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'New password'), newPw, h('span', { class: 'small muted' }, 'At least 8 characters.')),
  h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Repeat the new password'), repeat),
  h('div', { class: 'row' }, submit), status.el);
  container.append(profile, section('Change password', { cls: 'password-section' }, form));
  return {};
}
