/**
 * The optional files a run folder may carry besides the store's own, as the panel reads them:
 *
 *   credit.jsonl      one CreditSignal per line (DESIGN.md §3); a line may instead carry a GBC
 *                     attribution graph: { taskId, graph: { nodes, edges, paths } }
 *   optimize.jsonl    one record per optimizer round: scores, the acceptance decision, the spend
 *                     per phase, and (on any record) per-task outcomes before/after
 *   suggestions.json  the run's suggestions, as an array or as { suggestions: [...] }
 *
 * The optimizer writes these; the panel only reads them. The schemas are deliberately lenient
 * (loose objects, optional fields, a few accepted spellings): a panel that refuses a whole file
 * over a field it does not display would hide data the user came to see. What cannot be read at
 * all is reported as a problem with its line.
 */
import * as z from 'zod';

export const CreditSignalRecordSchema = z.looseObject({
  scope: z.enum(['subtrajectory', 'round', 'agent', 'unit', 'edge']),
  ref: z.union([z.string(), z.number()]).transform(String),
  taskId: z.string(),
  score: z.number(),
  text: z.string().default(''),
  evidence: z.array(z.string()).default(() => []),
  method: z.string().default('unknown'),
  parts: z.record(z.string(), z.number()).optional(),
});
export type CreditSignalRecord = z.infer<typeof CreditSignalRecordSchema>;

const GraphNodeRecordSchema = z.union([
  z.string().transform((id) => ({ id, label: undefined as string | undefined, agentId: undefined as string | undefined })),
  z.looseObject({ id: z.string(), label: z.string().optional(), agentId: z.string().optional() }),
]);

export const GraphRecordSchema = z.looseObject({
  taskId: z.string(),
  graph: z.looseObject({
    nodes: z.array(GraphNodeRecordSchema).default(() => []),
    edges: z.array(z.looseObject({ from: z.string(), to: z.string(), weight: z.number().default(1) })).default(() => []),
    paths: z.array(z.array(z.string())).default(() => []),
  }),
});
export type GraphRecord = z.infer<typeof GraphRecordSchema>;

/** A score as the optimizer may write it: a number, or an object with a mean. */
const ScoreSchema = z.union([z.number(), z.looseObject({ mean: z.number() }).transform((s) => s.mean)]);

/** An outcome before or after: a boolean (success), a score (success at ≥ 0.5), or both. */
const OutcomeSchema = z.union([
  z.boolean().transform((success) => ({ success })),
  z.number().transform((score) => ({ success: score >= 0.5 })),
  z.looseObject({ success: z.boolean() }).transform((o) => ({ success: o.success })),
]);

const SpendEntrySchema = z.looseObject({
  calls: z.number().default(0),
  tokens: z.union([z.number(), z.looseObject({ in: z.number().default(0), out: z.number().default(0) }).transform((t) => t.in + t.out)]).default(0),
  costUsd: z.number().default(0),
});

export const SuggestionRecordSchema = z.looseObject({
  id: z.string(),
  status: z.string().default('proposed'),
  edit: z
    .looseObject({ op: z.string(), agentId: z.string(), targetUnitId: z.string().optional() })
    .optional(),
  op: z.string().optional(),
  agentId: z.string().optional(),
  support: z.number().default(0),
  reason: z.string().optional(),
  rationale: z.string().default(''),
  round: z.number().optional(),
});
export type SuggestionRecord = z.infer<typeof SuggestionRecordSchema>;

export const OptimizeRecordSchema = z.looseObject({
  round: z.number().int().nonnegative(),
  phase: z.string().optional(),
  train: ScoreSchema.optional(),
  val: ScoreSchema.optional(),
  accepted: z.boolean().optional(),
  reason: z.string().optional(),
  /** The acceptance gate's decision, when the record nests it. */
  decision: z.looseObject({ accepted: z.boolean().optional(), reason: z.string().optional() }).optional(),
  /** Spend per phase: { phase: {calls, tokens, costUsd} } or [{ phase, calls, tokens, costUsd }]. */
  spend: z
    .union([
      z.record(z.string(), SpendEntrySchema),
      z.array(z.looseObject({ phase: z.string() }).and(SpendEntrySchema)),
    ])
    .optional(),
  suggestions: z.array(SuggestionRecordSchema).optional(),
  tasks: z.array(z.looseObject({ taskId: z.string(), before: OutcomeSchema.optional(), after: OutcomeSchema.optional() })).optional(),
});
export type OptimizeRecord = z.infer<typeof OptimizeRecordSchema>;

export const SuggestionsFileSchema = z.union([
  z.array(SuggestionRecordSchema),
  z.looseObject({ suggestions: z.array(SuggestionRecordSchema) }).transform((file) => file.suggestions),
]);

/** What the panel found beside the store's files; every part may be empty. */
export interface RunExtras {
  signals: CreditSignalRecord[];
  graphs: GraphRecord[];
  optimize: OptimizeRecord[];
  /** Undefined when the run has no suggestions.json. */
  suggestions: SuggestionRecord[] | undefined;
  problems: string[];
}

export const NO_EXTRAS: RunExtras = { signals: [], graphs: [], optimize: [], suggestions: undefined, problems: [] };

/** Sorts the lines of credit.jsonl into signals and graphs; a line that is neither is a problem. */
export function classifyCreditLines(lines: Array<{ value: unknown; line: number }>, file = 'credit.jsonl'): Pick<RunExtras, 'signals' | 'graphs' | 'problems'> {
  const out: Pick<RunExtras, 'signals' | 'graphs' | 'problems'> = { signals: [], graphs: [], problems: [] };
  for (const { value, line } of lines) {
    const signal = CreditSignalRecordSchema.safeParse(value);
    if (signal.success) {
      out.signals.push(signal.data);
      continue;
    }
    const graph = GraphRecordSchema.safeParse(value);
    if (graph.success) out.graphs.push(graph.data);
    else out.problems.push(`${file}:${line}: neither a credit signal nor an attribution graph (${signal.error.issues[0]?.message ?? 'invalid'})`);
  }
  return out;
}

export function parseOptimizeLines(lines: Array<{ value: unknown; line: number }>, file = 'optimize.jsonl'): Pick<RunExtras, 'optimize' | 'problems'> {
  const out: Pick<RunExtras, 'optimize' | 'problems'> = { optimize: [], problems: [] };
  for (const { value, line } of lines) {
    const parsed = OptimizeRecordSchema.safeParse(value);
    if (parsed.success) out.optimize.push(parsed.data);
    else out.problems.push(`${file}:${line}: not an optimize round record (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  }
  return out;
}
