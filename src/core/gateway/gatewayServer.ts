/**
 * The gateway: an OpenAI-compatible endpoint on 127.0.0.1 that a user's MAS is pointed at
 * (OPENAI_BASE_URL and a per-run token as its API key), forwarding every chat completion to the
 * configured upstream with the real key — which never leaves TRUCE — and recording each call
 * once: request, response (a stream is passed through as it arrives and put back together for the
 * record), usage, latency, status, and the agent and task when the MAS names them in
 * `x-truce-agent` / `x-truce-task`. Faults are recorded, never retried here: a retry is the
 * client's decision, and each attempt is a call of its own.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayCallRecord } from './gatewayRecord';
import { StreamAssembler } from './streamAssembler';

export interface GatewayOptions {
  /** The real endpoint, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1. */
  upstream: { baseUrl: string; apiKey?: string };
  /** The token the MAS must present; a fresh random one when absent. */
  token?: string;
  /** Called once per call, when it has ended one way or another. */
  onCall?: (record: GatewayCallRecord) => void;
  /** Largest request body accepted (default 32 MB). */
  maxBodyBytes?: number;
  fetch?: typeof fetch;
}

export interface Gateway {
  /** The base URL to give the MAS (ends in /v1). */
  url: string;
  token: string;
  calls: GatewayCallRecord[];
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new BodyTooLarge(`the request body is over ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendError(res: ServerResponse, status: number, message: string, type: string): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message, type } }));
}

function tokenMatches(req: IncomingMessage, token: string): boolean {
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const given = bearer ?? (typeof req.headers['api-key'] === 'string' ? req.headers['api-key'] : undefined);
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

function usageOf(reply: unknown): { prompt: number; completion: number } {
  const u = (reply as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } } | undefined)?.usage;
  const n = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
  return { prompt: n(u?.prompt_tokens), completion: n(u?.completion_tokens) };
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const token = options.token ?? `truce-gw-${randomBytes(24).toString('hex')}`;
  const upstream = options.upstream.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const limit = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const calls: GatewayCallRecord[] = [];
  let counter = 0;
  const record = (r: GatewayCallRecord) => {
    calls.push(r);
    options.onCall?.(r);
  };
  const upstreamHeaders = (): Record<string, string> => ({
    'content-type': 'application/json',
    ...(options.upstream.apiKey ? { authorization: `Bearer ${options.upstream.apiKey}` } : {}),
  });

  async function chat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const base = { id: `g${++counter}`, startedAt: new Date(started).toISOString(), ...(header(req, 'x-truce-agent') ? { agent: header(req, 'x-truce-agent') } : {}), ...(header(req, 'x-truce-task') ? { task: header(req, 'x-truce-task') } : {}) };
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(await readBody(req, limit)) as Record<string, unknown>;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SyntaxError('not a JSON object');
    } catch (error) {
      const tooLarge = error instanceof BodyTooLarge;
      sendError(res, tooLarge ? 413 : 400, tooLarge ? error.message : `the request body is not a JSON object (${(error as Error).message})`, 'invalid_request_error');
      return;
    }
    const stream = body.stream === true;
    // A stream reports its usage only when asked; the record needs it, so ask on the MAS's behalf.
    const sent = stream ? { ...body, stream_options: { ...((body.stream_options as object | undefined) ?? {}), include_usage: true } } : body;
    const controller = new AbortController();
    let clientGone = false;
    res.on('close', () => {
      if (!res.writableFinished) {
        clientGone = true;
        controller.abort();
      }
    });
    const common = { ...base, stream, request: body, ...(typeof body.model === 'string' ? { model: body.model } : {}) };
    let upstreamRes: Response;
    try {
      upstreamRes = await doFetch(`${upstream}/chat/completions`, { method: 'POST', headers: upstreamHeaders(), body: JSON.stringify(sent), signal: controller.signal });
    } catch (error) {
      sendError(res, 502, `the gateway could not reach the model endpoint ${upstream}: ${(error as Error).message}`, 'upstream_unreachable');
      record({ ...common, latencyMs: Date.now() - started, usage: { prompt: 0, completion: 0 }, status: 0, error: clientGone ? 'the client disconnected' : `upstream unreachable: ${(error as Error).message}` });
      return;
    }
    if (!stream || !upstreamRes.ok || !upstreamRes.body) {
      const text = await upstreamRes.text().catch(() => '');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (!res.headersSent && !clientGone) {
        res.writeHead(upstreamRes.status, { 'content-type': upstreamRes.headers.get('content-type') ?? 'application/json', ...(upstreamRes.headers.get('retry-after') ? { 'retry-after': upstreamRes.headers.get('retry-after') as string } : {}) });
        res.end(text);
      }
      record({
        ...common,
        latencyMs: Date.now() - started,
        ...(parsed !== undefined ? { response: parsed } : {}),
        usage: upstreamRes.ok ? usageOf(parsed) : { prompt: 0, completion: 0 },
        status: upstreamRes.status,
        ...(upstreamRes.ok ? (parsed === undefined ? { error: 'the upstream reply is not JSON' } : {}) : { error: `upstream ${upstreamRes.status}: ${text.slice(0, 300)}` }),
        ...(clientGone ? { error: 'the client disconnected' } : {}),
      });
      return;
    }
    res.writeHead(upstreamRes.status, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const assembler = new StreamAssembler();
    const decoder = new TextDecoder();
    let failure: string | undefined;
    let broken = false;
    try {
      for await (const chunk of upstreamRes.body as unknown as AsyncIterable<Uint8Array>) {
        const text = decoder.decode(chunk, { stream: true });
        assembler.push(text);
        if (!clientGone) res.write(text);
      }
      if (!assembler.done) failure = 'the upstream stream ended before [DONE]';
    } catch (error) {
      broken = true;
      failure = clientGone ? 'the client disconnected' : `the upstream stream broke: ${(error as Error).message}`;
    }
    // A stream the upstream broke is broken for the client too: ending it cleanly would pass a
    // cut-off answer off as a whole one.
    if (!clientGone) broken ? res.destroy() : res.end();
    const response = assembler.result();
    record({ ...common, latencyMs: Date.now() - started, response, usage: usageOf(response), status: upstreamRes.status, ...(clientGone ? { error: 'the client disconnected' } : failure ? { error: failure } : {}) });
  }

  async function models(res: ServerResponse): Promise<void> {
    try {
      const r = await doFetch(`${upstream}/models`, { headers: upstreamHeaders() });
      res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
      res.end(await r.text());
    } catch (error) {
      sendError(res, 502, `the gateway could not reach the model endpoint ${upstream}: ${(error as Error).message}`, 'upstream_unreachable');
    }
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (!tokenMatches(req, token)) {
      req.resume();
      return sendError(res, 401, 'This endpoint is the TRUCE gateway of one run; use the API key TRUCE gave the MAS (OPENAI_API_KEY).', 'invalid_api_key');
    }
    if (req.method === 'POST' && /\/chat\/completions$/.test(path)) return void chat(req, res).catch((e: Error) => sendError(res, 500, `gateway error: ${e.message}`, 'gateway_error'));
    if (req.method === 'GET' && /\/models$/.test(path)) return void models(res);
    req.resume();
    sendError(res, 404, `The TRUCE gateway serves POST /v1/chat/completions and GET /v1/models, not ${req.method} ${path}.`, 'not_found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    token,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
