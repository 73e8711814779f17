// Sign-in gate: asks for an API key until real login exists; the key lives in localStorage.
import { h } from '../lib/dom.js';
import { auth, api, ApiError } from '../lib/api.js';
import { navigate, query } from '../lib/router.js';
import { logo } from '../app.js';

export async function signinPage() {
  const next = query().next || '/projects';
  const error = h('div', { class: 'banner', hidden: true });
  const input = h('input', { class: 'input', type: 'password', name: 'api-key', placeholder: 'lsv2_…', autocomplete: 'off', attrs: { 'aria-label': 'API key', autofocus: true } });
  const button = h('button', { class: 'btn primary', type: 'submit' }, 'Sign in');
  const form = h('form', {
    on: {
      submit: async (e) => {
        e.preventDefault();
        const key = input.value.trim();
        if (!key) return;
        button.disabled = true;
        error.hidden = true;
        auth.key = key;
        try {
          await api('/sessions', { query: { limit: 1 } });
          navigate(next.startsWith('/') ? next : '/projects', { replace: true });
        } catch (err) {
          auth.key = null;
          error.textContent = err instanceof ApiError && (err.status === 401 || err.status === 403)
            ? 'That API key was not accepted.' : `Could not reach the server: ${err.message}`;
          error.hidden = false;
          button.disabled = false;
          // A 401 inside api() navigates back here; stay put with the message.
          history.replaceState(null, '', '/signin?next=' + encodeURIComponent(next));
        }
      },
    },
  }, input, button);
  const el = h('div', { class: 'card signin' },
    h('div', { class: 'brand' }, logo(), 'Anvil'),
    h('h1', {}, 'Sign in'),
    h('p', { class: 'muted' }, 'Paste an API key for this Anvil server. On first start the server prints one and saves it to ',
      h('code', {}, '<data-dir>/api-key'), '.'),
    error,
    form);
  return { el, chrome: false, title: 'Sign in', mounted: () => input.focus() };
}
