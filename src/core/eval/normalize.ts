/**
 * Text normalisation shared by the string-comparing evaluators. Models decorate answers with
 * spacing, capitals and a closing full stop; none of that should decide whether "Paris" matched.
 */

export interface NormalizeOptions {
  /** Compare letter case as written (default false: case-folded). */
  caseSensitive?: boolean;
  /** Drop sentence punctuation at the end (default true). */
  stripTrailingPunctuation?: boolean;
}

/**
 * Only sentence-ending marks are stripped: brackets and quotes carry meaning in answers such as
 * `f(x)` or `"a"`, so removing them would make different answers equal.
 */
const TRAILING_PUNCTUATION = /[.!?,;:\u3002\uFF01\uFF1F\u2026]+$/u;

export function normalizeText(text: string, options: NormalizeOptions = {}): string {
  // NFKC makes full-width and compatibility forms (ＡＢＣ, ﬁ) compare equal to their plain forms.
  let out = text.normalize('NFKC').replace(/\s+/gu, ' ').trim();
  if (options.stripTrailingPunctuation !== false) out = out.replace(TRAILING_PUNCTUATION, '').trimEnd();
  // Upper then lower is a cheap full case fold: it also maps ß to ss, which lowercasing alone misses.
  if (!options.caseSensitive) out = out.toUpperCase().toLowerCase();
  return out;
}
