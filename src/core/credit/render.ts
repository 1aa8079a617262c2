/**
 * How the optimizer's prompts show trajectories, outcomes and rules to the model. One renderer for
 * Φ, Ψ and the rewrite, so step ids and unit ids always look the same and the model can cite them
 * back. Quoted model output is clipped in the middle: a runaway step must not push the rest of the
 * trajectory out of the context.
 */
import { clipMiddle } from '../eval/prompts/clip';
import type { Step, Trajectory } from '../trajectory/schema';
import type { PolicyUnit } from '../units';

/** Characters of one step's output shown to the optimizer. */
export const MAX_STEP_CHARS = 1_500;
export const MAX_TASK_CHARS = 4_000;

export function renderStep(step: Step): string {
  const output = step.output.trim() ? clipMiddle(step.output.trim(), MAX_STEP_CHARS) : '(empty output)';
  return `<step id="${step.id}" round="${step.round}" agent="${step.agentId}" kind="${step.kind}">\n${output}\n</step>`;
}

export function renderTask(trajectory: Pick<Trajectory, 'task' | 'taskId'>): string {
  const input = trajectory.task?.input ?? '(the task text was not recorded)';
  return `<task id="${trajectory.taskId}">\n${clipMiddle(input.trim(), MAX_TASK_CHARS)}\n</task>`;
}

/** The outcome as the evaluator left it: score, success, the reference and the evaluator's own notes. */
export function renderOutcome(trajectory: Pick<Trajectory, 'outcome' | 'task'>): string {
  const o = trajectory.outcome;
  if (!o) return '<outcome>not evaluated</outcome>';
  const lines = [`score: ${o.score.toFixed(3)} (0 = worst, 1 = best)`, `success: ${o.success ? 'yes' : 'no'}`];
  if (trajectory.task?.reference !== undefined) lines.push(`expected answer: ${clipMiddle(trajectory.task.reference, 500)}`);
  const answer = o.details.answer ?? o.details.extracted;
  if (typeof answer === 'string') lines.push(`answer given: ${clipMiddle(answer, 500)}`);
  const note = o.details.reason ?? o.details.explanation;
  if (typeof note === 'string') lines.push(`evaluator note: ${clipMiddle(note, 800)}`);
  return `<outcome>\n${lines.join('\n')}\n</outcome>`;
}

export function renderUnit(unit: PolicyUnit): string {
  const where = unit.sectionPath.length ? ` section="${unit.sectionPath.join(' / ')}"` : '';
  return `<rule id="${unit.id}"${where}${unit.locked ? ' locked="true"' : ''}>${unit.text}</rule>`;
}
