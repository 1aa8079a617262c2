/**
 * Turning what a model wrote about a step back into a step of the trajectory. Models cite steps by
 * id ("s12"), but also as "step 12", "Step s12", a bare number or the number as JSON; a number can
 * mean the id's digits (Who&When ids are `s<index>`) or the position in the log.
 */
import type { Step, Trajectory } from '../trajectory/schema';

export function resolveStepRef(trajectory: Pick<Trajectory, 'steps'>, ref: unknown): Step | undefined {
  if (typeof ref === 'number' && Number.isInteger(ref)) return byNumber(trajectory.steps, ref);
  if (typeof ref !== 'string') return undefined;
  const text = ref.trim().replace(/^["'`]+|["'`.,;:]+$/g, '');
  if (!text) return undefined;
  const exact = trajectory.steps.find((s) => s.id === text) ?? trajectory.steps.find((s) => s.id.toLowerCase() === text.toLowerCase());
  if (exact) return exact;
  // "step 12", "Step s12", "#12", "s12 (Orchestrator)": the first id-like token decides.
  const stripped = text.replace(/^(?:step|turn|entry|message)\s*#?\s*/i, '').replace(/^#/, '');
  const token = /^[^\s(),]+/.exec(stripped)?.[0];
  if (token && token !== text) {
    const byToken = trajectory.steps.find((s) => s.id.toLowerCase() === token.toLowerCase());
    if (byToken) return byToken;
  }
  const digits = /^s?(\d+)$/i.exec(token ?? '');
  return digits ? byNumber(trajectory.steps, Number(digits[1])) : undefined;
}

/** A number names the step whose id is `s<n>` when there is one, else the step at position n. */
function byNumber(steps: readonly Step[], n: number): Step | undefined {
  return steps.find((s) => s.id === `s${n}`) ?? steps.find((s) => s.seq === n);
}
