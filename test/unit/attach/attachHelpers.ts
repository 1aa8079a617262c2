/** OTLP traces of a small two-agent MAS, and an HTTP client that posts them as an SDK exporter would. */
import { createServer } from 'node:net';
import type { OtlpKeyValue, OtlpSpan, OtlpTraceRequest } from '../../../src/core/mas/otlpTypes';
import { encodeTraceRequest, str } from '../../support/otlpProto';

const BASE_NS = 1_700_000_000_000_000_000n;

export function traceIdOf(n: number): string {
  return `${n.toString(16).padStart(4, '0')}${'b'.repeat(28)}`;
}

export function spanIdOf(traceNo: number, name: string): string {
  return (Buffer.from(`${traceNo}${name}`).toString('hex') + '0'.repeat(16)).slice(0, 16);
}

function span(traceNo: number, name: string, parent: string | undefined, startMs: number, endMs: number, attributes: OtlpKeyValue[]): OtlpSpan {
  return {
    traceId: traceIdOf(traceNo),
    spanId: spanIdOf(traceNo, name),
    ...(parent ? { parentSpanId: spanIdOf(traceNo, parent) } : {}),
    name,
    kind: 1,
    startTimeUnixNano: String(BASE_NS + BigInt(startMs) * 1_000_000n),
    endTimeUnixNano: String(BASE_NS + BigInt(endMs) * 1_000_000n),
    attributes,
    events: [],
    links: [],
  };
}

/** One execution: a workflow root span around a solver and a critic model call; the critic's output is the answer. */
export function executionSpans(traceNo: number, question: string, answer: string, extra: OtlpKeyValue[] = []): { root: OtlpSpan; solver: OtlpSpan; critic: OtlpSpan } {
  return {
    root: span(traceNo, 'workflow', undefined, 0, 100, [str('input.value', question), str('output.value', answer), ...extra]),
    solver: span(traceNo, 'solver', 'workflow', 10, 40, [
      str('gen_ai.operation.name', 'chat'),
      str('gen_ai.agent.name', 'solver'),
      str('gen_ai.prompt.0.role', 'user'),
      str('gen_ai.prompt.0.content', question),
      str('output.value', `draft: ${answer}`),
    ]),
    critic: span(traceNo, 'critic', 'workflow', 50, 90, [str('gen_ai.operation.name', 'chat'), str('gen_ai.agent.name', 'critic'), str('output.value', answer)]),
  };
}

export function request(spans: OtlpSpan[], service = 'my-mas'): OtlpTraceRequest {
  return { resourceSpans: [{ resource: { attributes: [str('service.name', service)] }, scopeSpans: [{ scope: { name: 'test-sdk', version: '1', attributes: [] }, spans }] }] };
}

export interface Posted {
  status: number;
  body: string;
}

export async function postJson(url: string, token: string, payload: OtlpTraceRequest | string): Promise<Posted> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()).toString('utf8') };
}

export async function postProtobuf(url: string, token: string, payload: OtlpTraceRequest | Uint8Array): Promise<Posted> {
  const bytes = payload instanceof Uint8Array ? payload : encodeTraceRequest(payload);
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${token}` }, body: Uint8Array.from(bytes) });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()).toString('latin1') };
}

/** A port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
