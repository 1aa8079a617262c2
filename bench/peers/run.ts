/**
 * P6, peers side by side: our optimizer and the Node-side optimizers a user would otherwise pick,
 * in the same simulation scenario, through the same fake endpoint, on the same LLM-call budget.
 * Prints one JSON document with a row per optimizer.
 *
 *   npm run bench:peers -- --scenario bench/sim/scenarios/mixed-noise30.json [--budget N | --budget-sweep a,b,...]
 *
 * Ours runs first (bench/sim/runOptimizer.ts, as bench/sim/run.ts does); its LLM-call count is the
 * budget every peer gets unless --budget is given. --budget-sweep runs every peer once per listed
 * budget ("ours" stands for our call count), one row each, to show where each reaches its best;
 * ours runs once either way (its spend is its own; its calls-to-best says how soon it got there). Every optimizer's starting and final prompt
 * sets are scored on val and test by the sim's own scoring (our run engine, runWorld), in a
 * scoring workspace of their own whose calls are not counted. Recall is over the planted defects
 * (bench/sim/figures.ts defectRecall on the final prompts); precision is reported per rule change
 * for every row (ruleChanges.ts) and, for ours, also per accepted edit (figures.ts).
 * Every row also has `toBest`: the calls and tokens spent until the optimizer first held the prompt
 * set it returned, and until it first reached that set's val score (toBest.ts; ours read from the
 * run's stored round records, oursTrail.ts; GEPA from its candidate log, gepaCandidates.ts).
 *
 * Peers:
 * - ax GEPA (`@ax-llm/ax` AxGEPA over an AxFlow with one instruction per agent), in two settings:
 *   ax's own "light" preset minibatch (15) and the small minibatch of ax's GEPA examples (6).
 * - ax MiPRO: not run; `@ax-llm/ax` ≥ 20 no longer ships AxMiPRO (latest is 24.x), and the last
 *   versions that did (≤ 19) require a separate Python optimizer service and tune one AxGen only.
 * - promptfoo's `promptfoo optimize`: not run; it tunes exactly one prompt against one provider
 *   (no per-agent instructions of a MAS) and its current release requires Node ≥ 22.22, above the
 *   Node 20 this project supports.
 * What the simulated peers see and do is documented in axFlow.ts and peerResponder.ts.
 */
import { resolve } from 'node:path';
import { loadScenario, World, writeSimWorkspace, type SimWorkspace } from '../../test/support/sim';
import { start, type FakeOpenAiServer, type RecordedRequest } from '../../test/support/fakeOpenAiServer';
import { runWorld } from '../../test/support/sim/simRun';
import { defectRecall, editPrecision } from '../sim/figures';
import { runOptimizer } from '../sim/runOptimizer';
import { rulesOfInstruction } from './axFlow';
import { createPeerResponder, type PeerResponder } from './peerResponder';
import { oursTrail } from './oursTrail';
import { ruleChanges, rulesOfPromptFile, type RuleChangeFigures } from './ruleChanges';
import { callsPerRollout, runGepa, type GepaConfig } from './runGepa';
import type { ToBest } from './toBest';

class UsageError extends Error {}

interface Args {
  scenario: string;
  budget?: number;
  /** Budgets to run the peers at; 'ours' is our optimizer's call count. */
  budgetSweep?: Array<number | 'ours'>;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Partial<Args> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (name: string) => (a === name ? argv[++i] : a.slice(name.length + 1));
    if (a === '--scenario' || a.startsWith('--scenario=')) args.scenario = value('--scenario');
    else if (a === '--budget' || a.startsWith('--budget=')) {
      const n = Number(value('--budget'));
      if (!Number.isInteger(n) || n <= 0) throw new UsageError('--budget must be a positive whole number of LLM calls.');
      args.budget = n;
    } else if (a === '--budget-sweep' || a.startsWith('--budget-sweep=')) {
      const list = value('--budget-sweep') ?? '';
      args.budgetSweep = list.split(',').map((item) => {
        if (item.trim() === 'ours') return 'ours';
        const n = Number(item);
        if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--budget-sweep takes positive whole numbers of LLM calls or "ours", comma-separated; got ${JSON.stringify(item)}.`);
        return n;
      });
    } else throw new UsageError(`Unknown argument ${JSON.stringify(a)}.`);
  }
  if (args.budget !== undefined && args.budgetSweep) throw new UsageError('Give --budget or --budget-sweep, not both.');
  if (!args.scenario) throw new UsageError('Name a scenario: --scenario bench/sim/scenarios/<name>.json');
  return args as Args;
}

interface Row {
  optimizer: string;
  recall: number;
  /** Per rule change, the same measure for every row. */
  precision: number | null;
  ruleChanges: RuleChangeFigures;
  val: { before: number; after: number };
  test: { before: number; after: number };
  llmCalls: number;
  tokens: number;
  /** llmCalls without the optimizer's own final test scoring (ours scores test inside optimize; GEPA never does). */
  optimizeCalls: number;
  /** Spend until the returned prompt set was first held / its val score first reached (toBest.ts). */
  toBest: ToBest;
  budget: number;
  fixed: string[];
  remaining: string[];
  detail: Record<string, unknown>;
}

const GEPA_CONFIGS: GepaConfig[] = [
  { label: 'ax-gepa (minibatch 15, ax "light")', minibatchSize: 15, seed: 1 },
  { label: 'ax-gepa (minibatch 6)', minibatchSize: 6, seed: 1 },
];

function spent(requests: readonly RecordedRequest[]): { llmCalls: number; tokens: number } {
  return { llmCalls: requests.length, tokens: requests.reduce((n, r) => n + (r.usage ? r.usage.prompt_tokens + r.usage.completion_tokens : 0), 0) };
}

async function scoreSplits(ws: SimWorkspace): Promise<{ val: number; test: number }> {
  return { val: (await runWorld(ws, { split: 'val' })).mean, test: (await runWorld(ws, { split: 'test' })).mean };
}

/** Scores a prompt set (prompt file text per agent; the planted one when omitted) in a fresh scoring workspace. */
async function scorePrompts(world: World, baseUrl: string, files?: Readonly<Record<string, string>>): Promise<{ val: number; test: number }> {
  const ws = writeSimWorkspace(world, { baseUrl });
  try {
    if (files) for (const agent of world.agents) ws.writeText(agent, files[agent]);
    return await scoreSplits(ws);
  } finally {
    ws.remove();
  }
}

/** An ax instruction as a prompt file: the front matter our prompt files carry, then the instruction. */
function promptFileOfInstruction(world: World, agent: string, instruction: string): string {
  return `---\nkind: ${world.isRole(agent) ? 'role' : 'aggregator'}\n---\n\n${instruction.trim()}\n`;
}

function checkRefusals(peer: PeerResponder, who: string): void {
  const refused = [...peer.refused, ...peer.sim.refused];
  if (refused.length) throw new Error(`The simulation world refused ${refused.length} call(s) during ${who}, so its figures would be wrong:\n  ${[...new Set(refused)].slice(0, 5).join('\n  ')}`);
}

function figures(world: World, startRules: Record<string, string[]>, finalRules: Record<string, string[]>, promptsByAgent: Record<string, string>) {
  const defects = defectRecall(world, promptsByAgent);
  const changes = ruleChanges(world, startRules, finalRules);
  return { recall: defects.recall, fixed: defects.fixed, remaining: defects.remaining, changes };
}

async function runOurs(world: World, server: FakeOpenAiServer, peer: PeerResponder, before: { val: number; test: number }, budget: number | undefined): Promise<Row> {
  const ws = writeSimWorkspace(world, { baseUrl: server.url });
  try {
    const mark = server.chatRequests().length;
    const outcome = await runOptimizer({ config: ws.config(), workspaceRoot: ws.dir, method: world.scenario.optimizer.method, ablations: { noCredit: false, noUnits: false } });
    const used = spent(server.chatRequests().slice(mark));
    checkRefusals(peer, 'our optimize run');
    const prompts = Object.fromEntries(world.agents.map((a) => [a, outcome.bestPrompts[ws.promptFiles[a]]]));
    for (const agent of world.agents) if (prompts[agent] === undefined) throw new Error(`Our best prompt set has no ${ws.promptFiles[agent]}.`);
    const startRules = Object.fromEntries(world.agents.map((a) => [a, world.plantedRules(a)]));
    const finalRules = Object.fromEntries(world.agents.map((a) => [a, rulesOfPromptFile(prompts[a])]));
    const f = figures(world, startRules, finalRules, prompts);
    const after = await scorePrompts(world, server.url, prompts);
    const edits = editPrecision(world, outcome.accepted);
    const trail = await oursTrail(ws.dir, outcome.runId, outcome.reported.val.before, used.llmCalls);
    return {
      optimizer: `truce (${world.scenario.optimizer.method})`,
      recall: f.recall,
      precision: f.changes.precision,
      ruleChanges: f.changes,
      val: { before: before.val, after: after.val },
      test: { before: before.test, after: after.test },
      ...used,
      optimizeCalls: used.llmCalls - trail.accounting.test,
      toBest: trail.toBest,
      budget: budget ?? used.llmCalls,
      fixed: f.fixed,
      remaining: f.remaining,
      detail: { editPrecision: edits.precision, acceptedEdits: outcome.accepted.length, fixingEdits: edits.fixing, status: outcome.status, runId: outcome.runId, spendAccounting: trail.accounting, trail: trail.trail },
    };
  } finally {
    ws.remove();
  }
}

async function runGepaRow(world: World, server: FakeOpenAiServer, peer: PeerResponder, before: { val: number; test: number }, budget: number, config: GepaConfig): Promise<Row> {
  const mark = server.chatRequests().length;
  const countsBefore = { ...peer.counts };
  const outcome = await runGepa(world, server.url, budget, config, () => spent(server.chatRequests().slice(mark)));
  const used = spent(server.chatRequests().slice(mark));
  checkRefusals(peer, config.label);
  const callsByKind = Object.fromEntries(Object.entries(peer.counts).map(([k, n]) => [k, (n ?? 0) - (countsBefore[k as keyof typeof countsBefore] ?? 0)]).filter(([, n]) => (n as number) > 0));
  const startRules = Object.fromEntries(world.agents.map((a) => [a, world.plantedRules(a)]));
  const finalRules = Object.fromEntries(world.agents.map((a) => [a, rulesOfInstruction(outcome.instructions[a])]));
  const f = figures(world, startRules, finalRules, outcome.instructions);
  const files = Object.fromEntries(world.agents.map((a) => [a, promptFileOfInstruction(world, a, outcome.instructions[a])]));
  const after = await scorePrompts(world, server.url, files);
  return {
    optimizer: config.label,
    recall: f.recall,
    precision: f.changes.precision,
    ruleChanges: f.changes,
    val: { before: before.val, after: after.val },
    test: { before: before.test, after: after.test },
    ...used,
    optimizeCalls: used.llmCalls,
    toBest: outcome.toBest,
    budget,
    fixed: f.fixed,
    remaining: f.remaining,
    detail: {
      maxMetricCalls: outcome.maxMetricCalls,
      callsPerRollout: callsPerRollout(world),
      numTrials: outcome.numTrials,
      minibatchSize: config.minibatchSize,
      paretoSetSize: outcome.paretoSetSize,
      candidates: outcome.candidates,
      gepaBestScore: outcome.bestScore,
      bestCandidate: outcome.bestCandidate,
      candidateTrail: outcome.marks,
      callsByKind,
    },
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const scenario = loadScenario(resolve(args.scenario));
  const world = new World(scenario);
  const peer = createPeerResponder(world);
  const server = await start({ responder: peer.respond });
  try {
    const before = await scorePrompts(world, server.url);
    const ours = await runOurs(world, server, peer, before, args.budget);
    const budget = args.budget ?? ours.llmCalls;
    const budgets = args.budgetSweep ? [...new Set(args.budgetSweep.map((b) => (b === 'ours' ? ours.llmCalls : b)))].sort((a, b) => a - b) : [budget];
    const rows: Row[] = [ours];
    for (const config of GEPA_CONFIGS) for (const b of budgets) rows.push(await runGepaRow(world, server, peer, before, b, config));
    const result = {
      bench: 'peers',
      scenario: scenario.name,
      file: args.scenario,
      seed: scenario.seed,
      noise: scenario.noise,
      planted: world.plantedCount(),
      budget,
      budgets,
      // One line per row, for reading the sweep at a glance; the rows hold every figure.
      table: rows.map((r) => ({
        optimizer: r.optimizer,
        budget: r.budget,
        recall: r.recall,
        precision: r.precision,
        testAfter: r.test.after,
        llmCalls: r.llmCalls,
        optimizeCalls: r.optimizeCalls,
        callsToBest: r.toBest.llmCalls,
        callsToBestScore: r.toBest.score.llmCalls,
        tokensToBest: r.toBest.tokens,
      })),
      rows,
      notRun: {
        'ax-mipro': '@ax-llm/ax >= 20 (latest 24.0.21) ships no AxMiPRO; the versions that did (<= 19.0.45) need a separate Python optimizer service and tune a single AxGen, not a flow.',
        'promptfoo-optimize': '`promptfoo optimize` tunes exactly one prompt for one provider (no per-agent instructions of a multi-agent system), and promptfoo 0.123 requires Node >= 22.22 while this project supports Node 20.',
      },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await server.close();
  }
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`bench:peers: ${message}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
