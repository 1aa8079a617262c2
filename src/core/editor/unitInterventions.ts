/**
 * The interventions that bear on one rule's credit, for its hover: those made in a task where the
 * rule's evidence points, on a step of the same agent (the rule's agent is the one whose reply was
 * corrected). Each comes with its sentence ("confirmed by intervention: 2 of 3 runs succeed with
 * step s7 corrected"), latest first, one per corrected step.
 */
import { describeIntervention, latestByStep, type InterventionRecord } from '../intervene/interventionStore';
import type { CreditEvidence } from './runView';
import type { StepExcerpt } from './runCatalog';

export interface UnitIntervention {
  record: InterventionRecord;
  sentence: string;
}

export function unitInterventions(evidence: readonly Pick<CreditEvidence, 'taskId' | 'stepId'>[], steps: ReadonlyMap<string, Pick<StepExcerpt, 'agentId'>>, interventions: readonly InterventionRecord[]): UnitIntervention[] {
  const agentsByTask = new Map<string, Set<string>>();
  for (const item of evidence) {
    const agent = steps.get(`${item.taskId}/${item.stepId}`)?.agentId;
    if (agent === undefined) continue;
    const agents = agentsByTask.get(item.taskId) ?? new Set<string>();
    agents.add(agent);
    agentsByTask.set(item.taskId, agents);
  }
  return [...latestByStep(interventions).values()]
    .filter((r) => agentsByTask.get(r.taskId)?.has(r.agentId) === true)
    .sort((a, b) => b.at.localeCompare(a.at))
    .map((record) => ({ record, sentence: describeIntervention(record) }));
}
