/** Settings of the GBC attribution-graph method; defaults follow the paper (k = 2). */
import { z } from 'zod';

export const GbcOptionsSchema = z
  .object({
    /** How connection weights are estimated (see GRADIENT_ESTIMATOR.md for the white-box variant). */
    estimator: z.enum(['ablation', 'judge']).default('ablation'),
    /** k: predecessors kept per node in the attribution graph. */
    topK: z.number().int().min(1).default(2),
    /** Ablation cannot re-run a step without recorded input messages; rate such nodes with the judge instead. */
    judgeFallback: z.boolean().default(true),
    /** Attribution paths kept per task (their number can grow exponentially with depth). */
    maxPaths: z.number().int().min(1).default(32),
    maxEditsPerCall: z.number().int().min(1).default(3),
  })
  .strict();

export type GbcOptions = z.infer<typeof GbcOptionsSchema>;
export type GbcOptionsInput = z.input<typeof GbcOptionsSchema>;

export function resolveGbcOptions(input: GbcOptionsInput = {}): GbcOptions {
  return GbcOptionsSchema.parse(input);
}
