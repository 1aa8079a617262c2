/**
 * P4 query complexity: LLM calls and tokens per TRUCE optimization round, ours against a naive
 * Algorithm 1 (bench/p4/naiveTruceMethod.ts: Φ per sub-trajectory, Ψ per agent × task, one merge
 * over all proposals, one rewrite per retained edit), on simulation scenarios through the fake
 * OpenAI server. Both run the product's optimize loop, each in a fresh workspace (own response
 * cache). Target: ours/naive ≤ 0.5 at equal accepted edits — when the accepted edits differ, the
 * comparable figure is the ratio of optimizer calls per accepted edit. Also measured: replaying
 * our recorded run (`optimize --resume` of the finished run, and a fresh rerun in the same
 * workspace) — what the fake server receives then.
 *
 *   node out/bench/queryComplexity.js [--scenario FILE]… [--no-llm-merge-variant]
 *
 * Progress goes to stderr; stdout is one JSON document.
 */
import { resolve } from 'node:path';
import { loadScenario, World } from '../test/support/sim';
import { createNaiveTruceMethod } from './p4/naiveTruceMethod';
import { OPTIMIZER_PHASES, ratio } from './p4/phaseUsage';
import { runVariant, type VariantFigures } from './p4/runVariant';

const DEFAULT_SCENARIOS = ['bench/sim/scenarios/mixed-noise30.json', 'bench/sim/scenarios/debate-missing.json'];
const TARGET = 0.5;

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): { scenarios: string[]; llmMergeVariant: boolean } {
  const scenarios: string[] = [];
  let llmMergeVariant = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--scenario') scenarios.push(argv[++i] ?? '');
    else if (a.startsWith('--scenario=')) scenarios.push(a.slice('--scenario='.length));
    else if (a === '--no-llm-merge-variant') llmMergeVariant = false;
    else throw new UsageError(`Unknown argument ${JSON.stringify(a)}.`);
  }
  if (scenarios.some((s) => !s)) throw new UsageError('--scenario needs a file.');
  return { scenarios: scenarios.length ? scenarios : DEFAULT_SCENARIOS, llmMergeVariant };
}

/**
 * The rounds in which our method made optimizer queries at all (it skips rounds whose batch is a
 * clean sweep, the naive baseline never does): the per-round cost where both methods work.
 */
function activeRounds(ours: VariantFigures, naive: VariantFigures) {
  const active = ours.rounds.filter((r) => r.optimizer.sent + r.optimizer.cached > 0).map((r) => r.round);
  const sumOf = (v: VariantFigures, f: 'sent' | 'tokens') => v.rounds.filter((r) => active.includes(r.round)).reduce((n, r) => n + r.optimizer[f], 0);
  return {
    rounds: active,
    calls: { ours: sumOf(ours, 'sent'), naive: sumOf(naive, 'sent'), ratio: ratio(sumOf(ours, 'sent'), sumOf(naive, 'sent')) },
    tokens: { ours: sumOf(ours, 'tokens'), naive: sumOf(naive, 'tokens'), ratio: ratio(sumOf(ours, 'tokens'), sumOf(naive, 'tokens')) },
  };
}

/** The round-by-round and total comparison of our run against the naive one. */
function compare(ours: VariantFigures, naive: VariantFigures) {
  const equalEdits = ours.acceptedEdits === naive.acceptedEdits;
  const callsRatio = ratio(ours.total.optimizer.sent, naive.total.optimizer.sent);
  const tokensRatio = ratio(ours.total.optimizer.tokens, naive.total.optimizer.tokens);
  const perEditCalls = ours.acceptedEdits && naive.acceptedEdits ? ratio(ours.total.optimizer.sent / ours.acceptedEdits, naive.total.optimizer.sent / naive.acceptedEdits) : null;
  const perEditTokens = ours.acceptedEdits && naive.acceptedEdits ? ratio(ours.total.optimizer.tokens / ours.acceptedEdits, naive.total.optimizer.tokens / naive.acceptedEdits) : null;
  const comparable = equalEdits ? callsRatio : perEditCalls;
  const rounds = Math.max(ours.rounds.length, naive.rounds.length);
  return {
    acceptedEdits: { ours: ours.acceptedEdits, naive: naive.acceptedEdits, equal: equalEdits },
    ...(equalEdits ? {} : { note: `Accepted edits differ (ours ${ours.acceptedEdits}, naive ${naive.acceptedEdits}); the comparable figure is the ratio of optimizer calls per accepted edit.` }),
    optimizerCalls: { ours: ours.total.optimizer.sent, naive: naive.total.optimizer.sent, ratio: callsRatio },
    optimizerTokens: { ours: ours.total.optimizer.tokens, naive: naive.total.optimizer.tokens, ratio: tokensRatio },
    issuedOptimizerQueries: {
      ours: ours.total.optimizer.sent + ours.total.optimizer.cached,
      naive: naive.total.optimizer.sent + naive.total.optimizer.cached,
      ratio: ratio(ours.total.optimizer.sent + ours.total.optimizer.cached, naive.total.optimizer.sent + naive.total.optimizer.cached),
    },
    byPhase: Object.fromEntries(
      OPTIMIZER_PHASES.map((p) => [p, { ours: ours.total.byPhase[p]?.sent ?? 0, naive: naive.total.byPhase[p]?.sent ?? 0, tokensOurs: ours.total.byPhase[p]?.tokens ?? 0, tokensNaive: naive.total.byPhase[p]?.tokens ?? 0 }]),
    ),
    allCalls: { ours: ours.total.all.sent, naive: naive.total.all.sent, ratio: ratio(ours.total.all.sent, naive.total.all.sent) },
    allTokens: { ours: ours.total.all.tokens, naive: naive.total.all.tokens, ratio: ratio(ours.total.all.tokens, naive.total.all.tokens) },
    callsPerAcceptedEdit: { ours: ours.optimizerCallsPerAcceptedEdit, naive: naive.optimizerCallsPerAcceptedEdit, ratio: perEditCalls },
    tokensPerAcceptedEdit: { ours: ours.optimizerTokensPerAcceptedEdit, naive: naive.optimizerTokensPerAcceptedEdit, ratio: perEditTokens },
    perRound: Array.from({ length: rounds }, (_, i) => {
      const o = ours.rounds[i];
      const n = naive.rounds[i];
      return {
        round: i + 1,
        ours: o ? { calls: o.optimizer.sent, tokens: o.optimizer.tokens, acceptedEdits: o.acceptedEdits } : null,
        naive: n ? { calls: n.optimizer.sent, tokens: n.optimizer.tokens, acceptedEdits: n.acceptedEdits } : null,
        callsRatio: o && n ? ratio(o.optimizer.sent, n.optimizer.sent) : null,
        tokensRatio: o && n ? ratio(o.optimizer.tokens, n.optimizer.tokens) : null,
      };
    }),
    activeRounds: activeRounds(ours, naive),
    comparableRatio: comparable,
    comparableFigure: equalEdits ? 'optimizer calls' : 'optimizer calls per accepted edit',
    target: TARGET,
    meetsTarget: comparable !== null && comparable <= TARGET,
  };
}

interface ScenarioFigures {
  scenario: string;
  file: string;
  planted: number;
  optimizer: unknown;
  comparison: ReturnType<typeof compare>;
  comparisonWithLlmMerge?: ReturnType<typeof compare>;
  replay: VariantFigures['replay'];
  variants: { ours: VariantFigures; naive: VariantFigures; 'ours+llmMerge'?: VariantFigures };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const scenarios: ScenarioFigures[] = [];
  for (const file of args.scenarios) {
    const scenario = loadScenario(resolve(file));
    const world = new World(scenario);
    process.stderr.write(`P4 ${scenario.name}: ours…\n`);
    const ours = await runVariant(world, { name: 'ours', llmMerge: false, replay: true });
    process.stderr.write(`P4 ${scenario.name}: naive Algorithm 1…\n`);
    const naive = await runVariant(world, { name: 'naive', truce: () => createNaiveTruceMethod(), llmMerge: false, replay: false });
    let oursLlmMerge: VariantFigures | undefined;
    if (args.llmMergeVariant) {
      process.stderr.write(`P4 ${scenario.name}: ours with the LLM merge on…\n`);
      oursLlmMerge = await runVariant(world, { name: 'ours+llmMerge', llmMerge: true, replay: false });
    }
    scenarios.push({
      scenario: scenario.name,
      file,
      planted: world.plantedCount(),
      optimizer: scenario.optimizer,
      comparison: compare(ours, naive),
      ...(oursLlmMerge ? { comparisonWithLlmMerge: compare(oursLlmMerge, naive) } : {}),
      replay: ours.replay,
      variants: { ours, naive, ...(oursLlmMerge ? { 'ours+llmMerge': oursLlmMerge } : {}) },
    });
  }

  const sum = (pick: (v: VariantFigures) => number, which: 'ours' | 'naive') => scenarios.reduce((n, s) => n + pick(s.variants[which]), 0);
  const calls = (v: VariantFigures) => v.total.optimizer.sent;
  const tokens = (v: VariantFigures) => v.total.optimizer.tokens;
  const edits = (v: VariantFigures) => v.acceptedEdits;
  const oursEdits = sum(edits, 'ours');
  const naiveEdits = sum(edits, 'naive');
  const perEdit = oursEdits && naiveEdits ? ratio(sum(calls, 'ours') / oursEdits, sum(calls, 'naive') / naiveEdits) : null;
  const equal = scenarios.every((s) => s.comparison.acceptedEdits.equal);
  const overallRatio = equal ? ratio(sum(calls, 'ours'), sum(calls, 'naive')) : perEdit;
  const result = {
    bench: 'queryComplexity',
    target: TARGET,
    scenarios,
    overall: {
      optimizerCalls: { ours: sum(calls, 'ours'), naive: sum(calls, 'naive'), ratio: ratio(sum(calls, 'ours'), sum(calls, 'naive')) },
      optimizerTokens: { ours: sum(tokens, 'ours'), naive: sum(tokens, 'naive'), ratio: ratio(sum(tokens, 'ours'), sum(tokens, 'naive')) },
      acceptedEdits: { ours: oursEdits, naive: naiveEdits, equal },
      callsPerAcceptedEditRatio: perEdit,
      activeRounds: {
        callsRatio: ratio(scenarios.reduce((n, s) => n + s.comparison.activeRounds.calls.ours, 0), scenarios.reduce((n, s) => n + s.comparison.activeRounds.calls.naive, 0)),
        tokensRatio: ratio(scenarios.reduce((n, s) => n + s.comparison.activeRounds.tokens.ours, 0), scenarios.reduce((n, s) => n + s.comparison.activeRounds.tokens.naive, 0)),
      },
      comparableRatio: overallRatio,
      comparableFigure: equal ? 'optimizer calls' : 'optimizer calls per accepted edit',
      meetsTarget: overallRatio !== null && overallRatio <= TARGET,
      replayServerRequests: {
        resume: Math.max(...scenarios.map((s) => s.replay?.resume.serverRequests ?? Number.NaN)),
        rerun: Math.max(...scenarios.map((s) => s.replay?.rerun.serverRequests ?? Number.NaN)),
      },
    },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`queryComplexity: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
