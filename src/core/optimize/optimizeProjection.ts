/**
 * What an optimize run will spend, projected before anything is spent (the go/no-go question, the
 * 'started' event, the editor's confirmation).
 *
 * Two things made the first projection ~9× the spend it projected: every reply was assumed to be
 * `maxTokens` long, and every round was projected to validate on the whole val split, although
 * the paired gate runs a candidate only until its e-process decides. So:
 *
 * - Sizes. When the workspace has run before, prompt and reply tokens per call are the means of
 *   the calls it actually sent (the newest stored runs, `observeSpend`), per endpoint role and
 *   phase; a phase never observed keeps the estimate from prompt lengths and the reply cap.
 * - Validation under the paired gate. When earlier optimize runs of the workspace used it, each
 *   round is projected at their mean validation calls per round (a round without a candidate
 *   spends none).
 *   Otherwise the sequential gate's own arithmetic: a candidate that fixes one task in two it runs
 *   clears α after 2·F tasks (F = fixesNeeded(α), straight fixes), rounded up to whole batches of
 *   the validation step; the best set runs the same tasks in the first round only (its scores are
 *   reused afterwards, and an accepted candidate's scores become the best's). There is no
 *   up-front validation of the starting set. Pruning tests are not projected.
 * - The Hoeffding gate is projected as it runs: the whole split for the start set, and for the
 *   candidate each round (the best's scores are reused until it changes).
 */
import { join } from 'node:path';
import { readdir } from 'node:fs/promises';
import type { TruceConfig } from '../config';
import { projectCost, type CostProjection, type EndpointRole, type PlannedCalls } from '../llm';
import { projectedPricing } from '../llm/batch/batchPricing';
import type { MasTask, PromptSet } from '../mas';
import { budgetLimits, planCalls } from '../run';
import { isStoredCallRecord, readJsonlFile, RUN_FILES, runsDir } from '../store';
import { comparisonDelta, type GateName } from './accept';
import { OPTIMIZE_FILES } from './optimizeStore';
import { fixesNeeded } from './pairedGate';
import { interventionCap, roundInterventionCalls } from './interventionShare';

/** Mean sizes of the calls a workspace sent, and what its optimize runs spent on validation. */
export interface ObservedSpend {
  /** Mean tokens per sent call, keyed "role/phase" (e.g. "executor/rollout", "optimizer/psi"). */
  perCall: Record<string, { promptTokens: number; replyTokens: number; calls: number }>;
  /** Mean validation calls per round of earlier optimize runs under the paired gate (rounds without a candidate count as 0). */
  validationCallsPerRound?: number;
  /** Stored runs the figures come from. */
  runs: number;
}

/** Executor phases that are rollouts of the MAS (the loop files them under its own purpose). */
const ROLLOUT_PHASES = new Set(['rollout', 'validation', 'test']);

function keyOf(role: string, phase: string): string {
  return `${role}/${ROLLOUT_PHASES.has(phase) && role === 'executor' ? 'rollout' : phase}`;
}

/**
 * Reads the newest `maxRuns` stored runs (run ids sort by time) and averages the calls that were
 * really sent (not cache hits, not refused). Undefined when nothing was sent yet. Unreadable
 * folders are skipped: a projection must never fail because an old run is damaged.
 */
export async function observeSpend(workspaceRoot: string, maxRuns = 20): Promise<ObservedSpend | undefined> {
  let names: string[];
  try {
    names = (await readdir(runsDir(workspaceRoot), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return undefined;
  }
  const sums = new Map<string, { prompt: number; reply: number; calls: number }>();
  const validation: number[] = [];
  let runs = 0;
  for (const name of names.sort().reverse().slice(0, maxRuns)) {
    const dir = join(runsDir(workspaceRoot), name);
    try {
      const calls = await readJsonlFile(join(dir, RUN_FILES.calls));
      let used = false;
      for (const line of calls.lines) {
        const r = line.value;
        if (!isStoredCallRecord(r) || r.cached || r.attempts === 0 || r.error) continue;
        const s = sums.get(keyOf(r.role, r.phase)) ?? { prompt: 0, reply: 0, calls: 0 };
        s.prompt += r.usage.inputTokens;
        s.reply += r.usage.outputTokens;
        s.calls += 1;
        sums.set(keyOf(r.role, r.phase), s);
        used = true;
      }
      const rounds = await readJsonlFile(join(dir, OPTIMIZE_FILES.rounds)).catch(() => undefined);
      // Every round of a paired-gate run counts, also those that had no candidate to validate:
      // the projection is per round, and not every round validates.
      const records = (rounds?.lines ?? []).map((l) => l.value as { decision?: { gate?: string }; usage?: Record<string, { calls?: number }> } | null);
      if (records.some((r) => r?.decision?.gate === 'paired')) for (const r of records) validation.push(r?.usage?.validation?.calls ?? 0);
      if (used) runs++;
    } catch {
      continue;
    }
  }
  if (!sums.size) return undefined;
  const perCall = Object.fromEntries([...sums].map(([k, s]) => [k, { promptTokens: Math.round(s.prompt / s.calls), replyTokens: Math.round(s.reply / s.calls), calls: s.calls }]));
  return { perCall, ...(validation.length ? { validationCallsPerRound: validation.reduce((a, b) => a + b, 0) / validation.length } : {}), runs };
}

/** Validation tasks the paired gate is projected to run a candidate on (see the file comment). */
export function projectedPairedTasks(valTasks: number, step: number, alpha: number): number {
  const f = fixesNeeded(alpha);
  if (!Number.isFinite(f)) return valTasks;
  const size = Math.max(1, Math.floor(step));
  return Math.min(valTasks, Math.ceil((2 * f) / size) * size);
}

export interface ProjectionOptions {
  gate?: GateName;
  /** Overall δ of the run (default 0.1). */
  delta?: number;
  observed?: ObservedSpend;
}

/** Replaces estimated sizes with observed ones where the workspace has sent such calls. */
function withObserved(plan: readonly PlannedCalls[], observed: ObservedSpend | undefined): PlannedCalls[] {
  if (!observed) return [...plan];
  return plan.map((p) => {
    const seen = observed.perCall[keyOf(p.role, p.phase)];
    if (!seen || p.phase === 'probe') return p;
    const { promptChars: _chars, ...rest } = p;
    return { ...rest, promptTokens: seen.promptTokens, replyTokens: seen.replyTokens };
  });
}

/** Projected LLM calls of one round and of the whole run, shown before anything is spent. */
export function projectOptimize(
  config: TruceConfig,
  prompts: PromptSet,
  tasks: { batch: MasTask[]; val: MasTask[]; test: MasTask[] },
  rounds: number,
  topK: number,
  agents: number,
  noCredit: boolean,
  noUnits = false,
  options: ProjectionOptions = {},
): { perRound: CostProjection; total: CostProjection } {
  const executor = (ts: readonly MasTask[], phase: string): PlannedCalls[] => planCalls(config, prompts, ts, { probe: false }).plan.map((p) => ({ ...p, phase: p.phase === 'rollout' ? phase : p.phase }));
  const optimizerRole: EndpointRole = 'optimizer';
  const perTaskChars = 6_000;
  const gate = options.gate ?? config.optimizer.gate;
  const step = Math.max(2, config.concurrency);
  const alpha = comparisonDelta({ delta: options.delta ?? config.optimizer.delta ?? 0.1, comparisons: Math.max(1, rounds) });
  const observedValidation = gate === 'paired' ? options.observed?.validationCallsPerRound : undefined;
  const perRollout = (() => {
    const one = executor(tasks.val.slice(0, 1), 'validation');
    return one.reduce((n, p) => n + p.calls, 0);
  })();
  // Paired: the candidate's tasks every round, the best's in the first round only.
  const pairedTasks = projectedPairedTasks(tasks.val.length, step, alpha);
  const roundValidation = (first: boolean): PlannedCalls[] => {
    if (gate === 'hoeffding') return executor(tasks.val, 'validation');
    if (observedValidation !== undefined && perRollout > 0) {
      // Whole rollouts, spread over the val tasks in their order.
      const n = Math.min(2 * tasks.val.length, Math.max(0, Math.round(observedValidation / perRollout)));
      const val = tasks.val.length ? Array.from({ length: n }, (_, i) => tasks.val[i % tasks.val.length]) : [];
      return executor(val, 'validation');
    }
    const val = tasks.val.slice(0, pairedTasks);
    return first ? [...executor(val, 'validation'), ...executor(val, 'validation')] : executor(val, 'validation');
  };
  const work: PlannedCalls[] = [
    ...executor(tasks.batch, 'rollout'),
    ...(noCredit ? [] : [{ role: optimizerRole, phase: 'phi', calls: tasks.batch.length, promptChars: perTaskChars }]),
    ...(noUnits
      ? [{ role: optimizerRole, phase: 'global-rewrite', calls: agents, promptChars: perTaskChars, replyTokens: 400 }]
      : [
          { role: optimizerRole, phase: 'psi', calls: tasks.batch.length * agents, promptChars: perTaskChars },
          { role: optimizerRole, phase: 'rewrite', calls: Math.min(topK, 1), promptChars: 1_500, replyTokens: 200 },
        ]),
  ];
  const round = (first: boolean) => withObserved([...work, ...roundValidation(first)], options.observed);
  const endpoints = { executor: projectedPricing(config.llm.executor), optimizer: projectedPricing(config.llm.optimizer ?? config.llm.executor), judge: projectedPricing(config.llm.judge ?? config.llm.executor) };
  const once = withObserved([...(gate === 'hoeffding' ? executor(tasks.val, 'validation') : []), ...executor(tasks.test, 'test'), ...executor(tasks.test, 'test')], options.observed);
  const plain = [...Array.from({ length: rounds }, (_, i) => round(i === 0)).flat(), ...once];
  const checks = interventionLine(config, tasks.batch, rounds, plain, executor);
  const total = checks ? [...plain, checks.total] : plain;
  const perRound = checks ? [...round(true), checks.perRound] : round(true);
  return { perRound: projectCost(perRound, endpoints), total: projectCost(total, endpoints, budgetLimits(config)) };
}

/**
 * The intervention phase (optimizer.intervene), when on: at most every batch task checked each
 * round, and never more than its share of the budget (interventionShare.ts).
 */
function interventionLine(config: TruceConfig, batch: MasTask[], rounds: number, plain: readonly PlannedCalls[], executor: (ts: readonly MasTask[], phase: string) => PlannedCalls[]): { perRound: PlannedCalls; total: PlannedCalls } | undefined {
  const options = config.optimizer.intervene;
  if (!options.enabled || !batch.length) return undefined;
  const perTask = executor(batch.slice(0, 1), 'intervention');
  const callsPerTask = perTask.reduce((n, p) => n + p.calls, 0);
  const cap = interventionCap(budgetLimits(config), options.maxShare, plain.reduce((n, p) => n + p.calls, 0));
  const worst = roundInterventionCalls(batch.length, callsPerTask, options.candidates, options.repeats);
  const limit = cap.maxCalls ?? Number.POSITIVE_INFINITY;
  const sized = perTask[0] ?? { role: 'executor' as const, phase: 'intervention', calls: 0 };
  const line = (calls: number): PlannedCalls => ({ ...sized, phase: 'intervention', calls });
  return { perRound: line(Math.min(worst, limit)), total: line(Math.min(worst * rounds, limit)) };
}
