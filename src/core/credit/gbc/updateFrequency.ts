/**
 * Normalized update frequency (GBC §5.1): for each agent, how often it was updated among the
 * occasions on which it was relevant. An agent that is never relevant has no figure rather than a
 * zero, which would read as "relevant but never chosen".
 */

export interface UpdateOccasion {
  relevant: readonly string[];
  updated: readonly string[];
}

export function normalizedUpdateFrequency(occasions: readonly UpdateOccasion[]): Record<string, number> {
  const relevant = new Map<string, number>();
  const updated = new Map<string, number>();
  for (const o of occasions) {
    const rel = new Set(o.relevant);
    for (const a of rel) relevant.set(a, (relevant.get(a) ?? 0) + 1);
    for (const a of new Set(o.updated)) if (rel.has(a)) updated.set(a, (updated.get(a) ?? 0) + 1);
  }
  return Object.fromEntries([...relevant].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([a, n]) => [a, (updated.get(a) ?? 0) / n]));
}
