/**
 * Which LLM errors stop the whole run instead of failing one task. A task that failed because the
 * budget ran out or the endpoint went away did not fail on its merits: recording it as a zero
 * would skew the scores, and resume would skip it. Such tasks are left unfinished instead.
 */
import type { LlmErrorRecord } from '../llm';
import type { TaskInterruption } from './taskContext';

const ENDPOINT_FATAL = new Set<LlmErrorRecord['kind']>(['unreachable', 'auth', 'missing-key', 'model-not-found', 'quota', 'replay-miss']);

export function interruptionFor(error: LlmErrorRecord | undefined): TaskInterruption | undefined {
  if (!error) return undefined;
  if (error.kind === 'budget-exceeded') return { status: 'stopped-budget', reason: error.message };
  if (ENDPOINT_FATAL.has(error.kind)) return { status: 'failed', reason: error.message };
  return undefined;
}
