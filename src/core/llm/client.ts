/**
 * The client of one configured endpoint. A chat call goes: response cache → budget reservation →
 * (rate limit → concurrency slot → one HTTP attempt → retry decision → backoff)* → accounting,
 * cache write and one call-log record. Every call ends in exactly one record, success or not.
 * The cache write is waited for, unless the services take it in the background (onCacheWrite).
 */
import type OpenAI from 'openai';
import { requestHash, type CacheKeyMaterial } from './cacheKey';
import { shareSignal } from './sharedSignal';
import type { CapabilityStore } from './capabilityStore';
import type { LlmCallRecord } from './callLog';
import { raceAbort, throwIfAborted } from './clock';
import { resolveEndpoint, type EndpointConfig, type EndpointSettings, type ResolvedEndpoint } from './endpoint';
import { limitsOf, type EndpointLimits, type Limiters } from './endpointLimits';
import { forwardedTokens, limitedForward } from './limitedForward';
import { errorRecord, LlmError, ReplayMissError } from './errors';
import { makeCacheEntry, type CachedResponse } from './responseCache';
import { decideRetry } from './retry';
import type { LlmServices } from './services';
import { DEFAULT_REPLY_TOKENS } from './tokens';
import { buildWire, createSdk, sendAttempt, type RawReply, type WireParams, type WireRequest } from './transport';
import { BatchQueue, DEFAULT_BATCH_SETTINGS } from './batch/batchQueue';
import { CallCharge, type Outcome } from './callCharge';
import type { CallContext, ChatMessage, ChatRequest, ChatResult, EndpointRole } from './types';


interface Prepared {
  messages: ChatMessage[];
  params: WireParams;
  material: CacheKeyMaterial;
  hash: string;
  /** The reply size the budget and the token limiter assume. */
  replyTokens: number;
}

export class LlmClient {
  readonly baseUrl: string;
  readonly model: string;
  /** Base URL + model: the identity limiters and capabilities are keyed by. */
  readonly endpointId: string;
  /** The configuration without the in-memory key, safe to show or log. */
  readonly settings: EndpointSettings;
  // Private fields (not TS `private`) so that serialising a client can never reveal the key.
  readonly #endpoint: ResolvedEndpoint;
  readonly #sdk: OpenAI;
  readonly #limiters: Limiters;
  // Holds env (and so keys) too: kept out of reach of serialisation as well.
  readonly #services: LlmServices;
  /** Set when the endpoint has `batch: true`: calls go through the Batch API (batch/batchQueue.ts). */
  readonly #batch: BatchQueue | undefined;

  /** Throws MissingApiKeyError when a non-local endpoint has no key. */
  constructor(
    readonly role: EndpointRole,
    config: EndpointConfig,
    services: LlmServices,
    limits: EndpointLimits = limitsOf(config),
  ) {
    const { apiKey: _secret, ...settings } = config;
    this.settings = settings;
    this.#services = services;
    this.#endpoint = resolveEndpoint(config, services.env);
    this.baseUrl = this.#endpoint.baseUrl;
    this.model = this.#endpoint.model;
    this.endpointId = this.#endpoint.id;
    this.#sdk = createSdk(this.#endpoint, services.fetch);
    this.#limiters = services.limiters.for(this.#endpoint.id, limits);
    if (config.batch) {
      let queue = services.batchQueues.get(this.#endpoint.id);
      if (!queue) {
        const sdk = this.#endpoint.azureApiVersion !== undefined ? createSdk(this.#endpoint, services.fetch, { withoutDeployment: true }) : this.#sdk;
        queue = new BatchQueue(sdk, this.#endpoint, services.clock, services.batch?.ledger, { ...DEFAULT_BATCH_SETTINGS, ...batchSettingsFromEnv(services.env), ...services.batch?.settings });
        services.batchQueues.set(this.#endpoint.id, queue);
      }
      this.#batch = queue;
    }
  }

  /** Shared by all clients of the run; keyed by endpointId. */
  get capabilityStore(): CapabilityStore {
    return this.#services.capabilities;
  }

  async chat(request: ChatRequest, context: CallContext): Promise<ChatResult> {
    // The caller's signal is shared by all its calls in flight (sharedSignal.ts).
    shareSignal(context.signal);
    const started = this.#services.clock.now();
    const prepared = this.prepare(request);
    const outcome: Outcome = {
      attempts: 0,
      billedRetries: 0,
      usage: { inputTokens: 0, outputTokens: 0, estimated: false },
      costUsd: 0,
      cached: false,
    };
    let result: ChatResult;
    try {
      result = await this.run(prepared, context, outcome, started);
    } catch (error) {
      if (error instanceof LlmError) error.attempts = outcome.attempts;
      this.emit(this.record(prepared.hash, context, started, outcome, error));
      throw error;
    }
    this.emit(this.record(prepared.hash, context, started, outcome));
    return result;
  }

  /**
   * Sends one raw HTTP request to this endpoint with its key, for the gateway that stands between
   * a user's MAS and the model (gateway/): the gateway forwards what the MAS sent without ever
   * holding the key. `path` is relative to the base URL ("/chat/completions"); an Azure endpoint
   * gets its deployment path, api-version and api-key header. No cache, budget, retry or record
   * here: the gateway accounts for each forwarded call itself, once. The endpoint's concurrency and
   * rate limits do apply (limitedForward.ts): the MAS's calls share them with TRUCE's own.
   */
  forward(path: string, init: { method: 'GET' | 'POST'; body?: string; signal?: AbortSignal }): Promise<Response> {
    const endpoint = this.#endpoint;
    const azure = endpoint.azureApiVersion !== undefined;
    const url = azure
      ? `${endpoint.baseUrl}/deployments/${encodeURIComponent(endpoint.model)}${path}?api-version=${encodeURIComponent(endpoint.azureApiVersion as string)}`
      : `${endpoint.baseUrl}${path}`;
    const headers: Record<string, string> = azure ? { 'api-key': endpoint.apiKey } : { authorization: `Bearer ${endpoint.apiKey}` };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const doFetch = (this.#services.fetch ?? fetch) as typeof fetch;
    const send = () => doFetch(url, { method: init.method, headers, ...(init.body !== undefined ? { body: init.body } : {}), ...(init.signal ? { signal: init.signal } : {}) });
    return limitedForward(this.#limiters, this.#services.clock, forwardedTokens(init.body), init.signal, send);
  }

  /** Endpoint defaults filled in, the wire parameters, and the content address of the request. */
  private prepare(request: ChatRequest): Prepared {
    const messages = request.messages.map((m) => ({ role: m.role, content: m.content }));
    // Scoring generates nothing worth reading: one token (the least servers accept), greedy.
    const temperature = request.score ? 0 : (request.temperature ?? this.settings.temperature);
    const maxTokens = request.score ? 1 : (request.maxTokens ?? this.settings.maxTokens);
    const seed = request.seed ?? this.settings.seed;
    const params: WireParams = {};
    if (temperature !== undefined) params.temperature = temperature;
    if (maxTokens !== undefined) params.maxTokens = maxTokens;
    if (seed !== undefined) params.seed = seed;
    if (request.responseFormat) params.responseFormat = request.responseFormat;
    if (request.logprobs) params.logprobs = request.logprobs;
    if (request.score) params.score = request.score;
    const material: CacheKeyMaterial = {
      baseUrl: this.baseUrl,
      model: this.model,
      messages,
      params: { temperature, maxTokens, responseFormat: request.responseFormat, logprobs: request.logprobs, score: request.score },
      seed,
      templateVersion: request.templateVersion,
      sample: request.sample,
    };
    return { messages, params, material, hash: requestHash(material), replyTokens: maxTokens ?? DEFAULT_REPLY_TOKENS };
  }

  /** Cache, budget, send, cache write; fills `outcome` as it goes so failures are recorded truthfully. */
  private async run(prepared: Prepared, context: CallContext, outcome: Outcome, started: number): Promise<ChatResult> {
    throwIfAborted(context.signal);
    const hit = await this.fromCache(prepared, context, outcome, started);
    if (hit) return hit;
    const sharing = this.#services.cacheMode === 'read-write';
    // Looked up and taken over with no wait in between, so two callers cannot both miss the other.
    const leader = sharing ? this.#services.inFlight.follow(prepared.hash) : undefined;
    if (leader) {
      const twin = await this.fromTwin(leader, prepared, context, outcome, started);
      if (twin) return twin;
    }
    const settle = sharing ? this.#services.inFlight.lead(prepared.hash) : undefined;
    try {
      const result = await this.call(prepared, context, outcome, started);
      settle?.(result.response);
      return result.answer;
    } catch (error) {
      settle?.(undefined);
      throw error;
    }
  }

  /**
   * The reply of an identical request already in flight (InFlightCalls), served like a cache hit:
   * nothing paid, nothing sent. Undefined when that call failed: then this caller makes its own.
   */
  private async fromTwin(leader: Promise<CachedResponse | undefined>, prepared: Prepared, context: CallContext, outcome: Outcome, started: number): Promise<ChatResult | undefined> {
    const response = await raceAbort(leader, context.signal);
    if (!response) return undefined;
    outcome.cached = true;
    outcome.usage = { ...response.usage };
    const latencyMs = this.#services.clock.now() - started;
    return { ...fromCached(response), costUsd: 0, cached: true, attempts: 0, latencyMs, requestHash: prepared.hash };
  }

  /** Budget, send, cache write: the call this client pays for. */
  private async call(prepared: Prepared, context: CallContext, outcome: Outcome, started: number): Promise<{ answer: ChatResult; response: CachedResponse }> {
    const charge = new CallCharge(this.#services.budget, this.settings, prepared.messages, prepared.replyTokens, outcome);
    let answered: { reply: RawReply; batched: boolean };
    try {
      answered = await this.transmit(prepared, context, outcome, charge);
    } catch (error) {
      charge.fail();
      throw error;
    }
    const { reply, batched } = answered;
    const { usage, spentTokens } = charge.settle(reply, batched);
    // A batched call never took tokens from the online rate limiter: nothing to reconcile.
    if (!batched) this.#limiters.rate.reconcileTokens(charge.estimatedTotal, spentTokens);
    const response: CachedResponse = { content: reply.content, finishReason: reply.finishReason, usage: { ...usage } };
    if (reply.refusal !== undefined) response.refusal = reply.refusal;
    if (reply.logprobs) response.logprobs = reply.logprobs;
    if (reply.score) response.score = reply.score;
    await this.toCache(prepared, response);
    const answer = {
      ...fromCached(response),
      costUsd: outcome.costUsd,
      cached: false,
      attempts: outcome.attempts,
      latencyMs: this.#services.clock.now() - started,
      requestHash: prepared.hash,
    };
    return { answer, response };
  }

  /** The cached reply, when the cache mode reads and has one; in replay a miss fails the call. */
  private async fromCache(prepared: Prepared, context: CallContext, outcome: Outcome, started: number): Promise<ChatResult | undefined> {
    const { clock, cache, cacheMode } = this.#services;
    const { hash } = prepared;
    if (!cache || (cacheMode !== 'read-write' && cacheMode !== 'replay')) return undefined;
    // In replay a miss fails the call, so it is worth one look on disk past the cache's index.
    const entry = await cache.get(hash, { confirmMiss: cacheMode === 'replay' });
    if (entry) {
      // An entry served while still being written: the result relies on that write landing.
      const landing = cache.landing?.(hash);
      if (landing) await this.afterCacheWrite(landing.catch((error: unknown) => Promise.reject(cacheWriteError(cache.location, error))));
      outcome.cached = true;
      outcome.usage = { ...entry.response.usage };
      const latencyMs = clock.now() - started;
      return { ...fromCached(entry.response), costUsd: 0, cached: true, attempts: 0, latencyMs, requestHash: hash };
    }
    if (cacheMode === 'replay') {
      const who = context.agent === undefined ? '' : `, agent ${context.agent}`;
      throw new ReplayMissError(hash, `${this.role} ${this.model}, phase ${context.phase}${who}; cache ${cache.location}`);
    }
    return undefined;
  }

  /**
   * The reply, from the Batch API or the live endpoint. Batch mode: the Batch API answers, or the
   * call goes online (a probe always does: it checks the live endpoint; so does a likelihood score,
   * which the Batch API's chat route cannot ask).
   */
  private async transmit(prepared: Prepared, context: CallContext, outcome: Outcome, charge: CallCharge): Promise<{ reply: RawReply; batched: boolean }> {
    const wire = buildWire(this.#endpoint, prepared.messages, prepared.params);
    const batchable = this.#batch && context.purpose !== 'probe' && wire.endpoint === 'chat' && !wire.score;
    const answer = batchable ? await this.#batch!.submit(prepared.hash, wire.body, context.signal) : undefined;
    if (answer?.ok) {
      outcome.attempts++;
      return { reply: answer.reply, batched: true };
    }
    const reply = await this.send(wire, charge.estimatedTotal, context, () => outcome.attempts++, (retrying) => charge.chargeBilled(retrying));
    return { reply, batched: false };
  }

  /** Writes the reply to the response cache when the cache mode writes. */
  private async toCache(prepared: Prepared, response: CachedResponse): Promise<void> {
    const { clock, cache, cacheMode } = this.#services;
    if (!cache || (cacheMode !== 'read-write' && cacheMode !== 'record')) return;
    let write: Promise<void>;
    try {
      write = cache.put(makeCacheEntry(prepared.hash, prepared.material, response, new Date(clock.now())));
    } catch (error) {
      write = Promise.reject(error);
    }
    await this.afterCacheWrite(write.catch((error: unknown) => Promise.reject(cacheWriteError(cache.location, error))));
  }

  /**
   * Waits for a cache write, or — when the services take writes in the background — hands it over
   * without waiting: a write costs several file operations queued on the thread pool, and waiting
   * for them put that queue on the path of every call.
   */
  private async afterCacheWrite(write: Promise<void>): Promise<void> {
    const sink = this.#services.onCacheWrite;
    if (!sink) return write;
    write.catch(() => undefined);
    sink(write);
  }

  private record(hash: string, context: CallContext, started: number, outcome: Outcome, error?: unknown): LlmCallRecord {
    const record: LlmCallRecord = {
      ts: new Date(started).toISOString(),
      requestHash: hash,
      role: this.role,
      baseUrl: this.baseUrl,
      model: this.model,
      phase: context.phase,
      purpose: context.purpose ?? 'call',
      usage: { ...outcome.usage },
      costUsd: outcome.costUsd,
      latencyMs: Math.max(0, this.#services.clock.now() - started),
      attempts: outcome.attempts,
      cached: outcome.cached,
    };
    if (outcome.billedRetries > 0) record.billedRetries = outcome.billedRetries;
    if (context.agent !== undefined) record.agent = context.agent;
    if (error !== undefined) record.error = errorRecord(error);
    return record;
  }

  /** Attempts until success, a non-retryable failure, or the attempt bound. */
  private async send(
    body: WireRequest,
    tokens: number,
    context: CallContext,
    onAttempt: () => void,
    onBilledFailure: (retrying: boolean) => void,
  ): Promise<RawReply> {
    const { clock, random, retry } = this.#services;
    const { concurrency, rate } = this.#limiters;
    const signal = context.signal;
    for (let attempt = 1; ; attempt++) {
      await rate.acquire(tokens, signal);
      const release = await concurrency.acquire(signal);
      onAttempt();
      let failure: LlmError;
      try {
        return await sendAttempt(this.#sdk, body, { endpoint: this.#endpoint, clock, ...(signal ? { signal } : {}) });
      } catch (error) {
        if (!(error instanceof LlmError)) throw error;
        failure = error;
      } finally {
        release();
      }
      const decision = decideRetry(failure, attempt, retry, random);
      // Throws BudgetExceededError when the budget has no room for another billed attempt.
      if (failure.billed) onBilledFailure(decision.retry);
      if (!decision.retry) {
        if (decision.reason) throw rephrase(failure, `Not retrying: ${decision.reason}.`);
        if (failure.retryable && attempt > 1) throw rephrase(failure, `Gave up after ${attempt} attempts.`);
        throw failure;
      }
      if (decision.source === 'retry-after') rate.holdUntil(clock.now() + decision.delayMs);
      this.#services.onRetry?.({
        role: this.role,
        model: this.model,
        phase: context.phase,
        ...(context.agent === undefined ? {} : { agent: context.agent }),
        attempt,
        delayMs: decision.delayMs,
        reason: decision.source,
        error: failure.toRecord(),
      });
      await clock.sleep(decision.delayMs, signal);
    }
  }

  private emit(record: LlmCallRecord): void {
    this.#services.accounting.record(record);
    this.#services.onCall?.(record);
  }
}

/** TRUCE_BATCH_POLL_MS and TRUCE_BATCH_COLLECT_MS tune batch polling (e.g. poll a local test server fast). */
function batchSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): Partial<typeof DEFAULT_BATCH_SETTINGS> {
  const out: Partial<typeof DEFAULT_BATCH_SETTINGS> = {};
  const poll = Number(env.TRUCE_BATCH_POLL_MS);
  const collect = Number(env.TRUCE_BATCH_COLLECT_MS);
  if (env.TRUCE_BATCH_POLL_MS && Number.isFinite(poll) && poll >= 0) out.pollMs = poll;
  if (env.TRUCE_BATCH_COLLECT_MS && Number.isFinite(collect) && collect >= 0) out.collectMs = collect;
  return out;
}

function fromCached(response: CachedResponse): Pick<ChatResult, 'content' | 'finishReason' | 'refusal' | 'usage' | 'logprobs' | 'score'> {
  const out: Pick<ChatResult, 'content' | 'finishReason' | 'refusal' | 'usage' | 'logprobs' | 'score'> = {
    content: response.content,
    finishReason: response.finishReason,
    usage: { ...response.usage },
  };
  if (response.refusal !== undefined) out.refusal = response.refusal;
  if (response.logprobs) out.logprobs = response.logprobs;
  if (response.score) out.score = { ...response.score };
  return out;
}

function cacheWriteError(location: string, error: unknown): LlmError {
  if (error instanceof LlmError && error.kind === 'cache-write') return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new LlmError('cache-write', `Could not write a response-cache entry under ${location}: ${detail}`, { cause: error });
}

function rephrase(error: LlmError, addition: string): LlmError {
  return new LlmError(error.kind, `${error.message} ${addition}`, {
    retryable: false,
    billed: error.billed,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    cause: error,
  });
}
