// The UI talks to the same public API the SDKs use (plus documented /ui/* helpers).
import { navigate } from './router.js';

const KEY_STORAGE = 'anvil.apiKey';
export const API_BASE = '/api/v1';

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
};

/**
 * Calls the API. `body` objects are sent as JSON. A 401 clears the key and returns to sign-in.
 * Returns parsed JSON (or null for empty bodies).
 */
export async function api(path, { method = 'GET', body, query, signal } = {}) {
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
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (res.status === 401) {
    auth.key = null;
    if (!location.pathname.startsWith('/signin')) navigate('/signin?next=' + encodeURIComponent(location.pathname + location.search));
    throw new ApiError(401, data?.detail || 'Unauthorized');
  }
  if (!res.ok) throw new ApiError(res.status, data?.detail || res.statusText);
  return data;
}

/** Server info (unauthenticated). */
export const info = () => fetch(API_BASE + '/info').then((r) => r.json());
