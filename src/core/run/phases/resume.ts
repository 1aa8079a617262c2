/**
 * Resume phase: which stored run, if any, this invocation continues — the one `--resume` names, or
 * (reuseMatching) the same run found in the store — locked before it is read, and checked to be
 * the same run. Its outcome is `CarriedOver`, the one place the rest of the run learns about it.
 */
import { existsSync } from 'node:fs';
import { emptyTotals } from '../../llm';
import { loadRun, summarizeRun, resolveRunId, runDir, RunNotFoundError, RunRefError, type StoredRun } from '../../store';
import { testPause } from '../../testPause';
import { findMatchingRun, isComplete } from '../matchingRun';
import { RunSetupError } from '../runErrors';
import { lockRun } from '../runFolderLock';
import type { RunResult } from '../runOptions';
import type { CarriedOver, RunInputs, RunPrompts } from './runState';

/** The run `--resume` names, locked and loaded; undefined for a new run. Comes before the prompts are read. */
export async function openResumed(inputs: RunInputs): Promise<StoredRun | undefined> {
  const { workspaceRoot, options } = inputs;
  // `latest` is resolved once, so the run that is locked is the run that is read.
  const resumeId = options.resumeRunId === undefined ? undefined : await resolveRunId(workspaceRoot, options.resumeRunId).catch(() => options.resumeRunId as string);
  if (resumeId === undefined) return undefined;
  // Locked before it is read: what a second resumer would read is about to change.
  const dir = resumableDir(workspaceRoot, resumeId);
  if (dir && existsSync(dir)) lockRun(dir, resumeId, 'resume', inputs.held);
  const previous = await previousRun(workspaceRoot, resumeId);
  await testPause('resume');
  return previous;
}

/**
 * What this invocation carries over: the resumed run, or with reuseMatching the same run found in
 * the store (a complete one is returned as the result, nothing runs), or nothing.
 */
export async function carryOver(inputs: RunInputs, prompts: RunPrompts, resumed: StoredRun | undefined): Promise<CarriedOver | { reused: RunResult }> {
  const { options, config, workspaceRoot } = inputs;
  let previous = resumed;
  if (!previous && options.reuseMatching) {
    const split = options.split ?? 'all';
    const match = await findMatchingRun(workspaceRoot, { ...prompts.identity, taskFile: config.tasks.file, split, ...(options.limit !== undefined ? { limit: options.limit } : {}) });
    if (match && isComplete(match)) return { reused: reusedRun(match, inputs.now()) };
    if (match) lockRun(match.dir, match.manifest.runId, 'resume', inputs.held);
    previous = match;
  }
  if (!previous) return { trajectories: [], calls: [], invocations: 0 };
  checkResumable(previous, prompts.identity, config.tasks.file);
  return { run: previous, trajectories: previous.trajectories, calls: previous.calls, invocations: previous.manifest.invocations };
}

/** The folder of a run to resume or replay; an id that names no run folder is left for the reader to refuse. */
export function resumableDir(workspaceRoot: string, runId: string): string | undefined {
  try {
    return runDir(workspaceRoot, runId);
  } catch (error) {
    if (error instanceof RunRefError) return undefined;
    throw error;
  }
}

async function previousRun(workspaceRoot: string, runId: string): Promise<StoredRun> {
  let run: StoredRun;
  try {
    run = await loadRun(workspaceRoot, runId);
  } catch (error) {
    if (error instanceof RunNotFoundError) throw new RunSetupError(`Cannot resume: ${error.message}`);
    throw error;
  }
  if (run.state === 'running') {
    throw new RunSetupError(`Run ${run.manifest.runId} is still running (process ${run.manifest.pid}); stop it before resuming.`);
  }
  return run;
}

function checkResumable(previous: StoredRun, identity: RunPrompts['identity'], taskFile: string): void {
  const m = previous.manifest;
  const id = m.runId;
  if (m.configHash !== identity.configHash) {
    throw new RunSetupError(`Cannot resume run ${id}: truce.yaml (or an environment override of the executor) changed since it started, beyond budget and concurrency. Start a new run instead.`);
  }
  if (m.prompts.hash !== identity.promptHash) {
    throw new RunSetupError(`Cannot resume run ${id}: the prompts changed since it started, so its results would mix two prompt sets. Start a new run instead.`);
  }
  if (m.selection.taskFileSha256 !== identity.taskFileSha256 || m.selection.taskFile !== taskFile) {
    throw new RunSetupError(`Cannot resume run ${id}: the tasks file ${taskFile} changed since it started. Start a new run instead.`);
  }
}

/** A completed run taken as it is: its results, with an invocation that ran and spent nothing. */
export function reusedRun(run: StoredRun, at: Date): RunResult {
  const summary = summarizeRun(run.manifest, run.trajectories, run.calls, {
    number: run.manifest.invocations,
    startedAt: at.toISOString(),
    finishedAt: at.toISOString(),
    elapsedMs: 0,
    skipped: run.trajectories.length,
    ran: 0,
    usage: emptyTotals(),
  });
  return { runId: run.manifest.runId, dir: run.dir, status: run.manifest.status, summary, reused: true };
}
