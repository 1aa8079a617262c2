/**
 * How the credit prompts show trajectories, outcomes and rules to the model. One renderer for every
 * method, so step ids and unit ids always look the same and the model can cite them back. Every
 * step carries its id, agent, the agent's kind and the step's kind; a long output is clipped in
 * the middle (clipStep.ts keeps errors and final answers), so a runaway step cannot push the rest
 * of the trajectory out of the context, and no step is ever left out.
 */
import { clipMiddle } from '../eval/prompts/clip';
import { clipStepText } from './clipStep';
import type { Step, Trajectory } from '../trajectory/schema';
import type { PolicyUnit } from '../units';

/** Characters of one step's output shown to the optimizer. */
export const MAX_STEP_CHARS = 1_500;
export const MAX_TASK_CHARS = 4_000;

export interface StepView {
  /** Characters of the output shown (default MAX_STEP_CHARS). */
  maxChars?: number;
  /** The agent's kind in the trajectory (role, aggregator, tool, human, …), shown as `role`. */
  agentKind?: string;
}

export function renderStep(step: Step, view: StepView = {}): string {
  const output = step.output.trim() ? clipStepText(step.output.trim(), view.maxChars ?? MAX_STEP_CHARS) : '(empty output)';
  const role = view.agentKind ? ` role="${view.agentKind}"` : '';
  return `<step id="${step.id}" round="${step.round}" agent="${step.agentId}"${role} kind="${step.kind}">\n${output}\n</step>`;
}

/** The kind of each agent of a trajectory, for `renderStep`'s `agentKind` (unknown agents: none). */
export function agentKinds(trajectory: Pick<Trajectory, 'agents'>): Map<string, string> {
  return new Map(trajectory.agents.map((a) => [a.id, a.kind ?? 'role']));
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
