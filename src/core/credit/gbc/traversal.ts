/**
 * The backward pass of GBC §3.4 over the attribution graph (kept edges only). Starting from the
 * final node it yields the attribution trajectories — the chains along which influence reaches the
 * loss — and a blame per node: the final node carries the whole loss, and each node passes to each
 * kept predecessor its own blame times that edge's weight. An edge whose weight could not be
 * estimated passes an equal share instead, so a failed estimate neither cuts nor inflates a chain.
 */

export interface KeptEdge {
  from: string;
  to: string;
  weight: number | null;
}

export interface AttributionPath {
  /** Step ids, earliest first, ending at the final node. */
  steps: string[];
  /** Product of the effective weights along the path. */
  weight: number;
}

function effectiveWeights(edges: readonly KeptEdge[]): Map<string, Array<{ from: string; w: number }>> {
  const incoming = new Map<string, KeptEdge[]>();
  for (const e of edges) incoming.set(e.to, [...(incoming.get(e.to) ?? []), e]);
  const out = new Map<string, Array<{ from: string; w: number }>>();
  for (const [to, list] of incoming) out.set(to, list.map((e) => ({ from: e.from, w: e.weight ?? 1 / list.length })));
  return out;
}

/** Paths in order of decreasing weight; at most `limit`, since their number can grow exponentially. */
export function attributionPaths(final: string, edges: readonly KeptEdge[], limit: number): { paths: AttributionPath[]; truncated: boolean } {
  const incoming = effectiveWeights(edges);
  const all: AttributionPath[] = [];
  let truncated = false;
  // Depth-first, strongest predecessor first, so truncation drops the weakest chains.
  const walk = (node: string, suffix: string[], weight: number): void => {
    if (all.length >= limit) {
      truncated = true;
      return;
    }
    const preds = [...(incoming.get(node) ?? [])].filter((p) => !suffix.includes(p.from)).sort((a, b) => b.w - a.w);
    if (preds.length === 0) {
      all.push({ steps: [node, ...suffix], weight });
      return;
    }
    for (const p of preds) walk(p.from, [node, ...suffix], weight * p.w);
  };
  walk(final, [], 1);
  return { paths: all.sort((a, b) => b.weight - a.weight), truncated };
}

/** Blame per node reachable backwards from the final node; `order` lists node ids by ascending seq. */
export function nodeBlame(final: string, edges: readonly KeptEdge[], order: readonly string[], loss = 1): Map<string, number> {
  const incoming = effectiveWeights(edges);
  const blame = new Map<string, number>([[final, loss]]);
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i];
    const b = blame.get(node);
    if (b === undefined) continue;
    for (const p of incoming.get(node) ?? []) blame.set(p.from, (blame.get(p.from) ?? 0) + b * p.w);
  }
  return blame;
}
