/**
 * Throughput of the LLM client against the fake server with 100 ms latency per reply, at
 * concurrency 1, 8 and 16. Prints JSON; speedups are against concurrency 1 measured in the same run.
 *
 *   npx esbuild bench/llmThroughput.ts --bundle --platform=node --packages=external \
 *     --outfile=out/bench/llmThroughput.js && node out/bench/llmThroughput.js [calls-per-level]
 */
import { z } from 'zod';
import { LlmClient } from '../src/core/llm/client';
import { createLlmServices } from '../src/core/llm/services';
import { callStructured } from '../src/core/llm/structured';
import { start } from '../test/support/fakeOpenAiServer';

const LATENCY_MS = 100;
const LEVELS = [1, 8, 16];
const CALLS = Number(process.argv[2] ?? 64);

const Answer = z.object({ answer: z.string(), confidence: z.number() });

async function measure(concurrency: number, structured: boolean) {
  const server = await start({ baseLatencyMs: LATENCY_MS, responder: (req) => ({ json: { answer: req.lastUser, confidence: 0.9 } }) });
  try {
    const services = createLlmServices({ env: {} });
    const client = new LlmClient(
      'executor',
      { baseUrl: server.url, model: 'fake-model', maxConcurrency: concurrency, structuredOutput: 'json_schema' },
      services,
    );
    const messages = (i: number) => [{ role: 'user' as const, content: `task ${i}: answer briefly` }];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CALLS }, (_, i) =>
        structured
          ? callStructured(client, { messages: messages(i), schema: Answer, schemaName: 'answer' }, { phase: 'bench' })
          : client.chat({ messages: messages(i) }, { phase: 'bench' }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const total = services.accounting.snapshot().total;
    return {
      concurrency,
      calls: total.calls,
      seconds: round(seconds),
      callsPerSecond: round(total.calls / seconds),
      tokensPerSecond: round((total.inputTokens + total.outputTokens) / seconds),
      maxInFlightSeen: server.stats.maxInFlight,
    };
  } finally {
    await server.close();
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

async function main() {
  const results: Record<string, unknown> = { latencyMs: LATENCY_MS, callsPerLevel: CALLS };
  for (const structured of [false, true]) {
    const rows = [];
    for (const level of LEVELS) rows.push(await measure(level, structured));
    const base = rows[0]!.callsPerSecond;
    results[structured ? 'structured' : 'chat'] = rows.map((r) => ({ ...r, speedupVsConcurrency1: round(r.callsPerSecond / base) }));
  }
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}

void main();
