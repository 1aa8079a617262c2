/**
 * `journal.jsonl`: the append-only history of a run, one event per line. It is what a person reads
 * to see what happened when, and how a status is reconstructed after a crash; the set of finished
 * tasks itself comes from `trajectories.jsonl`, whose lines are the results.
 */
import * as z from 'zod';
import { RunStatusSchema } from './manifest';

const base = { ts: z.string() };

export const JournalEventSchema = z.discriminatedUnion('event', [
  z.strictObject({ ...base, event: z.literal('run-started'), invocation: z.number().int(), pending: z.number().int(), skipped: z.number().int() }),
  z.strictObject({ ...base, event: z.literal('task-started'), taskId: z.string() }),
  z.strictObject({ ...base, event: z.literal('task-finished'), taskId: z.string(), score: z.number(), success: z.boolean() }),
  z.strictObject({ ...base, event: z.literal('task-failed'), taskId: z.string(), reason: z.string() }),
  /** The task was interrupted (cancel, budget, endpoint down) and will run again on resume. */
  z.strictObject({ ...base, event: z.literal('task-interrupted'), taskId: z.string(), reason: z.string() }),
  z.strictObject({ ...base, event: z.literal('run-stopped'), status: RunStatusSchema, reason: z.string() }),
  z.strictObject({ ...base, event: z.literal('run-completed') }),
]);

export type JournalEvent = z.infer<typeof JournalEventSchema>;

/** Distributes Omit over the union, so each event keeps its own fields. */
export type JournalEntry = JournalEvent extends infer E ? (E extends JournalEvent ? Omit<E, 'ts'> : never) : never;
