/**
 * The failure-attribution label of a trajectory (Who&When and similar datasets) in the panel's
 * terms: the blamed agent, the blamed step and the annotators' reason. Trajectories from runs
 * have no labels; imported ones may.
 */
import type { Trajectory } from '../../core/trajectory/schema';
import type { MistakeLabel, StepDetail } from '../panelProtocol';

/** Long reasons are shown in full in the step view only as far as this. */
const MAX_REASON = 2000;

export function mistakeLabel(trajectory: Trajectory | undefined): MistakeLabel | null {
  const labels = trajectory?.labels;
  if (!labels || (labels.mistakeAgent === undefined && labels.mistakeStepId === undefined)) return null;
  const reason = labels.mistakeReason;
  return {
    agentId: labels.mistakeAgent ?? null,
    stepId: labels.mistakeStepId ?? null,
    reason: reason === undefined ? null : reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON)}…` : reason,
  };
}

/** What the label says about one step: blamed itself, written by the blamed agent, or neither (null). */
export function stepMistake(label: MistakeLabel | null, step: { id: string; agentId: string }): StepDetail['mistake'] {
  if (!label) return null;
  const onStep = label.stepId === step.id;
  const onAgent = label.agentId === step.agentId;
  if (!onStep && !onAgent) return null;
  return { step: onStep, agent: onAgent, reason: label.reason };
}
