/**
 * GBC credit, the weight of each incoming edge of a node: from the chosen estimator, falling back
 * from likelihoods to ablation re-runs where the server gives no likelihood, and from ablation to
 * the judge where a step cannot be re-run (when judgeFallback allows it).
 */
import type { Step, Trajectory } from '../../trajectory/schema';
import type { MethodContext } from '../types';
import { ablationWeights, recordedMessages } from './ablation';
import type { EstimatorChoice, ExecutorOf } from './estimator';
import { inputFromReads } from './inputFromReads';
import { judgeWeights } from './judgeWeights';
import { logprobWeights } from './logprobWeights';
import type { GbcOptions } from './options';
import type { WeightSource } from './taskGraph';

export async function connectionWeights(context: MethodContext, options: GbcOptions, executorOf: ExecutorOf, choice: EstimatorChoice, trajectory: Trajectory, step: Step, preds: Step[], calls: { n: number }): Promise<{ weights: Map<string, number>; source: WeightSource }> {
  if (choice.used === 'uniform') return { weights: new Map(preds.map((p) => [p.id, 1 / preds.length])), source: 'uniform' };
  const judge = context.judge ?? context.optimizer;
  let input = recordedMessages(step);
  if (!input && choice.used !== 'judge' && (options.reconstructInputs ?? context.config.credit?.gbc?.reconstructInputs ?? false)) {
    input = inputFromReads(trajectory, step, preds);
    if (input) choice.reconstructed++;
  }
  if (choice.used === 'logprob' && choice.route) {
    const result = await logprobWeights(executorOf(context), choice.route, context, step, preds, input);
    if (result) calls.n += result.calls;
    if (result && result.weights.size > 0) {
      if (result.missing.length) context.note(`gbc: step ${step.id}: no likelihood for the block(s) of ${result.missing.join(', ')}; their weight is unknown.`);
      return { weights: result.weights, source: 'logprob' };
    }
    // Without a recorded input (or with no block found in it) ablation fails the same way and says so.
    if (result && result.calls > 0) context.note(`gbc: step ${step.id}: the server returned no likelihood for its output; ablation instead.`);
  }
  if (choice.used !== 'judge') {
    const executor = executorOf(context);
    const result = await ablationWeights(executor, context, step, preds, input);
    if (result) calls.n += result.calls;
    if (result && result.weights.size > 0) {
      if (result.missing.length) context.note(`gbc: step ${step.id}: the block(s) of ${result.missing.join(', ')} could not be found in its input; their weight is unknown.`);
      return { weights: result.weights, source: 'ablation' };
    }
    if (!options.judgeFallback) {
      context.note(`gbc: step ${step.id} cannot be re-run without its predecessors' blocks${result ? ' (blocks not found in the input)' : ' (no recorded input)'}; weights unknown.`);
      return { weights: new Map(), source: 'none' };
    }
  }
  const result = await judgeWeights(judge, context, step, preds);
  calls.n += result.calls;
  return { weights: result.weights, source: result.ok ? 'judge' : 'none' };
}
