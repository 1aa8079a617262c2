/**
 * The BCD critic: scores one utterance — a role's contribution in a round (q_{i,t}) or an
 * aggregator's shared state (q^agg_t, the temporal credit) — on [0, 1]. The critic sees the task,
 * the reference answer when there is one, and the text; it never sees the other roles, so q stays
 * an individual signal and the peer view (bcdPeer.ts) adds the interaction effects.
 */
import { z } from 'zod';
import type { ChatMessage } from '../../../llm';
import { clipMiddle } from '../../../eval/prompts/clip';
import { clipStepText } from '../../clipStep';

export const BCD_CRITIC_VERSION = 'bcd-critic/1';
export const BCD_CRITIC_SCHEMA_NAME = 'bcd_critic';
export const BCD_CRITIC_MARKER = '[truce:bcd-critic]';

export const BcdCriticSchema = z.object({
  score: z.number().min(0).max(1),
  rationale: z.string(),
});
export type BcdCriticReply = z.infer<typeof BcdCriticSchema>;

export interface BcdCriticInput {
  task: string;
  reference?: string;
  agentId: string;
  /** 'role' rates a contribution; 'aggregator' rates the shared state written after the round. */
  kind: 'role' | 'aggregator';
  round: number;
  text: string;
}

const MAX_QUOTE = 6000;

export function bcdCriticMessages(input: BcdCriticInput): ChatMessage[] {
  const what =
    input.kind === 'role'
      ? 'one agent\'s contribution to a single round of a multi-agent discussion'
      : 'the shared state an aggregator wrote after a round of a multi-agent discussion';
  const focus =
    input.kind === 'role'
      ? 'Judge whether the contribution moves the group toward a correct answer: sound reasoning, correct facts, and a clear position.'
      : 'Judge whether the state keeps the evidence and conclusions that lead to a correct answer and drops the ones that do not.';
  const system = [
    `${BCD_CRITIC_MARKER} You grade ${what}.`,
    focus,
    'Give a score between 0 (harmful or useless) and 1 (correct and helpful) and one or two sentences of rationale.',
    'When a reference answer is given, agreement with it weighs most.',
  ].join('\n');
  const user = [
    `## Task\n\n${clipMiddle(input.task.trim(), MAX_QUOTE)}`,
    input.reference !== undefined ? `## Reference answer\n\n${input.reference.trim()}` : '## Reference answer\n\nNot available.',
    `## ${input.kind === 'role' ? `Contribution of ${input.agentId}` : `State written by ${input.agentId}`} in round ${input.round}\n\n${clipStepText(input.text.trim() || '(empty)', MAX_QUOTE)}`,
  ].join('\n\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}
