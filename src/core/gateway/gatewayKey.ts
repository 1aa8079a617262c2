/**
 * The key a gateway call is recorded and replayed under, in the scheme of the response cache
 * (llm/cacheKey.ts: sha256 over canonical JSON of everything that shapes the reply): the request
 * as the MAS sent it, minus how the reply travels (`stream`, `stream_options`: a recorded reply is
 * served either way), plus the request's ordinal and the execution's repeat index.
 *
 * The ordinal counts earlier calls of the same execution that sent this very request. An agent
 * that asks the same thing twice gets two calls, as it did when it was recorded, and calls an
 * agent makes in parallel keep their keys whatever order they arrive in — a position in arrival
 * order would not. The repeat index (TRUCE_SAMPLE) keeps the repeats of a task distinct calls.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../llm/cacheKey';

const KEY_FORMAT = 'truce-gateway/1';

/** The request without the fields that only say how the reply travels. */
function replyShaping(body: Record<string, unknown>): Record<string, unknown> {
  const { stream: _stream, stream_options: _options, ...rest } = body;
  return rest;
}

/** Identifies the request's content alone (and which API it went to); the ordinal is counted per content. */
export function requestContentHash(body: Record<string, unknown>, api: 'chat' | 'responses' = 'chat'): string {
  return createHash('sha256').update(canonicalJson({ format: KEY_FORMAT, api, request: replyShaping(body) })).digest('hex');
}

export function gatewayKey(contentHash: string, ordinal: number, sample: number | undefined): string {
  return createHash('sha256')
    .update(canonicalJson({ format: KEY_FORMAT, content: contentHash, ordinal, sample }))
    .digest('hex');
}

/** Counts, per execution, how often each request content was seen: the ordinal of the next one. */
export class OrdinalCounter {
  private readonly seen = new Map<string, number>();

  next(contentHash: string): number {
    const ordinal = this.seen.get(contentHash) ?? 0;
    this.seen.set(contentHash, ordinal + 1);
    return ordinal;
  }
}
