/**
 * A trajectory as text for a judge: agents, then each round's steps labelled with their ids so the
 * judge can point at them. Long trajectories are fitted into a character budget by giving every
 * step an equal share, so late rounds are not cut off entirely by a verbose first round.
 */
import { clipMiddle } from './prompts/clip';
import { orderedSteps, type EvalTrajectory } from './trajectory';

export interface RenderOptions {
  /** Upper bound for all step outputs together; default 60 000 characters. */
  maxChars?: number;
  /** Upper bound for one step's output; default 4 000 characters. */
  maxStepChars?: number;
}

/** No step is squeezed below this; a judge cannot assess a one-word excerpt. */
const MIN_STEP_CHARS = 200;

export function renderTrajectory(trajectory: EvalTrajectory, options: RenderOptions = {}): string {
  const steps = orderedSteps(trajectory);
  const share = Math.floor((options.maxChars ?? 60_000) / Math.max(1, steps.length));
  const perStep = Math.max(MIN_STEP_CHARS, Math.min(options.maxStepChars ?? 4_000, share));

  const lines: string[] = [];
  if (trajectory.agents?.length) {
    lines.push('Agents:', ...trajectory.agents.map((a) => `- ${a.id}${a.kind ? ` (${a.kind})` : ''}${a.name && a.name !== a.id ? ` "${a.name}"` : ''}`), '');
  }
  let round: number | undefined;
  for (const step of steps) {
    if (step.round !== round) {
      round = step.round;
      lines.push(`## Round ${round}`);
    }
    const kind = step.kind && step.kind !== 'llm' ? ` [${step.kind}]` : '';
    lines.push(`<step id="${step.id}" agent="${step.agentId}"${kind}>`, clipMiddle(step.output, perStep), '</step>');
  }
  if (!steps.length) lines.push('(The trajectory has no steps.)');
  return lines.join('\n');
}
