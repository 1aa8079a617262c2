/**
 * A thing to look for in text, as `truce.yaml` writes it: a plain string (found as a substring,
 * ignoring case and spacing differences unless told otherwise) or `{ regex, flags }`.
 */
import { compileRegex } from './compileRegex';
import { normalizeText } from './normalize';

export type TextPatternSpec = string | { regex: string; flags?: string } | RegExp;

export interface TextMatcher {
  /** How the pattern reads in details and reports. */
  label: string;
  /** Index of the first match, or -1. */
  search(text: string): number;
}

export function compileTextPattern(spec: TextPatternSpec, caseSensitive: boolean, where: string): TextMatcher {
  if (typeof spec === 'string') {
    const needle = normalizeText(spec, { caseSensitive, stripTrailingPunctuation: false });
    // The haystack is normalised the same way, so indices refer to normalised text; callers only
    // use them to order or to test for presence, never to slice the original.
    return { label: JSON.stringify(spec), search: (text) => normalizeText(text, { caseSensitive, stripTrailingPunctuation: false }).indexOf(needle) };
  }
  const re = spec instanceof RegExp ? compileRegex(spec.source, spec.flags, where) : compileRegex(spec.regex, spec.flags, where);
  return { label: `/${re.source}/${re.flags}`, search: (text) => text.search(re) };
}
