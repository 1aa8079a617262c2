/** Shapes shared by the LLM layer: requests, replies, usage and call context. Plain data only. */

/** The three jobs an endpoint can be configured for (DESIGN.md §5). */
export type EndpointRole = 'executor' | 'optimizer' | 'judge';

export const ENDPOINT_ROLES: readonly EndpointRole[] = ['executor', 'optimizer', 'judge'];

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A JSON-schema response format as the Chat Completions API expects it. */
export interface JsonSchemaFormat {
  type: 'json_schema';
  /** ^[A-Za-z0-9_-]{1,64}$, as the API requires. */
  name: string;
  schema: Record<string, unknown>;
  /** Only set when the schema meets the strict-mode rules (see jsonSchema.ts). */
  strict: boolean;
  description?: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  /** Overrides the endpoint's default. */
  temperature?: number;
  /** Overrides the endpoint's default; also the reply-size estimate used by the budget. */
  maxTokens?: number;
  /** Overrides the endpoint's default seed. */
  seed?: number;
  responseFormat?: JsonSchemaFormat;
  /** Ask for token log-probabilities; `top` alternatives per token (0–20). */
  logprobs?: { top: number };
  /**
   * Score a given text instead of generating one: the log-likelihood of `continuation` as the
   * assistant's reply to `messages`, through one of the routes local servers offer (scoring.ts).
   */
  score?: ScoreRequest;
  /**
   * Version of the prompt template that produced `messages`. It is part of the cache key so that
   * a template change never replays replies recorded for the old template.
   */
  templateVersion?: string;
  /**
   * Index of an intended repeat of the same request (e.g. the 3rd rollout of one task at
   * temperature 0.7). Part of the cache key only: without it, identical requests replay one reply.
   */
  sample?: number;
}

/**
 * How a server scores a given text: vLLM's `prompt_logprobs` on Chat Completions (the model's own
 * chat template), or `echo` + `logprobs` on the legacy Completions endpoint (vLLM, llama.cpp).
 */
export type ScoringRoute = 'prompt-logprobs' | 'echo';

export interface ScoreRequest {
  continuation: string;
  route: ScoringRoute;
}

/** The log-likelihood of a scored continuation: the sum over its tokens, and how many there were. */
export interface ContinuationScore {
  logprob: number;
  tokens: number;
}

/** Why a call is made; lets the run store tell repairs and probes apart from ordinary calls. */
export type CallPurpose = 'call' | 'repair' | 'probe';

export interface CallContext {
  /** Accounting label: 'rollout', 'phi', 'psi', 'merge', 'rewrite', 'validation', 'judge', … */
  phase: string;
  /** The MAS agent (or optimizer sub-role) the call is made for, when there is one. */
  agent?: string;
  signal?: AbortSignal;
  purpose?: CallPurpose;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  /** True when the server returned no usage and the figures are chars/4 estimates. */
  estimated: boolean;
}

export interface TokenLogprob {
  token: string;
  logprob: number;
  top?: Array<{ token: string; logprob: number }>;
}

/** What a completed chat call hands back to the caller. */
export interface ChatResult {
  content: string;
  /** The server's finish reason ('stop', 'length', …) or 'unknown'. */
  finishReason: string;
  /** Set when the model declined to answer (OpenAI `message.refusal`). */
  refusal?: string;
  usage: TokenUsage;
  /** Zero for cache hits. */
  costUsd: number;
  logprobs?: TokenLogprob[];
  /** For a scoring request: the continuation's log-likelihood, absent when the server gave none. */
  score?: ContinuationScore;
  cached: boolean;
  /** HTTP attempts made (0 for cache hits). */
  attempts: number;
  latencyMs: number;
  /** Content hash of the request; the cache key and the id in the call log. */
  requestHash: string;
}
