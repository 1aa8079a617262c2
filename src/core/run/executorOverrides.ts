/**
 * Environment overrides for the executor endpoint, so one checked-in truce.yaml (pointing at a
 * local Ollama) can run against another endpoint without editing it:
 *  - TRUCE_BASE_URL, else OPENAI_BASE_URL, replaces `llm.executor.baseUrl`;
 *  - TRUCE_MODEL replaces `llm.executor.model` (model names differ between servers);
 *  - OPENAI_API_KEY is used as the executor's key when a base URL is overridden and the config
 *    names no `apiKeyEnv` (for remote URLs the LLM layer falls back to it anyway; for a local URL
 *    this makes the choice explicit).
 * Only the names of variables are put into the config, never their values' secrets.
 */
import type { TruceConfig } from '../config';
import { baseUrlProblem } from '../llm/urlCredentials';

export interface ExecutorOverride {
  config: TruceConfig;
  /** Human-readable notes, e.g. "llm.executor.baseUrl from TRUCE_BASE_URL". */
  applied: string[];
  /** The variable the executor's base URL was taken from, when one was. */
  baseUrlFrom?: string;
}

export function applyExecutorOverrides(config: TruceConfig, env: Readonly<Record<string, string | undefined>>): ExecutorOverride {
  const executor = { ...config.llm.executor };
  const applied: string[] = [];
  const baseVar = ['TRUCE_BASE_URL', 'OPENAI_BASE_URL'].find((name) => env[name]?.trim());
  if (baseVar) {
    const value = (env[baseVar] as string).trim();
    try {
      const url = new URL(value);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      throw new Error(`${baseVar} must be an http(s) URL such as http://127.0.0.1:11434/v1.`);
    }
    // Refused like a baseUrl in truce.yaml: it would be stored with the run and printed in messages.
    const problem = baseUrlProblem(value, baseVar);
    if (problem) throw new Error(problem);
    executor.baseUrl = value;
    applied.push(`llm.executor.baseUrl from ${baseVar}`);
    if (executor.apiKeyEnv === undefined && env.OPENAI_API_KEY?.trim()) {
      executor.apiKeyEnv = 'OPENAI_API_KEY';
      applied.push('llm.executor.apiKeyEnv = OPENAI_API_KEY');
    }
  }
  const model = env.TRUCE_MODEL?.trim();
  if (model) {
    executor.model = model;
    applied.push('llm.executor.model from TRUCE_MODEL');
  }
  if (!applied.length) return { config, applied };
  return { config: { ...config, llm: { ...config.llm, executor } }, applied, ...(baseVar ? { baseUrlFrom: baseVar } : {}) };
}
