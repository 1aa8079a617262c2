/**
 * The gateway: an OpenAI-compatible endpoint on 127.0.0.1 that a user's MAS is pointed at
 * (OPENAI_BASE_URL and a token as its API key), forwarding every chat completion to the
 * configured upstream with the real key — which never leaves TRUCE — and recording each call
 * once: request, response (a stream is passed through as it arrives and put back together for the
 * record), usage, latency, status, and the agent and task.
 *
 * Sessions: each task execution gets a token of its own (`openSession`), so a call is attributed
 * to its task by the key the MAS sends, without any header; the token dies with the session. An
 * `admit` hook sees each request before it is sent and may let it through, answer it from a
 * recording (replay), or refuse it (the budget). Faults are recorded, never retried here: a retry
 * is the client's decision, and each attempt is a call of its own.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { estimateTokens } from '../llm/tokens';
import { completionAsEvents } from './completionEvents';
import type { GatewayCallRecord } from './gatewayRecord';
import { estimateRequestTokens, replyText } from './requestText';
import { ResponsesStreamReader, responseAsEvents } from './responsesStream';
import { StreamAssembler } from './streamAssembler';

/** The two OpenAI APIs the gateway carries: chat completions, and Responses where the upstream has it. */
export type GatewayApi = 'chat' | 'responses';
const API_PATH: Record<GatewayApi, string> = { chat: '/chat/completions', responses: '/responses' };

/** Sends one request to the model endpoint with its key (LlmClient.forward); path like "/chat/completions". */
export type UpstreamForward = (path: string, init: { method: 'GET' | 'POST'; body?: string; signal?: AbortSignal }) => Promise<Response>;

export type GatewayUpstream = { baseUrl: string; apiKey?: string } | { label: string; forward: UpstreamForward };

export interface GatewaySessionInfo {
  task?: string;
  sample?: number;
}

export interface GatewaySession {
  token: string;
  /** Revokes the token; calls in flight finish and are recorded. */
  close(): void;
  /** Resolves when this session's calls in flight have ended and been recorded. */
  idle(): Promise<void>;
}

/** What the admission may add to the record. */
export interface AdmissionLabels {
  agent?: string;
  key?: string;
  ordinal?: number;
  replayMiss?: boolean;
}

export type GatewayAdmission =
  | ({ kind: 'forward' } & AdmissionLabels)
  | ({ kind: 'answer'; response: Record<string, unknown> } & AdmissionLabels)
  | ({ kind: 'refuse'; status: number; message: string; type: string } & AdmissionLabels);

export interface AdmissionRequest {
  id: string;
  api: GatewayApi;
  session: GatewaySessionInfo;
  body: Record<string, unknown>;
  /** From the x-truce-agent header. */
  agent?: string;
}

export interface GatewayOptions {
  /** The real endpoint, e.g. https://api.openai.com/v1, or a forwarder that holds its key. */
  upstream: GatewayUpstream;
  /** The token of the default session (no task); a fresh random one when absent. */
  token?: string;
  /** Sees every chat request before it is sent; default: forward everything. */
  admit?: (request: AdmissionRequest) => GatewayAdmission | Promise<GatewayAdmission>;
  /** Called once per call, when it has ended one way or another. */
  onCall?: (record: GatewayCallRecord) => void;
  /** Largest request body accepted (default 32 MB). */
  maxBodyBytes?: number;
  fetch?: typeof fetch;
  /** Keep every record in `calls` (default true); a long run hands them to onCall and keeps none. */
  keepCalls?: boolean;
}

export interface Gateway {
  /** The base URL to give the MAS (ends in /v1). */
  url: string;
  /** The default session's token. */
  token: string;
  calls: GatewayCallRecord[];
  openSession(info: GatewaySessionInfo): GatewaySession;
  /** Calls still in flight: wait for them before reading the records of a finished execution. */
  idle(): Promise<void>;
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

/** Tokens are looked up by their hash, so the lookup's timing says nothing about a token's bytes. */
function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function presentedToken(req: IncomingMessage): string | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  return bearer ?? (typeof req.headers['api-key'] === 'string' ? req.headers['api-key'] : undefined);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** Usage as chat completions (prompt/completion_tokens) or the Responses API (input/output_tokens) report it. */
function usageOf(reply: unknown): { prompt: number; completion: number } | undefined {
  const u = (reply as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown; input_tokens?: unknown; output_tokens?: unknown } } | undefined)?.usage;
  const n = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
  if (u && typeof u.prompt_tokens === 'number') return { prompt: n(u.prompt_tokens), completion: n(u.completion_tokens) };
  if (u && typeof u.input_tokens === 'number') return { prompt: n(u.input_tokens), completion: n(u.output_tokens) };
  return undefined;
}

function labelsOf(a: AdmissionLabels): AdmissionLabels {
  return {
    ...(a.agent !== undefined ? { agent: a.agent } : {}),
    ...(a.key !== undefined ? { key: a.key } : {}),
    ...(a.ordinal !== undefined ? { ordinal: a.ordinal } : {}),
    ...(a.replayMiss ? { replayMiss: true } : {}),
  };
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const defaultToken = options.token ?? `truce-gw-${randomBytes(24).toString('hex')}`;
  const sessions = new Map<string, GatewaySessionInfo>([[tokenDigest(defaultToken), {}]]);
  const forward: UpstreamForward = 'forward' in options.upstream ? options.upstream.forward : directForward(options.upstream, options.fetch ?? fetch);
  const upstreamLabel = 'forward' in options.upstream ? options.upstream.label : options.upstream.baseUrl;
  const limit = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const keep = options.keepCalls ?? true;
  const calls: GatewayCallRecord[] = [];
  const inFlight = new Set<Promise<void>>();
  // Per session too, so one execution waits for its own calls only, not for those of other tasks.
  const inFlightBySession = new Map<GatewaySessionInfo, Set<Promise<void>>>();
  let counter = 0;
  const record = (r: GatewayCallRecord) => {
    if (keep) calls.push(r);
    options.onCall?.(r);
  };

  async function call(req: IncomingMessage, res: ServerResponse, session: GatewaySessionInfo, api: GatewayApi): Promise<void> {
    const started = Date.now();
    const id = `g${++counter}`;
    const headerAgent = header(req, 'x-truce-agent');
    const task = session.task ?? header(req, 'x-truce-task');
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
    const admission: GatewayAdmission = options.admit ? await options.admit({ id, api, session, body, ...(headerAgent ? { agent: headerAgent } : {}) }) : { kind: 'forward' };
    const labels = labelsOf(admission);
    const common = {
      id,
      startedAt: new Date(started).toISOString(),
      ...(task !== undefined ? { task } : {}),
      ...(session.sample !== undefined ? { sample: session.sample } : {}),
      stream,
      ...(api === 'responses' ? { api } : {}),
      request: body,
      ...(typeof body.model === 'string' ? { model: body.model } : {}),
      ...labels,
      ...(headerAgent ? { agent: headerAgent } : {}),
    };
    if (admission.kind === 'refuse') {
      sendError(res, admission.status, admission.message, admission.type);
      record({ ...common, latencyMs: Date.now() - started, usage: { prompt: 0, completion: 0 }, status: admission.status, served: 'refused', error: admission.message });
      return;
    }
    if (admission.kind === 'answer') {
      const wantsUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
      if (stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.end(api === 'chat' ? completionAsEvents(admission.response, wantsUsage) : responseAsEvents(admission.response));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(admission.response));
      }
      record({ ...common, latencyMs: Date.now() - started, response: admission.response, usage: usageOf(admission.response) ?? { prompt: 0, completion: 0 }, status: 200, served: 'recording' });
      return;
    }
    // A chat stream reports its usage only when asked; the record needs it, so ask on the MAS's behalf.
    // (A Responses stream always ends with the whole reply, usage included.)
    const sent = stream && api === 'chat' ? { ...body, stream_options: { ...((body.stream_options as object | undefined) ?? {}), include_usage: true } } : body;
    const controller = new AbortController();
    let clientGone = false;
    res.on('close', () => {
      if (!res.writableFinished) {
        clientGone = true;
        controller.abort();
      }
    });
    // What a call the upstream may have billed without reporting usage is charged at.
    const estimated = (reply?: unknown) => ({ usage: { prompt: estimateRequestTokens(body), completion: estimateTokens(replyText(reply)) }, usageEstimated: true as const });
    let upstreamRes: Response;
    try {
      upstreamRes = await forward(API_PATH[api], { method: 'POST', body: JSON.stringify(sent), signal: controller.signal });
    } catch (error) {
      sendError(res, 502, `the gateway could not reach the model endpoint ${upstreamLabel}: ${(error as Error).message}`, 'upstream_unreachable');
      // A client that left while the request was out: the upstream may be answering it (and billing).
      if (clientGone) record({ ...common, latencyMs: Date.now() - started, ...estimated(), status: 0, served: 'upstream', error: 'the client disconnected' });
      else record({ ...common, latencyMs: Date.now() - started, usage: { prompt: 0, completion: 0 }, status: 0, served: 'upstream', error: `upstream unreachable: ${(error as Error).message}` });
      return;
    }
    if (!stream || !upstreamRes.ok || !upstreamRes.body) {
      let text = '';
      let readFailure: string | undefined;
      try {
        text = await upstreamRes.text();
      } catch (error) {
        readFailure = clientGone ? 'the client disconnected' : `the upstream reply broke off: ${(error as Error).message}`;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (!res.headersSent && !clientGone) {
        if (readFailure) sendError(res, 502, `the gateway lost the model endpoint's reply: ${readFailure}`, 'upstream_broken');
        else {
          res.writeHead(upstreamRes.status, { 'content-type': upstreamRes.headers.get('content-type') ?? 'application/json', ...(upstreamRes.headers.get('retry-after') ? { 'retry-after': upstreamRes.headers.get('retry-after') as string } : {}) });
          res.end(text);
        }
      }
      const counted = upstreamRes.ok ? usageOf(parsed) : { prompt: 0, completion: 0 };
      record({
        ...common,
        latencyMs: Date.now() - started,
        ...(parsed !== undefined ? { response: parsed } : {}),
        ...(counted ? { usage: counted } : estimated(parsed)),
        status: upstreamRes.status,
        served: 'upstream',
        ...(upstreamRes.ok ? (parsed === undefined ? { error: readFailure ?? 'the upstream reply is not JSON' } : {}) : { error: `upstream ${upstreamRes.status}: ${text.slice(0, 300)}` }),
        ...(clientGone ? { error: 'the client disconnected' } : {}),
      });
      return;
    }
    res.writeHead(upstreamRes.status, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const assembler = api === 'chat' ? new StreamAssembler() : new ResponsesStreamReader();
    const decoder = new TextDecoder();
    let failure: string | undefined;
    let broken = false;
    try {
      for await (const chunk of upstreamRes.body as unknown as AsyncIterable<Uint8Array>) {
        const text = decoder.decode(chunk, { stream: true });
        assembler.push(text);
        if (!clientGone) res.write(text);
      }
      if (!assembler.done) failure = api === 'chat' ? 'the upstream stream ended before [DONE]' : 'the upstream stream ended before response.completed';
    } catch (error) {
      broken = true;
      failure = clientGone ? 'the client disconnected' : `the upstream stream broke: ${(error as Error).message}`;
    }
    // A stream the upstream broke is broken for the client too: ending it cleanly would pass a
    // cut-off answer off as a whole one.
    if (!clientGone) broken ? res.destroy() : res.end();
    const response = assembler.result();
    const counted = usageOf(response);
    record({
      ...common,
      latencyMs: Date.now() - started,
      response,
      ...(counted ? { usage: counted } : estimated(response)),
      status: upstreamRes.status,
      served: 'upstream',
      ...(clientGone ? { error: 'the client disconnected' } : failure ? { error: failure } : {}),
    });
  }

  async function models(res: ServerResponse): Promise<void> {
    try {
      const r = await forward('/models', { method: 'GET' });
      res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
      res.end(await r.text());
    } catch (error) {
      sendError(res, 502, `the gateway could not reach the model endpoint ${upstreamLabel}: ${(error as Error).message}`, 'upstream_unreachable');
    }
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const given = presentedToken(req);
    const session = given === undefined ? undefined : sessions.get(tokenDigest(given));
    if (!session) {
      req.resume();
      return sendError(res, 401, 'This endpoint is the TRUCE gateway of one run; use the API key TRUCE gave the MAS (OPENAI_API_KEY).', 'invalid_api_key');
    }
    const api: GatewayApi | undefined = req.method !== 'POST' ? undefined : /\/chat\/completions$/.test(path) ? 'chat' : /\/responses$/.test(path) ? 'responses' : undefined;
    if (api) {
      const pending = call(req, res, session, api).catch((e: Error) => sendError(res, 500, `gateway error: ${e.message}`, 'gateway_error'));
      inFlight.add(pending);
      const mine = inFlightBySession.get(session) ?? new Set<Promise<void>>();
      inFlightBySession.set(session, mine);
      mine.add(pending);
      void pending.finally(() => {
        inFlight.delete(pending);
        mine.delete(pending);
        if (mine.size === 0) inFlightBySession.delete(session);
      });
      return;
    }
    if (req.method === 'GET' && /\/models$/.test(path)) return void models(res);
    req.resume();
    sendError(res, 404, `The TRUCE gateway serves POST /v1/chat/completions, POST /v1/responses and GET /v1/models, not ${req.method} ${path}.`, 'not_found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    token: defaultToken,
    calls,
    openSession(info) {
      const token = `truce-gw-${randomBytes(24).toString('hex')}`;
      const digest = tokenDigest(token);
      const session = { ...info };
      sessions.set(digest, session);
      return {
        token,
        close: () => void sessions.delete(digest),
        async idle() {
          for (let calls = inFlightBySession.get(session); calls && calls.size > 0; calls = inFlightBySession.get(session)) await Promise.all([...calls]);
        },
      };
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function directForward(upstream: { baseUrl: string; apiKey?: string }, doFetch: typeof fetch): UpstreamForward {
  const base = upstream.baseUrl.replace(/\/+$/, '');
  return (path, init) =>
    doFetch(`${base}${path}`, {
      method: init.method,
      headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(upstream.apiKey ? { authorization: `Bearer ${upstream.apiKey}` } : {}) },
      ...(init.body !== undefined ? { body: init.body } : {}),
      ...(init.signal ? { signal: init.signal } : {}),
    });
}
