/**
 * The optimizer loop (TRUCE Algorithm 1), shared by every credit method. Each step is a phase in
 * phases/ with typed input and output; one round state goes from phase to phase
 * (phases/roundState.ts) and the run's state from round to round (phases/runState.ts):
 *
 *   settings, start        resolve the request; open a new run or resume one; confirm the spend
 *   for round k = 1..K:
 *     sample               a batch of train tasks (seeded: seed, "batch", k)         line 3
 *     roll out             the best prompt set on the batch, scored by the evaluator lines 5–7
 *     credit               credit = method.credit(trajectories)                      lines 8–11
 *     check blame          optional (optimizer.intervene): where credit is uncertain, the blamed
 *                            step corrected and the task re-run; findings reach suggest
 *     suggest              raw = method.suggest(credit, trajectories)                line 12
 *                            (no-units ablation: one global rewrite per implicated agent instead,
 *                             globalRewrite.ts; each agent's rewrite is one indivisible item)
 *     pool                 support, near-duplicate merge, top-k                      line 15
 *     apply                the retained edits on a copy of the best set, in memory   line 16
 *     validate             candidate and best on the same val tasks (best's scores reused): the
 *                            paired, sequential e-process by default (pairedGate.ts,
 *                            sequentialValidation.ts), or the Hoeffding margin (accept.ts)
 *     accept / prune       the candidate only when the gate says so; then accepted edits that
 *                            do not pay are pruned (sequential too under the paired gate)
 *     record               final statuses, suggestions.json, prompts.json, the round record
 *   test                   the initial and the best set on the test split
 *   report                 status, figures, outcomes                                  line 18
 *
 * The best set so far is never lost: it only changes on acceptance, and it is written to
 * prompts.json after every round. Prompt files on disk are never touched (that is `truce apply`).
 * Every LLM call goes through the response cache, and round records are written when a round
 * ends, so a resumed run skips finished rounds and replays an unfinished one from the cache without
 * paying for a call twice. The round record is the commit point: files a round writes before it
 * are rolled back to the last record on resume (resumePoint.ts), rollout runs already stored are
 * reused (rollout.ts), and the budget starts from what earlier invocations spent (spentSoFar.ts).
 * Resume and budget are settled in openRun/startRun and held by the run state (the budgeted
 * rollout runner, rolloutRunner.ts), so no round phase branches on them.
 * The loop continues after a rejected candidate (a new batch can surface other edits) — unlike
 * the paper's stylised procedure, which stops — so the K rounds are a cap.
 */
import type { OptimizeOptions, OptimizeResult } from './optimizeTypes';
import { acceptOrPrune } from './phases/acceptOrPrune';
import { applyEdits } from './phases/apply';
import { checkBlame } from './phases/checkBlame';
import { assignCredit } from './phases/credit';
import { openRun } from './phases/openRun';
import { poolSuggestions } from './phases/pool';
import { recordRound } from './phases/recordRound';
import { endOnError, report } from './phases/report';
import { rollOut } from './phases/rollOut';
import { beginRound } from './phases/roundState';
import type { OptimizeRun } from './phases/runState';
import { sampleTasks } from './phases/sample';
import { resolveSettings } from './phases/settings';
import { startRun } from './phases/startRun';
import { suggestEdits } from './phases/suggest';
import { testBest } from './phases/testBest';
import { scoreStartingSet, validateCandidate } from './phases/validate';

export * from './optimizeTypes';
export { projectOptimize } from './optimizeProjection';

export async function optimize(options: OptimizeOptions): Promise<OptimizeResult> {
  const { settings, method } = await resolveSettings(options);
  const start = await openRun(settings, method, options.resumeRunId);
  const run = await startRun(settings, start, options.confirmSpend);
  try {
    await scoreStartingSet(run);
    for (let k = run.records.length + 1; k <= settings.rounds; k++) await optimizeRound(run, k);
    await testBest(run);
  } catch (error) {
    await endOnError(run, error);
  }
  return report(run);
}

/** One round of Algorithm 1 (lines 3–16), then the acceptance gate, pruning and the round record. */
async function optimizeRound(run: OptimizeRun, k: number): Promise<void> {
  const started = beginRound(run, k);
  const sampled = sampleTasks(run, started);
  const rolledOut = await rollOut(run, sampled);
  const credited = await assignCredit(run, rolledOut);
  const checked = await checkBlame(run, credited);
  const proposed = await suggestEdits(run, checked);
  const pooled = await poolSuggestions(run, proposed);
  const applied = await applyEdits(run, pooled);
  const validated = await validateCandidate(run, applied);
  const decided = await acceptOrPrune(run, validated);
  await recordRound(run, decided);
}
