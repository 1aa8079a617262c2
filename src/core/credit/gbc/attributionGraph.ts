/**
 * GBC credit, second phase: one task's attribution graph. The agent DAG comes from the steps'
 * `reads`; starting at the final node and moving backwards (breadth-first), each node's incoming
 * edges get a weight and only its top-k predecessors are kept, so only nodes that can still reach
 * the loss are ever estimated. The verbal loss sits on the final node; the backward traversal
 * yields the attribution paths and a blame per node.
 */
import type { Step, Trajectory } from '../../trajectory/schema';
import type { MethodContext } from '../types';
import { connectionWeights } from './connectionWeights';
import type { EstimatorChoice, ExecutorOf } from './estimator';
import { buildAgentGraph, predecessorsOf } from './graph';
import type { GbcOptions } from './options';
import type { GbcTaskGraph, WeightSource } from './taskGraph';
import { selectTopPredecessors, type WeightedPredecessor } from './topK';
import { attributionPaths, nodeBlame, type KeptEdge } from './traversal';
import { verbalLoss } from './verbalLoss';

export async function attributionGraph(context: MethodContext, options: GbcOptions, executorOf: ExecutorOf, choice: EstimatorChoice, trajectory: Trajectory, calls: { n: number }): Promise<GbcTaskGraph | undefined> {
  const graph = buildAgentGraph(trajectory);
  if (!graph.final) return undefined;
  const steps = new Map(trajectory.steps.map((s) => [s.id, s]));
  const finalStep = steps.get(graph.final) as Step;
  const loss = verbalLoss(trajectory, finalStep.output);
  const edgeInfo = new Map<string, { weight: number | null; kept: boolean; source: WeightSource }>();
  const kept: KeptEdge[] = [];
  const visited = new Set<string>();
  // Breadth-first from the final node, so edges are only estimated where they can matter.
  const queue = [graph.final];
  while (queue.length) {
    const id = queue.shift() as string;
    if (visited.has(id)) continue;
    visited.add(id);
    const preds = predecessorsOf(graph, id).map((p) => steps.get(p) as Step);
    if (preds.length === 0) continue;
    const { weights, source } = await connectionWeights(context, options, executorOf, choice, trajectory, steps.get(id) as Step, preds, calls);
    const weighted: WeightedPredecessor[] = preds.map((p) => ({ from: p.id, weight: weights.get(p.id) ?? null }));
    // The loss node keeps every input: which of them carried the error is what the walk finds out.
    const top = new Set(id === graph.final ? preds.map((p) => p.id) : selectTopPredecessors(weighted, options.topK, context.random).map((w) => w.from));
    for (const w of weighted) {
      edgeInfo.set(`${w.from}->${id}`, { weight: w.weight, kept: top.has(w.from), source: weights.has(w.from) ? source : 'none' });
      if (top.has(w.from)) {
        kept.push({ from: w.from, to: id, weight: w.weight });
        queue.push(w.from);
      }
    }
  }
  const order = graph.nodes.map((n) => n.id);
  const blame = nodeBlame(graph.final, kept, order, loss.magnitude);
  const { paths, truncated } = attributionPaths(graph.final, kept, options.maxPaths);
  return {
    final: graph.final,
    loss,
    nodes: graph.nodes.map((n) => ({ ...n, blame: blame.get(n.id) ?? 0 })),
    edges: graph.edges.map((e) => ({ ...e, ...(edgeInfo.get(`${e.from}->${e.to}`) ?? { weight: null, kept: false, source: 'none' as const }) })),
    paths,
    pathsTruncated: truncated,
  };
}
