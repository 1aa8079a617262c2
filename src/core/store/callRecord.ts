/**
 * A line of `llm-calls.jsonl`: the LLM layer's call record (built field by field from safe values,
 * no keys or headers) plus the task it was made for, so spend can be traced to a task.
 */
import type { LlmCallRecord } from '../llm';

export interface StoredCallRecord extends LlmCallRecord {
  taskId?: string;
  /** The gateway call this record accounts for (gateway-calls.jsonl); trajectory steps name it in attrs.callId. */
  callId?: string;
  /** Who reported a command MAS's call: the gateway that carried it, or the MAS's own spans. */
  source?: 'gateway' | 'spans';
}

/** Enough of a shape check to fold records into totals; the LLM layer wrote them. */
export function isStoredCallRecord(value: unknown): value is StoredCallRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  const usage = r.usage as Record<string, unknown> | undefined;
  return (
    typeof r.phase === 'string' &&
    typeof r.role === 'string' &&
    typeof r.attempts === 'number' &&
    typeof r.cached === 'boolean' &&
    typeof r.costUsd === 'number' &&
    typeof usage?.inputTokens === 'number' &&
    typeof usage?.outputTokens === 'number'
  );
}
