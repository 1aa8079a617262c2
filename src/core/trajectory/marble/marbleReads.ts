/**
 * Reads phase: what each step of an iteration read, following the engine's loop. A plan reads the
 * previous summary; a session message reads the one before it (the first reads its opener's plan,
 * or the previous summary); a result reads its plan (or the previous summary) and the last message
 * of every session of the iteration its agent took part in; the summary reads every result of the
 * iteration (or, with none, the last step so far).
 */
import type { Step } from '../schema';

/** The last message of a session and who took part in it. */
export interface SessionEnd {
  participants: Set<string>;
  last: Step;
}

export function planReads(previousSummary: Step | undefined): string[] {
  return previousSummary ? [previousSummary.id] : [];
}

export function messageReads(previous: Step | undefined): string[] {
  return previous ? [previous.id] : [];
}

export function resultReads(agent: string, plan: Step | undefined, previousSummary: Step | undefined, sessionEnds: readonly SessionEnd[]): string[] {
  const reads = new Set<string>();
  if (plan) reads.add(plan.id);
  else if (previousSummary) reads.add(previousSummary.id);
  for (const end of sessionEnds) if (end.participants.has(agent)) reads.add(end.last.id);
  return [...reads];
}

export function summaryReads(resultSteps: readonly Step[], lastStep: Step | undefined): string[] {
  return resultSteps.length > 0 ? resultSteps.map((s) => s.id) : lastStep ? [lastStep.id] : [];
}
