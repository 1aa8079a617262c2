/** Token accounting over a trajectory's steps. */
import type { Step, Usage } from './schema';

/** Sums step usage; a total is only reported when some step knew only its total. */
export function totalUsage(steps: readonly Step[]): Usage {
  let tokensIn = 0;
  let tokensOut = 0;
  let total = 0;
  let anyTotalOnly = false;
  for (const s of steps) {
    tokensIn += s.usage.in;
    tokensOut += s.usage.out;
    total += s.usage.total ?? s.usage.in + s.usage.out;
    if (s.usage.total !== undefined) anyTotalOnly = true;
  }
  return anyTotalOnly ? { in: tokensIn, out: tokensOut, total } : { in: tokensIn, out: tokensOut };
}
