/**
 * The simulated Φ's answer to the decisive-error question (src/core/credit/decisiveError.ts), asked
 * of a failed task. A reading critic names the step that introduced the mistake: the first step
 * shown whose output shows a cause (a skipped check, a harmful rule followed). With probability
 * noise.critic it names a decoy instead — a step that shows no cause, never the truth by accident —
 * as Φ's other judgements are spoiled (optimizerReplies.ts). With no cause shown it cannot tell.
 */
import { blameText, causesInSteps, causesInOutput, stepsIn } from './evidence';
import { pick } from './random';
import type { World } from './world';

/** The marker of the question in Φ's prompt (credit/truce/prompts/phi.ts). */
const ASKED = 'Answer it in "decisive"';

export function decisiveReply(world: World, user: string, random: () => number): { decisive?: Record<string, unknown> } {
  if (!user.includes(ASKED)) return {};
  const steps = stepsIn(user);
  if (random() < world.scenario.noise.critic) {
    const innocent = steps.filter((s) => causesInOutput(s.agent, s.output).length === 0);
    if (innocent.length) {
      const decoy = pick(innocent, random);
      return { decisive: { found: true, stepId: decoy.id, agent: decoy.agent, reason: `${decoy.agent} took the team the wrong way here.`, confidence: 0.6 } };
    }
  }
  const first = causesInSteps(steps)[0];
  if (!first) return { decisive: { found: false } };
  return { decisive: { found: true, stepId: first.stepId, agent: first.agent, reason: blameText(first), confidence: 0.8, wouldSucceed: 'yes' } };
}
