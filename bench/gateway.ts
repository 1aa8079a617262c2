/**
 * What the gateway costs a MAS: the latency it adds to each call (median and p99) and the calls
 * per second through it, against calling the same fake upstream directly, at 1 and 32 concurrent
 * requests, measured in one process with the same `fetch` client on both paths. Two gateway
 * paths: the bare server, and the run's gateway as a command MAS meets it (a session token, the
 * admission — replay key, agent by system prompt, budget — and a record appended per call).
 *
 *   npm run bench:gateway [-- calls-per-level]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startGateway } from '../src/core/gateway';
import { Budget, createLlmServices, LlmClient } from '../src/core/llm';
import { RunGateway } from '../src/core/run/runGateway';
import { start } from '../test/support/fakeOpenAiServer';

const CALLS = Number(process.argv[2] ?? 320);
const LEVELS = [1, 32];
const LATENCY_MS = 100;

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

async function drive(url: string, key: string, concurrency: number): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const body = JSON.stringify({ model: 'fake-model', messages: [{ role: 'system', content: 'You are the solver.' }, { role: 'user', content: 'say something short' }] });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < CALLS) {
        next++;
        const t = performance.now();
        const r = await fetch(`${url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body });
        await r.text();
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies: latencies.sort((a, b) => a - b), seconds: (performance.now() - started) / 1000 };
}

async function main(): Promise<void> {
  // 100 ms a reply, like bench:llm: a fast local model; real endpoints are slower still.
  const fake = await start({ baseLatencyMs: LATENCY_MS, responder: () => ({ content: 'ok' }) });
  const gateway = await startGateway({ upstream: { baseUrl: fake.url, apiKey: 'sk-bench' } });
  const runDir = mkdtempSync(join(tmpdir(), 'truce-bench-gw-'));
  // The run gateway obeys the executor's maxConcurrency (default 4): raised above the 32 streams
  // measured, so the figure is the gateway's overhead and not the limit.
  const executor = new LlmClient('executor', { baseUrl: fake.url, model: 'fake-model', maxConcurrency: 64 }, createLlmServices({ env: {} }));
  const prompts = { hash: 'h', agents: { solver: { agent: { id: 'solver', kind: 'role' as const, prompt: 's.md' }, systemPrompt: 'You are the solver.', file: 's.md', fileText: '' } } };
  const runGateway = await RunGateway.start({ executor, prices: {}, budget: new Budget({ maxCalls: 1e9 }), runDir, recordings: new Map(), replaying: false, strict: false, secrets: [], onRecord: () => undefined });
  const rows: Array<Record<string, number>> = [];
  try {
    await drive(fake.url, 'sk-bench', 4); // warm every path once
    await drive(gateway.url, gateway.token, 4);
    const warm = runGateway.open({ taskId: 'warm', prompts });
    await drive(warm.env.OPENAI_BASE_URL as string, warm.env.OPENAI_API_KEY as string, 4);
    await warm.finish();
    for (const concurrency of LEVELS) {
      const direct = await drive(fake.url, 'sk-bench', concurrency);
      const via = await drive(gateway.url, gateway.token, concurrency);
      // One execution per level: every call a distinct ordinal of the same request, as a repeating agent's would be.
      const session = runGateway.open({ taskId: `level-${concurrency}`, prompts });
      const viaRun = await drive(session.env.OPENAI_BASE_URL as string, session.env.OPENAI_API_KEY as string, concurrency);
      await session.finish();
      rows.push({
        runGatewayAddedMedianMs: quantile(viaRun.latencies, 0.5) - quantile(direct.latencies, 0.5),
        runGatewayAddedP99Ms: quantile(viaRun.latencies, 0.99) - quantile(direct.latencies, 0.99),
        runGatewayThroughputRatio: direct.seconds / viaRun.seconds,
        concurrency,
        directMedianMs: quantile(direct.latencies, 0.5),
        gatewayMedianMs: quantile(via.latencies, 0.5),
        addedMedianMs: quantile(via.latencies, 0.5) - quantile(direct.latencies, 0.5),
        addedP99Ms: quantile(via.latencies, 0.99) - quantile(direct.latencies, 0.99),
        directCallsPerSecond: CALLS / direct.seconds,
        gatewayCallsPerSecond: CALLS / via.seconds,
        throughputRatio: direct.seconds / via.seconds,
      });
    }
  } finally {
    await gateway.close();
    await runGateway.close();
    rmSync(runDir, { recursive: true, force: true });
    await fake.close();
  }
  const f = (x: number) => x.toFixed(2);
  process.stdout.write(`concurrency  added median ms  added p99 ms  calls/s direct → gateway (ratio)\n`);
  for (const r of rows) process.stdout.write(`${String(r.concurrency).padEnd(11)}  ${f(r.addedMedianMs!).padEnd(15)}  ${f(r.addedP99Ms!).padEnd(12)}  ${r.directCallsPerSecond!.toFixed(0)} → ${r.gatewayCallsPerSecond!.toFixed(0)} (${f(r.throughputRatio!)}×)\n`);
  process.stdout.write(`run gateway (session, admission, record per call):\n`);
  for (const r of rows) process.stdout.write(`${String(r.concurrency).padEnd(11)}  ${f(r.runGatewayAddedMedianMs!).padEnd(15)}  ${f(r.runGatewayAddedP99Ms!).padEnd(12)}  throughput ${f(r.runGatewayThroughputRatio!)}×\n`);
  process.stdout.write(`${CALLS} calls per level, fake upstream answering in ${LATENCY_MS} ms, all in one process\n`);
  const path = join(__dirname, '..', '..', 'bench', 'results.json');
  const results = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
  results.gateway = { calls: CALLS, rows };
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:gateway: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
