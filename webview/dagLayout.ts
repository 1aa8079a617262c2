/**
 * A layered drawing of the attribution graph: each node sits one layer right of its deepest
 * predecessor (so every edge points rightwards, the way information flowed), and nodes of a
 * layer are ordered by the mean position of their predecessors, which keeps most edges short and
 * uncrossed. Cycles (which a DAG should not have, but a hand-written file might) are broken by
 * ignoring the edge that closes them.
 */
export interface LayoutEdge {
  from: string;
  to: string;
}

export interface PlacedNode {
  id: string;
  layer: number;
  order: number;
  x: number;
  y: number;
}

export interface DagLayout {
  nodes: Map<string, PlacedNode>;
  width: number;
  height: number;
}

export const LAYER_GAP = 150;
export const ROW_GAP = 46;
export const MARGIN = 24;

export function layerNodes(ids: readonly string[], edges: readonly LayoutEdge[]): Map<string, number> {
  const preds = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of edges) if (preds.has(e.to) && preds.has(e.from) && e.from !== e.to) preds.get(e.to)?.push(e.from);
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (id: string): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return -1; // the edge that closes a cycle contributes nothing
    visiting.add(id);
    let deepest = -1;
    for (const p of preds.get(id) ?? []) deepest = Math.max(deepest, visit(p));
    visiting.delete(id);
    layer.set(id, deepest + 1);
    return deepest + 1;
  };
  for (const id of ids) visit(id);
  return layer;
}

export function layoutDag(ids: readonly string[], edges: readonly LayoutEdge[]): DagLayout {
  const layers = layerNodes(ids, edges);
  const byLayer: string[][] = [];
  for (const id of ids) {
    const l = layers.get(id) ?? 0;
    (byLayer[l] ??= []).push(id);
  }
  const preds = new Map<string, string[]>();
  for (const e of edges) preds.set(e.to, [...(preds.get(e.to) ?? []), e.from]);
  const order = new Map<string, number>();
  byLayer.forEach((layerIds, l) => {
    const keyed = layerIds.map((id, i) => {
      const ps = (preds.get(id) ?? []).map((p) => order.get(p)).filter((o): o is number => o !== undefined);
      return { id, key: l === 0 || ps.length === 0 ? i : ps.reduce((a, b) => a + b, 0) / ps.length, i };
    });
    keyed.sort((a, b) => a.key - b.key || a.i - b.i);
    keyed.forEach(({ id }, i) => order.set(id, i));
  });
  const nodes = new Map<string, PlacedNode>();
  let tallest = 0;
  byLayer.forEach((layerIds, l) => {
    tallest = Math.max(tallest, layerIds.length);
    for (const id of layerIds) {
      const o = order.get(id) ?? 0;
      nodes.set(id, { id, layer: l, order: o, x: MARGIN + l * LAYER_GAP, y: MARGIN + o * ROW_GAP });
    }
  });
  return { nodes, width: MARGIN * 2 + Math.max(0, byLayer.length - 1) * LAYER_GAP + 110, height: MARGIN * 2 + Math.max(0, tallest - 1) * ROW_GAP + 20 };
}

/** Edges that lie on an attribution path (consecutive ids, path stored sink-first). */
export function pathEdges(paths: ReadonlyArray<readonly string[]>): Set<string> {
  const out = new Set<string>();
  for (const path of paths) for (let i = 0; i + 1 < path.length; i++) out.add(`${path[i + 1]}->${path[i]}`);
  return out;
}
