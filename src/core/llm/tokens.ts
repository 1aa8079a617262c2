/**
 * Cheap token and cost arithmetic. The estimate only has to be good enough to refuse a call
 * before it is sent; actual usage from the server replaces it afterwards.
 */
import type { ChatMessage } from './types';

/** Reply size assumed when neither the request nor the endpoint sets maxTokens. */
export const DEFAULT_REPLY_TOKENS = 1024;

/** The rough characters-per-token ratio of English text behind every estimate here and every budget in characters. */
export const CHARS_PER_TOKEN = 4;

/** Roughly what chat templates add around each message (role markers, separators). */
const PER_MESSAGE_OVERHEAD = 4;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  let total = 0;
  for (const m of messages) total += estimateTokens(m.content) + PER_MESSAGE_OVERHEAD;
  return total;
}

export interface Prices {
  pricePer1kInput?: number;
  pricePer1kOutput?: number;
}

export function costUsd(inputTokens: number, outputTokens: number, prices: Prices): number {
  return (inputTokens / 1000) * (prices.pricePer1kInput ?? 0) + (outputTokens / 1000) * (prices.pricePer1kOutput ?? 0);
}

export function isPriced(prices: Prices): boolean {
  return prices.pricePer1kInput !== undefined || prices.pricePer1kOutput !== undefined;
}
