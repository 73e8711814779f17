// One prompt: the rendered template of a commit (messages, `{variables}` highlighted), an editor
// that saves a new commit on top of the head, the commit history with tags, and a line diff
// between any two commits. Tab, commit and diff endpoints live in the URL.
import { h, clear, append, fmtNumber, fmtAgo, fmtTime } from '../lib/dom.js';
import { api, ApiError } from '../lib/api.js';
import { writeControl } from '../lib/session.js';
import { navigate, setQuery, query } from '../lib/router.js';
import { renderManifest, messagesOf, splitManifest, withTemplates, renderTemplate } from '../components/prompt-template.js';
import { renderDiff } from '../components/prompt-diff.js';

const TABS = [
  { key: 'template', label: 'Template' },
  { key: 'commits', label: 'Commits' },
  { key: 'diff', label: 'Diff' },
];
const short = (hash) => (hash || '').slice(0, 8);

function problem(title, text) {
  return {
    el: h('div', { class: 'empty' }, h('h3', {}, title), h('p', {}, text), h('a', { href: '/prompts' }, 'Back to prompts')),
    title, crumbs: [{ label: 'Prompts', href: '/prompts' }, { label: title }],
  };
}

/** Routes: /prompts/:name[/:commit] (own), /hub/:owner/:spec where spec is `name[:commit]`. */
export async function promptPage(params) {
  let owner = '-', name = params.name, commitRef = params.commit || null;
  if (params.owner) {
    owner = params.owner;
    [name, commitRef] = params.spec.includes(':') ? params.spec.split(/:(.*)/s) : [params.spec, null];
  }
  const qs = query();
  const state = {
    tab: TABS.some((t) => t.key === qs.tab) ? qs.tab : 'template',
    selected: qs.commit || commitRef,
    from: qs.from || null,
    to: qs.to || null,
    editing: false,
  };
  const base = `/commits/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
  const repoPath = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
  let repo, settings, commits = [], tags = [];

  async function fetchAll() {
    const r = await api(repoPath);
    repo = r.repo;
    commits = [];
    for (let offset = 0; offset < 1000; offset += 100) {
      const page = await api(base, { query: { limit: 100, offset, include_model: true } });
      commits.push(...(page.commits || []));
      if (!page.commits?.length || commits.length >= page.total) break;
    }
    tags = await api(`${repoPath}/tags`);
  }

  try {
    settings = await api('/settings');
    await fetchAll();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    if (err instanceof ApiError && err.status === 404) return problem('Prompt not found', `There is no prompt “${owner === '-' ? name : `${owner}/${name}`}” you can see.`);
    return problem('Could not load the prompt', err.message);
  }
  const isOwn = owner === '-' || (settings.tenant_handle && owner === settings.tenant_handle);

  const tagsOf = (commit) => tags.filter((t) => t.commit_id === commit.id).map((t) => t.tag_name);
  const head = () => commits[0] || null;
  /** A commit by full hash, hash prefix or tag name. */
  function find(ref) {
    if (!ref) return null;
    const tag = tags.find((t) => t.tag_name === ref);
    if (tag) return commits.find((c) => c.id === tag.commit_id) || null;
    const lower = ref.toLowerCase();
    return commits.find((c) => c.commit_hash.startsWith(lower)) || null;
  }
  const selected = () => find(state.selected) || head();
  const parentOf = (c) => (c ? commits.find((x) => x.commit_hash === c.parent_commit_hash) || null : null);

  // Count one web view of the commit being looked at (pulls through the SDK count downloads).
  if (selected()) api(`${base}/${selected().commit_hash}`, { query: { is_view: true } }).catch(() => {});

  // ---- layout ----
  const headerEl = h('div', { class: 'prompt-head' });
  const tabsEl = h('nav', { class: 'tabs', attrs: { 'aria-label': 'Prompt views' } });
  const container = h('div', { class: 'prompt-tab' });
  const banner = h('div', { class: 'banner', hidden: true, attrs: { role: 'alert' } });
  const dialogs = h('div');
  const likeBtn = h('button', { class: 'btn', type: 'button', on: { click: toggleLike } });

  function sync() {
    setQuery({
      tab: state.tab === 'template' ? null : state.tab, commit: state.selected || null,
      from: state.tab === 'diff' ? state.from : null, to: state.tab === 'diff' ? state.to : null,
    });
  }

  function showError(text, { reload = false } = {}) {
    clear(banner).append(text);
    if (reload) banner.append(' ', h('button', { class: 'btn small', type: 'button', on: { click: () => refresh() } }, 'Reload'));
    banner.hidden = false;
  }

  async function refresh({ select } = {}) {
    banner.hidden = true;
    try {
      await fetchAll();
    } catch (err) {
      showError(`Could not reload: ${err.message}`);
      return;
    }
    if (select !== undefined) state.selected = select;
    state.editing = false;
    renderAll();
  }

  function renderHeader() {
    append(clear(headerEl), [
      h('div', { class: 'row' },
        h('h2', { class: 'prompt-title' }, repo.full_name),
        h('span', { class: ['pill', repo.is_public ? 'public' : 'private'] }, repo.is_public ? 'Public' : 'Private'),
        repo.is_archived ? h('span', { class: 'pill archived' }, 'Archived') : null,
        (repo.tags || []).map((t) => h('span', { class: 'pill tag' }, t))),
      repo.description ? h('p', { class: 'muted prompt-desc' }, repo.description) : null,
      h('div', { class: 'row prompt-stats muted small' },
        h('span', {}, `${fmtNumber(repo.num_commits)} commit${repo.num_commits === 1 ? '' : 's'}`),
        h('span', {}, `${fmtNumber(repo.num_likes)} like${repo.num_likes === 1 ? '' : 's'}`),
        h('span', {}, `${fmtNumber(repo.num_downloads)} downloads`),
        h('span', {}, `${fmtNumber(repo.num_views)} views`),
        h('span', { title: fmtTime(repo.updated_at) }, `updated ${fmtAgo(repo.updated_at)}`))]);
    likeBtn.textContent = repo.liked_by_auth_user ? '♥ Liked' : '♡ Like';
    likeBtn.setAttribute('aria-pressed', String(!!repo.liked_by_auth_user));
  }

  function renderTabs() {
    clear(tabsEl).append(...TABS.map((t) => h('a', {
      href: `${location.pathname}?tab=${t.key}`, class: state.tab === t.key ? 'on' : null, dataset: { tab: t.key },
      attrs: { 'aria-current': state.tab === t.key ? 'page' : null },
      on: { click: (e) => { e.preventDefault(); state.tab = t.key; state.editing = false; sync(); renderAll(); } },
    }, t.label)));
  }

  function renderAll() {
    renderHeader();
    renderTabs();
    clear(container);
    if (!commits.length) {
      container.append(h('div', { class: 'empty' }, h('h3', {}, 'No commits yet'),
        h('p', {}, 'Push a prompt to this name with the SDK: ', h('code', {}, `client.push_prompt("${repo.repo_handle}", object=prompt)`))));
      return;
    }
    if (state.tab === 'commits') container.append(commitsView());
    else if (state.tab === 'diff') container.append(diffView());
    else container.append(templateView());
  }

  // ---- template tab (view + editor) ----
  function commitLine(c) {
    const isHead = c === head();
    return h('div', { class: 'row commit-line' },
      h('span', { class: 'mono commit-hash', title: c.commit_hash }, short(c.commit_hash)),
      isHead ? h('span', { class: 'pill ok' }, 'latest') : null,
      tagsOf(c).map((t) => h('span', { class: 'pill tag commit-tag', dataset: { tag: t } }, t)),
      c.description ? h('span', { class: 'muted' }, c.description) : null,
      h('span', { class: 'faint small', title: fmtTime(c.created_at) }, fmtAgo(c.created_at)));
  }

  function templateView() {
    const c = selected();
    const wrap = h('div', { class: 'template-view' });
    const bar = h('div', { class: 'row template-bar' }, commitLine(c), h('span', { class: 'grow' }));
    if (c !== head()) bar.append(h('button', { class: 'btn small', type: 'button', on: { click: () => { state.selected = null; sync(); renderAll(); } } }, 'View latest'));
    if (isOwn && c === head() && !state.editing) {
      bar.append(writeControl(h('button', { class: 'btn primary small edit-btn', type: 'button', on: { click: () => { state.editing = true; renderAll(); } } }, 'Edit')));
    }
    wrap.append(bar);
    wrap.append(state.editing ? editor(c) : h('div', { class: 'card template-card' }, renderManifest(c.manifest)));
    return wrap;
  }

  function editor(c) {
    const { prompt } = splitManifest(c.manifest);
    const msgs = messagesOf(prompt) || [];
    const fields = msgs.map((m) => {
      if (!m.path || m.kind === 'placeholder') {
        return { m, input: null, el: h('div', { class: ['pt-msg', `role-${m.role}`] }, h('div', { class: 'pt-role' }, m.role), h('div', { class: 'pt-text faint' }, m.kind === 'placeholder' ? `{${m.template}}` : m.template)) };
      }
      const preview = h('div', { class: 'pt-preview' }, renderTemplate(m.template, m.format));
      const input = h('textarea', {
        class: 'input pt-input', rows: Math.min(12, Math.max(2, m.template.split('\n').length + 1)), value: m.template,
        attrs: { 'aria-label': `${m.role} message template` },
        on: { input: () => { clear(preview).append(renderTemplate(input.value, m.format)); } },
      });
      return { m, input, el: h('div', { class: ['pt-msg', 'editing', `role-${m.role}`] }, h('div', { class: 'pt-role' }, m.role), input, preview) };
    });
    const desc = h('input', { class: 'input commit-desc', placeholder: 'Describe the change (optional)', maxLength: 1000, attrs: { 'aria-label': 'Commit description' } });
    const save = h('button', { class: 'btn primary', type: 'button' }, 'Commit');
    save.addEventListener('click', async () => {
      const texts = fields.map((f) => (f.input ? f.input.value : null));
      const manifest = withTemplates(c.manifest, texts);
      save.disabled = true;
      banner.hidden = true;
      try {
        const res = await api(`/commits/-/${encodeURIComponent(repo.repo_handle)}`, {
          method: 'POST', body: { parent_commit: c.commit_hash, manifest, description: desc.value.trim() || undefined },
        });
        const hash = res.commit.commit_hash;
        if (hash === c.commit_hash) { showError('Nothing changed: the template is the same as the latest commit.'); save.disabled = false; return; }
        await refresh({ select: null });
        toast(`Committed ${short(hash)}`);
      } catch (err) {
        save.disabled = false;
        if (err instanceof ApiError && err.status === 409) {
          showError('Someone else committed a newer version of this prompt; reload to see it, then reapply your edit.', { reload: true });
        } else {
          showError(`Could not commit: ${err.message}`);
        }
      }
    });
    return h('div', { class: 'card prompt-editor' },
      h('div', { class: 'pt-messages' }, fields.map((f) => f.el)),
      h('div', { class: 'row editor-foot' }, desc, h('span', { class: 'grow' }),
        h('button', { class: 'btn ghost', type: 'button', on: { click: () => { state.editing = false; renderAll(); } } }, 'Cancel'), save));
  }

  // ---- commits tab ----
  function commitsView() {
    const picked = new Set();
    const compareBtn = h('button', { class: 'btn small', type: 'button', disabled: true }, 'Compare selected');
    compareBtn.addEventListener('click', () => {
      const [a, b] = commits.filter((c) => picked.has(c.commit_hash)).reverse();  // older first
      openDiff(a, b);
    });
    const rows = commits.map((c) => {
      const box = h('input', {
        type: 'checkbox', attrs: { 'aria-label': `Select ${short(c.commit_hash)} to compare` },
        on: {
          change: () => {
            if (box.checked) picked.add(c.commit_hash); else picked.delete(c.commit_hash);
            compareBtn.disabled = picked.size !== 2;
          },
        },
      });
      const tagCell = h('td', { class: 'tags-cell' }, tagsOf(c).map((t) => h('span', { class: 'pill tag commit-tag', dataset: { tag: t } }, t,
        isOwn ? h('button', { class: 'pill-x', type: 'button', title: `Remove tag ${t}`, attrs: { 'aria-label': `Remove tag ${t}` }, on: { click: () => removeTag(t) } }, '×') : null)));
      return h('tr', { dataset: { hash: c.commit_hash } },
        h('td', {}, box),
        h('td', {}, h('a', {
          class: 'mono', href: `${location.pathname}?commit=${short(c.commit_hash)}`, title: c.commit_hash,
          on: { click: (e) => { e.preventDefault(); state.selected = short(c.commit_hash); state.tab = 'template'; sync(); renderAll(); } },
        }, short(c.commit_hash)), c === head() ? h('span', { class: 'pill ok' }, 'latest') : null),
        tagCell,
        h('td', { class: 'desc-cell' }, c.description || ''),
        h('td', { title: fmtTime(c.created_at) }, fmtAgo(c.created_at)),
        h('td', { class: 'num' }, fmtNumber(c.num_downloads)),
        h('td', { class: 'num' }, fmtNumber(c.num_views)),
        h('td', { class: 'actions-cell' },
          parentOf(c) ? h('button', { class: 'btn small ghost', type: 'button', on: { click: () => openDiff(parentOf(c), c) } }, 'Diff with parent') : null,
          isOwn ? h('button', { class: 'btn small ghost', type: 'button', on: { click: () => openTag(c) } }, 'Tag…') : null));
    });
    return h('div', { class: 'commits-view' },
      h('div', { class: 'row toolbar' }, h('span', { class: 'muted small' }, 'Tick two commits to compare them.'), compareBtn),
      h('div', { class: 'table-wrap' }, h('table', { class: 'data commits-table' },
        h('thead', {}, h('tr', {}, ['', 'Commit', 'Tags', 'Description', 'Created', 'Downloads', 'Views', ''].map((l, i) => h('th', { class: i === 5 || i === 6 ? 'num' : null }, l)))),
        h('tbody', {}, rows))));
  }

  function openDiff(from, to) {
    state.tab = 'diff';
    state.from = from ? short(from.commit_hash) : null;
    state.to = to ? short(to.commit_hash) : null;
    sync();
    renderAll();
  }

  async function removeTag(t) {
    try {
      await api(`${repoPath}/tags/${encodeURIComponent(t)}`, { method: 'DELETE' });
      await refresh();
    } catch (err) {
      showError(`Could not remove the tag: ${err.message}`);
    }
  }

  function openTag(c) {
    const input = h('input', { class: 'input', required: true, placeholder: 'prod', attrs: { 'aria-label': 'Tag name', autocomplete: 'off' } });
    const err = h('div', { class: 'banner', hidden: true, attrs: { role: 'alert' } });
    const dlg = h('dialog', { class: 'modal', attrs: { 'aria-label': 'Tag commit' } });
    dlg.append(h('form', {
      on: {
        submit: async (e) => {
          e.preventDefault();
          try {
            await api(`${repoPath}/tags`, { method: 'POST', body: { tag_name: input.value.trim(), commit_id: c.id } });
            dlg.close();
            await refresh();
          } catch (ex) {
            err.textContent = ex.message;
            err.hidden = false;
          }
        },
      },
    },
    h('h2', {}, `Tag ${short(c.commit_hash)}`),
    h('p', { class: 'muted small' }, 'A tag that already exists moves to this commit. Pull it with ', h('code', {}, `${repo.repo_handle}:<tag>`), '.'),
    h('label', { class: 'field' }, h('span', {}, 'Tag'), input), err,
    h('div', { class: 'row end' }, h('button', { class: 'btn ghost', type: 'button', on: { click: () => dlg.close() } }, 'Cancel'),
      h('button', { class: 'btn primary', type: 'submit' }, 'Save tag'))));
    dlg.addEventListener('close', () => dlg.remove());
    dialogs.append(dlg);
    dlg.showModal();
    input.focus();
  }

  // ---- diff tab ----
  function diffView() {
    const to = find(state.to) || selected();
    const from = find(state.from) || parentOf(to) || to;
    const option = (c) => h('option', { value: short(c.commit_hash) },
      `${short(c.commit_hash)}${c === head() ? ' (latest)' : ''}${tagsOf(c).length ? ' [' + tagsOf(c).join(', ') + ']' : ''} — ${c.description || fmtTime(c.created_at)}`);
    const pick = (label, current, key) => {
      const sel = h('select', {
        class: 'input diff-pick', dataset: { side: key }, attrs: { 'aria-label': label },
        on: { change: () => { state[key] = sel.value; sync(); renderAll(); } },
      }, commits.map(option));
      sel.value = short(current.commit_hash);
      return h('label', { class: 'row' }, h('span', { class: 'muted small' }, label), sel);
    };
    return h('div', { class: 'diff-view' },
      h('div', { class: 'row toolbar' }, pick('From', from, 'from'), h('span', { class: 'muted' }, '→'), pick('To', to, 'to')),
      h('div', { class: 'card' }, renderDiff(from, to)));
  }

  // ---- header actions ----
  async function toggleLike() {
    try {
      await api(`/likes/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`, { method: 'POST', body: { like: !repo.liked_by_auth_user } });
      repo = (await api(repoPath)).repo;
      renderHeader();
    } catch (err) {
      showError(`Could not update the like: ${err.message}`);
    }
  }

  async function patchRepo(body) {
    try {
      repo = (await api(repoPath, { method: 'PATCH', body })).repo;
      renderHeader();
      renderActions();
    } catch (err) {
      showError(err instanceof ApiError && err.status === 422 ? err.detail : `Could not update the prompt: ${err.message}`);
    }
  }

  const actionsEl = [likeBtn];
  const visibilityBtn = h('button', { class: 'btn', type: 'button', on: { click: () => patchRepo({ is_public: !repo.is_public }) } });
  const archiveBtn = h('button', { class: 'btn', type: 'button', on: { click: () => patchRepo({ is_archived: !repo.is_archived }) } });
  function renderActions() {
    visibilityBtn.textContent = repo.is_public ? 'Make private' : 'Make public';
    archiveBtn.textContent = repo.is_archived ? 'Unarchive' : 'Archive';
  }
  if (isOwn) { actionsEl.push(visibilityBtn, archiveBtn); renderActions(); }

  function toast(text) {
    const t = h('div', { class: 'toast', attrs: { role: 'status' } }, text);
    document.body.append(t);
    setTimeout(() => t.remove(), 2500);
  }

  renderAll();
  const el = h('div', { class: 'prompt-page' }, headerEl, banner, container, dialogs);
  return {
    el,
    title: repo.full_name,
    crumbs: [{ label: 'Prompts', href: '/prompts' }, { label: repo.full_name, href: location.pathname }],
    tabs: tabsEl,
    actions: actionsEl,
  };
}
