/**
 * One tiny call to the executor before a run starts. Without it, a stopped server or a misspelt
 * model shows up as the same error on every task; with it, the run refuses to start with one
 * clear line. It bypasses the response cache (a cached reply proves nothing about the server) but
 * is accounted and recorded like any other call, under phase 'probe'.
 */
import { LlmClient, type EndpointConfig, type LlmServices } from '../llm';

export const REACHABILITY_TEMPLATE = 'truce-reachability/1';

export async function probeExecutor(config: EndpointConfig, services: LlmServices, signal?: AbortSignal): Promise<void> {
  const uncached: LlmServices = { ...services, cacheMode: 'off' };
  delete uncached.cache;
  const client = new LlmClient('executor', config, uncached);
  await client.chat(
    { messages: [{ role: 'user', content: 'Reply with the single word OK.' }], maxTokens: 8, templateVersion: REACHABILITY_TEMPLATE },
    { phase: 'probe', purpose: 'probe', ...(signal ? { signal } : {}) },
  );
}
