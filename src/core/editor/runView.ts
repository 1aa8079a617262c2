/**
 * What the editor shows about one stored run, as plain data: the credit of each policy unit
 * (from the run's unit-scope credit signals) and the suggestions still waiting for a decision,
 * grouped by the unit they are about. Pure, so the CodeLens, hover, diagnostics and quick fixes
 * of the extension all read the same numbers, and so the numbers can be tested without an editor.
 */
import * as z from 'zod';
import type { CreditSignal, Suggestion } from '../credit/types';

export type RunKind = 'plain' | 'optimize';

/** One step a credit signal points at, with what the signal said about it. */
export interface CreditEvidence {
  taskId: string;
  stepId: string;
  score: number;
  text: string;
  method: string;
}

export interface UnitCredit {
  unitId: string;
  /** Mean over tasks of each task's mean score, in [-1, 1]; tasks weigh the same however many signals they have. */
  meanScore: number;
  /** Tasks whose mean score for the unit is below zero. */
  blamedTasks: number;
  /** Tasks whose mean score for the unit is above zero. */
  creditedTasks: number;
  /** Tasks of the run (the denominator of "blamed in 4/5 tasks"). */
  totalTasks: number;
  signals: CreditSignal[];
  evidence: CreditEvidence[];
}

export interface RunView {
  runId: string;
  kind: RunKind;
  totalTasks: number;
  credit: ReadonlyMap<string, UnitCredit>;
  /** Suggestions still open (proposed or accepted, not applied, not rejected here), best support first. */
  pending: readonly Suggestion[];
  /** What reading found unusable, e.g. a suggestion without a target file. Never fatal. */
  problems: readonly string[];
}

export interface RunViewInput {
  runId: string;
  kind: RunKind;
  /** The run's task ids when known (plain runs list them in the manifest). */
  taskIds?: readonly string[];
  /** Raw lines of credit.jsonl; lines that are not credit signals (e.g. a GBC graph) are skipped. */
  signals: readonly unknown[];
  /** Raw entries of suggestions.json. */
  suggestions: readonly unknown[];
  /** Suggestion ids applied through the ledger and not reverted since. */
  appliedSuggestionIds: ReadonlySet<string>;
  /** Whether the user rejected this suggestion for the text it targets now. */
  isRejected: (suggestion: Suggestion) => boolean;
}

const CreditSignalSchema = z.looseObject({
  scope: z.enum(['subtrajectory', 'round', 'agent', 'unit', 'edge']),
  ref: z.string(),
  taskId: z.string(),
  score: z.number(),
  text: z.string(),
  evidence: z.array(z.string()),
  method: z.string(),
});

const SuggestionSchema = z.looseObject({
  id: z.string(),
  file: z.string(),
  edit: z.looseObject({
    op: z.enum(['ADD', 'MODIFY', 'DELETE']),
    agentId: z.string(),
    targetUnitId: z.string().optional(),
    anchorUnitId: z.string().optional(),
    oldText: z.string().optional(),
    newText: z.string().optional(),
  }),
  rationale: z.string().default(''),
  evidence: z.array(z.object({ taskId: z.string(), stepIds: z.array(z.string()) })).default([]),
  support: z.number().default(0),
  tasks: z.array(z.string()).default([]),
  credit: z.number().default(0),
  method: z.string().default('truce'),
  status: z.enum(['proposed', 'accepted', 'rejected', 'applied', 'stale']).default('proposed'),
  reason: z.string().optional(),
});

const OPEN_STATUSES = new Set(['proposed', 'accepted']);

export function buildRunView(input: RunViewInput): RunView {
  const problems: string[] = [];
  const unitSignals: CreditSignal[] = [];
  const seenTasks = new Set<string>(input.taskIds ?? []);
  input.signals.forEach((raw) => {
    const parsed = CreditSignalSchema.safeParse(raw);
    if (!parsed.success) return;
    const signal = parsed.data as CreditSignal;
    seenTasks.add(signal.taskId);
    if (signal.scope === 'unit') unitSignals.push(signal);
  });
  const totalTasks = input.taskIds?.length ? input.taskIds.length : seenTasks.size;

  const byUnit = new Map<string, CreditSignal[]>();
  for (const signal of unitSignals) {
    const list = byUnit.get(signal.ref) ?? [];
    list.push(signal);
    byUnit.set(signal.ref, list);
  }
  const credit = new Map<string, UnitCredit>();
  for (const [unitId, signals] of byUnit) credit.set(unitId, unitCredit(unitId, signals, totalTasks));

  const pending: Suggestion[] = [];
  input.suggestions.forEach((raw, index) => {
    const parsed = SuggestionSchema.safeParse(raw);
    if (!parsed.success) {
      const id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : `#${index + 1}`;
      problems.push(`suggestion ${id} is incomplete (${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')})`);
      return;
    }
    const suggestion = parsed.data as Suggestion;
    if (!OPEN_STATUSES.has(suggestion.status)) return;
    if (input.appliedSuggestionIds.has(suggestion.id) || input.isRejected(suggestion)) return;
    pending.push(suggestion);
  });
  pending.sort((a, b) => b.support - a.support || a.id.localeCompare(b.id));
  return { runId: input.runId, kind: input.kind, totalTasks, credit, pending, problems };
}

function unitCredit(unitId: string, signals: CreditSignal[], totalTasks: number): UnitCredit {
  const perTask = new Map<string, number[]>();
  for (const signal of signals) {
    const scores = perTask.get(signal.taskId) ?? [];
    scores.push(signal.score);
    perTask.set(signal.taskId, scores);
  }
  const taskMeans = [...perTask.values()].map(mean);
  return {
    unitId,
    meanScore: mean(taskMeans),
    blamedTasks: taskMeans.filter((m) => m < 0).length,
    creditedTasks: taskMeans.filter((m) => m > 0).length,
    // A run whose task list is unknown still has at least the tasks that mention the unit.
    totalTasks: Math.max(totalTasks, perTask.size),
    signals,
    evidence: signals.flatMap((s) => s.evidence.map((stepId) => ({ taskId: s.taskId, stepId, score: s.score, text: s.text, method: s.method }))),
  };
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/** The unit a suggestion is shown on: its target, or for an ADD the unit it would follow. */
export function suggestionUnitId(suggestion: Suggestion): string | undefined {
  return suggestion.edit.op === 'ADD' ? suggestion.edit.anchorUnitId : suggestion.edit.targetUnitId;
}

/** A one-line summary for menus: `MODIFY rule "Split the work…"`. */
export function suggestionLabel(suggestion: Suggestion, width = 48): string {
  const { op, oldText, newText } = suggestion.edit;
  const text = op === 'ADD' ? newText : oldText ?? newText;
  return text ? `${op} rule "${clip(text, width)}"` : `${op} rule`;
}

export function clip(text: string, width: number): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > width ? `${one.slice(0, width - 1)}…` : one;
}
