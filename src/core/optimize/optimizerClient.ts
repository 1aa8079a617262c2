/**
 * The optimizer's LLM client: the `optimizer` endpoint of truce.yaml (the executor's when none is
 * configured), the workspace's response cache, and the given budget and accounting. Shared by the
 * optimize loop and the stand-alone `credit` / `suggest` steps, so all of them cache alike.
 */
import type { TruceConfig } from '../config';
import { createLlmClients, createLlmServices, DiskResponseCache, type Accounting, type Budget, type CallLogSink, type EndpointConfig, type EndpointRole, type LlmClient, type LlmServicesOptions } from '../llm';
import { cacheDir } from '../store';
import type { BatchLedger } from '../llm/batch/batchLedger';

export interface OptimizerClientOptions {
  workspaceRoot: string;
  env: Readonly<Record<string, string | undefined>>;
  secrets?: Partial<Record<EndpointRole, string>>;
  budget?: Budget;
  accounting?: Accounting;
  onCall?: CallLogSink;
  llm?: Pick<LlmServicesOptions, 'clock' | 'random' | 'retry' | 'fetch' | 'onRetry'>;
  /** Where batches of a `batch: true` optimizer endpoint are written down (the run's folder). */
  batchLedger?: BatchLedger;
}

/** Throws (MissingApiKeyError) when a remote endpoint has no key. */
export interface OptimizerClients {
  optimizer: LlmClient;
  /** The agents' own endpoint, for methods that re-run an agent call (GBC's ablation estimator). */
  executor: LlmClient;
}

export function createOptimizerClient(config: TruceConfig, options: OptimizerClientOptions): LlmClient {
  return createOptimizerClients(config, options).optimizer;
}

/** Both clients share one set of services: one cache, one budget, one call log. */
export function createOptimizerClients(config: TruceConfig, options: OptimizerClientOptions): OptimizerClients {
  const services = createLlmServices({
    ...options.llm,
    env: options.env,
    cache: new DiskResponseCache(cacheDir(options.workspaceRoot)),
    cacheMode: 'read-write',
    ...(options.budget ? { budget: options.budget } : {}),
    ...(options.accounting ? { accounting: options.accounting } : {}),
    ...(options.onCall ? { onCall: options.onCall } : {}),
    ...(options.batchLedger ? { batch: { ledger: options.batchLedger } } : {}),
  });
  const endpoint: EndpointConfig = { ...(config.llm.optimizer ?? config.llm.executor) };
  const key = options.secrets?.optimizer ?? (config.llm.optimizer ? undefined : options.secrets?.executor);
  if (key) endpoint.apiKey = key;
  const executor: EndpointConfig = { ...config.llm.executor };
  if (options.secrets?.executor) executor.apiKey = options.secrets.executor;
  const clients = createLlmClients({ optimizer: endpoint, executor }, services);
  return { optimizer: clients.optimizer as LlmClient, executor: clients.executor as LlmClient };
}
