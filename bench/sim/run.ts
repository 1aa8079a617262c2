/**
 * The simulation benchmark (DESIGN.md §8): does the optimizer recover the defects planted in a
 * scenario's prompts, and how many of the edits it accepts are real fixes, at the scenario's noise
 * level? Prints one JSON object.
 *
 *   npm run bench:sim -- --scenario bench/sim/scenarios/debate-missing.json [--ablations] [--method truce|bcd|gbc]
 *   npm run bench:sim -- --scenario FILE --world-only     (the starting and the hand-fixed scores only)
 *
 * For every variant (the full method; with --ablations also TRUCE's no-credit and no-units
 * ablations) it starts the fake OpenAI server with the world behind it, writes a fresh workspace
 * (so every variant has its own response cache), runs the optimizer loop in-process, and scores
 * the starting and the best prompt set on val and test in a separate scoring workspace, so the
 * scoring never warms the optimizer's cache. `llmCalls` and `tokens` are what the optimize run
 * sent to the server (rollouts and optimizer calls; cache hits cost nothing and are not counted).
 */
import { resolve } from 'node:path';
import { createSimResponder, loadScenario, World, writeSimWorkspace, type Scenario, type SimWorkspace } from '../../test/support/sim';
import { start, type FakeOpenAiServer } from '../../test/support/fakeOpenAiServer';
import { runWorld } from '../../test/support/sim/simRun';
import { defectRecall, editPrecision } from './figures';
import { runOptimizer } from './runOptimizer';

type Variant = 'full' | 'no-credit' | 'no-units';
type Method = Scenario['optimizer']['method'];

interface Args {
  scenario: string;
  ablations: boolean;
  method?: Method;
  /** Score the planted and the hand-fixed prompt sets only; no optimizer needed. */
  worldOnly: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Partial<Args> = { ablations: false, worldOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--scenario') args.scenario = argv[++i];
    else if (a.startsWith('--scenario=')) args.scenario = a.slice('--scenario='.length);
    else if (a === '--ablations') args.ablations = true;
    else if (a === '--world-only') args.worldOnly = true;
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
  llmCalls: number;
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
  rounds: Array<{ round: number; accepted: boolean; retained: number; reason?: string }>;
}

async function scoreSplits(ws: SimWorkspace): Promise<{ val: number; test: number }> {
  const val = await runWorld(ws, { split: 'val' });
  const test = await runWorld(ws, { split: 'test' });
  return { val: val.mean, test: test.mean };
}

async function runVariant(world: World, variant: Variant, method: Method): Promise<Figures> {
  const sim = createSimResponder(world);
  const server: FakeOpenAiServer = await start({ responder: sim.respond });
  const ws = writeSimWorkspace(world, { baseUrl: server.url });
  const scoring = writeSimWorkspace(world, { baseUrl: server.url });
  try {
    const before = await scoreSplits(scoring);
    const countsBefore = { ...sim.counts };
    const mark = server.chatRequests().length;
    const outcome = await runOptimizer({
      config: ws.config(),
      workspaceRoot: ws.dir,
      method,
      ablations: { noCredit: variant === 'no-credit', noUnits: variant === 'no-units' },
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
    const after = await scoreSplits(scoring);
    const byAgent = Object.fromEntries(world.agents.map((a) => [a, best[ws.promptFiles[a]]]));
    const defects = defectRecall(world, byAgent);
    const { precision, fixing } = editPrecision(world, outcome.accepted);
    return {
      recall: defects.recall,
      precision,
      accepted: outcome.accepted.length,
      rejected: outcome.rejected,
      llmCalls: calls.length,
      tokens: calls.reduce((n, r) => n + (r.usage ? r.usage.prompt_tokens + r.usage.completion_tokens : 0), 0),
      val: { before: before.val, after: after.val },
      test: { before: before.test, after: after.test },
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

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const file = resolve(args.scenario);
  const scenario = loadScenario(file);
  const method = args.method ?? scenario.optimizer.method;
  const world = new World(scenario);
  if (args.worldOnly) {
    process.stdout.write(`${JSON.stringify({ bench: 'sim', scenario: scenario.name, file: args.scenario, ...(await worldOnly(world)) }, null, 2)}\n`);
    return;
  }
  const full = await runVariant(world, 'full', method);
  const result: Record<string, unknown> = {
    bench: 'sim',
    scenario: scenario.name,
    file: args.scenario,
    method,
    seed: scenario.seed,
    noise: scenario.noise,
    planted: world.plantedCount(),
    ...full,
  };
  if (args.ablations) {
    if (method !== 'truce') throw new UsageError(`--ablations are TRUCE's (no-credit, no-units); drop --ablations or use --method truce (got ${method}).`);
    result.ablations = {
      'no-credit': await runVariant(world, 'no-credit', method),
      'no-units': await runVariant(world, 'no-units', method),
    };
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`bench:sim: ${message}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
