// Settings → Audit log: who did what, newest first (GET /audit-logs, OCSF API Activity events),
// paged by the server's cursor. Organization admins see the whole organization or, on request,
// this workspace; workspace admins see their workspace.
import { h, clear, fmtTime } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { query, setQuery } from '../lib/router.js';
import { isOrgAdmin } from '../lib/session.js';
import { section, errText, emptyRow } from '../components/identity.js';

const PAGE = 50;

export function actorOf(e) {
  const u = e.actor?.user;
  if (u?.email_addr) return u.email_addr;
  if (e.actor?.credential_uid) return `key ${e.actor.credential_uid.slice(0, 8)}`;
  return 'anonymous';
}

/** A request path without the API prefix, and with secrets (long hex path segments) hidden. */
export function safePath(path) {
  return (path || '').replace(/^\/api\/v1\//, '/').split('/').map((seg) => (/^[0-9a-f]{24,}$/i.test(seg) ? '…' : seg)).join('/');
}

export function targetOf(e) {
  const r = (e.resources || []).find((x) => x.uid) || (e.resources || [])[0];
  if (r) return r.uid ? `${r.type} ${r.uid.length > 12 ? r.uid.slice(0, 8) + '…' : r.uid}` : r.type;
  return safePath(e.http_request?.url?.path) || '–';
}

export async function renderAuditTab(container) {
  const state = { cursors: [null], scope: query().scope === 'workspace' || !isOrgAdmin() ? 'workspace' : 'organization', next: null };
  const body = h('tbody');
  const error = h('div', { class: 'banner', hidden: true, attrs: { role: 'alert' } });
  const newer = h('button', { class: 'btn audit-newer', type: 'button', on: { click: () => { state.cursors.pop(); load(); } } }, '‹ Newer');
  const older = h('button', { class: 'btn audit-older', type: 'button', on: { click: () => { state.cursors.push(state.next); load(); } } }, 'Older ›');
  const info = h('span', { class: 'muted small page-info' });
  const scope = isOrgAdmin() ? h('div', { class: 'seg audit-scope', attrs: { role: 'group', 'aria-label': 'Audit scope' } },
    [['organization', 'Organization'], ['workspace', 'This workspace']].map(([k, label]) => h('button', {
      type: 'button', class: state.scope === k ? 'on' : null, dataset: { scope: k },
      on: {
        click: (e) => {
          state.scope = k;
          state.cursors = [null];
          setQuery({ scope: k === 'workspace' ? k : null });
          scope.querySelectorAll('button').forEach((b) => b.classList.toggle('on', b === e.currentTarget));
          load();
        },
      },
    }, label))) : null;
  let seq = 0;

  function row(e) {
    const ok = e.status === 'Success';
    return h('tr', { dataset: { operation: e.api?.operation || '', status: e.status } },
      h('td', { class: 'nowrap audit-time', title: e.time }, fmtTime(e.time)),
      h('td', { class: 'audit-actor' }, actorOf(e)),
      h('td', { class: 'mono audit-action', title: `${e.http_request?.http_method || ''} ${safePath(e.http_request?.url?.path)}` }, e.api?.operation || e.activity_name),
      h('td', { class: 'mono audit-target', title: (e.resources || []).map((r) => `${r.type} ${r.uid}`).join(', ') }, targetOf(e)),
      h('td', { class: 'audit-outcome' }, h('span', { class: ['pill', ok ? 'ok' : 'err'], title: `HTTP ${e.status_code || '–'}` }, e.status || '–'),
        e.status_code ? h('span', { class: 'faint small' }, ` ${e.status_code}`) : null),
      h('td', { class: 'muted audit-message', title: e.message || '' }, e.message || ''));
  }

  async function load() {
    const my = ++seq;
    error.hidden = true;
    const cursor = state.cursors[state.cursors.length - 1];
    let res;
    try {
      res = await api('/audit-logs', { query: { limit: PAGE, cursor, workspace: state.scope === 'workspace' ? 'current' : undefined } });
    } catch (err) {
      if (my !== seq) return;
      error.textContent = `Could not load the audit log: ${errText(err)}`;
      error.hidden = false;
      return;
    }
    if (my !== seq) return;
    state.next = res.cursor;
    const items = res.items || [];
    clear(body).append(...(items.length ? items.map(row) : [emptyRow(6, 'Nothing recorded yet.')]));
    const start = (state.cursors.length - 1) * PAGE;
    info.textContent = items.length ? `Events ${start + 1}–${start + items.length}` : '';
    newer.disabled = state.cursors.length < 2;
    older.disabled = !state.next;
  }

  container.append(section('Audit log', {
    cls: 'audit-section', actions: [scope],
    intro: 'Sign-ins, invitations, members, keys, workspace and settings changes, newest first.',
  },
  error,
  h('div', { class: 'table-wrap' }, h('table', { class: 'data settings-table audit-table' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Time'), h('th', {}, 'Actor'), h('th', {}, 'Action'), h('th', {}, 'Target'),
      h('th', {}, 'Outcome'), h('th', {}, 'Details'))),
    body)),
  h('div', { class: 'row pager' }, info, h('span', { class: 'grow' }), newer, older)));
  await load();
  return { dispose() { seq++; } };
}
