/**
 * Drives `@ax-llm/ax`'s AxGEPA over the scenario's MAS flow (axFlow.ts) against the fake server,
 * within an LLM-call budget, and returns the instructions of its best candidate.
 *
 * How the budget is kept: GEPA counts flow rollouts (`maxMetricCalls`), not LLM calls. One rollout
 * is roles × rounds + rounds + 1 calls, and each GEPA iteration adds two reflection calls (the
 * critic and the proposer; ax retries the proposer only when a component validator rejects it, and
 * instructions have none). numTrials bounds the iterations, so maxMetricCalls is the largest M with
 * M × per-rollout + 2 × numTrials ≤ budget, and numTrials is set to what M rollouts allow (each
 * iteration spends at least one minibatch). Early stopping is switched off so GEPA can spend the
 * same budget as ours rather than quit on a plateau of its own minibatch noise.
 *
 * Data: train split for GEPA's minibatches (its `examples`), val split as its validation (Pareto)
 * set, exactly the splits our optimizer uses; test is never shown to either.
 */
import { ai, AxGEPA } from '@ax-llm/ax';
import { splitTasks } from '../../src/core/tasks/splitTasks';
import type { World } from '../../test/support/sim';
import { buildMasFlow, componentKey, finalLetter, instructionText } from './axFlow';

export interface GepaConfig {
  /** Label of the row in the output. */
  label: string;
  minibatchSize: number;
  /** GEPA's own validation-set cap is max(10, 3 × minibatchSize); we keep ax's rule. */
  seed: number;
}

export interface GepaOutcome {
  instructions: Record<string, string>;
  maxMetricCalls: number;
  numTrials: number;
  paretoSetSize: number;
  bestScore: number;
  candidates: number;
}

export function callsPerRollout(world: World): number {
  const { roles, rounds } = world.scenario;
  return roles.length * rounds + rounds + 1;
}

export function gepaBudget(world: World, budget: number, minibatchSize: number): { maxMetricCalls: number; numTrials: number } {
  const per = callsPerRollout(world);
  for (let m = Math.floor(budget / per); m > 0; m--) {
    const numTrials = Math.ceil(m / minibatchSize) + 1;
    if (m * per + 2 * numTrials <= budget) return { maxMetricCalls: m, numTrials };
  }
  throw new Error(`A budget of ${budget} calls does not pay for one rollout (${per} calls).`);
}

export function splitExamples(world: World): Record<'train' | 'val' | 'test', Array<{ task: string; reference: string; id: string }>> {
  const s = world.scenario;
  const split = splitTasks(world.tasks, { train: s.tasks.train, val: s.tasks.val, test: s.tasks.test }, s.seed);
  const shape = (ts: typeof world.tasks) => ts.map((t) => ({ task: t.input, reference: t.reference, id: t.id }));
  return { train: shape(split.train), val: shape(split.val), test: shape(split.test) };
}

export async function runGepa(world: World, baseUrl: string, budget: number, config: GepaConfig): Promise<GepaOutcome> {
  const start = Object.fromEntries(world.agents.map((a) => [a, instructionText(world, a, world.plantedRules(a))]));
  const wf = buildMasFlow(world, start);
  const llm = ai({ name: 'openai', apiKey: 'sim', apiURL: baseUrl, config: { model: 'fake-model', stream: false, temperature: 0 } } as never);
  const { train, val } = splitExamples(world);
  // An ax example carries its label: the flow ignores `reference`, the metric reads it, and GEPA
  // shows it to its reflection calls (our credit calls are shown each outcome too).
  const examples = train.map(({ task, reference }) => ({ task, reference }));
  const validation = val.map(({ task, reference }) => ({ task, reference }));
  const { maxMetricCalls, numTrials } = gepaBudget(world, budget, config.minibatchSize);
  const gepa = new AxGEPA({
    studentAI: llm,
    teacherAI: llm,
    numTrials,
    minibatch: true,
    minibatchSize: config.minibatchSize,
    earlyStoppingTrials: numTrials + 1,
    seed: config.seed,
    verbose: false,
  });
  const metric = ({ prediction, example }: { prediction: unknown; example: Record<string, unknown> }) => (finalLetter(prediction) === example.reference ? 1 : 0);
  const result = (await gepa.compile(wf, examples as never, metric as never, { maxMetricCalls, validationExamples: validation } as never)) as {
    bestScore: number;
    optimizedProgram?: { componentMap?: Record<string, string> };
    finalConfiguration?: { candidates?: number };
  };
  const map = result.optimizedProgram?.componentMap ?? {};
  const instructions: Record<string, string> = {};
  for (const agent of world.agents) {
    const text = map[componentKey(agent)];
    if (typeof text !== 'string') throw new Error(`GEPA's best candidate has no ${componentKey(agent)}.`);
    instructions[agent] = text;
  }
  return {
    instructions,
    maxMetricCalls,
    numTrials,
    paretoSetSize: Math.min(validation.length, Math.max(10, Math.min(200, config.minibatchSize * 3))),
    bestScore: result.bestScore,
    candidates: result.finalConfiguration?.candidates ?? 0,
  };
}
