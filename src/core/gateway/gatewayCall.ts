/**
 * One model call through the gateway, after authentication and routing: read the request, let the
 * admission decide, then refuse it, answer it from a recording (replay), or forward it upstream
 * (forwardCall.ts). Every path ends in exactly one record.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { completionAsEvents } from './completionEvents';
import type { GatewayCallRecord } from './gatewayRecord';
import type { AdmissionLabels, GatewayAdmission, GatewayApi, GatewaySessionInfo } from './gatewayTypes';
import { header, sendError } from './httpReply';
import { responseAsEvents } from './responsesStream';
import { forwardCall } from './forwardCall';
import { usageOf } from './usageOf';
import type { CallEnding, GatewayCall, GatewayWorld } from './gatewayCallTypes';

/** The fields of a call's record every ending shares. */
type CallFields = Omit<GatewayCallRecord, 'latencyMs' | keyof CallEnding>;

export async function handleCall(world: GatewayWorld, req: IncomingMessage, res: ServerResponse, session: GatewaySessionInfo, api: GatewayApi): Promise<void> {
  const started = Date.now();
  const id = world.nextId();
  const headerAgent = header(req, 'x-truce-agent');
  const task = session.task ?? header(req, 'x-truce-task');
  const body = await readRequest(req, res, world.maxBodyBytes);
  if (!body) return;
  const stream = body.stream === true;
  const admission: GatewayAdmission = world.admit ? await world.admit({ id, api, session, body, ...(headerAgent ? { agent: headerAgent } : {}) }) : { kind: 'forward' };
  const fields: CallFields = {
    id,
    startedAt: new Date(started).toISOString(),
    ...(task !== undefined ? { task } : {}),
    ...(session.sample !== undefined ? { sample: session.sample } : {}),
    stream,
    ...(api === 'responses' ? { api } : {}),
    request: body,
    ...(typeof body.model === 'string' ? { model: body.model } : {}),
    ...labelsOf(admission),
    ...(headerAgent ? { agent: headerAgent } : {}),
  };
  const call: GatewayCall = { api, body, stream, req, res, finish: (ending) => world.record({ ...fields, latencyMs: Date.now() - started, ...ending }) };
  if (admission.kind === 'refuse') {
    sendError(res, admission.status, admission.message, admission.type);
    call.finish({ usage: { prompt: 0, completion: 0 }, status: admission.status, served: 'refused', error: admission.message });
    return;
  }
  if (admission.kind === 'answer') return replayCall(call, admission.response);
  return forwardCall(world, call);
}

/** Answers from a recording: as the stream the MAS asked for, or as one JSON reply. */
function replayCall(call: GatewayCall, response: Record<string, unknown>): void {
  const { res, body } = call;
  const wantsUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  if (call.stream) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.end(call.api === 'chat' ? completionAsEvents(response, wantsUsage) : responseAsEvents(response));
  } else {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(response));
  }
  call.finish({ response, usage: usageOf(response) ?? { prompt: 0, completion: 0 }, status: 200, served: 'recording' });
}

class BodyTooLarge extends Error {}

/** The request body as a JSON object; a body that is too large or not one is answered with an error here. */
async function readRequest(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Record<string, unknown> | undefined> {
  try {
    const body = JSON.parse(await readBody(req, limit)) as Record<string, unknown>;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SyntaxError('not a JSON object');
    return body;
  } catch (error) {
    const tooLarge = error instanceof BodyTooLarge;
    sendError(res, tooLarge ? 413 : 400, tooLarge ? error.message : `the request body is not a JSON object (${(error as Error).message})`, 'invalid_request_error');
    return undefined;
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new BodyTooLarge(`the request body is over ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function labelsOf(a: AdmissionLabels): AdmissionLabels {
  return {
    ...(a.agent !== undefined ? { agent: a.agent } : {}),
    ...(a.key !== undefined ? { key: a.key } : {}),
    ...(a.ordinal !== undefined ? { ordinal: a.ordinal } : {}),
    ...(a.replayMiss ? { replayMiss: true } : {}),
  };
}
