/**
 * Settings of the temporal + structural (BCD) method. Defaults follow the paper's choices where it
 * states them (two weakest roles per phase A) and are otherwise the conservative end of its
 * sensitivity discussion: a low τ and a buffer of several failures update aggregators rarely.
 */
import { z } from 'zod';

export const BcdOptionsSchema = z
  .object({
    /** λ in c = λ·q + (1−λ)·p: weight of the critic's own score against the peer view. */
    lambda: z.number().min(0).max(1).default(0.5),
    /** K: how many of the lowest-credit roles phase A updates. */
    bottomK: z.number().int().min(1).default(2),
    /** τ: an aggregator round becomes a target when its EMA credit is below this… */
    tau: z.number().min(0).max(1).default(0.5),
    /** m: …and at least this many informative failures have been seen for the round. */
    minFailures: z.number().int().min(1).default(3),
    /** Rate α of the EMA: ema ← (1−α)·ema + α·q on each informative failure. */
    emaRate: z.number().gt(0).max(1).default(0.3),
    /** Cap on the edits one gradient call may propose. */
    maxEditsPerCall: z.number().int().min(1).default(3),
    /** Ask for textual gradients during credit (off for attribution-only use, e.g. eval-attribution). */
    gradients: z.boolean().default(true),
  })
  .strict();

export type BcdOptions = z.infer<typeof BcdOptionsSchema>;
export type BcdOptionsInput = z.input<typeof BcdOptionsSchema>;

export function resolveBcdOptions(input: BcdOptionsInput = {}): BcdOptions {
  return BcdOptionsSchema.parse(input);
}
