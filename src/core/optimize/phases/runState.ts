/**
 * What the phases of an optimize run hand each other across rounds: `OptimizeRun`, the run's state
 * (with the settings of phases/settings.ts), built by phases/openRun.ts and phases/startRun.ts.
 * Resume and budgets live here as properties —
 * where the run starts (records, best set, method state) and the budgeted rollout runner — so no
 * round phase asks whether it is resuming or how much is left.
 */
import type { Budget, BudgetLimits, LlmClient, UsageTotals } from '../../llm';
import type { InterventionSpent } from '../interventionShare';
import type { JsonlAppender } from '../../store';
import type { PromptTexts } from '../../credit/agentUnits';
import type { CreditMethod, Suggestion } from '../../credit/types';
import type { OptimizeManifest } from '../optimizeStore';
import type { OptimizeSettings } from './settings';
import type { OptimizeStatus, RoundRecord } from '../optimizeTypes';
import type { RolloutRunner } from '../rolloutRunner';
import type { ValidationScores } from '../validationScores';

/** Where a run starts: a new run, or the state after the last committed round of a resumed one. */
export interface StartingPoint {
  /** The run id being resumed; absent for a new run. */
  resumedFrom?: string;
  dir: string;
  manifest: OptimizeManifest;
  initialTexts: PromptTexts;
  best: PromptTexts;
  records: RoundRecord[];
  suggestions: Array<Suggestion & { round: number }>;
  method: CreditMethod;
}

export interface RunFiles {
  /** optimize.jsonl: the round records, durable (a record is a round's commit point). */
  rounds: JsonlAppender;
  /** llm-calls.jsonl: the optimizer's own calls. */
  calls: JsonlAppender;
  saveManifest: () => Promise<void>;
  /** prompts.json with the given best set. */
  savePrompts: (best: PromptTexts) => Promise<void>;
}

export interface OptimizeRun extends StartingPoint {
  settings: OptimizeSettings;
  runId: string;
  files: RunFiles;
  /** Lines of credit.jsonl the committed rounds wrote; each round appends its signals. */
  creditLines: number;
  optimizer: LlmClient;
  executor: LlmClient;
  /** Rollouts within the run's budget (the budget is the runner's, not each phase's). */
  rollouts: RolloutRunner;
  val: ValidationScores;
  /** The score each task got in its latest rollout (TRUCE's skip test reads it). */
  lastScore: Map<string, number>;
  /** Usage by phase so far: rollouts, the optimizer's own calls and the interventions. */
  usageNow: () => Record<string, UsageTotals>;
  /** The run's one budget: the optimizer's calls reserve from it, rollouts and interventions are charged to it. */
  budget: Budget;
  /** The intervention phase's share of the budget and what it has spent of it (interventionShare.ts). */
  interventions: { cap: BudgetLimits; spent: InterventionSpent; usage: Record<string, UsageTotals>; skipped?: boolean };
  outcome: RunOutcome;
}

export interface RunOutcome {
  status: OptimizeStatus;
  reason?: string;
  /** The starting set's whole-split val mean (the Hoeffding gate's; null under the paired gate). */
  valBefore: number | null;
  test: { before: number | null; after: number | null };
}

export type { OptimizeSettings } from './settings';
