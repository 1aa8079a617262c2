/**
 * GBC suggest(): only agents on an attribution path of a failed task are asked for edits, each
 * shown the strongest chain that links its output to the loss, with its earlier edits' history.
 */
import { z } from 'zod';
import { callStructured } from '../../llm';
import type { CreditReport, MethodContext, RawSuggestion } from '../types';
import type { Trajectory } from '../../trajectory/schema';
import { proposalsToSuggestions, unitsOf } from '../bcd/unitProposals';
import type { GbcOptions } from './options';
import { GBC_SUGGEST_SCHEMA_NAME, GBC_SUGGEST_VERSION, GbcSuggestSchema, gbcSuggestMessages } from './prompts/gbcSuggest';
import { GbcTaskGraphSchema, type GbcTaskGraph } from './taskGraph';

export async function suggestAlongPaths(context: MethodContext, options: GbcOptions, report: CreditReport, trajectories: Trajectory[]): Promise<RawSuggestion[]> {
  const parsed = z.record(z.string(), GbcTaskGraphSchema).safeParse(report.details?.graph ?? {});
  if (!parsed.success) {
    context.note('gbc: the credit report carries no readable attribution graph; no suggestions.');
    return [];
  }
  const out: RawSuggestion[] = [];
  for (const trajectory of trajectories) {
    const g = parsed.data[trajectory.taskId];
    if (!g || trajectory.outcome?.success !== false) continue;
    const steps = new Map(trajectory.steps.map((s) => [s.id, s]));
    const nodeById = new Map(g.nodes.map((n) => [n.id, n]));
    const weightOf = new Map(g.edges.map((e) => [`${e.from}->${e.to}`, e.weight]));
    const agents = [...new Set(g.paths.flatMap((p) => p.steps.map((s) => nodeById.get(s)?.agentId as string)))];
    for (const agentId of agents) {
      const agent = context.agents.find((a) => a.agentId === agentId);
      if (!agent) continue;
      // The strongest chain through the agent (paths are sorted by weight).
      const path = g.paths.find((p) => p.steps.some((s) => nodeById.get(s)?.agentId === agentId)) as GbcTaskGraph['paths'][number];
      const chain = path.steps.map((id, i) => {
        const next = path.steps[i + 1];
        const weight = next !== undefined ? weightOf.get(`${id}->${next}`) : undefined;
        return { stepId: id, agentId: nodeById.get(id)?.agentId ?? '', text: steps.get(id)?.output ?? '', own: nodeById.get(id)?.agentId === agentId, ...(typeof weight === 'number' ? { weight } : {}) };
      });
      const units = unitsOf(context, agentId);
      const result = await callStructured(
        context.optimizer,
        {
          messages: gbcSuggestMessages({
            task: trajectory.task?.input ?? '',
            agentId,
            loss: g.loss.text,
            chain,
            units: units.map((u) => ({ id: u.id, text: u.text, locked: u.locked })),
            maxEdits: options.maxEditsPerCall,
            history: (context.history ?? []).filter((h) => h.agentId === agentId).reverse(),
          }),
          schema: GbcSuggestSchema,
          schemaName: GBC_SUGGEST_SCHEMA_NAME,
          templateVersion: GBC_SUGGEST_VERSION,
        },
        { phase: 'suggest', agent: agentId, ...(context.signal ? { signal: context.signal } : {}) },
      );
      if (!result.ok) {
        context.note(`gbc task ${trajectory.taskId}, agent ${agentId}: unusable suggestion reply (${result.error.stage}): ${result.error.message}`);
        continue;
      }
      const mine = g.nodes.filter((n) => n.agentId === agentId && g.paths.some((p) => p.steps.includes(n.id)));
      const credit = -Math.min(1, Math.max(0, ...mine.map((n) => n.blame)));
      const proposals = result.value.edits.slice(0, options.maxEditsPerCall).map((e) => ({ ...e, rationale: e.rationale || result.value.analysis }));
      out.push(...proposalsToSuggestions(context, { method: 'gbc', taskId: trajectory.taskId, agentId, stepIds: mine.map((n) => n.id), credit }, proposals));
    }
  }
  return out;
}
