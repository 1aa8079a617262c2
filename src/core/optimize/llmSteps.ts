/**
 * The optimizer's two optional LLM steps around aggregation and application: the merge pass
 * (groups near-duplicates the lexical pass kept apart) and the rewrite (writes the rule text of a
 * retained ADD/MODIFY that arrived without one). Both fail soft: a bad reply means no merge or no
 * text, recorded as a note, never a guessed edit.
 */
import { callStructured, type LlmClient } from '../llm';
import type { AgentPrompt } from '../units';
import type { Cluster } from './aggregate';
import { buildMergeMessages, MERGE_SCHEMA_NAME, MERGE_TEMPLATE_VERSION, mergeReplySchema } from './prompts/merge';
import { buildRewriteMessages, REWRITE_SCHEMA_NAME, REWRITE_TEMPLATE_VERSION, rewriteReplySchema } from './prompts/rewrite';
import type { Rewriter } from './applySuggestions';
import type { Suggestion } from '../credit/types';

/** Merge groups (indices into `clusters`) from one call per agent with two or more clusters. */
export async function llmMergeGroups(client: LlmClient, clusters: readonly Cluster[], note: (m: string) => void, signal?: AbortSignal): Promise<number[][]> {
  const byAgent = new Map<string, number[]>();
  clusters.forEach((c, i) => {
    const key = c.members[0].edit.agentId;
    byAgent.set(key, [...(byAgent.get(key) ?? []), i]);
  });
  const groups: number[][] = [];
  for (const [agentId, indices] of [...byAgent.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (indices.length < 2) continue;
    const items = indices.map((global, local) => {
      const e = clusters[global].members[0].edit;
      return { index: local + 1, op: e.op, ...(e.targetUnitId ? { target: e.targetUnitId } : {}), text: e.newText ?? '' };
    });
    const r = await callStructured(
      client,
      { messages: buildMergeMessages(agentId, items), schema: mergeReplySchema, schemaName: MERGE_SCHEMA_NAME, templateVersion: MERGE_TEMPLATE_VERSION, temperature: 0 },
      { phase: 'merge', agent: agentId, ...(signal ? { signal } : {}) },
    );
    if (!r.ok) {
      note(`merge (agent ${agentId}): the reply could not be used (${r.error.message}); no LLM merge for this agent.`);
      continue;
    }
    for (const g of r.value.groups) {
      const mapped = g.members.filter((m) => m >= 1 && m <= indices.length).map((m) => indices[m - 1]);
      if (mapped.length >= 2) groups.push(mapped);
    }
  }
  return groups;
}

export function llmRewriter(client: LlmClient, note: (m: string) => void, signal?: AbortSignal): Rewriter {
  return async (s: Suggestion, agent: AgentPrompt) => {
    if (s.edit.op === 'DELETE') return undefined;
    const current = s.edit.op === 'MODIFY' ? agent.units.find((u) => u.id === s.edit.targetUnitId)?.text : undefined;
    const r = await callStructured(
      client,
      {
        messages: buildRewriteMessages({
          agentId: agent.id,
          op: s.edit.op,
          instruction: s.rationale,
          ...(current !== undefined ? { currentText: current } : {}),
          otherRules: agent.units.filter((u) => u.id !== s.edit.targetUnitId).map((u) => u.text),
        }),
        schema: rewriteReplySchema,
        schemaName: REWRITE_SCHEMA_NAME,
        templateVersion: REWRITE_TEMPLATE_VERSION,
        temperature: 0,
      },
      { phase: 'rewrite', agent: agent.id, ...(signal ? { signal } : {}) },
    );
    if (!r.ok) {
      note(`rewrite (${s.id}): the reply could not be used (${r.error.message}).`);
      return undefined;
    }
    return r.value.text;
  };
}
