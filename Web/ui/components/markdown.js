// A small, safe Markdown renderer: builds DOM nodes (text nodes only, never innerHTML).
// Supports headings, paragraphs, bold/italic/strikethrough, inline code, links (http/https only),
// bare URLs, ordered/unordered (nested) lists, fenced and indented code blocks, blockquotes,
// horizontal rules and GitHub-style pipe tables. Anything else stays literal text.
import { h } from '../lib/dom.js';

/** Characters rendered at once before a "Show more" button (huge strings stay responsive). */
export const MARKDOWN_LIMIT = 20000;

/** Renders Markdown `text` into a `<div class="md">`. */
export function markdown(text, { limit = MARKDOWN_LIMIT } = {}) {
  const src = text === null || text === undefined ? '' : String(text);
  const el = h('div', { class: 'md' });
  const show = (full) => {
    el.replaceChildren();
    const shown = full || src.length <= limit ? src : cutAtLine(src, limit);
    el.append(...renderBlocks(parseBlocks(shown.replace(/\r\n?/g, '\n').split('\n'))));
    if (shown.length < src.length) {
      el.append(h('button', { class: 'btn small show-more', type: 'button', on: { click: () => show(true) } },
        `Show more (${(src.length - shown.length).toLocaleString('en-US')} more characters)`));
    }
  };
  show(false);
  return el;
}

function cutAtLine(s, limit) {
  const nl = s.lastIndexOf('\n', limit);
  return s.slice(0, nl > limit * 0.8 ? nl : limit);
}

// ---- blocks ----

const RE_FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;
const RE_HEADING = /^ {0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$/;
const RE_HR = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const RE_QUOTE = /^ {0,3}> ?(.*)$/;
const RE_ITEM = /^(\s*)([-*+]|\d{1,9}[.)])(\s+(.*)|$)/;
const RE_TABLE_SEP = /^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/;

const indentOf = (line) => line.match(/^\s*/)[0].replace(/\t/g, '    ').length;
const isBlank = (line) => /^\s*$/.test(line);

function startsBlock(line, next) {
  return RE_FENCE.test(line) || RE_HEADING.test(line) || RE_HR.test(line) || RE_QUOTE.test(line) ||
    (RE_ITEM.test(line) && !isBlank(line.replace(RE_ITEM, '$4'))) ||
    (next !== undefined && line.includes('|') && RE_TABLE_SEP.test(next) && next.includes('-'));
}

function parseBlocks(lines) {
  const blocks = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (isBlank(line)) { i++; continue; }
    let m;
    if ((m = line.match(RE_FENCE))) {
      const fence = m[1];
      const body = [];
      i++;
      while (i < lines.length && !new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`).test(lines[i])) body.push(lines[i++]);
      i++;  // closing fence (or end of input)
      blocks.push({ type: 'code', lang: m[2], text: body.join('\n') });
      continue;
    }
    if (indentOf(line) >= 4) {
      const body = [];
      while (i < lines.length && (indentOf(lines[i]) >= 4 || isBlank(lines[i]))) body.push(lines[i++].replace(/^( {4}|\t)/, ''));
      while (body.length && isBlank(body[body.length - 1])) body.pop();
      blocks.push({ type: 'code', lang: '', text: body.join('\n') });
      continue;
    }
    if ((m = line.match(RE_HEADING))) {
      blocks.push({ type: 'heading', level: m[1].length, text: m[2] || '' });
      i++;
      continue;
    }
    if (RE_HR.test(line)) { blocks.push({ type: 'hr' }); i++; continue; }
    if (RE_QUOTE.test(line)) {
      const body = [];
      while (i < lines.length && !isBlank(lines[i])) {
        const q = lines[i].match(RE_QUOTE);
        body.push(q ? q[1] : lines[i]);
        i++;
      }
      blocks.push({ type: 'quote', blocks: parseBlocks(body) });
      continue;
    }
    if (RE_ITEM.test(line)) {
      const [list, next] = parseList(lines, i);
      blocks.push(list);
      i = next;
      continue;
    }
    if (line.includes('|') && i + 1 < lines.length && RE_TABLE_SEP.test(lines[i + 1]) && lines[i + 1].includes('-')) {
      const head = splitRow(line);
      const align = splitRow(lines[i + 1]).map((c) => (c.startsWith(':') && c.endsWith(':') ? 'center' : c.endsWith(':') ? 'right' : null));
      i += 2;
      const rows = [];
      while (i < lines.length && !isBlank(lines[i]) && lines[i].includes('|')) rows.push(splitRow(lines[i++]));
      blocks.push({ type: 'table', head, align, rows });
      continue;
    }
    // Paragraph: until a blank line or the start of another block.
    const body = [line];
    i++;
    while (i < lines.length && !isBlank(lines[i]) && !startsBlock(lines[i], lines[i + 1])) body.push(lines[i++]);
    blocks.push({ type: 'para', text: body.map((l) => l.trim()).join('\n') });
  }
  return blocks;
}

function splitRow(line) {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
  const cells = [];
  let cur = '';
  for (let k = 0; k < s.length; k++) {
    if (s[k] === '\\' && s[k + 1] === '|') { cur += '|'; k++; continue; }
    if (s[k] === '|') { cells.push(cur.trim()); cur = ''; continue; }
    cur += s[k];
  }
  cells.push(cur.trim());
  return cells;
}

function parseList(lines, start) {
  const first = lines[start].match(RE_ITEM);
  const base = indentOf(first[1]);
  const ordered = /\d/.test(first[2]);
  const list = { type: 'list', ordered, start: ordered ? parseInt(first[2], 10) : 1, items: [], loose: false };
  let i = start;
  let cur = null;
  let contentIndent = 0;
  let sawBlank = false;
  while (i < lines.length) {
    const line = lines[i];
    if (isBlank(line)) { sawBlank = true; if (cur) cur.push(''); i++; continue; }
    const m = line.match(RE_ITEM);
    const ind = indentOf(line);
    if (m && ind <= base + 1 && /\d/.test(m[2]) === ordered) {
      if (sawBlank && cur) list.loose = true;
      cur = [m[4] || ''];
      list.items.push(cur);
      contentIndent = ind + m[2].length + 1;
      sawBlank = false;
      i++;
      continue;
    }
    if (ind > base && cur) {
      // Continuation or nested block: dedent relative to the item's content.
      cur.push(line.replace(new RegExp(`^\\s{0,${Math.max(contentIndent, base + 2)}}`), ''));
      sawBlank = false;
      i++;
      continue;
    }
    if (!sawBlank && cur && !startsBlock(line, lines[i + 1])) {  // lazy paragraph continuation
      cur.push(line.trim());
      i++;
      continue;
    }
    break;
  }
  // Trailing blank lines belong to no item.
  for (const item of list.items) while (item.length && isBlank(item[item.length - 1])) item.pop();
  list.items = list.items.map((item) => parseBlocks(item));
  return [list, i];
}

function renderBlocks(blocks, tight = false) {
  return blocks.map((b) => {
    switch (b.type) {
      case 'heading': return h('h' + b.level, {}, inline(b.text));
      case 'para': return tight ? h('span', { class: 'md-tight' }, inline(b.text)) : h('p', {}, inline(b.text));
      case 'hr': return h('hr');
      case 'quote': return h('blockquote', {}, renderBlocks(b.blocks));
      case 'code': return codeBlock(b.text, b.lang);
      case 'table': return h('div', { class: 'md-table' }, h('table', {},
        h('thead', {}, h('tr', {}, b.head.map((c, k) => h('th', { style: b.align[k] ? { textAlign: b.align[k] } : null }, inline(c))))),
        h('tbody', {}, b.rows.map((r) => h('tr', {}, b.head.map((_, k) => h('td', { style: b.align[k] ? { textAlign: b.align[k] } : null }, inline(r[k] ?? ''))))))));
      case 'list': {
        // Tight items (no blank lines, one paragraph) render without <p> margins.
        const items = b.items.map((blocksOfItem) => h('li', {},
          renderBlocks(blocksOfItem, !b.loose && blocksOfItem.filter((x) => x.type === 'para').length <= 1)));
        return b.ordered ? h('ol', { start: b.start !== 1 ? b.start : null }, items) : h('ul', {}, items);
      }
      default: return null;
    }
  });
}

function codeBlock(text, lang) {
  const code = h('code', { class: lang ? `language-${lang}` : null }, text);
  return h('div', { class: 'md-code' },
    lang ? h('span', { class: 'md-lang' }, lang) : null,
    h('pre', {}, code));
}

// ---- inline ----

// Order matters: escapes, code spans, links/images, bold, italic, strikethrough, autolinks, bare URLs.
const INLINE = new RegExp([
  /\\([\\`*_{}[\]()#+\-.!~|>])/.source,                                   // 1 escape
  /(`+)([^`]|[^`][\s\S]*?[^`])\2(?!`)/.source,                             // 2,3 code span
  /(!?)\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(\s*<?([^()\s<>]*(?:\([^()\s]*\)[^()\s<>]*)*)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/.source, // 4,5,6 link/image
  /\*\*(?=\S)([\s\S]*?\S)\*\*(?!\*)/.source,                               // 7 bold
  /(?<![\w\\])__(?=\S)([\s\S]*?\S)__(?!\w)/.source,                        // 8 bold
  /\*(?=[^\s*])((?:[^*\n]|\*\*[^*\n]+\*\*)*?[^\s*\\])\*(?!\*)/.source,     // 9 italic
  /\*([^\s*])\*(?!\*)/.source,                                             // 10 one-character italic
  /(?<![\w\\])_(?=[^\s_])((?:[^_\n])*?[^\s_\\])_(?!\w)/.source,            // 11 italic
  /(?<![\w\\])_([^\s_])_(?!\w)/.source,                                    // 12 one-character italic
  /~~(?=\S)([\s\S]*?\S)~~/.source,                                         // 13 strikethrough
  /<(https?:[^\s<>]+)>/.source,                                           // 14 autolink
  /((?:https?:\/\/)[^\s<>"'`]*[^\s<>"'`.,;:!?)\]}*_])/.source,             // 15 bare URL
].join('|'), 'g');

export function safeHref(url) {
  const u = String(url || '').trim();
  return /^https?:\/\//i.test(u) ? u : null;
}

function link(href, children) {
  return h('a', { href, target: '_blank', rel: 'noopener noreferrer nofollow' }, children);
}

/** Parses inline Markdown into an array of nodes/strings (recursively for nested emphasis). */
export function inline(text) {
  const out = [];
  let last = 0;
  const re = new RegExp(INLINE.source, 'g');
  let m;
  const pushText = (s) => {
    // Hard line breaks inside paragraphs keep the author's layout.
    const parts = s.split('\n');
    parts.forEach((p, k) => { if (k) out.push(h('br')); if (p) out.push(p); });
  };
  while ((m = re.exec(text))) {
    if (m.index > last) pushText(text.slice(last, m.index));
    last = re.lastIndex;
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(h('code', {}, m[3].length > 2 && m[3].startsWith(' ') && m[3].endsWith(' ') ? m[3].slice(1, -1) : m[3]));
    else if (m[5] !== undefined) {
      const href = safeHref(m[6]);
      const isImage = m[4] === '!';
      // Images are shown as links (no third-party loads from rendered text).
      const label = isImage ? (m[5] || m[6]) : inline(m[5]);
      out.push(href ? link(href, label) : h('span', { class: 'md-unsafe-link', title: m[6] }, label));
    }
    else if (m[7] !== undefined) out.push(h('strong', {}, inline(m[7])));
    else if (m[8] !== undefined) out.push(h('strong', {}, inline(m[8])));
    else if (m[9] !== undefined) out.push(h('em', {}, inline(m[9])));
    else if (m[10] !== undefined) out.push(h('em', {}, m[10]));
    else if (m[11] !== undefined) out.push(h('em', {}, inline(m[11])));
    else if (m[12] !== undefined) out.push(h('em', {}, m[12]));
    else if (m[13] !== undefined) out.push(h('del', {}, inline(m[13])));
    else if (m[14] !== undefined) out.push(link(m[14], m[14]));
    else if (m[15] !== undefined) {
      // Keep a closing parenthesis that balances one inside the URL (Wikipedia-style links).
      let url = m[15];
      while (text[re.lastIndex] === ')' && (url.match(/\(/g) || []).length > (url.match(/\)/g) || []).length) {
        url += ')';
        re.lastIndex++;
      }
      last = re.lastIndex;
      out.push(link(url, url));
    }
    if (m[0].length === 0) re.lastIndex++;
  }
  if (last < text.length) pushText(text.slice(last));
  return out;
}
