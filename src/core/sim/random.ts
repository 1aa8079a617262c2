/**
 * Hash-seeded randomness: every draw of the world is a function of the scenario seed and of labels
 * taken from the request (task id, agent, the request text), never of call order. So the same
 * request always gets the same reply, whatever ran before it — which is what makes the response
 * cache, replay and concurrent rollouts agree with each other.
 */
import { createHash } from 'node:crypto';
import { seededRandom } from './prng';

export function hashSeed(...labels: Array<string | number>): number {
  return createHash('sha256').update(labels.map(String).join('\u0000')).digest().readUInt32LE(0);
}

/** A generator for one purpose; independent of every other generator. */
export function randomFor(...labels: Array<string | number>): () => number {
  return seededRandom(hashSeed(...labels));
}

/** One uniform draw in [0, 1) for the labels. */
export function uniform(...labels: Array<string | number>): number {
  return randomFor(...labels)();
}

export function pick<T>(items: readonly T[], random: () => number): T {
  if (items.length === 0) throw new Error('pick from an empty list');
  return items[Math.floor(random() * items.length)];
}

/** `count` distinct items in a random order (partial Fisher–Yates). */
export function sample<T>(items: readonly T[], count: number, random: () => number): T[] {
  const copy = [...items];
  const n = Math.min(count, copy.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, n);
}
