/**
 * Runs the configured MAS over a task set and records everything in the run store (DESIGN.md §2,
 * §5, §6). Setup checks everything that would make every task fail the same way — config, tasks,
 * prompts, keys, the budget against the projected spend, a reachable executor — and refuses with
 * one clear error before a run folder exists. Then tasks run with a concurrency limit; each
 * finished task is scored and appended to the store at once, so a crash loses at most the tasks in
 * flight, and a resume (same run id) skips what is stored and replays the rest from the response
 * cache without paying for any call twice.
 *
 * This file only calls the phases in order (docs/run-engine-phases.md); each lives in phases/ and
 * passes the run state (phases/runState.ts) on to the next.
 */
import type { FileLock } from '../store';
import { readInputs, readPrompts } from './phases/inputs';
import { carryOver, openResumed } from './phases/resume';
import { planTasks } from './phases/taskPlan';
import { startServices } from './phases/services';
import { checkSpend } from './phases/spendCheck';
import { openStore } from './phases/openStore';
import { runTasks } from './phases/runTasks';
import { finishRun } from './phases/finishRun';
import type { RunMasOptions, RunResult } from './runOptions';

export type { RunMasOptions, RunResult } from './runOptions';
export { executorSecrets } from './runGatewaySetup';

export async function runMas(options: RunMasOptions): Promise<RunResult> {
  // The run folder's lock (runLock.ts), held from before the run is read until its last write.
  const held: FileLock[] = [];
  try {
    return await runMasLocked(options, held);
  } finally {
    for (const lock of held) lock.release();
  }
}

async function runMasLocked(options: RunMasOptions, held: FileLock[]): Promise<RunResult> {
  const inputs = await readInputs(options, held);
  const resumed = await openResumed(inputs);
  const prompts = await readPrompts(inputs);
  const before = await carryOver(inputs, prompts, resumed);
  if ('reused' in before) return before.reused;
  const plan = planTasks(inputs, before);
  const services = await startServices(inputs, prompts, before);
  const state = { ...inputs, ...prompts, before, plan, services };
  const projection = await checkSpend(state);
  const run = await openStore(state, projection);
  await runTasks(run);
  return finishRun(run);
}
