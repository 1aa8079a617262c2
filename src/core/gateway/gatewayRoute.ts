/** Route phase: which of the gateway's three doors a request knocks on. */
import type { IncomingMessage } from 'node:http';
import type { GatewayApi } from './gatewayTypes';

export const API_PATH: Record<GatewayApi, string> = { chat: '/chat/completions', responses: '/responses' };

export type GatewayRoute = { kind: 'call'; api: GatewayApi } | { kind: 'models' } | { kind: 'none'; method: string | undefined; path: string };

export function routeOf(req: IncomingMessage): GatewayRoute {
  const path = (req.url ?? '').split('?')[0] ?? '';
  const api: GatewayApi | undefined = req.method !== 'POST' ? undefined : /\/chat\/completions$/.test(path) ? 'chat' : /\/responses$/.test(path) ? 'responses' : undefined;
  if (api) return { kind: 'call', api };
  if (req.method === 'GET' && /\/models$/.test(path)) return { kind: 'models' };
  return { kind: 'none', method: req.method, path };
}
