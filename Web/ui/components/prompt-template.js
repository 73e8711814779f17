// Reading, rendering and editing LangChain prompt manifests (the JSON `langchain_core.load.dumps`
// writes): messages with their roles, `{variables}` highlighted, and template edits that keep the
// manifest loadable (input_variables recomputed as LangChain would).
import { h } from '../lib/dom.js';

const typeOf = (node) => (node && Array.isArray(node.id) ? node.id[node.id.length - 1] : null);
const SEQUENCES = new Set(['RunnableSequence', 'PromptPlayground']);
const ROLE_OF = {
  SystemMessagePromptTemplate: 'system', HumanMessagePromptTemplate: 'human', AIMessagePromptTemplate: 'ai',
  SystemMessage: 'system', HumanMessage: 'human', AIMessage: 'ai', ToolMessage: 'tool',
};

/** The prompt part of a manifest, the model after it (if any), and the path to the prompt. */
export function splitManifest(manifest) {
  if (SEQUENCES.has(typeOf(manifest)) && manifest.kwargs?.first) {
    const k = manifest.kwargs;
    const steps = [...(k.middle || []), k.last].filter(Boolean);
    return { prompt: k.first, steps, path: ['kwargs', 'first'] };
  }
  return { prompt: manifest, steps: [], path: [] };
}

/**
 * The editable/renderable parts of a prompt: `[{role, kind, template, format, path}]` where
 * `kind` is `template` (a template string at `path`), `text` (a fixed message), or `placeholder`
 * (a MessagesPlaceholder, `template` is its variable name). `path` is relative to the prompt.
 */
export function messagesOf(prompt) {
  const type = typeOf(prompt);
  const kw = prompt?.kwargs || {};
  if (type === 'PromptTemplate') {
    return [{ role: 'template', kind: 'template', template: kw.template ?? '', format: kw.template_format || 'f-string', path: ['kwargs', 'template'] }];
  }
  if (!Array.isArray(kw.messages)) return null;
  return kw.messages.map((m, i) => {
    const mt = typeOf(m);
    const mk = m?.kwargs || {};
    const base = ['kwargs', 'messages', i, 'kwargs'];
    if (mt === 'MessagesPlaceholder') {
      return { role: 'placeholder', kind: 'placeholder', template: mk.variable_name ?? '', optional: !!mk.optional, path: null };
    }
    const role = mt === 'ChatMessagePromptTemplate' || mt === 'ChatMessage' ? (mk.role || 'chat') : (ROLE_OF[mt] || (mt || 'message'));
    const p = mk.prompt;
    if (p && !Array.isArray(p) && typeOf(p) === 'PromptTemplate') {
      return { role, kind: 'template', template: p.kwargs?.template ?? '', format: p.kwargs?.template_format || 'f-string', path: [...base, 'prompt', 'kwargs', 'template'] };
    }
    if (Array.isArray(p)) {
      // Multimodal: a list of text/image templates; the first text one is editable.
      const idx = p.findIndex((x) => typeOf(x) === 'PromptTemplate');
      const text = p.map((x) => (typeOf(x) === 'PromptTemplate' ? x.kwargs?.template : `[${typeOf(x) || 'part'}]`)).join('\n');
      return idx >= 0 && p.length === 1
        ? { role, kind: 'template', template: p[idx].kwargs?.template ?? '', format: p[idx].kwargs?.template_format || 'f-string', path: [...base, 'prompt', idx, 'kwargs', 'template'] }
        : { role, kind: 'text', template: text, path: null };
    }
    if (typeof mk.content === 'string') return { role, kind: 'text', template: mk.content, path: [...base, 'content'] };
    return { role, kind: 'text', template: JSON.stringify(mk.content ?? mk, null, 2), path: null };
  });
}

/**
 * Splits a template into literal text and variables. f-string: `{name}` (with `{{`/`}}` as
 * escaped braces); mustache: `{{ name }}`. Returns `[{text} | {variable, raw}]`.
 */
export function tokenize(template, format = 'f-string') {
  const out = [];
  let lit = '';
  const flush = () => { if (lit) out.push({ text: lit }); lit = ''; };
  if (format === 'mustache' || format === 'jinja2') {
    const re = /\{\{\s*([^{}]+?)\s*\}\}/g;
    let last = 0, m;
    while ((m = re.exec(template))) {
      lit += template.slice(last, m.index);
      flush();
      out.push({ variable: m[1].replace(/^[#/^&]\s*/, ''), raw: m[0] });
      last = m.index + m[0].length;
    }
    lit += template.slice(last);
    flush();
    return out;
  }
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if ((c === '{' || c === '}') && template[i + 1] === c) { lit += c + c; i++; continue; }
    if (c === '{') {
      const end = template.indexOf('}', i + 1);
      if (end > i + 1) {
        flush();
        const raw = template.slice(i, end + 1);
        out.push({ variable: raw.slice(1, -1).split(/[!:]/)[0].trim(), raw });
        i = end;
        continue;
      }
    }
    lit += c;
  }
  flush();
  return out;
}

/** Sorted, unique variable names of a template (what LangChain stores as input_variables). */
export function variablesOf(template, format = 'f-string') {
  return [...new Set(tokenize(template, format).filter((t) => t.variable).map((t) => t.variable))].sort();
}

/** A template rendered as text with each variable in a highlighted span. */
export function renderTemplate(template, format) {
  return h('div', { class: 'pt-text' },
    tokenize(template, format).map((t) => (t.variable !== undefined
      ? h('span', { class: 'pt-var', title: `variable: ${t.variable}`, dataset: { var: t.variable } }, t.raw)
      : t.text)));
}

/** The rendered view of a manifest: its messages (or template), variables, and any model. */
export function renderManifest(manifest) {
  const { prompt, steps } = splitManifest(manifest);
  const msgs = messagesOf(prompt);
  const wrap = h('div', { class: 'pt-view' });
  if (!msgs) {
    wrap.append(h('p', { class: 'muted' }, `A ${typeOf(prompt) || 'manifest'} without messages; see its JSON in the diff view.`));
    return wrap;
  }
  const vars = inputVariables(prompt, msgs);
  wrap.append(h('div', { class: 'pt-vars row' }, h('span', { class: 'muted small' }, 'Input variables:'),
    vars.length ? vars.map((v) => h('span', { class: 'pill pt-var-pill' }, v)) : h('span', { class: 'faint small' }, 'none')));
  wrap.append(h('div', { class: 'pt-messages' }, msgs.map((m) => h('div', { class: ['pt-msg', `role-${m.role}`], dataset: { role: m.role } },
    h('div', { class: 'pt-role' }, m.kind === 'placeholder' ? `placeholder${m.optional ? ' (optional)' : ''}` : m.role),
    m.kind === 'placeholder'
      ? h('div', { class: 'pt-text' }, h('span', { class: 'pt-var', dataset: { var: m.template } }, `{${m.template}}`), h('span', { class: 'faint' }, ' — a list of messages'))
      : m.kind === 'template' ? renderTemplate(m.template, m.format) : h('div', { class: 'pt-text' }, m.template)))));
  for (const step of steps) {
    const kw = step?.kwargs || {};
    const inner = typeOf(step) === 'RunnableBinding' ? kw.bound : step;
    const params = Object.entries(inner?.kwargs || {}).filter(([, v]) => v === null || typeof v !== 'object');
    wrap.append(h('div', { class: 'pt-model' }, h('span', { class: 'muted small' }, 'Then: '), h('b', {}, typeOf(inner) || 'step'),
      params.length ? h('span', { class: 'mono small' }, ' ' + params.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')) : null));
  }
  return wrap;
}

function inputVariables(prompt, msgs) {
  const partial = new Set(Object.keys(prompt?.kwargs?.partial_variables || {}));
  const vars = new Set();
  for (const m of msgs) {
    if (m.kind === 'template') variablesOf(m.template, m.format).forEach((v) => vars.add(v));
    if (m.kind === 'placeholder' && !m.optional) vars.add(m.template);
  }
  return [...vars].filter((v) => !partial.has(v)).sort();
}

/**
 * A copy of `manifest` with the prompt's message templates replaced by `texts` (one per entry of
 * `messagesOf`, `null` to keep), and input_variables recomputed for each changed template and for
 * the chat prompt, so LangChain loads it as it would have built it.
 */
export function withTemplates(manifest, texts) {
  const copy = structuredClone(manifest);
  const { prompt } = splitManifest(copy);
  const msgs = messagesOf(prompt);
  msgs.forEach((m, i) => {
    const text = texts[i];
    if (text === null || text === undefined || !m.path || text === m.template) return;
    let node = prompt;
    for (const key of m.path.slice(0, -1)) node = node[key];
    node[m.path[m.path.length - 1]] = text;
    // The PromptTemplate holding a template keeps its own input_variables.
    if (m.kind === 'template' && m.path.length >= 2 && node && 'template' in node) {
      node.input_variables = variablesOf(text, m.format).filter((v) => !(v in (node.partial_variables || {})));
    }
  });
  if (Array.isArray(prompt.kwargs?.messages)) prompt.kwargs.input_variables = inputVariables(prompt, messagesOf(prompt));
  return copy;
}
