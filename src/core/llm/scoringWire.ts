/**
 * The wire side of scoring a given continuation (no generation): how each route asks the server
 * for the log-probabilities of text it is handed, and how the continuation's tokens are picked
 * out of the answer.
 *
 * - `prompt-logprobs` (vLLM): a Chat Completions request whose last message is the continuation as
 *   the assistant's reply, left open (`continue_final_message`, no generation prompt), with
 *   `prompt_logprobs: 0` — the server returns the log-probability of every prompt token under the
 *   model's own chat template. The continuation is found at the end of the decoded prompt tokens.
 * - `echo` (vLLM, llama.cpp and other servers of the legacy endpoint): a Completions request whose
 *   prompt is the conversation as a plain transcript followed by the continuation, with
 *   `echo: true` and `logprobs`; `text_offset` says which tokens are the continuation's. The
 *   transcript is neutral (no chat template is known client-side), so both sides of a comparison
 *   must be scored through the same route.
 */
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { CompletionCreateParamsNonStreaming } from 'openai/resources/completions';
import type { ChatMessage, ContinuationScore, ScoreRequest } from './types';

/** The plain transcript the echo route scores: role headers, the messages, then the continuation. */
export function transcriptPrefix(messages: readonly ChatMessage[]): string {
  return `${messages.map((m) => `${m.role}:\n${m.content}\n\n`).join('')}assistant:\n`;
}

export function promptLogprobsBody(model: string, messages: readonly ChatMessage[], score: ScoreRequest, maxTokensParam: string): ChatCompletionCreateParamsNonStreaming {
  const body: Record<string, unknown> = {
    model,
    messages: [...messages.map((m) => ({ role: m.role, content: m.content })), { role: 'assistant', content: score.continuation }],
    stream: false,
    temperature: 0,
    [maxTokensParam]: 1,
    // vLLM extensions: log-probabilities of the prompt tokens, the reply left open so no
    // end-of-turn token is scored as part of it.
    prompt_logprobs: 0,
    add_generation_prompt: false,
    continue_final_message: true,
  };
  return body as unknown as ChatCompletionCreateParamsNonStreaming;
}

export function echoBody(model: string, messages: readonly ChatMessage[], score: ScoreRequest): { body: CompletionCreateParamsNonStreaming; prefixLength: number } {
  const prefix = transcriptPrefix(messages);
  return {
    body: { model, prompt: prefix + score.continuation, echo: true, logprobs: 1, max_tokens: 1, temperature: 0, stream: false },
    prefixLength: prefix.length,
  };
}

interface PromptLogprobEntry {
  logprob?: unknown;
  decoded_token?: unknown;
}

/**
 * The continuation's score from vLLM's `prompt_logprobs` (one entry per prompt token, the first
 * null). Undefined when the field is missing or the continuation cannot be found in the decoded
 * tokens (a server that does not detokenize them).
 */
export function scoreFromPromptLogprobs(raw: unknown, continuation: string): ContinuationScore | undefined {
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  const pieces: Array<{ text: string; logprob: number | undefined }> = raw.map((entry) => {
    if (!entry || typeof entry !== 'object') return { text: '', logprob: undefined };
    // With prompt_logprobs 0 each position holds the prompt token alone.
    const first = Object.values(entry as Record<string, PromptLogprobEntry>)[0];
    const text = typeof first?.decoded_token === 'string' ? first.decoded_token : '';
    const logprob = typeof first?.logprob === 'number' && Number.isFinite(first.logprob) ? first.logprob : undefined;
    return { text, logprob };
  });
  const joined = pieces.map((p) => p.text).join('');
  let target = continuation;
  let at = joined.lastIndexOf(target);
  if (at < 0) {
    target = continuation.trim();
    at = target ? joined.lastIndexOf(target) : -1;
  }
  if (at < 0) return undefined;
  let offset = 0;
  const tokens = pieces.map((p) => {
    const token = { offset, end: offset + p.text.length, logprob: p.logprob };
    offset = token.end;
    return token;
  });
  return sumWithin(tokens, at, at + target.length);
}

/** The continuation's score from a legacy completion with `echo`: tokens at or after the prefix. */
export function scoreFromEcho(logprobs: unknown, prefixLength: number, continuationLength: number): ContinuationScore | undefined {
  if (!logprobs || typeof logprobs !== 'object') return undefined;
  const { token_logprobs: values, text_offset: offsets, tokens: texts } = logprobs as { token_logprobs?: unknown; text_offset?: unknown; tokens?: unknown };
  if (!Array.isArray(values) || !Array.isArray(offsets) || values.length !== offsets.length) return undefined;
  const at = (i: number) => (typeof offsets[i] === 'number' ? (offsets[i] as number) : -1);
  const tokens = values.map((v, i) => {
    const text = Array.isArray(texts) && typeof texts[i] === 'string' ? (texts[i] as string) : undefined;
    const end = text !== undefined ? at(i) + text.length : i + 1 < offsets.length ? at(i + 1) : at(i) + 1;
    return { offset: at(i), end, logprob: typeof v === 'number' && Number.isFinite(v) ? v : undefined };
  });
  return sumWithin(tokens, prefixLength, prefixLength + continuationLength);
}

/**
 * Sum of the log-probabilities of the tokens that overlap [from, to): a token that carries the
 * whitespace before the continuation together with its first word is the continuation's.
 * Undefined when none has a log-probability.
 */
function sumWithin(tokens: ReadonlyArray<{ offset: number; end: number; logprob: number | undefined }>, from: number, to: number): ContinuationScore | undefined {
  let logprob = 0;
  let count = 0;
  for (const t of tokens) {
    if (t.end <= from || t.offset >= to || t.logprob === undefined) continue;
    logprob += t.logprob;
    count++;
  }
  return count > 0 ? { logprob, tokens: count } : undefined;
}
