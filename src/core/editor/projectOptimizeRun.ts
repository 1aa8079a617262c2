/**
 * What an optimize run would spend, before it starts: the same task split, first batch and
 * projection (`projectOptimize`, with the call sizes the workspace's earlier runs observed) the
 * optimize loop computes for its own 'started' event, so the editor can ask for confirmation with
 * the numbers the run will then report.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { TruceConfig } from '../config';
import type { CostProjection } from '../llm/projection';
import { loadPromptSet } from '../mas';
import { observeSpend, projectOptimize } from '../optimize/optimizeProjection';
import { derivedRandom, sampleBatch } from '../optimize/random';
import { parseTasksJsonl, splitTasks } from '../tasks';
import { readPromptFile } from '../promptFileGuard';

export interface OptimizePlan {
  rounds: number;
  batch: number;
  val: number;
  test: number;
  perRound: CostProjection;
  total: CostProjection;
}

export type OptimizePlanResult = { ok: true; plan: OptimizePlan } | { ok: false; reason: string };

export async function projectOptimizeRun(config: TruceConfig, workspaceRoot: string, options: { rounds: number; noCredit?: boolean; noUnits?: boolean }): Promise<OptimizePlanResult> {
  let taskText: string;
  try {
    taskText = await readFile(resolve(workspaceRoot, config.tasks.file), 'utf8');
  } catch (error) {
    return { ok: false, reason: `Cannot read the tasks file ${config.tasks.file}: ${(error as Error).message}.` };
  }
  const parsed = parseTasksJsonl(taskText);
  if (parsed.errors.length) return { ok: false, reason: `The tasks file ${config.tasks.file} has errors; TRUCE: Validate Config shows them.` };
  const split = splitTasks(parsed.tasks, config.tasks.split, config.tasks.seed);
  if (!split.train.length || !split.val.length) return { ok: false, reason: 'Optimizing needs train and val tasks; set tasks.split in truce.yaml.' };
  let prompts;
  try {
    prompts = await loadPromptSet(config, (file) => readPromptFile(resolve(workspaceRoot, file), file, config.maxPromptBytes));
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  const batch = sampleBatch(split.train, config.optimizer.batchSize, derivedRandom(config.tasks.seed, 'batch', 1));
  const projection = projectOptimize(config, prompts, { batch, val: split.val, test: split.test }, options.rounds, config.optimizer.topK, config.agents.length, options.noCredit ?? false, options.noUnits ?? false, { observed: await observeSpend(workspaceRoot) });
  return { ok: true, plan: { rounds: options.rounds, batch: batch.length, val: split.val.length, test: split.test.length, ...projection } };
}
