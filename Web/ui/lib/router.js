// History-API router: real URLs (deep links, back button), patterns like '/projects/p/:id'.

const routes = [];
let onChange = null;

export function route(pattern, render) {
  const keys = [];
  const re = new RegExp('^' + pattern.replace(/\/:([a-zA-Z_]+)/g, (_, k) => { keys.push(k); return '/([^/]+)'; }) + '/?$');
  routes.push({ re, keys, render });
}

export function match(pathname) {
  for (const r of routes) {
    const m = pathname.match(r.re);
    if (m) {
      const params = {};
      r.keys.forEach((k, i) => { params[k] = decodeURIComponent(m[i + 1]); });
      return { render: r.render, params };
    }
  }
  return null;
}

export function navigate(to, { replace = false } = {}) {
  if (to === location.pathname + location.search) return;
  (replace ? history.replaceState : history.pushState).call(history, null, '', to);
  onChange?.();
}

/** Updates query parameters of the current URL without a new history entry (filter state). */
export function setQuery(params, { push = false } = {}) {
  const url = new URL(location.href);
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '' || v === false) url.searchParams.delete(k); else url.searchParams.set(k, v);
  }
  const to = url.pathname + url.search;
  if (to !== location.pathname + location.search) (push ? history.pushState : history.replaceState).call(history, null, '', to);
}

export function query() {
  return Object.fromEntries(new URLSearchParams(location.search));
}

export function start(handler) {
  onChange = handler;
  window.addEventListener('popstate', handler);
  // Intercept same-origin link clicks so navigation stays in the app.
  document.addEventListener('click', (e) => {
    const a = e.target.closest('a[href]');
    if (!a || a.target || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
    e.preventDefault();
    navigate(url.pathname + url.search);
  });
  handler();
}
