/**
 * Builds a user's regular expression once, at construction, so a typo in `truce.yaml` is an
 * error that names the setting instead of a zero on every task.
 */
import { EvaluatorConfigError } from './errors';

/**
 * `g` and `y` make a RegExp remember where it last matched; evaluators test many outputs with one
 * instance, so these flags are dropped rather than letting one output's match shift the next.
 */
const STATEFUL_FLAGS = /[gy]/g;

export function compileRegex(pattern: string, flags: string | undefined, where: string): RegExp {
  const cleaned = (flags ?? '').replace(STATEFUL_FLAGS, '');
  try {
    return new RegExp(pattern, cleaned);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new EvaluatorConfigError(`${where}: the regular expression ${JSON.stringify(pattern)} with flags "${flags ?? ''}" is invalid: ${why}`, [where]);
  }
}
