/**
 * One record per LLM call, handed to a callback so the run store can append it to
 * `llm-calls.jsonl`. Records are built field by field from known-safe values: no request headers,
 * no keys, no SDK objects.
 */
import type { LlmErrorRecord } from './errors';
import type { CallPurpose, EndpointRole } from './types';

export interface LlmCallRecord {
  /** ISO time the call started (from the injected clock). */
  ts: string;
  requestHash: string;
  role: EndpointRole;
  /** Sanitised base URL (no credentials, no query). */
  baseUrl: string;
  model: string;
  phase: string;
  agent?: string;
  purpose: CallPurpose;
  usage: { inputTokens: number; outputTokens: number; estimated: boolean };
  costUsd: number;
  latencyMs: number;
  /** HTTP attempts; 0 for cache hits and for calls refused before sending. */
  attempts: number;
  /** Failed attempts whose reply the server had produced (unreadable body): billed, so counted as calls. */
  billedRetries?: number;
  cached: boolean;
  error?: LlmErrorRecord;
}

/** Must not throw: a throwing sink fails the call it reports on. */
export type CallLogSink = (record: LlmCallRecord) => void;

/** Reported before each backoff wait, e.g. for a status bar "rate limited, retrying in 2 min". */
export interface RetryNotice {
  role: EndpointRole;
  model: string;
  phase: string;
  agent?: string;
  /** Attempts made so far. */
  attempt: number;
  delayMs: number;
  reason: 'retry-after' | 'backoff';
  error: LlmErrorRecord;
}

export type RetrySink = (notice: RetryNotice) => void;
