/**
 * Seeded randomness of an optimization run. Batches, tie-breaks and method sampling all draw from
 * generators derived from (run seed, purpose, round), so a resumed or repeated optimize samples
 * exactly the same tasks — which is what lets the response cache answer everything again.
 */
import { createHash } from 'node:crypto';

/** mulberry32: small, fast, and good enough for sampling tasks. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A generator for one purpose of one round; independent of how many draws other purposes made. */
export function derivedRandom(seed: number, ...labels: Array<string | number>): () => number {
  const digest = createHash('sha256').update([String(seed), ...labels.map(String)].join('\u0000')).digest();
  return seededRandom(digest.readUInt32LE(0));
}

/**
 * `size` distinct items drawn without replacement (partial Fisher–Yates), returned in the order of
 * `items` so that the batch reads like the task file. The whole list when size ≥ its length.
 */
export function sampleBatch<T>(items: readonly T[], size: number, random: () => number): T[] {
  if (size >= items.length) return [...items];
  const index = items.map((_, i) => i);
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (index.length - i));
    [index[i], index[j]] = [index[j], index[i]];
  }
  return index
    .slice(0, size)
    .sort((a, b) => a - b)
    .map((i) => items[i]);
}
