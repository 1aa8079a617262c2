/**
 * The fake OpenAI server's replies for the framework examples (examples/langgraph-js,
 * examples/openai-agents-js): the examples' agents are answered by the simulation world
 * (src/core/sim) — right when the agent's system prompt holds a rule for the skill the question
 * needs, wrong and over-confident when it is missing — and TRUCE's own optimizer calls by the
 * world's scripted optimizer. So a run of an example has a defect that credit can find and a
 * suggestion can fix, as with a real model, but deterministically.
 *
 * An example agent's call is recognised by its user message ("## Question …", what both examples
 * send) and its system prompt's first line (the world's markers); the last agent of the team
 * gives the final answer: the letter with the most confidence behind it in the team's notes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenario } from '../../../src/core/sim/scenario';
import { createSimResponder } from '../../../src/core/sim/responder';
import { rolloutReply } from '../../../src/core/sim/rollout';
import { World } from '../../../src/core/sim/world';
import type { SimReply, SimResponderFn } from '../../../src/core/sim/chatTypes';
import { parseTasksJsonl } from '../../../src/core/tasks';

export interface ExampleTeam {
  /** The agents in the order they speak; the last one answers. */
  agents: readonly string[];
  /** The heading each agent's prompt starts with. */
  markers: Record<string, string>;
  /** A skill its agent's prompt already covers, and one it lacks (the defect to find). */
  present: { agent: string; keyword: string; rule: string };
  missing: { agent: string; keyword: string; rule: string };
}

export const LANGGRAPH_TEAM: ExampleTeam = {
  agents: ['analyst', 'solver', 'reviewer'],
  markers: { analyst: '# Analyst', solver: '# Solver', reviewer: '# Reviewer' },
  present: { agent: 'analyst', keyword: 'quantities', rule: 'Name the facts or quantities the question gives, each on its own line.' },
  missing: { agent: 'solver', keyword: 'units', rule: 'Check the units of every quantity before you pick an option.' },
};

export const AGENTS_SDK_TEAM: ExampleTeam = {
  agents: ['scout', 'solver', 'verifier'],
  markers: { scout: '# Scout', solver: '# Solver', verifier: '# Verifier' },
  present: { agent: 'scout', keyword: 'conditions', rule: 'List the numbers, names and conditions the question states, one per line.' },
  missing: { agent: 'solver', keyword: 'units', rule: 'Check the units of every quantity before you pick an option.' },
};

export interface ExampleWorld {
  world: World;
  respond: SimResponderFn;
  /** Example-agent calls answered, per agent. */
  calls: Record<string, number>;
}

export function exampleWorld(exampleDir: string, team: ExampleTeam): ExampleWorld {
  const speakers = team.agents.slice(0, -1);
  const decider = team.agents[team.agents.length - 1];
  const scenario = parseScenario({
    name: 'example',
    seed: 5,
    roles: speakers,
    aggregator: decider,
    markers: team.markers,
    rounds: 1,
    tasks: { train: 1, val: 1, test: 1, maxSkills: 1 },
    skills: [
      { name: 'facts', owner: team.present.agent, rule: team.present.rule, keywords: [team.present.keyword] },
      { name: 'units', owner: team.missing.agent, rule: team.missing.rule, keywords: [team.missing.keyword] },
    ],
    planted: { missing: [{ agent: team.missing.agent, skill: 'units' }], harmful: [] },
    noise: { critic: 0, suggestion: 0 },
    optimizer: { method: 'truce', rounds: 1, topK: 3, batchSize: 3 },
  });
  const tasks = parseTasksJsonl(readFileSync(join(exampleDir, 'tasks.jsonl'), 'utf8')).tasks.map((t) => ({ id: t.id, input: t.input, reference: String(t.reference ?? '') }));
  const world = new World(scenario, { tasks });
  const optimizer = createSimResponder(world);
  const calls: Record<string, number> = {};
  const respond: SimResponderFn = (request) => {
    const system = request.messages.find((m) => m.role === 'system')?.content ?? '';
    const user = request.messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n');
    const agent = world.agentOfSystemPrompt(system);
    if (!request.jsonSchema && agent && user.startsWith('## Question')) {
      const task = world.taskInText(user);
      if (!task) return { error: { status: 500, message: `example world: a call by ${agent} about no task of tasks.jsonl` } };
      calls[agent] = (calls[agent] ?? 0) + 1;
      if (agent !== decider) return rolloutReply(world, { kind: 'role', agent, task, system, user });
      const leading = /Leading answer: ([A-D])/.exec(rolloutReply(world, { kind: 'aggregate', agent, task, system, user }))?.[1];
      return (leading ? `The team's notes point to ${leading}.\nFinal answer: ${leading}` : 'The notes settle nothing.\nFinal answer: A') satisfies SimReply;
    }
    return optimizer.respond(request);
  };
  return { world, respond, calls };
}
