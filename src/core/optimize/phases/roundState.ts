/**
 * One round's state as it passes through the phases of Algorithm 1. Each phase takes the state the
 * phase before it left and returns it with its own result added, so the type of a phase's input
 * says what has happened in the round so far.
 */
import type { UsageTotals } from '../../llm';
import type { MasTask } from '../../mas';
import type { Trajectory } from '../../trajectory/schema';
import type { CreditReport, MethodContext, RawSuggestion, Suggestion } from '../../credit/types';
import type { PromptTexts } from '../../credit/agentUnits';
import type { AcceptanceDecision } from '../accept';
import type { AppliedCandidate } from '../applySuggestions';
import type { OptimizeProgress, PruneRecord, RoundIntervention } from '../optimizeTypes';
import type { RolloutResult } from '../rollout';
import { CancelStop } from '../runStops';
import type { OptimizeRun } from './runState';

export type Stage = Extract<OptimizeProgress, { type: 'stage' }>['stage'];

export interface RoundStart {
  k: number;
  notes: string[];
  note: (message: string) => void;
  stage: (stage: Stage) => void;
  /** Usage by phase when the round began; the record keeps the difference. */
  usageBefore: Record<string, UsageTotals>;
}

/** Line 3: the batch of train tasks. */
export interface Sampled extends RoundStart {
  batch: MasTask[];
}

/** Lines 5–7: the best set run on the batch and scored. */
export interface RolledOut extends Sampled {
  roll: RolloutResult;
  trajectories: Trajectory[];
}

/** Lines 8–11: the credit method's signals (Φ). */
export interface Credited extends RolledOut {
  context: MethodContext;
  report: CreditReport;
}

/** Blame checked by intervention where credit was uncertain (optimizer.intervene; empty when off). */
export interface Checked extends Credited {
  checks: RoundIntervention[];
}

/** Line 12: per-task suggestions (Ψ), or with no units one global rewrite per implicated agent. */
export interface Proposed extends Checked {
  proposal: { kind: 'edits'; raws: RawSuggestion[] } | { kind: 'rewrites'; suggestions: Suggestion[] };
}

/** Line 15: suggestions pooled across tasks, the top k retained. */
export interface Pooled extends Checked {
  pooled: { ranked: Suggestion[]; retained: Suggestion[] };
}

/** Line 16: the retained edits applied to a copy of the best set. */
export interface Applied extends Pooled {
  applied: AppliedCandidate;
  appliedIds: Set<string>;
}

/** The candidate scored against the best set by the acceptance gate (Appendix C). */
export interface Validated extends Applied {
  valRunIds: string[];
  decision?: AcceptanceDecision;
  candidateHash?: string;
}

/** The gate's verdict, and the accepted items pruning took away again. */
export interface Decided extends Validated {
  accepted: boolean;
  previousBest: PromptTexts;
  /** Suggestion id → why pruning dropped it. */
  pruned: Map<string, string>;
  pruning: PruneRecord[];
}

/** A round begins, unless the user cancelled. */
export function beginRound(run: OptimizeRun, k: number): RoundStart {
  const { signal, emit } = run.settings;
  if (signal?.aborted) throw new CancelStop();
  const usageBefore = run.usageNow();
  const notes: string[] = [];
  const note = (m: string) => {
    notes.push(m);
    emit({ type: 'note', message: m });
  };
  const stage = (s: Stage) => emit({ type: 'stage', round: k, stage: s });
  return { k, notes, note, stage, usageBefore };
}
