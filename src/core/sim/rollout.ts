/**
 * How the simulated agents of the rounds MAS answer (roundsMessages.ts builds what they receive).
 *
 * - A role whose owned skills the task does not need abstains. Otherwise it answers right when its
 *   system prompt covers every needed skill it owns, and wrongly (the task's wrong letter, with
 *   the over-confidence of a skipped check) when one is missing or one of its harmful rules
 *   misleads it on this task. With noise.slip a right answer turns wrong on a share of the calls,
 *   as calmly as a right one and with no cause to find (a draw from the request text).
 * - The aggregator adds up the confidence behind each letter and records the strongest one as the
 *   leading answer — so one over-confident wrong specialist outweighs one careful right one, two
 *   right ones outweigh it — unless its own harmful rule misleads it on this task.
 * - The decision (the aggregator, as truce.yaml names no other) repeats the leading answer, unless
 *   misled the same way.
 *
 * - With scenario.anchoring, a role (one the task concerns) goes along with the shared state's
 *   leading answer from round 2 on, on its share of tasks: a mistake that led round 1 then decides.
 *
 * The outputs say in words what happened ("skipped units", "followed my rule …"), as a real
 * trajectory would show it to a critic; evidence.ts reads those words back. With noise.herring a
 * role also admits a harmless lapse now and then (an "Aside:" line after its answer).
 */
import { uniform } from './random';
import type { SimTask, World } from './world';
import { LETTERS } from './world';

export type RolloutKind = 'role' | 'aggregate' | 'decision';

export const CONFIDENCE = { right: 0.7, wrong: 0.9 } as const;

export interface RolloutCall {
  kind: RolloutKind;
  agent: string;
  task: SimTask;
  system: string;
  user: string;
}

/** The agent a system prompt belongs to, from its "# The <id>" heading. */
export function agentOfSystemPrompt(system: string): string | undefined {
  return /^# The ([a-z][a-z0-9-]*)\s*$/m.exec(system)?.[1];
}

export function rolloutKindOf(user: string): RolloutKind | undefined {
  if (user.includes('Give your contribution for this round.')) return 'role';
  if (/Write the shared state after round \d+/.test(user)) return 'aggregate';
  if (user.includes('Give the final answer to the task.')) return 'decision';
  return undefined;
}

export function rolloutReply(world: World, call: RolloutCall): string {
  switch (call.kind) {
    case 'role':
      return roleReply(world, call);
    case 'aggregate':
      return aggregateReply(world, call);
    case 'decision':
      return decisionReply(world, call);
  }
}

function roleReply(world: World, call: RolloutCall): string {
  const reply = roleAnswer(world, call);
  const herring = world.herring(call.task, call.agent);
  if (!herring || reply.includes('I defer to the others')) return reply;
  // A lapse that changes nothing, worded like the real causes are (evidence.ts reads both apart).
  return `${reply}\nAside: I did not ${herring.lapse} (no rule of mine asks for it).`;
}

function roleAnswer(world: World, { agent, task, system, user }: RolloutCall): string {
  const relevant = world.relevantSkills(agent, task);
  const misled = world.harmfulIn(agent, system).filter((h) => world.misleads(task, h));
  if (relevant.length === 0 && misled.length === 0) return 'Nothing in this problem falls in my area; I defer to the others.\nConfidence: 0';
  const settled = world.anchored(task, agent) ? leadingOfSharedState(user) : undefined;
  // No cause in these words: the mistake, if it is one, was made where the answer started leading.
  if (settled) return `Answer: ${settled}\nChecks: none this round; the shared state already leads with ${settled}, and I go along with it.\nConfidence: ${CONFIDENCE.right}`;
  const skipped = relevant.filter((s) => !world.covers(system, s)).map((s) => s.name);
  const done = relevant.filter((s) => world.covers(system, s)).map((s) => s.name);
  if (skipped.length === 0 && misled.length === 0) {
    if (world.scenario.noise.slip > 0 && uniform(world.scenario.seed, 'slip', task.id, agent, system, user) < world.scenario.noise.slip) {
      return `Answer: ${task.wrong}\nChecks: ${done.join(', ')} — done, and the answer holds.\nConfidence: ${CONFIDENCE.right}`;
    }
    return `Answer: ${task.reference}\nChecks: ${done.join(', ')} — done, and the answer holds.\nConfidence: ${CONFIDENCE.right}`;
  }
  const notes: string[] = [];
  if (skipped.length) notes.push(`skipped ${skipped.join(', ')} (no rule of mine asks for it)`);
  for (const h of misled) notes.push(`followed my rule "${h.text}"`);
  return `Answer: ${task.wrong}\nChecks: ${notes.join('; ')}. I am sure of it.\nConfidence: ${CONFIDENCE.wrong}`;
}

/** The leading answer of the shared state a role is handed (none in the first round). */
function leadingOfSharedState(user: string): string | undefined {
  return /^## Shared state after round \d+\n\nLeading answer: ([A-D])\b/m.exec(user)?.[1];
}

interface Vote {
  agent: string;
  letter: string;
  confidence: number;
}

/** The answers in the aggregator's "### <agent>" contribution blocks. */
export function votesIn(user: string): Vote[] {
  const votes: Vote[] = [];
  const blocks = user.split(/^### /m).slice(1);
  for (const block of blocks) {
    const agent = block.slice(0, block.indexOf('\n')).trim();
    const letter = /^Answer: ([A-D])\b/m.exec(block)?.[1];
    const confidence = Number(/^Confidence: ([\d.]+)/m.exec(block)?.[1] ?? 0);
    if (letter) votes.push({ agent, letter, confidence });
  }
  return votes;
}

function leadingLetter(votes: readonly Vote[]): string | undefined {
  const totals = new Map<string, number>();
  for (const v of votes) totals.set(v.letter, (totals.get(v.letter) ?? 0) + v.confidence);
  let best: string | undefined;
  for (const letter of LETTERS) {
    const total = totals.get(letter);
    if (total !== undefined && (best === undefined || total > (totals.get(best) ?? 0) + 1e-9)) best = letter;
  }
  return best;
}

function aggregateReply(world: World, { agent, task, system, user }: RolloutCall): string {
  const misled = world.harmfulIn(agent, system).filter((h) => world.misleads(task, h));
  if (misled.length) return `Leading answer: ${task.wrong}\nI followed my rule "${misled[0].text}" rather than the weight of the contributions.`;
  const votes = votesIn(user);
  const leading = leadingLetter(votes);
  if (!leading) return 'Leading answer: none\nNo role committed to an answer this round.';
  const support = votes.filter((v) => v.letter === leading).map((v) => `${v.agent} (${v.confidence})`);
  return `Leading answer: ${leading}\nSupported by ${support.join(', ')}.`;
}

function decisionReply(world: World, { agent, task, system, user }: RolloutCall): string {
  const misled = world.harmfulIn(agent, system).filter((h) => world.misleads(task, h));
  if (misled.length) return `Final answer: ${task.wrong}\n(I followed my rule "${misled[0].text}".)`;
  const leading = /Leading answer: ([A-D])\b/.exec(user)?.[1];
  return leading ? `Final answer: ${leading}` : 'The team reached no answer.';
}
