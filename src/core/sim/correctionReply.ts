/**
 * The simulated optimizer's answer to an intervention's correction call ("what should this agent
 * have said here?", src/core/intervene/prompts/correction.ts). The simulated model writes what the
 * agent gives when it follows its role with no defect: a role does every check its skills cover
 * for the task and follows no planted harmful rule; an aggregator records the leading answer of
 * the contributions it was sent; the decision repeats the leading answer of the state it was
 * sent. So correcting a step whose output shows a cause repairs it, and correcting a step that was
 * already right changes nothing — what a careful model does when told a sound step is to blame.
 * There is no noise and no slip here: the bench measures credit's noise, not the corrector's.
 */
import { CONFIDENCE, rolloutKindOf, rolloutReply } from './rollout';
import type { World } from './world';

export const CORRECTION_SCHEMA = 'truce_correction';

export function correctionReply(world: World, user: string): { reply: string } {
  const agent = /The agent "([^"]+)" was sent this/.exec(user)?.[1];
  const conversation = /<conversation>\n([\s\S]*)\n<\/conversation>/.exec(user)?.[1] ?? '';
  const sent = /<message role="user">\n([\s\S]*?)\n<\/message>/.exec(conversation)?.[1] ?? '';
  const kind = rolloutKindOf(sent);
  const task = world.taskInText(sent) ?? world.taskInText(/<task>\n([\s\S]*?)\n<\/task>/.exec(user)?.[1] ?? '');
  if (!agent || !kind || !task) throw new CorrectionError(`a correction call the simulation world cannot place (agent ${agent ?? 'unnamed'}, ${kind ? `a ${kind} step` : 'no round message'}, ${task ? `task ${task.id}` : 'no task'})`);
  if (kind !== 'role') {
    // With no rule of its own in the way, the aggregator and the decision follow what they were sent.
    return { reply: rolloutReply(world, { kind, agent, task, system: '', user: sent }) };
  }
  const relevant = world.relevantSkills(agent, task).map((s) => s.name);
  if (relevant.length === 0) return { reply: 'Nothing in this problem falls in my area; I defer to the others.\nConfidence: 0' };
  return { reply: `Answer: ${task.reference}\nChecks: ${relevant.join(', ')} — done, and the answer holds.\nConfidence: ${CONFIDENCE.right}` };
}

export class CorrectionError extends Error {}
