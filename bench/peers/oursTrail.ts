/**
 * Our optimize run's spend-to-best, read back from what the run stored (nothing here changes or
 * re-runs the optimizer):
 * - optimize.json lists every rollout run it started, with purpose and round; the round-0
 *   `validation` runs are the initial validation, the `test` runs the final test scoring. Their
 *   spend is folded from each sub-run's own llm-calls.jsonl.
 * - optimize.jsonl holds one record per round with that round's usage per phase (rollouts, credit,
 *   suggestions, rewrites, validation) and the hash and val scores of the best set after it.
 * - prompts.json holds the hash of the best set the run returned.
 * The trail is: the initial validation, then the end of each round; cumulative spend at each step.
 * As a check, initial validation + rounds + test must add up to what the fake server counted for
 * the whole run; any gap is reported, not hidden.
 */
import { join } from 'node:path';
import { emptyTotals, type UsageTotals } from '../../src/core/llm';
import type { RoundRecord } from '../../src/core/optimize/optimizeLoop';
import { optimizeDir, readOptimizeManifest, readPrompts, readRoundRecords } from '../../src/core/optimize/optimizeStore';
import { foldCalls, isStoredCallRecord, readJsonlFile, RUN_FILES, runsDir } from '../../src/core/store';
import { toBestOf, type BestTrailStep, type ToBest } from './toBest';

const tokensOf = (u: UsageTotals) => u.inputTokens + u.outputTokens;

function sum(totals: Iterable<UsageTotals>): UsageTotals {
  const out = emptyTotals();
  for (const u of totals) for (const k of Object.keys(out) as Array<keyof UsageTotals>) out[k] += u[k];
  return out;
}

async function subRunUsage(workspaceRoot: string, runId: string): Promise<UsageTotals> {
  const contents = await readJsonlFile(join(runsDir(workspaceRoot), runId, RUN_FILES.calls));
  return foldCalls(contents.lines.map((l) => l.value).filter(isStoredCallRecord)).total;
}

const mean = (scores: Record<string, number>): number | null => {
  const v = Object.values(scores);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};

export interface OursTrail {
  toBest: ToBest;
  /** Spend by part of the run, and what the server saw that these parts do not explain. */
  accounting: { initialValidation: number; rounds: number; test: number; serverCounted: number; unaccounted: number };
  trail: Array<Omit<BestTrailStep, 'key'> & { bestChanged: boolean }>;
}

export async function oursTrail(workspaceRoot: string, runId: string, initialVal: number | null, serverCalls: number): Promise<OursTrail> {
  const dir = optimizeDir(workspaceRoot, runId);
  const manifest = await readOptimizeManifest(dir);
  const prompts = await readPrompts(dir);
  if (!manifest || !prompts) throw new Error(`${dir} lacks optimize.json or prompts.json.`);
  const records = await readRoundRecords<RoundRecord>(dir);
  const subRuns = manifest.subRuns;
  const usageOf = async (pick: (s: (typeof subRuns)[number]) => boolean) =>
    sum(await Promise.all(subRuns.filter(pick).map((s) => subRunUsage(workspaceRoot, s.runId))));
  const initial = await usageOf((s) => s.round === 0 && s.purpose === 'validation');
  const test = await usageOf((s) => s.purpose === 'test');

  const steps: BestTrailStep[] = [{ at: 'initial validation', llmCalls: initial.calls, tokens: tokensOf(initial), key: prompts.initialHash, valScore: initialVal }];
  let roundsCalls = 0;
  for (const r of records) {
    const u = sum(Object.values(r.usage));
    roundsCalls += u.calls;
    const last = steps[steps.length - 1];
    steps.push({ at: `round ${r.round}`, llmCalls: last.llmCalls + u.calls, tokens: last.tokens + tokensOf(u), key: r.bestHash, valScore: mean(r.bestVal) });
  }
  const finalScore = records.length ? mean(records[records.length - 1].bestVal) : initialVal;
  return {
    toBest: toBestOf(steps, prompts.bestHash, finalScore),
    accounting: {
      initialValidation: initial.calls,
      rounds: roundsCalls,
      test: test.calls,
      serverCounted: serverCalls,
      unaccounted: serverCalls - initial.calls - roundsCalls - test.calls,
    },
    trail: steps.map(({ key, ...s }, i) => ({ ...s, bestChanged: i > 0 && key !== steps[i - 1].key })),
  };
}
