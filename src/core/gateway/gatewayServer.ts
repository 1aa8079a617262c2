/**
 * The gateway: an OpenAI-compatible endpoint on 127.0.0.1 that a user's MAS is pointed at
 * (OPENAI_BASE_URL and a token as its API key), forwarding every chat completion to the
 * configured upstream with the real key — which never leaves TRUCE — and recording each call
 * once: request, response (a stream is passed through as it arrives and put back together for the
 * record), usage, latency, status, and the agent and task.
 *
 * A request goes listen → authenticate (gatewaySessions.ts) → route (gatewayRoute.ts) → admit, then
 * refuse, replay or forward (gatewayCall.ts, forwardCall.ts) → record. An `admit` hook sees each
 * request before it is sent and may let it through, answer it from a recording (replay), or refuse
 * it (the budget). Faults are recorded, never retried here: a retry is the client's decision, and
 * each attempt is a call of its own.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleCall } from './gatewayCall';
import type { GatewayWorld } from './gatewayCallTypes';
import type { GatewayCallRecord } from './gatewayRecord';
import { routeOf } from './gatewayRoute';
import { GatewaySessions } from './gatewaySessions';
import type { Gateway, GatewayOptions, UpstreamForward } from './gatewayTypes';
import { sendError } from './httpReply';

export type {
  AdmissionLabels,
  AdmissionRequest,
  Gateway,
  GatewayAdmission,
  GatewayApi,
  GatewayOptions,
  GatewaySession,
  GatewaySessionInfo,
  GatewayUpstream,
  UpstreamForward,
} from './gatewayTypes';

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const sessions = new GatewaySessions(options.token);
  const keep = options.keepCalls ?? true;
  const calls: GatewayCallRecord[] = [];
  let counter = 0;
  const world: GatewayWorld = {
    forward: 'forward' in options.upstream ? options.upstream.forward : directForward(options.upstream, options.fetch ?? fetch),
    upstreamLabel: 'forward' in options.upstream ? options.upstream.label : options.upstream.baseUrl,
    maxBodyBytes: options.maxBodyBytes ?? 32 * 1024 * 1024,
    admit: options.admit,
    record: (r) => {
      if (keep) calls.push(r);
      options.onCall?.(r);
    },
    nextId: () => `g${++counter}`,
  };
  const server = createServer((req, res) => serve(world, sessions, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    token: sessions.defaultToken,
    calls,
    openSession: (info) => sessions.open(info),
    idle: () => sessions.idle(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One request: authenticated by its token, then routed to a model call, the model list, or a 404. */
function serve(world: GatewayWorld, sessions: GatewaySessions, req: IncomingMessage, res: ServerResponse): void {
  const session = sessions.authenticate(req);
  if (!session) {
    req.resume();
    return sendError(res, 401, 'This endpoint is the TRUCE gateway of one run; use the API key TRUCE gave the MAS (OPENAI_API_KEY).', 'invalid_api_key');
  }
  const route = routeOf(req);
  if (route.kind === 'call') {
    const pending = handleCall(world, req, res, session, route.api).catch((e: Error) => sendError(res, 500, `gateway error: ${e.message}`, 'gateway_error'));
    sessions.track(session, pending);
    return;
  }
  if (route.kind === 'models') return void models(world, res);
  req.resume();
  sendError(res, 404, `The TRUCE gateway serves POST /v1/chat/completions, POST /v1/responses and GET /v1/models, not ${route.method} ${route.path}.`, 'not_found');
}

async function models(world: GatewayWorld, res: ServerResponse): Promise<void> {
  try {
    const r = await world.forward('/models', { method: 'GET' });
    res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
    res.end(await r.text());
  } catch (error) {
    sendError(res, 502, `the gateway could not reach the model endpoint ${world.upstreamLabel}: ${(error as Error).message}`, 'upstream_unreachable');
  }
}

function directForward(upstream: { baseUrl: string; apiKey?: string }, doFetch: typeof fetch): UpstreamForward {
  const base = upstream.baseUrl.replace(/\/+$/, '');
  return (path, init) =>
    doFetch(`${base}${path}`, {
      method: init.method,
      headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(upstream.apiKey ? { authorization: `Bearer ${upstream.apiKey}` } : {}) },
      ...(init.body !== undefined ? { body: init.body } : {}),
      ...(init.signal ? { signal: init.signal } : {}),
    });
}
