/**
 * GBC prompt updates: an agent that lies on an attribution trajectory gets the verbal loss of the
 * final output and the chain of outputs that connects its own output to it, and proposes edits to
 * its rules. Agents off every trajectory are never asked: that is the point of the attribution.
 */
import { z } from 'zod';
import type { ChatMessage } from '../../../llm';
import { clipMiddle } from '../../../eval/prompts/clip';

export const GBC_SUGGEST_VERSION = 'gbc-suggest/2';
export const GBC_SUGGEST_SCHEMA_NAME = 'gbc_suggestions';
export const GBC_SUGGEST_MARKER = '[truce:gbc-suggest]';

export const GbcEditProposalSchema = z.object({
  op: z.enum(['ADD', 'MODIFY', 'DELETE']),
  targetUnitId: z.string().optional(),
  anchorUnitId: z.string().optional(),
  newText: z.string().optional(),
  rationale: z.string(),
});

export const GbcSuggestSchema = z.object({
  analysis: z.string(),
  edits: z.array(GbcEditProposalSchema),
});
export type GbcSuggestReply = z.infer<typeof GbcSuggestSchema>;

export interface GbcSuggestInput {
  task: string;
  agentId: string;
  /** The verbal loss attached to the final output. */
  loss: string;
  /** The attribution chain through this agent, earliest first; `own` marks this agent's steps. */
  chain: Array<{ stepId: string; agentId: string; text: string; own: boolean; weight?: number }>;
  units: Array<{ id: string; text: string; locked: boolean }>;
  maxEdits: number;
  /** This agent's edits in earlier rounds and what validation said of them, most recent first. */
  history?: Array<{ round: number; op: string; oldText?: string; newText?: string; status: string; reason?: string }>;
}

/** Earlier edits shown to the model: enough to see what failed, not so many that they crowd out the chain. */
const MAX_HISTORY = 8;

const MAX_TASK = 4000;
const MAX_STEP = 2000;

export function gbcSuggestMessages(input: GbcSuggestInput): ChatMessage[] {
  const system = [
    `${GBC_SUGGEST_MARKER} A multi-agent system produced a poor final output. Tracing influence backwards from that output`,
    `showed that the outputs of agent ${input.agentId} fed into it. Decide which of the agent's rules (or which missing rule) let the error through`,
    `and propose at most ${input.maxEdits} small edits to its rules:`,
    '- MODIFY: targetUnitId and the complete newText; DELETE: targetUnitId; ADD: newText and optionally anchorUnitId.',
    'Use only rule ids from the list; rules marked LOCKED must stay as they are. Propose nothing when the rules are not at fault.',
    'When earlier edits of this agent are listed, learn from them: do not propose again an edit that validation rejected or pruned, and build on the ones it accepted.',
  ].join('\n');
  const rules = input.units.length ? input.units.map((u) => `- [${u.id}]${u.locked ? ' (LOCKED)' : ''} ${u.text}`).join('\n') : '(the prompt has no rules yet)';
  const chain = input.chain
    .map((c) => {
      const tag = c.own ? ' — this agent' : '';
      const weight = c.weight !== undefined ? `, influence on the next step ${c.weight.toFixed(2)}` : '';
      return `### ${c.stepId} by ${c.agentId}${tag}${weight}\n${clipMiddle(c.text.trim() || '(empty)', MAX_STEP)}`;
    })
    .join('\n\n');
  const user = [
    `## Task\n\n${clipMiddle(input.task.trim(), MAX_TASK)}`,
    `## Loss on the final output\n\n${input.loss}`,
    `## Attribution chain (earliest first, ending at the final output)\n\n${chain}`,
    `## Rules of ${input.agentId}\n\n${rules}`,
    ...(input.history?.length ? [`## Earlier edits of ${input.agentId} in this optimization\n\n${input.history.slice(0, MAX_HISTORY).map(historyLine).join('\n')}`] : []),
  ].join('\n\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}

function historyLine(h: NonNullable<GbcSuggestInput['history']>[number]): string {
  const what = h.op === 'ADD' ? `ADD "${h.newText ?? ''}"` : h.op === 'DELETE' ? `DELETE "${h.oldText ?? ''}"` : `MODIFY "${h.oldText ?? ''}" → "${h.newText ?? ''}"`;
  const verdict = h.status === 'accepted' ? 'accepted' : 'rejected';
  return `- round ${h.round}: ${clipMiddle(what, 400)} — ${verdict}${h.reason ? `: ${clipMiddle(h.reason, 300)}` : ''}`;
}
