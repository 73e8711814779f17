// The UI talks to the same public API the SDKs use (plus documented /ui/* helpers).
// Credentials: the `anvil_session` cookie from a password/SSO sign-in (sent automatically,
// same-origin) or an API key kept in localStorage. The chosen workspace goes in X-Tenant-Id.
import { navigate } from './router.js';

const KEY_STORAGE = 'anvil.apiKey';
const TENANT_STORAGE = 'anvil.tenantId';
export const API_BASE = '/api/v1';

/** Pages that work signed out: a 401 there is the page's business, not a reason to leave. */
export const PUBLIC_PATHS = [/^\/signin/, /^\/public\//, /^\/(ui\/)?invite\//];
export const isPublicPath = (path = location.pathname) => PUBLIC_PATHS.some((re) => re.test(path));

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail || `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
  }
}

export const auth = {
  get key() { return localStorage.getItem(KEY_STORAGE); },
  set key(v) { v ? localStorage.setItem(KEY_STORAGE, v) : localStorage.removeItem(KEY_STORAGE); },
  /** The selected workspace id, or null for the credential's default workspace. */
  get tenant() { return localStorage.getItem(TENANT_STORAGE); },
  set tenant(v) { v ? localStorage.setItem(TENANT_STORAGE, v) : localStorage.removeItem(TENANT_STORAGE); },
};

let onUnauthorized = null;
/** Called on every 401 (the session module forgets who was signed in). */
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

/**
 * Calls the API. `body` objects are sent as JSON. A 401 clears the key and returns to sign-in
 * (except on public pages). Requests that change data carry `X-Anvil-CSRF: 1`, which the server
 * requires of cookie-authenticated requests (a cross-site form cannot set it).
 * Returns parsed JSON (or null for empty bodies).
 */
export async function api(path, { method = 'GET', body, query, signal, tenant = auth.tenant } = {}) {
  let url = path.startsWith('/') ? API_BASE + path : path;
  if (query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null || v === '') continue;
      if (Array.isArray(v)) v.forEach((x) => qs.append(k, x)); else qs.append(k, v);
    }
    const s = qs.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
  }
  const headers = { Accept: 'application/json' };
  if (auth.key) headers['x-api-key'] = auth.key;
  if (tenant) headers['X-Tenant-Id'] = tenant;
  if (method !== 'GET' && method !== 'HEAD') headers['X-Anvil-CSRF'] = '1';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(url, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal, credentials: 'same-origin',
  });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (res.status === 401) {
    if (!isPublicPath()) {
      auth.key = null;
      onUnauthorized?.();
      // Replace: a page you may not see should not stay in the history for Back to bounce off.
      navigate('/signin?next=' + encodeURIComponent(location.pathname + location.search), { replace: true });
    }
    throw new ApiError(401, data?.detail || 'Unauthorized');
  }
  if (!res.ok) throw new ApiError(res.status, data?.detail || res.statusText);
  return data;
}

/** Server info (unauthenticated). */
export const info = () => fetch(API_BASE + '/info').then((r) => r.json());
