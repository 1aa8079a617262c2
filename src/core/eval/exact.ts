/** Exact match after normalisation (see normalize.ts): the strict evaluator for short answers. */
import { referenceOf } from './reference';
import { normalizeText, type NormalizeOptions } from './normalize';
import { binary, failed, preview } from './result';
import type { EvalInput, EvalResult, Evaluator } from './types';

export type ExactOptions = NormalizeOptions;

export class ExactEvaluator implements Evaluator {
  readonly type = 'exact' as const;

  constructor(private readonly options: ExactOptions = {}) {}

  async evaluate(input: EvalInput): Promise<EvalResult> {
    return this.score(input);
  }

  /** Synchronous core, reused by tests and by callers that batch many cheap checks. */
  score(input: EvalInput): EvalResult {
    const reference = referenceOf(input);
    if (reference === undefined) return failed('missing-reference', 'The task has no reference answer to compare with.');
    const got = normalizeText(input.output, this.options);
    const want = normalizeText(reference, this.options);
    return binary(got === want, {
      reason: got === want ? 'The normalized output equals the reference.' : 'The normalized output differs from the reference.',
      normalizedOutput: preview(got),
      normalizedReference: preview(want),
    });
  }
}
