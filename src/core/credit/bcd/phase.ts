/**
 * Block coordinate descent over the two prompt blocks: phase A edits roles with aggregators fixed,
 * phase B edits aggregators with roles fixed. The phases alternate, but phase B only runs when some
 * round has earned it (aggregatorTargets is non-empty): an aggregator phase without targets would
 * spend a whole optimization round changing nothing, so phase A runs again instead. The first
 * round is phase B when the first batch has already earned it.
 */
import type { BcdOptions } from './options';
import { aggregatorTargets, type BcdState } from './temporalState';

export type BcdPhase = 'A' | 'B';

export interface PhaseDecision {
  phase: BcdPhase;
  reason: string;
}

export function decidePhase(state: BcdState, options: Pick<BcdOptions, 'tau' | 'minFailures'>): PhaseDecision {
  const targets = aggregatorTargets(state, options);
  if (state.lastPhase === 'B') return { phase: 'A', reason: 'alternation: roles after aggregators' };
  if (targets.length === 0) {
    return { phase: 'A', reason: `no round has EMA credit below τ=${options.tau} after ${options.minFailures} informative failures` };
  }
  // The first round goes to the aggregators too when this batch has already earned it: starting
  // with the roles regardless would spend a whole round on the block the credit did not single out.
  return { phase: 'B', reason: state.lastPhase === 'A' ? `alternation: ${targets.length} aggregator round(s) below τ=${options.tau}` : `first optimization round: ${targets.length} aggregator round(s) already below τ=${options.tau}` };
}

/** The state after an optimization round ran in `phase`. */
export function recordPhase(state: BcdState, phase: BcdPhase): BcdState {
  return { ...state, iteration: state.iteration + 1, lastPhase: phase };
}
