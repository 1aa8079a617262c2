/**
 * One HTTP attempt through the `openai` SDK: build the body, send it with a per-attempt timeout,
 * read the reply into plain data, and turn failures into classified LlmErrors. Retries, limits,
 * cache and accounting are the client's job; the SDK's own retries are switched off.
 */
import OpenAI, { AzureOpenAI, type ClientOptions } from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { Completion, CompletionCreateParamsNonStreaming } from 'openai/resources/completions';
import { classifyError } from './classifyError';
import type { Clock } from './clock';
import type { ResolvedEndpoint } from './endpoint';
import { LlmError } from './errors';
import { echoBody, promptLogprobsBody, scoreFromEcho, scoreFromPromptLogprobs } from './scoringWire';
import type { ChatMessage, ContinuationScore, JsonSchemaFormat, ScoreRequest, TokenLogprob } from './types';

export type FetchLike = NonNullable<ClientOptions['fetch']>;

/** Margin for the SDK's own timer, which only backs ours up (ours also covers reading the body). */
const SDK_TIMEOUT_GRACE_MS = 1_000;

/**
 * `withoutDeployment`: for Azure's files and batches routes, which live beside the deployments
 * (/openai/batches), not under one; the SDK would put a deployment's batches under it.
 */
export function createSdk(endpoint: ResolvedEndpoint, fetchImpl?: FetchLike, options: { withoutDeployment?: boolean } = {}): OpenAI {
  const common = {
    apiKey: endpoint.apiKey,
    // We retry ourselves, honouring long Retry-After values the SDK would cap.
    maxRetries: 0,
    timeout: endpoint.timeoutMs + SDK_TIMEOUT_GRACE_MS,
    // Explicit nulls stop the SDK from picking these up from the environment behind our back.
    organization: null,
    project: null,
    // Our call log is the log; the SDK's debug output would print request details.
    logLevel: 'off' as const,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  };
  if (endpoint.azureApiVersion !== undefined) {
    return new AzureOpenAI({
      ...common,
      baseURL: endpoint.baseUrl,
      apiVersion: endpoint.azureApiVersion,
      ...(options.withoutDeployment ? {} : { deployment: endpoint.model }),
    });
  }
  return new OpenAI({ ...common, baseURL: endpoint.baseUrl });
}

export interface WireParams {
  temperature?: number;
  maxTokens?: number;
  seed?: number;
  responseFormat?: JsonSchemaFormat;
  logprobs?: { top: number };
  score?: ScoreRequest;
}

/** What one attempt sends: a chat completion, or a legacy completion (the echo scoring route). */
export type WireRequest =
  | { endpoint: 'chat'; body: ChatCompletionCreateParamsNonStreaming; score?: { continuation: string } }
  | { endpoint: 'completions'; body: CompletionCreateParamsNonStreaming; score: { prefixLength: number; continuationLength: number } };

export function buildWire(endpoint: ResolvedEndpoint, messages: readonly ChatMessage[], params: WireParams): WireRequest {
  const score = params.score;
  if (!score) return { endpoint: 'chat', body: buildBody(endpoint, messages, params) };
  if (score.route === 'prompt-logprobs') {
    return { endpoint: 'chat', body: promptLogprobsBody(endpoint.model, messages, score, endpoint.maxTokensParam), score: { continuation: score.continuation } };
  }
  const { body, prefixLength } = echoBody(endpoint.model, messages, score);
  return { endpoint: 'completions', body, score: { prefixLength, continuationLength: score.continuation.length } };
}

export function buildBody(
  endpoint: ResolvedEndpoint,
  messages: readonly ChatMessage[],
  params: WireParams,
): ChatCompletionCreateParamsNonStreaming {
  const body: ChatCompletionCreateParamsNonStreaming = {
    model: endpoint.model,
    messages: messages.map((m) => ({ role: m.role, content: m.content })),
    stream: false,
  };
  if (params.temperature !== undefined) body.temperature = params.temperature;
  if (params.maxTokens !== undefined) body[endpoint.maxTokensParam] = params.maxTokens;
  if (params.seed !== undefined) body.seed = params.seed;
  if (params.responseFormat) {
    const { name, schema, strict, description } = params.responseFormat;
    body.response_format = {
      type: 'json_schema',
      json_schema: { name, schema, strict, ...(description === undefined ? {} : { description }) },
    };
  }
  if (params.logprobs) {
    body.logprobs = true;
    if (params.logprobs.top > 0) body.top_logprobs = params.logprobs.top;
  }
  return body;
}

export interface RawReply {
  content: string;
  finishReason: string;
  refusal?: string;
  usage?: { inputTokens: number; outputTokens: number };
  logprobs?: TokenLogprob[];
  score?: ContinuationScore;
}

export interface AttemptOptions {
  endpoint: ResolvedEndpoint;
  clock: Clock;
  signal?: AbortSignal;
}

/** Sends one request; resolves with the reply or rejects with a classified LlmError. */
export async function sendAttempt(
  sdk: OpenAI,
  request: WireRequest,
  options: AttemptOptions,
): Promise<RawReply> {
  const { endpoint, clock, signal } = options;
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error('timeout'));
  }, endpoint.timeoutMs);
  try {
    if (signal?.aborted) controller.abort(signal.reason);
    if (request.endpoint === 'completions') {
      const completion = await sdk.completions.create(request.body, { signal: controller.signal, maxRetries: 0 });
      return readEchoCompletion(completion, endpoint, request.score);
    }
    const completion = await sdk.chat.completions.create(request.body, { signal: controller.signal, maxRetries: 0 });
    const reply = readCompletion(completion, endpoint);
    if (request.score) {
      const score = scoreFromPromptLogprobs((completion as unknown as { prompt_logprobs?: unknown }).prompt_logprobs, request.score.continuation);
      if (score) reply.score = score;
    }
    return reply;
  } catch (error) {
    throw classifyError(error, {
      baseUrl: endpoint.baseUrl,
      model: endpoint.model,
      keySource: endpoint.keySource,
      local: endpoint.local,
      secrets: [endpoint.apiKey],
      nowMs: clock.now(),
      timeoutMs: endpoint.timeoutMs,
      timedOut,
      ...(signal ? { signal } : {}),
    });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** A legacy completion of the echo route: only the usage and the continuation's score matter. */
function readEchoCompletion(completion: Completion, endpoint: ResolvedEndpoint, score: { prefixLength: number; continuationLength: number }): RawReply {
  const choice = Array.isArray(completion?.choices) ? completion.choices[0] : undefined;
  if (!choice || typeof choice !== 'object') {
    throw new LlmError('bad-response', `${endpoint.baseUrl} answered without a completion choice for model ${endpoint.model}.`, { retryable: true });
  }
  const reply: RawReply = { content: typeof choice.text === 'string' ? choice.text : '', finishReason: typeof choice.finish_reason === 'string' ? choice.finish_reason : 'unknown' };
  const usage = completion.usage;
  if (usage && Number.isFinite(usage.prompt_tokens) && Number.isFinite(usage.completion_tokens)) {
    reply.usage = { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
  }
  const scored = scoreFromEcho(choice.logprobs, score.prefixLength, score.continuationLength);
  if (scored) reply.score = scored;
  return reply;
}

/** A completion document as plain data; also reads the bodies of Batch API output lines. */
export function readCompletion(completion: ChatCompletion, endpoint: ResolvedEndpoint): RawReply {
  const choice = Array.isArray(completion?.choices) ? completion.choices[0] : undefined;
  if (!choice || typeof choice !== 'object' || !choice.message) {
    // Some proxies answer 200 with an error document instead of a completion.
    throw new LlmError('bad-response', `${endpoint.baseUrl} answered without a completion choice for model ${endpoint.model}.`, {
      retryable: true,
    });
  }
  const reply: RawReply = {
    content: typeof choice.message.content === 'string' ? choice.message.content : '',
    finishReason: typeof choice.finish_reason === 'string' ? choice.finish_reason : 'unknown',
  };
  if (typeof choice.message.refusal === 'string' && choice.message.refusal) reply.refusal = choice.message.refusal;
  const usage = completion.usage;
  if (usage && Number.isFinite(usage.prompt_tokens) && Number.isFinite(usage.completion_tokens)) {
    reply.usage = { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
  }
  const tokens = choice.logprobs?.content;
  if (Array.isArray(tokens) && tokens.length > 0) {
    reply.logprobs = tokens.map((t) => {
      const entry: TokenLogprob = { token: t.token, logprob: t.logprob };
      if (Array.isArray(t.top_logprobs) && t.top_logprobs.length > 0) {
        entry.top = t.top_logprobs.map((a) => ({ token: a.token, logprob: a.logprob }));
      }
      return entry;
    });
  }
  return reply;
}
