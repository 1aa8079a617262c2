/**
 * Imported trajectories as the panel shows them. `truce import` and the Import Trajectories
 * command write native JSONL into `.truce/imports/<name>.trajectories.jsonl`; each such file is
 * one entry of the run picker (id `import:<file name>`), its trajectories the entry's tasks. The
 * file is read with the trajectory module's streaming reader, so a bad line is a listed problem
 * and the rest of the file still shows. No `vscode` import, so Node tests can call it.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TRUCE_DIR } from '../../core/store';
import type { ImportIssue } from '../../core/trajectory/importResult';
import { readTrajectoriesJsonl, streamTrajectoriesJsonl } from '../../core/trajectory/jsonl';
import type { Trajectory } from '../../core/trajectory/schema';
import { NO_EXTRAS } from '../../shared/panel/runExtrasSchema';
import { PanelLookupError, type PanelRun } from '../../shared/panel/panelRun';
import type { RunItem } from '../../shared/panelProtocol';

export const IMPORTS_DIR = 'imports';
export const IMPORT_SUFFIX = '.trajectories.jsonl';
export const IMPORT_ID_PREFIX = 'import:';

export function importsDir(workspaceRoot: string): string {
  return join(workspaceRoot, TRUCE_DIR, IMPORTS_DIR);
}

export function isImportFileName(name: string): boolean {
  // Hidden names are the writer's temporary files; a bare suffix names no import.
  return name.endsWith(IMPORT_SUFFIX) && name.length > IMPORT_SUFFIX.length && !name.startsWith('.') && !/[\\/]/.test(name);
}

export function importRunId(fileName: string): string {
  return `${IMPORT_ID_PREFIX}${fileName}`;
}

/** The file an import id names, or undefined when the id is not an import's (or names no plausible file). */
export function importFileOf(runId: string): string | undefined {
  if (!runId.startsWith(IMPORT_ID_PREFIX)) return undefined;
  const name = runId.slice(IMPORT_ID_PREFIX.length);
  return isImportFileName(name) ? name : undefined;
}

export async function listImportFiles(workspaceRoot: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(importsDir(workspaceRoot));
  } catch {
    return [];
  }
  return names.filter(isImportFileName).sort();
}

function problemOf(file: string, issue: ImportIssue): string {
  return `${file}${issue.line !== undefined ? `:${issue.line}` : ''}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

/**
 * Counts the valid trajectories of each import file for the picker's labels, once per version of
 * the file (its size and modification time), so refreshing the list does not re-read every file.
 */
export class ImportCounts {
  private readonly known = new Map<string, { version: string; count: number }>();

  constructor(private readonly workspaceRoot: string) {}

  async item(fileName: string): Promise<RunItem | undefined> {
    const path = join(importsDir(this.workspaceRoot), fileName);
    let info;
    try {
      info = await stat(path);
    } catch {
      return undefined;
    }
    if (!info.isFile()) return undefined;
    const version = `${info.size}:${info.mtimeMs}`;
    let held = this.known.get(fileName);
    if (held?.version !== version) {
      const { count } = await streamTrajectoriesJsonl(path, () => undefined).catch(() => ({ count: 0 }));
      this.known.set(fileName, (held = { version, count }));
    }
    return {
      runId: importRunId(fileName),
      kind: 'import',
      createdAt: info.mtime.toISOString(),
      state: 'imported',
      tasks: held.count,
      method: null,
      val: null,
      test: null,
      parent: null,
    };
  }
}

/**
 * Loads an import file into the panel's run shape. Each trajectory is a task; a task id that
 * repeats (two traces of one question) gets a `#2`, `#3`… suffix so every trajectory stays
 * reachable, and the renaming is listed as a problem.
 */
export async function loadImportPanelRun(workspaceRoot: string, runId: string): Promise<PanelRun> {
  const file = importFileOf(runId);
  if (!file) throw new PanelLookupError(`"${runId}" does not name an import file (.truce/imports/<name>${IMPORT_SUFFIX}).`);
  const path = join(importsDir(workspaceRoot), file);
  let result;
  try {
    result = await readTrajectoriesJsonl(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new PanelLookupError(`The import ${file} is no longer in .truce/imports/.`);
    throw new Error(`Cannot read .truce/imports/${file}: ${(error as Error).message}`);
  }
  const problems = result.errors.map((issue) => problemOf(file, issue));
  const seen = new Map<string, number>();
  const trajectories: Trajectory[] = result.trajectories.map((t) => {
    const n = (seen.get(t.taskId) ?? 0) + 1;
    seen.set(t.taskId, n);
    if (n === 1) return t;
    const renamed = `${t.taskId} #${n}`;
    problems.push(`${file}: task "${t.taskId}" appears more than once; trajectory ${n} of it is listed as "${renamed}"`);
    return { ...t, taskId: renamed };
  });
  return { manifest: { runId, selection: { tasks: [] } }, trajectories, problems, extras: NO_EXTRAS };
}
