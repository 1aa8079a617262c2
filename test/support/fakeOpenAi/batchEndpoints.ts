/**
 * The Batch API of the loopback fake: file upload (multipart), batch create and retrieve, and
 * file content — under /v1 (OpenAI) and /openai (Azure) alike. Each line of a batch is answered
 * by the server's responder, as its chat route would answer it, when the batch completes.
 *
 * Faults: `pollsUntilDone` keeps a batch in progress for that many status reads (Infinity: until
 * changed, to interrupt a run with a batch pending); `expireAfter: n` answers only the first n
 * lines and ends the batch `expired`, the rest in the error file as batch_expired, as OpenAI does;
 * `failEvery: k` puts every k-th line in the error file with a 500; `unsupported` answers 404 to
 * every batch route, like a server without the Batch API.
 */
import { fakeCompletionTokens, fakePromptTokens } from './tokens';
import type { FakeChatRequest, Responder } from '../fakeOpenAiServer';

export interface FakeBatchOptions {
  pollsUntilDone?: number;
  expireAfter?: number;
  failEvery?: number;
  unsupported?: boolean;
}

interface StoredBatch {
  id: string;
  status: string;
  inputFileId: string;
  endpoint: string;
  polls: number;
  outputFileId?: string;
  errorFileId?: string;
  counts: { total: number; completed: number; failed: number };
}

export interface FakeBatchRoute {
  status: number;
  json?: unknown;
  text?: string;
}

export class FakeBatches {
  options: FakeBatchOptions;
  readonly files = new Map<string, string>();
  readonly batches = new Map<string, StoredBatch>();
  /** Lines answered by the responder through batches (never through the chat route). */
  linesAnswered = 0;
  private nextId = 1;
  private seq = 0;

  constructor(
    private readonly responder: () => Responder,
    options: FakeBatchOptions = {},
  ) {
    this.options = { ...options };
  }

  /** Undefined when the request is not for the Batch API (the server then routes it on). */
  async route(method: string, path: string, body: string, contentType: string): Promise<FakeBatchRoute | undefined> {
    const m = /^\/(?:v1|openai)\/(files|batches)(?:\/([^/]+))?(?:\/(content))?$/.exec(path);
    if (!m) return undefined;
    if (this.options.unsupported) return { status: 404, json: { error: { message: `no route for ${method} ${path}`, type: 'invalid_request_error' } } };
    const [, kind, id, content] = m;
    if (kind === 'files' && method === 'POST' && !id) return this.upload(body, contentType);
    if (kind === 'files' && method === 'GET' && id && content) {
      const text = this.files.get(id);
      return text === undefined ? notFound(`file ${id}`) : { status: 200, text };
    }
    if (kind === 'batches' && method === 'POST' && !id) return this.create(body);
    if (kind === 'batches' && method === 'GET' && id) {
      const batch = this.batches.get(id);
      if (!batch) return notFound(`batch ${id}`);
      await this.advance(batch);
      return { status: 200, json: this.view(batch) };
    }
    return notFound(`${method} ${path}`);
  }

  private upload(body: string, contentType: string): FakeBatchRoute {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
    if (!boundary) return { status: 400, json: { error: { message: 'expected multipart/form-data', type: 'invalid_request_error' } } };
    const parts = body.split(`--${boundary[1] ?? boundary[2]}`);
    const filePart = parts.find((p) => /name="file"/.test(p));
    const purpose = parts.find((p) => /name="purpose"/.test(p))?.split(/\r\n\r\n/)[1]?.trim();
    if (!filePart || purpose !== 'batch') return { status: 400, json: { error: { message: 'a batch file upload needs file and purpose=batch', type: 'invalid_request_error' } } };
    const start = filePart.indexOf('\r\n\r\n') + 4;
    const text = filePart.slice(start).replace(/\r\n$/, '');
    const id = `file-fake-${this.nextId++}`;
    this.files.set(id, text);
    return { status: 200, json: { id, object: 'file', bytes: Buffer.byteLength(text), created_at: 0, filename: 'input.jsonl', purpose: 'batch' } };
  }

  private create(body: string): FakeBatchRoute {
    let params: { input_file_id?: string; endpoint?: string; completion_window?: string };
    try {
      params = JSON.parse(body) as typeof params;
    } catch {
      return { status: 400, json: { error: { message: 'the body must be JSON', type: 'invalid_request_error' } } };
    }
    const input = params.input_file_id ? this.files.get(params.input_file_id) : undefined;
    if (input === undefined || params.completion_window !== '24h') return { status: 400, json: { error: { message: 'input_file_id must name an uploaded file, and completion_window must be 24h', type: 'invalid_request_error' } } };
    const total = input.split('\n').filter((l) => l.trim()).length;
    const batch: StoredBatch = { id: `batch_fake_${this.nextId++}`, status: 'validating', inputFileId: params.input_file_id as string, endpoint: params.endpoint ?? '', polls: 0, counts: { total, completed: 0, failed: 0 } };
    this.batches.set(batch.id, batch);
    return { status: 200, json: this.view(batch) };
  }

  /** Each status read moves the batch on; after `pollsUntilDone` reads it is answered. */
  private async advance(batch: StoredBatch): Promise<void> {
    if (['completed', 'expired', 'failed', 'cancelled'].includes(batch.status)) return;
    batch.polls++;
    if (batch.polls <= (this.options.pollsUntilDone ?? 1)) {
      batch.status = 'in_progress';
      return;
    }
    const lines = (this.files.get(batch.inputFileId) ?? '').split('\n').filter((l) => l.trim());
    const out: string[] = [];
    const errors: string[] = [];
    for (const [index, line] of lines.entries()) {
      const request = JSON.parse(line) as { custom_id: string; body: Record<string, unknown> };
      if (this.options.expireAfter !== undefined && index >= this.options.expireAfter) {
        errors.push(JSON.stringify({ id: `req_${index}`, custom_id: request.custom_id, response: null, error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' } }));
        continue;
      }
      if (this.options.failEvery && (index + 1) % this.options.failEvery === 0) {
        errors.push(JSON.stringify({ id: `req_${index}`, custom_id: request.custom_id, response: { status_code: 500, request_id: `r${index}`, body: { error: { message: 'The server had an error processing this request.', type: 'server_error' } } }, error: null }));
        continue;
      }
      const answer = await this.answer(request.body);
      if (answer.status === 200) out.push(JSON.stringify({ id: `req_${index}`, custom_id: request.custom_id, response: { status_code: 200, request_id: `r${index}`, body: answer.body }, error: null }));
      else errors.push(JSON.stringify({ id: `req_${index}`, custom_id: request.custom_id, response: { status_code: answer.status, request_id: `r${index}`, body: answer.body }, error: null }));
    }
    batch.counts = { total: lines.length, completed: out.length, failed: errors.length };
    if (out.length) {
      batch.outputFileId = `file-fake-${this.nextId++}`;
      this.files.set(batch.outputFileId, `${out.join('\n')}\n`);
    }
    if (errors.length) {
      batch.errorFileId = `file-fake-${this.nextId++}`;
      this.files.set(batch.errorFileId, `${errors.join('\n')}\n`);
    }
    batch.status = this.options.expireAfter !== undefined && this.options.expireAfter < lines.length ? 'expired' : 'completed';
  }

  /** One line's completion, as the chat route shapes it (without transport faults or log-probabilities). */
  private async answer(body: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
    const messages = Array.isArray(body.messages) ? (body.messages as Array<{ role?: unknown; content?: unknown }>).map((m) => ({ role: String(m.role ?? ''), content: typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? '') })) : [];
    const format = body.response_format as { type?: string; json_schema?: { name: string; schema: unknown; strict?: boolean } } | undefined;
    const request: FakeChatRequest = {
      seq: ++this.seq,
      model: String(body.model ?? ''),
      messages,
      body,
      headers: {},
      lastUser: [...messages].reverse().find((m) => m.role === 'user')?.content ?? '',
    };
    if (format?.type === 'json_schema' && format.json_schema) request.jsonSchema = format.json_schema;
    const reply = await this.responder()(request);
    this.linesAnswered++;
    if (typeof reply === 'object' && 'error' in reply) return { status: reply.error.status, body: { error: { type: 'invalid_request_error', message: reply.error.message } } };
    const shaped = typeof reply === 'string' ? { content: reply } : reply;
    const content = shaped.json !== undefined ? JSON.stringify(shaped.json) : (shaped.content ?? '');
    const usage = { prompt_tokens: shaped.usage?.prompt_tokens ?? fakePromptTokens(messages), completion_tokens: shaped.usage?.completion_tokens ?? fakeCompletionTokens(content) };
    return {
      status: 200,
      body: {
        id: `chatcmpl-batch-${request.seq}`,
        object: 'chat.completion',
        created: 0,
        model: request.model,
        choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: shaped.finishReason ?? 'stop', logprobs: null }],
        usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
      },
    };
  }

  private view(batch: StoredBatch): Record<string, unknown> {
    return {
      id: batch.id,
      object: 'batch',
      endpoint: batch.endpoint,
      input_file_id: batch.inputFileId,
      completion_window: '24h',
      status: batch.status,
      output_file_id: batch.outputFileId ?? null,
      error_file_id: batch.errorFileId ?? null,
      created_at: 0,
      errors: null,
      request_counts: batch.counts,
    };
  }
}

function notFound(what: string): FakeBatchRoute {
  return { status: 404, json: { error: { message: `no such ${what}`, type: 'invalid_request_error' } } };
}
