/**
 * The content address of a request: sha256 over a canonical JSON of everything that shapes the
 * reply. The API key is not part of it (a key change must not invalidate a recording, and the
 * hash must not be a function of a secret).
 */
import { createHash } from 'node:crypto';
import type { ChatMessage, JsonSchemaFormat, ScoreRequest } from './types';

export interface CacheKeyMaterial {
  baseUrl: string;
  model: string;
  messages: readonly ChatMessage[];
  params: {
    temperature?: number;
    maxTokens?: number;
    responseFormat?: JsonSchemaFormat;
    logprobs?: { top: number };
    score?: ScoreRequest;
  };
  seed?: number;
  templateVersion?: string;
  sample?: number;
}

/** Bumped when the material or the entry format changes meaning, so old entries stop matching. */
const KEY_FORMAT = 'truce-llm/1';

/** JSON with object keys sorted at every level and undefined members dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`cannot hash non-finite number ${value}`);
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function requestHash(material: CacheKeyMaterial): string {
  return createHash('sha256')
    .update(canonicalJson({ format: KEY_FORMAT, ...material }))
    .digest('hex');
}
