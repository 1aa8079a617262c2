/** The per-task graph in `details.graph` of a GBC report: what the panel draws and what suggest() reads back. */
import { z } from 'zod';

export const WeightSourceSchema = z.enum(['logprob', 'ablation', 'judge', 'none', 'uniform']);
export type WeightSource = z.infer<typeof WeightSourceSchema>;

export const GbcTaskGraphSchema = z.object({
  final: z.string(),
  loss: z.object({ text: z.string(), magnitude: z.number() }),
  nodes: z.array(z.object({ id: z.string(), agentId: z.string(), round: z.number(), seq: z.number(), blame: z.number() })),
  edges: z.array(z.object({ from: z.string(), to: z.string(), weight: z.number().nullable(), kept: z.boolean(), source: WeightSourceSchema })),
  paths: z.array(z.object({ steps: z.array(z.string()), weight: z.number() })),
  pathsTruncated: z.boolean(),
});
export type GbcTaskGraph = z.infer<typeof GbcTaskGraphSchema>;
