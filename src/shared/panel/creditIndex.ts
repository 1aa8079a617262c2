/**
 * Credit signals of one task, indexed the ways the panel looks them up: by the steps they cite,
 * by round, and by unit. Built once per task and reused by the grid and the step detail.
 */
import type { CreditSignalRecord } from './runExtrasSchema';

export interface TaskCredit {
  byStep: Map<string, CreditSignalRecord[]>;
  byRound: Map<string, CreditSignalRecord[]>;
  edges: CreditSignalRecord[];
}

export function indexTaskCredit(signals: readonly CreditSignalRecord[]): TaskCredit {
  const credit: TaskCredit = { byStep: new Map(), byRound: new Map(), edges: [] };
  for (const signal of signals) {
    if (signal.scope === 'round') push(credit.byRound, signal.ref, signal);
    if (signal.scope === 'edge') credit.edges.push(signal);
    for (const stepId of new Set(signal.evidence)) push(credit.byStep, stepId, signal);
  }
  return credit;
}

/** Signals grouped by task id, in file order. */
export function signalsByTask(signals: readonly CreditSignalRecord[]): Map<string, CreditSignalRecord[]> {
  const out = new Map<string, CreditSignalRecord[]>();
  for (const signal of signals) push(out, signal.taskId, signal);
  return out;
}

export function meanScore(signals: readonly CreditSignalRecord[]): number | null {
  if (signals.length === 0) return null;
  return signals.reduce((sum, s) => sum + s.score, 0) / signals.length;
}

/** The signal that says the most (largest |score|), for a one-line explanation. */
export function strongest(signals: readonly CreditSignalRecord[]): CreditSignalRecord | undefined {
  let best: CreditSignalRecord | undefined;
  for (const s of signals) if (!best || Math.abs(s.score) > Math.abs(best.score)) best = s;
  return best;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
