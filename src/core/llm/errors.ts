/**
 * Typed errors of the LLM layer. Each carries a `kind` so callers (run engine, CLI, extension)
 * can decide what to do without parsing messages, and a message a user can act on.
 */

export type LlmErrorKind =
  /** Nothing listens at the base URL, or its host does not resolve. Not retried. */
  | 'unreachable'
  /** The connection broke mid-request (reset, socket closed, DNS hiccup). Retryable. */
  | 'connection'
  | 'timeout'
  | 'aborted'
  | 'auth'
  | 'model-not-found'
  | 'rate-limited'
  /** The account has no quota left: waiting does not help. */
  | 'quota'
  | 'server'
  | 'bad-request'
  /** The server answered 2xx with a body we cannot read. Retryable. */
  | 'bad-response'
  | 'http'
  | 'missing-key'
  | 'budget-exceeded'
  | 'replay-miss'
  | 'cache-write';

export interface LlmErrorInit {
  retryable?: boolean;
  status?: number;
  /** How long the server asked us to wait, from Retry-After / retry-after-ms. */
  retryAfterMs?: number;
  /** The server produced a reply (HTTP 200) that could not be read: providers bill such attempts. */
  billed?: boolean;
  cause?: unknown;
}

export class LlmError extends Error {
  readonly kind: LlmErrorKind;
  readonly retryable: boolean;
  readonly status?: number;
  readonly retryAfterMs?: number;
  /** The attempt reached a reply the server had already produced (and billed) before it failed. */
  readonly billed: boolean;
  /** Attempts made before giving up; set by the client once the retry loop ends. */
  attempts = 0;

  constructor(kind: LlmErrorKind, message: string, init: LlmErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'LlmError';
    this.kind = kind;
    this.retryable = init.retryable ?? false;
    if (init.status !== undefined) this.status = init.status;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    this.billed = init.billed ?? false;
  }

  /** The serialisable part, for call-log records. Never includes `cause` (it may hold headers). */
  toRecord(): LlmErrorRecord {
    return this.status === undefined
      ? { kind: this.kind, message: this.message }
      : { kind: this.kind, message: this.message, status: this.status };
  }
}

export interface LlmErrorRecord {
  kind: LlmErrorKind | 'unexpected';
  message: string;
  status?: number;
}

export type BudgetDimension = 'calls' | 'tokens' | 'costUsd';

/** The truce.yaml setting (under `budget:`) that caps each dimension; messages name it so users know what to raise. */
export const BUDGET_SETTING: Readonly<Record<BudgetDimension, string>> = { calls: 'maxCalls', tokens: 'maxTokens', costUsd: 'maxCost' };

/** Thrown before a call is sent when it would push spending past a hard cap. */
export class BudgetExceededError extends LlmError {
  constructor(
    readonly dimension: BudgetDimension,
    readonly limit: number,
    readonly spent: number,
    readonly reserved: number,
    readonly requested: number,
  ) {
    super('budget-exceeded', budgetMessage(dimension, limit, spent, reserved, requested));
    this.name = 'BudgetExceededError';
  }
}

function budgetMessage(dimension: BudgetDimension, limit: number, spent: number, reserved: number, requested: number): string {
  const fmt = (n: number) => (dimension === 'costUsd' ? `$${n.toFixed(4)}` : String(Math.round(n)));
  // The cost cap is budget.maxCost in truce.yaml, --max-usd on the CLI.
  const setting = BUDGET_SETTING[dimension];
  return (
    `LLM budget exhausted: this call needs ~${fmt(requested)} ${dimension === 'costUsd' ? 'USD' : dimension} ` +
    `but ${fmt(spent)} are spent and ${fmt(reserved)} are reserved by calls in flight, against a limit of ${fmt(limit)}. ` +
    `Raise budget.${setting} in truce.yaml${dimension === 'costUsd' ? ' (or --max-usd)' : ''} or plan a smaller run.`
  );
}

/** Replay-only mode found no recorded reply for a request. */
export class ReplayMissError extends LlmError {
  constructor(
    readonly requestHash: string,
    detail: string,
  ) {
    super(
      'replay-miss',
      `Replay has no recorded response for request ${requestHash.slice(0, 12)} (${detail}). ` +
        'The prompts, parameters or template version differ from the recorded run; run without replay to record them.',
    );
    this.name = 'ReplayMissError';
  }
}

/** A non-local endpoint has no API key. */
export class MissingApiKeyError extends LlmError {
  constructor(
    readonly envVar: string,
    baseUrl: string,
  ) {
    super(
      'missing-key',
      `No API key for ${baseUrl}: set the environment variable ${envVar} ` +
        '(or store a key in the editor\'s secret storage, or name another variable with apiKeyEnv).',
    );
    this.name = 'MissingApiKeyError';
  }
}

export function isLlmError(value: unknown): value is LlmError {
  return value instanceof LlmError;
}

/** Any thrown value as a log record; unknown errors keep only their message. */
export function errorRecord(error: unknown): LlmErrorRecord {
  if (error instanceof LlmError) return error.toRecord();
  return { kind: 'unexpected', message: error instanceof Error ? error.message : String(error) };
}
