/**
 * "Right" for the temporal credit: the task's own evaluator scores the text against the reference.
 * Role outputs and aggregator states are prose, so both the whole text and its extracted answer
 * line (extractAnswer, the rule the rounds MAS uses for consensus) are tried; either passing
 * counts. An evaluator that cannot judge (no reference, a failed judge) gives "unknown", which never
 * counts as a failure — an unknown must not move the EMA.
 */
import type { Evaluator, EvalTask } from '../../eval/types';
import { extractAnswer } from '../../mas/consensus';

export async function isRight(evaluator: Evaluator, text: string, task: EvalTask, signal?: AbortSignal): Promise<boolean | undefined> {
  const candidates = [...new Set([text, extractAnswer(text)].filter((t) => t.trim() !== ''))];
  if (candidates.length === 0) return false;
  let unknown = false;
  for (const output of candidates) {
    const result = await evaluator.evaluate({ output, task, ...(task.reference !== undefined ? { reference: task.reference } : {}), ...(signal ? { signal } : {}) });
    if (result.error) unknown = true;
    else if (result.success) return true;
  }
  return unknown ? undefined : false;
}
