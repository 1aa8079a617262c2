/**
 * Before round 1: the go/no-go on the projected spend (before anything is spent, and for a new
 * run before its folder exists), the run's files, its budget — which for a resumed run starts from
 * what the run and its rollouts spent before — and the optimizer's LLM services. What comes out is
 * the run state every round phase works on.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Accounting, Budget, type BudgetLimits, type CostProjection, type LlmClient, type UsageTotals } from '../../llm';
import { loadPromptSet } from '../../mas';
import { budgetLimits } from '../../run';
import type { PromptTexts } from '../../credit/agentUnits';
import { RunBatchLedger } from '../../llm/batch/batchLedger';
import { JsonlAppender, writeJsonAtomic } from '../../store';
import { createOptimizerClients } from '../optimizerClient';
import { OPTIMIZE_FILES, writePrompts } from '../optimizeStore';
import { OptimizeSetupError, type OptimizeOptions } from '../optimizeTypes';
import { addUsage, copyUsage } from '../phaseUsage';
import { observeSpend, projectOptimize } from '../optimizeProjection';
import { readerOf } from '../promptSetHash';
import { committedScores, trimCredit } from '../resumePoint';
import { createRolloutRunner } from '../rolloutRunner';
import { spentSoFar } from '../spentSoFar';
import { createValidationScores } from '../validationScores';
import { interventionCap, type InterventionSpent } from '../interventionShare';
import type { OptimizeRun, OptimizeSettings, RunFiles, StartingPoint } from './runState';
import { batchOf } from './sample';

export async function startRun(settings: OptimizeSettings, start: StartingPoint, confirmSpend: OptimizeOptions['confirmSpend']): Promise<OptimizeRun> {
  const { workspaceRoot, split, rounds } = settings;
  const resumed = start.resumedFrom !== undefined;
  const { limits, spentBefore, projection } = await askToSpend(settings, start, confirmSpend);
  if (!resumed) await mkdir(start.dir, { recursive: true });
  const files = await openFiles(settings, start);
  // Credit signals of a round that did not commit are cut; the round appends them again.
  const creditLines = resumed ? await trimCredit(start.dir, start.records) : 0;
  const calls = (await JsonlAppender.open(join(start.dir, OPTIMIZE_FILES.calls))).appender;

  // LLM services of the optimizer: the workspace cache, the run's budget, calls recorded here.
  const budget = new Budget(limits, spentBefore);
  const accounting = new Accounting();
  const { optimizer, executor } = optimizerServices(settings, start, budget, accounting, calls);
  const rollouts = createRolloutRunner({ settings, dir: start.dir, manifest: start.manifest, saveManifest: files.saveManifest, budget, probed: resumed });
  const interventions = { cap: interventionCap(limits, settings.config.optimizer.intervene.maxShare, plainCalls(projection.total) + earlierInterventions(start).calls), spent: earlierInterventions(start), usage: {} as Record<string, UsageTotals> };
  const usageNow = (): Record<string, UsageTotals> => {
    const out = copyUsage(rollouts.usage);
    for (const [phase, u] of Object.entries(accounting.snapshot().byPhase)) addUsage(out, phase, u);
    for (const [phase, u] of Object.entries(interventions.usage)) addUsage(out, phase, u);
    return out;
  };
  // The score each task got in its latest rollout, as the earlier rounds left it.
  const lastScore = resumed ? await committedScores(workspaceRoot, start.records) : new Map<string, number>();
  const run: OptimizeRun = {
    ...start,
    settings,
    runId: start.manifest.runId,
    files: { ...files, calls },
    creditLines,
    optimizer,
    executor,
    rollouts,
    val: createValidationScores(split.val, settings.setHash, rollouts, start.records),
    lastScore,
    usageNow,
    budget,
    interventions,
    outcome: { status: 'completed', valBefore: null, test: { before: null, after: null } },
  };
  settings.emit({ type: 'started', runId: run.runId, dir: run.dir, rounds, resumedAfter: start.records.length, batch: Math.min(settings.batchSize, split.train.length), perRound: projection.perRound, total: projection.total });
  return run;
}

/** Projected calls of the run apart from interventions: what the share is of when no cap is set. */
function plainCalls(total: CostProjection): number {
  return total.calls - (total.byPhase.intervention?.calls ?? 0);
}

/** What the committed rounds of a resumed run spent on interventions (their share is of the whole run). */
function earlierInterventions(start: StartingPoint): InterventionSpent {
  const spent = { calls: 0, tokens: 0, costUsd: 0 };
  for (const r of start.records) {
    const u = r.usage.intervention;
    if (!u) continue;
    spent.calls += u.calls;
    spent.tokens += u.inputTokens + u.outputTokens;
    spent.costUsd += u.costUsd;
  }
  return spent;
}

function addSpent(a: InterventionSpent, b: InterventionSpent): InterventionSpent {
  return { calls: a.calls + b.calls, tokens: a.tokens + b.tokens, costUsd: a.costUsd + b.costUsd };
}

/** The go/no-go question, asked with the projection of the rounds still to run. */
async function askToSpend(settings: OptimizeSettings, start: StartingPoint, confirmSpend: OptimizeOptions['confirmSpend']): Promise<{ limits: BudgetLimits; spentBefore: { calls: number; tokens: number; costUsd: number }; projection: { perRound: CostProjection; total: CostProjection } }> {
  const { config, workspaceRoot, split, rounds, topK, ablations } = settings;
  // A resumed run's budget starts from what the run and its rollouts spent before.
  const limits = budgetLimits(config);
  // Interventions keep no call records of their own in the run folders; the round records hold their spend.
  const spentBefore = start.resumedFrom !== undefined ? addSpent(await spentSoFar(workspaceRoot, start.dir), earlierInterventions(start)) : { calls: 0, tokens: 0, costUsd: 0 };
  const initialPrompts = await loadPromptSet(config, readerOf(start.best));
  const projection = projectOptimize(config, initialPrompts, { batch: batchOf(settings, 1), val: split.val, test: split.test }, Math.max(0, rounds - start.records.length), topK, config.agents.length, ablations.noCredit, ablations.noUnits, { gate: settings.gate, delta: settings.delta, observed: await observeSpend(workspaceRoot) });
  if (confirmSpend) {
    const go = await confirmSpend({ what: 'optimize', projection: projection.total, complete: config.mas.kind === 'rounds', limits, spent: spentBefore });
    if (!go) throw new OptimizeSetupError('Not started: the projected spend was not confirmed. Nothing was spent.');
  }
  return { limits, spentBefore, projection };
}

/** The manifest and prompts.json written as the run (re)starts, and the round records' file. */
async function openFiles(settings: OptimizeSettings, start: StartingPoint): Promise<Omit<RunFiles, 'calls'>> {
  const { dir, manifest } = start;
  const saveManifest = () => writeJsonAtomic(join(dir, OPTIMIZE_FILES.manifest), { ...manifest, updatedAt: settings.now().toISOString() });
  const savePrompts = async (best: PromptTexts) => writePrompts(dir, { initial: start.initialTexts, best, initialHash: await settings.setHash(start.initialTexts), bestHash: await settings.setHash(best) });
  await saveManifest();
  await savePrompts(start.best);
  // Durable and torn-tail safe: a crash mid-write must not glue the next round onto a fragment.
  const rounds = (await JsonlAppender.open(join(dir, OPTIMIZE_FILES.rounds), { durable: true })).appender;
  return { rounds, saveManifest, savePrompts };
}

/** The optimizer's and the executor's clients; the optimizer's calls are recorded in llm-calls.jsonl. */
function optimizerServices(settings: OptimizeSettings, start: StartingPoint, budget: Budget, accounting: Accounting, calls: JsonlAppender): { optimizer: LlmClient; executor: LlmClient } {
  const { config, workspaceRoot, env, rolloutRequest } = settings;
  try {
    // Batches of the optimizer's own calls are written down here; a resume adopts those left pending.
    const batchLedger = new RunBatchLedger(start.resumedFrom !== undefined ? start.dir : undefined);
    batchLedger.attach(start.dir);
    return createOptimizerClients(config, {
      workspaceRoot,
      env,
      budget,
      accounting,
      batchLedger,
      ...(rolloutRequest.secrets ? { secrets: rolloutRequest.secrets } : {}),
      ...(rolloutRequest.llm ? { llm: rolloutRequest.llm } : {}),
      onCall: (record) => {
        // A sink must not throw; a failed write only loses the record (the appender keeps the error).
        calls.append(record).catch(() => undefined);
      },
    });
  } catch (error) {
    throw new OptimizeSetupError(`The optimizer endpoint is not usable: ${(error as Error).message}`);
  }
}
