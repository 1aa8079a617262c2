/**
 * Runs the scenario's rounds MAS through the real run engine (runMas) against the world, and reads
 * the per-task scores back from the run store. Tests use it to check the rollout semantics; the
 * bench uses it to score the starting and the final prompt sets on val and test.
 */
import { loadRun } from '../../../src/core/store';
import { runMas } from '../../../src/core/run';
import type { SplitName } from '../../../src/core/tasks';
import type { SimWorkspace } from './workspace';

export interface SimRunScores {
  runId: string;
  mean: number;
  /** Score per task id. */
  byTask: Map<string, number>;
  failedTasks: number;
}

export async function runWorld(ws: SimWorkspace, options: { split?: SplitName; cacheMode?: 'read-write' | 'off' } = {}): Promise<SimRunScores> {
  const result = await runMas({
    config: ws.config(),
    configFile: 'truce.yaml',
    workspaceRoot: ws.dir,
    trusted: true,
    env: {},
    toolVersion: 'sim',
    ...(options.split ? { split: options.split } : {}),
    ...(options.cacheMode ? { cacheMode: options.cacheMode } : {}),
  });
  const run = await loadRun(ws.dir, result.runId);
  const byTask = new Map(run.trajectories.map((t) => [t.taskId, t.outcome?.score ?? 0]));
  const scores = [...byTask.values()];
  return {
    runId: result.runId,
    mean: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : 0,
    byTask,
    failedTasks: result.summary.tasks.failed,
  };
}

export function meanOver(byTask: ReadonlyMap<string, number>, ids: Iterable<string>): number {
  const scores = [...ids].map((id) => byTask.get(id)).filter((s): s is number => s !== undefined);
  return scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : Number.NaN;
}
