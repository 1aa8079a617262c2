/**
 * The bench's one contact with the optimizer loop: run `optimize(...)` in-process with every
 * credit method registered, then take the accepted edits from the run's suggestions.json (it keeps
 * each edit whole, `oldText` included, which precision needs to tell a deleted harmful rule from
 * a deleted good one).
 */
import type { TruceConfig } from '../../src/core/config';
import { createBcdMethod } from '../../src/core/credit/bcd';
import { createGbcMethod } from '../../src/core/credit/gbc';
import type { GbcOptionsInput } from '../../src/core/credit/gbc/options';
import { optimize } from '../../src/core/optimize/optimizeLoop';
import { methodRegistry } from '../../src/core/methods';
import { readPrompts, readSuggestions } from '../../src/core/optimize/optimizeStore';
import type { MethodName } from '../../src/core/credit/types';
import type { OptimizeProgress } from '../../src/core/optimize/optimizeTypes';
import type { EditLike } from './figures';

export interface OptimizeRequest {
  config: TruceConfig;
  workspaceRoot: string;
  method: MethodName;
  ablations: { noCredit: boolean; noUnits: boolean };
  /** The acceptance gate (default: the config's, itself paired by default). */
  gate?: 'paired' | 'hoeffding';
  /** GBC's settings (its uniform-weights ablation). */
  gbc?: GbcOptionsInput;
  /** LLM calls the endpoint has seen so far; with it the outcome counts the calls pruning made. */
  callsSoFar?: () => number;
}

export interface OptimizeOutcome {
  runId: string;
  status: string;
  reason?: string;
  /** The best prompt set, by workspace-relative file. */
  bestPrompts: Record<string, string>;
  /** Edits of the suggestions the loop accepted into the best prompt set. */
  accepted: EditLike[];
  /** Suggestions retained or pooled but not accepted (rejected by validation, stale, not applied). */
  rejected: number;
  /** The loop's own val/test means (it scores the same splits; the bench reports its own). */
  reported: { val: { before: number | null; after: number | null }; test: { before: number | null; after: number | null } };
  rounds: Array<{ round: number; accepted: boolean; retained: number; reason?: string; pruning?: string[] }>;
  /** Calls of the validation rollouts. */
  validationCalls: number;
  /** Of all calls, those made while pruning accepted candidates (0 without `callsSoFar`). */
  pruningCalls: number;
}

/**
 * Calls made while a round was in its prune stage: from the stage's start to the next stage or
 * round event. The loop reports pruning's validation under 'validation' with the gate's, so the
 * bench tells them apart by when the calls were made.
 */
function pruneCallCounter(callsSoFar: () => number): { onProgress: (event: OptimizeProgress) => void; total: () => number } {
  let total = 0;
  let since: number | undefined;
  const onProgress = (event: OptimizeProgress) => {
    if (event.type !== 'stage' && event.type !== 'round') return;
    if (since !== undefined) total += callsSoFar() - since;
    since = event.type === 'stage' && event.stage === 'prune' ? callsSoFar() : undefined;
  };
  return { onProgress, total: () => total };
}

export async function runOptimizer(request: OptimizeRequest): Promise<OptimizeOutcome> {
  const pruning = request.callsSoFar ? pruneCallCounter(request.callsSoFar) : undefined;
  const result = await optimize({
    config: request.config,
    workspaceRoot: request.workspaceRoot,
    method: request.method,
    noCredit: request.ablations.noCredit,
    noUnits: request.ablations.noUnits,
    ...(request.gate ? { gate: request.gate } : {}),
    ...(pruning ? { onProgress: pruning.onProgress } : {}),
    trusted: true,
    env: {},
    toolVersion: 'bench-sim',
    methods: methodRegistry({ bcd: () => createBcdMethod(), gbc: () => createGbcMethod(request.gbc ? { options: request.gbc } : {}) }),
  });
  if (result.status === 'failed') throw new Error(`optimize(...) failed: ${result.reason ?? 'no reason given'} (run ${result.dir}).`);
  const prompts = await readPrompts(result.dir);
  if (!prompts) throw new Error(`optimize(...) finished but ${result.dir} has no prompts.json.`);
  const suggestions = await readSuggestions(result.dir);
  const accepted = suggestions.filter((s) => s.status === 'accepted').map((s) => s.edit);
  if (accepted.length !== result.accepted.length) {
    throw new Error(`suggestions.json lists ${accepted.length} accepted suggestions, the result ${result.accepted.length}; the run's records disagree.`);
  }
  return {
    runId: result.runId,
    status: result.status,
    ...(result.reason ? { reason: result.reason } : {}),
    bestPrompts: prompts.best,
    accepted,
    rejected: result.rejected.length,
    reported: { val: result.val, test: result.test },
    validationCalls: result.usage.byPhase.validation?.calls ?? 0,
    pruningCalls: pruning?.total() ?? 0,
    rounds: result.rounds.map((r) => ({ round: r.round, accepted: r.accepted, retained: r.suggestions.retained.length, ...(r.decision?.reason ? { reason: r.decision.reason } : {}), ...(r.pruning ? { pruning: r.pruning.map((p) => p.reason) } : {}) })),
  };
}
