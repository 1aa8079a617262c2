/**
 * The effects and shared state every client of one run uses: clock, randomness, fetch, retry
 * policy, response cache, budget, accounting, call log, limiters, capability cache. Built once per
 * run by the composition root (CLI or extension) and passed to the clients; nothing is global.
 */
import { InFlightCalls } from './inFlightCalls';
import { Accounting } from './accounting';
import type { Budget } from './budget';
import type { CallLogSink, RetrySink } from './callLog';
import { CapabilityStore } from './capabilityStore';
import { systemClock, type Clock } from './clock';
import { EndpointLimiters } from './endpointLimits';
import type { CacheMode, ResponseCache } from './responseCache';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry';
import type { FetchLike } from './transport';
import type { BatchLedger } from './batch/batchLedger';
import type { BatchQueue, BatchSettings } from './batch/batchQueue';

export interface LlmServicesOptions {
  /** Where `apiKeyEnv` names are looked up; defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  clock?: Clock;
  /** Uniform in [0, 1); drives backoff jitter. */
  random?: () => number;
  fetch?: FetchLike;
  retry?: Partial<RetryPolicy>;
  cache?: ResponseCache;
  /** Defaults to 'read-write' with a cache, 'off' without. */
  cacheMode?: CacheMode;
  budget?: Budget;
  accounting?: Accounting;
  onCall?: CallLogSink;
  /** Told before each backoff wait (status bar, output channel). */
  onRetry?: RetrySink;
  /**
   * When set, a call does not wait for its response-cache write: the write (rejecting with an
   * LlmError of kind 'cache-write') is handed here, in the call's async context, and the caller
   * must wait for it before storing anything that relies on the entry (see PendingCacheWrites).
   * A cache hit on an entry still being written hands that write over too. Unset, every call
   * waits for its own write, and a failed write fails the call.
   */
  onCacheWrite?: CacheWriteSink;
  /** For endpoints with `batch: true`: where batches are written down, and polling settings. */
  batch?: BatchOptions;
}

export interface BatchOptions {
  ledger?: BatchLedger;
  settings?: Partial<BatchSettings>;
}

export type CacheWriteSink = (write: Promise<void>) => void;

export interface LlmServices {
  env: Readonly<Record<string, string | undefined>>;
  clock: Clock;
  random: () => number;
  fetch?: FetchLike;
  retry: RetryPolicy;
  cache?: ResponseCache;
  cacheMode: CacheMode;
  budget?: Budget;
  accounting: Accounting;
  onCall?: CallLogSink;
  onRetry?: RetrySink;
  onCacheWrite?: CacheWriteSink;
  limiters: EndpointLimiters;
  capabilities: CapabilityStore;
  batch?: BatchOptions;
  /** One batch queue per endpoint (base URL + model), shared by the roles that use it. */
  batchQueues: Map<string, BatchQueue>;
  /** Identical requests in flight, answered by one call when the cache is read and written. */
  inFlight: InFlightCalls;
}

export function createLlmServices(options: LlmServicesOptions = {}): LlmServices {
  const cacheMode = options.cacheMode ?? (options.cache ? 'read-write' : 'off');
  if (cacheMode !== 'off' && !options.cache) {
    throw new TypeError(`cache mode '${cacheMode}' needs a response cache (a cache directory)`);
  }
  const clock = options.clock ?? systemClock;
  const retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
    throw new RangeError(`retry.maxAttempts must be a positive integer, got ${retry.maxAttempts}`);
  }
  const services: LlmServices = {
    env: options.env ?? process.env,
    clock,
    random: options.random ?? Math.random,
    retry,
    cacheMode,
    accounting: options.accounting ?? new Accounting(),
    limiters: new EndpointLimiters(clock),
    capabilities: new CapabilityStore(),
    batchQueues: new Map(),
    inFlight: new InFlightCalls(),
  };
  if (options.batch) services.batch = options.batch;
  if (options.fetch) services.fetch = options.fetch;
  if (options.cache) services.cache = options.cache;
  if (options.budget) services.budget = options.budget;
  if (options.onCall) services.onCall = options.onCall;
  if (options.onRetry) services.onRetry = options.onRetry;
  if (options.onCacheWrite) services.onCacheWrite = options.onCacheWrite;
  return services;
}
