/**
 * Forward phase: the call goes to the model endpoint with the real key, and its reply comes back to
 * the MAS — whole, or as a stream passed through as it arrives and put back together for the
 * record. A client that leaves aborts the upstream request; a call the upstream may have billed
 * without reporting usage is recorded at an estimate.
 */
import { estimateTokens } from '../llm/tokens';
import type { CallEnding, GatewayCall, GatewayWorld } from './gatewayCallTypes';
import { API_PATH } from './gatewayRoute';
import { sendError } from './httpReply';
import { estimateRequestTokens, replyText } from './requestText';
import { ResponsesStreamReader } from './responsesStream';
import { StreamAssembler } from './streamAssembler';
import { usageOf } from './usageOf';

/** Whether the MAS hung up; set while the upstream request is out. */
interface Client {
  gone: boolean;
}

export async function forwardCall(world: GatewayWorld, call: GatewayCall): Promise<void> {
  const { api, body, stream, res } = call;
  // A chat stream reports its usage only when asked; the record needs it, so ask on the MAS's behalf.
  // (A Responses stream always ends with the whole reply, usage included.)
  const sent = stream && api === 'chat' ? { ...body, stream_options: { ...((body.stream_options as object | undefined) ?? {}), include_usage: true } } : body;
  const controller = new AbortController();
  const client: Client = { gone: false };
  res.on('close', () => {
    if (!res.writableFinished) {
      client.gone = true;
      controller.abort();
    }
  });
  let upstreamRes: Response;
  try {
    upstreamRes = await world.forward(API_PATH[api], { method: 'POST', body: JSON.stringify(sent), signal: controller.signal });
  } catch (error) {
    sendError(res, 502, `the gateway could not reach the model endpoint ${world.upstreamLabel}: ${(error as Error).message}`, 'upstream_unreachable');
    // A client that left while the request was out: the upstream may be answering it (and billing).
    if (client.gone) call.finish({ ...estimated(call), status: 0, served: 'upstream', error: 'the client disconnected' });
    else call.finish({ usage: { prompt: 0, completion: 0 }, status: 0, served: 'upstream', error: `upstream unreachable: ${(error as Error).message}` });
    return;
  }
  if (!stream || !upstreamRes.ok || !upstreamRes.body) return relayWhole(call, upstreamRes, client);
  return relayStream(call, upstreamRes, client);
}

/** What a call the upstream may have billed without reporting usage is charged at. */
function estimated(call: GatewayCall, reply?: unknown): Pick<CallEnding, 'usage' | 'usageEstimated'> {
  return { usage: { prompt: estimateRequestTokens(call.body), completion: estimateTokens(replyText(reply)) }, usageEstimated: true as const };
}

/** A JSON reply (or an upstream error, or a stream the upstream would not open), passed on whole. */
async function relayWhole(call: GatewayCall, upstreamRes: Response, client: Client): Promise<void> {
  const { res } = call;
  let text = '';
  let readFailure: string | undefined;
  try {
    text = await upstreamRes.text();
  } catch (error) {
    readFailure = client.gone ? 'the client disconnected' : `the upstream reply broke off: ${(error as Error).message}`;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!res.headersSent && !client.gone) {
    if (readFailure) sendError(res, 502, `the gateway lost the model endpoint's reply: ${readFailure}`, 'upstream_broken');
    else {
      res.writeHead(upstreamRes.status, { 'content-type': upstreamRes.headers.get('content-type') ?? 'application/json', ...(upstreamRes.headers.get('retry-after') ? { 'retry-after': upstreamRes.headers.get('retry-after') as string } : {}) });
      res.end(text);
    }
  }
  const counted = upstreamRes.ok ? usageOf(parsed) : { prompt: 0, completion: 0 };
  call.finish({
    ...(parsed !== undefined ? { response: parsed } : {}),
    ...(counted ? { usage: counted } : estimated(call, parsed)),
    status: upstreamRes.status,
    served: 'upstream',
    ...(upstreamRes.ok ? (parsed === undefined ? { error: readFailure ?? 'the upstream reply is not JSON' } : {}) : { error: `upstream ${upstreamRes.status}: ${text.slice(0, 300)}` }),
    ...(client.gone ? { error: 'the client disconnected' } : {}),
  });
}

/** A stream passed through chunk by chunk and put back together for the record. */
async function relayStream(call: GatewayCall, upstreamRes: Response, client: Client): Promise<void> {
  const { res, api } = call;
  res.writeHead(upstreamRes.status, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const assembler = api === 'chat' ? new StreamAssembler() : new ResponsesStreamReader();
  const decoder = new TextDecoder();
  let failure: string | undefined;
  let broken = false;
  try {
    for await (const chunk of upstreamRes.body as unknown as AsyncIterable<Uint8Array>) {
      const text = decoder.decode(chunk, { stream: true });
      assembler.push(text);
      if (!client.gone) res.write(text);
    }
    if (!assembler.done) failure = api === 'chat' ? 'the upstream stream ended before [DONE]' : 'the upstream stream ended before response.completed';
  } catch (error) {
    broken = true;
    failure = client.gone ? 'the client disconnected' : `the upstream stream broke: ${(error as Error).message}`;
  }
  // A stream the upstream broke is broken for the client too: ending it cleanly would pass a
  // cut-off answer off as a whole one.
  if (!client.gone) broken ? res.destroy() : res.end();
  const response = assembler.result();
  const counted = usageOf(response);
  call.finish({
    response,
    ...(counted ? { usage: counted } : estimated(call, response)),
    status: upstreamRes.status,
    served: 'upstream',
    ...(client.gone ? { error: 'the client disconnected' } : failure ? { error: failure } : {}),
  });
}
