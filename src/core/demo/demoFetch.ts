/**
 * An OpenAI-compatible endpoint that lives in the process: a `fetch` the LLM clients use instead
 * of the network, answering chat completions from a simulation responder. Requests go through the
 * same SDK, retries, cache, budget and call log as real ones; only the transport is replaced, so
 * a demo run is recorded exactly like a run against a model. Usage is estimated from the text
 * (characters per token), since no tokenizer is involved.
 */
import { estimateTokens } from '../llm/tokens';
import { DEMO_MODEL } from '../demoEndpoint';
import type { FetchLike } from '../llm/transport';
import type { SimChatRequest, SimReply, SimResponderFn } from '../sim/chatTypes';


function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function urlOf(input: Parameters<FetchLike>[0]): URL {
  if (typeof input === 'string') return new URL(input);
  if (input instanceof URL) return input;
  return new URL((input as { url: string }).url);
}

function requestOf(body: Record<string, unknown>): SimChatRequest {
  const messages = Array.isArray(body.messages)
    ? body.messages.map((m) => {
        const message = m as { role?: unknown; content?: unknown };
        const content = typeof message.content === 'string' ? message.content : Array.isArray(message.content) ? message.content.map((p) => (p as { text?: string }).text ?? '').join('') : '';
        return { role: String(message.role ?? 'user'), content };
      })
    : [];
  const format = body.response_format as { type?: string; json_schema?: { name?: string; schema?: unknown; strict?: boolean } } | undefined;
  const request: SimChatRequest = { model: String(body.model ?? DEMO_MODEL), messages };
  if (format?.type === 'json_schema' && typeof format.json_schema?.name === 'string') {
    request.jsonSchema = { name: format.json_schema.name, schema: format.json_schema.schema, ...(format.json_schema.strict !== undefined ? { strict: format.json_schema.strict } : {}) };
  }
  return request;
}

function completion(request: SimChatRequest, reply: Exclude<SimReply, { error: unknown }>, seq: number): Record<string, unknown> {
  const shaped = typeof reply === 'string' ? { content: reply } : reply;
  const content = shaped.json !== undefined ? JSON.stringify(shaped.json) : (shaped.content ?? '');
  const promptTokens = request.messages.reduce((sum, m) => sum + estimateTokens(m.content), 0);
  const usage = shaped.usage === null ? undefined : { prompt_tokens: shaped.usage?.prompt_tokens ?? promptTokens, completion_tokens: shaped.usage?.completion_tokens ?? Math.max(1, estimateTokens(content)) };
  return {
    id: `demo-${seq}`,
    object: 'chat.completion',
    created: 0,
    model: request.model,
    choices: [{ index: 0, message: { role: 'assistant', content, ...(shaped.refusal ? { refusal: shaped.refusal } : {}) }, finish_reason: shaped.finishReason ?? 'stop', logprobs: null }],
    ...(usage ? { usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } } : {}),
  };
}

/** A fetch that answers POST …/chat/completions and GET …/models from the responder. */
export function createDemoFetch(respond: SimResponderFn): FetchLike {
  let seq = 0;
  const demoFetch = async (input: Parameters<FetchLike>[0], init?: Parameters<FetchLike>[1]): Promise<Response> => {
    const signal = init?.signal;
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException('The operation was aborted.', 'AbortError');
    const url = urlOf(input);
    const method = (init?.method ?? 'GET').toUpperCase();
    if (method === 'GET' && url.pathname.endsWith('/models')) return json(200, { object: 'list', data: [{ id: DEMO_MODEL, object: 'model', owned_by: 'truce' }] });
    if (method !== 'POST' || !url.pathname.endsWith('/chat/completions')) return json(404, { error: { message: `the demo world answers chat completions only, not ${method} ${url.pathname}`, type: 'invalid_request_error' } });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(typeof init?.body === 'string' ? init.body : new TextDecoder().decode(init?.body as ArrayBuffer)) as Record<string, unknown>;
    } catch {
      return json(400, { error: { message: 'the request body is not JSON', type: 'invalid_request_error' } });
    }
    const request = requestOf(body);
    const reply = await respond(request);
    seq += 1;
    if (typeof reply === 'object' && 'error' in reply) {
      const { status, message, code, type, headers } = reply.error;
      return new Response(JSON.stringify({ error: { message, type: type ?? 'server_error', ...(code ? { code } : {}) } }), { status, headers: { 'content-type': 'application/json', ...(headers ?? {}) } });
    }
    return json(200, completion(request, reply, seq));
  };
  return demoFetch as unknown as FetchLike;
}
