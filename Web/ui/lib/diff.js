// Line diff (Myers' O(ND) algorithm) and hunking for the prompt commit diff view.

/**
 * Diffs two arrays of lines. Returns `[{op: 'same'|'del'|'add', text, a, b}]` in order, where `a`
 * and `b` are 1-based line numbers in the old and new text (null on the side a line is absent from).
 * Deletions come before insertions within a change, as in `git diff`.
 */
export function diffLines(a, b) {
  // Common prefix and suffix first: cheap, and it keeps the O(ND) core small for typical edits.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length, endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA--; endB--; }
  const core = myers(a.slice(start, endA), b.slice(start, endB));
  const ops = [];
  for (let i = 0; i < start; i++) ops.push({ op: 'same', text: a[i] });
  for (const o of core) ops.push(o);
  for (let i = endA; i < a.length; i++) ops.push({ op: 'same', text: a[i] });
  let la = 0, lb = 0;
  for (const o of ops) {
    o.a = o.op === 'add' ? null : ++la;
    o.b = o.op === 'del' ? null : ++lb;
  }
  return ops;
}

/** Shortest edit script between `a` and `b` as same/del/add operations. */
function myers(a, b) {
  const n = a.length, m = b.length;
  if (!n) return b.map((text) => ({ op: 'add', text }));
  if (!m) return a.map((text) => ({ op: 'del', text }));
  const max = n + m, off = max + 1;
  // Huge, completely different inputs would need O(D·(N+M)) memory for the trace: give up on
  // alignment there and show a replacement, which is still a correct diff.
  if (n * m > 25_000_000) return [...a.map((text) => ({ op: 'del', text })), ...b.map((text) => ({ op: 'add', text }))];
  let v = new Int32Array(2 * max + 3);
  const trace = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = (k === -d || (k !== d && v[off + k - 1] < v[off + k + 1])) ? v[off + k + 1] : v[off + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) { x++; y++; }
      v[off + k] = x;
      if (x >= n && y >= m) { found = d; break; }
    }
  }
  // Walk back from (n, m) through the saved frontiers.
  const out = [];
  let x = n, y = m;
  for (let d = found; d > 0; d--) {
    const prev = trace[d];
    const k = x - y;
    const prevK = (k === -d || (k !== d && prev[off + k - 1] < prev[off + k + 1])) ? k + 1 : k - 1;
    const prevX = prev[off + prevK], prevY = prevX - prevK;
    while (x > prevX && y > prevY) { out.push({ op: 'same', text: a[x - 1] }); x--; y--; }
    if (x === prevX) out.push({ op: 'add', text: b[y - 1] }); else out.push({ op: 'del', text: a[x - 1] });
    x = prevX; y = prevY;
  }
  while (x > 0 && y > 0) { out.push({ op: 'same', text: a[x - 1] }); x--; y--; }
  out.reverse();
  // Within each run of changes, list deletions before insertions.
  const sorted = [];
  for (let i = 0; i < out.length;) {
    if (out[i].op === 'same') { sorted.push(out[i++]); continue; }
    const dels = [], adds = [];
    while (i < out.length && out[i].op !== 'same') (out[i].op === 'del' ? dels : adds).push(out[i++]);
    sorted.push(...dels, ...adds);
  }
  return sorted;
}

/**
 * Groups diff operations into hunks with `context` unchanged lines around each change; the
 * unchanged runs between hunks become `{op: 'skip', count}` markers.
 */
export function hunks(ops, context = 3) {
  const keep = new Array(ops.length).fill(false);
  ops.forEach((o, i) => {
    if (o.op === 'same') return;
    for (let j = Math.max(0, i - context); j <= Math.min(ops.length - 1, i + context); j++) keep[j] = true;
  });
  const out = [];
  let skipped = 0;
  ops.forEach((o, i) => {
    if (keep[i]) {
      if (skipped) out.push({ op: 'skip', count: skipped });
      skipped = 0;
      out.push(o);
    } else {
      skipped++;
    }
  });
  if (skipped) out.push({ op: 'skip', count: skipped });
  return out;
}

/** `{added, removed}` line counts of a diff. */
export function diffStats(ops) {
  let added = 0, removed = 0;
  for (const o of ops) { if (o.op === 'add') added++; else if (o.op === 'del') removed++; }
  return { added, removed };
}
