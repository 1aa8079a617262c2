/**
 * Between credit and suggestions (optimizer.intervene, off by default): blame checked by
 * intervention where credit is uncertain. For each failed batch task whose blame credit is unsure
 * of (uncertainBlame.ts), the round's rollout run is re-run with credit's candidate steps corrected
 * one at a time (core/intervene: the steps before replayed, the step answered with the optimizer's
 * correction, the rest live), until one is confirmed. The findings reach the suggestion step
 * (blameFindings.ts); the record, the spend and the verdicts go into the round record.
 *
 * The phase spends at most its share of the run's budget (interventionShare.ts): each intervention
 * runs with what is left of the share as its budget, one whose projection does not fit is not
 * started, and what every intervention spent is charged to the run's budget under the phase
 * 'intervention'. Without a model call behind the steps (a command MAS run without the gateway)
 * or a blamed step in the credit (GBC), the phase says so once and does nothing.
 */
import type { TruceConfig } from '../../config';
import type { CreditReport } from '../../credit/types';
import { intervene, InterventionError, InterventionOverBudgetError, type InterventionRecord } from '../../intervene';
import { emptyTotals, limitsLeft, type BudgetLimits } from '../../llm';
import type { Trajectory } from '../../trajectory/schema';
import { applyFindings, verdictOf } from '../blameFindings';
import { charge, remainingLimits } from '../budgetShare';
import { candidateBackend } from '../candidateBackend';
import { capUsedUp, describeCap } from '../interventionShare';
import type { RoundIntervention } from '../optimizeTypes';
import { addUsage } from '../phaseUsage';
import { CancelStop } from '../runStops';
import { uncertainBlames, type UncertainBlame } from '../uncertainBlame';
import type { Checked, Credited } from './roundState';
import type { OptimizeRun } from './runState';

const CORRECTION_KEPT = 600;

export async function checkBlame(run: OptimizeRun, round: Credited): Promise<Checked> {
  const options = run.settings.config.optimizer.intervene;
  if (!options.enabled || run.settings.ablations.noCredit) return { ...round, checks: [] };
  const skip = notIntervenable(run, round.trajectories, round.report);
  if (skip) {
    if (!run.interventions.skipped) round.note(`intervention: skipped for this run — ${skip}.`);
    run.interventions.skipped = true;
    return { ...round, checks: [] };
  }
  const found = uncertainBlames(round.report, round.trajectories, options.minConfidence, options.candidates);
  if ('unsupported' in found || !found.uncertain.length) return { ...round, checks: [] };
  round.stage('intervene');
  const checks: RoundIntervention[] = [];
  for (const task of found.uncertain) {
    if (!(await checkTask(run, round, task, checks))) break;
  }
  applyFindings(round.report, checks);
  return { ...round, checks };
}

/** Why no step of this round can be re-run, or undefined when they can. */
function notIntervenable(run: OptimizeRun, trajectories: readonly Trajectory[], report: CreditReport): string | undefined {
  const { config } = run.settings;
  if (report.method === 'gbc') return 'GBC credit weighs connections and blames no step, so there is no blame to check';
  if (config.mas.kind === 'rounds') return undefined;
  if (config.mas.kind !== 'command') return 'only a MAS TRUCE runs (the rounds MAS, or a command MAS behind the gateway) can be re-run';
  const recorded = trajectories.some((t) => t.steps.some((s) => typeof s.attrs.callId === 'string'));
  return recorded ? undefined : 'the command MAS ran without the gateway (mas.gateway), so its steps have no recorded model call to replace';
}

/** Tries the task's candidate steps until one is confirmed; false once the share is used up. */
async function checkTask(run: OptimizeRun, round: Credited, task: UncertainBlame, checks: RoundIntervention[]): Promise<boolean> {
  const options = run.settings.config.optimizer.intervene;
  for (const stepId of task.candidates) {
    if (run.settings.signal?.aborted) throw new CancelStop();
    const left = tighter(limitsLeft(run.interventions.cap, run.interventions.spent), remainingLimits(run.budget));
    if (capUsedUp(left)) {
      round.note(`intervention: its share of the budget (${describeCap(run.interventions.cap)}, optimizer.intervene.maxShare ${options.maxShare}) is used up; no more checks this run.`);
      return false;
    }
    let record;
    try {
      ({ record } = await intervene({
        config: withBudget(run.settings.config, left),
        workspaceRoot: run.settings.workspaceRoot,
        runId: round.roll.runId,
        taskId: task.taskId,
        step: stepId,
        repeats: options.repeats,
        env: run.settings.env,
        trusted: run.settings.rolloutRequest.trusted,
        credit: round.report,
        id: `${run.runId}-r${round.k}-${task.taskId}-${stepId}`.replace(/[^A-Za-z0-9._-]/g, '_'),
        mas: candidateBackend(run.best),
        ...(run.settings.rolloutRequest.secrets ? { secrets: run.settings.rolloutRequest.secrets } : {}),
        ...(run.settings.rolloutRequest.llm ? { llm: run.settings.rolloutRequest.llm } : {}),
        ...(run.settings.signal ? { signal: run.settings.signal } : {}),
      }));
    } catch (error) {
      if (!(error instanceof InterventionError)) throw error;
      const why = error instanceof InterventionOverBudgetError ? `its projected ${error.projectedCalls} calls do not fit what is left of the phase's share of the budget (${describeCap(left)})` : error.message;
      round.note(`intervention (task ${task.taskId}, ${stepId}): not run — ${why}`);
      continue;
    }
    const check = toCheck(task, record, round.roll.runId);
    spend(run, check.spend);
    checks.push(check);
    round.note(`intervention (task ${task.taskId}, ${stepId} of ${check.agentId}): ${check.verdict}, ${check.flips} of ${check.runs} re-runs succeed; ${check.spend.calls} calls (credit: ${task.why}).`);
    if (record.stopped?.startsWith('budget')) return false;
    if (check.verdict === 'confirmed') break;
  }
  return true;
}

function toCheck(task: UncertainBlame, record: InterventionRecord, runId: string): RoundIntervention {
  return {
    taskId: task.taskId,
    stepId: record.stepId,
    agentId: record.agentId,
    why: task.why,
    runId,
    interventionId: record.id,
    runs: record.runs,
    flips: record.flips,
    verdict: verdictOf(record.runs, record.flips),
    spend: { ...record.spend },
    correction: record.correction.slice(0, CORRECTION_KEPT),
  };
}

/** The intervention's spend, charged to the run's budget, its share and the phase 'intervention'. */
function spend(run: OptimizeRun, s: RoundIntervention['spend']): void {
  charge(run.budget, s);
  const spent = run.interventions.spent;
  spent.calls += s.calls;
  spent.tokens += s.inputTokens + s.outputTokens;
  spent.costUsd += s.costUsd;
  addUsage(run.interventions.usage, 'intervention', { ...emptyTotals(), calls: s.calls, inputTokens: s.inputTokens, outputTokens: s.outputTokens, costUsd: s.costUsd });
}

/** The smaller of two sets of caps, dimension by dimension. */
function tighter(a: BudgetLimits, b: BudgetLimits): BudgetLimits {
  const out: BudgetLimits = {};
  for (const key of ['maxCalls', 'maxTokens', 'maxCostUsd'] as const) {
    const values = [a[key], b[key]].filter((v): v is number => v !== undefined);
    if (values.length) out[key] = Math.min(...values);
  }
  return out;
}

/** The configuration an intervention runs under: the share left as its whole budget. */
function withBudget(config: TruceConfig, left: BudgetLimits): TruceConfig {
  return {
    ...config,
    budget: {
      ...(left.maxCalls !== undefined ? { maxCalls: Math.max(1, left.maxCalls) } : {}),
      ...(left.maxTokens !== undefined ? { maxTokens: Math.max(1, left.maxTokens) } : {}),
      ...(left.maxCostUsd !== undefined ? { maxCost: Math.max(1e-9, left.maxCostUsd) } : {}),
    },
  };
}
