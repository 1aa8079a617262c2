/**
 * The GBC attribution graph of a task, from what the run recorded: a graph record in credit.jsonl
 * (nodes, weighted edges, attribution paths) when the method wrote one, else the task's
 * edge-scope signals ("from->to", score = connection weight). Without either there is no graph
 * and the panel shows none.
 */
import type { Trajectory } from '../../core/trajectory/schema';
import type { AttributionGraph, GraphEdge } from '../panelProtocol';
import type { CreditSignalRecord, GraphRecord } from './runExtrasSchema';

/** A graph bigger than this would not be readable as a drawing; the heaviest edges are kept. */
export const MAX_GRAPH_EDGES = 300;

export function attributionGraph(
  trajectory: Trajectory | undefined,
  records: readonly GraphRecord[],
  edgeSignals: readonly CreditSignalRecord[],
): AttributionGraph | null {
  const agentOf = new Map(trajectory?.steps.map((s) => [s.id, s.agentId]) ?? []);
  const record = records[records.length - 1];
  let edges: GraphEdge[];
  let paths: string[][];
  const declared = new Map<string, { label?: string; agentId?: string }>();
  if (record) {
    for (const node of record.graph.nodes) declared.set(node.id, { label: node.label, agentId: node.agentId });
    edges = record.graph.edges.map((e) => ({ from: e.from, to: e.to, weight: e.weight }));
    paths = record.graph.paths;
  } else {
    edges = edgeSignals.flatMap((s) => {
      const [from, to] = s.ref.split('->').map((part) => part.trim());
      return from && to ? [{ from, to, weight: s.score }] : [];
    });
    paths = [];
  }
  if (edges.length === 0 && declared.size === 0) return null;
  if (edges.length > MAX_GRAPH_EDGES) edges = [...edges].sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight)).slice(0, MAX_GRAPH_EDGES);
  if (paths.length === 0) paths = strongestPaths(edges);

  const ids = new Set(declared.keys());
  for (const e of edges) ids.add(e.from).add(e.to);
  const nodes = [...ids].map((id) => {
    const d = declared.get(id);
    const agentId = d?.agentId ?? agentOf.get(id) ?? null;
    return { id, label: d?.label ?? (agentId && agentId !== id ? `${agentId} · ${id}` : id), agentId };
  });
  return { nodes, edges, paths };
}

/**
 * When the method recorded no attribution paths: from each sink (a node nothing reads), follow the
 * heaviest incoming edge backwards — the path the verbal loss would travel in GBC.
 */
export function strongestPaths(edges: readonly GraphEdge[]): string[][] {
  const incoming = new Map<string, GraphEdge[]>();
  const hasOut = new Set<string>();
  for (const e of edges) {
    hasOut.add(e.from);
    const list = incoming.get(e.to);
    if (list) list.push(e);
    else incoming.set(e.to, [e]);
  }
  const sinks = [...incoming.keys()].filter((id) => !hasOut.has(id));
  return sinks.map((sink) => {
    const path = [sink];
    const seen = new Set(path);
    let at = sink;
    for (;;) {
      const best = (incoming.get(at) ?? []).reduce<GraphEdge | undefined>((b, e) => (!b || e.weight > b.weight ? e : b), undefined);
      if (!best || seen.has(best.from)) break;
      path.push(best.from);
      seen.add(best.from);
      at = best.from;
    }
    return path;
  });
}
