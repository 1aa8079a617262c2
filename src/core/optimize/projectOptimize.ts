/**
 * The projected spend of an optimize run (LLM calls, tokens, cost), shown before anything is spent:
 * the go/no-go question of a new run and the editor's projection both read it.
 */
import type { TruceConfig } from '../config';
import { projectCost, type CostProjection, type EndpointRole, type PlannedCalls } from '../llm';
import type { loadPromptSet, MasTask } from '../mas';
import { budgetLimits, planCalls } from '../run';
import { projectedPricing } from '../llm/batch/batchPricing';

/** Projected LLM calls of one round and of the whole run, shown before anything is spent. */
export function projectOptimize(config: TruceConfig, prompts: Awaited<ReturnType<typeof loadPromptSet>>, tasks: { batch: MasTask[]; val: MasTask[]; test: MasTask[] }, rounds: number, topK: number, agents: number, noCredit: boolean, noUnits = false): { perRound: CostProjection; total: CostProjection } {
  const executor = (ts: MasTask[], phase: string): PlannedCalls[] => planCalls(config, prompts, ts, { probe: false }).plan.map((p) => ({ ...p, phase: p.phase === 'rollout' ? phase : p.phase }));
  const optimizerRole: EndpointRole = 'optimizer';
  const perTaskChars = 6_000;
  const round: PlannedCalls[] = [
    ...executor(tasks.batch, 'rollout'),
    ...(noCredit ? [] : [{ role: optimizerRole, phase: 'phi', calls: tasks.batch.length, promptChars: perTaskChars }]),
    ...(noUnits
      ? [{ role: optimizerRole, phase: 'global-rewrite', calls: agents, promptChars: perTaskChars, replyTokens: 400 }]
      : [
          { role: optimizerRole, phase: 'psi', calls: tasks.batch.length * agents, promptChars: perTaskChars },
          { role: optimizerRole, phase: 'rewrite', calls: Math.min(topK, 1), promptChars: 1_500, replyTokens: 200 },
        ]),
    ...executor(tasks.val, 'validation'),
  ];
  const endpoints = { executor: projectedPricing(config.llm.executor), optimizer: projectedPricing(config.llm.optimizer ?? config.llm.executor), judge: projectedPricing(config.llm.judge ?? config.llm.executor) };
  const once: PlannedCalls[] = [...executor(tasks.val, 'validation'), ...executor(tasks.test, 'test'), ...executor(tasks.test, 'test')];
  const total = [...Array.from({ length: rounds }, () => round).flat(), ...once];
  return { perRound: projectCost(round, endpoints), total: projectCost(total, endpoints, budgetLimits(config)) };
}
