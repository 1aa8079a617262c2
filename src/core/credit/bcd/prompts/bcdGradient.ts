/**
 * The BCD textual gradient: for one low-credit agent (a role in phase A, an aggregator in phase B)
 * and one failed task, the optimizer explains what in the agent's rules led to the weak credit and
 * proposes edits to individual rules. The rules are listed with their ids so every proposal names
 * the unit it touches; locked rules are shown (they are context) but marked as not editable.
 *
 * With credit ablated (--no-credit) the same call is made for every editable agent of a failed
 * task; the prompt then says that no credit is available and which agent was at fault is unknown.
 */
import { z } from 'zod';
import type { ChatMessage } from '../../../llm';
import { clipMiddle } from '../../../eval/prompts/clip';

export const BCD_GRADIENT_VERSION = 'bcd-gradient/2';
export const BCD_GRADIENT_SCHEMA_NAME = 'bcd_gradient';
export const BCD_GRADIENT_MARKER = '[truce:bcd-gradient]';

export const BcdEditProposalSchema = z.object({
  op: z.enum(['ADD', 'MODIFY', 'DELETE']),
  /** MODIFY/DELETE: the rule to change. */
  targetUnitId: z.string().optional(),
  /** ADD: the rule after which the new one goes; absent = at the end. */
  anchorUnitId: z.string().optional(),
  /** ADD/MODIFY: the complete new rule text. */
  newText: z.string().optional(),
  rationale: z.string(),
});
export type BcdEditProposal = z.infer<typeof BcdEditProposalSchema>;

export const BcdGradientSchema = z.object({
  diagnosis: z.string(),
  implicatedUnits: z.array(z.object({ unitId: z.string(), why: z.string() })),
  edits: z.array(BcdEditProposalSchema),
});
export type BcdGradientReply = z.infer<typeof BcdGradientSchema>;

export interface BcdGradientInput {
  task: string;
  reference?: string;
  outcomeScore: number;
  agentId: string;
  kind: 'role' | 'aggregator';
  /**
   * The credit that made the agent a target, in [0, 1], and what it is (role credit C_i or the EMA
   * of a round). Absent when credit is ablated: the agent is asked because the task failed.
   */
  credit?: { value: number; label: string };
  /** The agent's own texts in this task, per round, with the critic's remarks. */
  turns: Array<{ round: number; text: string; remark?: string }>;
  units: Array<{ id: string; text: string; locked: boolean }>;
  maxEdits: number;
}

const MAX_TASK = 4000;
const MAX_TURN = 2500;

export function bcdGradientMessages(input: BcdGradientInput): ChatMessage[] {
  const job = !input.credit
    ? `an agent (a ${input.kind === 'role' ? 'role' : 'round aggregator'}) of a multi-agent system that failed the task; no credit is available, so it is not known whether this agent was at fault`
    : input.kind === 'role'
      ? 'a role agent whose contributions earned low credit across the rounds'
      : 'a round aggregator whose shared state repeatedly lost the answer that some role had right';
  const system = [
    `${BCD_GRADIENT_MARKER} You improve the prompt of ${job}.`,
    `The prompt is a list of rules, each with an id. Explain in a few sentences which rules (or which missing rule) caused the weak behaviour${input.credit ? '' : ', if any did'},`,
    'list the implicated rule ids, and propose at most ' + String(input.maxEdits) + ' small edits:',
    '- MODIFY a rule: give targetUnitId and the complete newText;',
    '- DELETE a rule: give targetUnitId;',
    '- ADD a rule: give newText and, optionally, anchorUnitId of the rule it should follow.',
    'Use only ids from the list. Rules marked LOCKED must not be modified or deleted.',
    'Write rules that generalise to other tasks; never copy the reference answer into a rule.',
  ].join('\n');
  const rules = input.units.length
    ? input.units.map((u) => `- [${u.id}]${u.locked ? ' (LOCKED)' : ''} ${u.text}`).join('\n')
    : '(the prompt has no rules yet)';
  const turns = input.turns
    .map((t) => `### Round ${t.round}\n${clipMiddle(t.text.trim() || '(empty)', MAX_TURN)}${t.remark ? `\n\nCritic: ${t.remark}` : ''}`)
    .join('\n\n');
  const user = [
    `## Task\n\n${clipMiddle(input.task.trim(), MAX_TASK)}`,
    input.reference !== undefined ? `## Reference answer\n\n${input.reference.trim()}` : '## Reference answer\n\nNot available.',
    `## Outcome\n\nThe system's final answer scored ${input.outcomeScore.toFixed(2)} out of 1.`,
    input.credit
      ? `## Agent ${input.agentId}\n\n${input.credit.label}: ${input.credit.value.toFixed(2)} (0 is worst, 1 is best).`
      : `## Agent ${input.agentId}\n\nNo credit is available: nothing says which agent caused the failure; judge from the outcome and what this agent wrote.`,
    `## Its rules\n\n${rules}`,
    `## What it wrote\n\n${turns || '(nothing)'}`,
  ].join('\n\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}
