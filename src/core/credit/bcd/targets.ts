/**
 * BCD credit, third phase: whom the phase (A: roles, B: aggregators) sends a textual gradient.
 * Phase A: the K lowest-credit roles that may be edited. Phase B: the aggregators of the rounds
 * that crossed τ, one target per agent (an aggregator shared by several rounds is one prompt),
 * with the lowest EMA among its rounds.
 */
import type { MethodContext } from '../types';
import { lowestCredit } from './fusion';
import type { BcdOptions } from './options';
import type { BcdPhase } from './phase';
import { aggregatorTargets, type BcdState } from './temporalState';

export interface Target {
  agentId: string;
  kind: 'role' | 'aggregator';
  /** In [0, 1]. */
  credit: number;
  rounds?: number[];
}

/** Whom a gradient is asked for: credit and rounds are absent when credit is ablated. */
export interface GradientTarget {
  agentId: string;
  kind: 'role' | 'aggregator';
  credit?: number;
  rounds?: number[];
}

export function selectTargets(context: MethodContext, phase: BcdPhase, roleCredit: Map<string, number>, state: BcdState, options: BcdOptions): Target[] {
  const editable = (id: string, kind: 'role' | 'aggregator') => context.agents.some((a) => a.agentId === id && a.kind === kind);
  if (phase === 'A') {
    const candidates = new Map([...roleCredit].filter(([id]) => editable(id, 'role')));
    return lowestCredit(candidates, options.bottomK).map((id) => ({ agentId: id, kind: 'role', credit: candidates.get(id) as number }));
  }
  const byAgent = new Map<string, Target>();
  for (const r of aggregatorTargets(state, options)) {
    if (!editable(r.aggregator, 'aggregator')) continue;
    const t = byAgent.get(r.aggregator);
    if (t) t.rounds?.push(r.round);
    else byAgent.set(r.aggregator, { agentId: r.aggregator, kind: 'aggregator', credit: r.ema as number, rounds: [r.round] });
  }
  return [...byAgent.values()];
}
