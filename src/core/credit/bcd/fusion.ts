/**
 * Structural credit (BCD §4.3): c_{i,t} = λ·q_{i,t} + (1−λ)·p_{i,t}, averaged over the rounds the
 * role spoke in. A missing q or p (the critic call failed) does not become a zero: the other signal
 * stands alone, and a turn with neither is left out of the average.
 */

export interface TurnScores {
  agentId: string;
  round: number;
  q?: number;
  p?: number;
}

export function fuseCredit(q: number | undefined, p: number | undefined, lambda: number): number | undefined {
  if (q !== undefined && p !== undefined) return lambda * q + (1 - lambda) * p;
  return q ?? p;
}

/** Role credit C_i: the mean of c_{i,t} over the role's scored turns (across tasks when given several). */
export function roleCredits(turns: readonly TurnScores[], lambda: number): Map<string, number> {
  const sums = new Map<string, { total: number; count: number }>();
  for (const t of turns) {
    const c = fuseCredit(t.q, t.p, lambda);
    if (c === undefined) continue;
    const s = sums.get(t.agentId) ?? { total: 0, count: 0 };
    s.total += c;
    s.count += 1;
    sums.set(t.agentId, s);
  }
  return new Map([...sums].map(([id, s]) => [id, s.total / s.count]));
}

/** The K roles with the lowest credit, weakest first; ties by id so the choice is reproducible. */
export function lowestCredit(credits: ReadonlyMap<string, number>, k: number): string[] {
  return [...credits]
    .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, k)
    .map(([id]) => id);
}

/** [0, 1] credit onto the contract's [-1, 1] scale, where negative blames. */
export function toSignedScore(credit: number): number {
  return Math.max(-1, Math.min(1, 2 * credit - 1));
}
