/**
 * Batch mode against online, for one optimize round of every simulation scenario: how many
 * requests went online, how many went through the Batch API and in how many batches, the
 * projected and the accounted cost. Prints one JSON object.
 *
 *   npm run bench:batch [-- --scenario bench/sim/scenarios/debate-missing.json]
 *
 * Each scenario runs twice on its own fake server and fresh workspace (so neither variant warms the
 * other's response cache): once online, once with `batch: true` on the executor, optimizer and
 * judge. All three endpoints are priced like a small hosted model ($0.15 / $0.60 per million
 * input / output tokens); batched calls are billed at the Batch API's half price. The fake Batch
 * API answers every batch on its second status read and polling is 1 ms, so wall time says nothing
 * about a real batch (which takes minutes to hours) and is not reported. `sameOutcome` checks that
 * the round accepted the same edits both ways: batching changes the transport, not the replies.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TruceConfig } from '../src/core/config';
import { methodRegistry } from '../src/core/methods';
import { optimize } from '../src/core/optimize/optimizeLoop';
import type { CostProjection } from '../src/core/llm';
import { start } from '../test/support/fakeOpenAiServer';
import { createSimResponder, loadScenario, World, writeSimWorkspace } from '../test/support/sim';

const PRICES = { pricePer1kInput: 0.00015, pricePer1kOutput: 0.0006 };
const FAST_BATCHES = { TRUCE_BATCH_POLL_MS: '1', TRUCE_BATCH_COLLECT_MS: '20' };

interface VariantFigures {
  status: string;
  /** Calls the run accounted (each sent once, online or in a batch). */
  calls: number;
  /** HTTP chat requests the server saw (online calls, including fallbacks and the probe). */
  onlineRequests: number;
  batchRequests: number;
  batches: number;
  projectedUsd: number;
  accountedUsd: number;
  accepted: string[];
}

async function runVariant(scenarioFile: string, batch: boolean): Promise<VariantFigures> {
  const world = new World(loadScenario(scenarioFile));
  const sim = createSimResponder(world);
  const server = await start({ responder: sim.respond });
  const ws = writeSimWorkspace(world, { baseUrl: server.url });
  try {
    const base = ws.config();
    const priced = (e: TruceConfig['llm']['executor']) => ({ ...e, ...PRICES, ...(batch ? { batch: true } : {}) });
    const config: TruceConfig = {
      ...base,
      llm: { executor: priced(base.llm.executor), optimizer: priced(base.llm.optimizer ?? base.llm.executor), judge: priced(base.llm.judge ?? base.llm.executor) },
    };
    let projection: CostProjection | undefined;
    const result = await optimize({
      config,
      workspaceRoot: ws.dir,
      rounds: 1,
      trusted: true,
      env: batch ? FAST_BATCHES : {},
      toolVersion: 'bench-batch',
      methods: methodRegistry(),
      onProgress: (e) => {
        if (e.type === 'started') projection = e.total;
      },
    });
    const lines = [...server.batches.batches.values()].reduce((n, b) => n + (server.batches.files.get(b.inputFileId) ?? '').split('\n').filter((l) => l.trim()).length, 0);
    return {
      status: result.status,
      calls: result.usage.total.calls,
      onlineRequests: server.chatRequests().length,
      batchRequests: lines,
      batches: server.batches.batches.size,
      projectedUsd: round(projection?.costUsd ?? 0),
      accountedUsd: round(result.usage.total.costUsd),
      accepted: result.accepted.map((a) => `${a.op} ${a.agentId}: ${a.newText ?? ''}`).sort(),
    };
  } finally {
    ws.remove();
    await server.close();
  }
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const named = argv.indexOf('--scenario');
  const dir = resolve(__dirname, '../../bench/sim/scenarios');
  const files = named >= 0 && argv[named + 1] ? [resolve(argv[named + 1] as string)] : readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f));
  const scenarios: Record<string, unknown> = {};
  let online = 0;
  let batched = 0;
  for (const file of files) {
    const a = await runVariant(file, false);
    const b = await runVariant(file, true);
    online += a.accountedUsd;
    batched += b.accountedUsd;
    scenarios[file.split('/').pop()!.replace(/\.json$/, '')] = {
      online: { ...a, accepted: a.accepted.length },
      batch: { ...b, accepted: b.accepted.length },
      sameOutcome: JSON.stringify(a.accepted) === JSON.stringify(b.accepted),
      batchShareOfRequests: round(b.batchRequests / Math.max(1, b.batchRequests + b.onlineRequests)),
      costRatio: round(b.accountedUsd / Math.max(1e-12, a.accountedUsd)),
    };
  }
  process.stdout.write(`${JSON.stringify({ bench: 'batch-vs-online, one optimize round', prices: PRICES, scenarios, total: { onlineUsd: round(online), batchUsd: round(batched), ratio: round(batched / Math.max(1e-12, online)) } }, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
