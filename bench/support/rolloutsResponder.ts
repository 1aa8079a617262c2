/**
 * The fake server's replies for the P3 rollouts benchmark, and the log of when each reply was made.
 * Every role and aggregator answers with the task's reference letter; the judge gives it as
 * "Final answer: X". The task is recognised by "Question <n>" in the prompt, the call's kind by the
 * system prompt (judge, merger, or a role).
 */
import type { Responder } from '../../test/support/fakeOpenAiServer';

export const ROLLOUT_LETTERS = 'ABCD';

export type RolloutCallKind = 'role' | 'aggregate' | 'decision';

/**
 * `at` is in milliseconds of the system's monotonic clock (process.hrtime), which every process on
 * the machine shares: the server may run in another process than the client that reads the log.
 */
export interface RolloutReply {
  task: number;
  kind: RolloutCallKind;
  at: number;
}

/** Milliseconds on the monotonic clock shared by all processes (CLOCK_MONOTONIC on Linux). */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function rolloutsResponder(onReply: (reply: RolloutReply) => void): Responder {
  return (req) => {
    const text = req.messages.map((m) => m.content).join('\n');
    const question = Number(/Question (\d+)/.exec(text)?.[1] ?? 0);
    const letter = ROLLOUT_LETTERS[question % ROLLOUT_LETTERS.length] ?? 'A';
    const system = req.messages[0]?.content ?? '';
    const kind: RolloutCallKind = /judge/i.test(system) ? 'decision' : /# merger/.test(system) ? 'aggregate' : 'role';
    onReply({ task: question, kind, at: monotonicMs() });
    return kind === 'decision' ? `Final answer: ${letter}` : `Answer: ${letter}. It fits the question best.`;
  };
}
