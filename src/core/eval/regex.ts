/**
 * Regular-expression evaluator. Without `group`, any match passes. With `group` (a number or a
 * name), the captured text must equal the reference after normalisation — the usual way to pull an
 * answer out of a formatted reply ("ANSWER: (.+)") and still compare it strictly.
 */
import { compileRegex } from './compileRegex';
import { EvaluatorConfigError } from './errors';
import { normalizeText } from './normalize';
import { referenceOf } from './reference';
import { binary, failed, preview } from './result';
import type { EvalInput, EvalResult, Evaluator } from './types';

export interface RegexOptions {
  pattern: string;
  flags?: string;
  /** Capture group whose text is compared with the reference. */
  group?: number | string;
  /** For the group comparison; default false. */
  caseSensitive?: boolean;
}

export class RegexEvaluator implements Evaluator {
  readonly type = 'regex' as const;
  private readonly re: RegExp;

  constructor(private readonly options: RegexOptions) {
    if (typeof options.pattern !== 'string' || !options.pattern) throw new EvaluatorConfigError('regex: `pattern` must be a non-empty string.', ['pattern']);
    this.re = compileRegex(options.pattern, options.flags, 'regex.pattern');
    checkGroup(this.re, options.group);
  }

  async evaluate(input: EvalInput): Promise<EvalResult> {
    return this.score(input);
  }

  score(input: EvalInput): EvalResult {
    const match = this.re.exec(input.output);
    const { group } = this.options;
    if (group === undefined) {
      return binary(!!match, match ? { reason: 'The pattern matched.', match: preview(match[0]) } : { reason: `The pattern /${this.re.source}/ did not match.` });
    }
    const reference = referenceOf(input);
    if (reference === undefined) return failed('missing-reference', 'The regex compares a capture group with the reference, but the task has none.');
    if (!match) return binary(false, { reason: `The pattern /${this.re.source}/ did not match.` });
    const captured = typeof group === 'number' ? match[group] : match.groups?.[group];
    if (captured === undefined) return binary(false, { reason: `The pattern matched but group ${JSON.stringify(group)} took part in no match.`, match: preview(match[0]) });
    const norm = { caseSensitive: this.options.caseSensitive };
    const equal = normalizeText(captured, norm) === normalizeText(reference, norm);
    return binary(equal, {
      reason: equal ? 'The captured text equals the reference.' : 'The captured text differs from the reference.',
      captured: preview(captured),
      reference: preview(reference),
    });
  }
}

/**
 * Counting "(" in the source is brittle (escapes, classes, lookarounds); instead the pattern gets an
 * empty alternative so it always matches "", and the match array reports every group it has.
 */
function checkGroup(re: RegExp, group: number | string | undefined): void {
  if (group === undefined) return;
  const count = new RegExp(`${re.source}|`, re.flags).exec('')!.length - 1;
  if (typeof group === 'number') {
    if (!Number.isInteger(group) || group < 0 || group > count) {
      throw new EvaluatorConfigError(`regex: \`group\` ${group} does not exist; the pattern has ${count} capture group${count === 1 ? '' : 's'}.`, ['group']);
    }
    return;
  }
  const names = Object.keys(new RegExp(`${re.source}|`, re.flags).exec('')!.groups ?? {});
  if (!names.includes(group)) {
    throw new EvaluatorConfigError(`regex: \`group\` "${group}" is not a named group of the pattern${names.length ? ` (it has ${names.join(', ')})` : ''}.`, ['group']);
  }
}
