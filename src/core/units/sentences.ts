/**
 * Sentence boundaries inside a block of prompt text, so that a paragraph or list item holding
 * several instructions becomes one unit per instruction. A boundary is terminal punctuation
 * (". ", "! ", "? ", with closing quotes, brackets or emphasis after it) followed by whitespace
 * and the capitalised start of the next sentence. Abbreviations ("e.g.", "i.e.", "etc.") and
 * decimals never end a sentence; a question that follows a sentence elaborates it and stays with
 * it ("Analyse the prompt. What does the user care about?" is one instruction); a sentence is
 * never split at a semicolon or a comma, nor inside a quotation on one line; a line opening with a
 * bold label ("**IMPORTANT**: …") starts a sentence. Template spans (`{{ a. B }}`) are masked by the caller.
 */

/** Half-open [start, end) spans of `text`, trimmed, in order. */
export interface Span {
  start: number;
  end: number;
}

/** A line that opens with a bold label: "**Note**:", "**Avoid X**:", "__Rule:__". */
const LABEL_LINE = /^[ \t>]*(?:\*\*|__)[^*_\n]{1,80}?(?:(?:\*\*|__)\s*:|:\s*(?:\*\*|__))/;

const ABBREVIATION = /(?:^|[\s(])(?:e\.g|i\.e|eg|ie|etc|vs|cf|approx|incl|esp|viz|al|mr|mrs|ms|dr|st|no|nos|fig|vol|ch|sec|resp|min|max|ca)\.$/i;
const CLOSERS = new Set(['"', "'", '”', '’', ')', ']', '*', '_', '`', '»']);
const OPENERS = new Set(['"', "'", '“', '‘', '(', '[', '*', '_', '`', '«', '<', '$']);

function isUpperStart(text: string, i: number): boolean {
  let j = i;
  while (j < text.length && OPENERS.has(text[j])) j++;
  if (j >= text.length) return false;
  const c = text[j];
  // A capital letter, or a digit after an opener-free start ("2. Use…" is a list, not a sentence).
  return c !== c.toLowerCase() || (j > i && /[\p{L}\p{N}]/u.test(c));
}

/** Sentence spans of `text` (masked: template spans replaced by same-length filler). */
export function sentenceSpans(text: string): Span[] {
  const raw: Span[] = [];
  let start = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text[i];
    if (c === '\n' && LABEL_LINE.test(text.slice(i + 1, i + 100))) {
      // A line opening with a bold label ("**IMPORTANT**: Never …") starts a sentence of its own,
      // even when the line before it ends without punctuation.
      raw.push({ start, end: i });
      start = i + 1;
      continue;
    }
    if (c === '"' || c === '“') {
      // A quotation ("Example: "Research X. Use Y."") is one piece of the sentence around it; only
      // a sentence end right before its closing mark can end the sentence.
      const close = quotationEnd(text, i);
      if (close > i + 1) i = close - 2;
      continue;
    }
    if (c !== '.' && c !== '!' && c !== '?') continue;
    // "...", "?!": one boundary at the end of the run.
    let end = i + 1;
    while (end < n && (text[end] === '.' || text[end] === '!' || text[end] === '?')) end++;
    while (end < n && CLOSERS.has(text[end])) end++;
    if (end >= n || !/\s/.test(text[end])) {
      i = end - 1;
      continue;
    }
    if (c === '.' && end === i + 1 && ABBREVIATION.test(text.slice(Math.max(start, i - 12), i + 1))) continue;
    let next = end;
    while (next < n && /\s/.test(text[next])) next++;
    if (next >= n || !isUpperStart(text, next)) {
      i = end - 1;
      continue;
    }
    raw.push({ start, end });
    start = next;
    i = next - 1;
  }
  if (start < n) raw.push({ start, end: n });
  // Trim, and fold a question into the sentence before it.
  const out: Span[] = [];
  for (const s of raw) {
    let a = s.start;
    let b = s.end;
    while (a < b && /\s/.test(text[a])) a++;
    while (b > a && /\s/.test(text[b - 1])) b--;
    if (a >= b) continue;
    const last = out[out.length - 1];
    if (last && isQuestion(text.slice(a, b))) last.end = b;
    else out.push({ start: a, end: b });
  }
  return out;
}

/**
 * Where the quotation opening at `open` closes (the index of its closing mark), or -1 when the mark
 * at `open` does not open one: a straight quote opens after a space, a bracket, a colon or a dash
 * and before a non-space, and closes after a non-space on the same line.
 */
function quotationEnd(text: string, open: number): number {
  const curly = text[open] === '“';
  if (!curly) {
    const before = open > 0 ? text[open - 1] : ' ';
    if (!/[\s(\[:—–-]/.test(before) || open + 1 >= text.length || /\s/.test(text[open + 1])) return -1;
  }
  const closer = curly ? '”' : '"';
  for (let j = open + 1; j < text.length; j++) {
    const ch = text[j];
    if (ch === '\n') return -1;
    if (ch === closer) return /\s/.test(text[j - 1]) ? -1 : j;
  }
  return -1;
}

function isQuestion(sentence: string): boolean {
  return /\?[\s"'”’)\]*_`]*$/.test(sentence);
}
