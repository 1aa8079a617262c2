/**
 * The correction prompt of an intervention: the optimizer model reads what one agent of the MAS was
 * given at the blamed step, what it answered, and why credit holds that answer responsible for the
 * failure, and writes the reply the agent should have given there. The re-run then continues from
 * that reply, so the prompt asks for the reply itself, in the agent's voice and format.
 *
 * The expected answer of the task is deliberately not shown: a correction that smuggles the
 * solution into an early step would flip almost any task and confirm any blame. The corrected
 * reply may only fix what the agent got wrong with what it could have known.
 */
import { z } from 'zod';
import type { ChatMessage } from '../../llm';
import { clipMiddle } from '../../eval/prompts/clip';

export const CORRECTION_TEMPLATE_VERSION = 'truce-correction/1';
export const CORRECTION_SCHEMA_NAME = 'truce_correction';

export const correctionReplySchema = z.object({
  reply: z.string().min(1).describe('the reply the agent should have given at this step, exactly as the agent would send it'),
});
export type CorrectionReply = z.infer<typeof correctionReplySchema>;

export interface CorrectionInput {
  task: string;
  agentId: string;
  /** The conversation the agent was sent at the blamed call, as role and text. */
  messages: ReadonlyArray<{ role: string; text: string }>;
  /** Its reply (text, or the tool-call arguments when it called a tool). */
  original: string;
  /** Set when the reply was a call of this tool: the correction gives the call's arguments. */
  toolName?: string;
  /** Credit's reason for blaming the step; absent when the user picked a step credit did not blame. */
  reason?: string;
}

const MESSAGE_CHARS = 3_000;
const CONVERSATION_CHARS = 16_000;

const SYSTEM = [
  'You repair one turn of a multi-agent system that failed its task.',
  'You see what one agent was sent at one step, what it replied, and an analysis of why that reply led to the failure.',
  'Write the reply this agent should have sent at this step instead: fix the mistake the analysis describes, keep everything in the reply that was right, stay in the agent\'s role and answer in the same form and format its reply had (the agents after it read this reply as it stands).',
  'Use only what the agent was given or could have worked out from it; do not add facts from outside, and do not do the later agents\' work.',
  'Give the reply itself, with no comments about the repair.',
].join('\n');

export function buildCorrectionMessages(input: CorrectionInput): ChatMessage[] {
  const conversation = input.messages.map((m) => `<message role="${m.role || 'unknown'}">\n${clipMiddle(m.text.trim(), MESSAGE_CHARS)}\n</message>`).join('\n');
  const user = [
    `<task>\n${clipMiddle(input.task.trim(), 4_000)}\n</task>`,
    `The agent "${input.agentId}" was sent this at the step in question:\n<conversation>\n${clipMiddle(conversation, CONVERSATION_CHARS)}\n</conversation>`,
    input.toolName
      ? `It answered by calling the tool "${input.toolName}" with these arguments:\n<reply>\n${clipMiddle(input.original, MESSAGE_CHARS)}\n</reply>\nGive the corrected arguments, as the JSON the tool takes.`
      : `It replied:\n<reply>\n${clipMiddle(input.original, MESSAGE_CHARS)}\n</reply>`,
    input.reason
      ? `Why this reply is held responsible for the failure:\n<analysis>\n${clipMiddle(input.reason.trim(), 2_000)}\n</analysis>`
      : 'No analysis blamed this reply; the user chose it. Find what in it could have led the task to fail, and fix that.',
    'What should this agent have said here?',
  ].join('\n\n');
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: user },
  ];
}
