// "Share" button with a popover: create a public link for a run's trace, copy/open it, unshare.
// Uses PUT/GET/DELETE /runs/{id}/share; the public page lives at /public/{token}/r.
import { h, copyText } from '../lib/dom.js';
import { api } from '../lib/api.js';

export const publicUrl = (token) => `${location.origin}/public/${token}/r`;

export function shareButton(runId) {
  let token = null;
  let busy = false;
  let error = null;
  const button = h('button', {
    class: 'btn small share-btn', type: 'button', attrs: { 'aria-haspopup': 'dialog', 'aria-expanded': 'false' },
    on: { click: (e) => { e.stopPropagation(); setOpen(panel.hidden); } },
  }, 'Share');
  const panel = h('div', { class: 'share-panel card', hidden: true, attrs: { role: 'dialog', 'aria-label': 'Share this trace' } });
  const el = h('div', { class: 'share' }, button, panel);

  // composedPath: the clicked button may already be replaced by a re-render.
  const onDoc = (e) => { if (!e.composedPath().includes(el)) setOpen(false); };
  const onEsc = (e) => { if (e.key === 'Escape') setOpen(false); };
  function setOpen(open) {
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) {
      render();
      document.addEventListener('click', onDoc);
      document.addEventListener('keydown', onEsc);
    } else {
      document.removeEventListener('click', onDoc);
      document.removeEventListener('keydown', onEsc);
    }
  }

  async function act(fn) {
    busy = true; error = null; render();
    try { await fn(); } catch (e) { error = e.message || String(e); }
    busy = false; render();
  }

  function render() {
    button.classList.toggle('shared', !!token);
    button.textContent = token ? 'Shared' : 'Share';
    button.title = token ? 'This trace has a public link' : 'Create a public link to this trace';
    if (panel.hidden) return;
    const parts = [h('h4', {}, 'Share this trace')];
    if (error) parts.push(h('div', { class: 'banner' }, error));
    if (!token) {
      parts.push(
        h('p', { class: 'muted' }, 'Anyone with the link can view this trace (read-only, no sign-in).'),
        h('button', { class: 'btn primary small share-create', type: 'button', disabled: busy, on: { click: () => act(async () => { token = (await api(`/runs/${runId}/share`, { method: 'PUT', body: {} }))?.share_token || null; }) } },
          busy ? 'Creating…' : 'Create public link'));
    } else {
      const url = publicUrl(token);
      const input = h('input', { class: 'input mono share-url', readOnly: true, value: url, on: { focus: (e) => e.target.select() } });
      const copy = h('button', {
        class: 'btn small share-copy', type: 'button',
        on: { click: async () => { await copyText(url); copy.textContent = 'Copied'; setTimeout(() => { copy.textContent = 'Copy'; }, 1200); } },
      }, 'Copy');
      parts.push(
        h('p', { class: 'muted' }, 'Anyone with this link can view the trace:'),
        h('div', { class: 'row share-row' }, input, copy),
        h('div', { class: 'row' },
          h('a', { class: 'btn small share-open', href: url, target: '_blank', rel: 'noopener' }, 'Open'),
          h('span', { class: 'grow' }),
          h('button', { class: 'btn small danger share-revoke', type: 'button', disabled: busy, on: { click: () => act(async () => { await api(`/runs/${runId}/share`, { method: 'DELETE' }); token = null; }) } },
            busy ? 'Unsharing…' : 'Unshare')));
    }
    panel.replaceChildren(...parts);
  }

  // Current state (null or {share_token}).
  api(`/runs/${runId}/share`).then((r) => { token = r?.share_token || null; render(); }).catch(() => {});
  render();
  return { el, dispose: () => setOpen(false) };
}
