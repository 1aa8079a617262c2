/**
 * GBC credit, first phase: which estimator gives the connection weights. `auto` (and a `logprob`
 * the endpoint cannot serve) is resolved by probing the executor once: the likelihood drop where
 * it can score a given text, ablation re-runs where it cannot; `judge` has an LLM rate the inputs.
 */
import type { LlmClient, ScoringRoute } from '../../llm';
import { scoringRoute } from '../../llm';
import type { MethodContext } from '../types';
import type { GbcOptions } from './options';

/** Which estimator a credit() call used and why: `details.estimator` of the report. */
export interface EstimatorChoice {
  configured: NonNullable<GbcOptions['estimator']>;
  used: 'logprob' | 'ablation' | 'judge' | 'uniform';
  route?: ScoringRoute;
  reason: string;
  /** Nodes estimated from an input rebuilt from their reads (credit.gbc.reconstructInputs). */
  reconstructed: number;
}

/** The endpoint ablation re-runs and likelihoods are measured on. */
export type ExecutorOf = (context: MethodContext) => LlmClient;

/** Resolves `auto` (and a `logprob` the endpoint cannot serve) by probing the executor once. */
export async function chooseEstimator(context: MethodContext, options: GbcOptions, executorOf: ExecutorOf): Promise<EstimatorChoice> {
  const configured = options.estimator ?? context.config.credit?.gbc?.estimator ?? 'auto';
  if (options.uniformWeights) return { configured, used: 'uniform', reason: 'uniform weights (the authors\' ablation): no estimator', reconstructed: 0 };
  if (configured === 'ablation' || configured === 'judge') return { configured, used: configured, reason: `configured (${configured})`, reconstructed: 0 };
  const executor = executorOf(context);
  const route = await scoringRoute(executor, context.signal);
  if (route) return { configured, used: 'logprob', route, reason: `${executor.model} at ${executor.baseUrl} scores a given text (${route === 'echo' ? 'echo + logprobs on /completions' : 'prompt_logprobs'})`, reconstructed: 0 };
  const reason = `${executor.model} at ${executor.baseUrl} cannot score a given text (no prompt_logprobs, no echo + logprobs on /completions); ablation re-runs instead`;
  if (configured === 'logprob') context.note(`gbc: estimator logprob: ${reason}.`);
  return { configured, used: 'ablation', reason, reconstructed: 0 };
}
