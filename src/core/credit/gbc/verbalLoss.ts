/**
 * The verbal loss attached to the final output (GBC §3.3): what the evaluator found, in words, with
 * the reference when the task has one. Built from the outcome the run recorded, so attributing a
 * stored run costs no extra evaluation; its magnitude (1 − score) scales the blame.
 */
import type { Trajectory } from '../../trajectory/schema';

export interface VerbalLoss {
  text: string;
  /** In [0, 1]: 0 for a perfect outcome. */
  magnitude: number;
}

export function verbalLoss(trajectory: Trajectory, finalOutput: string): VerbalLoss {
  const outcome = trajectory.outcome;
  const score = outcome?.score ?? 0;
  const lines = [`The final output scored ${score.toFixed(2)} out of 1 (${outcome?.success ? 'accepted' : 'not accepted'}).`];
  const reference = trajectory.task?.reference;
  if (reference !== undefined) lines.push(`Expected answer: ${reference.trim()}`);
  lines.push(`Final output: ${finalOutput.trim().slice(0, 1500) || '(empty)'}`);
  const details = outcome?.details ?? {};
  const reason = typeof details.reason === 'string' ? details.reason : undefined;
  if (reason) lines.push(`Evaluator: ${reason}`);
  const rest = Object.entries(details).filter(([k]) => k !== 'reason');
  if (rest.length) lines.push(`Evaluator details: ${JSON.stringify(Object.fromEntries(rest)).slice(0, 1500)}`);
  return { text: lines.join('\n'), magnitude: Math.max(0, Math.min(1, 1 - score)) };
}
