/**
 * GBC credit, third phase: what one task's attribution graph says as credit. Every kept edge is an
 * edge-scope signal (its weight times the loss), every agent on an attribution path an agent-scope
 * signal (its highest blame), the most blamed node is the task's blamed step, and the agents on
 * paths of a failed task count as updated for the update frequency.
 */
import type { CreditSignal, MethodContext } from '../types';
import type { Trajectory } from '../../trajectory/schema';
import type { GbcTaskGraph } from './taskGraph';
import type { UpdateOccasion } from './updateFrequency';

export interface GraphCredit {
  signals: CreditSignal[];
  blame?: { agent: string; stepId: string };
  occasion: UpdateOccasion;
}

export function graphSignals(context: MethodContext, trajectory: Trajectory, g: GbcTaskGraph): GraphCredit {
  const signals: CreditSignal[] = [];
  const nodeById = new Map(g.nodes.map((n) => [n.id, n]));
  for (const e of g.edges.filter((x) => x.kept)) {
    signals.push({
      scope: 'edge',
      ref: `${e.from}->${e.to}`,
      taskId: trajectory.taskId,
      score: -(e.weight ?? 0) * g.loss.magnitude,
      text: `${nodeById.get(e.from)?.agentId} → ${nodeById.get(e.to)?.agentId}: connection weight ${e.weight === null ? 'unknown' : e.weight.toFixed(2)} (${e.source}).`,
      evidence: [e.from, e.to],
      method: 'gbc',
      ...(e.weight !== null ? { parts: { weight: e.weight } } : {}),
    });
  }
  const onPaths = new Set(g.paths.flatMap((p) => p.steps));
  const agentsOnPaths = new Set([...onPaths].map((id) => nodeById.get(id)?.agentId as string));
  for (const agentId of agentsOnPaths) {
    const mine = g.nodes.filter((n) => n.agentId === agentId && onPaths.has(n.id));
    const top = Math.max(...mine.map((n) => n.blame));
    signals.push({
      scope: 'agent',
      ref: agentId,
      taskId: trajectory.taskId,
      score: -Math.min(1, top),
      text: `On ${g.paths.filter((p) => p.steps.some((s) => nodeById.get(s)?.agentId === agentId)).length} attribution path(s) to the loss. ${g.loss.text.split('\n')[0]}`,
      evidence: mine.map((n) => n.id),
      method: 'gbc',
      parts: { blame: top },
    });
  }
  const picked = g.nodes
    .filter((n) => n.id !== g.final && n.blame > 0)
    .sort((a, b) => b.blame - a.blame || a.seq - b.seq)[0] ?? nodeById.get(g.final);
  const relevant = relevantAgents(context, trajectory);
  return {
    signals,
    ...(picked ? { blame: { agent: picked.agentId, stepId: picked.id } } : {}),
    occasion: { relevant, updated: trajectory.outcome?.success === false ? relevant.filter((a) => agentsOnPaths.has(a)) : [] },
  };
}

/** Agents whose prompts could be updated for this task: the editable ones that took part (all prompt-holding ones when none is editable, e.g. imported logs). */
function relevantAgents(context: MethodContext, trajectory: Trajectory): string[] {
  const present = new Set(trajectory.steps.map((s) => s.agentId));
  if (context.agents.length) return context.agents.map((a) => a.agentId).filter((id) => present.has(id));
  const noPrompt = new Set(trajectory.agents.filter((a) => a.kind === 'tool' || a.kind === 'human').map((a) => a.id));
  return [...present].filter((id) => !noPrompt.has(id));
}
