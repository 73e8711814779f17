// Chat messages as role-labelled bubbles, with tool calls and tool results.
// Understands OpenAI messages/completions, LangChain serialized messages (constructor form and
// {type, content} dicts, nested message lists, LLMResult generations) and Anthropic content blocks.
import { h } from '../lib/dom.js';
import { markdown, safeHref } from './markdown.js';
import { jsonView, longString } from './json-view.js';

const ROLE_ALIASES = {
  human: 'user', user: 'user', humanmessage: 'user', humanmessagechunk: 'user',
  ai: 'assistant', assistant: 'assistant', aimessage: 'assistant', aimessagechunk: 'assistant', model: 'assistant', bot: 'assistant',
  system: 'system', systemmessage: 'system', systemmessagechunk: 'system', developer: 'system',
  tool: 'tool', toolmessage: 'tool', toolmessagechunk: 'tool', function: 'tool', functionmessage: 'tool', ipython: 'tool',
  chat: 'chat', chatmessage: 'chat', chatmessagechunk: 'chat',
};
const ROLE_LABELS = { user: 'User', assistant: 'Assistant', system: 'System', tool: 'Tool', chat: 'Message' };

/** Renders chat-like values as bubbles; returns null when `value` does not look like chat. */
export function chatView(value) {
  const messages = toMessages(value);
  if (!messages || !messages.length) return null;
  // Tool call ids → names, so tool results can say which tool answered.
  const callNames = new Map();
  for (const m of messages) {
    for (const c of m.toolCalls) if (c.id) callNames.set(c.id, c.name);
    if (Array.isArray(m.content)) {
      for (const b of m.content) if (b && (b.type === 'tool_use' || b.type === 'function_call') && (b.id || b.call_id)) callNames.set(b.id || b.call_id, b.name);
    }
  }
  return h('div', { class: 'chat' }, messages.map((m) => bubble(m, callNames)));
}

// ---- normalisation ----

/** Returns an array of normalised messages, or null if `value` is not chat-like. */
export function toMessages(value, depth = 0) {
  if (value === null || value === undefined || depth > 4) return null;
  if (Array.isArray(value)) {
    if (!value.length) return null;
    // LangChain batches: [[msg, msg], …] — flatten the groups.
    if (value.every((v) => Array.isArray(v))) {
      const all = [];
      for (const group of value) {
        const ms = toMessages(group, depth + 1);
        if (!ms) return null;
        all.push(...ms);
      }
      return all.length ? all : null;
    }
    const out = [];
    for (const v of value) {
      const m = toMessage(v);
      if (!m) return null;
      out.push(m);
    }
    return out;
  }
  if (typeof value !== 'object') return null;
  const single = toMessage(value);
  if (single) return [single];
  // LLMResult: {generations: [[{message|text}]]}
  if (Array.isArray(value.generations)) {
    const gens = value.generations.flat(2);
    const out = [];
    for (const g of gens) {
      if (!g || typeof g !== 'object') return null;
      const m = g.message ? toMessage(g.message) : (typeof g.text === 'string' ? { role: 'assistant', content: g.text, toolCalls: [], name: null, toolCallId: null } : null);
      if (!m) return null;
      out.push(m);
    }
    return out.length ? out : null;
  }
  // OpenAI completions: {choices: [{message}|{text}]}
  if (Array.isArray(value.choices)) {
    const out = [];
    for (const c of value.choices) {
      const m = c?.message ? toMessage(c.message) : c?.delta ? toMessage({ role: 'assistant', ...c.delta }) : (typeof c?.text === 'string' ? toMessage({ role: 'assistant', content: c.text }) : null);
      if (!m) return null;
      out.push(m);
    }
    return out.length ? out : null;
  }
  // {messages: …} possibly with an Anthropic-style top-level system prompt, or a single
  // message-ish wrapper key ({message}, {output}, {input}, {prompt}).
  for (const key of ['messages', 'message', 'output', 'input', 'prompt', 'prompts', 'chat_history']) {
    if (!(key in value)) continue;
    const rest = Object.keys(value).filter((k) => k !== key && k !== 'system' && value[k] !== null && value[k] !== undefined);
    // Only accept wrappers where the messages are the whole story (other keys would be hidden).
    if (key !== 'messages' && rest.length) continue;
    if (key === 'messages' && rest.some((k) => !IGNORABLE_KEYS.has(k))) continue;
    const ms = toMessages(value[key], depth + 1);
    if (!ms) continue;
    if (typeof value.system === 'string' || Array.isArray(value.system)) {
      ms.unshift({ role: 'system', content: value.system, toolCalls: [], name: null, toolCallId: null });
    }
    return ms;
  }
  return null;
}

// Request options that may sit next to `messages` without making the value "not chat".
const IGNORABLE_KEYS = new Set(['model', 'temperature', 'max_tokens', 'max_completion_tokens', 'top_p', 'stream', 'stop', 'n',
  'tools', 'tool_choice', 'response_format', 'seed', 'user', 'metadata', 'frequency_penalty', 'presence_penalty', 'top_k',
  'parallel_tool_calls', 'stream_options', 'logprobs', 'thread_id', 'session_id']);

function toMessage(v) {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  // LangChain constructor form: {lc:1, type:"constructor", id:[…,"AIMessage"], kwargs:{…}}
  if (v.lc !== undefined && v.type === 'constructor' && Array.isArray(v.id)) {
    const cls = String(v.id[v.id.length - 1] || '');
    const role = ROLE_ALIASES[cls.toLowerCase()];
    if (!role) return null;
    const kw = v.kwargs || {};
    return normalise(kw.role && role === 'chat' ? ROLE_ALIASES[String(kw.role).toLowerCase()] || 'chat' : role, kw);
  }
  // OpenAI / Anthropic style: {role, content, tool_calls?}
  if (typeof v.role === 'string' && ('content' in v || 'tool_calls' in v || 'function_call' in v || 'parts' in v)) {
    const role = ROLE_ALIASES[v.role.toLowerCase()] || 'chat';
    return normalise(role, v, v.role);
  }
  // LangChain dict form: {type: "human"|"ai"|…, content} (also {type, data: {content}})
  if (typeof v.type === 'string' && ROLE_ALIASES[v.type.toLowerCase()]) {
    if ('content' in v) return normalise(ROLE_ALIASES[v.type.toLowerCase()], v);
    if (v.data && typeof v.data === 'object' && 'content' in v.data) return normalise(ROLE_ALIASES[v.type.toLowerCase()], v.data);
  }
  return null;
}

function normalise(role, m, rawRole) {
  const content = m.content !== undefined ? m.content : m.parts !== undefined ? m.parts : null;
  const toolCalls = [];
  const seen = new Set();
  const addCall = (c) => {
    if (!c || typeof c !== 'object') return;
    const fn = c.function || {};
    const name = c.name || fn.name || 'tool';
    let args = c.args !== undefined ? c.args : c.input !== undefined ? c.input : fn.arguments !== undefined ? fn.arguments : c.arguments;
    if (typeof args === 'string') { try { args = JSON.parse(args); } catch { /* keep raw string */ } }
    const key = c.id || `${name}:${JSON.stringify(args)}`;
    if (seen.has(key)) return;
    seen.add(key);
    toolCalls.push({ id: c.id || null, name, args });
  };
  (Array.isArray(m.tool_calls) ? m.tool_calls : []).forEach(addCall);
  const ak = m.additional_kwargs || {};
  (Array.isArray(ak.tool_calls) ? ak.tool_calls : []).forEach(addCall);
  if (m.function_call) addCall(m.function_call);
  if (ak.function_call) addCall(ak.function_call);
  (Array.isArray(m.invalid_tool_calls) ? m.invalid_tool_calls : []).forEach(addCall);
  return {
    role,
    rawRole: rawRole && !ROLE_ALIASES[rawRole.toLowerCase()] ? rawRole : (role === 'chat' ? m.role : null),
    content,
    toolCalls,
    name: m.name || null,
    toolCallId: m.tool_call_id || null,
    status: m.status || null,
  };
}

// ---- rendering ----

function bubble(m, callNames) {
  const label = ROLE_LABELS[m.role] || 'Message';
  const toolName = m.role === 'tool' ? (m.name || (m.toolCallId && callNames.get(m.toolCallId)) || null) : null;
  const head = h('div', { class: 'msg-head' },
    h('span', { class: 'msg-role' }, m.rawRole ? m.rawRole : label),
    toolName ? h('span', { class: 'msg-name mono' }, toolName) : (m.name && m.role !== 'tool' ? h('span', { class: 'msg-name' }, m.name) : null),
    m.toolCallId ? h('span', { class: 'msg-id faint mono', title: 'tool_call_id' }, m.toolCallId) : null,
    m.status === 'error' ? h('span', { class: 'pill err' }, 'error') : null);
  const body = h('div', { class: ['msg-body', m.role === 'tool' && 'tool-result'] }, contentNodes(m.content, callNames));
  const calls = m.toolCalls.length ? h('div', { class: 'tool-calls' }, m.toolCalls.map(toolCall)) : null;
  const emptyBody = m.content === null || m.content === '' || (Array.isArray(m.content) && !m.content.length);
  return h('div', { class: ['msg', m.role] }, head, emptyBody && calls ? null : body, calls);
}

function toolCall(c) {
  return h('div', { class: 'tool-call' },
    h('div', { class: 'tool-call-head' },
      h('span', { class: 'tool-call-label' }, 'Tool call'),
      h('span', { class: 'tool-call-name mono' }, c.name),
      c.id ? h('span', { class: 'faint mono tool-call-id' }, c.id) : null),
    argsView(c.args));
}

function argsView(args) {
  if (args === undefined || args === null || (typeof args === 'object' && !Object.keys(args).length)) return h('div', { class: 'faint tool-args-empty' }, 'no arguments');
  if (typeof args === 'string') return h('pre', { class: 'tool-args' }, args);
  return jsonView(args, { collapsedDepth: 3 });
}

function contentNodes(content, callNames) {
  if (content === null || content === undefined || content === '') return h('span', { class: 'faint' }, '(empty)');
  if (typeof content === 'string') return markdown(content);
  if (!Array.isArray(content)) {
    if (typeof content === 'object') return jsonView(content, { collapsedDepth: 2 });
    return String(content);
  }
  return content.map((block) => contentBlock(block, callNames));
}

function contentBlock(b, callNames) {
  if (typeof b === 'string') return markdown(b);
  if (!b || typeof b !== 'object') return String(b);
  switch (b.type) {
    case 'text':
    case 'input_text':
    case 'output_text':
      return markdown(typeof b.text === 'string' ? b.text : JSON.stringify(b.text));
    case 'image_url': {
      const url = typeof b.image_url === 'string' ? b.image_url : b.image_url?.url;
      return image(url);
    }
    case 'image': {
      if (b.source?.type === 'base64' && b.source.data) return image(`data:${b.source.media_type || 'image/png'};base64,${b.source.data}`);
      if (b.source?.type === 'url') return image(b.source.url);
      if (b.url || b.source_type === 'url') return image(b.url);
      if (b.data || b.base64) return image(`data:${b.mime_type || 'image/png'};base64,${b.data || b.base64}`);
      return jsonView(b, { collapsedDepth: 1 });
    }
    case 'tool_use':
    case 'function_call':
    case 'tool_call': {
      let args = b.input ?? b.args ?? b.arguments;
      if (typeof args === 'string') { try { args = JSON.parse(args); } catch { /* raw */ } }
      return toolCall({ id: b.id || b.call_id || null, name: b.name || 'tool', args });
    }
    case 'tool_result':
    case 'function_call_output': {
      const name = callNames.get(b.tool_use_id || b.call_id);
      return h('div', { class: ['tool-result-block', b.is_error && 'error'] },
        h('div', { class: 'tool-call-head' },
          h('span', { class: 'tool-call-label' }, 'Tool result'),
          name ? h('span', { class: 'tool-call-name mono' }, name) : null,
          b.tool_use_id ? h('span', { class: 'faint mono' }, b.tool_use_id) : null,
          b.is_error ? h('span', { class: 'pill err' }, 'error') : null),
        h('div', { class: 'tool-result' }, contentNodes(b.content ?? b.output, callNames)));
    }
    case 'thinking':
    case 'reasoning':
      return h('details', { class: 'thinking' }, h('summary', {}, 'Thinking'),
        markdown(b.thinking || b.text || (Array.isArray(b.summary) ? b.summary.map((s) => s.text || '').join('\n\n') : '')));
    default:
      if (typeof b.text === 'string') return markdown(b.text);
      return jsonView(b, { collapsedDepth: 1 });
  }
}

function image(url) {
  const ok = typeof url === 'string' && (/^data:image\//i.test(url) || safeHref(url));
  if (!ok) return h('span', { class: 'faint' }, '[image]');
  if (url.startsWith('data:')) return h('img', { class: 'msg-image', src: url, alt: 'image' });
  return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, h('img', { class: 'msg-image', src: url, alt: 'image' }));
}

// ---- any value ----

/**
 * Renders any run input/output for humans: chat bubbles if chat-like, retrieved documents as
 * cards, Markdown for a single (long) string, else the JSON viewer.
 */
export function renderValue(value) {
  const chat = chatView(value);
  if (chat) return chat;
  const docs = documentsView(value);
  if (docs) return docs;
  const text = singleString(value);
  if (text !== null) {
    return h('div', { class: 'value-text' },
      text.key ? h('div', { class: 'value-key mono faint' }, text.key) : null,
      markdown(text.text));
  }
  if (value === null || value === undefined) return h('div', { class: 'faint value-empty' }, 'null');
  if (typeof value !== 'object') return h('div', { class: 'value-text mono' }, String(value));
  return jsonView(value);
}

/** A bare string, or an object with one key holding a long string (e.g. `{"output": "…"}`). */
function singleString(v) {
  if (typeof v === 'string') return { key: null, text: v };
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const keys = Object.keys(v);
    if (keys.length === 1 && typeof v[keys[0]] === 'string') {
      const s = v[keys[0]];
      if (s.length >= 40 || s.includes('\n') || ['output', 'text', 'answer', 'content', 'result', 'response', 'completion'].includes(keys[0])) {
        return { key: keys[0], text: s };
      }
    }
  }
  return null;
}

/** Retriever output: `{documents: [{page_content, metadata}]}` or a bare list of documents. */
function documentsView(v) {
  const docs = Array.isArray(v) ? v : (v && typeof v === 'object' && Object.keys(v).length === 1 && Array.isArray(v.documents) ? v.documents : null);
  if (!docs || !docs.length) return null;
  const norm = [];
  for (const d of docs) {
    const kw = d && d.lc !== undefined && d.kwargs ? d.kwargs : d;
    if (!kw || typeof kw !== 'object' || typeof kw.page_content !== 'string') return null;
    norm.push(kw);
  }
  return h('div', { class: 'documents' }, norm.map((d, i) => h('div', { class: 'document' },
    h('div', { class: 'document-head' }, h('span', { class: 'pill' }, `Document ${i + 1}`),
      d.metadata?.source ? h('span', { class: 'mono faint' }, String(d.metadata.source)) : null),
    markdown(d.page_content),
    d.metadata && Object.keys(d.metadata).length ? h('details', { class: 'document-meta' }, h('summary', {}, 'metadata'), jsonView(d.metadata, { collapsedDepth: 1 })) : null)));
}

// Re-exported for callers that want the same truncation in message-less text.
export { longString };
