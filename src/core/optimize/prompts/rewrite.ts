/**
 * The rewrite prompt: a retained ADD or MODIFY sometimes arrives with an instruction ("make the
 * rule about quoting stricter") but no rule text. One call turns it into the rule itself, given
 * the current rule (for MODIFY) and the agent's other rules for tone and scope.
 */
import { z } from 'zod';
import type { ChatMessage } from '../../llm';

export const REWRITE_TEMPLATE_VERSION = 'truce-rewrite/1';
export const REWRITE_SCHEMA_NAME = 'truce_rewrite';

export const rewriteReplySchema = z.object({
  text: z.string().min(1).describe('the text of the rule, one behaviour, no list marker'),
});
export type RewriteReply = z.infer<typeof rewriteReplySchema>;

export interface RewriteInput {
  agentId: string;
  op: 'ADD' | 'MODIFY';
  instruction: string;
  currentText?: string;
  otherRules: readonly string[];
}

const SYSTEM = [
  '[truce:rewrite]',
  "You write one behavioural rule for an agent of a multi-agent system, following an editor's instruction.",
  'Write the rule only: one behaviour, one or two sentences, in the style of the existing rules, without a list marker, heading or role description.',
].join('\n');

export function buildRewriteMessages(input: RewriteInput): ChatMessage[] {
  const parts = [`Agent: ${input.agentId}`, `<rules>\n${input.otherRules.map((r) => `- ${r}`).join('\n') || '(none)'}\n</rules>`];
  if (input.op === 'MODIFY' && input.currentText !== undefined) parts.push(`<current>${input.currentText}</current>`);
  parts.push(`<instruction>${input.instruction}</instruction>`);
  parts.push(input.op === 'MODIFY' ? 'Write the replacement for the current rule.' : 'Write the new rule.');
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: parts.join('\n\n') },
  ];
}
