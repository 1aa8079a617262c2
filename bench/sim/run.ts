/**
 * The simulation benchmark (DESIGN.md §8): does the optimizer recover the defects planted in a
 * scenario's prompts, and how many of the edits it accepts are real fixes, at the scenario's noise
 * level? Prints one JSON object.
 *
 *   npm run bench:sim -- --scenario bench/sim/scenarios/debate-missing.json [--ablations] [--gates] [--method truce|bcd|gbc] [--seeds N [--first-seed S] [--parallel P]]
 *   npm run bench:sim -- --scenario FILE --world-only     (the starting and the hand-fixed scores only)
 *
 * For every variant (the full method; with --ablations also the no-credit and no-units ablations
 * of the chosen method — GBC has no no-credit ablation, it refuses one, and has its uniform-weights
 * ablation and its other weight estimators instead) it starts the fake OpenAI
 * server with the world behind it, writes a fresh workspace
 * (so every variant has its own response cache), runs the optimizer loop in-process, and scores
 * the starting and the best prompt set on val and test in a separate scoring workspace, so the
 * scoring never warms the optimizer's cache. `llmCalls` and `tokens` are what the optimize run
 * sent to the server (rollouts and optimizer calls; cache hits cost nothing and are not counted).
 *
 * --gates adds the full method under the Hoeffding acceptance gate next to the default paired gate,
 * with the validation rollout calls of each (`validationCalls`).
 *
 * --seeds N runs the scenario at seeds seed … seed+N−1 (--first-seed S: S … S+N−1; --parallel P: P seeds at a time) (each seed is a new world: other tasks,
 * other filler rules, other noise draws) and prints every seed's figures and, per variant, the
 * mean of each figure: one seed's comparison between variants is noisy.
 */
import { resolve } from 'node:path';
import { createSimResponder, loadScenario, World, writeSimWorkspace, type Scenario, type SimWorkspace } from '../../test/support/sim';
import { start, type FakeOpenAiServer } from '../../test/support/fakeOpenAiServer';
import { runWorld } from '../../test/support/sim/simRun';
import { DEFAULT_DELTA } from '../../src/core/optimize/accept';
import { defectRecall, editPrecision } from './figures';
import { runOptimizer } from './runOptimizer';

/**
 * `hoeffding` is the full method under the Hoeffding acceptance gate instead of the paired one;
 * `uniform-weights` is GBC's own ablation (every connection weight equal, no estimator). GBC's
 * full method runs with its default estimator (`auto`), which on the sim's server — it cannot score
 * a given text — is ablation re-runs; `judge-estimator` has an LLM rate the input blocks instead,
 * and `logprob-estimator` puts the fake's scoring route (prompt_logprobs, its token-overlap model)
 * in front of the world, so `auto` picks the likelihood estimator.
 */
type Variant = 'full' | 'no-credit' | 'no-units' | 'hoeffding' | 'uniform-weights' | 'judge-estimator' | 'logprob-estimator';
type Method = Scenario['optimizer']['method'];

interface Args {
  scenario: string;
  ablations: boolean;
  gates: boolean;
  method?: Method;
  /** Score the planted and the hand-fixed prompt sets only; no optimizer needed. */
  worldOnly: boolean;
  /** How many consecutive seeds, starting at the scenario's. */
  seeds: number;
  /** The first seed (default: the scenario's), so a long sweep can be split over processes. */
  firstSeed?: number;
  /** Seeds run at the same time (each its own server and workspaces; a run mostly waits on I/O). */
  parallel: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Partial<Args> = { ablations: false, gates: false, worldOnly: false, seeds: 1, parallel: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--scenario') args.scenario = argv[++i];
    else if (a.startsWith('--scenario=')) args.scenario = a.slice('--scenario='.length);
    else if (a === '--ablations') args.ablations = true;
    else if (a === '--gates') args.gates = true;
    else if (a === '--world-only') args.worldOnly = true;
    else if (a === '--seeds' || a.startsWith('--seeds=')) {
      const n = a === '--seeds' ? argv[++i] : a.slice('--seeds='.length);
      if (!/^\d+$/.test(n ?? '') || Number(n) < 1) throw new UsageError(`--seeds needs a whole number of at least 1; got ${JSON.stringify(n)}.`);
      args.seeds = Number(n);
    }
    else if (a === '--first-seed' || a.startsWith('--first-seed=')) {
      const n = a === '--first-seed' ? argv[++i] : a.slice('--first-seed='.length);
      if (!/^\d+$/.test(n ?? '')) throw new UsageError(`--first-seed needs a whole number; got ${JSON.stringify(n)}.`);
      args.firstSeed = Number(n);
    }
    else if (a === '--parallel' || a.startsWith('--parallel=')) {
      const n = a === '--parallel' ? argv[++i] : a.slice('--parallel='.length);
      if (!/^\d+$/.test(n ?? '') || Number(n) < 1) throw new UsageError(`--parallel needs a whole number of at least 1; got ${JSON.stringify(n)}.`);
      args.parallel = Number(n);
    }
    else if (a === '--method' || a.startsWith('--method=')) {
      const m = a === '--method' ? argv[++i] : a.slice('--method='.length);
      if (m !== 'truce' && m !== 'bcd' && m !== 'gbc') throw new UsageError(`--method must be truce, bcd or gbc; got ${JSON.stringify(m)}.`);
      args.method = m;
    } else throw new UsageError(`Unknown argument ${JSON.stringify(a)}.`);
  }
  if (!args.scenario) throw new UsageError('Name a scenario: --scenario bench/sim/scenarios/<name>.json');
  return args as Args;
}

class UsageError extends Error {}

interface Figures {
  recall: number;
  precision: number | null;
  accepted: number;
  rejected: number;
  /** Rounds whose candidate went to validation, and those whose candidate was accepted. */
  validatedRounds: number;
  acceptedRounds: number;
  llmCalls: number;
  /** Calls of the validation rollouts (the acceptance gate's cost, pruning's included). */
  validationCalls: number;
  /** Calls made while pruning accepted candidates (their validation rollouts, mostly). */
  pruningCalls: number;
  tokens: number;
  val: { before: number; after: number };
  test: { before: number; after: number };
  fixed: string[];
  remaining: string[];
  /** Accepted edits that fix a planted defect. */
  fixingEdits: number;
  callsByKind: Record<string, number>;
  optimizeRunId: string;
  status: string;
  statusReason?: string;
  /** The loop's own val/test means, for comparison with the bench's. */
  reported: { val: { before: number | null; after: number | null }; test: { before: number | null; after: number | null } };
  rounds: Array<{ round: number; accepted: boolean; retained: number; reason?: string; pruning?: string[] }>;
}

async function scoreSplits(ws: SimWorkspace): Promise<{ val: number; test: number }> {
  const val = await runWorld(ws, { split: 'val' });
  const test = await runWorld(ws, { split: 'test' });
  return { val: val.mean, test: test.mean };
}

async function runVariant(world: World, variant: Variant, method: Method): Promise<Figures> {
  const sim = createSimResponder(world);
  const server: FakeOpenAiServer = await start({ responder: sim.respond, ...(variant === 'logprob-estimator' ? { scoring: { promptLogprobs: true } } : {}) });
  const ws = writeSimWorkspace(world, { baseUrl: server.url });
  const scoring = writeSimWorkspace(world, { baseUrl: server.url });
  try {
    // A null scenario has nothing to recover and is run over hundreds of seeds: the bench's own
    // scoring is skipped there, and val/test are the loop's own figures.
    const nullWorld = world.plantedCount() === 0;
    const before = nullWorld ? undefined : await scoreSplits(scoring);
    const countsBefore = { ...sim.counts };
    const mark = server.chatRequests().length;
    const outcome = await runOptimizer({
      config: ws.config(),
      workspaceRoot: ws.dir,
      method,
      ablations: { noCredit: variant === 'no-credit', noUnits: variant === 'no-units' },
      gate: variant === 'hoeffding' ? 'hoeffding' : 'paired',
      callsSoFar: () => server.chatRequests().length,
      ...(variant === 'uniform-weights' ? { gbc: { uniformWeights: true } } : variant === 'judge-estimator' ? { gbc: { estimator: 'judge' } } : {}),
    });
    const calls = server.chatRequests().slice(mark);
    const callsByKind: Record<string, number> = {};
    for (const [kind, n] of Object.entries(sim.counts)) {
      const d = (n ?? 0) - (countsBefore[kind as keyof typeof countsBefore] ?? 0);
      if (d > 0) callsByKind[kind] = d;
    }
    if (sim.refused.length) {
      throw new Error(`The simulation world refused ${sim.refused.length} call(s) of the optimizer, so the figures would be wrong:\n  ${[...new Set(sim.refused)].slice(0, 5).join('\n  ')}`);
    }
    const best = outcome.bestPrompts;
    for (const agent of world.agents) {
      const text = best[ws.promptFiles[agent]];
      if (text === undefined) throw new Error(`The optimizer's best prompt set has no ${ws.promptFiles[agent]}.`);
      scoring.writeText(agent, text);
    }
    const after = nullWorld ? undefined : await scoreSplits(scoring);
    const byAgent = Object.fromEntries(world.agents.map((a) => [a, best[ws.promptFiles[a]]]));
    const defects = defectRecall(world, byAgent);
    const { precision, fixing } = editPrecision(world, outcome.accepted);
    return {
      recall: defects.recall,
      precision,
      accepted: outcome.accepted.length,
      rejected: outcome.rejected,
      validatedRounds: outcome.rounds.filter((r) => r.reason !== undefined).length,
      acceptedRounds: outcome.rounds.filter((r) => r.accepted).length,
      llmCalls: calls.length,
      validationCalls: outcome.validationCalls,
      pruningCalls: outcome.pruningCalls,
      tokens: calls.reduce((n, r) => n + (r.usage ? r.usage.prompt_tokens + r.usage.completion_tokens : 0), 0),
      val: before && after ? { before: before.val, after: after.val } : { before: outcome.reported.val.before ?? Number.NaN, after: outcome.reported.val.after ?? Number.NaN },
      test: before && after ? { before: before.test, after: after.test } : { before: outcome.reported.test.before ?? Number.NaN, after: outcome.reported.test.after ?? Number.NaN },
      fixed: defects.fixed,
      remaining: defects.remaining,
      fixingEdits: fixing,
      callsByKind,
      optimizeRunId: outcome.runId,
      status: outcome.status,
      ...(outcome.reason ? { statusReason: outcome.reason } : {}),
      reported: outcome.reported,
      rounds: outcome.rounds,
    };
  } finally {
    await server.close();
    ws.remove();
    scoring.remove();
  }
}

/** The scores the optimizer starts from and the ones a perfect repair reaches, through runMas. */
async function worldOnly(world: World): Promise<Record<string, unknown>> {
  const sim = createSimResponder(world);
  const server = await start({ responder: sim.respond });
  const ws = writeSimWorkspace(world, { baseUrl: server.url });
  try {
    const planted = await scoreSplits(ws);
    for (const agent of world.agents) ws.writeRules(agent, world.intendedRules(agent));
    const fixed = await scoreSplits(ws);
    return { planted: world.plantedCount(), val: { planted: planted.val, fixedByHand: fixed.val }, test: { planted: planted.test, fixedByHand: fixed.test }, llmCalls: server.chatRequests().length, refused: sim.refused };
  } finally {
    await server.close();
    ws.remove();
  }
}

/**
 * The variants --ablations adds for a method: GBC refuses --no-credit (its credit is what picks the
 * agents) and has its authors' uniform-weights ablation instead.
 */
function ablationsOf(method: Method): Variant[] {
  return method === 'gbc' ? ['no-units', 'uniform-weights', 'judge-estimator', 'logprob-estimator'] : ['no-credit', 'no-units'];
}

type Numeric = 'recall' | 'precision' | 'accepted' | 'rejected' | 'validatedRounds' | 'acceptedRounds' | 'llmCalls' | 'validationCalls' | 'pruningCalls' | 'tokens';

/** Means over seeds; precision only over the seeds where something was accepted (it is undefined otherwise). */
function meanFigures(all: readonly Figures[]): Record<string, unknown> {
  const avg = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const of = (k: Numeric) => avg(all.map((f) => f[k]).filter((x): x is number => typeof x === 'number'));
  return {
    seeds: all.length,
    recall: of('recall'),
    precision: of('precision'),
    precisionSeeds: all.filter((f) => f.precision !== null).length,
    accepted: of('accepted'),
    rejected: of('rejected'),
    validatedRounds: of('validatedRounds'),
    /** Share of seeds whose run accepted at least one candidate. */
    runsWithAcceptance: avg(all.map((f) => (f.acceptedRounds > 0 ? 1 : 0))),
    llmCalls: of('llmCalls'),
    validationCalls: of('validationCalls'),
    pruningCalls: of('pruningCalls'),
    tokens: of('tokens'),
    val: { before: avg(all.map((f) => f.val.before)), after: avg(all.map((f) => f.val.after)) },
    test: { before: avg(all.map((f) => f.test.before)), after: avg(all.map((f) => f.test.after)) },
  };
}

/**
 * A scenario with nothing planted is a null scenario: no edit can raise the true success rate, so
 * every accepted candidate is a false acceptance. Per variant: the share of seeds (runs) that
 * accepted anything — what δ bounds, over a whole run — with a 95% Wilson interval, and how many
 * candidates were put to the gate.
 */
function nullFigures(variants: readonly Variant[], perSeed: ReadonlyArray<{ figures: Partial<Record<Variant, Figures>> }>): Record<string, unknown> {
  const n = perSeed.length;
  const wilson = (k: number) => {
    const z = 1.96;
    const p = k / n;
    const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
    const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
    return [Math.max(0, centre - half), Math.min(1, centre + half)];
  };
  return {
    // The sim workspaces leave optimizer.delta at its default.
    delta: DEFAULT_DELTA,
    runs: n,
    byVariant: Object.fromEntries(
      variants.map((v) => {
        const figures = perSeed.map((p) => p.figures[v] as Figures);
        const falseRuns = figures.filter((f) => f.acceptedRounds > 0).length;
        const candidates = figures.reduce((a, f) => a + f.validatedRounds, 0);
        const falseCandidates = figures.reduce((a, f) => a + f.acceptedRounds, 0);
        return [v, { falseAcceptanceRate: falseRuns / n, falseRuns, wilson95: wilson(falseRuns), candidatesValidated: candidates, candidatesAccepted: falseCandidates, validationCallsPerRun: figures.reduce((a, f) => a + f.validationCalls, 0) / n }];
      }),
    ),
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const file = resolve(args.scenario);
  const scenario = loadScenario(file);
  const method = args.method ?? scenario.optimizer.method;
  if (args.worldOnly) {
    process.stdout.write(`${JSON.stringify({ bench: 'sim', scenario: scenario.name, file: args.scenario, ...(await worldOnly(new World(scenario))) }, null, 2)}\n`);
    return;
  }
  const variants: Variant[] = ['full', ...(args.gates ? (['hoeffding'] as Variant[]) : []), ...(args.ablations ? ablationsOf(method) : [])];
  const perSeed: Array<{ seed: number; planted: number; figures: Partial<Record<Variant, Figures>> }> = [];
  const runSeed = async (k: number) => {
    const seed = (args.firstSeed ?? scenario.seed) + k;
    const world = new World({ ...scenario, seed });
    const figures: Partial<Record<Variant, Figures>> = {};
    for (const v of variants) {
      figures[v] = await runVariant(world, v, method);
      process.stderr.write(`bench:sim seed ${seed} ${v}: recall ${figures[v]?.recall}, precision ${figures[v]?.precision}, test ${figures[v]?.test.before.toFixed(3)}→${figures[v]?.test.after.toFixed(3)}, ${figures[v]?.llmCalls} calls (${figures[v]?.validationCalls} validation, ${figures[v]?.pruningCalls} pruning), ${figures[v]?.acceptedRounds} of ${figures[v]?.validatedRounds} candidates accepted\n`);
    }
    perSeed[k] = { seed, planted: world.plantedCount(), figures };
  };
  let next = 0;
  const worker = async () => {
    while (next < args.seeds) await runSeed(next++);
  };
  await Promise.all(Array.from({ length: Math.min(args.parallel, args.seeds) }, worker));
  const head = { bench: 'sim', scenario: scenario.name, file: args.scenario, method, noise: scenario.noise };
  const ablationsOfSeed = (f: Partial<Record<Variant, Figures>>) => Object.fromEntries(variants.filter((v) => v !== 'full').map((v) => [v, f[v]]));
  let result: Record<string, unknown>;
  if (args.seeds === 1) {
    const only = perSeed[0];
    result = { ...head, seed: only.seed, planted: only.planted, ...only.figures.full, ...(args.ablations || args.gates ? { ablations: ablationsOfSeed(only.figures) } : {}) };
  } else {
    result = {
      ...head,
      seeds: perSeed.map((p) => p.seed),
      planted: perSeed[0].planted,
      mean: Object.fromEntries(variants.map((v) => [v, meanFigures(perSeed.map((p) => p.figures[v] as Figures))])),
      ...(perSeed[0].planted === 0 ? { nullScenario: nullFigures(variants, perSeed) } : {}),
      perSeed: perSeed.map((p) => ({ seed: p.seed, ...p.figures.full, ...(args.ablations || args.gates ? { ablations: ablationsOfSeed(p.figures) } : {}) })),
    };
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`bench:sim: ${message}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
