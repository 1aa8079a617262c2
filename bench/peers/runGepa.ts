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
import { watchGepaCandidates, type CandidateMark } from './gepaCandidates';
import { toBestOf, type ToBest } from './toBest';

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
  /** ax's index of the returned candidate. */
  bestCandidate: number;
  /** Every candidate with the spend when it joined GEPA's pool. */
  marks: Array<Omit<CandidateMark, 'key'>>;
  /** Every candidate in the order it joined the pool, with its instructions by agent (for scoring it). */
  pool: Array<{ llmCalls: number; valScore: number; instructions: Record<string, string> }>;
  toBest: ToBest;
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

/** Same rule as ax's final pick: the highest mean score on the Pareto front, ties to the later candidate. */
function returnedCandidate(front: ReadonlyArray<{ scores: Record<string, number>; configuration: { candidate: number } }>): { index: number; score: number } {
  let best: { index: number; score: number } | undefined;
  for (const p of front) {
    const values = Object.values(p.scores);
    const score = values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
    if (!best || score > best.score || (score === best.score && p.configuration.candidate > best.index)) best = { index: p.configuration.candidate, score };
  }
  if (!best) throw new Error("GEPA returned an empty Pareto front.");
  return best;
}

/**
 * `spent` reads the LLM calls and tokens GEPA has spent so far (the caller's server counter since
 * GEPA started); it is read each time a candidate joins GEPA's pool (gepaCandidates.ts).
 */
export async function runGepa(world: World, baseUrl: string, budget: number, config: GepaConfig, spent: () => { llmCalls: number; tokens: number }): Promise<GepaOutcome> {
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
    // Verbose is switched on per compile (below) only for GEPA's own progress lines; ax's
    // optimizer event logger, which verbose would also enable, is kept silent.
    optimizerLogger: () => undefined,
  });
  const metric = ({ prediction, example }: { prediction: unknown; example: Record<string, unknown> }) => (finalLetter(prediction) === example.reference ? 1 : 0);
  // A prompt set's identity: every agent's instruction, in agent order.
  const keyOf = (texts: Readonly<Record<string, string | undefined>>) => JSON.stringify(world.agents.map((a) => texts[componentKey(a)] ?? null));
  const held = () => keyOf(Object.fromEntries((wf.getOptimizableComponents() as Array<{ key: string; current: string }>).map((c) => [c.key, c.current])));
  const watch = watchGepaCandidates(spent, held);
  let result: {
    bestScore: number;
    optimizedProgram?: { componentMap?: Record<string, string> };
    finalConfiguration?: { candidates?: number };
    paretoFront: ReadonlyArray<{ scores: Record<string, number>; configuration: { candidate: number; componentMap: Record<string, string> } }>;
  };
  try {
    result = (await gepa.compile(wf, examples as never, metric as never, { maxMetricCalls, validationExamples: validation, verbose: true } as never)) as unknown as typeof result;
  } finally {
    watch.stop();
  }
  const candidates = result.finalConfiguration?.candidates ?? 0;
  if (watch.marks.length !== candidates) throw new Error(`GEPA reports ${candidates} candidates but its log showed ${watch.marks.length} joining the pool; ax's verbose log format changed (gepaCandidates.ts).`);
  const map = result.optimizedProgram?.componentMap ?? {};
  const best = returnedCandidate(result.paretoFront);
  const bestEntry = result.paretoFront.find((p) => p.configuration.candidate === best.index);
  if (!bestEntry || Object.keys(map).some((k) => bestEntry.configuration.componentMap[k] !== map[k])) throw new Error(`GEPA's returned program is not its candidate ${best.index}; ax's pick rule changed (runGepa.ts returnedCandidate).`);
  const trail = watch.marks.map((m) => ({ at: `candidate ${m.index} (${m.phase})`, llmCalls: m.llmCalls, tokens: m.tokens, key: m.key, valScore: m.valScore }));
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
    candidates,
    bestCandidate: best.index,
    marks: watch.marks.map(({ key: _key, ...m }) => m),
    pool: watch.marks.map((m) => {
      const texts = JSON.parse(m.key) as Array<string | null>;
      return { llmCalls: m.llmCalls, valScore: m.valScore, instructions: Object.fromEntries(world.agents.map((a, i) => [a, texts[i] ?? ''])) };
    }),
    toBest: toBestOf(trail, keyOf(map), best.score),
  };
}
