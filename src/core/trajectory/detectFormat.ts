/**
 * Guesses an input's format from its first bytes, for `--format auto`. Keys are matched as JSON
 * keys (`"name":`), which cannot occur inside JSON string values (their quotes would be escaped), so
 * message text that merely mentions a key does not mislead the guess. Checks run from the most to
 * the least specific format.
 */
import type { TrajectoryFormat } from './importResult';

/** How much of a file to read before guessing; large enough for MARBLE's long task text. */
export const DETECT_BYTES = 64 * 1024;

function hasKey(head: string, key: string): boolean {
  return new RegExp(`"${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:`).test(head);
}

export function detectFormat(path: string, firstBytes: Uint8Array | string): TrajectoryFormat | undefined {
  const raw = typeof firstBytes === 'string' ? firstBytes : Buffer.from(firstBytes.buffer, firstBytes.byteOffset, firstBytes.byteLength).toString('utf8');
  const head = raw.replace(/^\uFEFF/, '').trimStart();
  if (head === '' || !(head.startsWith('{') || head.startsWith('['))) return undefined;
  if (/\.trajectories\.jsonl$/i.test(path)) return 'native';
  if (hasKey(head, 'runId') && (hasKey(head, 'steps') || hasKey(head, 'taskId'))) return 'native';
  if (hasKey(head, 'history') && (['mistake_agent', 'mistake_step', 'mistake_reason', 'question_ID', 'ground_truth', 'is_correct', 'is_corrected'].some((k) => hasKey(head, k)) || /^\{\s*"history"\s*:\s*\[/.test(head))) {
    return 'whowhen';
  }
  if (hasKey(head, 'iterations') || hasKey(head, 'coordination_mode') || hasKey(head, 'task_assignments')) return 'marble';
  if (hasKey(head, 'resourceSpans') || hasKey(head, 'scopeSpans') || hasKey(head, 'instrumentationLibrarySpans')) return 'otlp';
  if (hasKey(head, 'spans') && (hasKey(head, 'trace_id') || hasKey(head, 'traceId') || hasKey(head, 'span_id'))) return 'otlp';
  if (/"(?:gen_ai|llm|openinference|traceloop)\.[\w.]+"\s*:/.test(head)) return 'otlp';
  return undefined;
}
