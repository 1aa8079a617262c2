/**
 * Block coordinate descent over the two prompt blocks: phase A edits roles with aggregators fixed,
 * phase B edits aggregators with roles fixed. The phases alternate, but phase B only runs when some
 * round has earned it (aggregatorTargets is non-empty): an aggregator phase without targets would
 * spend a whole optimization round changing nothing, so phase A runs again instead.
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
  if (state.lastPhase !== 'A') {
    return { phase: 'A', reason: state.lastPhase === 'B' ? 'alternation: roles after aggregators' : 'first optimization round: roles first' };
  }
  if (targets.length === 0) {
    return { phase: 'A', reason: `no round has EMA credit below τ=${options.tau} after ${options.minFailures} informative failures` };
  }
  return { phase: 'B', reason: `alternation: ${targets.length} aggregator round(s) below τ=${options.tau}` };
}

/** The state after an optimization round ran in `phase`. */
export function recordPhase(state: BcdState, phase: BcdPhase): BcdState {
  return { ...state, iteration: state.iteration + 1, lastPhase: phase };
}
