/**
 * What a MAS runner gets from the run engine to reach its model through TRUCE, and to report the
 * model calls it made on its own. The gateway lives with the run (run/runGateway.ts); a runner
 * only opens a session per execution and hands the variables to its process.
 */
import type { PromptSet } from './promptSet';

/** One call of a finished execution, as much as linking it to a trajectory step needs. */
export interface GatewayCallSummary {
  id: string;
  agent?: string;
  /** The reply's text (first choice; tool-call arguments when there is no text). */
  replyText: string;
  ok: boolean;
}

export interface MasGatewaySession {
  /** OPENAI_BASE_URL, OPENAI_API_KEY (this session's token) and the other variables SDKs read. */
  env: Record<string, string>;
  /** Values that must never reach the MAS (the real key): dropped from its environment if present. */
  secrets: readonly string[];
  /** After the MAS exited: waits for its calls in flight, revokes the token, returns its calls in order. */
  finish(): Promise<GatewayCallSummary[]>;
}

export interface MasGateway {
  open(execution: { taskId: string; sample?: number; prompts: PromptSet }): MasGatewaySession;
}

/**
 * A model call the MAS reported itself (its spans), when no gateway saw it: usage per agent for
 * the run's accounting.
 */
export interface ReportedModelCall {
  agent: string;
  model?: string;
  inputTokens: number;
  outputTokens: number;
  /** The span gave no token counts: they were estimated from the text. */
  estimated: boolean;
  /** Epoch ms, when the span said. */
  startedAt?: number;
  latencyMs?: number;
  spanId?: string;
}
