/**
 * The agent graph of GBC §3.1, read off a trajectory: every agent call (step) is a node and every
 * `reads` entry an edge from the step that was read to the step that read it. Steps that are not
 * agent calls (evaluation records) and reads that point forward or nowhere are left out, so the
 * graph is a DAG in `seq` order whatever an importer recorded.
 */
import type { Step, Trajectory } from '../../trajectory/schema';

export interface GraphNode {
  id: string;
  agentId: string;
  round: number;
  seq: number;
}

export interface GraphEdge {
  from: string;
  to: string;
}

export interface AgentGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** The node whose output is the system's answer: the last agent call. */
  final?: string;
}

export function buildAgentGraph(trajectory: Trajectory): AgentGraph {
  const steps = trajectory.steps.filter((s) => s.kind !== 'eval').sort((a, b) => a.seq - b.seq);
  const bySeq = new Map<string, Step>(steps.map((s) => [s.id, s]));
  const nodes = steps.map((s) => ({ id: s.id, agentId: s.agentId, round: s.round, seq: s.seq }));
  const edges: GraphEdge[] = [];
  for (const s of steps) {
    for (const r of new Set(s.reads)) {
      const from = bySeq.get(r);
      if (from && from.seq < s.seq) edges.push({ from: r, to: s.id });
    }
  }
  const last = steps[steps.length - 1];
  return { nodes, edges, ...(last ? { final: last.id } : {}) };
}

export function predecessorsOf(graph: AgentGraph, nodeId: string): string[] {
  return graph.edges.filter((e) => e.to === nodeId).map((e) => e.from);
}
