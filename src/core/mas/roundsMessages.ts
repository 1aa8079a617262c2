/**
 * The user messages of the rounds MAS. The agents' behaviour lives in their system prompts, which
 * the optimizer edits; these messages only hand over the facts of the call (the task, the shared
 * state, the round's contributions), so they stay short and neutral and never ask for a format.
 *
 * They are part of every cache key through ROUNDS_TEMPLATE_VERSION: change the wording, bump it.
 */

export const ROUNDS_TEMPLATE_VERSION = 'rounds-mas/1';

export interface RoundFacts {
  task: string;
  round: number;
  rounds: number;
  /** S_{t-1}; undefined in the first round. */
  previousState?: string;
}

export function roleMessage(facts: RoundFacts): string {
  return [
    taskBlock(facts.task),
    stateBlock(facts),
    `This is round ${facts.round} of ${facts.rounds}. Give your contribution for this round.`,
  ].join('\n\n');
}

export interface Contribution {
  agentId: string;
  output: string;
}

export function aggregatorMessage(facts: RoundFacts, contributions: readonly Contribution[]): string {
  const parts = contributions.map((c) => `### ${c.agentId}\n${c.output.trim() || '(no output)'}`);
  return [
    taskBlock(facts.task),
    stateBlock(facts),
    `## Contributions in round ${facts.round} of ${facts.rounds}\n\n${parts.join('\n\n')}`,
    `Write the shared state after round ${facts.round}; every role reads it in the next round.`,
  ].join('\n\n');
}

export function decisionMessage(task: string, finalState: string, lastRound: number): string {
  return [
    taskBlock(task),
    `## Shared state after round ${lastRound}\n\n${finalState.trim() || '(empty)'}`,
    'Give the final answer to the task.',
  ].join('\n\n');
}

function taskBlock(task: string): string {
  return `## Task\n\n${task.trim()}`;
}

function stateBlock(facts: RoundFacts): string {
  return facts.previousState === undefined
    ? '## Shared state\n\nNone yet: this is the first round.'
    : `## Shared state after round ${facts.round - 1}\n\n${facts.previousState.trim() || '(empty)'}`;
}
