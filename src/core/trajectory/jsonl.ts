/**
 * Native trajectory JSONL: one trajectory per line. Reading streams the file in large chunks and
 * validates each line on its own, so a bad line costs one error (with its line number) and never
 * the rest of the file. Writing goes to a temporary file that is renamed over the target, so a
 * reader never sees half a file.
 */
import { constants as bufferConstants } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { ImportIssue, ImportResult } from './importResult';
import { jsonParseIssue } from './jsonErrors';
import { TRAJECTORY_FORMAT_VERSION, type Trajectory, type TrajectoryInput } from './schema';
import { validateTrajectory } from './validate';

/** Receives each non-blank line without its line terminator; `line` is 1-based. */
export type LineHandler = (text: string, line: number) => void;

export interface ReadOptions {
  signal?: AbortSignal;
  /** Bytes per read; large chunks keep the per-chunk overhead negligible. */
  chunkSize?: number;
  /** The longest line read; by default the longest string the engine can make. */
  maxLineChars?: number;
}

const DEFAULT_CHUNK_SIZE = 1 << 20;

/**
 * A line longer than one string can be (about 512 MB of text in V8). Thrown as soon as the line
 * grows past the limit, instead of after the whole line was buffered and joining it failed with the
 * engine's "Invalid string length", which names neither the line nor the reason.
 */
export class LineTooLongError extends Error {
  constructor(
    readonly line: number,
    readonly limit: number,
  ) {
    super(tooLongMessage(line, limit));
    this.name = 'LineTooLongError';
  }
}

function tooLongMessage(line: number, limit: number): string {
  return `line ${line} is longer than ${limit.toLocaleString('en-US')} characters, the longest text one string can hold`;
}

/**
 * Splits a stream of decoded text pieces into lines. Pieces without a newline are only collected,
 * never concatenated and searched again, so one huge line costs linear time, not quadratic.
 *
 * A line longer than `maxLineChars` throws LineTooLongError, unless `onTooLong` is given: then that
 * line is reported to it, its text is dropped as it arrives, and reading goes on with the next line.
 */
class LineSplitter {
  private pending: string[] = [];
  private pendingLength = 0;
  private line = 0;
  /** Whether the current line has been reported too long and is being passed over. */
  private skipping = false;

  constructor(
    private readonly onLine: LineHandler,
    private readonly maxLineChars = bufferConstants.MAX_STRING_LENGTH,
    private readonly onTooLong?: (line: number) => void,
  ) {}

  push(piece: string): void {
    let start = 0;
    let newline = piece.indexOf('\n');
    while (newline !== -1) {
      if (!this.skipping) {
        const collected = this.pending.length > 0;
        if (collected) this.collect(piece.slice(start, newline));
        else if (newline - start > this.maxLineChars) this.tooLong();
        if (!this.skipping) this.emit(collected ? this.takePending() : piece.slice(start, newline));
      }
      // A line passed over ends here; it still counts, so the lines after it keep their numbers.
      if (this.skipping) {
        this.skipping = false;
        this.line += 1;
      }
      start = newline + 1;
      newline = piece.indexOf('\n', start);
    }
    if (start < piece.length) this.collect(start === 0 ? piece : piece.slice(start));
  }

  private takePending(): string {
    const text = this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    return text;
  }

  /** Keeps a piece of the line being read, as long as the line can still be one string. */
  private collect(piece: string): void {
    if (this.skipping) return;
    this.pendingLength += piece.length;
    if (this.pendingLength > this.maxLineChars) this.tooLong();
    else this.pending.push(piece);
  }

  /** The current line passed the limit: fail, or report it and pass over the rest of it. */
  private tooLong(): void {
    if (!this.onTooLong) throw new LineTooLongError(this.line + 1, this.maxLineChars);
    this.onTooLong(this.line + 1);
    this.pending = [];
    this.pendingLength = 0;
    this.skipping = true;
  }

  end(): void {
    if (this.skipping) {
      this.skipping = false;
      this.line += 1;
    } else if (this.pending.length > 0) this.emit(this.takePending());
  }

  private emit(raw: string): void {
    this.line += 1;
    let text = raw;
    if (text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
    if (this.line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (isBlank(text)) return;
    this.onLine(text, this.line);
  }
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) return false;
  }
  return true;
}

/** A line as lineBatches hands it out. */
export interface LineEntry {
  text: string;
  line: number;
  /** Set on a line passed over for its length (see LineBatchOptions); its text is then empty. */
  tooLong?: true;
}

export interface LineBatchOptions extends ReadOptions {
  /**
   * Hand a line longer than `maxLineChars` out as an entry marked `tooLong` and read on, instead of
   * throwing LineTooLongError: for records that stand alone, where one bad line should cost that
   * line only.
   */
  skipLinesTooLong?: boolean;
}

/**
 * Streams a file's lines in batches (one batch per chunk read), so consumers pay the async
 * iteration cost per chunk rather than per line. UTF-8; CRLF and a leading BOM are tolerated;
 * blank lines are skipped.
 */
export async function* lineBatches(path: string, options: LineBatchOptions = {}): AsyncGenerator<LineEntry[]> {
  let batch: LineEntry[] = [];
  const onTooLong = options.skipLinesTooLong ? (line: number) => batch.push({ text: '', line, tooLong: true }) : undefined;
  const splitter = new LineSplitter((text, line) => batch.push({ text, line }), options.maxLineChars, onTooLong);
  const decoder = new StringDecoder('utf8');
  const stream = createReadStream(path, { highWaterMark: options.chunkSize ?? DEFAULT_CHUNK_SIZE, signal: options.signal });
  for await (const chunk of stream) {
    splitter.push(decoder.write(chunk as Buffer));
    if (batch.length > 0) {
      yield batch;
      batch = [];
    }
  }
  splitter.push(decoder.end());
  splitter.end();
  if (batch.length > 0) yield batch;
}

/** The same line rules over text already in memory (an editor buffer, a test string). */
export function forEachLineOfText(text: string, onLine: LineHandler): void {
  const splitter = new LineSplitter(onLine);
  splitter.push(text);
  splitter.end();
}

/** Parses one line as JSON; a failure is an issue that names the line. */
export function parseJsonLine(text: string, line: number): { value: unknown } | { issue: ImportIssue } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { issue: jsonParseIssue(text, error, line) };
  }
}

function trajectoryFromLine(text: string, line: number, onTrajectory: (t: Trajectory, line: number) => void, errors: ImportIssue[]): void {
  const parsed = parseJsonLine(text, line);
  if ('issue' in parsed) {
    errors.push(parsed.issue);
    return;
  }
  const result = validateTrajectory(parsed.value, line);
  if (result.ok) onTrajectory(result.trajectory, line);
  else for (const p of result.problems) errors.push({ message: p.message, line, ...(p.path ? { path: p.path } : {}) });
}

/** One line's outcome: a trajectory, or the problems that kept the line out. */
export type JsonlItem = { trajectory: Trajectory; line: number } | { errors: ImportIssue[]; line: number };

/**
 * Streams trajectories from a native JSONL file without keeping them: the caller decides what to
 * hold (the CLI writes each one straight out).
 */
export async function* iterateTrajectoriesJsonl(path: string, options: ReadOptions = {}): AsyncGenerator<JsonlItem> {
  for await (const batch of recordLines(path, options)) {
    for (const entry of batch) {
      const errors: ImportIssue[] = [];
      let trajectory: Trajectory | undefined;
      trajectoryFromEntry(entry, options, (t) => (trajectory = t), errors);
      yield trajectory ? { trajectory, line: entry.line } : { errors, line: entry.line };
    }
  }
}

/** The lines of a file of records: each line stands alone, so one too long to read costs only itself. */
function recordLines(path: string, options: ReadOptions): AsyncGenerator<LineEntry[]> {
  return lineBatches(path, { ...options, skipLinesTooLong: true });
}

function trajectoryFromEntry(entry: LineEntry, options: ReadOptions, onTrajectory: (t: Trajectory, line: number) => void, errors: ImportIssue[]): void {
  if (entry.tooLong) {
    const limit = options.maxLineChars ?? bufferConstants.MAX_STRING_LENGTH;
    errors.push({ message: `${tooLongMessage(entry.line, limit)}; it was skipped (a trajectory this large cannot be read)`, line: entry.line });
  } else trajectoryFromLine(entry.text, entry.line, onTrajectory, errors);
}

/** Callback form of the streaming reader; the fastest path, used for large files and benchmarks. */
export async function streamTrajectoriesJsonl(
  path: string,
  onTrajectory: (trajectory: Trajectory, line: number) => void,
  options: ReadOptions = {},
): Promise<{ count: number; errors: ImportIssue[] }> {
  const errors: ImportIssue[] = [];
  let count = 0;
  const counted = (t: Trajectory, line: number): void => {
    count += 1;
    onTrajectory(t, line);
  };
  for await (const batch of recordLines(path, options)) for (const entry of batch) trajectoryFromEntry(entry, options, counted, errors);
  return { count, errors };
}

export async function readTrajectoriesJsonl(path: string, options: ReadOptions = {}): Promise<ImportResult> {
  const trajectories: Trajectory[] = [];
  const { errors } = await streamTrajectoriesJsonl(path, (t) => trajectories.push(t), options);
  return { trajectories, errors };
}

export function parseTrajectoriesJsonl(text: string): ImportResult {
  const result: ImportResult = { trajectories: [], errors: [] };
  forEachLineOfText(text, (line, n) => trajectoryFromLine(line, n, (t) => result.trajectories.push(t), result.errors));
  return result;
}

/** One JSONL line for a trajectory, stamped with the format version. */
export function serializeTrajectory(trajectory: TrajectoryInput): string {
  return JSON.stringify({ version: TRAJECTORY_FORMAT_VERSION, ...trajectory });
}

const WRITE_BATCH_CHARS = 1 << 20;

/**
 * Writes trajectories as JSONL atomically: into a temporary file next to the target, flushed to
 * disk, then renamed over it. On any failure the temporary file is removed and the target is left
 * as it was.
 */
export async function writeTrajectoriesJsonl(
  path: string,
  trajectories: Iterable<TrajectoryInput> | AsyncIterable<TrajectoryInput>,
  options: { signal?: AbortSignal; /** Leave the target untouched when there is nothing to write. */ skipEmpty?: boolean } = {},
): Promise<{ count: number; bytes: number; written: boolean }> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx');
  let count = 0;
  let bytes = 0;
  try {
    let batch: string[] = [];
    let batchChars = 0;
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const buffer = Buffer.from(batch.join(''), 'utf8');
      batch = [];
      batchChars = 0;
      await handle.write(buffer);
      bytes += buffer.length;
    };
    for await (const trajectory of trajectories) {
      options.signal?.throwIfAborted();
      const line = serializeTrajectory(trajectory) + '\n';
      batch.push(line);
      batchChars += line.length;
      count += 1;
      if (batchChars >= WRITE_BATCH_CHARS) await flush();
    }
    await flush();
    await handle.sync();
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  if (count === 0 && options.skipEmpty) {
    await unlink(temp).catch(() => undefined);
    return { count, bytes, written: false };
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  return { count, bytes, written: true };
}
