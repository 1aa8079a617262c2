/** Public API of the LLM layer (DESIGN.md §5). */
export { Accounting, addRecord, emptyTotals, type AccountingSnapshot, type UsageTotals } from './accounting';
export { Budget, limitsLeft, type BudgetLimits, type BudgetReservation, type BudgetSnapshot, type Spend } from './budget';
export { canonicalJson, requestHash, type CacheKeyMaterial } from './cacheKey';
export type { CallLogSink, LlmCallRecord, RetryNotice, RetrySink } from './callLog';
export {
  CapabilityStore,
  PROBE_PHASE,
  probeCapabilities,
  supportsJsonSchema,
  supportsLogprobs,
  type Capabilities,
  type Capability,
} from './capabilities';
export { LlmClient } from './client';
export { systemClock, type Clock } from './clock';
export { createLlmClients, type EndpointConfigs, type LlmClients } from './createClients';
export {
  DEFAULT_MAX_CONCURRENCY,
  DEFAULT_TIMEOUT_MS,
  endpointConfigSchema,
  isLocalUrl,
  resolveEndpoint,
  sanitizeBaseUrl,
  type EndpointConfig,
  type EndpointSettings,
  type ResolvedEndpoint,
} from './endpoint';
export { limitsOf, type EndpointLimits } from './endpointLimits';
export {
  BUDGET_SETTING,
  BudgetExceededError,
  errorRecord,
  isLlmError,
  LlmError,
  MissingApiKeyError,
  ReplayMissError,
  type BudgetDimension,
  type LlmErrorKind,
  type LlmErrorRecord,
} from './errors';
export { extractJson, type ExtractResult, type JsonSource } from './extractJson';
export { isStrictCompatible, toJsonSchema, toResponseFormat } from './jsonSchema';
export { ConcurrencyLimiter, type Release } from './limiter';
export { projectCost, type CostProjection, type EndpointPricing, type PlannedCalls, type ProjectedSpend } from './projection';
export { RateLimiter, type RateLimits } from './rateLimiter';
export {
  DiskResponseCache,
  type CacheEntry,
  type CacheFs,
  type CacheMode,
  type CachedResponse,
  type ResponseCache,
} from './responseCache';
export { backoffDelay, decideRetry, DEFAULT_RETRY_POLICY, parseRetryAfter, type RetryDecision, type RetryPolicy } from './retry';
export { scrubSecrets } from './secrets';
export { createLlmServices, type CacheWriteSink, type LlmServices, type LlmServicesOptions } from './services';
export { PendingCacheWrites } from './cacheWrites';
export {
  callStructured,
  withJsonInstructions,
  type StructuredFailure,
  type StructuredMode,
  type StructuredRequest,
  type StructuredResult,
} from './structured';
export { scoreContinuation, scoringRoute, SCORING_ROUTES } from './scoring';
export { CHARS_PER_TOKEN, costUsd, DEFAULT_REPLY_TOKENS, estimatePromptTokens, estimateTokens, type Prices } from './tokens';
export type { FetchLike } from './transport';
export {
  ENDPOINT_ROLES,
  type CallContext,
  type CallPurpose,
  type ChatMessage,
  type ChatRequest,
  type ChatResult,
  type ContinuationScore,
  type EndpointRole,
  type JsonSchemaFormat,
  type ScoreRequest,
  type ScoringRoute,
  type TokenLogprob,
  type TokenUsage,
} from './types';
