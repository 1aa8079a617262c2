/**
 * The endpoint's own limits for the calls the gateway forwards (LlmClient.forward): a gateway call
 * waits for the endpoint's rate limiter (requestsPerMinute, tokensPerMinute) and takes one of its
 * concurrency slots (maxConcurrency), the same limiters TRUCE's own calls to that endpoint take.
 * The slot is held until the reply has been read to its end — a stream holds it while it streams —
 * or abandoned, so N slots mean N replies in flight at the endpoint, never more. A 429 that says how
 * long to wait holds every caller of the endpoint for that long, as the client's retries do.
 *
 * The token bucket is charged the request's size (characters / 4) plus the reply it allows; the
 * usage the endpoint reports is not known here, so the charge errs on the side of waiting.
 */
import type { Clock } from './clock';
import type { Limiters } from './endpointLimits';
import { parseRetryAfter } from './retry';
import { DEFAULT_REPLY_TOKENS } from './tokens';

/** What a forwarded request will take from the token bucket. */
export function forwardedTokens(body: string | undefined): number {
  if (body === undefined) return 0;
  let reply = DEFAULT_REPLY_TOKENS;
  try {
    const parsed = JSON.parse(body) as { max_completion_tokens?: unknown; max_tokens?: unknown; max_output_tokens?: unknown };
    const limit = parsed.max_completion_tokens ?? parsed.max_tokens ?? parsed.max_output_tokens;
    if (typeof limit === 'number' && Number.isFinite(limit) && limit > 0) reply = limit;
  } catch {
    // Not JSON: the endpoint will refuse it; it still counts as a request.
  }
  return Math.ceil(body.length / 4) + reply;
}

export async function limitedForward(limiters: Limiters, clock: Clock, tokens: number, signal: AbortSignal | undefined, send: () => Promise<Response>): Promise<Response> {
  await limiters.rate.acquire(tokens, signal);
  const release = once(await limiters.concurrency.acquire(signal));
  let response: Response;
  try {
    response = await send();
  } catch (error) {
    release();
    throw error;
  }
  if (response.status === 429) {
    const wait = parseRetryAfter(response.headers, clock.now());
    if (wait !== undefined) limiters.rate.holdUntil(clock.now() + wait);
  }
  if (!response.body) {
    release();
    return response;
  }
  return new Response(releasedAtEnd(response.body, release), { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** The same bytes; `release` runs once, when the body ends, fails, or its reader cancels it. */
function releasedAtEnd(body: ReadableStream<Uint8Array>, release: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          release();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        release();
        controller.error(error);
      }
    },
    async cancel(reason) {
      release();
      await reader.cancel(reason).catch(() => undefined);
    },
  });
}

function once(release: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    release();
  };
}
