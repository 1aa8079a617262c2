/**
 * GBC attribution graph (the GBC paper, §3–4) with black-box connection weights.
 *
 * credit() runs three named phases:
 *  1. chooseEstimator (estimator.ts): likelihood drop where the executor can score a given text,
 *     else ablation re-runs; or the judge; or uniform weights (the authors' ablation).
 *  2. attributionGraph (attributionGraph.ts), per task: the agent DAG from the steps' `reads`,
 *     walked backwards from the final node; each node's incoming edges get a weight
 *     (connectionWeights.ts) and only the top-k predecessors are kept — so only nodes that can
 *     still reach the loss are ever estimated. The verbal loss is attached to the final node; the
 *     backward traversal yields the attribution trajectories and a blame per node. The graph goes
 *     to `details.graph[taskId]`.
 *  3. graphSignals (graphSignals.ts), per task: edge and agent signals, the blamed step, and the
 *     occasions of `details.updateFrequency` (the normalized update frequency per agent).
 *
 * suggest() (suggestAlongPaths.ts): only agents on an attribution trajectory of a failed task are
 * asked for edits, each with the chain that links its output to the loss.
 *
 * Ablations: --no-units works through the loop's global rewrite (fed by the edge and agent
 * signals); --no-credit is refused (see refusedAblations below).
 */
import type { LlmClient } from '../../llm';
import type { CreditMethod, CreditReport, CreditSignal, MethodContext } from '../types';
import type { Trajectory } from '../../trajectory/schema';
import { attributionGraph } from './attributionGraph';
import { chooseEstimator } from './estimator';
import { graphSignals } from './graphSignals';
import { resolveGbcOptions, type GbcOptions, type GbcOptionsInput } from './options';
import { suggestAlongPaths } from './suggestAlongPaths';
import type { GbcTaskGraph } from './taskGraph';
import { normalizedUpdateFrequency, type UpdateOccasion } from './updateFrequency';

export { GbcTaskGraphSchema, type GbcTaskGraph } from './taskGraph';
export type { EstimatorChoice } from './estimator';

export interface GbcMethodSettings {
  options?: GbcOptionsInput;
  /** The executor endpoint, for ablation re-runs; default: the optimizer (noted, since it measures another model). */
  executor?: LlmClient;
}

export function createGbcMethod(settings: GbcMethodSettings = {}): CreditMethod {
  const options: GbcOptions = resolveGbcOptions(settings.options);

  const executorOf = (context: MethodContext) => settings.executor ?? context.executor ?? context.optimizer;

  async function credit(context: MethodContext, trajectories: Trajectory[]): Promise<CreditReport> {
    const choice = await chooseEstimator(context, options, executorOf);
    if ((choice.used === 'ablation' || choice.used === 'logprob') && !settings.executor && !context.executor) {
      context.note(`gbc: no executor endpoint was handed to the ${choice.used} estimator; it uses the optimizer model, so weights measure its sensitivity rather than the executor's.`);
    }
    const calls = { n: 0 };
    const signals: CreditSignal[] = [];
    const graphs: Record<string, GbcTaskGraph> = {};
    const blame: Record<string, { agent: string; stepId: string }> = {};
    const occasions: UpdateOccasion[] = [];
    for (const trajectory of trajectories) {
      const g = await attributionGraph(context, options, executorOf, choice, trajectory, calls);
      if (!g) {
        context.note(`gbc: task ${trajectory.taskId} has no agent steps; nothing to attribute.`);
        continue;
      }
      graphs[trajectory.taskId] = g;
      const found = graphSignals(context, trajectory, g);
      signals.push(...found.signals);
      if (found.blame) blame[trajectory.taskId] = found.blame;
      occasions.push(found.occasion);
    }
    return {
      method: 'gbc',
      signals,
      details: { graph: graphs, updateFrequency: normalizedUpdateFrequency(occasions), blame, queries: { calls: calls.n }, options, estimator: choice },
    };
  }

  return {
    name: 'gbc',
    credit,
    suggest: (context, report, trajectories) => suggestAlongPaths(context, options, report, trajectories),
    refusedAblations: {
      // GBC's credit is the choice of which agents are asked (those on an attribution path) and
      // the chain each is shown; without it every agent of a failed task would be asked from the
      // outcome alone, which is the TRUCE or BCD no-credit ablation under another name.
      noCredit:
        'its credit is the attribution graph that decides which agents get suggestions; without it GBC is no method of its own. Run the outcome-only baseline with --method truce --no-credit (or --method bcd --no-credit).',
    },
  };
}
