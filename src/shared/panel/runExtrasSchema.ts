/**
 * The files beside a run's trajectories, as the panel reads them. Two kinds of run folder carry
 * them (src/core/optimize/optimizeStore.ts writes both):
 *
 *   an ordinary run (manifest.json) after `truce credit`/`truce suggest`:
 *     credit.jsonl      one CreditSignal per line (scope, ref, taskId, score, text, evidence, method)
 *     credit.json       the full CreditReport { method, signals, details }
 *     suggestions.json  Suggestion[] (edit {op, agentId, targetUnitId?}, support, status, reason?)
 *
 *   an optimize run (optimize.json, format 'truce-optimize/1'; no manifest.json, no trajectories):
 *     optimize.json     settings, status, method and subRuns [{ runId, purpose, round }]; the
 *                       rollouts ('rollout'), validations ('validation', round 0 = the initial
 *                       prompts) and tests ('test') are ordinary runs beside it
 *     optimize.jsonl    one RoundRecord per finished round: round, batch, rolloutRunId, trainScore,
 *                       notes, suggestions { retained: id[], rejected: [{ id, reason }] }, applied,
 *                       valRunIds, decision? (AcceptanceDecision: accepted, reason, bestMean,
 *                       candidateMean, gain, …), pruning? [{ reason, … }], accepted, bestHash, bestVal { taskId: score } (the
 *                       best set after the round), usage { phase: { calls, inputTokens,
 *                       outputTokens, costUsd, … } }
 *     suggestions.json  every round's suggestions (Suggestion & { round }) with final status/reason
 *     credit.jsonl      every round's CreditSignals, appended
 *     credit.json       the last round's CreditReport; for GBC, details.graph is
 *                       { taskId: { final, loss, nodes [{ id, agentId, round, seq, blame }],
 *                       edges [{ from, to, weight (null: unknown), kept, source }],
 *                       paths [{ steps (source … final), weight }], pathsTruncated } }
 *     prompts.json      { initial, best, initialHash, bestHash }
 *
 * The real field names are read first. The schemas stay lenient (loose objects, optional fields,
 * and the spellings the panel accepted before the optimizer existed: train/val, spend, a graph
 * line in credit.jsonl, per-task before/after on a record): a panel that refuses a whole file
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

/** A path as a list of node ids from the final output backwards, or GBC's { steps (source first), weight }. */
const GraphPathSchema = z.union([z.array(z.string()), z.looseObject({ steps: z.array(z.string()) }).transform((p) => [...p.steps].reverse())]);

/** A graph as GBC stores it in details.graph[taskId]; an edge weight of null (not estimated) draws as 0. */
export const TaskGraphSchema = z.looseObject({
  nodes: z.array(GraphNodeRecordSchema).default(() => []),
  edges: z
    .array(z.looseObject({ from: z.string(), to: z.string(), weight: z.number().nullable().default(1).transform((w) => w ?? 0) }))
    .default(() => []),
  paths: z.array(GraphPathSchema).default(() => []),
});

export const GraphRecordSchema = z.looseObject({ taskId: z.string(), graph: TaskGraphSchema });
export type GraphRecord = z.infer<typeof GraphRecordSchema>;

/** A score as the optimizer may write it: a number, or an object with a mean. */
const ScoreSchema = z.union([z.number(), z.looseObject({ mean: z.number() }).transform((s) => s.mean)]);

/** An outcome before or after: a boolean (success), a score (success at ≥ 0.5), or both. */
const OutcomeSchema = z.union([
  z.boolean().transform((success) => ({ success })),
  z.number().transform((score) => ({ success: score >= 0.5 })),
  z.looseObject({ success: z.boolean() }).transform((o) => ({ success: o.success })),
]);

/** Spend of one phase: the optimizer's UsageTotals (inputTokens, outputTokens), or a tokens total. */
const spendShape = {
  calls: z.number().default(0),
  inputTokens: z.number().optional(),
  outputTokens: z.number().optional(),
  tokens: z.union([z.number(), z.looseObject({ in: z.number().default(0), out: z.number().default(0) }).transform((t) => t.in + t.out)]).optional(),
  costUsd: z.number().default(0),
};
type SpendInput = { calls: number; inputTokens?: number | undefined; outputTokens?: number | undefined; tokens?: number | undefined; costUsd: number };
const spendOf = (e: SpendInput) => ({ calls: e.calls, tokens: e.tokens ?? (e.inputTokens ?? 0) + (e.outputTokens ?? 0), costUsd: e.costUsd });
const SpendSchema = z.union([
  z.record(z.string(), z.looseObject(spendShape).transform(spendOf)),
  z.array(z.looseObject({ phase: z.string(), ...spendShape }).transform((e) => ({ phase: e.phase, ...spendOf(e) }))),
]);

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

const TaskScoresSchema = z.record(z.string(), z.number());

export const OptimizeRecordSchema = z.looseObject({
  round: z.number().int().nonnegative(),
  /** The optimizer's fields. */
  trainScore: z.number().optional(),
  batch: z.array(z.string()).optional(),
  rolloutRunId: z.string().optional(),
  bestHash: z.string().optional(),
  valRunIds: z.array(z.string()).optional(),
  notes: z.array(z.string()).optional(),
  /** Val score per task of the best set after the round, and of the round's candidate when recorded. */
  bestVal: TaskScoresSchema.optional(),
  candidateVal: TaskScoresSchema.optional(),
  accepted: z.boolean().optional(),
  /** The acceptance gate's decision (absent when there was no candidate to validate). */
  decision: z
    .looseObject({ accepted: z.boolean().optional(), reason: z.string().optional(), bestMean: z.number().optional(), candidateMean: z.number().optional() })
    .optional(),
  /** The pruning tests after an acceptance (paired gate), each with why it kept or dropped an edit. */
  pruning: z.array(z.looseObject({ reason: z.string() })).optional(),
  usage: SpendSchema.optional(),
  /** The optimizer writes ids { retained, rejected }; the older form was a list of suggestions. */
  suggestions: z
    .union([
      z.looseObject({
        retained: z.array(z.string()).default(() => []),
        rejected: z.array(z.looseObject({ id: z.string(), reason: z.string().default('') })).default(() => []),
      }),
      z.array(SuggestionRecordSchema),
    ])
    .optional(),
  /** Spellings of the panel's first draft, still read. */
  phase: z.string().optional(),
  train: ScoreSchema.optional(),
  val: ScoreSchema.optional(),
  reason: z.string().optional(),
  spend: SpendSchema.optional(),
  tasks: z.array(z.looseObject({ taskId: z.string(), before: OutcomeSchema.optional(), after: OutcomeSchema.optional() })).optional(),
});
export type OptimizeRecord = z.infer<typeof OptimizeRecordSchema>;

/** credit.json: the last full credit report; only the GBC graphs in details.graph are read here. */
export const CreditReportSchema = z.looseObject({
  method: z.string().default('unknown'),
  details: z.looseObject({ graph: z.record(z.string(), z.unknown()).optional() }).optional(),
});

/** The attribution graphs of credit.json (details.graph, by task); a graph that cannot be read is a problem. */
export function reportGraphs(value: unknown, file = 'credit.json'): { graphs: GraphRecord[]; problems: string[] } {
  const report = CreditReportSchema.safeParse(value);
  if (!report.success) return { graphs: [], problems: [`${file}: not a credit report (${report.error.issues[0]?.message ?? 'invalid'})`] };
  const out: { graphs: GraphRecord[]; problems: string[] } = { graphs: [], problems: [] };
  for (const [taskId, raw] of Object.entries(report.data.details?.graph ?? {})) {
    const graph = TaskGraphSchema.safeParse(raw);
    if (graph.success) out.graphs.push({ taskId, graph: graph.data });
    else out.problems.push(`${file}: the graph of task "${taskId}" is unreadable (${graph.error.issues[0]?.message ?? 'invalid'})`);
  }
  return out;
}

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
  /** The latest intervention on each step (interventions.jsonl); absent when the run has none. */
  interventions?: InterventionNote[];
  problems: string[];
}

/** What `truce intervene` found about one step, as the step view shows it. */
export interface InterventionNote {
  taskId: string;
  stepId: string;
  verdict: 'confirmed' | 'not-confirmed' | 'unchecked';
  /** "confirmed by intervention: 2 of 3 runs succeed with step r2.solver corrected". */
  text: string;
  flips: number;
  runs: number;
  /** The reply the step was given instead of its own. */
  correction: string;
  at: string;
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
