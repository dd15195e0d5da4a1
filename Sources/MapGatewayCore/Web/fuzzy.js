// Pure fuzzy matching for the search box (no DOM, no Leaflet), unit-tested with node
// (Tests/Web/fuzzy.test.js): a query matches a name exactly, as a prefix, as a substring, as a
// subsequence of its letters, or within a few typos of some part of it (edit distance of the
// query to the best-matching substring); better kinds of match score higher.

/** Lower-case, trimmed, inner whitespace collapsed: how queries and names are compared. */
export function normalize(s) {
  return String(s).toLowerCase().trim().replace(/\s+/g, ' ');
}

/** Typos a query of `n` characters may have: none below 4, one up to 7, then one per 4 more. */
export function allowedTypos(n) {
  return n < 4 ? 0 : Math.min(3, Math.floor(n / 4));
}

/**
 * The fewest edits (insert, delete, substitute, swap of two neighbours) that turn `q` into some
 * substring of `t` (Sellers' approximate substring matching, Damerau-style transpositions).
 */
export function substringDistance(q, t) {
  const m = q.length;
  if (m === 0) { return 0; }
  let prev2 = null;
  let prev = new Array(m + 1);
  for (let i = 0; i <= m; i += 1) { prev[i] = i; }
  let best = prev[m];
  for (let j = 1; j <= t.length; j += 1) {
    const cur = new Array(m + 1);
    cur[0] = 0;  // a match may start anywhere in t
    for (let i = 1; i <= m; i += 1) {
      const cost = q[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min(prev[i] + 1, cur[i - 1] + 1, prev[i - 1] + cost);
      if (prev2 && i > 1 && j > 1 && q[i - 1] === t[j - 2] && q[i - 2] === t[j - 1]) {
        d = Math.min(d, prev2[i - 2] + 1);
      }
      cur[i] = d;
    }
    best = Math.min(best, cur[m]);
    prev2 = prev;
    prev = cur;
  }
  return best;
}

/** Whether the letters of `q` appear in `t` in order; returns the gaps between them, or -1. */
function subsequenceGaps(q, t) {
  let gaps = 0, j = 0, last = -1;
  for (const c of q) {
    while (j < t.length && t[j] !== c) { j += 1; }
    if (j === t.length) { return -1; }
    if (last >= 0) { gaps += j - last - 1; }
    last = j;
    j += 1;
  }
  return gaps;
}

/**
 * How well `query` matches `name`: null for no match, else a score (higher is better):
 * exact 1000, prefix 900, substring at a word start 800, other substring 700, subsequence
 * 500…600 (fewer gaps higher), within the allowed typos 400 − 100 per typo. Shorter names win
 * ties within a kind (a small bonus up to 9).
 */
export function fuzzyScore(query, name) {
  const q = normalize(query), t = normalize(name);
  if (!q || !t) { return null; }
  const tie = Math.max(0, 9 - Math.max(0, t.length - q.length) / 4);
  if (t === q) { return 1000; }
  if (t.startsWith(q)) { return 900 + tie; }
  const at = t.indexOf(q);
  if (at > 0) { return (/[^a-z0-9]/.test(t[at - 1]) ? 800 : 700) + tie; }
  const gaps = q.length >= 2 ? subsequenceGaps(q, t) : -1;
  if (gaps >= 0 && gaps <= 2 * q.length) { return 500 + Math.max(0, 99 - gaps * 10); }
  const limit = allowedTypos(q.length);
  if (limit === 0) { return null; }
  const typos = substringDistance(q, t);
  return typos <= limit ? 400 - 100 * typos + tie : null;
}

/**
 * The `limit` best matches of `query` among `items` (objects with a `label`), best first; equal
 * scores in label order. Each result is the item with its `score`.
 */
export function fuzzySearch(query, items, limit = 10) {
  const out = [];
  for (const item of items) {
    const score = fuzzyScore(query, item.label);
    if (score !== null) { out.push({ ...item, score }); }
  }
  out.sort((a, b) => b.score - a.score || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  return out.slice(0, limit);
}
