/**
 * The StructuredCaller the judge evaluators need, over the LLM layer's `callStructured` with the
 * judge endpoint. Calls are accounted under phase 'judge'; the prompt version goes into the cache
 * key so a rewritten rubric never replays verdicts recorded for the old one.
 */
import { callStructured, type LlmClient } from '../llm';
import type { StructuredCaller } from '../eval';

export function createJudgeCaller(client: LlmClient): StructuredCaller {
  return async (messages, schema, meta) => {
    const result = await callStructured(
      client,
      { messages, schema, schemaName: meta.schemaName, templateVersion: meta.promptVersion },
      { phase: 'judge', agent: meta.purpose, ...(meta.signal ? { signal: meta.signal } : {}) },
    );
    if (result.ok) return { ok: true, value: result.value };
    const issues = result.error.issues.length ? ` (${result.error.issues.join('; ')})` : '';
    return { ok: false, error: `${result.error.message}${issues}` };
  };
}
