/**
 * Temporal credit (BCD §4.3 and §5.1): per round t, the critic's score of the aggregator's state is
 * tracked as an exponential moving average that moves only on informative failures — rounds where
 * the aggregator got it wrong although at least one role had it right. Those are the cases that
 * say something about the aggregator: when every role was wrong, no aggregator could have helped.
 *
 * The state is plain JSON so it can travel in `CreditReport.details` from one optimization round to
 * the next (and survive a resume); every function here returns a new state.
 */
import { z } from 'zod';
import type { BcdOptions } from './options';

export const BCD_STATE_VERSION = 1;

const RoundCreditSchema = z.object({
  /** The agent that aggregates this round (its prompt is what phase B edits). */
  aggregator: z.string(),
  /** EMA of the critic score over informative failures; null until the first one. */
  ema: z.number().min(0).max(1).nullable(),
  failures: z.number().int().nonnegative(),
});
export type RoundCredit = z.infer<typeof RoundCreditSchema>;

export const BcdStateSchema = z.object({
  version: z.literal(BCD_STATE_VERSION),
  /** Optimization rounds whose credit has been folded in. */
  iteration: z.number().int().nonnegative(),
  /** The phase chosen in the last optimization round. */
  lastPhase: z.enum(['A', 'B']).optional(),
  /** By round index (as a string: JSON object keys). */
  rounds: z.record(z.string(), RoundCreditSchema),
});
export type BcdState = z.infer<typeof BcdStateSchema>;

export function initialBcdState(): BcdState {
  return { version: BCD_STATE_VERSION, iteration: 0, rounds: {} };
}

/** Reads the state a previous report carried; anything unreadable starts afresh. */
export function bcdStateFromDetails(details: Record<string, unknown> | undefined): BcdState | undefined {
  const parsed = BcdStateSchema.safeParse(details?.state);
  return parsed.success ? parsed.data : undefined;
}

/** One round of one task, as the temporal credit needs it. */
export interface RoundObservation {
  round: number;
  aggregator: string;
  /** Critic score of the aggregator's state, q^agg_t; undefined when the critic call failed. */
  aggregatorScore?: number;
  /** Whether the state holds the right answer; undefined when it cannot be told. */
  aggregatorRight?: boolean;
  /** Per role of the round: right, wrong, or unknown (undefined). */
  rolesRight: Array<boolean | undefined>;
}

export function isInformativeFailure(o: Pick<RoundObservation, 'aggregatorRight' | 'rolesRight'>): boolean {
  return o.aggregatorRight === false && o.rolesRight.some((r) => r === true);
}

export function emaStep(previous: number | null, value: number, rate: number): number {
  return previous === null ? value : (1 - rate) * previous + rate * value;
}

/** Folds a batch of observations in; only informative failures with a critic score move the EMA. */
export function updateTemporal(state: BcdState, observations: readonly RoundObservation[], options: Pick<BcdOptions, 'emaRate'>): BcdState {
  const rounds: Record<string, RoundCredit> = Object.fromEntries(Object.entries(state.rounds).map(([k, v]) => [k, { ...v }]));
  for (const o of observations) {
    const key = String(o.round);
    const entry = rounds[key] ?? { aggregator: o.aggregator, ema: null, failures: 0 };
    entry.aggregator = o.aggregator;
    if (isInformativeFailure(o) && o.aggregatorScore !== undefined) {
      entry.ema = emaStep(entry.ema, o.aggregatorScore, options.emaRate);
      entry.failures += 1;
    }
    rounds[key] = entry;
  }
  return { ...state, rounds };
}

/** Rounds whose aggregator should be optimized: EMA below τ after at least m informative failures. */
export function aggregatorTargets(state: BcdState, options: Pick<BcdOptions, 'tau' | 'minFailures'>): Array<{ round: number } & RoundCredit> {
  return Object.entries(state.rounds)
    .filter(([, r]) => r.ema !== null && r.ema < options.tau && r.failures >= options.minFailures)
    .map(([k, r]) => ({ round: Number(k), ...r }))
    .sort((a, b) => (a.ema as number) - (b.ema as number) || a.round - b.round);
}
