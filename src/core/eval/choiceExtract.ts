/**
 * Which multiple-choice letter an answer picks. The rule, in order:
 *
 * 1. **Answer line.** If the text contains an answer cue — "final answer", "answer",
 *    "correct answer|option|choice" — followed by a separator ("is", "would be", ":", "=", "-")
 *    and then a letter token, that token is the answer. A "final answer" cue beats the other cues;
 *    among cues of the same kind the last one wins, because models restate their conclusion at the
 *    end ("I think B, final answer: D" → D). A cue followed by a marked letter outside the allowed
 *    set ("Answer: (F)" with A–D) makes the answer invalid rather than falling back to guessing.
 * 2. **First token.** Otherwise the answer is the first standalone allowed letter in the text.
 *
 * A letter is *standalone* when it is not part of a word: no letter, digit or apostrophe touches
 * it ("Because", "B's" are out), it is not part of a hyphenated word ("B-tree") or a dotted
 * abbreviation ("D.C.", "e.g."). Brackets, bold/italic stars and trailing punctuation around it
 * are fine: "(B)", "[B]", "**C**", "B.", "B)" all count.
 *
 * A letter is *marked* when it is wrapped in brackets or stars, follows an answer cue or the word
 * "option"/"choice", or is the whole output. Lowercase letters count only when marked (default
 * `lowercase: 'marked'`), because a bare "a" is far more often the English article than an
 * answer; `'any'` accepts bare lowercase letters too and `'never'` ignores lowercase entirely.
 *
 * A bare capital "A" followed by a lowercase word ("A careful reading shows…") is read as the
 * article and skipped, unless that word is one that typically follows an answer letter ("A is
 * correct", "A because…"). This keeps the first-token rule from picking up sentence openers.
 */

export type LowercaseRule = 'marked' | 'any' | 'never';

export interface ChoiceExtractOptions {
  /** Allowed letters, upper case. */
  letters: readonly string[];
  lowercase: LowercaseRule;
}

export type ChoiceExtraction =
  | { status: 'found'; letter: string; rule: 'answer-line' | 'first-token'; index: number; cue?: string }
  | { status: 'invalid'; letter: string; index: number; cue: string }
  | { status: 'none'; outOfRange: string[] };

/** Words after which a leading capital "A" is still an answer letter rather than the article. */
const WORDS_AFTER_ANSWER_LETTER = new Set([
  'is', 'was', 'seems', 'appears', 'looks', 'would', 'should', 'could', 'must', 'might', 'will', 'can',
  'and', 'or', 'because', 'since', 'as', 'fits', 'matches', 'holds', 'remains', 'best', 'only',
]);

const CUE = /(?<![\p{L}\p{N}])(final\s+answer|correct\s+(?:answer|option|choice)|answer)(?:\s*\*{1,2})?\s*(?:(?:is|would\s+be|will\s+be)\b\s*:?|[:=\-\u2013\u2014])/giu;

const STANDALONE_LETTER = /(?<![\p{L}\p{N}'\u2019])[A-Za-z](?![\p{L}\p{N}'\u2019])/gu;

export function extractChoice(text: string, options: ChoiceExtractOptions): ChoiceExtraction {
  // NFKC turns full-width letters (Ｂ) into ASCII ones so the scanner sees them.
  const source = text.normalize('NFKC');
  const fromCue = fromAnswerLine(source, options);
  if (fromCue) return fromCue;

  const outOfRange: string[] = [];
  for (const m of source.matchAll(STANDALONE_LETTER)) {
    const index = m.index ?? 0;
    const verdict = classify(source, index, false, options);
    if (verdict === 'allowed') return { status: 'found', letter: source[index].toUpperCase(), rule: 'first-token', index };
    if (verdict === 'out-of-range') outOfRange.push(source[index].toUpperCase());
  }
  return { status: 'none', outOfRange: [...new Set(outOfRange)] };
}

function fromAnswerLine(source: string, options: ChoiceExtractOptions): ChoiceExtraction | undefined {
  let best: { final: boolean; result: ChoiceExtraction } | undefined;
  for (const m of source.matchAll(CUE)) {
    const letterIndex = letterAfterCue(source, (m.index ?? 0) + m[0].length);
    if (letterIndex === undefined) continue;
    const verdict = classify(source, letterIndex, true, options);
    if (verdict === 'skip') continue;
    const cue = m[1].replace(/\s+/g, ' ').toLowerCase();
    const letter = source[letterIndex].toUpperCase();
    const result: ChoiceExtraction =
      verdict === 'allowed'
        ? { status: 'found', letter, rule: 'answer-line', index: letterIndex, cue }
        : { status: 'invalid', letter, index: letterIndex, cue };
    const final = cue.startsWith('final');
    // Later cues replace earlier ones of the same kind; a plain cue never replaces a final one.
    if (!best || final || !best.final) best = { final, result };
  }
  return best?.result;
}

/** Skips the spacing, stars and an opening bracket that may sit between a cue and its letter. */
function letterAfterCue(source: string, from: number): number | undefined {
  const m = /^[\s*]*[([]?[\s*]*/u.exec(source.slice(from, from + 16));
  const index = from + (m ? m[0].length : 0);
  return /[A-Za-z]/.test(source[index] ?? '') ? index : undefined;
}

type Verdict = 'allowed' | 'out-of-range' | 'skip';

function classify(source: string, index: number, afterCue: boolean, options: ChoiceExtractOptions): Verdict {
  const ch = source[index];
  const before = source.slice(Math.max(0, index - 12), index);
  const after = source.slice(index + 1, index + 40);

  if (!isStandalone(source, index, before, after)) return 'skip';
  const wrapped = isWrapped(before, after);
  const whole = isWholeOutput(source, index);
  const marked = afterCue || wrapped || whole || /\b(?:option|choice)\s*$/iu.test(before);
  const lower = ch !== ch.toUpperCase();
  if (lower && (options.lowercase === 'never' || (options.lowercase === 'marked' && !marked))) return 'skip';
  if (!wrapped && isArticle(ch, after)) return 'skip';
  if (options.letters.includes(ch.toUpperCase())) return 'allowed';
  // An out-of-range letter is an attempted answer only when it cannot be a word: wrapped, alone,
  // or closing an answer line. "Answer: I think B" must not read the pronoun as a bad letter.
  const endsClause = !/^\s*\p{L}/u.test(after);
  return wrapped || whole || (afterCue && endsClause) ? 'out-of-range' : 'skip';
}

function isStandalone(source: string, index: number, before: string, after: string): boolean {
  if (index > 0 && /[\p{L}\p{N}'\u2019]/u.test(source[index - 1])) return false;
  if (/[\p{L}\p{N}'\u2019]/u.test(after[0] ?? '')) return false;
  if (/\p{L}-$/u.test(before) || /^-\p{L}/u.test(after)) return false;
  if (/\p{L}\.$/u.test(before) || /^\.\p{L}/u.test(after)) return false;
  return true;
}

function isWrapped(before: string, after: string): boolean {
  const open = /([([])\**$/u.exec(before);
  if (open) return new RegExp(`^\\**\\${open[1] === '(' ? ')' : ']'}`, 'u').test(after);
  const stars = /(\*{1,2})$/u.exec(before);
  return !!stars && after.startsWith(stars[1]);
}

/** The output is nothing but the letter, perhaps decorated: "c", "(c).", "**c**". */
function isWholeOutput(source: string, index: number): boolean {
  const rest = (source.slice(0, index) + source.slice(index + 1)).replace(/[\s*()[\].:!,]/gu, '');
  return rest.length === 0;
}

function isArticle(ch: string, after: string): boolean {
  if (ch !== 'A' && ch !== 'a') return false;
  const next = /^\s+([\p{Ll}]+)/u.exec(after);
  return !!next && !WORDS_AFTER_ANSWER_LETTER.has(next[1]);
}
