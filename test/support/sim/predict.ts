/**
 * The rounds MAS played in-process: the same replies the server would give, passed through the
 * same user messages the rounds MAS builds (roundsMessages.ts), recorded as a Trajectory with the
 * step ids the real runner uses. Tests compare it with what runMas records over HTTP and build
 * optimizer prompts from it without a server; the bench uses it for the ceiling.
 */
import { aggregatorMessage, decisionMessage, roleMessage } from '../../../src/core/mas/roundsMessages';
import type { Step, Trajectory } from '../../../src/core/trajectory/schema';
import { rolloutReply } from '../../../src/core/sim/rollout';
import type { SimTask, World } from '../../../src/core/sim/world';

/**
 * `prompts` maps agent ids to system prompts. `replaced` maps step ids to outputs that stand in for
 * what the world would have written there (a repaired step); every later step answers as usual.
 */
export function simulateTrajectory(world: World, task: SimTask, prompts: Readonly<Record<string, string>>, runId = 'sim', replaced: Readonly<Record<string, string>> = {}): Trajectory {
  const { roles, rounds, aggregator } = world.scenario;
  const steps: Step[] = [];
  const add = (step: Omit<Step, 'seq' | 'usage' | 'attrs'>): Step => {
    const full: Step = { ...step, output: replaced[step.id] ?? step.output, seq: steps.length, usage: { in: 0, out: 0 }, attrs: {} };
    steps.push(full);
    return full;
  };
  let state: string | undefined;
  let stateStep: string | undefined;
  const roundRecords: Trajectory['rounds'] = [];
  for (let round = 1; round <= rounds; round++) {
    const facts = { task: task.input, round, rounds, ...(state !== undefined ? { previousState: state } : {}) };
    const user = roleMessage(facts);
    const reads = stateStep ? [stateStep] : [];
    const roleSteps = roles.map((agent) =>
      add({ id: `r${round}.${agent}`, round, agentId: agent, kind: 'llm', output: rolloutReply(world, { kind: 'role', agent, task, system: prompts[agent] ?? '', user }), reads }),
    );
    const aggUser = aggregatorMessage(facts, roleSteps.map((s) => ({ agentId: s.agentId, output: s.output })));
    const agg = add({
      id: `r${round}.agg`,
      round,
      agentId: aggregator,
      kind: 'aggregate',
      output: rolloutReply(world, { kind: 'aggregate', agent: aggregator, task, system: prompts[aggregator] ?? '', user: aggUser }),
      reads: [...roleSteps.map((s) => s.id), ...reads],
    });
    state = agg.output;
    stateStep = agg.id;
    roundRecords.push({ index: round, aggregator, state });
  }
  const finalUser = decisionMessage(task.input, state ?? '', rounds);
  const final = add({
    id: 'final',
    round: rounds,
    agentId: aggregator,
    kind: 'llm',
    output: rolloutReply(world, { kind: 'decision', agent: aggregator, task, system: prompts[aggregator] ?? '', user: finalUser }),
    reads: stateStep ? [stateStep] : [],
  });
  const success = new RegExp(`^Final answer: ${task.reference}\\b`).test(final.output);
  return {
    version: 1,
    runId,
    taskId: task.id,
    task: { input: task.input, reference: task.reference },
    agents: [...roles.map((id) => ({ id, kind: 'role' as const })), { id: aggregator, kind: 'aggregator' as const }],
    rounds: roundRecords,
    steps,
    outcome: { score: success ? 1 : 0, success, details: { evaluator: 'choice' } },
    usage: { in: 0, out: 0 },
  };
}

/** 1 when the team's final answer is the reference, else 0. */
export function predictScore(world: World, task: SimTask, prompts: Readonly<Record<string, string>>): number {
  return simulateTrajectory(world, task, prompts).outcome?.score ?? 0;
}

/** The rules of every agent as system prompts (the heading and role text do not matter to the world). */
export function promptsFromRules(world: World, rules: (agent: string) => readonly string[]): Record<string, string> {
  return Object.fromEntries(world.agents.map((a) => [a, `# The ${a}\n\n## Rules\n\n${rules(a).map((r) => `- ${r}`).join('\n')}`]));
}
