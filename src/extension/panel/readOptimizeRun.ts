/**
 * An optimize run as the panel shows it. The run folder holds no trajectories of its own: its
 * tasks are those of the rollout, validation and test runs optimize.json names, each shown with
 * the trajectory that best stands for the final result (the best prompts' validation or test run,
 * the last rollout that sampled a train task). A val or test task's shift compares its outcome
 * under the initial prompts (prompts.json initialHash) with its outcome under the best ones
 * (bestHash). No `vscode` import, so Node tests can call it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OPTIMIZE_FILES, readOptimizeManifest, readPrompts, type OptimizeManifest } from '../../core/optimize/optimizeStore';
import { loadRun, readManifest, RUN_FILES, runDir, type Manifest, type StoredRun } from '../../core/store';
import type { Trajectory } from '../../core/trajectory/schema';
import type { PanelRun } from '../../shared/panel/panelRun';
import type { OptimizeRecord } from '../../shared/panel/runExtrasSchema';
import type { RunItem } from '../../shared/panelProtocol';
import { readRunExtras } from './readRunExtras';

type Split = 'train' | 'val' | 'test';

/** Rollouts run train tasks; every sub-run's own manifest says 'train' (it ran a task file), so the purpose decides. */
export function splitOfPurpose(purpose: string): Split | undefined {
  if (purpose === 'rollout') return 'train';
  if (purpose === 'validation') return 'val';
  if (purpose === 'test') return 'test';
  return undefined;
}

/** The optimize manifest of a run folder, or undefined when it is not an optimize run (or unreadable). */
export async function optimizeManifestOf(dir: string): Promise<OptimizeManifest | undefined> {
  try {
    return await readOptimizeManifest(dir);
  } catch {
    return undefined;
  }
}

/** The mean score of a sub-run; null when it has none, or when optimize.json names no run of this workspace. */
async function meanScoreOf(workspaceRoot: string, runId: string): Promise<number | null> {
  try {
    const summary = JSON.parse(await readFile(join(runDir(workspaceRoot, runId), RUN_FILES.summary), 'utf8')) as { scores?: { all?: { meanScore?: unknown } } };
    const mean = summary.scores?.all?.meanScore;
    return typeof mean === 'number' ? mean : null;
  } catch {
    return null;
  }
}

function mean(values: readonly number[]): number | null {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

/** The run picker's line for an optimize run: status, method, and val/test before → after. */
export async function optimizeRunItem(workspaceRoot: string, manifest: OptimizeManifest, records: readonly OptimizeRecord[]): Promise<RunItem> {
  const tasks = new Set<string>();
  const subManifests = new Map<string, Manifest>();
  for (const sub of manifest.subRuns) {
    try {
      const m = await readManifest(runDir(workspaceRoot, sub.runId));
      subManifests.set(sub.runId, m);
      for (const t of m.selection.tasks) tasks.add(t.id);
    } catch {
      // A sub-run removed by hand: the run still lists, with what remains.
    }
  }
  const initialVal = manifest.subRuns.find((s) => s.purpose === 'validation' && s.round === 0);
  const valBefore = initialVal ? await meanScoreOf(workspaceRoot, initialVal.runId) : null;
  const last = records[records.length - 1];
  const valAfter = last?.bestVal ? mean(Object.values(last.bestVal)) : valBefore;
  const tests = manifest.subRuns.filter((s) => s.purpose === 'test');
  const testBefore = tests[0] ? await meanScoreOf(workspaceRoot, tests[0].runId) : null;
  const lastTest = tests[tests.length - 1];
  const testAfter = lastTest ? await meanScoreOf(workspaceRoot, lastTest.runId) : null;
  return {
    runId: manifest.runId,
    kind: 'optimize',
    createdAt: manifest.createdAt,
    state: manifest.status,
    tasks: tasks.size,
    method: manifest.method,
    // The run's own report when it wrote one (under the paired gate no set runs the whole val split).
    val: manifest.val ? { before: manifest.val.before, after: manifest.val.after } : initialVal || last ? { before: valBefore, after: valAfter } : null,
    test: tests.length ? { before: testBefore, after: testAfter } : null,
    parent: null,
  };
}

/** Loads an optimize run and the sub-runs it names into the panel's run shape. */
export async function loadOptimizePanelRun(workspaceRoot: string, dir: string, manifest: OptimizeManifest): Promise<PanelRun> {
  const extras = await readRunExtras(dir);
  const prompts = await readPrompts(dir).catch(() => undefined);
  const problems: string[] = [];
  const lastRecord = extras.optimize[extras.optimize.length - 1];
  const bestHash = prompts?.bestHash ?? lastRecord?.bestHash;
  const initialHash = prompts?.initialHash;

  const runs: Array<{ split: Split; run: StoredRun }> = [];
  for (const sub of manifest.subRuns) {
    const split = splitOfPurpose(sub.purpose);
    if (!split) continue;
    try {
      const run = await loadRun(workspaceRoot, sub.runId);
      runs.push({ split, run });
      problems.push(...run.problems.slice(0, 5).map((p) => `${sub.runId}/${p}`));
    } catch (error) {
      problems.push(`${OPTIMIZE_FILES.manifest}: the ${sub.purpose} run ${sub.runId} (round ${sub.round}) cannot be read: ${(error as Error).message}`);
    }
  }

  // Later runs replace earlier ones, except that a val/test run of the best prompts is never
  // replaced by one of another prompt set (a rejected candidate's validation).
  const chosen = new Map<string, { split: Split; trajectory: Trajectory; best: boolean }>();
  const before = new Map<string, boolean>();
  const after = new Map<string, boolean>();
  const order: Array<{ id: string; split: Split }> = [];
  for (const { split, run } of runs) {
    const hash = run.manifest.prompts.hash;
    const isBest = split !== 'train' && hash === bestHash;
    for (const t of run.trajectories) {
      const held = chosen.get(t.taskId);
      if (!held) order.push({ id: t.taskId, split });
      if (!held || split === 'train' || isBest || !held.best) chosen.set(t.taskId, { split, trajectory: t, best: isBest });
      const success = t.outcome?.success;
      if (split === 'train' || success === undefined) continue;
      if (hash === initialHash && !before.has(t.taskId)) before.set(t.taskId, success);
      if (hash === bestHash) after.set(t.taskId, success);
    }
  }
  const splitRank: Record<Split, number> = { train: 0, val: 1, test: 2 };
  order.sort((a, b) => splitRank[a.split] - splitRank[b.split]);

  return {
    manifest: { runId: manifest.runId, selection: { tasks: order } },
    trajectories: order.map((t) => (chosen.get(t.id) as { trajectory: Trajectory }).trajectory),
    problems,
    extras,
    outcomes: { before, after },
  };
}

/** The prompt files of an optimize run are those of its rollouts (they ran the workspace's agents). */
export async function optimizePromptFiles(workspaceRoot: string, manifest: OptimizeManifest): Promise<Manifest['prompts']['files']> {
  for (const sub of manifest.subRuns) {
    try {
      return (await readManifest(runDir(workspaceRoot, sub.runId))).prompts.files;
    } catch {
      // Try the next one.
    }
  }
  return [];
}
