/**
 * `manifest.json`: what a run is — which configuration, which prompt files (by content hash),
 * which tasks in which split, with which tools — and where it stands. It is rewritten atomically
 * whenever the status changes, so a reader always sees one consistent version.
 */
import * as z from 'zod';

export const MANIFEST_FORMAT = 'truce-run/1';

export const RUN_STATUSES = ['running', 'completed', 'stopped-budget', 'cancelled', 'failed'] as const;
export const RunStatusSchema = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatusSchema>;

const splitCounts = z.strictObject({ train: z.number(), val: z.number(), test: z.number() });

export const PromptFileSnapshotSchema = z.strictObject({
  /** Workspace-relative, with forward slashes. */
  file: z.string(),
  sha256: z.string(),
  agents: z.array(z.string()),
});

export const EndpointSummarySchema = z.strictObject({ baseUrl: z.string(), model: z.string() });

export const ManifestSchema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  runId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  status: RunStatusSchema,
  /** Why the run stopped, when it did not complete. */
  statusReason: z.string().optional(),
  /** Workspace-relative config file, when the run came from one. */
  configFile: z.string().optional(),
  /** sha256 of the canonical JSON of the effective configuration (after environment overrides). */
  configHash: z.string(),
  /** The configuration itself, without the values of mas.env and evaluator.env (run/recordedConfig.ts); the schema has no place for a key. */
  config: z.record(z.string(), z.unknown()),
  prompts: z.strictObject({ hash: z.string(), files: z.array(PromptFileSnapshotSchema) }),
  seed: z.number(),
  split: z.strictObject({ spec: splitCounts, sizes: splitCounts }),
  selection: z.strictObject({
    split: z.enum(['all', 'train', 'val', 'test']),
    limit: z.number().int().positive().optional(),
    taskFile: z.string(),
    taskFileSha256: z.string(),
    /** Exactly the tasks this run executes, in order, with their split; a resume runs the rest of this list. */
    tasks: z.array(z.strictObject({ id: z.string(), split: z.enum(['train', 'val', 'test']) })),
  }),
  tools: z.strictObject({ truce: z.string(), node: z.string(), platform: z.string() }),
  /** Sanitised base URL and model per role; never keys. */
  endpoints: z.record(z.string(), EndpointSummarySchema),
  cacheMode: z.string(),
  concurrency: z.number().int().positive(),
  /** Process currently (or last) executing the run; tells a crashed run from a live one. */
  pid: z.number().int().optional(),
  /** How many times the run was started (1 + resumes). */
  invocations: z.number().int().positive(),
  /** Set on a run recorded by attaching to a MAS that runs on its own (`truce attach`, the editor's Attach command). */
  attach: z.strictObject({ port: z.number().int() }).optional(),
});

export type Manifest = z.infer<typeof ManifestSchema>;
