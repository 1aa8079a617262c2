/**
 * The trajectory model (DESIGN.md §3): one record per task execution, with the agents, the rounds,
 * every step and the outcome. Everything that crosses a file or process boundary is parsed with
 * these schemas; code inside the core trusts the inferred types.
 *
 * The structural objects are strict: a misspelt key in a hand-written or foreign JSONL file
 * ("agentID") is reported with its path instead of being dropped silently. The free-form bags
 * (`attrs`, `outcome.details`, `labels`) stay open because importers keep source-specific facts there.
 */
import * as z from 'zod';

/** One chat message of a step's input; importers render tool calls and multi-part content into `content`. */
export const MessageSchema = z.strictObject({
  role: z.string(),
  content: z.string(),
  name: z.string().optional(),
});

/** What a step was given: plain text, or the chat messages sent to the model. */
export const StepInputSchema = z.union([z.string(), z.array(MessageSchema)]);

/**
 * Token counts. `total` is only set when a source reports a total it cannot split into input and
 * output (MARBLE's `token_usage`); when present it is the authoritative figure.
 */
export const UsageSchema = z.strictObject({
  in: z.number().int().nonnegative(),
  out: z.number().int().nonnegative(),
  total: z.number().int().nonnegative().optional(),
});

export const STEP_KINDS = ['llm', 'message', 'tool_call', 'tool_result', 'handoff', 'aggregate', 'eval'] as const;
export const StepKindSchema = z.enum(STEP_KINDS);

/** Free-form, JSON-serialisable facts a source recorded that the model has no field for. */
export const AttrsSchema = z.record(z.string(), z.unknown());

export const StepSchema = z.strictObject({
  /** Unique within the trajectory; `reads` and evidence pointers refer to it. */
  id: z.string().min(1),
  /** Position in the trajectory; steps are stored in ascending `seq`. */
  seq: z.number().int().nonnegative(),
  /** `Round.index` of the round this step belongs to. */
  round: z.number().int().nonnegative(),
  agentId: z.string().min(1),
  kind: StepKindSchema,
  input: StepInputSchema.optional(),
  output: z.string(),
  /** Ids of earlier steps whose output this step consumed: the edges of the agent graph. */
  reads: z.array(z.string()).default(() => []),
  usage: UsageSchema.default(() => ({ in: 0, out: 0 })),
  /** Wall-clock start and end in milliseconds since the Unix epoch (fractions keep sub-ms precision). */
  t_start: z.number().optional(),
  t_end: z.number().optional(),
  attrs: AttrsSchema.default(() => ({})),
});

/** `role` agents carry an optimisable prompt; `tool`/`human` agents appear in logs but have none. */
export const AGENT_KINDS = ['role', 'aggregator', 'judge', 'tool', 'human', 'other'] as const;
export const AgentKindSchema = z.enum(AGENT_KINDS);

export const AgentSchema = z.strictObject({
  id: z.string().min(1),
  kind: AgentKindSchema.optional(),
  /** Display name when it differs from the id. */
  name: z.string().optional(),
  /** The agent's system prompt or profile text when the source recorded it. */
  prompt: z.string().optional(),
});

export const RoundSchema = z.strictObject({
  index: z.number().int().nonnegative(),
  /** The shared state S_t the round's aggregator wrote (BCD paper's state bottleneck). */
  state: z.string().optional(),
  /** Agent id of the round's aggregator. */
  aggregator: z.string().optional(),
});

export const OutcomeSchema = z.strictObject({
  score: z.number().min(0).max(1),
  success: z.boolean(),
  details: AttrsSchema.default(() => ({})),
});

/** The task as the source stated it; `reference` is the expected answer when one is known. */
export const TaskSchema = z.strictObject({
  input: z.string(),
  reference: z.string().optional(),
});

/**
 * Failure-attribution labels (Who&When and similar datasets). The source's raw `mistakeStep` is
 * kept next to the resolved step id because upstream labels are sometimes inconsistent with the
 * log; `notes` says where.
 */
export const LabelsSchema = z.looseObject({
  mistakeAgent: z.string().optional(),
  mistakeStep: z.string().optional(),
  mistakeStepId: z.string().optional(),
  mistakeReason: z.string().optional(),
  mistakeType: z.string().optional(),
  level: z.string().optional(),
  tags: z.array(z.string()).optional(),
  notes: z.array(z.string()).optional(),
});

export const TRAJECTORY_FORMAT_VERSION = 1;

export const TrajectorySchema = z.strictObject({
  version: z.literal(TRAJECTORY_FORMAT_VERSION).optional(),
  runId: z.string().min(1),
  taskId: z.string().min(1),
  task: TaskSchema.optional(),
  agents: z.array(AgentSchema),
  rounds: z.array(RoundSchema),
  steps: z.array(StepSchema),
  outcome: OutcomeSchema.optional(),
  usage: UsageSchema.default(() => ({ in: 0, out: 0 })),
  labels: LabelsSchema.optional(),
  /** Provenance and source-level facts (source format, file, scores the source computed). */
  attrs: AttrsSchema.optional(),
});

export type Message = z.infer<typeof MessageSchema>;
export type StepInput = z.infer<typeof StepInputSchema>;
export type Usage = z.infer<typeof UsageSchema>;
export type StepKind = z.infer<typeof StepKindSchema>;
export type Step = z.infer<typeof StepSchema>;
export type AgentKind = z.infer<typeof AgentKindSchema>;
export type Agent = z.infer<typeof AgentSchema>;
export type Round = z.infer<typeof RoundSchema>;
export type Outcome = z.infer<typeof OutcomeSchema>;
export type TrajectoryTask = z.infer<typeof TaskSchema>;
export type Labels = z.infer<typeof LabelsSchema>;
export type Trajectory = z.infer<typeof TrajectorySchema>;
/** What a writer may hand in: defaults (`reads`, `usage`, `attrs`) may be left out. */
export type TrajectoryInput = z.input<typeof TrajectorySchema>;
