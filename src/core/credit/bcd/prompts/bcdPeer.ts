/**
 * The BCD peer view: one judge reads every contribution of a round together and rates how much
 * each one helped the group's reasoning (p_{i,t}). One call per round, not one per pair of agents:
 * the judge conditions on the whole set, which is what makes p capture interaction effects.
 * Each contribution carries the ids of its steps and the prompt the outcome of the task; when the
 * task failed, the judge also says whether the decisive error (decisiveError.ts) lies in this
 * round — so BCD names a step the way TRUCE does, within the calls it already makes.
 */
import { z } from 'zod';
import type { ChatMessage } from '../../../llm';
import { clipMiddle } from '../../../eval/prompts/clip';
import { clipStepText } from '../../clipStep';
import { DECISIVE_ERROR_QUESTION, decisiveErrorSchema } from '../../decisiveError';

export const BCD_PEER_VERSION = 'bcd-peer/2';
export const BCD_PEER_SCHEMA_NAME = 'bcd_peer';
export const BCD_PEER_MARKER = '[truce:bcd-peer]';

export const BcdPeerSchema = z.object({
  ratings: z.array(
    z.object({
      agentId: z.string(),
      score: z.number().min(0).max(1),
      rationale: z.string(),
    }),
  ),
  decisive: decisiveErrorSchema.nullable().optional().describe('for a failed task: the decisive error if it lies in this round, else found: false'),
});
export type BcdPeerReply = z.infer<typeof BcdPeerSchema>;

export interface BcdPeerInput {
  task: string;
  reference?: string;
  round: number;
  contributions: Array<{ agentId: string; text: string; stepIds?: string[] }>;
  /** The team's final answer and whether it was right; absent when the task was not evaluated. */
  outcome?: { answer?: string; success: boolean };
}

const MAX_TASK = 4000;
// A turn is clipped step by step to about 5,500 characters (roundView.ts); this bound only catches what slips past.
const MAX_EACH = 6000;

export function bcdPeerMessages(input: BcdPeerInput): ChatMessage[] {
  const system = [
    `${BCD_PEER_MARKER} You watch one round of a discussion between several agents working on the same task.`,
    "Rate each agent's contribution to the group's progress in this round, taking the others into account:",
    'an agent that corrects a mistake of another, adds missing evidence or keeps the group on track earns a high score;',
    'one that repeats others without adding anything, introduces an error or leads the group astray earns a low one.',
    'Scores lie between 0 and 1. Rate every agent listed, once, using its id exactly as written.',
  ].join('\n');
  const blocks = input.contributions.map((c) => {
    const ids = c.stepIds?.length ? `[steps ${c.stepIds.join(', ')}]\n` : '';
    return `### ${c.agentId}\n${ids}${clipStepText(c.text.trim() || '(empty)', MAX_EACH)}`;
  });
  const failed = input.outcome?.success === false;
  const outcome = input.outcome
    ? `## Outcome\n\nThe team's final answer${input.outcome.answer !== undefined ? `, ${clipMiddle(input.outcome.answer.trim(), 500)},` : ''} was ${input.outcome.success ? 'right' : 'wrong'}.`
    : undefined;
  const user = [
    `## Task\n\n${clipMiddle(input.task.trim(), MAX_TASK)}`,
    input.reference !== undefined ? `## Reference answer\n\n${input.reference.trim()}` : '## Reference answer\n\nNot available.',
    ...(outcome ? [outcome] : []),
    ...(failed ? [`## Decisive error\n\n${DECISIVE_ERROR_QUESTION}\nAnswer in "decisive" with a step id from the brackets below, or found: false when the decisive error is not in this round.`] : []),
    `## Contributions in round ${input.round}\n\n${blocks.join('\n\n')}`,
  ].join('\n\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}
