/**
 * A real OpenAI-compatible HTTP server on 127.0.0.1 (random port) for tests, benchmarks and the
 * simulation world. Replies come from a pluggable responder; faults (429, 5xx, slow, hang, reset,
 * malformed / fenced / truncated JSON content, a garbled or cut-off HTTP body…) are scripted or
 * drawn with a seeded PRNG. Every request is recorded in memory (headers included, so tests can
 * check what was sent) and never written out.
 *
 * Routes: POST /v1/chat/completions (non-streaming), GET /v1/models, and the Azure form
 * POST /openai/deployments/<deployment>/chat/completions?api-version=…; with `scoring`, also
 * `prompt_logprobs` on chat and POST /v1/completions with echo (fakeOpenAi/scoring.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BODY_FAULTS, corruptContent, FaultPlan, TRANSPORT_FAULTS, type FaultConfig, type FaultKind, type FaultSpec } from './fakeOpenAi/faults';
import { fakeCompletionTokens, fakePromptTokens, fakeTokenCount } from './fakeOpenAi/tokens';
import { echoCompletion, promptLogprobsCompletion, type FakeScoring } from './fakeOpenAi/scoring';

export { ALL_FAULT_KINDS, BODY_FAULTS, TRANSPORT_FAULTS, type FaultConfig, type FaultKind, type FaultSpec } from './fakeOpenAi/faults';
export { fakeCompletionTokens, fakePromptTokens, fakeTokenCount } from './fakeOpenAi/tokens';
export { seededRandom } from './fakeOpenAi/prng';
export { fakeScoringTokens, type FakeScoring } from './fakeOpenAi/scoring';
import { FakeBatches, type FakeBatchOptions } from './fakeOpenAi/batchEndpoints';

export interface FakeChatRequest {
  /** 1-based count of requests that reached the responder (faulted-away ones do not). */
  seq: number;
  model: string;
  messages: Array<{ role: string; content: string }>;
  /** The parsed request body as sent. */
  body: Record<string, unknown>;
  headers: Record<string, string>;
  /** Present when the request asked for `response_format: json_schema`. */
  jsonSchema?: { name: string; schema: unknown; strict?: boolean };
  /** Content of the last user message ('' if none). */
  lastUser: string;
}

export interface FakeUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

export type FakeReply =
  | string
  | {
      /** Text content; ignored when `json` is given. */
      content?: string;
      /** Serialised with JSON.stringify into the content. */
      json?: unknown;
      finishReason?: string;
      refusal?: string;
      /** Overrides the computed usage; null sends no usage at all. */
      usage?: Partial<FakeUsage> | null;
    }
  | { error: { status: number; message: string; code?: string; type?: string; headers?: Record<string, string> } };

export type Responder = (request: FakeChatRequest) => FakeReply | Promise<FakeReply>;

export interface FakeServerOptions {
  responder?: Responder;
  faults?: FaultConfig;
  /** Real delay before every chat reply. */
  baseLatencyMs?: number;
  /** When set, requests must carry it (Authorization: Bearer … or api-key: …) or get 401. */
  apiKey?: string;
  /** When set, other models get 404; /v1/models lists these (default ['fake-model']). */
  models?: string[];
  /** 'reject' answers 400 to json_schema response formats, like servers without support. */
  jsonSchema?: 'accept' | 'reject';
  /** Whether `logprobs: true` is answered with log-probabilities (default true). */
  logprobs?: boolean;
  /** Scoring routes served (fakeOpenAi/scoring.ts); without them `prompt_logprobs` is ignored and /v1/completions is 404. */
  scoring?: FakeScoring;
  /** Faults of the Batch API routes (fakeOpenAi/batchEndpoints.ts). */
  batch?: FakeBatchOptions;
}

export interface RecordedRequest {
  seq: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  /** Chat requests only: the injected fault, the status sent (499: client had gone), the usage reported. */
  chat: boolean;
  fault?: FaultKind;
  status?: number;
  usage?: FakeUsage;
  content?: string;
}

export interface FakeOpenAiServer {
  /** Base URL including /v1, e.g. http://127.0.0.1:41234/v1 */
  url: string;
  /** http://127.0.0.1:port, for the Azure route. */
  origin: string;
  requests: RecordedRequest[];
  /** Chat-completion requests only. */
  chatRequests(): RecordedRequest[];
  stats: { inFlight: number; maxInFlight: number };
  setResponder(responder: Responder): void;
  setFaults(faults: FaultConfig): void;
  /** Clears recorded requests and stats (not the responder or faults). */
  reset(): void;
  /** The Batch API routes: uploaded files, batches, their faults (settable), lines answered. */
  batches: FakeBatches;
  close(): Promise<void>;
}

const defaultResponder: Responder = (req) => ({ content: `ok: ${req.lastUser}` });

export async function start(options: FakeServerOptions = {}): Promise<FakeOpenAiServer> {
  let responder = options.responder ?? defaultResponder;
  let faults = new FaultPlan(options.faults);
  const requests: RecordedRequest[] = [];
  const stats = { inFlight: 0, maxInFlight: 0 };
  let seq = 0;
  let chatSeq = 0;
  const batches = new FakeBatches(() => responder, options.batch);

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: `fake server bug: ${String(error)}`, type: 'server_error' } });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
    const text = await readBody(req);
    let body: unknown = text;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const azure = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(url.pathname);
    const isChat = req.method === 'POST' && (url.pathname === '/v1/chat/completions' || azure !== null);
    const record: RecordedRequest = { seq: ++seq, method: req.method ?? '', path: url.pathname + url.search, headers, body, chat: isChat };
    requests.push(record);

    if (!authorised(headers)) {
      const presented = headers['authorization']?.replace(/^Bearer\s+/i, '') ?? headers['api-key'] ?? '';
      // Real servers echo (part of) the key; echoing all of it is the worst case for our scrubbing.
      return reply(record, res, 401, apiError(`Incorrect API key provided: ${presented}`, { code: 'invalid_api_key' }));
    }
    if (req.method === 'GET' && url.pathname === '/v1/models') {
      const data = (options.models ?? ['fake-model']).map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake' }));
      return reply(record, res, 200, { object: 'list', data });
    }
    if (req.method === 'POST' && url.pathname === '/v1/completions' && options.scoring?.echo && typeof body === 'object' && body !== null) {
      const b = body as Record<string, unknown>;
      const answer = echoCompletion(typeof b.model === 'string' ? b.model : '', seq, b);
      return 'error' in answer ? reply(record, res, 400, apiError(String(answer.error))) : reply(record, res, 200, answer);
    }
    const batchRoute = await batches.route(req.method ?? '', url.pathname, text, headers['content-type'] ?? '');
    if (batchRoute?.text !== undefined) return sendRaw(record, res, batchRoute.status, batchRoute.text);
    if (batchRoute) return reply(record, res, batchRoute.status, batchRoute.json);
    if (!isChat) return reply(record, res, 404, apiError(`no route for ${req.method} ${url.pathname}`));

    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    res.on('close', () => stats.inFlight--);
    await handleChat(record, res, body, headers, azure?.[1]);
  }

  function authorised(headers: Record<string, string>): boolean {
    if (options.apiKey === undefined) return true;
    return headers['authorization'] === `Bearer ${options.apiKey}` || headers['api-key'] === options.apiKey;
  }

  async function handleChat(
    record: RecordedRequest,
    res: ServerResponse,
    body: unknown,
    headers: Record<string, string>,
    deployment?: string,
  ): Promise<void> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return reply(record, res, 400, apiError('the request body must be a JSON object'));
    }
    const b = body as Record<string, unknown>;
    if (b.stream === true) {
      return reply(record, res, 400, apiError('the fake server does not stream; send "stream": false', { param: 'stream' }));
    }
    const model = deployment ?? (typeof b.model === 'string' ? b.model : '');
    if (options.models && !options.models.includes(model)) {
      return reply(record, res, 404, apiError(`The model \`${model}\` does not exist`, { code: 'model_not_found' }));
    }
    const messages = Array.isArray(b.messages)
      ? b.messages.map((m: { role?: unknown; content?: unknown }) => ({
          role: String(m?.role ?? ''),
          content: typeof m?.content === 'string' ? m.content : JSON.stringify(m?.content ?? ''),
        }))
      : [];
    const format = b.response_format as { type?: string; json_schema?: { name: string; schema: unknown; strict?: boolean } } | undefined;
    if (format?.type === 'json_schema' && options.jsonSchema === 'reject') {
      const message = "response_format of type 'json_schema' is not supported by this server";
      return reply(record, res, 400, apiError(message, { param: 'response_format' }));
    }

    if (b.prompt_logprobs !== undefined && b.prompt_logprobs !== null && options.scoring?.promptLogprobs) {
      return reply(record, res, 200, promptLogprobsCompletion(model, ++chatSeq, messages));
    }
    const fault = faults.next();
    if (fault) record.fault = fault.kind;
    await delay((options.baseLatencyMs ?? 0) + (fault?.kind === 'slow' ? (fault.delayMs ?? 50) : 0));
    if (fault && TRANSPORT_FAULTS.has(fault.kind) && fault.kind !== 'slow') return transportFault(record, res, fault);

    const request: FakeChatRequest = {
      seq: ++chatSeq,
      model,
      messages,
      body: b,
      headers,
      lastUser: [...messages].reverse().find((m) => m.role === 'user')?.content ?? '',
    };
    if (format?.type === 'json_schema' && format.json_schema) request.jsonSchema = format.json_schema;
    const answer = await responder(request);
    if (typeof answer === 'object' && 'error' in answer) {
      const { status, headers: extra, ...error } = answer.error;
      return reply(record, res, status, { error: { type: 'invalid_request_error', ...error } }, extra);
    }
    const shaped = typeof answer === 'string' ? { content: answer } : answer;
    let content = shaped.json !== undefined ? JSON.stringify(shaped.json) : (shaped.content ?? '');
    let finishReason = shaped.finishReason ?? 'stop';
    if (fault && !TRANSPORT_FAULTS.has(fault.kind) && !BODY_FAULTS.has(fault.kind)) {
      const corrupted = corruptContent(fault.kind, content);
      content = corrupted.content;
      finishReason = corrupted.finishReason ?? finishReason;
    }
    const usage: FakeUsage = {
      prompt_tokens: shaped.usage?.prompt_tokens ?? fakePromptTokens(messages),
      completion_tokens: shaped.usage?.completion_tokens ?? fakeCompletionTokens(content),
    };
    const choice: Record<string, unknown> = {
      index: 0,
      message: { role: 'assistant', content: shaped.refusal !== undefined && !content ? null : content, refusal: shaped.refusal ?? null },
      finish_reason: finishReason,
      logprobs: b.logprobs === true && options.logprobs !== false ? fakeLogprobs(content, Number(b.top_logprobs ?? 0)) : null,
    };
    const completion: Record<string, unknown> = {
      id: `chatcmpl-fake-${request.seq}`,
      object: 'chat.completion',
      created: 0,
      model,
      choices: [choice],
      system_fingerprint: 'fake',
    };
    if (shaped.usage !== null) {
      completion.usage = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
      record.usage = usage;
    }
    record.content = content;
    if (fault?.kind === 'malformed-body') return sendRaw(record, res, 200, '{"id": "chatcmpl-fake", "choices": [{"message": {"content": ');
    if (fault?.kind === 'truncated-body') {
      const text = JSON.stringify(completion);
      return sendRaw(record, res, 200, text.slice(0, Math.floor(text.length / 2)), Buffer.byteLength(text));
    }
    return reply(record, res, 200, completion);
  }

  /** A 200 whose body is not the completion: garbled, or cut off (declared length > bytes sent). */
  function sendRaw(record: RecordedRequest, res: ServerResponse, status: number, text: string, declaredLength?: number): void {
    record.status = res.destroyed ? 499 : status;
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': declaredLength ?? Buffer.byteLength(text) });
    if (declaredLength === undefined) {
      res.end(text);
      return;
    }
    res.write(text, () => res.socket?.destroy());
  }

  function transportFault(record: RecordedRequest, res: ServerResponse, fault: FaultSpec): void {
    switch (fault.kind) {
      case 'rate-limit': {
        const headers: Record<string, string> = {};
        if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
        else if (fault.retryAfterDate !== undefined) headers['retry-after'] = fault.retryAfterDate.toUTCString();
        else if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
        const body = apiError('Rate limit reached (fault injected)', { type: 'requests', code: 'rate_limit_exceeded' });
        return reply(record, res, 429, body, headers);
      }
      case 'server-error':
        return reply(record, res, 500, apiError('The server had an error (fault injected)', { type: 'server_error' }));
      case 'unavailable': {
        const headers: Record<string, string> = {};
        if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
        return reply(record, res, 503, apiError('The server is overloaded (fault injected)', { type: 'server_error' }), headers);
      }
      case 'reset':
        record.status = 0;
        res.socket?.destroy();
        return;
      case 'hang':
        // Left open: the client times out or aborts; close() destroys what is left.
        return;
      default:
        return;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/v1`,
    origin,
    requests,
    chatRequests: () => requests.filter((r) => r.chat),
    stats,
    batches,
    setResponder: (r) => {
      responder = r;
    },
    setFaults: (f) => {
      faults = new FaultPlan(f);
    },
    reset: () => {
      requests.length = 0;
      stats.maxInFlight = stats.inFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const startFakeOpenAiServer = start;

/** The OpenAI error document shape. */
function apiError(message: string, extra: { type?: string; code?: string; param?: string } = {}) {
  return { error: { message, type: 'invalid_request_error', ...extra } };
}

function reply(record: RecordedRequest, res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  // 499 (nginx's "client closed request"): the client gave up before the reply was ready.
  record.status = res.destroyed ? 499 : status;
  sendJson(res, status, body, headers);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

/** One entry per word/punctuation token, with a deterministic, length-dependent log-probability. */
function fakeLogprobs(content: string, top: number) {
  const tokens = content.match(/[A-Za-z0-9]+|[^\sA-Za-z0-9]/g) ?? [];
  return {
    content: tokens.map((token) => {
      const logprob = -0.01 * fakeTokenCount(token) * token.length;
      return {
        token,
        logprob,
        bytes: [...Buffer.from(token)],
        top_logprobs: Array.from({ length: Math.max(0, Math.min(top, 5)) }, (_, i) => ({
          token: i === 0 ? token : `${token}~${i}`,
          logprob: logprob - i,
          bytes: null,
        })),
      };
    }),
    refusal: null,
  };
}
