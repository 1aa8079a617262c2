/**
 * One entry point from a file on disk to trajectories, shared by the CLI and the extension:
 * sniffs the format when asked to, then hands the content to the matching importer. Content
 * problems come back as issues; only I/O failures (missing or unreadable file) throw.
 */
import { open, readFile } from 'node:fs/promises';
import { detectFormat, DETECT_BYTES } from './detectFormat';
import type { ImportIssue, ImportResult, TrajectoryFormat } from './importResult';
import { iterateTrajectoriesJsonl } from './jsonl';
import { importMarbleText } from './importMarble';
import { importNativeFile, looksLikeDocument } from './importNative';
import { importOtlpFile } from './importOtlp';
import { importWhoWhenText } from './importWhoWhen';
import type { MarbleConfig } from './marbleConfig';
import type { Trajectory } from './schema';

export interface ImportFileOptions {
  format: TrajectoryFormat | 'auto';
  /** MARBLE task config, for agent profiles and agents that never acted. */
  marbleConfig?: MarbleConfig;
  signal?: AbortSignal;
}

export interface FileImportResult extends ImportResult {
  /** The format used; undefined when `auto` could not tell. */
  format?: TrajectoryFormat;
}

export async function readHead(path: string, bytes = DETECT_BYTES): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export async function importFile(path: string, options: ImportFileOptions): Promise<FileImportResult> {
  let format: TrajectoryFormat | undefined = options.format === 'auto' ? undefined : options.format;
  if (!format) {
    const head = await readHead(path);
    format = detectFormat(path, head);
    if (!format) {
      const message = head.length === 0 ? 'the file is empty' : 'could not tell the format (native, otlp, marble, whowhen); pass --format';
      return { trajectories: [], errors: [{ message }] };
    }
  }
  if (format === 'native') return { format, ...(await importNativeFile(path, { ...(options.signal ? { signal: options.signal } : {}) })) };
  if (format === 'otlp') return { format, ...(await importOtlpFile(path, { source: path, ...(options.signal ? { signal: options.signal } : {}) })) };
  const text = await readFile(path, { encoding: 'utf8', ...(options.signal ? { signal: options.signal } : {}) });
  switch (format) {
    case 'marble':
      return { format, ...importMarbleText(text, { source: path, ...(options.marbleConfig ? { config: options.marbleConfig } : {}) }) };
    case 'whowhen':
      return { format, ...importWhoWhenText(text, { source: path }) };
  }
}

export interface FileImportStream {
  format?: TrajectoryFormat;
  trajectories: AsyncIterable<Trajectory>;
  /** Complete once `trajectories` has been iterated to the end. */
  errors: ImportIssue[];
}

/**
 * Like importFile, but native JSONL is streamed line by line instead of being held in memory, so a
 * multi-gigabyte file can be converted with constant memory. Other formats are parsed whole (a
 * trace or a log has to be seen entirely before it can be assembled) and then handed out one by one.
 */
export async function openFileImport(path: string, options: ImportFileOptions): Promise<FileImportStream> {
  let format: TrajectoryFormat | undefined = options.format === 'auto' ? undefined : options.format;
  const head = await readHead(path);
  format ??= detectFormat(path, head);
  if (format === 'native' && !looksLikeDocument(head.toString('utf8'))) {
    const errors: ImportIssue[] = [];
    const signal = options.signal;
    async function* stream(): AsyncGenerator<Trajectory> {
      let count = 0;
      for await (const item of iterateTrajectoriesJsonl(path, signal ? { signal } : {})) {
        if ('trajectory' in item) {
          count += 1;
          yield item.trajectory;
        } else errors.push(...item.errors);
      }
      if (count === 0 && errors.length === 0) errors.push({ message: 'the file holds no trajectories' });
    }
    return { format, trajectories: stream(), errors };
  }
  const result = await importFile(path, { ...options, ...(format ? { format } : {}) });
  async function* replay(): AsyncGenerator<Trajectory> {
    yield* result.trajectories;
  }
  return { ...(result.format ? { format: result.format } : {}), trajectories: replay(), errors: result.errors };
}
