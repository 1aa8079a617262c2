/**
 * The one message protocol between the extension host and the trajectory panel webview.
 *
 * Both sides parse every incoming message with these schemas and drop what does not fit: the
 * webview is a separate origin that could be confused by a stale bundle, and the host must never
 * act on a message it does not understand. Data is fetched with request/response pairs that carry
 * an id, and every list is paged, so no message ever holds a whole run.
 *
 * No `vscode` import and no Node import: the webview bundles this file.
 */
import * as z from 'zod';

// ---------------------------------------------------------------------------------------------
// View models: what the host sends, already shaped for display.

export const SPLITS = ['train', 'val', 'test'] as const;
export const SplitSchema = z.enum(SPLITS);

/** How a task's outcome moved between the baseline and the optimized prompts of an optimize run. */
export const SHIFTS = ['pass-pass', 'fail-pass', 'pass-fail', 'fail-fail'] as const;
export const ShiftSchema = z.enum(SHIFTS);
export type Shift = z.infer<typeof ShiftSchema>;

export const ShiftCountsSchema = z.strictObject({
  'pass-pass': z.number().int().nonnegative(),
  'fail-pass': z.number().int().nonnegative(),
  'pass-fail': z.number().int().nonnegative(),
  'fail-fail': z.number().int().nonnegative(),
});
export type ShiftCounts = z.infer<typeof ShiftCountsSchema>;

const BeforeAfterSchema = z.strictObject({ before: z.number().nullable(), after: z.number().nullable() });

export const RunItemSchema = z.strictObject({
  runId: z.string(),
  /**
   * 'optimize': an optimize run (optimize.json); 'run': an ordinary run (manifest.json);
   * 'import': a file of imported trajectories (.truce/imports/<name>.trajectories.jsonl).
   */
  kind: z.enum(['run', 'optimize', 'import']),
  createdAt: z.string(),
  /** An ordinary run's state, or an optimize run's status ('completed', 'stopped-budget', …). */
  state: z.string(),
  /** Tasks selected (ordinary run), the tasks its rollouts, validations and tests ran (optimize run), or trajectories in the file (import). */
  tasks: z.number().int().nonnegative(),
  /** The credit method of an optimize run. */
  method: z.string().nullable(),
  /** Mean val / test score of the initial and the best prompts (optimize runs only). */
  val: BeforeAfterSchema.nullable(),
  test: BeforeAfterSchema.nullable(),
  /** For a rollout, validation or test run: the optimize run that started it. */
  parent: z.strictObject({ runId: z.string(), purpose: z.string(), round: z.number().int() }).nullable(),
});
export type RunItem = z.infer<typeof RunItemSchema>;

export const OutcomeViewSchema = z.strictObject({ score: z.number(), success: z.boolean() });

/**
 * A failure-attribution label an imported trajectory carries (Who&When's mistake_agent and
 * mistake_step): which agent, and which step, annotators blamed for the failure.
 */
export const MistakeLabelSchema = z.strictObject({
  agentId: z.string().nullable(),
  /** The step id the label resolved to; null when the source's step index matched no step. */
  stepId: z.string().nullable(),
  reason: z.string().nullable(),
});
export type MistakeLabel = z.infer<typeof MistakeLabelSchema>;

export const TaskRowSchema = z.strictObject({
  taskId: z.string(),
  split: SplitSchema.nullable(),
  /** Null while the task has not finished (or failed before producing a trajectory), or when it was never scored. */
  outcome: OutcomeViewSchema.nullable(),
  /** A trajectory of the task is stored: with a null outcome it finished unscored (an attached trace nothing scored yet). */
  recorded: z.boolean(),
  steps: z.number().int().nonnegative(),
  tokens: z.number().int().nonnegative(),
  shift: ShiftSchema.nullable(),
  mistake: MistakeLabelSchema.nullable(),
});
export type TaskRow = z.infer<typeof TaskRowSchema>;

export const TasksPageSchema = z.strictObject({
  runId: z.string(),
  offset: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  rows: z.array(TaskRowSchema),
  /** Present only when an optimize run recorded outcomes before and after. */
  shift: ShiftCountsSchema.nullable(),
  /** Problems reading the run (torn lines, invalid records), for a notice in the panel. */
  problems: z.array(z.string()),
});
export type TasksPage = z.infer<typeof TasksPageSchema>;

export const AgentColumnSchema = z.strictObject({ id: z.string(), label: z.string(), kind: z.string().nullable() });

export const GridCellSchema = z.strictObject({
  agentId: z.string(),
  stepIds: z.array(z.string()),
  tokens: z.number().int().nonnegative(),
  /** Mean credit in [-1, 1] of the signals that point at this cell's steps; null when none do. */
  credit: z.number().nullable(),
  creditText: z.string().nullable(),
});
export type GridCell = z.infer<typeof GridCellSchema>;

export const GridRowSchema = z.strictObject({
  round: z.number().int().nonnegative(),
  /** Round-scope credit (temporal credit of the round), null when none was recorded. */
  credit: z.number().nullable(),
  cells: z.array(GridCellSchema),
});
export type GridRow = z.infer<typeof GridRowSchema>;

export const GridPageSchema = z.strictObject({
  runId: z.string(),
  taskId: z.string(),
  agents: z.array(AgentColumnSchema),
  offset: z.number().int().nonnegative(),
  totalRounds: z.number().int().nonnegative(),
  rows: z.array(GridRowSchema),
  outcome: OutcomeViewSchema.nullable(),
  input: z.string().nullable(),
  mistake: MistakeLabelSchema.nullable(),
  /** True for a run recorded by attaching to a MAS: the user scores its tasks with thumbs up or down. */
  rateable: z.boolean().optional(),
  /** The user's verdict on this task, when they gave one. */
  verdict: z.enum(['up', 'down']).nullable().optional(),
});
export type GridPage = z.infer<typeof GridPageSchema>;

/** A long text is sent in chunks; `total` tells the webview whether to offer "show more". */
export const TextChunkSchema = z.strictObject({ text: z.string(), total: z.number().int().nonnegative() });
export type TextChunk = z.infer<typeof TextChunkSchema>;

export const StepMessageSchema = z.strictObject({ role: z.string(), name: z.string().nullable(), content: TextChunkSchema });

export const StepCreditSchema = z.strictObject({
  scope: z.string(),
  ref: z.string(),
  score: z.number(),
  text: z.string(),
  method: z.string(),
});
export type StepCredit = z.infer<typeof StepCreditSchema>;

export const StepDetailSchema = z.strictObject({
  runId: z.string(),
  taskId: z.string(),
  stepId: z.string(),
  seq: z.number().int().nonnegative(),
  round: z.number().int().nonnegative(),
  /** Index of the step's round among the task's grid rows, so the grid can scroll to it. */
  gridRow: z.number().int().nonnegative(),
  agentId: z.string(),
  kind: z.string(),
  reads: z.array(z.string()),
  usage: z.strictObject({ in: z.number(), out: z.number(), total: z.number().nullable() }),
  durationMs: z.number().nullable(),
  /** The step's input: chat messages, or one 'input' message for a plain-text input. */
  messages: z.array(StepMessageSchema),
  output: TextChunkSchema,
  /** Every signal whose evidence names this step. */
  credit: z.array(StepCreditSchema),
  /** The policy units those signals implicate (scope 'unit'): the links back to the editor. */
  units: z.array(z.strictObject({ unitId: z.string(), score: z.number(), text: z.string() })),
  /** Set when a label blames this step or its agent; null otherwise. */
  mistake: z.strictObject({ step: z.boolean(), agent: z.boolean(), reason: z.string().nullable() }).nullable(),
  /** The latest intervention on this step (`truce intervene`): its verdict in words and the correction tried; null when none. */
  intervention: z
    .strictObject({ verdict: z.enum(['confirmed', 'not-confirmed', 'unchecked']), text: z.string(), flips: z.number().int().nonnegative(), runs: z.number().int().nonnegative(), correction: z.string() })
    .nullable()
    .optional(),
});
export type StepDetail = z.infer<typeof StepDetailSchema>;

/** Which text of a step a chunk belongs to: the output, or the input message at this index. */
export const TextPartSchema = z.union([z.literal('output'), z.strictObject({ message: z.number().int().nonnegative() })]);
export type TextPart = z.infer<typeof TextPartSchema>;

export const TextPageSchema = z.strictObject({ offset: z.number().int().nonnegative(), text: z.string(), total: z.number().int().nonnegative() });
export type TextPage = z.infer<typeof TextPageSchema>;

export const HistoryRoundSchema = z.strictObject({
  round: z.number().int().nonnegative(),
  phase: z.string().nullable(),
  train: z.number().nullable(),
  /** Mean val score of the best prompts after the round. */
  val: z.number().nullable(),
  /** Mean val score of the round's candidate, when one was validated. */
  candidate: z.number().nullable(),
  accepted: z.boolean().nullable(),
  reason: z.string().nullable(),
});
export type HistoryRound = z.infer<typeof HistoryRoundSchema>;

export const HistorySuggestionSchema = z.strictObject({
  id: z.string(),
  status: z.string(),
  op: z.string(),
  agentId: z.string(),
  unitId: z.string().nullable(),
  support: z.number(),
  reason: z.string().nullable(),
  rationale: z.string(),
  round: z.number().nullable(),
});
export type HistorySuggestion = z.infer<typeof HistorySuggestionSchema>;

export const PhaseSpendSchema = z.strictObject({
  phase: z.string(),
  calls: z.number().nonnegative(),
  tokens: z.number().nonnegative(),
  costUsd: z.number().nonnegative(),
});
export type PhaseSpend = z.infer<typeof PhaseSpendSchema>;

export const HistoryPageSchema = z.strictObject({
  runId: z.string(),
  /** False when the run has no optimize records: the panel then shows no history at all. */
  available: z.boolean(),
  rounds: z.array(HistoryRoundSchema),
  spend: z.array(PhaseSpendSchema),
  offset: z.number().int().nonnegative(),
  totalSuggestions: z.number().int().nonnegative(),
  suggestions: z.array(HistorySuggestionSchema),
});
export type HistoryPage = z.infer<typeof HistoryPageSchema>;

export const GraphNodeSchema = z.strictObject({ id: z.string(), label: z.string(), agentId: z.string().nullable() });
export const GraphEdgeSchema = z.strictObject({ from: z.string(), to: z.string(), weight: z.number() });
export const AttributionGraphSchema = z.strictObject({
  nodes: z.array(GraphNodeSchema),
  edges: z.array(GraphEdgeSchema),
  /** Attribution trajectories: node ids from the final output backwards. */
  paths: z.array(z.array(z.string())),
});
export type AttributionGraph = z.infer<typeof AttributionGraphSchema>;
export type GraphNode = z.infer<typeof GraphNodeSchema>;
export type GraphEdge = z.infer<typeof GraphEdgeSchema>;

export const GraphResultSchema = z.strictObject({ runId: z.string(), taskId: z.string(), graph: AttributionGraphSchema.nullable() });
export type GraphResult = z.infer<typeof GraphResultSchema>;

// ---------------------------------------------------------------------------------------------
// Requests: each kind names its parameters and the schema of its result.

/** The largest page either side accepts; a bigger `limit` is a protocol violation, not a slow answer. */
export const MAX_PAGE = 500;
export const MAX_TEXT_CHUNK = 64 * 1024;

const page = { offset: z.number().int().nonnegative(), limit: z.number().int().positive().max(MAX_PAGE) };
const runId = z.string().min(1).max(200);
const taskId = z.string().min(1).max(1000);
const stepId = z.string().min(1).max(1000);

export const RequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('runs') }),
  /** With `around`, the page that holds that task is returned (its offset says where it starts). */
  z.strictObject({ kind: z.literal('tasks'), runId, ...page, around: taskId.optional() }),
  z.strictObject({ kind: z.literal('grid'), runId, taskId, ...page }),
  z.strictObject({ kind: z.literal('step'), runId, taskId, stepId }),
  z.strictObject({
    kind: z.literal('text'),
    runId,
    taskId,
    stepId,
    part: TextPartSchema,
    offset: z.number().int().nonnegative(),
    length: z.number().int().positive().max(MAX_TEXT_CHUNK),
  }),
  z.strictObject({ kind: z.literal('history'), runId, ...page }),
  z.strictObject({ kind: z.literal('graph'), runId, taskId }),
  /** The user's thumbs up or down on a task of an attached run; null takes it back. The one request that writes. */
  z.strictObject({ kind: z.literal('rate'), runId, taskId, verdict: z.enum(['up', 'down']).nullable() }),
]);
export type Request = z.infer<typeof RequestSchema>;
export type RequestKind = Request['kind'];

export const ResultSchemas = {
  runs: z.strictObject({ runs: z.array(RunItemSchema) }),
  tasks: TasksPageSchema,
  grid: GridPageSchema,
  step: StepDetailSchema,
  text: TextPageSchema,
  history: HistoryPageSchema,
  graph: GraphResultSchema,
  rate: z.strictObject({ runId: z.string(), taskId: z.string(), verdict: z.enum(['up', 'down']).nullable(), outcome: OutcomeViewSchema.nullable() }),
} satisfies Record<RequestKind, z.ZodType>;
export type ResultOf<K extends RequestKind> = z.infer<(typeof ResultSchemas)[K]>;
export type RequestOf<K extends RequestKind> = Extract<Request, { kind: K }>;

/** Where the panel should go: a run, optionally a task and a step in it. */
export const FocusSchema = z.strictObject({ runId, taskId: taskId.optional(), stepId: stepId.optional() });
export type Focus = z.infer<typeof FocusSchema>;

// ---------------------------------------------------------------------------------------------
// Messages.

export const WebviewMessageSchema = z.discriminatedUnion('type', [
  /** Sent once the script has loaded; the host answers with `init` and only then pushes. */
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('request'), id: z.number().int().nonnegative(), request: RequestSchema }),
  /** Show a policy unit in its prompt file (the link from a step back to the editor). */
  z.strictObject({ type: z.literal('revealUnit'), runId, unitId: z.string().min(1).max(200) }),
  /** Move this view into the editor area, keeping the place. */
  z.strictObject({ type: z.literal('openInEditor'), focus: FocusSchema.nullable() }),
]);
export type WebviewMessage = z.infer<typeof WebviewMessageSchema>;

/** A request's answer: its data (checked against the request kind by the receiver) or an error to show. */
export const ResponseSchema = z.discriminatedUnion('ok', [
  z.strictObject({ type: z.literal('response'), id: z.number().int().nonnegative(), ok: z.literal(true), result: z.unknown() }),
  z.strictObject({ type: z.literal('response'), id: z.number().int().nonnegative(), ok: z.literal(false), error: z.string() }),
]);

export const HostMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('init'), focus: FocusSchema.nullable(), fullView: z.boolean() }),
  ResponseSchema,
  /** Something under .truce/runs/ or .truce/imports/ changed; `runIds` are the runs whose data did (empty: the list). */
  z.strictObject({ type: z.literal('runsChanged'), runIds: z.array(z.string()) }),
  z.strictObject({ type: z.literal('focus'), focus: FocusSchema }),
]);
export type HostMessage = z.infer<typeof HostMessageSchema>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

function parseWith<T>(schema: z.ZodType<T>, value: unknown): Parsed<T> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const problem = result.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  return { ok: false, problem };
}

export function parseWebviewMessage(value: unknown): Parsed<WebviewMessage> {
  return parseWith(WebviewMessageSchema, value);
}

export function parseHostMessage(value: unknown): Parsed<HostMessage> {
  return parseWith(HostMessageSchema, value);
}

/** Checks a response's payload against what the request kind promises. */
export function parseResult<K extends RequestKind>(kind: K, value: unknown): Parsed<ResultOf<K>> {
  return parseWith(ResultSchemas[kind] as unknown as z.ZodType<ResultOf<K>>, value);
}

/** A short, safe description of a dropped message for a log line (never the whole payload). */
export function describeDropped(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
