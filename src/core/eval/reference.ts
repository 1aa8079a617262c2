/** Where an evaluator finds the expected answer: the input's own field first, then the task's. */
import type { EvalInput } from './types';

export function referenceOf(input: EvalInput): string | undefined {
  return input.reference ?? input.task?.reference;
}
