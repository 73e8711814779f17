// Files in and out of the browser: CSV and JSONL parsing for imports, authenticated downloads
// (links can't carry the API key header, so exports are fetched and saved as blobs), and
// multipart uploads.
import { auth, API_BASE, ApiError } from './api.js';
import { navigate } from './router.js';

/**
 * Parses RFC 4180 CSV (quoted fields, doubled quotes, embedded newlines, CRLF or LF, optional
 * BOM). Returns {header: [names], rows: [[cells]]}; blank lines are skipped. Throws Error with a
 * line number on an unterminated quote.
 */
export function parseCSV(text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records = [];
  let row = [], field = '', i = 0, line = 1, quoted = false, quoteLine = 0, touched = false;
  const endField = () => { row.push(field); field = ''; touched = false; };
  const endRow = () => {
    endField();
    if (!(row.length === 1 && row[0] === '')) records.push(row);
    row = [];
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false; i++; continue;
      }
      if (c === '\n') line++;
      field += c; i++; continue;
    }
    if (c === '"' && !touched && field === '') { quoted = true; quoteLine = line; touched = true; i++; continue; }
    if (c === ',') { endField(); i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') { endRow(); line++; i += 2; continue; }
    if (c === '\n' || c === '\r') { endRow(); line++; i++; continue; }
    field += c; touched = true; i++;
  }
  if (quoted) throw new Error(`unterminated quoted field starting on line ${quoteLine}`);
  if (field !== '' || row.length) endRow();
  if (!records.length) throw new Error('the file is empty');
  const header = records[0].map((h) => h.trim());
  const seen = new Set();
  header.forEach((h, n) => {
    if (!h) throw new Error(`column ${n + 1} has no name in the header row`);
    if (seen.has(h)) throw new Error(`the header names column “${h}” twice`);
    seen.add(h);
  });
  return { header, rows: records.slice(1) };
}

/**
 * Parses JSON Lines (one JSON value per line; blank lines skipped) or, if the whole text is a JSON
 * array, its items. Returns {items: [{line, value}], errors: [{line, message}]}.
 */
export function parseJSONL(text) {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      const arr = JSON.parse(trimmed);
      if (Array.isArray(arr)) return { items: arr.map((value, n) => ({ line: n + 1, value })), errors: [] };
    } catch { /* fall through: maybe JSONL whose first line is an array */ }
  }
  const items = [], errors = [];
  text.split(/\r?\n/).forEach((raw, n) => {
    if (!raw.trim()) return;
    try { items.push({ line: n + 1, value: JSON.parse(raw) }); } catch (e) { errors.push({ line: n + 1, message: e.message }); }
  });
  return { items, errors };
}

/** Reads a File as UTF-8 text. */
export const readText = (file) => file.text();

async function authedFetch(path, init = {}) {
  const headers = { ...(init.headers || {}) };
  if (auth.key) headers['x-api-key'] = auth.key;
  const res = await fetch(API_BASE + path, { ...init, headers });
  if (res.status === 401) {
    auth.key = null;
    navigate('/signin?next=' + encodeURIComponent(location.pathname + location.search));
    throw new ApiError(401, 'Unauthorized');
  }
  if (!res.ok) {
    let detail = res.statusText;
    try { detail = (await res.json())?.detail || detail; } catch { /* not JSON */ }
    throw new ApiError(res.status, detail);
  }
  return res;
}

/**
 * Downloads `path` (an API path) with the API key and saves it as a file. The name comes from the
 * response's Content-Disposition, else `fallbackName`.
 */
export async function downloadFile(path, fallbackName) {
  const res = await authedFetch(path);
  const blob = await res.blob();
  const cd = res.headers.get('content-disposition') || '';
  const m = cd.match(/filename\*=UTF-8''([^;]+)/i) || cd.match(/filename="([^"]+)"/i) || cd.match(/filename=([^;]+)/i);
  const name = m ? decodeURIComponent(m[1].trim()) : fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  // Keep the click away from the router's link interception (a blob: URL has this origin).
  a.addEventListener('click', (e) => e.stopPropagation());
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}

/** POSTs a FormData body (multipart) to an API path; returns parsed JSON. */
export async function postForm(path, form) {
  const res = await authedFetch(path, { method: 'POST', body: form, headers: { Accept: 'application/json' } });
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}
