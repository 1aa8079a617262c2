/**
 * Algorithm 1, line 18 (return the optimized prompts), as a report: how the run ended (a budget
 * stop or a cancel is a status, any other error marks the run failed and is thrown on), the val
 * and test figures, every suggestion's outcome and the usage by phase. The manifest and
 * prompts.json are written last, so the run folder says the same as the result.
 */
import { BudgetExceededError, emptyTotals, type UsageTotals } from '../../llm';
import { mean } from '../meanScore';
import type { OptimizeResult } from '../optimizeTypes';
import { BudgetStop, CancelStop } from '../runStops';
import { suggestionOutcome } from '../suggestionOutcome';
import type { OptimizeRun } from './runState';

/** A stop ends the run with a status; anything else fails it (recorded in the manifest, then thrown). */
export async function endOnError(run: OptimizeRun, error: unknown): Promise<void> {
  if (error instanceof BudgetStop || error instanceof BudgetExceededError) {
    run.outcome.status = 'stopped-budget';
    run.outcome.reason = error.message;
  } else if (error instanceof CancelStop || run.settings.signal?.aborted) {
    run.outcome.status = 'cancelled';
    run.outcome.reason = 'cancelled by the user';
  } else {
    run.manifest.status = 'failed';
    run.manifest.statusReason = (error as Error).message;
    await run.files.saveManifest();
    await run.files.calls.flush().catch(() => undefined);
    throw error;
  }
}

/**
 * Mean val scores of the starting and the best set. The Hoeffding gate ran both on the whole
 * split; the paired gate ran each set only on the tasks its decisions needed, so both means are
 * over the tasks both sets were run on.
 */
async function valReport(run: OptimizeRun, bestHash: string): Promise<OptimizeResult['val']> {
  const after = run.val.known(bestHash) ?? new Map<string, number>();
  if (run.settings.gate === 'hoeffding') return { before: run.outcome.valBefore, after: mean(after) };
  const before = run.val.known(await run.settings.setHash(run.initialTexts)) ?? new Map<string, number>();
  const ids = [...after.keys()].filter((id) => before.has(id));
  const on = (m: ReadonlyMap<string, number>) => mean(new Map(ids.map((id) => [id, m.get(id) as number])));
  return { before: on(before), after: on(after), tasks: ids.length };
}

export async function report(run: OptimizeRun): Promise<OptimizeResult> {
  const { setHash, emit, methodName } = run.settings;
  const { status, reason, test } = run.outcome;
  const { manifest, files } = run;
  manifest.status = status;
  if (reason) manifest.statusReason = reason;
  manifest.val = await valReport(run, await setHash(run.best));
  await files.saveManifest();
  await files.savePrompts(run.best);
  await files.calls.flush().catch(() => undefined);
  emit({ type: 'finished', status, ...(reason ? { reason } : {}) });

  const byPhase = run.usageNow();
  const total = emptyTotals();
  for (const u of Object.values(byPhase)) for (const k of Object.keys(total) as Array<keyof UsageTotals>) total[k] += u[k];
  const bestHash = await setHash(run.best);
  return {
    runId: run.runId,
    dir: run.dir,
    status,
    ...(reason ? { reason } : {}),
    method: methodName,
    rounds: run.records,
    accepted: run.suggestions.filter((s) => s.status === 'accepted').map(suggestionOutcome),
    rejected: run.suggestions.filter((s) => s.status !== 'accepted').map(suggestionOutcome),
    val: await valReport(run, bestHash),
    test,
    bestChanged: bestHash !== (await setHash(run.initialTexts)),
    usage: { byPhase, total },
  };
}
