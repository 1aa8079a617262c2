/**
 * Algorithm 1, line 15 (TOPK): the raw suggestions of all tasks are pooled — near-duplicates
 * clustered (optionally joined further by the optimizer LLM), support counted over the batch,
 * the top k retained (aggregate.ts). A no-units rewrite is retained whole, as it came.
 */
import { clusterSuggestions, joinClusters, poolClusters } from '../aggregate';
import { llmMergeGroups } from '../llmSteps';
import type { Pooled, Proposed } from './roundState';
import type { OptimizeRun } from './runState';

export async function poolSuggestions(run: OptimizeRun, round: Proposed): Promise<Pooled> {
  const { proposal, ...rest } = round;
  if (proposal.kind === 'rewrites') return { ...rest, pooled: { ranked: proposal.suggestions, retained: proposal.suggestions } };
  const { config, topK, methodName, llmMerge, signal } = run.settings;
  round.stage('aggregate');
  const aggregateOptions = { sampledTaskIds: round.batch.map((t) => t.id), topK, method: methodName, minTasks: config.optimizer.minSupportTasks };
  let clusters = clusterSuggestions(proposal.raws);
  if (llmMerge && clusters.length > 1) clusters = joinClusters(clusters, await llmMergeGroups(run.optimizer, clusters, round.note, signal));
  return { ...rest, pooled: poolClusters(clusters, aggregateOptions) };
}
