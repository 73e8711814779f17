// Sign-in: email and password (POST /auth/login sets the session cookie), single sign-on buttons
// for the providers GET /auth/providers lists, or an API key pasted into the same field (kept in
// localStorage and sent as x-api-key, the way scripts and the SDKs authenticate).
import { h } from '../lib/dom.js';
import { auth, api, ApiError, API_BASE } from '../lib/api.js';
import { session, loadMe } from '../lib/session.js';
import { navigate, query } from '../lib/router.js';
import { logo } from '../app.js';

/** API keys have no `@`; emails always do. */
const looksLikeKey = (v) => v.startsWith('lsv2_') || (!v.includes('@') && v.length >= 20);

/**
 * The single sign-on providers in a /auth/providers answer, as {name, url}. Accepts a list
 * (`[{type, name, url}]` or `{providers: [...]}`) or an object keyed by provider
 * (`{password: true, oidc: {enabled, name, url?}}`).
 */
export function ssoProviders(answer) {
  let list = [];
  if (Array.isArray(answer)) list = answer;
  else if (Array.isArray(answer?.providers)) list = answer.providers;
  else if (answer && typeof answer === 'object') {
    list = Object.entries(answer).filter(([, v]) => v && typeof v === 'object').map(([id, v]) => ({ id, ...v }));
  }
  return list
    .filter((p) => (p.type || p.id) !== 'password' && p.enabled !== false)
    .map((p) => ({
      id: p.id || p.type,
      name: p.name || p.display_name || 'SSO',
      url: p.url || p.start_url || p.login_url || p.authorize_url || `${API_BASE}/auth/${encodeURIComponent(p.id || p.type)}/start`,
    }));
}

export async function signinPage() {
  const qs = query();
  const next = qs.next && qs.next.startsWith('/') && !qs.next.startsWith('//') ? qs.next : '/projects';
  // A refused single sign-on comes back as ?sso_error=<why>.
  const ssoError = qs.sso_error ? `Single sign-on failed: ${qs.sso_error}` : '';
  const error = h('div', { class: 'banner', hidden: !ssoError, attrs: { role: 'alert' } }, ssoError);
  let mode = 'password';  // or 'key'

  const ident = h('input', {
    class: 'input', type: 'text', name: 'username', placeholder: 'you@example.com', spellcheck: false,
    attrs: { autocomplete: 'username', autocapitalize: 'off', autofocus: true },
    on: {
      input: () => {
        const v = ident.value.trim();
        if (looksLikeKey(v)) setMode('key', false); else if (v.includes('@')) setMode('password', false);
      },
    },
  });
  const identLabel = h('span', {}, 'Email or API key');
  const password = h('input', { class: 'input', type: 'password', name: 'password', attrs: { autocomplete: 'current-password' } });
  const passwordField = h('label', { class: 'field' }, h('span', {}, 'Password'), password);
  const button = h('button', { class: 'btn primary', type: 'submit' }, 'Sign in');
  const switchMode = h('a', { href: '#', class: 'signin-mode', on: { click: (e) => { e.preventDefault(); setMode(mode === 'key' ? 'password' : 'key', true); } } });

  function setMode(m, focus) {
    mode = m;
    passwordField.hidden = m === 'key';
    ident.placeholder = m === 'key' ? 'lsv2_…' : 'you@example.com';
    ident.autocomplete = m === 'key' ? 'off' : 'username';
    switchMode.textContent = m === 'key' ? 'Use email and password' : 'Use an API key';
    if (focus) ident.focus();
  }
  setMode('password', false);

  function fail(text) {
    error.textContent = text;
    error.hidden = false;
    button.disabled = false;
    // A 401 inside api() may have touched the URL; stay here with the message.
    history.replaceState(null, '', '/signin?next=' + encodeURIComponent(next));
  }

  async function signInWithKey(key) {
    auth.key = key;
    auth.tenant = null;
    try {
      await loadMe({ force: true });
    } catch (err) {
      auth.key = null;
      session.me = null;
      return fail(err instanceof ApiError && (err.status === 401 || err.status === 403)
        ? 'That API key was not accepted.' : `Could not reach the server: ${err.message}`);
    }
    navigate(next, { replace: true });
    return undefined;
  }

  async function signInWithPassword(email) {
    if (!password.value) { fail('Enter your password.'); password.focus(); return; }
    auth.key = null;
    let me;
    try {
      me = await api('/auth/login', { method: 'POST', body: { email, password: password.value }, tenant: null });
    } catch (err) {
      password.select();
      fail(err instanceof ApiError && err.status === 401 ? 'Wrong email or password.'
        : err instanceof ApiError ? err.message : `Could not reach the server: ${err.message}`);
      return;
    }
    session.me = me;
    // Keep the workspace chosen last time if this user can use it; else their default.
    if (auth.tenant && auth.tenant !== me.tenant_id) {
      if (me.workspaces?.some((w) => w.id === auth.tenant)) await loadMe({ force: true }).catch(() => {});
      else auth.tenant = null;
    }
    navigate(next, { replace: true });
  }

  const form = h('form', {
    class: 'signin-form',
    on: {
      submit: async (e) => {
        e.preventDefault();
        const value = ident.value.trim();
        if (!value) { ident.focus(); return; }
        button.disabled = true;
        error.hidden = true;
        if (mode === 'key' || !value.includes('@')) await signInWithKey(value); else await signInWithPassword(value);
      },
    },
  },
  h('label', { class: 'field' }, identLabel, ident),
  passwordField,
  button,
  h('div', { class: 'row small' }, switchMode));

  const sso = h('div', { class: 'sso', hidden: true });
  const el = h('div', { class: 'card signin' },
    h('div', { class: 'brand' }, logo(), 'Anvil'),
    h('h1', {}, 'Sign in'),
    h('p', { class: 'muted' }, 'Use your email and password, single sign-on, or an API key for this server.'),
    error,
    form,
    sso,
    h('details', { class: 'signin-help muted small' },
      h('summary', {}, 'First start?'),
      h('p', {}, 'The server creates an admin account and prints its password once (also saved to ',
        h('code', {}, '<data-dir>/admin-password'), ', or set with ', h('code', {}, 'ANVIL_ADMIN_PASSWORD'),
        '). Its API key is in ', h('code', {}, '<data-dir>/api-key'), '.')));

  // Providers load in the background: the form works without them.
  fetch(API_BASE + '/auth/providers', { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
    .then((r) => (r.ok ? r.json() : null))
    .then((answer) => {
      const list = ssoProviders(answer);
      if (answer?.password === false) { setMode('key', false); identLabel.textContent = 'API key'; switchMode.hidden = true; passwordField.remove(); }
      if (!list.length) return;
      sso.append(h('div', { class: 'or' }, h('span', {}, 'or')),
        ...list.map((p) => {
          const url = new URL(p.url, location.origin);
          // The server sends the browser back to `return_to` after the provider's callback.
          if (url.origin === location.origin) url.searchParams.set('return_to', next);
          const href = url.origin === location.origin ? url.pathname + url.search : url.href;
          return h('a', { class: 'btn sso-btn', href, dataset: { provider: p.id }, target: '_self' }, `Continue with ${p.name}`);
        }));
      sso.hidden = false;
    })
    .catch(() => {});

  return { el, chrome: false, title: 'Sign in', mounted: () => ident.focus() };
}
