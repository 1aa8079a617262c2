/**
 * Imports trajectory files into a folder of native JSONL, one output per input, streaming each
 * file at constant memory. The CLI's `truce import` and the editor's Import Trajectories command
 * both run this, so they name outputs and count results the same way.
 */
import { basename, relative, resolve } from 'node:path';
import { openFileImport, type FileImportStream } from './importFile';
import { isErrorIssue, type ImportIssue } from './importResult';
import type { MarbleConfig } from './marbleConfig';
import type { Trajectory } from './schema';
import type { TrajectoryFormat } from './importResult';
import { writeTrajectoriesJsonl } from './jsonl';

export interface ImportToFolderOptions {
  /** Relative input and output paths resolve against this. */
  cwd: string;
  format: TrajectoryFormat | 'auto';
  outDir: string;
  marbleConfig?: MarbleConfig;
  signal?: AbortSignal;
  /** Called before each file, for progress. */
  onFile?: (index: number, file: string) => void;
  /** Called with each file's result as soon as it is done. */
  onReport?: (report: FileReport) => void;
}

export interface FileReport {
  file: string;
  format?: TrajectoryFormat;
  output?: string;
  trajectories: number;
  steps: number;
  agents: number;
  errorCount: number;
  warningCount: number;
  issues: ImportIssue[];
  /** Set when the file could not be read or the output could not be written. */
  failure?: string;
}

/** `runs/22.json` → `22`; a native output imported again keeps its name. */
function stem(file: string): string {
  const name = basename(file);
  const withoutNative = name.replace(/\.trajectories\.jsonl$/i, '');
  if (withoutNative !== name) return withoutNative;
  return name.replace(/\.(jsonl|ndjson|json)$/i, '') || name;
}

/**
 * Output names per input. Inputs from different folders can share a file name (Who&When's
 * `hand-crafted/22.json` and `algorithm-generated/22.json`); those get their folder as a prefix,
 * and a counter if that still collides.
 */
export function outputNames(files: string[]): string[] {
  const stems = files.map(stem);
  const clashing = new Set(stems.filter((s, i) => stems.indexOf(s) !== i));
  const used = new Set<string>();
  return files.map((file, i) => {
    let name = stems[i] as string;
    if (clashing.has(name)) {
      const folder = basename(resolve(file, '..'));
      if (folder) name = `${folder}-${name}`;
    }
    let candidate = name;
    for (let n = 2; used.has(candidate); n++) candidate = `${name}-${n}`;
    used.add(candidate);
    return `${candidate}.trajectories.jsonl`;
  });
}

/** Imports every file in turn; stops early (returning what is done) when the signal aborts. */
export async function importFilesToFolder(files: string[], options: ImportToFolderOptions): Promise<FileReport[]> {
  const names = outputNames(files);
  const reports: FileReport[] = [];
  for (const [i, file] of files.entries()) {
    if (options.signal?.aborted) break;
    options.onFile?.(i, file);
    const report = await importOne(file, names[i] as string, options);
    reports.push(report);
    options.onReport?.(report);
  }
  return reports;
}

async function importOne(file: string, output: string, options: ImportToFolderOptions): Promise<FileReport> {
  const report: FileReport = { file, trajectories: 0, steps: 0, agents: 0, errorCount: 0, warningCount: 0, issues: [] };
  const absolute = resolve(options.cwd, file);
  let stream: FileImportStream;
  try {
    stream = await openFileImport(absolute, {
      format: options.format,
      ...(options.marbleConfig ? { marbleConfig: options.marbleConfig } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    report.failure = `cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`;
    return report;
  }
  if (stream.format) report.format = stream.format;
  const agents = new Set<string>();
  async function* counted(): AsyncGenerator<Trajectory> {
    for await (const t of stream.trajectories) {
      report.trajectories += 1;
      report.steps += t.steps.length;
      for (const a of t.agents) agents.add(a.id);
      yield t;
    }
  }
  const outPath = resolve(options.cwd, options.outDir, output);
  try {
    const written = await writeTrajectoriesJsonl(outPath, counted(), { skipEmpty: true, ...(options.signal ? { signal: options.signal } : {}) });
    if (written.written) report.output = relative(options.cwd, outPath) || outPath;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    report.failure = code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES' ? `cannot read ${file}: ${(error as Error).message}` : `import of ${file} failed: ${(error as Error).message}`;
  }
  report.agents = agents.size;
  report.errorCount = stream.errors.filter(isErrorIssue).length;
  report.warningCount = stream.errors.length - report.errorCount;
  report.issues = stream.errors;
  return report;
}

/** A file failed when it could not be read or written, or gave nothing but errors. */
export function isFailedImport(report: FileReport): boolean {
  return report.failure !== undefined || (report.trajectories === 0 && report.errorCount > 0);
}
