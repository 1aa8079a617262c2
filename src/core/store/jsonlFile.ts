/**
 * Append-only JSONL files that survive a crash at any byte. Each record is written as one line in
 * one write, so a crash can at worst leave the final line incomplete (no newline yet). The reader
 * drops such a torn tail and reports it; the appender cuts it off before it appends, so the next
 * record never glues onto a fragment and corrupts a line in the middle of the file.
 */
import { open, stat, truncate } from 'node:fs/promises';
import { readRegularFile } from './readRegularFile';

export interface JsonlLine {
  value: unknown;
  /** 1-based. */
  line: number;
}

export interface TornTail {
  /** The line number the incomplete record would have had. */
  line: number;
  bytes: number;
}

export interface JsonlContents {
  lines: JsonlLine[];
  /** Complete lines that are not JSON (should not happen; reported, never fatal). */
  errors: Array<{ line: number; message: string }>;
  torn?: TornTail;
}

/** A missing file reads as empty: a run that crashed early may not have created it yet. */
export async function readJsonlFile(path: string): Promise<JsonlContents> {
  let buffer: Buffer;
  try {
    buffer = await readRegularFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], errors: [] };
    throw error;
  }
  return parseJsonlBuffer(buffer);
}

export function parseJsonlBuffer(buffer: Buffer): JsonlContents {
  const end = buffer.lastIndexOf(0x0a) + 1;
  const text = buffer.subarray(0, end).toString('utf8');
  const result: JsonlContents = { lines: [], errors: [] };
  const rows = text.split('\n');
  rows.pop();
  rows.forEach((row, index) => {
    if (!row.trim()) return;
    try {
      result.lines.push({ value: JSON.parse(row), line: index + 1 });
    } catch (error) {
      result.errors.push({ line: index + 1, message: `invalid JSON: ${(error as Error).message}` });
    }
  });
  if (end < buffer.length) result.torn = { line: rows.length + 1, bytes: buffer.length - end };
  return result;
}

/** Cuts an incomplete final line off; returns how many bytes were dropped. */
export async function dropTornTail(path: string): Promise<number> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  if (size === 0) return 0;
  const handle = await open(path, 'r');
  let keep = 0;
  try {
    // Read backwards in blocks until the last newline is found.
    const block = Buffer.alloc(64 * 1024);
    let position = size;
    search: while (position > 0) {
      const length = Math.min(block.length, position);
      position -= length;
      await handle.read(block, 0, length, position);
      for (let i = length - 1; i >= 0; i--) {
        if (block[i] === 0x0a) {
          keep = position + i + 1;
          break search;
        }
      }
    }
  } finally {
    await handle.close();
  }
  if (keep === size) return 0;
  await truncate(path, keep);
  return size - keep;
}

/**
 * Appends records to one file. Appends are queued so lines from concurrent tasks never interleave;
 * `durable` flushes each write to disk (for the journal and trajectories, whose loss would make a
 * resume redo finished work; call records are cheap to lose and not flushed one by one).
 *
 * Appends that arrive while a write is under way are gathered and written together by the next
 * write, with one fsync: with many tasks in flight each append used to wait behind a write and an
 * fsync per earlier append, all on the file-system thread pool the LLM calls share. A batch is
 * still whole lines in one write, so a crash leaves at worst one torn final line, as before.
 */
export class JsonlAppender {
  private queue: Promise<void> = Promise.resolve();
  private failure: unknown;
  /** The batch waiting for the write in progress; appends join it until it starts. */
  private gathering: { chunks: string[]; written: Promise<void> } | undefined;
  private writeCount = 0;

  private constructor(
    readonly path: string,
    private readonly durable: boolean,
  ) {}

  /** Opens for appending, first removing a torn tail left by a crash. */
  static async open(path: string, options: { durable?: boolean } = {}): Promise<{ appender: JsonlAppender; droppedBytes: number }> {
    const droppedBytes = await dropTornTail(path);
    return { appender: new JsonlAppender(path, options.durable ?? false), droppedBytes };
  }

  /** Resolves when the values are written (and synced when durable); rejects if that write failed. */
  append(...values: unknown[]): Promise<void> {
    if (values.length === 0) return this.queue;
    const data = values.map((v) => `${JSON.stringify(v)}\n`).join('');
    if (this.gathering) {
      this.gathering.chunks.push(data);
      return this.gathering.written;
    }
    const batch = { chunks: [data], written: Promise.resolve() };
    batch.written = this.queue.then(async () => {
      // From here on the batch is closed: later appends gather for the write after this one.
      if (this.gathering === batch) this.gathering = undefined;
      if (this.failure) throw this.failure;
      this.writeCount++;
      const handle = await open(this.path, 'a');
      try {
        await handle.writeFile(batch.chunks.join(''));
        if (this.durable) await handle.sync();
      } finally {
        await handle.close();
      }
    });
    this.gathering = batch;
    // One failed write poisons the appender: later lines would otherwise follow a gap silently.
    this.queue = batch.written.catch((error: unknown) => {
      this.failure ??= error;
    });
    return batch.written;
  }

  /** Writes made so far (each one open, write and, when durable, fsync); appends gathered into one count once. */
  get writes(): number {
    return this.writeCount;
  }

  /** Resolves when every queued append has been written (or rejects with the first failure). */
  async flush(): Promise<void> {
    await this.queue;
    if (this.failure) throw this.failure;
  }
}
