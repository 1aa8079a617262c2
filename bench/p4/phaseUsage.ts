/**
 * LLM usage of an optimize run in the figures P4 compares: per phase, the calls that reached the
 * endpoint ("sent": what costs money), the ones the response cache answered ("cached"; together
 * with the sent ones they are the queries the algorithm issued), and the tokens of the sent calls.
 * The optimizer's own phases (credit, suggestions, merge, rewrite) are what the methods differ
 * in; rollouts and validation are the shared loop's and are reported separately.
 */
import type { UsageTotals } from '../../src/core/llm';

export const OPTIMIZER_PHASES = ['phi', 'psi', 'merge', 'rewrite'] as const;

export interface PhaseFigures {
  sent: number;
  cached: number;
  /** Prompt + completion tokens of the sent calls. */
  tokens: number;
}

export interface UsageFigures {
  byPhase: Record<string, PhaseFigures>;
  /** Φ, Ψ, merge and rewrite together. */
  optimizer: PhaseFigures;
  /** Every phase: rollouts, validation, test and probes included. */
  all: PhaseFigures;
}

const zero = (): PhaseFigures => ({ sent: 0, cached: 0, tokens: 0 });

function add(into: PhaseFigures, f: PhaseFigures): void {
  into.sent += f.sent;
  into.cached += f.cached;
  into.tokens += f.tokens;
}

export function usageFigures(byPhase: Readonly<Record<string, UsageTotals>>): UsageFigures {
  const out: UsageFigures = { byPhase: {}, optimizer: zero(), all: zero() };
  for (const phase of OPTIMIZER_PHASES) out.byPhase[phase] = zero();
  for (const [phase, u] of Object.entries(byPhase).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const f = { sent: u.calls, cached: u.cachedCalls, tokens: u.inputTokens + u.outputTokens };
    out.byPhase[phase] = f;
    if ((OPTIMIZER_PHASES as readonly string[]).includes(phase)) add(out.optimizer, f);
    add(out.all, f);
  }
  return out;
}

/** a / b rounded to 3 places; null when b is 0 (no comparison possible). */
export function ratio(a: number, b: number): number | null {
  return b === 0 ? null : Math.round((a / b) * 1000) / 1000;
}
