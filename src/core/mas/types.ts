/**
 * The contract between the run engine and a MAS runner (built-in rounds, the user's command).
 * A runner executes one task with one candidate prompt set and returns the full trajectory; the
 * engine scores it, stores it and decides about retries, resume and budgets.
 */
import type { TruceConfig } from '../config';
import type { LlmClient } from '../llm';
import type { Step, Trajectory } from '../trajectory/schema';
import type { MasGateway, ReportedModelCall } from './masGateway';
import type { PromptSet } from './promptSet';

export type { AgentPromptText, PromptSet } from './promptSet';

export interface MasTask {
  id: string;
  input: string;
  reference?: string;
  /** Everything else the task file holds (milestones, metadata), passed through untouched. */
  [key: string]: unknown;
}

export interface MasRunContext {
  runId: string;
  task: MasTask;
  prompts: PromptSet;
  /** The executor endpoint; the command MAS does not use it. */
  executor?: LlmClient;
  signal?: AbortSignal;
  /** Each step as soon as it exists, for progress and the live panel. */
  onStep?: (step: Step) => void;
  /** Distinguishes repeated executions of the same task (cache key `sample`). */
  sample?: number;
  /** The run's model gateway (mas.gateway); a command MAS is pointed at it. */
  gateway?: MasGateway;
  /** Model calls the MAS reported in its spans when no gateway saw them, for the run's accounting. */
  onModelCalls?: (calls: ReportedModelCall[]) => void;
  /**
   * Asked by the rounds MAS before each model call: a reply given here becomes the step's output
   * and no call is made. Intervention (core/intervene) replays recorded steps and substitutes the
   * corrected one this way; an ordinary run leaves it unset.
   */
  presetReply?: (step: PresetStep) => PresetReply | undefined;
}

/** The step a rounds-MAS call is about to produce. */
export interface PresetStep {
  id: string;
  agentId: string;
  messages: ReadonlyArray<{ role: string; content: string }>;
}

export interface PresetReply {
  output: string;
  /** Kept in the step's attrs.preset: where the output came from. */
  how: 'replayed' | 'corrected';
}

/** A finished execution. The outcome is filled in by the engine's evaluator, not by the runner. */
export interface MasRunResult {
  trajectory: Omit<Trajectory, 'outcome'>;
  /** The final answer the evaluator scores. */
  answer: string;
}

/** A task that could not run (process crashed, timed out, LLM error): recorded, not thrown. */
export interface MasRunFailure {
  failed: true;
  reason: string;
  /** Whatever was recorded before the failure. */
  partial?: Omit<Trajectory, 'outcome'>;
}

export interface MasRunner {
  readonly kind: TruceConfig['mas']['kind'];
  run(context: MasRunContext): Promise<MasRunResult | MasRunFailure>;
}
