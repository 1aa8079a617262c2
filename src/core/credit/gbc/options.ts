/**
 * Settings of the GBC attribution-graph method. The defaults follow how the authors run it, not
 * the paper's illustration: every experiment script of their code (AgentChord) keeps one
 * predecessor per node (k = 1) and keeps all of a node's edges when their weights are all equal or
 * when the node is the loss node (see topK.ts).
 */
import { z } from 'zod';
import { GBC_ESTIMATORS } from '../../config/schema';

export const GbcOptionsSchema = z
  .object({
    /**
     * How connection weights are estimated: `logprob` (likelihood drop of the recorded output,
     * logprobWeights.ts), `ablation` (re-run and compare), `judge` (an LLM rates the blocks), or
     * `auto` (logprob where the executor can score a given text, else ablation). Absent: truce.yaml
     * `credit.gbc.estimator`, else `auto`. See GRADIENT_ESTIMATOR.md for the white-box variant.
     */
    estimator: z.enum(GBC_ESTIMATORS).optional(),
    /** Rebuild missing step inputs from what the step read (inputFromReads.ts); absent: truce.yaml `credit.gbc.reconstructInputs`, else off. */
    reconstructInputs: z.boolean().optional(),
    /** k: predecessors kept per node in the attribution graph (ties and the loss node keep all). */
    topK: z.number().int().min(1).default(1),
    /**
     * The authors' ablation: every connection weight equal, no estimator call. The graph then keeps
     * every edge, so every agent upstream of the loss is asked for edits.
     */
    uniformWeights: z.boolean().default(false),
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
