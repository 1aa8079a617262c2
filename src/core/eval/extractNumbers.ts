/**
 * Finds the numbers a model wrote, in order. Recognised forms:
 *
 * - integers and decimals, with an optional sign (`-`, `+`, or the typographic minus `−`):
 *   `42`, `-3`, `0.5`, `.5`, `6.02e23`;
 * - US thousands separators when every group has exactly three digits: `1,234.5` is one number,
 *   while `1,2,3` is three (a list) and `1,2345` is two;
 * - percentages: `75%` (value 75, flagged as a percentage — see numeric.ts for how it compares);
 * - simple fractions of integers, `3/4`, `-3/4`, and LaTeX `\frac{3}{4}`; a slash chain such as a
 *   date `12/25/2024` is not a fraction and reads as three plain numbers.
 *
 * A number glued to a preceding letter ("H2O", "v2") is part of a name, not a quantity, and is
 * skipped. A minus directly after a digit is a range or a subtraction ("3-4"), not a sign.
 * European decimal commas (`1.234,5`) are not recognised: they collide with US separators.
 */

export interface FoundNumber {
  value: number;
  /** The text as written, for details shown to the user. */
  text: string;
  /** Offset into the searched text. */
  index: number;
  percent: boolean;
}

const SIGN = '[-+\\u2212]?';
const FRACTION = `(?<!/)(?<fs>${SIGN})(?<num>\\d+)\\/(?<den>\\d+)(?![\\d/]|\\.\\d)`;
const LATEX_FRACTION = `(?<ls>${SIGN})\\\\[dt]?frac\\{(?<lnum>\\d+)\\}\\{(?<lden>\\d+)\\}`;
const DECIMAL = `(?<ds>${SIGN})(?<body>\\d{1,3}(?:,\\d{3}(?!\\d))+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?|\\.\\d+)(?<exp>[eE][-+]?\\d+)?(?<pct>\\s?%)?`;

const NUMBER = new RegExp(`(?<![\\p{L}\\p{N}.])(?:${LATEX_FRACTION}|${FRACTION}|${DECIMAL})`, 'gu');

export function extractNumbers(text: string): FoundNumber[] {
  const found: FoundNumber[] = [];
  for (const m of text.matchAll(NUMBER)) {
    const g = m.groups ?? {};
    const index = m.index ?? 0;
    if (g.lnum !== undefined || g.num !== undefined) {
      const num = Number(g.lnum ?? g.num);
      const den = Number(g.lden ?? g.den);
      const value = signOf(g.ls ?? g.fs) * (num / den);
      // A zero denominator or a numerator too long for a double yields no usable quantity.
      if (!Number.isFinite(value)) continue;
      found.push({ value, text: m[0], index, percent: false });
      continue;
    }
    const value = signOf(g.ds) * Number(`${g.body.replace(/,/g, '')}${g.exp ?? ''}`);
    if (!Number.isFinite(value)) continue;
    found.push({ value, text: m[0], index, percent: g.pct !== undefined });
  }
  return found;
}

function signOf(sign: string | undefined): number {
  return sign === '-' || sign === '\u2212' ? -1 : 1;
}
