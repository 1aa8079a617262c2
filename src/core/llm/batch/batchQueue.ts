/**
 * The Batch API as a transport for one endpoint (`llm.<role>.batch: true`). Calls that arrive
 * together — the independent calls of one phase, issued at once: Φ for every task of a round, Ψ
 * for every agent and task, the judge for every task in flight — are collected for a short window
 * and sent as one batch: a JSONL file upload, a batch over it, polling until it ends, then its
 * output and error files. Each call gets its own reply back as if it had been sent online, so the
 * client caches, budgets and accounts it exactly like an online call (under the same key).
 *
 * A request the batch did not answer (expired, failed line, failed batch) is not lost: the caller
 * sends it online. A batch that cannot be submitted at all (no Batch API at the endpoint) fails
 * its calls with an error that says so. Batches are written down in the run's ledger
 * (batchLedger.ts); on resume, a call whose key is in a pending batch of the earlier invocation
 * waits for that batch instead of submitting again.
 *
 * Calls that depend on each other (round 2 reads round 1) still work, one batch per step, each a
 * full batch round trip: batch mode pays off on the wide phases, not on chains.
 */
import type OpenAI from 'openai';
import { toFile } from 'openai';
import type { Batch } from 'openai/resources/batches';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { classifyError } from '../classifyError';
import { abortedError, type Clock } from '../clock';
import type { ResolvedEndpoint } from '../endpoint';
import { LlmError } from '../errors';
import { readCompletion, type RawReply } from '../transport';
import type { BatchLedger } from './batchLedger';

/** OpenAI's Batch API price: half the online price, for input and output tokens alike. */
export const BATCH_PRICE_FACTOR = 0.5;

export interface BatchSettings {
  /** Wait between status polls. Real batches take minutes to hours; tests poll fast. */
  pollMs: number;
  /** How long the first call of a batch waits for others to join it. */
  collectMs: number;
  /** Requests per batch (the API allows 50 000). */
  maxRequests: number;
}

export const DEFAULT_BATCH_SETTINGS: BatchSettings = { pollMs: 30_000, collectMs: 250, maxRequests: 50_000 };

export type BatchAnswer = { ok: true; reply: RawReply } | { ok: false; reason: string };

const TERMINAL = new Set(['completed', 'failed', 'expired', 'cancelled']);

interface Waiting {
  key: string;
  body: ChatCompletionCreateParamsNonStreaming;
  settle: (answer: BatchAnswer) => void;
  fail: (error: unknown) => void;
}

/** Figures for benches and tests. */
export interface BatchStats {
  batches: number;
  requests: number;
  adopted: number;
  answered: number;
  unanswered: number;
}

export class BatchQueue {
  readonly stats: BatchStats = { batches: 0, requests: 0, adopted: 0, answered: 0, unanswered: 0 };
  private collecting: Waiting[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Keys in flight (collected or submitted) → their answer, so a key is asked for once. */
  private readonly inFlight = new Map<string, Promise<BatchAnswer>>();
  /** Key → batch id, for batches an earlier invocation left pending. */
  private readonly adoptable = new Map<string, string>();
  /** Batch id → its answers by key, polled once however many calls wait for it. */
  private readonly adoptedResults = new Map<string, Promise<Map<string, BatchAnswer>>>();
  /** Callers still waiting, by key. */
  private readonly live = new Map<string, number>();
  /**
   * Batches being polled, with a switch that stops the polling once nobody waits for any of their
   * keys (a cancelled run): the batch stays pending in the ledger, and a resume adopts it.
   */
  private readonly polling = new Set<{ keys: readonly string[]; stop: AbortController }>();

  constructor(
    private readonly sdk: OpenAI,
    private readonly endpoint: ResolvedEndpoint,
    private readonly clock: Clock,
    private readonly ledger: BatchLedger | undefined,
    private readonly settings: BatchSettings = DEFAULT_BATCH_SETTINGS,
  ) {
    for (const pending of ledger?.pending(endpoint.id) ?? []) for (const key of pending.keys) this.adoptable.set(key, pending.batchId);
  }

  /** The reply to one request, or why the batch did not give one (then the caller sends it online). */
  submit(key: string, body: ChatCompletionCreateParamsNonStreaming, signal?: AbortSignal): Promise<BatchAnswer> {
    if (signal?.aborted) return Promise.reject(abortedError(signal));
    let answer = this.inFlight.get(key);
    if (!answer) {
      const adopted = this.adoptable.get(key);
      answer = adopted !== undefined ? this.fromAdopted(adopted, key) : this.enqueue(key, body);
      this.inFlight.set(key, answer);
      const forget = () => this.inFlight.delete(key);
      answer.then(forget, forget);
    }
    this.live.set(key, (this.live.get(key) ?? 0) + 1);
    const leave = () => {
      this.live.set(key, (this.live.get(key) ?? 1) - 1);
      for (const p of this.polling) if (p.keys.every((k) => !this.live.get(k))) p.stop.abort();
    };
    const mine = withSignal(answer, signal);
    mine.then(leave, leave);
    return mine;
  }

  private enqueue(key: string, body: ChatCompletionCreateParamsNonStreaming): Promise<BatchAnswer> {
    return new Promise<BatchAnswer>((settle, fail) => {
      this.collecting.push({ key, body, settle, fail });
      if (this.collecting.length >= this.settings.maxRequests) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.settings.collectMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const group = this.collecting.splice(0);
    if (!group.length) return;
    this.run(group).catch((error: unknown) => {
      for (const w of group) w.fail(error);
    });
  }

  /** Upload, create, poll, read: one batch from start to end. */
  private async run(all: Waiting[]): Promise<void> {
    // Callers that left while their calls were collected (a cancelled run) are not submitted for.
    const group = all.filter((w) => (this.live.get(w.key) ?? 0) > 0);
    for (const w of all) if (!group.includes(w)) w.settle({ ok: false, reason: 'nobody waits for this request any more' });
    if (!group.length) return;
    const azure = this.endpoint.azureApiVersion !== undefined;
    const url = azure ? '/chat/completions' : '/v1/chat/completions';
    const jsonl = group.map((w) => JSON.stringify({ custom_id: w.key, method: 'POST', url, body: w.body })).join('\n') + '\n';
    const upload = await toFile(Buffer.from(jsonl, 'utf8'), 'truce-batch.jsonl', { type: 'application/jsonl' });
    const file = await this.call('upload the batch input file', () => this.sdk.files.create({ file: upload, purpose: 'batch' }));
    const batch = await this.call('create the batch', () =>
      this.sdk.batches.create({ input_file_id: file.id, endpoint: url as '/v1/chat/completions', completion_window: '24h', metadata: { tool: 'truce' } }),
    );
    this.stats.batches++;
    this.stats.requests += group.length;
    this.ledger?.record({ event: 'created', batchId: batch.id, endpointId: this.endpoint.id, inputFileId: file.id, keys: group.map((w) => w.key), at: new Date(this.clock.now()).toISOString() });
    const answers = await this.results(batch.id, group.map((w) => w.key));
    for (const w of group) w.settle(answers.get(w.key) ?? { ok: false, reason: 'the batch returned nothing for this request' });
  }

  private fromAdopted(batchId: string, key: string): Promise<BatchAnswer> {
    let results = this.adoptedResults.get(batchId);
    if (!results) {
      this.stats.adopted++;
      const keys = [...this.adoptable].filter(([, id]) => id === batchId).map(([k]) => k);
      // A batch the endpoint no longer knows (deleted, another account) is not fatal: its calls go online.
      results = this.results(batchId, keys).catch((error: unknown) => new Map(keys.map((k) => [k, { ok: false, reason: `the pending batch ${batchId} could not be read: ${(error as Error).message}` } as BatchAnswer])));
      this.adoptedResults.set(batchId, results);
    }
    return results.then((answers) => answers.get(key) ?? { ok: false, reason: 'the batch returned nothing for this request' });
  }

  /** Polls until the batch ends, then reads its output and error files into one answer per key. */
  private async results(batchId: string, keys: readonly string[]): Promise<Map<string, BatchAnswer>> {
    let batch: Batch;
    const polling = { keys, stop: new AbortController() };
    this.polling.add(polling);
    try {
      for (;;) {
        batch = await this.call(`read the status of batch ${batchId}`, () => this.sdk.batches.retrieve(batchId));
        if (TERMINAL.has(batch.status)) break;
        await this.clock.sleep(this.settings.pollMs, polling.stop.signal);
      }
    } finally {
      this.polling.delete(polling);
    }
    const answers = new Map<string, BatchAnswer>();
    if (batch.output_file_id) {
      for (const line of await this.lines(batch.output_file_id)) {
        const answer = this.answerOf(line);
        if (answer) answers.set(line.custom_id as string, answer);
      }
    }
    if (batch.error_file_id) {
      for (const line of await this.lines(batch.error_file_id)) {
        const id = line.custom_id;
        if (typeof id === 'string' && !answers.has(id)) answers.set(id, { ok: false, reason: lineError(line) });
      }
    }
    const whole = batch.status === 'completed' ? undefined : `the batch ended ${batch.status}${batch.errors?.data?.[0]?.message ? ` (${batch.errors.data[0].message})` : ''}`;
    for (const key of keys) if (!answers.has(key)) answers.set(key, { ok: false, reason: whole ?? 'the batch returned nothing for this request' });
    const answered = keys.filter((k) => answers.get(k)?.ok).length;
    this.stats.answered += answered;
    this.stats.unanswered += keys.length - answered;
    this.ledger?.record({ event: 'finished', batchId, status: batch.status, answered, unanswered: keys.length - answered, at: new Date(this.clock.now()).toISOString() });
    return answers;
  }

  private answerOf(line: Record<string, unknown>): BatchAnswer | undefined {
    if (typeof line.custom_id !== 'string') return undefined;
    const response = line.response as { status_code?: number; body?: unknown } | null | undefined;
    if (!response || response.status_code !== 200) return { ok: false, reason: lineError(line) };
    try {
      return { ok: true, reply: readCompletion(response.body as ChatCompletion, this.endpoint) };
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
  }

  private async lines(fileId: string): Promise<Array<Record<string, unknown>>> {
    const response = await this.call(`download batch file ${fileId}`, () => this.sdk.files.content(fileId));
    const text = await response.text();
    const out: Array<Record<string, unknown>> = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // A garbled line answers nobody; its request is sent online.
      }
    }
    return out;
  }

  /**
   * One request to the files or batches API. Transient failures are tried again after a poll
   * interval (a batch lives for hours; a minute of patience costs nothing); anything else ends the
   * batch with an error that names the step.
   */
  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request();
      } catch (error) {
        const failure = classifyError(error, {
          baseUrl: this.endpoint.baseUrl,
          model: this.endpoint.model,
          keySource: this.endpoint.keySource,
          local: this.endpoint.local,
          secrets: [this.endpoint.apiKey],
          nowMs: this.clock.now(),
          timeoutMs: this.endpoint.timeoutMs,
          timedOut: false,
        });
        if (failure.retryable && attempt < 5) {
          await this.clock.sleep(this.settings.pollMs);
          continue;
        }
        const hint = failure.status === 404 ? ' The endpoint seems to have no Batch API (files and batches); remove `batch: true` from its llm settings in truce.yaml.' : '';
        throw new LlmError(failure.kind, `Batch mode: could not ${what}: ${failure.message}${hint}`, { ...(failure.status === undefined ? {} : { status: failure.status }), cause: failure });
      }
    }
  }
}

function lineError(line: Record<string, unknown>): string {
  const error = line.error as { code?: string; message?: string } | null | undefined;
  if (error?.message) return `${error.code ? `${error.code}: ` : ''}${error.message}`;
  const response = line.response as { status_code?: number; body?: { error?: { message?: string } } } | null | undefined;
  if (response?.status_code) return `HTTP ${response.status_code}${response.body?.error?.message ? `: ${response.body.error.message}` : ''}`;
  return 'the batch gave no answer for this request';
}

/** The shared answer, abandoned (not cancelled: others may wait on it) when this caller's signal fires. */
function withSignal<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortedError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
