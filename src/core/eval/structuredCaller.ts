/**
 * The one seam between evaluation and a model. The judges ask for a zod-typed reply through this
 * interface, so tests drive them with a fake and the run wires them to the LLM layer's
 * `callStructured` without this folder importing it.
 */
import type * as z from 'zod';

export interface JudgeMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export type JudgePurpose = 'eval-judge' | 'coordination' | 'milestones';

export interface StructuredCallMeta {
  purpose: JudgePurpose;
  /** Names the schema for APIs that want one (`^[A-Za-z0-9_-]{1,64}$`). */
  schemaName: string;
  /** Version of the prompt text, so cached or recorded replies can be told apart after a rewrite. */
  promptVersion: string;
  signal?: AbortSignal;
}

export type StructuredCallResult<T> = { ok: true; value: T } | { ok: false; error: string | { message: string } };

export type StructuredCaller = <T>(messages: JudgeMessage[], schema: z.ZodType<T>, meta: StructuredCallMeta) => Promise<StructuredCallResult<T>>;

export type SafeCallResult<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Calls and normalises failure into a value. A caller that throws (network, budget) is recorded
 * like a bad reply — a judge never turns either into a score — except cancellation, which must stop
 * the run. The reply is checked against the schema again because a caller is not obliged to.
 */
export async function callSafely<T>(caller: StructuredCaller, messages: JudgeMessage[], schema: z.ZodType<T>, meta: StructuredCallMeta): Promise<SafeCallResult<T>> {
  let result: StructuredCallResult<T>;
  try {
    result = await caller(messages, schema, meta);
  } catch (error) {
    if (meta.signal?.aborted) throw error;
    return { ok: false, message: `The ${meta.purpose} call failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!result || typeof result !== 'object') return { ok: false, message: `The ${meta.purpose} call returned nothing usable.` };
  if (!result.ok) {
    const why = typeof result.error === 'string' ? result.error : (result.error?.message ?? 'unknown error');
    return { ok: false, message: `The ${meta.purpose} call failed: ${why}` };
  }
  const checked = schema.safeParse(result.value);
  if (!checked.success) {
    const issues = checked.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
    return { ok: false, message: `The ${meta.purpose} reply does not match its schema: ${issues}` };
  }
  return { ok: true, value: checked.data };
}
