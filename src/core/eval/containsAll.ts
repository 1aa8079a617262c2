/**
 * Every listed string or regex must appear in the output. The score is the fraction found, so a
 * prompt edit that gets one more required element in shows up as progress before it passes.
 */
import { EvaluatorConfigError } from './errors';
import { scored } from './result';
import { compileTextPattern, type TextMatcher, type TextPatternSpec } from './textPattern';
import type { EvalInput, EvalResult, Evaluator } from './types';

export interface ContainsAllOptions {
  items: readonly TextPatternSpec[];
  /** For plain strings; default false. Regexes follow their own flags. */
  caseSensitive?: boolean;
}

export class ContainsAllEvaluator implements Evaluator {
  readonly type = 'contains-all' as const;
  private readonly matchers: TextMatcher[];

  constructor(options: ContainsAllOptions) {
    if (!Array.isArray(options.items) || options.items.length === 0) {
      throw new EvaluatorConfigError('contains-all: `items` must list at least one string or { regex } to look for.', ['items']);
    }
    options.items.forEach((item, i) => {
      if (typeof item === 'string' && item.trim() === '') throw new EvaluatorConfigError(`contains-all: \`items[${i}]\` is empty; an empty string is found in every output.`, [`items.${i}`]);
    });
    this.matchers = options.items.map((item, i) => compileTextPattern(item, options.caseSensitive ?? false, `contains-all.items[${i}]`));
  }

  async evaluate(input: EvalInput): Promise<EvalResult> {
    return this.score(input);
  }

  score(input: EvalInput): EvalResult {
    const found: string[] = [];
    const missing: string[] = [];
    for (const m of this.matchers) (m.search(input.output) >= 0 ? found : missing).push(m.label);
    const all = missing.length === 0;
    return scored(found.length / this.matchers.length, all, {
      reason: all ? `All ${found.length} items appear.` : `${missing.length} of ${this.matchers.length} items are missing.`,
      found,
      missing,
    });
  }
}
