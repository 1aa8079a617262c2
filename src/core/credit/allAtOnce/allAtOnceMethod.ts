/**
 * The all-at-once baseline in the shape the attribution harness runs (evaluateAttribution takes a
 * CreditMethod). It only attributes: it gives no credit signals and proposes no edits, so it is
 * not one of the optimizer's methods and its name is not a MethodName — the one cast below lets
 * the harness label its results without widening that type for the optimizer loop.
 */
import type { Trajectory } from '../../trajectory/schema';
import type { CreditMethod, CreditReport, MethodContext, MethodName } from '../types';
import { allAtOnceBlame } from './allAtOnceBlame';
import type { DecisiveErrorReply } from '../decisiveError';
import type { BlameChoice } from '../pickBlame';

export const ALL_AT_ONCE = 'all-at-once';

/** `details` of the baseline's report, keyed by task id. */
export interface AllAtOnceDetails {
  /** The pick, or a stated "no pick" (no agent, no step) that the harness must not overrule. */
  blame: Record<string, BlameChoice>;
  decisive: Record<string, DecisiveErrorReply>;
  why: Record<string, string>;
  stepChars: Record<string, number>;
  /** Logs too long for one prompt: the turns of their investigation and the steps read in full. */
  investigated: Record<string, { turns: number; read: string[] }>;
}

export function createAllAtOnceMethod(): CreditMethod {
  const name = ALL_AT_ONCE as unknown as MethodName;
  return {
    name,
    async credit(context: MethodContext, trajectories: Trajectory[]): Promise<CreditReport> {
      const details: AllAtOnceDetails = { blame: {}, decisive: {}, why: {}, stepChars: {}, investigated: {} };
      const outcomes = await Promise.all(trajectories.map(async (t) => ({ taskId: t.taskId, ...(await allAtOnceBlame(context, t)) })));
      for (const o of outcomes) {
        details.blame[o.taskId] = o.blame;
        if (o.answer) details.decisive[o.taskId] = o.answer;
        details.why[o.taskId] = o.blame.why;
        details.stepChars[o.taskId] = o.stepChars;
        if (o.investigation) details.investigated[o.taskId] = o.investigation;
      }
      return { method: name, signals: [], details: details as unknown as Record<string, unknown> };
    },
    async suggest() {
      return [];
    },
  };
}
