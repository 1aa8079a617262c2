/**
 * What the phases of an optimize run hand each other. `OptimizeSettings` is the request resolved
 * once against truce.yaml (phases/settings.ts); `OptimizeRun` is the run's state across rounds,
 * built by phases/openRun.ts and phases/startRun.ts. Resume and budgets live here as properties —
 * where the run starts (records, best set, method state) and the budgeted rollout runner — so no
 * round phase asks whether it is resuming or how much is left.
 */
import type { TruceConfig } from '../../config';
import type { LlmClient, UsageTotals } from '../../llm';
import type { TaskSplit } from '../../tasks';
import type { JsonlAppender } from '../../store';
import type { PromptTexts } from '../../credit/agentUnits';
import type { MethodRegistry } from '../../credit/resolveMethod';
import type { CreditMethod, MethodName, Suggestion } from '../../credit/types';
import type { GateName } from '../accept';
import type { OptimizeManifest } from '../optimizeStore';
import type { OptimizeOptions, OptimizeProgress, OptimizeStatus, RoundRecord } from '../optimizeTypes';
import type { RolloutRunner } from '../rolloutRunner';
import type { ValidationScores } from '../validationScores';

export interface OptimizeSettings {
  config: TruceConfig;
  workspaceRoot: string;
  env: Readonly<Record<string, string | undefined>>;
  now: () => Date;
  methodName: MethodName;
  methods: MethodRegistry;
  rounds: number;
  topK: number;
  batchSize: number;
  ablations: { noCredit: boolean; noUnits: boolean };
  delta: number;
  gate: GateName;
  seed: number;
  llmMerge: boolean;
  split: TaskSplit;
  signal?: AbortSignal;
  emit: (event: OptimizeProgress) => void;
  /** Handed on to every rollout as they are (runMas's own settings). */
  rolloutRequest: Pick<OptimizeOptions, 'trusted' | 'secrets' | 'llm' | 'toolVersion' | 'confirmSpend'>;
  /** The prompt-set hash under this config (promptSetHash.ts). */
  setHash: (texts: PromptTexts) => Promise<string>;
}

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
  /** Usage by phase so far: rollouts and the optimizer's own calls. */
  usageNow: () => Record<string, UsageTotals>;
  outcome: RunOutcome;
}

export interface RunOutcome {
  status: OptimizeStatus;
  reason?: string;
  /** The starting set's whole-split val mean (the Hoeffding gate's; null under the paired gate). */
  valBefore: number | null;
  test: { before: number | null; after: number | null };
}
