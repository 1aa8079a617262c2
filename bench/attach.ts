/**
 * Live attach under load: a MAS exporting many traces over HTTP (protobuf, each trace in three
 * exports — the model spans first, the tool spans next, the root last, as a batch exporter sends
 * them) into an AttachSession, until everything is written to the run. The same exports are first
 * posted to a bare receiver (the command MAS's, collecting nothing), so the figure of the session
 * can be read against what HTTP and decoding alone cost on this machine. Prints JSON: spans per
 * second end to end for both, how many times the trajectories file was rewritten and how large it
 * ended, and the peak RSS. Figures only; nothing is asserted.
 *
 *   node scripts/build.mjs --bench
 *   node out/bench/attach.js [traces=1000] [agents=4] [concurrency=8]
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttachSession } from '../src/core/attach';
import { OtlpReceiver } from '../src/core/mas/otlpReceiver';
import type { OtlpSpan, OtlpTraceRequest } from '../src/core/mas/otlpTypes';
import { encodeTraceRequest, int, str } from '../test/support/otlpProto';

const [traceCount = 1000, agentCount = 4, concurrency = 8] = process.argv.slice(2).map(Number);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** One execution: a root, per agent a model call, and a tool call by the first agent. */
function exportsOf(t: number): OtlpTraceRequest[] {
  const traceId = hex(t + 1, 32);
  const base = 1_700_000_000_000_000_000n + BigInt(t) * 10_000_000_000n;
  const span = (k: number, parent: number | undefined, name: string, attributes: OtlpSpan['attributes']): OtlpSpan => ({
    traceId,
    spanId: hex(t * 64 + k + 1, 16),
    ...(parent !== undefined ? { parentSpanId: hex(t * 64 + parent + 1, 16) } : {}),
    name,
    kind: 1,
    startTimeUnixNano: String(base + BigInt(k) * 100_000_000n),
    endTimeUnixNano: String(base + BigInt(k + 1) * 100_000_000n),
    attributes,
    events: [],
    links: [],
  });
  const question = `Task ${t}: plan the migration of service ${t % 97} and name the riskiest step.`;
  const models = Array.from({ length: agentCount }, (_, a) =>
    span(a + 1, 0, `agent-${a}`, [
      str('gen_ai.operation.name', 'chat'),
      str('gen_ai.agent.name', `agent-${a}`),
      str('gen_ai.prompt.0.role', 'user'),
      str('gen_ai.prompt.0.content', a === 0 ? question : `Review the previous answer for task ${t}.`),
      str('output.value', `Agent ${a} on task ${t}: the riskiest step is the data copy, because it cannot be rolled back without a snapshot. `.repeat(3)),
      int('gen_ai.usage.input_tokens', 120 + a),
      int('gen_ai.usage.output_tokens', 60 + a),
    ]),
  );
  const tool = span(agentCount + 1, 1, 'execute_tool lookup', [str('gen_ai.operation.name', 'execute_tool'), str('gen_ai.tool.name', 'lookup'), str('input.value', `{"service": ${t % 97}}`), str('output.value', '{"owner": "platform"}')]);
  const root = span(0, undefined, 'workflow', [str('input.value', question)]);
  const wrap = (spans: OtlpSpan[]): OtlpTraceRequest => ({ resourceSpans: [{ resource: { attributes: [str('service.name', 'bench-mas')] }, scopeSpans: [{ scope: { name: 'bench', version: '1', attributes: [] }, spans }] }] });
  return [wrap(models), wrap([tool]), wrap([root])];
}

/** Posts every trace's exports with `concurrency` clients at once. */
async function postAll(url: string, token: string, bodies: Array<Array<Uint8Array<ArrayBuffer>>>, onTrace: (t: number) => void): Promise<void> {
  const headers = { 'content-type': 'application/x-protobuf', authorization: `Bearer ${token}` };
  let next = 0;
  const worker = async () => {
    for (let t = next++; t < bodies.length; t = next++) {
      for (const body of bodies[t] as Array<Uint8Array<ArrayBuffer>>) {
        const res = await fetch(url, { method: 'POST', headers, body });
        if (res.status !== 200) throw new Error(`export answered ${res.status}`);
        await res.arrayBuffer();
      }
      onTrace(t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'truce-bench-attach-'));
  let writes = 0;
  let peakRss = process.memoryUsage().rss;
  // Encoded before the clock starts: the bench measures TRUCE, not the test encoder.
  const bodies = Array.from({ length: traceCount }, (_, t) => exportsOf(t).map((r) => Uint8Array.from(encodeTraceRequest(r)) as Uint8Array<ArrayBuffer>));
  const spans = traceCount * (agentCount + 2);
  const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;

  const bare = await OtlpReceiver.start();
  const bareStarted = process.hrtime.bigint();
  await postAll(bare.tracesUrl, bare.token, bodies, () => undefined);
  const bareMs = ms(bareStarted, process.hrtime.bigint());
  await bare.close();

  const session = await AttachSession.start({ workspaceRoot: root, port: await freePort(), onUpdate: () => void writes++ });
  const started = process.hrtime.bigint();
  await postAll(`${session.endpoint}/v1/traces`, session.token, bodies, (t) => {
    if (t % 100 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  });
  const posted = process.hrtime.bigint();
  await session.flush();
  const written = process.hrtime.bigint();
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const status = await session.stop();
  const size = (await stat(join(session.dir, 'trajectories.jsonl'))).size;
  await rm(root, { recursive: true, force: true });
  console.log(
    JSON.stringify(
      {
        traces: traceCount,
        exports: traceCount * 3,
        spans,
        trajectories: status.trajectories,
        bareReceiverSpansPerSecond: Math.round(spans / (bareMs / 1000)),
        postMs: Math.round(ms(started, posted)),
        lastExportToWrittenMs: Math.round(ms(posted, written)),
        spansPerSecondEndToEnd: Math.round(spans / (ms(started, written) / 1000)),
        trajectoryFileWrites: writes,
        trajectoryFileMB: +(size / 1024 / 1024).toFixed(2),
        peakRssMB: Math.round(peakRss / 1024 / 1024),
      },
      null,
      2,
    ),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
