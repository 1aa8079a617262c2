/**
 * Reading runs back: `listRuns` for pickers and `truce report latest`, `loadRun` for reports and
 * resume. Reading never fails on a run that crashed: torn final lines are dropped and reported,
 * invalid lines become problems, and a run whose process is gone while its manifest still says
 * 'running' is shown as interrupted.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Trajectory } from '../trajectory/schema';
import { validateTrajectory } from '../trajectory/validate';
import { isStoredCallRecord, type StoredCallRecord } from './callRecord';
import { JournalEventSchema, type JournalEvent } from './journal';
import { readJsonlFile } from './jsonlFile';
import { ManifestSchema, type Manifest, type RunStatus } from './manifest';
import { OPTIMIZE_MANIFEST_FILE, RUN_FILES, runsDir, TRUCE_DIR } from './paths';
import { readRegularFile } from './readRegularFile';
import { runDir, RunRefError } from './runDir';
import { isRunId } from './runId';
import type { RunSummary } from './summarizeRun';

/** The stored status, or 'interrupted' for a 'running' run whose process no longer exists. */
export type RunState = RunStatus | 'interrupted';

export interface StoredRun {
  dir: string;
  manifest: Manifest;
  state: RunState;
  /** One per finished task, in the order they finished. */
  trajectories: Trajectory[];
  calls: StoredCallRecord[];
  journal: JournalEvent[];
  summary?: RunSummary;
  /** What reading found wrong: torn final lines, invalid lines, duplicates. Never fatal. */
  problems: string[];
}

export interface RunListing {
  runId: string;
  dir: string;
  createdAt: string;
  state: RunState;
  tasks: number;
  /**
   * Started by an optimize run (a rollout, validation or test run): its task file lives in that
   * optimize run's folder. Known from the first moment, unlike the optimize record's list of its
   * runs, which names a run only once it has returned.
   */
  partOfOptimize: boolean;
}

export class RunNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunNotFoundError';
  }
}

export async function readManifest(dir: string): Promise<Manifest> {
  const file = join(dir, RUN_FILES.manifest);
  let text: string;
  try {
    text = await readRegularFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new RunNotFoundError(`${file} does not exist.`);
    throw error;
  }
  const parsed = ManifestSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`${file} is not a TRUCE run manifest (${issues}).`);
  }
  return parsed.data;
}

/** Whether a process with this id exists on this machine (signal 0 only checks). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function runState(manifest: Manifest): RunState {
  if (manifest.status !== 'running') return manifest.status;
  if (manifest.pid === undefined || manifest.pid === process.pid) return 'running';
  return processAlive(manifest.pid) ? 'running' : 'interrupted';
}

export async function listRuns(workspaceRoot: string): Promise<RunListing[]> {
  let names: string[];
  try {
    names = await readdir(runsDir(workspaceRoot));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const out: RunListing[] = [];
  for (const name of names.filter(isRunId).sort()) {
    const dir = join(runsDir(workspaceRoot), name);
    try {
      const manifest = await readManifest(dir);
      const partOfOptimize = manifest.selection.taskFile.replace(/\\/g, '/').startsWith(`${TRUCE_DIR}/runs/`);
      out.push({ runId: manifest.runId, dir, createdAt: manifest.createdAt, state: runState(manifest), tasks: manifest.selection.tasks.length, partOfOptimize });
    } catch {
      // A folder without a readable manifest is not a run (or one whose creation crashed).
    }
  }
  return out;
}

/**
 * `latest` picks the newest run: by the creation time in its manifest (milliseconds), then by id.
 * Ids alone sort by the second only — two runs started in the same second are told apart by a
 * random suffix, which says nothing about which came first.
 */
export async function resolveRunId(workspaceRoot: string, idOrLatest: string): Promise<string> {
  if (idOrLatest !== 'latest') return idOrLatest;
  const all = await listRuns(workspaceRoot);
  // The runs an optimize run starts are parts of it: during and after `truce optimize`, `latest` is
  // still the newest run the user started (unless there is no other). Optimize runs themselves have
  // no run manifest and are named by their ids.
  const own = all.filter((r) => !r.partOfOptimize);
  const runs = own.length > 0 ? own : all;
  const last = [...runs].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0)).at(-1);
  if (!last) {
    const named = (await readdir(runsDir(workspaceRoot)).catch(() => [] as string[])).filter(isRunId);
    // Optimize runs keep optimize.json instead of a run manifest; they are not broken runs.
    const folders = named.filter((name) => !existsSync(join(runsDir(workspaceRoot), name, OPTIMIZE_MANIFEST_FILE)));
    throw new RunNotFoundError(
      folders.length === 0
        ? `No runs in ${runsDir(workspaceRoot)} yet; start one with \`truce run\`.`
        : `None of the ${folders.length} run folders in ${runsDir(workspaceRoot)} has a readable ${RUN_FILES.manifest} (a run stopped while starting, or the file was edited), so none is the latest; name one by its id, or start a run with \`truce run\`.`,
    );
  }
  return last.runId;
}

export async function loadRun(workspaceRoot: string, idOrLatest: string): Promise<StoredRun> {
  const runId = await resolveRunId(workspaceRoot, idOrLatest);
  let dir: string;
  try {
    dir = runDir(workspaceRoot, runId);
  } catch (error) {
    if (error instanceof RunRefError) throw new RunNotFoundError(`${error.message} (\`latest\` names the newest run.)`);
    throw error;
  }
  const manifest = await readManifest(dir);
  const problems: string[] = [];
  const note = (file: string, contents: Awaited<ReturnType<typeof readJsonlFile>>) => {
    if (contents.torn) problems.push(`${file}:${contents.torn.line}: incomplete last line (${contents.torn.bytes} bytes) dropped; the run was interrupted while writing it`);
    for (const e of contents.errors) problems.push(`${file}:${e.line}: ${e.message}`);
  };

  const rawTrajectories = await readJsonlFile(join(dir, RUN_FILES.trajectories));
  note(RUN_FILES.trajectories, rawTrajectories);
  const trajectories: Trajectory[] = [];
  const seen = new Set<string>();
  for (const { value, line } of rawTrajectories.lines) {
    const result = validateTrajectory(value, line);
    if (!result.ok) {
      problems.push(`${RUN_FILES.trajectories}:${line}: invalid trajectory: ${result.problems.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ')}`);
      continue;
    }
    if (seen.has(result.trajectory.taskId)) {
      problems.push(`${RUN_FILES.trajectories}:${line}: second result for task "${result.trajectory.taskId}" ignored`);
      continue;
    }
    seen.add(result.trajectory.taskId);
    trajectories.push(result.trajectory);
  }

  const rawCalls = await readJsonlFile(join(dir, RUN_FILES.calls));
  note(RUN_FILES.calls, rawCalls);
  const calls: StoredCallRecord[] = [];
  for (const { value, line } of rawCalls.lines) {
    if (isStoredCallRecord(value)) calls.push(value);
    else problems.push(`${RUN_FILES.calls}:${line}: not an LLM call record`);
  }

  const rawJournal = await readJsonlFile(join(dir, RUN_FILES.journal));
  note(RUN_FILES.journal, rawJournal);
  const journal: JournalEvent[] = [];
  for (const { value, line } of rawJournal.lines) {
    const parsed = JournalEventSchema.safeParse(value);
    if (parsed.success) journal.push(parsed.data);
    else problems.push(`${RUN_FILES.journal}:${line}: not a journal event`);
  }

  let summary: RunSummary | undefined;
  try {
    summary = JSON.parse(await readRegularFile(join(dir, RUN_FILES.summary), 'utf8')) as RunSummary;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(`${RUN_FILES.summary}: unreadable (${(error as Error).message})`);
  }
  const run: StoredRun = { dir, manifest, state: runState(manifest), trajectories, calls, journal, problems };
  if (summary) run.summary = summary;
  return run;
}
