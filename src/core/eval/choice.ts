/** Multiple choice: the picked letter (rule in choiceExtract.ts) against the reference letter. */
import { extractChoice, type LowercaseRule } from './choiceExtract';
import { EvaluatorConfigError } from './errors';
import { referenceOf } from './reference';
import { binary, failed, preview } from './result';
import type { EvalInput, EvalResult, Evaluator } from './types';

export interface ChoiceOptions {
  /** Allowed answer letters; default A–D. A string "ABCDE" or a list of single letters. */
  letters?: string | readonly string[];
  lowercase?: LowercaseRule;
}

export const DEFAULT_CHOICE_LETTERS = ['A', 'B', 'C', 'D'] as const;

export class ChoiceEvaluator implements Evaluator {
  readonly type = 'choice' as const;
  readonly letters: readonly string[];
  private readonly lowercase: LowercaseRule;

  constructor(options: ChoiceOptions = {}) {
    this.letters = parseLetters(options.letters ?? DEFAULT_CHOICE_LETTERS);
    this.lowercase = options.lowercase ?? 'marked';
  }

  async evaluate(input: EvalInput): Promise<EvalResult> {
    return this.score(input);
  }

  score(input: EvalInput): EvalResult {
    const reference = referenceOf(input);
    if (reference === undefined) return failed('missing-reference', 'The task has no reference letter to compare with.');
    const want = referenceLetter(reference);
    if (!want || !this.letters.includes(want)) {
      return failed('bad-reference', `The reference ${JSON.stringify(preview(reference, 40))} is not one of the letters ${this.letters.join(', ')}.`);
    }

    const picked = extractChoice(input.output, { letters: this.letters, lowercase: this.lowercase });
    if (picked.status === 'none') {
      const seen = picked.outOfRange.length ? ` It names ${picked.outOfRange.join(', ')}, which ${picked.outOfRange.length > 1 ? 'are' : 'is'} not allowed.` : '';
      return binary(false, { reason: `No answer letter (${this.letters.join(', ')}) found in the output.${seen}`, reference: want, output: preview(input.output) });
    }
    if (picked.status === 'invalid') {
      return binary(false, {
        reason: `The answer line ("${picked.cue}") gives ${picked.letter}, which is not one of ${this.letters.join(', ')}.`,
        picked: picked.letter,
        reference: want,
      });
    }
    const how = picked.rule === 'answer-line' ? `the answer line ("${picked.cue}")` : 'the first standalone letter';
    return binary(picked.letter === want, {
      reason: `Picked ${picked.letter} from ${how}; the reference is ${want}.`,
      picked: picked.letter,
      reference: want,
      rule: picked.rule,
      offset: picked.index,
    });
  }
}

function parseLetters(letters: string | readonly string[]): string[] {
  const list = typeof letters === 'string' ? [...letters.replace(/[\s,]+/g, '')] : [...letters];
  const bad = list.filter((l) => !/^[A-Za-z]$/.test(l));
  if (!list.length) throw new EvaluatorConfigError('choice: `letters` must list at least one letter.', ['letters']);
  if (bad.length) throw new EvaluatorConfigError(`choice: \`letters\` must be single letters A–Z; got ${bad.map((b) => JSON.stringify(b)).join(', ')}.`, ['letters']);
  const upper = list.map((l) => l.toUpperCase());
  if (new Set(upper).size !== upper.length) throw new EvaluatorConfigError('choice: `letters` lists a letter twice.', ['letters']);
  return upper;
}

/** References are written by people: "B", "b", "(B)", "B.", "B) Paris" all mean B. */
function referenceLetter(reference: string): string | undefined {
  const m = /^[\s*([]*([A-Za-z])(?:[\s*)\].:]|$)/u.exec(reference.normalize('NFKC'));
  return m ? m[1].toUpperCase() : undefined;
}
