/**
 * What an optimize request takes and gives back, and what it records per round (optimize.jsonl)
 * and reports as it goes. The loop (optimizeLoop.ts) and its phases (phases/) share these shapes.
 */
import type { CostProjection, EndpointRole, LlmServicesOptions, UsageTotals } from '../llm';
import type { ConfirmSpend } from '../run/spendPlan';
import type { PromptTexts } from '../credit/agentUnits';
import type { MethodRegistry } from '../credit/resolveMethod';
import type { MethodName, Suggestion } from '../credit/types';
import type { AcceptanceDecision, GateName } from './accept';
import type { ApplyResult } from './applySuggestions';
import type { PruneVerdict } from './sequentialValidation';

export interface OptimizeOptions {
  /** A parsed truce.yaml (validated again here). */
  config: unknown;
  workspaceRoot: string;
  method?: MethodName;
  rounds?: number;
  topK?: number;
  batchSize?: number;
  noCredit?: boolean;
  noUnits?: boolean;
  /** Overall probability of accepting a candidate that is not better (default 0.1). */
  delta?: number;
  /** The acceptance gate (default: `optimizer.gate` of truce.yaml, itself `paired` by default). */
  gate?: GateName;
  /** Ask the optimizer LLM to merge near-duplicates the lexical pass missed (off by default). */
  llmMerge?: boolean;
  resumeRunId?: string;
  signal?: AbortSignal;
  onProgress?: (event: OptimizeProgress) => void;
  env?: Readonly<Record<string, string | undefined>>;
  trusted: boolean;
  secrets?: Partial<Record<EndpointRole, string>>;
  /** The credit methods by name (src/core/methods.ts `methodRegistry()`); the loop knows no method itself. */
  methods: MethodRegistry;
  llm?: Pick<LlmServicesOptions, 'clock' | 'random' | 'retry' | 'fetch' | 'onRetry'>;
  toolVersion?: string;
  now?: () => Date;
  /**
   * The go/no-go question (run/spendPlan.ts), asked with the projection of the whole run before
   * anything is spent and before a new run's folder exists. A run started over a cap stops cleanly
   * when the cap is reached ('stopped-budget') and resumes with a larger one.
   */
  confirmSpend?: ConfirmSpend;
}

export type OptimizeStatus = 'completed' | 'stopped-budget' | 'cancelled' | 'failed';

export interface RoundIntervention {
  taskId: string;
  stepId: string;
  agentId: string;
  /** Why credit's blame of the task was checked (uncertainBlame.ts). */
  why: string;
  /** The rollout run it re-ran, and the id of its record in that run's interventions.jsonl. */
  runId: string;
  interventionId: string;
  runs: number;
  flips: number;
  /** confirmed: at least half the re-runs succeed; refuted: none does; unclear otherwise. */
  verdict: 'confirmed' | 'refuted' | 'unclear';
  spend: { calls: number; inputTokens: number; outputTokens: number; costUsd: number };
  /** The reply that replaced the step's (kept short). */
  correction: string;
}

export interface RoundRecord {
  round: number;
  batch: string[];
  rolloutRunId: string;
  /** Mean score of the best set on the batch. */
  trainScore: number;
  notes: string[];
  suggestions: { retained: string[]; rejected: Array<{ id: string; reason: string }> };
  applied: ApplyResult[];
  candidateHash?: string;
  valRunIds: string[];
  decision?: AcceptanceDecision;
  accepted: boolean;
  bestHash: string;
  /**
   * The best set's texts when this round changed it. prompts.json is written before the record,
   * so a resume takes the best set from the records (resumePoint.ts), never from a round that
   * did not finish.
   */
  bestTexts?: PromptTexts;
  /** What the credit method carries to the next round (`details.state`: BCD's EMA and phase). */
  methodState?: unknown;
  /** Lines of credit.jsonl once this round's signals were appended (resume cuts the rest). */
  creditLines?: number;
  /**
   * The pruning tests of an accepted candidate (paired gate), in the order they ran: the item tried
   * away, whether it was dropped, and the evidence.
   */
  pruning?: PruneRecord[];
  /**
   * The blames this round checked by intervention (optimizer.intervene), in the order they ran;
   * their spend is also the round's `usage.intervention`.
   */
  interventions?: RoundIntervention[];
  /** Val scores of the best set after the round, by task. */
  bestVal: Record<string, number>;
  /**
   * Every val score known after the round, by prompt-set hash and task (the starting set's among
   * them), so a resume reports validation as an uninterrupted run does. Absent in older records.
   */
  valScores?: Record<string, Record<string, number>>;
  usage: Record<string, UsageTotals>;
}

export interface PruneRecord {
  /** The item's suggestion ids (one, or a global rewrite's edits). */
  suggestions: string[];
  dropped: boolean;
  /** Validation tasks the test ran on. */
  n: number;
  /** α of the test against the previous best (the round's, as the gate's: fixed-sequence testing). */
  alpha: number;
  verdict: Omit<PruneVerdict, 'drop'>;
  reason: string;
}

export type OptimizeProgress =
  | { type: 'started'; runId: string; dir: string; rounds: number; resumedAfter: number; batch: number; perRound: CostProjection; total: CostProjection }
  | { type: 'stage'; round: number; stage: 'rollout' | 'credit' | 'suggest' | 'aggregate' | 'apply' | 'validate' | 'prune' | 'test' | 'intervene' }
  | { type: 'round'; record: RoundRecord }
  | { type: 'note'; message: string }
  | { type: 'finished'; status: OptimizeStatus; reason?: string };

export interface SuggestionOutcome {
  id: string;
  round: number;
  op: string;
  agentId: string;
  file: string;
  newText?: string;
  support: number;
  status: Suggestion['status'];
  reason?: string;
  /** The global rewrite this edit belongs to (no-units ablation). */
  group?: string;
}

export interface OptimizeResult {
  runId: string;
  dir: string;
  status: OptimizeStatus;
  reason?: string;
  method: MethodName;
  rounds: RoundRecord[];
  accepted: SuggestionOutcome[];
  rejected: SuggestionOutcome[];
  /**
   * Mean val scores. The Hoeffding gate runs both sets on the whole split; the paired gate runs
   * each set only on the tasks its decisions needed, so both means are over the tasks both sets
   * were run on (`tasks` of them; the test split gives the held-out figure).
   */
  val: { before: number | null; after: number | null; tasks?: number };
  test: { before: number | null; after: number | null };
  bestChanged: boolean;
  usage: { byPhase: Record<string, UsageTotals>; total: UsageTotals };
}

export class OptimizeSetupError extends Error {}
