/**
 * The evaluator truce.yaml configures, built for an attach session the way a run builds it: a
 * `command` evaluator only in a trusted workspace, an `llm-judge` with the judge endpoint (the
 * executor's when none is set), the workspace's response cache and the configured budget.
 */
import type { TruceConfig } from '../config';
import { createEvaluator, type Evaluator } from '../eval';
import { Budget, createLlmClients, createLlmServices, DiskResponseCache, type EndpointConfig, type EndpointRole, type LlmServicesOptions } from '../llm';
import { budgetLimits, createJudgeCaller } from '../run';
import { cacheDir } from '../store/paths';

export interface AttachEvaluatorOptions {
  workspaceRoot: string;
  trusted: boolean;
  env: Readonly<Record<string, string | undefined>>;
  secrets?: Partial<Record<EndpointRole, string>>;
  llm?: Pick<LlmServicesOptions, 'clock' | 'random' | 'retry' | 'fetch' | 'onRetry'>;
}

/** Throws EvaluatorConfigError (a command evaluator in an untrusted workspace, a bad config) or a missing-key error. */
export function attachEvaluator(config: TruceConfig, options: AttachEvaluatorOptions): Evaluator {
  if (config.evaluator.type !== 'llm-judge') {
    return createEvaluator(config.evaluator, { workspaceTrusted: options.trusted, cwd: options.workspaceRoot });
  }
  const role: EndpointRole = config.llm.judge ? 'judge' : 'executor';
  const endpoint: EndpointConfig = { ...(config.llm.judge ?? config.llm.executor) };
  const key = options.secrets?.[role];
  if (key) endpoint.apiKey = key;
  const services = createLlmServices({
    ...options.llm,
    env: options.env,
    cache: new DiskResponseCache(cacheDir(options.workspaceRoot)),
    cacheMode: 'read-write',
    budget: new Budget(budgetLimits(config)),
  });
  const judge = createLlmClients({ judge: endpoint }, services).judge;
  return createEvaluator(config.evaluator, { workspaceTrusted: options.trusted, cwd: options.workspaceRoot, ...(judge ? { caller: createJudgeCaller(judge) } : {}) });
}
