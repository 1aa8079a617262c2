/**
 * The MAS's own report of its model calls (its spans), turned into the run's accounting records
 * when no gateway saw the calls: one record per call, under the agent the span names and phase
 * 'rollout', priced by model from truce.yaml — the endpoint of llm.* serving that model, else the
 * executor's prices (the MAS's model is usually the executor's).
 */
import type { TruceConfig } from '../config';
import { costUsd, type LlmCallRecord, type Prices } from '../llm';
import type { ReportedModelCall } from '../mas/masGateway';

function pricesFor(model: string | undefined, config: TruceConfig): Prices {
  const endpoints = [config.llm.executor, config.llm.judge, config.llm.optimizer].filter((e): e is NonNullable<typeof e> => e !== undefined);
  return endpoints.find((e) => model !== undefined && e.model === model) ?? config.llm.executor;
}

export function spanCallRecords(calls: readonly ReportedModelCall[], config: TruceConfig): Array<LlmCallRecord & { source: 'spans' }> {
  return calls.map((call) => ({
    ts: new Date(call.startedAt ?? Date.now()).toISOString(),
    // No request body travels in a span's counts; the span id keeps the record traceable.
    requestHash: call.spanId !== undefined ? `span:${call.spanId}` : '',
    role: 'executor',
    baseUrl: 'spans',
    model: call.model ?? config.llm.executor.model,
    phase: 'rollout',
    agent: call.agent,
    purpose: 'call',
    usage: { inputTokens: call.inputTokens, outputTokens: call.outputTokens, estimated: call.estimated },
    costUsd: costUsd(call.inputTokens, call.outputTokens, pricesFor(call.model, config)),
    latencyMs: call.latencyMs ?? 0,
    attempts: 1,
    cached: false,
    source: 'spans',
  }));
}
