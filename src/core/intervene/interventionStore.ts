/**
 * `interventions.jsonl` in a run folder, beside the run's credit: one line per intervention — a
 * failed task re-run with its blamed step's model call answered by a corrected reply (see
 * runIntervention.ts). The whole file is rewritten atomically on every addition, so a reader never
 * sees half a line, and it is validated with zod when read: a line that does not fit is reported
 * with its number and skipped, never fatal to the rest.
 */
import { join } from 'node:path';
import * as z from 'zod';
import { readJsonlFile, writeFileAtomic } from '../store';

export const INTERVENTIONS_FILE = 'interventions.jsonl';
export const INTERVENTION_FORMAT = 'truce-intervention/1';

const SpendSchema = z.object({
  calls: z.number().int().nonnegative(),
  inputTokens: z.number().nonnegative(),
  outputTokens: z.number().nonnegative(),
  costUsd: z.number().nonnegative(),
});
export type InterventionSpend = z.infer<typeof SpendSchema>;

export const InterventionRepeatSchema = z.object({
  index: z.number().int().nonnegative(),
  /** The MAS made the blamed call again and got the corrected reply; only then does the run count. */
  reached: z.boolean(),
  /** The evaluator's verdict on the re-run's answer; absent when the MAS failed to answer. */
  success: z.boolean().optional(),
  score: z.number().optional(),
  answer: z.string().optional(),
  /** Why the re-run has no verdict (the MAS crashed, the evaluator failed, the budget stopped it). */
  failure: z.string().optional(),
  /** Calls answered from the run's recording, calls sent to the endpoint (after the correction, or a request that differed). */
  replayed: z.number().int().nonnegative(),
  live: z.number().int().nonnegative(),
  /** Requests before the blamed call that the recording did not hold: the MAS went another way. */
  missed: z.number().int().nonnegative(),
  spend: SpendSchema,
});
export type InterventionRepeat = z.infer<typeof InterventionRepeatSchema>;

export const InterventionRecordSchema = z.object({
  format: z.literal(INTERVENTION_FORMAT),
  id: z.string(),
  at: z.string(),
  taskId: z.string(),
  stepId: z.string(),
  agentId: z.string(),
  /** The gateway call the step names (attrs.callId), whose reply was replaced. */
  callId: z.string(),
  /** Where the blamed step came from: credit's pick, or the user's --step. */
  source: z.enum(['credit', 'user']),
  /** Credit's reason for blaming the step, as the correction prompt was given it. */
  reason: z.string().optional(),
  original: z.string(),
  correction: z.string(),
  /** The task's outcome in the run (it failed: that is why it is intervened on). */
  baseline: z.object({ success: z.boolean(), score: z.number() }),
  repeats: z.array(InterventionRepeatSchema),
  /** Repeats that reached the corrected call, and how many of those succeeded. */
  runs: z.number().int().nonnegative(),
  flips: z.number().int().nonnegative(),
  /** Everything the intervention spent: the correction call, the live calls, a judge if any. */
  spend: SpendSchema,
  /** Set when the repeats stopped early (cancel, budget); the record keeps the repeats that finished. */
  stopped: z.string().optional(),
});
export type InterventionRecord = z.infer<typeof InterventionRecordSchema>;

export interface InterventionFile {
  records: InterventionRecord[];
  problems: string[];
}

export async function readInterventions(runDir: string): Promise<InterventionFile> {
  const contents = await readJsonlFile(join(runDir, INTERVENTIONS_FILE));
  const out: InterventionFile = { records: [], problems: contents.errors.map((e) => `${INTERVENTIONS_FILE}:${e.line}: ${e.message}`) };
  if (contents.torn) out.problems.push(`${INTERVENTIONS_FILE}:${contents.torn.line}: incomplete last line dropped`);
  for (const { value, line } of contents.lines) {
    const parsed = InterventionRecordSchema.safeParse(value);
    if (parsed.success) out.records.push(parsed.data);
    else out.problems.push(`${INTERVENTIONS_FILE}:${line}: not an intervention record (${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).slice(0, 3).join('; ')})`);
  }
  return out;
}

/**
 * Adds one record. The caller holds the run folder's lock; the file is read, extended and written
 * whole to a temporary file that replaces it, so a crash leaves the old file or the new one. Lines
 * that did not validate are kept as they were: this writer never drops what it cannot read.
 */
export async function appendIntervention(runDir: string, record: InterventionRecord): Promise<void> {
  const checked = InterventionRecordSchema.parse(record);
  const contents = await readJsonlFile(join(runDir, INTERVENTIONS_FILE));
  const kept = contents.lines.map((l) => JSON.stringify(l.value));
  await writeFileAtomic(join(runDir, INTERVENTIONS_FILE), `${[...kept, JSON.stringify(checked)].join('\n')}\n`);
}

/** The latest intervention on each (task, step), for showing beside credit. */
export function latestByStep(records: readonly InterventionRecord[]): Map<string, InterventionRecord> {
  const out = new Map<string, InterventionRecord>();
  for (const r of records) {
    const key = `${r.taskId}\u0000${r.stepId}`;
    const seen = out.get(key);
    if (!seen || seen.at <= r.at) out.set(key, r);
  }
  return out;
}

/**
 * The sentence credit, the hover and the panel show: "confirmed by intervention: 2 of 3 runs
 * succeed with step s7 corrected". A run that never reached the corrected call is no evidence
 * either way and is named apart.
 */
export function describeIntervention(record: Pick<InterventionRecord, 'runs' | 'flips' | 'repeats' | 'stepId' | 'stopped'>): string {
  const unreached = record.repeats.filter((r) => !r.reached).length;
  const aside = unreached ? `; in ${unreached} of ${record.repeats.length} the MAS never made the blamed call again` : '';
  const stopped = record.stopped ? ` (stopped early: ${record.stopped})` : '';
  if (record.runs === 0) return `not checked by intervention: no re-run reached step ${record.stepId}${aside}${stopped}`;
  const verdict = record.flips > 0 ? 'confirmed by intervention' : 'not confirmed by intervention';
  return `${verdict}: ${record.flips} of ${record.runs} run${record.runs === 1 ? '' : 's'} ${record.flips === 1 ? 'succeeds' : 'succeed'} with step ${record.stepId} corrected${aside}${stopped}`;
}
