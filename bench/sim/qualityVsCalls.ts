/**
 * Quality against calls spent ("credit must pay for itself", issue 13): for a scenario, the
 * best-so-far test score after every N LLM calls of full TRUCE (or the scenario's method), its
 * no-credit and no-units ablations, and ax GEPA, all given the same call budget. Prints one JSON
 * document with a table per scenario (rows: N; columns: variants) and, per variant, the calls at
 * which it first held every planted fix.
 *
 *   npm run bench:curve -- --scenario bench/sim/scenarios/mixed-noise30.json [--budget 2000] [--rounds 6] [--seeds 3] [--checkpoints 10] [--no-gepa] [--intervene]
 *
 * --intervene runs full TRUCE (or the scenario's method) without and with the optimizer's
 * intervention phase (optimizer.intervene, its defaults otherwise) on the same seeds, and
 * reports per variant the calls to reach every planted fix, the final recall and precision, and
 * the interventions made and the calls they spent (stored in bench/results.json under
 * "interventionInOptimizer").
 *
 * Equal calls. Every variant of ours runs with `budget.maxCalls` = the budget and `--rounds`
 * rounds (more than the scenario's own, so a cheap variant can spend what a dear one spends
 * instead of stopping early); GEPA gets the same budget (runGepa.ts). The curve of a variant at N
 * is the test score of the prompt set it held as best after having spent N calls:
 * - ours: the best set after each finished round (the best only changes inside a round, at
 *   acceptance and pruning), at the calls spent to the end of that round (round records' usage);
 *   a round cut short by the budget did not change the best;
 * - GEPA: the candidate with the highest validation score among those in its pool by then (ties to
 *   the later one, as ax picks), at the calls spent when it joined the pool (gepaCandidates.ts).
 * Test scores come from the world's own in-process play of the MAS (predictScore: the same replies
 * the server gives), so scoring spends no calls; the bench checks once per seed that this equals
 * the starting set's test score through the real run engine over HTTP.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadScenario, World, writeSimWorkspace, promptFileText } from '../../test/support/sim';
import { predictScore } from '../../test/support/sim/predict';
import { runWorld } from '../../test/support/sim/simRun';
import { start } from '../../test/support/fakeOpenAiServer';
import type { RoundRecord } from '../../src/core/optimize/optimizeLoop';
import { optimizeDir, readPrompts, readRoundRecords } from '../../src/core/optimize/optimizeStore';
import { splitTasks } from '../../src/core/tasks/splitTasks';
import { createPeerResponder } from '../peers/peerResponder';
import { runGepa } from '../peers/runGepa';
import { defectRecall, editPrecision } from './figures';
import { runOptimizer } from './runOptimizer';

class UsageError extends Error {}

interface Args {
  scenario: string;
  budget: number;
  rounds: number;
  seeds: number;
  checkpoints: number;
  gepa: boolean;
  /** Full TRUCE with and without the intervention phase (optimizer.intervene) instead of the ablations and GEPA. */
  intervene: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { scenario: '', budget: 2000, rounds: 6, seeds: 1, checkpoints: 10, gepa: true, intervene: false };
  const whole = (name: string, raw: string | undefined, min: number) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} needs a whole number of at least ${min}; got ${JSON.stringify(raw)}.`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [name, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    if (name === '--scenario') args.scenario = value() ?? '';
    else if (name === '--budget') args.budget = whole('--budget', value(), 50);
    else if (name === '--rounds') args.rounds = whole('--rounds', value(), 1);
    else if (name === '--seeds') args.seeds = whole('--seeds', value(), 1);
    else if (name === '--checkpoints') args.checkpoints = whole('--checkpoints', value(), 1);
    else if (name === '--no-gepa') args.gepa = false;
    else if (name === '--intervene') args.intervene = true;
    else throw new UsageError(`Unknown argument ${JSON.stringify(a)}.`);
  }
  if (!args.scenario) throw new UsageError('Name a scenario: --scenario bench/sim/scenarios/<name>.json');
  return args;
}

/** One point of a curve: after `calls` calls the variant held a set with this test score. */
interface Point {
  calls: number;
  test: number;
  recall: number;
}

interface Curve {
  variant: string;
  /** Steps in order of calls; the first is the starting set at 0 calls. */
  points: Point[];
  spent: number;
  /** Calls when every planted defect was first gone from the held set (null: never). */
  callsToAllFixes: number | null;
  status?: string;
  /** Ours only: recall and precision of the final set, and what the intervention phase did and spent. */
  final?: { recall: number; precision: number | null; accepted: number; interventions: number; confirmed: number; refuted: number; interventionCalls: number };
}

type Prompts = Readonly<Record<string, string>>;

function testScorer(world: World) {
  const s = world.scenario;
  const { test } = splitTasks(world.tasks, { train: s.tasks.train, val: s.tasks.val, test: s.tasks.test }, s.seed);
  const memo = new Map<string, number>();
  return {
    tasks: test,
    score(prompts: Prompts): number {
      const key = JSON.stringify(world.agents.map((a) => prompts[a]));
      let v = memo.get(key);
      if (v === undefined) {
        v = test.length ? test.reduce((n, t) => n + predictScore(world, t, prompts), 0) / test.length : 0;
        memo.set(key, v);
      }
      return v;
    },
  };
}

function finish(variant: string, points: Point[], spent: number, status?: string): Curve {
  const full = points.find((p) => p.recall >= 1 - 1e-9);
  return { variant, points, spent, callsToAllFixes: full ? full.calls : null, ...(status ? { status } : {}) };
}

type OursVariant = 'full' | 'no-credit' | 'no-units' | 'full+intervene';

async function oursCurve(world: World, variant: OursVariant, args: Args, score: (p: Prompts) => number): Promise<Curve> {
  const peer = createPeerResponder(world);
  const server = await start({ responder: peer.respond });
  const ws = writeSimWorkspace(world, { baseUrl: server.url });
  try {
    const base = ws.config();
    const intervene = { ...base.optimizer.intervene, enabled: variant === 'full+intervene' };
    const config = { ...base, budget: { ...base.budget, maxCalls: args.budget }, optimizer: { ...base.optimizer, rounds: args.rounds, intervene } };
    const outcome = await runOptimizer({ config, workspaceRoot: ws.dir, method: world.scenario.optimizer.method, ablations: { noCredit: variant === 'no-credit', noUnits: variant === 'no-units' } });
    const refused = [...peer.refused, ...peer.sim.refused];
    if (refused.length) throw new Error(`The world refused ${refused.length} call(s) of ${variant}: ${refused[0]}`);
    const dir = optimizeDir(ws.dir, outcome.runId);
    const stored = await readPrompts(dir);
    if (!stored) throw new Error(`${dir} has no prompts.json`);
    const byAgent = (texts: Prompts) => Object.fromEntries(world.agents.map((a) => [a, texts[ws.promptFiles[a]] ?? '']));
    let held = byAgent(stored.initial);
    const points: Point[] = [{ calls: 0, test: score(held), recall: defectRecall(world, held).recall }];
    let calls = 0;
    const records = await readRoundRecords<RoundRecord>(dir);
    for (const r of records) {
      calls += Object.values(r.usage).reduce((n, u) => n + u.calls, 0);
      if (r.bestTexts) held = byAgent(r.bestTexts);
      points.push({ calls, test: score(held), recall: defectRecall(world, held).recall });
    }
    const checks = records.flatMap((r) => r.interventions ?? []);
    const final = {
      recall: defectRecall(world, held).recall,
      precision: editPrecision(world, outcome.accepted).precision,
      accepted: outcome.accepted.length,
      interventions: checks.length,
      confirmed: checks.filter((c) => c.verdict === 'confirmed').length,
      refuted: checks.filter((c) => c.verdict === 'refuted').length,
      interventionCalls: records.reduce((n, r) => n + (r.usage.intervention?.calls ?? 0), 0),
    };
    return { ...finish(variant, points, server.chatRequests().length, outcome.status), final };
  } finally {
    await server.close();
    ws.remove();
  }
}

async function gepaCurve(world: World, args: Args, score: (p: Prompts) => number): Promise<Curve> {
  const peer = createPeerResponder(world);
  const server = await start({ responder: peer.respond });
  try {
    const spent = () => ({ llmCalls: server.chatRequests().length, tokens: 0 });
    const outcome = await runGepa(world, server.url, args.budget, { label: 'ax-gepa (minibatch 6)', minibatchSize: 6, seed: 1 }, spent);
    const start0 = Object.fromEntries(world.agents.map((a) => [a, promptFileText(world, a, world.plantedRules(a))]));
    const points: Point[] = [{ calls: 0, test: score(start0), recall: defectRecall(world, start0).recall }];
    let best: { valScore: number; prompts: Prompts } | undefined;
    for (const c of outcome.pool) {
      if (!best || c.valScore >= best.valScore) best = { valScore: c.valScore, prompts: c.instructions };
      points.push({ calls: c.llmCalls, test: score(best.prompts), recall: defectRecall(world, best.prompts).recall });
    }
    return finish('ax-gepa (minibatch 6)', points, server.chatRequests().length);
  } finally {
    await server.close();
  }
}

/** The curve's value after `n` calls: the last step at or before n. */
function at(curve: Curve, n: number): number {
  let v = curve.points[0].test;
  for (const p of curve.points) if (p.calls <= n) v = p.test;
  return v;
}

async function checkScorer(world: World, score: (p: Prompts) => number): Promise<{ predicted: number; runEngine: number }> {
  const peer = createPeerResponder(world);
  const server = await start({ responder: peer.respond });
  const ws = writeSimWorkspace(world, { baseUrl: server.url });
  try {
    const runEngine = (await runWorld(ws, { split: 'test' })).mean;
    const predicted = score(Object.fromEntries(world.agents.map((a) => [a, ws.readPrompt(a)])));
    if (Math.abs(runEngine - predicted) > 1e-9) throw new Error(`The in-process test score ${predicted} differs from the run engine's ${runEngine}; the curve would be wrong.`);
    return { predicted, runEngine };
  } finally {
    await server.close();
    ws.remove();
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const scenario = loadScenario(resolve(args.scenario));
  if (scenario.planted.missing.length + scenario.planted.harmful.length === 0) throw new UsageError(`${scenario.name} plants nothing: its best-so-far test score cannot move, so it has no curve.`);
  const variants: OursVariant[] = args.intervene ? ['full', 'full+intervene'] : ['full', ...(scenario.optimizer.method === 'gbc' ? [] : (['no-credit'] as const)), 'no-units'];
  const checkpoints = Array.from({ length: args.checkpoints }, (_, i) => Math.round((args.budget * (i + 1)) / args.checkpoints));
  const perSeed: Array<{ seed: number; check: { predicted: number; runEngine: number }; curves: Curve[] }> = [];
  for (let k = 0; k < args.seeds; k++) {
    const seed = scenario.seed + k;
    const world = new World({ ...scenario, seed });
    const scorer = testScorer(world);
    const check = await checkScorer(world, scorer.score);
    const curves: Curve[] = [];
    for (const v of variants) {
      curves.push(await oursCurve(world, v, args, scorer.score));
      process.stderr.write(`bench:curve ${scenario.name} seed ${seed} ${v}: ${JSON.stringify(curves[curves.length - 1].points.map((p) => [p.calls, Number(p.test.toFixed(3))]))}\n`);
    }
    if (args.gepa && !args.intervene) {
      curves.push(await gepaCurve(world, args, scorer.score));
      process.stderr.write(`bench:curve ${scenario.name} seed ${seed} gepa: ${curves[curves.length - 1].points.length - 1} candidates\n`);
    }
    perSeed.push({ seed, check, curves });
  }
  const names = perSeed[0].curves.map((c) => c.variant);
  const meanAt = (variant: string, n: number) => perSeed.reduce((s, p) => s + at(p.curves.find((c) => c.variant === variant) as Curve, n), 0) / perSeed.length;
  const table = checkpoints.map((n) => ({ calls: n, ...Object.fromEntries(names.map((v) => [v, Number(meanAt(v, n).toFixed(3))])) }));
  // Area under the best-so-far curve over the budget (mean test score over N in 1..budget): one number per variant.
  const area = (variant: string) => {
    let sum = 0;
    for (const p of perSeed) {
      const c = p.curves.find((x) => x.variant === variant) as Curve;
      for (let n = 1; n <= args.budget; n += 10) sum += at(c, n);
    }
    return sum / (perSeed.length * Math.ceil(args.budget / 10));
  };
  const fullBeatsNoCredit = names.includes('no-credit') ? table.filter((r) => (r as Record<string, number>).full > (r as Record<string, number>)['no-credit'] + 1e-9).length : null;
  const tie = names.includes('no-credit') ? table.filter((r) => Math.abs((r as Record<string, number>).full - (r as Record<string, number>)['no-credit']) <= 1e-9).length : null;
  const result = {
    bench: 'curve',
    scenario: scenario.name,
    file: args.scenario,
    method: scenario.optimizer.method,
    noise: scenario.noise,
    budget: args.budget,
    rounds: args.rounds,
    seeds: perSeed.map((p) => p.seed),
    table,
    meanTestOverBudget: Object.fromEntries(names.map((v) => [v, Number(area(v).toFixed(3))])),
    ...(fullBeatsNoCredit !== null ? { fullVsNoCredit: { checkpoints: table.length, fullAhead: fullBeatsNoCredit, tied: tie, noCreditAhead: table.length - (fullBeatsNoCredit ?? 0) - (tie ?? 0) } } : {}),
    callsToAllFixes: Object.fromEntries(names.map((v) => [v, perSeed.map((p) => (p.curves.find((c) => c.variant === v) as Curve).callsToAllFixes)])),
    finals: Object.fromEntries(names.map((v) => [v, finalsOf(perSeed.map((p) => p.curves.find((c) => c.variant === v) as Curve))])),
    perSeed,
  };
  if (args.intervene) storeInterventionFigures(result);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

/** Per seed and averaged over seeds: final recall and precision, and the intervention phase's work and calls. */
function finalsOf(curves: readonly Curve[]) {
  const finals = curves.map((c) => c.final).filter((f): f is NonNullable<Curve['final']> => f !== undefined);
  const mean = (xs: Array<number | null>) => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length ? Number((v.reduce((a, b) => a + b, 0) / v.length).toFixed(3)) : null;
  };
  return {
    perSeed: finals,
    mean: {
      callsToAllFixes: mean(curves.map((c) => c.callsToAllFixes)),
      reachedAllFixes: `${curves.filter((c) => c.callsToAllFixes !== null).length} of ${curves.length}`,
      spent: mean(curves.map((c) => c.spent)),
      recall: mean(finals.map((f) => f.recall)),
      precision: mean(finals.map((f) => f.precision)),
      interventions: mean(finals.map((f) => f.interventions)),
      interventionCalls: mean(finals.map((f) => f.interventionCalls)),
    },
  };
}

/** The --intervene figures go into bench/results.json under "interventionInOptimizer", by scenario (other keys are kept). */
function storeInterventionFigures(result: { scenario: string; budget: number; rounds: number; seeds: number[]; callsToAllFixes: unknown; finals: unknown }): void {
  const path = resolve(__dirname, '..', '..', '..', 'bench', 'results.json');
  const results = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
  const key = 'interventionInOptimizer';
  const byScenario = (results[key] ?? {}) as Record<string, unknown>;
  byScenario[result.scenario] = { generatedAt: new Date().toISOString(), budget: result.budget, rounds: result.rounds, seeds: result.seeds, callsToAllFixes: result.callsToAllFixes, finals: result.finals };
  results[key] = byScenario;
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`bench:curve: ${message}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
