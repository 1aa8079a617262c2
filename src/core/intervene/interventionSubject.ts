/**
 * What an intervention needs from the MAS kind it re-runs, so one procedure (runIntervention.ts)
 * serves both: the step to correct and its original reply, what the step's agent was sent, the
 * recorded calls after it (the projection's basis), and a driver that sets up each re-run so the
 * calls before the step are replayed, the step itself gets the correction and the rest go live.
 *
 * A command MAS is driven through a gateway that answers its HTTP calls (gatewaySubject.ts); the
 * built-in rounds MAS through its own runner, which asks for a preset reply before each call
 * (roundsSubject.ts).
 */
import type { Budget, LlmClient, Prices } from '../llm';
import type { MasRunContext, MasRunFailure, MasRunResult } from '../mas/types';
import type { OriginalReply } from './correctedReply';
import type { ExecutionTally } from './interventionGateway';
import type { TargetStep } from './interventionTarget';

export interface InterventionSubject {
  target: TargetStep;
  /** What identifies the replaced model call: the gateway call id, or the rounds step's request hash. */
  callId: string;
  original: OriginalReply;
  /** The conversation the agent was sent at the step, as role and text. */
  messages: Array<{ role: string; text: string }>;
  /** Token usage of each recorded call after the step: what one re-run is projected to call live. */
  after: Array<{ prompt: number; completion: number }>;
  /** The MAS's repeat index of the original execution, when it had one. */
  sample?: number;
  start(setup: DriverSetup): Promise<ReRunDriver>;
}

export interface DriverSetup {
  correction: string;
  interventionId: string;
  executor: LlmClient;
  prices: Prices;
  budget: Budget;
  runDir: string;
  secrets: readonly string[];
}

/** One intervention's re-runs, one at a time. */
export interface ReRunDriver {
  /** What the runner is given for the next re-run, besides the task and the prompts. */
  open(index: number): Pick<MasRunContext, 'gateway' | 'executor' | 'presetReply' | 'sample'>;
  /** Told how the re-run ended, before `tally` is read. */
  observe?(result: MasRunResult | MasRunFailure | undefined): void;
  /** What the calls of the last re-run did. */
  tally(): ExecutionTally;
  close(): Promise<void>;
}

export function emptyTally(): ExecutionTally {
  return { reached: false, replayed: 0, live: 0, missed: 0, spend: { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 } };
}
