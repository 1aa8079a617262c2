/**
 * The scenario's rounds MAS written as an `@ax-llm/ax` flow, the way an ax user would express a
 * multi-agent system whose prompts they want GEPA to tune: one node (an AxGen) per agent, whose
 * instruction is that agent's prompt — the same "# The <agent>" heading, role text and rule list
 * our MAS sends as its system prompt (promptFileText without the front matter), so both
 * optimizers start from byte-identical prompts.
 *
 * Modelling choices (all mirror src/core/mas/roundsMessages.ts as far as ax allows):
 * - Every round, each role is called with the task, a step line (the same sentence our role
 *   message ends with) and the shared state; then the aggregator node condenses the round's
 *   contributions ("### <agent>" blocks, as ours) into the shared state. After the last round the
 *   aggregator node is called once more for the final answer. Calls per rollout are therefore the
 *   same as ours: roles × rounds + rounds + 1.
 * - The aggregator is one node used for both the per-round state and the final answer, because
 *   in our MAS one prompt (one instruction) does both; ax lets a node be called several times.
 * - Auto-parallelism is off: the steps use computed state keys that ax's dependency analyser
 *   cannot see, and order does not change any reply (the world's replies depend only on content).
 * - The flow returns the final answer plus the transcript of every call (agent, round, output).
 *   GEPA shows the returned object to its reflection LLM, so this is the most trajectory a user
 *   could give it; returning only the answer would leave GEPA blind to which agent went wrong.
 * - No demos: GEPA is driven directly (AxGEPA), not through `optimize(...)`, which would first
 *   bootstrap few-shot demos. Demos are not instructions and our optimizer does not add any.
 */
import { flow } from '@ax-llm/ax';
import { extractChoice } from '../../src/core/eval/choiceExtract';
import { LETTERS, promptFileText, type World } from '../../test/support/sim';

export const ROLE_SIGNATURE = 'task:string, step:string, sharedState:string -> contribution:string';
export const AGGREGATOR_SIGNATURE = 'task:string, step:string, sharedState:string, contributions:string -> report:string';

export const FIRST_STATE = 'None yet: this is the first round.';
export const DECISION_STEP = 'Give the final answer to the task.';
export const NO_CONTRIBUTIONS = '(none: the rounds are over)';

export function roleStep(round: number, rounds: number): string {
  return `This is round ${round} of ${rounds}. Give your contribution for this round.`;
}

export function aggregateStep(round: number): string {
  return `Write the shared state after round ${round}; every role reads it in the next round.`;
}

/** The agent's prompt as an ax instruction: the prompt file without its front matter. */
export function instructionText(world: World, agent: string, rules: readonly string[]): string {
  const file = promptFileText(world, agent, rules);
  return file.replace(/^---\n[\s\S]*?\n---\n+/, '').trimEnd();
}

/** The rule list of an instruction (the "- " lines after "## Rules"). */
export function rulesOfInstruction(text: string): string[] {
  const at = text.indexOf('## Rules');
  const body = at >= 0 ? text.slice(at + '## Rules'.length) : text;
  return body
    .split('\n')
    .filter((l) => l.startsWith('- '))
    .map((l) => l.slice(2).trim());
}

export interface TranscriptEntry {
  round: number;
  agent: string;
  kind: 'role' | 'aggregate' | 'decision';
  output: string;
}

export interface FlowOutput {
  finalAnswer: string;
  transcript: TranscriptEntry[];
}

/** The component key GEPA uses for a node's instruction. */
export function componentKey(agent: string): string {
  return `root.${agent}::instruction`;
}

// ax's flow builder is typed through its string signatures; with node names and signatures
// computed from the scenario the static types cannot follow, so the builder is driven untyped.
/* eslint-disable @typescript-eslint/no-explicit-any */
export function buildMasFlow(world: World, instructions: Readonly<Record<string, string>>): any {
  const { roles, aggregator, rounds } = world.scenario;
  const wf: any = flow<{ task: string; reference: string }>({ autoParallel: false });
  for (const role of roles) wf.n(role, ROLE_SIGNATURE);
  wf.n(aggregator, AGGREGATOR_SIGNATURE);
  wf.m((s: any) => ({ ...s, sharedState: FIRST_STATE, transcript: [] }));
  for (let r = 1; r <= rounds; r++) {
    for (const role of roles) {
      wf.e(role, (s: any) => ({ task: s.task, step: roleStep(r, rounds), sharedState: s.sharedState }));
      wf.m((s: any) => ({ ...s, transcript: [...s.transcript, { round: r, agent: role, kind: 'role', output: String(s[`${role}Result`]?.contribution ?? '') }] }));
    }
    wf.e(aggregator, (s: any) => ({
      task: s.task,
      step: aggregateStep(r),
      sharedState: s.sharedState,
      contributions: roles.map((role) => `### ${role}\n${String(s[`${role}Result`]?.contribution ?? '').trim() || '(no output)'}`).join('\n\n'),
    }));
    wf.m((s: any) => {
      const report = String(s[`${aggregator}Result`]?.report ?? '');
      return { ...s, sharedState: report, transcript: [...s.transcript, { round: r, agent: aggregator, kind: 'aggregate', output: report }] };
    });
  }
  wf.e(aggregator, (s: any) => ({ task: s.task, step: DECISION_STEP, sharedState: s.sharedState, contributions: NO_CONTRIBUTIONS }));
  wf.r((s: any): FlowOutput => {
    const answer = String(s[`${aggregator}Result`]?.report ?? '');
    return { finalAnswer: answer, transcript: [...s.transcript, { round: rounds, agent: aggregator, kind: 'decision', output: answer }] };
  });
  wf.applyOptimizedComponents(Object.fromEntries(Object.entries(instructions).map(([agent, text]) => [componentKey(agent), text])));
  const keys = new Set((wf.getOptimizableComponents() as Array<{ key: string }>).map((c) => c.key));
  for (const agent of world.agents) {
    if (!keys.has(componentKey(agent))) throw new Error(`The ax flow exposes no component ${componentKey(agent)}; ax's component keys changed (${[...keys].join(', ')}).`);
  }
  return wf;
}

/** The letter of the flow's final answer, read by the same extraction as our choice evaluator. */
export function finalLetter(output: unknown): string | undefined {
  const text = String((output as Partial<FlowOutput> | undefined)?.finalAnswer ?? '');
  const picked = extractChoice(text, { letters: [...LETTERS], lowercase: 'marked' });
  return picked.status === 'found' ? picked.letter : undefined;
}
