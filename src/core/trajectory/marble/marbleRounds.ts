/**
 * Rounds phase: iteration i is round i−1, and the engine planner's summary of it is an `aggregate`
 * step of the planner and the round's state, read by the next iteration's plans.
 */
import type { Round, Step } from '../schema';
import { MARBLE_PLANNER_ID } from './marbleEnvelope';
import type { Iteration } from './marbleFields';
import { summaryReads } from './marbleReads';
import type { StepLog } from './stepLog';

/** The iteration's round, and its summary step when the engine wrote one. */
export function iterationRound(log: StepLog, it: Iteration, resultSteps: readonly Step[]): { round: Round; summary?: Step } {
  const raw = it.raw;
  const summaryText = typeof raw.summary === 'string' ? raw.summary : undefined;
  const round: Round = { index: it.index };
  if (summaryText === undefined) return { round };
  const summary = log.push({
    id: `${it.prefix}.summary`,
    round: it.index,
    agentId: MARBLE_PLANNER_ID,
    kind: 'aggregate',
    output: summaryText,
    reads: summaryReads(resultSteps, log.last()),
    attrs: {
      iteration: typeof raw.iteration === 'number' ? raw.iteration : it.index + 1,
      ...(typeof raw.continue_simulation === 'boolean' ? { continueSimulation: raw.continue_simulation } : {}),
      ...(raw.total_milestones !== undefined ? { totalMilestones: raw.total_milestones } : {}),
      ...(raw.agent_kpis !== undefined ? { agentKpis: raw.agent_kpis } : {}),
    },
  });
  round.state = summaryText;
  round.aggregator = MARBLE_PLANNER_ID;
  return { round, summary };
}
