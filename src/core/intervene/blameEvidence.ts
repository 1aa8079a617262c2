/**
 * Credit's blamed step of each failed task side by side with what intervention found about it: the
 * rows `truce credit` prints under its rule table. An intervention counts for a blame only when it
 * corrected that very step; one made on another step of the task (before credit was run again, or
 * with --step) is listed with its own step, so no verdict is ever shown on a step it is not about.
 */
import { truceDetails } from '../credit/truce';
import type { CreditReport } from '../credit/types';
import { describeIntervention, latestByStep, type InterventionRecord } from './interventionStore';

export interface BlameRow {
  taskId: string;
  stepId?: string;
  agentId?: string;
  why: string;
  /** The latest intervention on this step, when there is one. */
  intervention?: InterventionRecord;
  /** "confirmed by intervention: …", or how to check the blame when no intervention was made. */
  evidence: string;
}

export function blameRows(report: CreditReport, interventions: readonly InterventionRecord[], runId: string): BlameRow[] {
  const latest = latestByStep(interventions);
  const rows: BlameRow[] = [];
  for (const [taskId, blame] of Object.entries(truceDetails(report).blame)) {
    const intervention = blame.stepId === undefined ? undefined : latest.get(`${taskId}\u0000${blame.stepId}`);
    const evidence = intervention
      ? describeIntervention(intervention)
      : blame.stepId === undefined
        ? 'no step blamed, nothing to intervene on'
        : `not checked by intervention (truce intervene ${runId} --task ${taskId})`;
    rows.push({ taskId, ...(blame.stepId !== undefined ? { stepId: blame.stepId } : {}), ...(blame.agent !== undefined ? { agentId: blame.agent } : {}), why: blame.why, ...(intervention ? { intervention } : {}), evidence });
  }
  return rows.sort((a, b) => a.taskId.localeCompare(b.taskId));
}
