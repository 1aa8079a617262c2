/**
 * The call tree of one trace: which span each span ran inside, its children in time order, and a
 * pre-order walk. Spans are referred to by their index in the trace's span list, so that the many
 * per-span facts the importer derives live in plain arrays rather than in maps keyed by span id
 * (on a long trace those lookups were a large share of the import).
 *
 * A span whose parent is missing from the trace is a root. Parent links that form a cycle are broken:
 * the earliest span of the cycle not yet reached becomes a root, and an issue says so.
 */
import type { ImportIssue } from './importResult';

/** What the tree needs of a span. */
export interface TreeSpan {
  spanId: string;
  parentSpanId?: string | undefined;
  startMs?: number | undefined;
  /** Position in the file. */
  order: number;
  path: string;
  line?: number | undefined;
}

export interface CallTree {
  /** Index of each span's parent, -1 for a root. */
  readonly parent: Int32Array;
  /** Indexes of each span's children in time order; undefined for a leaf. */
  readonly children: ReadonlyArray<number[] | undefined>;
  /** Roots in time order, then the spans that were cut out of a parent cycle, in the order they were. */
  readonly roots: number[];
  /** Every span once, parents before children, siblings in time order. */
  readonly dfs: Int32Array;
  /** Position of each span in `dfs`. */
  readonly dfsPos: Int32Array;
  /** Span id to index (ids are unique within a trace). */
  readonly indexOf: ReadonlyMap<string, number>;
}

/**
 * Start time, then position in the file. Positions are unique, so this is a total order and any sort
 * gives the same result. A missing start sorts last (two missing starts give NaN, which falls through
 * to the position like a tie).
 */
export function timeOrder(a: TreeSpan, b: TreeSpan): number {
  return (a.startMs ?? Number.POSITIVE_INFINITY) - (b.startMs ?? Number.POSITIVE_INFINITY) || a.order - b.order;
}

export function callTree(spans: readonly TreeSpan[], errors: ImportIssue[]): CallTree {
  const n = spans.length;
  const indexOf = new Map<string, number>();
  for (let i = 0; i < n; i++) indexOf.set((spans[i] as TreeSpan).spanId, i);
  const parent = new Int32Array(n).fill(-1);
  const children: (number[] | undefined)[] = new Array(n).fill(undefined);
  for (let i = 0; i < n; i++) {
    const parentId = (spans[i] as TreeSpan).parentSpanId;
    const p = parentId !== undefined ? indexOf.get(parentId) : undefined;
    if (p !== undefined && p !== i) {
      parent[i] = p;
      (children[p] ??= []).push(i);
    }
  }
  const byTime = (a: number, b: number): number => timeOrder(spans[a] as TreeSpan, spans[b] as TreeSpan);
  for (const list of children) list?.sort(byTime);
  const roots: number[] = [];
  for (let i = 0; i < n; i++) if (parent[i] === -1) roots.push(i);
  roots.sort(byTime);

  const dfs = new Int32Array(n);
  let visitedCount = 0;
  const visited = new Uint8Array(n);
  const stack: number[] = [];
  const visit = (root: number): void => {
    stack.push(root);
    while (stack.length > 0) {
      const i = stack.pop() as number;
      if (visited[i]) continue;
      visited[i] = 1;
      dfs[visitedCount++] = i;
      const kids = children[i];
      if (kids) for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k] as number);
    }
  };
  for (const root of roots) visit(root);
  if (visitedCount < n) {
    // Only spans on a parent cycle are out of reach of every root.
    for (const i of Array.from({ length: n }, (_, k) => k).sort(byTime)) {
      if (visited[i]) continue;
      const span = spans[i] as TreeSpan;
      errors.push({ message: `span ${span.spanId} is part of a parent cycle; it is treated as a root`, path: span.path, ...(span.line !== undefined ? { line: span.line } : {}) });
      const p = parent[i] as number;
      if (p >= 0) children[p] = (children[p] ?? []).filter((c) => c !== i);
      parent[i] = -1;
      roots.push(i);
      visit(i);
    }
  }
  const dfsPos = new Int32Array(n);
  for (let k = 0; k < n; k++) dfsPos[dfs[k] as number] = k;
  return { parent, children, roots, dfs, dfsPos, indexOf };
}
