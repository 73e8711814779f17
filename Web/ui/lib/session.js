// Who is signed in: GET /auth/me, kept for the page's lifetime, with the role checks the UI
// uses to hide or disable controls (the server enforces the same rules; this only avoids
// offering buttons that would answer 403).
import { api, auth, ApiError, setUnauthorizedHandler } from './api.js';

let me = null;   // the /auth/me answer: {user, kind, tenant_id, organization_id, role, organization_role, workspaces}
let pending = null;

setUnauthorizedHandler(() => { me = null; });

export const session = {
  get me() { return me; },
  set me(v) { me = v; },
};

/**
 * Loads (or returns the cached) current identity. A stored workspace the caller can no longer
 * use (403) is forgotten and the default workspace is used instead. Throws ApiError (401 when
 * signed out; api() has already gone to sign-in).
 */
export async function loadMe({ force = false } = {}) {
  if (me && !force) return me;
  if (!pending) {
    pending = (async () => {
      try {
        me = await api('/auth/me');
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 403 && auth.tenant)) throw err;
        auth.tenant = null;
        me = await api('/auth/me');
      }
      return me;
    })().finally(() => { pending = null; });
  }
  return pending;
}

const RANK = { viewer: 0, editor: 1, admin: 2 };
const rank = () => RANK[me?.role] ?? -1;

/** Editors and admins change workspace data. */
export const canWrite = () => rank() >= RANK.editor;
/** Workspace admins manage members, service keys, the handle and read the audit log. */
export const canManage = () => rank() >= RANK.admin;
/** Organization admins create workspaces and manage organization members. */
export const isOrgAdmin = () => me?.organization_role === 'admin';
/** A signed-in user (session or personal token), as opposed to a service key. */
export const isUser = () => !!me?.user;
/** The current workspace, from /auth/me's list. */
export const currentWorkspace = () => me?.workspaces?.find((w) => w.id === me.tenant_id) ?? null;

export const ROLE_LABELS = { admin: 'Admin', editor: 'Editor', viewer: 'Viewer' };
/** Workspace role names as the API spells them (role_name) → short labels. */
export const ROLE_NAME_LABELS = { WORKSPACE_ADMIN: 'Admin', WORKSPACE_USER: 'Editor', WORKSPACE_VIEWER: 'Viewer' };

/** Switches workspace: later requests carry its id; the identity (and role) is reloaded. */
export async function switchWorkspace(id) {
  auth.tenant = id;
  return loadMe({ force: true });
}

/** Ends the session (cookie) and forgets any stored key and workspace. */
export async function signOut() {
  try {
    if (me) await api('/auth/logout', { method: 'POST' });
  } catch { /* already signed out */ }
  me = null;
  auth.key = null;
  auth.tenant = null;
}

/** Disables a control that changes data when the caller may not write here (viewers). */
export function writeControl(el) {
  if (me && !canWrite()) {
    el.disabled = true;
    el.title = 'Viewers cannot change this workspace';
    el.classList.add('read-only');
  }
  return el;
}
