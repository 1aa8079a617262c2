/**
 * A text read as if every whitespace run in it were one space and its ends were trimmed (what
 * `text.replace(/\s+/g, ' ').trim()` returns), without building that text.
 *
 * Why. The message-flow search (readsByContent.ts) compares earlier outputs with each step's input
 * whitespace-normalised. Inputs are most of a trace's text; normalising them all with a regular
 * expression, and the copies that made, were a large share of importing a long trace, while the
 * search only looks at a small sample of positions and at the few places a match is confirmed.
 *
 * Positions here are positions in the raw text. A normalised character is met at the raw position of
 * its character, or for the space standing for a run, at any position inside the run.
 */

/** The characters `\s` and `trim` treat as whitespace. */
export function isWhitespace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

const SPACE = 32;

export class CollapsedText {
  /** Raw positions of the first and past the last character that is not whitespace. */
  readonly lo: number;
  readonly hi: number;

  constructor(readonly raw: string) {
    let lo = 0;
    let hi = raw.length;
    while (lo < hi && isWhitespace(raw.charCodeAt(lo))) lo++;
    while (hi > lo && isWhitespace(raw.charCodeAt(hi - 1))) hi--;
    this.lo = lo;
    this.hi = hi;
  }

  /**
   * The polynomial hash (base `base`) of the `length` normalised characters starting with the one at
   * raw position `at`, or undefined when the text ends before that many.
   */
  hashAt(at: number, length: number, base: number): number | undefined {
    const { raw, hi } = this;
    let h = 0;
    let p = at;
    for (let k = 0; k < length; k++) {
      if (p >= hi) return undefined;
      let c = raw.charCodeAt(p++);
      if (isWhitespace(c)) {
        c = SPACE;
        while (p < hi && isWhitespace(raw.charCodeAt(p))) p++;
      }
      h = (Math.imul(h, base) + c) | 0;
    }
    return h;
  }

  /**
   * The raw position of the normalised character `back` places before the one at raw position `at`
   * (a run's space is met at its first character), or -1 when the text starts later than that.
   */
  positionBefore(at: number, back: number): number {
    const { raw, lo } = this;
    let p = at;
    if (isWhitespace(raw.charCodeAt(p))) while (p > lo && isWhitespace(raw.charCodeAt(p - 1))) p--;
    for (let k = 0; k < back; k++) {
      if (p <= lo) return -1;
      p--;
      if (isWhitespace(raw.charCodeAt(p))) while (p > lo && isWhitespace(raw.charCodeAt(p - 1))) p--;
    }
    return p;
  }

  /** The normalised character at raw position `at` (where a normalised character starts). */
  charAt(at: number): number {
    const c = this.raw.charCodeAt(at);
    return isWhitespace(c) ? SPACE : c;
  }

  /** Whether the normalised text continues with `probe` (itself normalised) from raw position `at`. */
  startsWith(probe: string, at: number): boolean {
    const { raw, hi } = this;
    if (at + probe.length <= hi && raw.substr(at, probe.length) === probe) {
      // The raw text is the probe here, so it has no run to collapse there: the normalised text is too.
      return true;
    }
    let p = at;
    for (let k = 0; k < probe.length; k++) {
      if (p >= hi) return false;
      let c = raw.charCodeAt(p++);
      if (isWhitespace(c)) {
        c = SPACE;
        while (p < hi && isWhitespace(raw.charCodeAt(p))) p++;
      }
      if (c !== probe.charCodeAt(k)) return false;
    }
    return true;
  }
}
