/**
 * Where the batches a run submitted are written down (`batches.jsonl` in the run folder), so that
 * a run interrupted while a batch is pending picks that batch up on resume instead of paying for
 * its requests again. One line when a batch is created (its id and the request keys it holds),
 * one when its results were read. A created batch without a finished line is pending.
 *
 * Events are held in memory until the run folder exists (the ledger is made with the LLM services,
 * before the run folder), then written as they come, with appendFileSync: they are rare, small,
 * and worth having on disk before the next poll.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const BATCH_LEDGER_FILE = 'batches.jsonl';

export type BatchEvent =
  | { event: 'created'; batchId: string; endpointId: string; inputFileId: string; keys: string[]; at: string }
  | { event: 'finished'; batchId: string; status: string; answered: number; unanswered: number; at: string };

export interface PendingBatch {
  batchId: string;
  endpointId: string;
  keys: string[];
}

export interface BatchLedger {
  record(event: BatchEvent): void;
  /** Batches of this endpoint created by an earlier invocation and never read. */
  pending(endpointId: string): PendingBatch[];
}

export class RunBatchLedger implements BatchLedger {
  private dir: string | undefined;
  private readonly held: BatchEvent[] = [];
  private readonly earlier: BatchEvent[];

  /** `previousDir`: the folder of the run being resumed, whose pending batches are adopted. */
  constructor(previousDir?: string) {
    this.earlier = previousDir ? readBatchEvents(previousDir) : [];
  }

  record(event: BatchEvent): void {
    if (this.dir) appendFileSync(join(this.dir, BATCH_LEDGER_FILE), `${JSON.stringify(event)}\n`);
    else this.held.push(event);
  }

  /** From now on events go to `<dir>/batches.jsonl`; those held so far are written first. */
  attach(dir: string): void {
    this.dir = dir;
    for (const event of this.held.splice(0)) this.record(event);
  }

  pending(endpointId: string): PendingBatch[] {
    return pendingBatches(this.earlier).filter((b) => b.endpointId === endpointId);
  }
}

export function readBatchEvents(dir: string): BatchEvent[] {
  let text: string;
  try {
    text = readFileSync(join(dir, BATCH_LEDGER_FILE), 'utf8');
  } catch {
    return [];
  }
  const out: BatchEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const value = JSON.parse(line) as BatchEvent;
      if (value && (value.event === 'created' || value.event === 'finished') && typeof value.batchId === 'string') out.push(value);
    } catch {
      // A line torn by a kill: the batch it named is simply not adopted (its requests are sent again).
    }
  }
  return out;
}

export function pendingBatches(events: readonly BatchEvent[]): PendingBatch[] {
  const finished = new Set(events.filter((e) => e.event === 'finished').map((e) => e.batchId));
  return events.flatMap((e) => (e.event === 'created' && !finished.has(e.batchId) ? [{ batchId: e.batchId, endpointId: e.endpointId, keys: e.keys }] : []));
}
