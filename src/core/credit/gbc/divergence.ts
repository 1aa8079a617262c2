/**
 * How much an output changed when one input block was removed: 1 − Dice overlap of the two
 * outputs' word multisets. Word-level rather than model-token-level because the endpoint's
 * tokenizer is unknown; the measure is symmetric, 0 for identical wording and 1 for nothing shared.
 */

export function wordTokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

export function tokenDivergence(a: string, b: string): number {
  const ta = wordTokens(a);
  const tb = wordTokens(b);
  if (ta.length === 0 && tb.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const t of ta) counts.set(t, (counts.get(t) ?? 0) + 1);
  let shared = 0;
  for (const t of tb) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      shared += 1;
      counts.set(t, c - 1);
    }
  }
  return 1 - (2 * shared) / (ta.length + tb.length);
}
