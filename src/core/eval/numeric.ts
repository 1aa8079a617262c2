/**
 * Numeric answers within a tolerance. The output's number is picked by `extract`:
 *
 * - `last` (default): the last number in the output — reasoning comes first, the result last;
 * - `first`: the first number;
 * - `answer`: the last number inside the last `\boxed{…}`, else the first number after the last
 *   "answer:"/"answer is" cue, else the last number (so it never does worse than `last`).
 *
 * It passes when |output − reference| ≤ `abs` or ≤ `rel`·|reference| (either is enough). With
 * neither set the comparison is exact up to floating-point noise (abs 1e-9).
 *
 * Percentages: when exactly one side is written as a percentage, it matches if either its face
 * value (75 for "75%") or its fraction (0.75) is within tolerance of the other side, since
 * references and models disagree about which form to use. Two percentages, or none, compare by
 * face value.
 *
 * The reference is read with the same rules; if it holds several numbers the last one counts.
 */
import { EvaluatorConfigError } from './errors';
import { extractNumbers, type FoundNumber } from './extractNumbers';
import { referenceOf } from './reference';
import { binary, failed, preview } from './result';
import type { EvalInput, EvalResult, Evaluator } from './types';

export type NumberPick = 'last' | 'first' | 'answer';

export interface NumericOptions {
  abs?: number;
  rel?: number;
  extract?: NumberPick;
}

/** Tolerance when none is configured: exact, except for binary floating-point rounding. */
export const DEFAULT_ABS_TOLERANCE = 1e-9;

export class NumericEvaluator implements Evaluator {
  readonly type = 'numeric' as const;
  private readonly abs: number;
  private readonly rel: number;
  private readonly pick: NumberPick;

  constructor(options: NumericOptions = {}) {
    for (const key of ['abs', 'rel'] as const) {
      const v = options[key];
      if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
        throw new EvaluatorConfigError(`numeric: \`${key}\` must be a finite number ≥ 0; got ${JSON.stringify(v)}.`, [key]);
      }
    }
    this.abs = options.abs ?? (options.rel === undefined ? DEFAULT_ABS_TOLERANCE : 0);
    this.rel = options.rel ?? 0;
    this.pick = options.extract ?? 'last';
  }

  async evaluate(input: EvalInput): Promise<EvalResult> {
    return this.score(input);
  }

  score(input: EvalInput): EvalResult {
    const reference = referenceOf(input);
    if (reference === undefined) return failed('missing-reference', 'The task has no reference number to compare with.');
    const want = extractNumbers(reference).at(-1);
    if (!want) return failed('bad-reference', `The reference ${JSON.stringify(preview(reference, 40))} contains no number.`);

    const got = pickNumber(input.output, this.pick);
    if (!got) return binary(false, { reason: 'No number found in the output.', reference: want.value, output: preview(input.output) });

    const candidates = comparableValues(got, want);
    const best = candidates.reduce((a, b) => (Math.abs(b - want.value) < Math.abs(a - want.value) ? b : a));
    const difference = Math.abs(best - want.value);
    const pass = difference <= this.abs || difference <= this.rel * Math.abs(want.value);
    return binary(pass, {
      reason: pass ? `${got.text} is within tolerance of ${want.text}.` : `${got.text} is off by ${difference} from ${want.text}.`,
      extracted: got.text,
      value: best,
      reference: want.value,
      difference,
      tolerance: { abs: this.abs, rel: this.rel },
    });
  }
}

/** The values the output's number may stand for, per the percentage rule in the header. */
function comparableValues(got: FoundNumber, want: FoundNumber): number[] {
  if (got.percent === want.percent) return [got.value];
  if (got.percent) return [got.value, got.value / 100];
  // The reference is the percentage (face value 75 for "75%"): an output of 0.75 means 75.
  return [got.value, got.value * 100];
}

export function pickNumber(output: string, pick: NumberPick): FoundNumber | undefined {
  if (pick === 'first') return extractNumbers(output)[0];
  if (pick === 'answer') return fromAnswerMarker(output) ?? extractNumbers(output).at(-1);
  return extractNumbers(output).at(-1);
}

const BOXED = /\\boxed\{((?:[^{}]|\{[^{}]*\})*)\}/g;
const ANSWER_CUE = /\banswer\b\s*(?:is\b|[:=])/gi;

function fromAnswerMarker(output: string): FoundNumber | undefined {
  const boxed = [...output.matchAll(BOXED)].at(-1);
  if (boxed) {
    const inside = extractNumbers(boxed[1]).at(-1);
    if (inside) return inside;
  }
  const cue = [...output.matchAll(ANSWER_CUE)].at(-1);
  if (cue) return extractNumbers(output.slice((cue.index ?? 0) + cue[0].length))[0];
  return undefined;
}
