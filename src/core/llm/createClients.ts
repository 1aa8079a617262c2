/**
 * Builds the clients of a run from the configured endpoints. Roles pointing at the same base URL
 * and model share limiters, configured with the stricter of their limits.
 */
import { LlmClient } from './client';
import { resolveEndpoint, type EndpointConfig } from './endpoint';
import { limitsOf, stricterLimits, type EndpointLimits } from './endpointLimits';
import type { LlmServices } from './services';
import { ENDPOINT_ROLES, type EndpointRole } from './types';

export type EndpointConfigs = Partial<Record<EndpointRole, EndpointConfig>>;
export type LlmClients = Partial<Record<EndpointRole, LlmClient>>;

/** Throws MissingApiKeyError for the first role whose non-local endpoint has no key. */
export function createLlmClients(endpoints: EndpointConfigs, services: LlmServices): LlmClients {
  const shared = new Map<string, EndpointLimits>();
  for (const role of ENDPOINT_ROLES) {
    const config = endpoints[role];
    if (!config) continue;
    const id = resolveEndpoint(config, services.env).id;
    const previous = shared.get(id);
    shared.set(id, previous ? stricterLimits(previous, limitsOf(config)) : limitsOf(config));
  }
  const clients: LlmClients = {};
  for (const role of ENDPOINT_ROLES) {
    const config = endpoints[role];
    if (!config) continue;
    const id = resolveEndpoint(config, services.env).id;
    clients[role] = new LlmClient(role, config, services, shared.get(id));
  }
  return clients;
}
