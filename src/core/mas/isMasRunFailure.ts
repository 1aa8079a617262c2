/** Tells a failed execution from a finished one (the two shapes share no discriminant field). */
import type { MasRunFailure, MasRunResult } from './types';

export function isMasRunFailure(value: MasRunResult | MasRunFailure): value is MasRunFailure {
  return 'failed' in value && value.failed === true;
}
