/**
 * Rollouts of an optimize run within its budget: each rollout gets the caps minus what the run has
 * spent (budgetShare.ts), stops the run cleanly when they are used up (BudgetStop) or the user
 * cancels (CancelStop), is charged back to the run's budget, and is listed in the manifest's
 * sub-runs. The phases ask it for scores and never look at the budget themselves.
 */
import { type Budget, type UsageTotals } from '../llm';
import type { MasTask } from '../mas';
import { RunSetupError } from '../run';
import type { PromptTexts } from '../credit/agentUnits';
import { charge, exhausted, remainingLimits } from './budgetShare';
import type { OptimizeManifest } from './optimizeStore';
import { addUsage } from './phaseUsage';
import { rollout, type RolloutResult } from './rollout';
import { BudgetStop, CancelStop } from './runStops';
import type { OptimizeSettings } from './phases/settings';

export interface RolloutRunner {
  run(texts: PromptTexts, tasks: readonly MasTask[], purpose: string, round: number): Promise<RolloutResult>;
  /** The rollouts' usage by phase (a rollout's own phase is named after its purpose). */
  readonly usage: Record<string, UsageTotals>;
}

export interface RolloutRunnerSetup {
  settings: OptimizeSettings;
  dir: string;
  manifest: OptimizeManifest;
  saveManifest: () => Promise<void>;
  budget: Budget;
  /** One reachability probe per new run; a resume replays from the cache and must not spend a call. */
  probed: boolean;
}

export function createRolloutRunner(setup: RolloutRunnerSetup): RolloutRunner {
  const { settings, dir, manifest, saveManifest, budget } = setup;
  const { config, workspaceRoot, env, rolloutRequest: request } = settings;
  const phaseUsage: Record<string, UsageTotals> = {};
  let probed = setup.probed;
  const runTasks = async (texts: PromptTexts, tasks: readonly MasTask[], purpose: string, round: number): Promise<RolloutResult> => {
    const remaining = remainingLimits(budget);
    const out = exhausted(remaining);
    if (out) throw new BudgetStop(`Stopped: ${out}.`);
    let result: RolloutResult;
    try {
      result = await rollout({
        config,
        workspaceRoot,
        optimizeDir: dir,
        texts,
        tasks,
        limits: remaining,
        trusted: request.trusted,
        env,
        probe: !probed,
        ...(request.secrets ? { secrets: request.secrets } : {}),
        ...(settings.signal ? { signal: settings.signal } : {}),
        ...(request.llm ? { llm: request.llm } : {}),
        ...(request.toolVersion ? { toolVersion: request.toolVersion } : {}),
        ...(request.confirmSpend ? { runIntoCap: true } : {}),
      });
    } catch (error) {
      if (error instanceof RunSetupError && /budget/i.test(error.message)) throw new BudgetStop(error.message);
      throw error;
    }
    probed = true;
    charge(budget, result.usage);
    for (const [phase, u] of Object.entries(result.byPhase)) addUsage(phaseUsage, phase === 'rollout' ? purpose : phase, u);
    // A run reused after a resume may be listed already (the kill came after its rollout returned).
    if (!manifest.subRuns.some((s) => s.runId === result.runId && s.purpose === purpose && s.round === round)) {
      manifest.subRuns.push({ runId: result.runId, purpose, round });
      await saveManifest();
    }
    if (result.status === 'stopped-budget') throw new BudgetStop(result.statusReason ?? 'the budget ran out during a rollout');
    if (result.status === 'cancelled') throw new CancelStop();
    return result;
  };
  return { run: runTasks, usage: phaseUsage };
}
