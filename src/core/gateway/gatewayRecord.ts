/**
 * What the gateway keeps of one model call of the user's MAS: enough to account for it (usage,
 * latency, status), to link it to the agent that made it and the step it produced, and to replay
 * it (request, response, and the key the replay looks it up by).
 */
export interface GatewayCallRecord {
  /** Unique within the gateway's life: g1, g2, … in arrival order. */
  id: string;
  startedAt: string;
  latencyMs: number;
  /** From the x-truce-agent header, else what the admission found (the system prompt of an agent). */
  agent?: string;
  /** The task of the session whose token the call came with, else the x-truce-task header. */
  task?: string;
  /** The repeat index of the task's execution (TRUCE_SAMPLE), when it is repeated. */
  sample?: number;
  model?: string;
  stream: boolean;
  /** Set for a Responses API call (POST /v1/responses); absent for chat completions. */
  api?: 'responses';
  /** The request body as the MAS sent it (the real key never appears in it). */
  request: unknown;
  /** The upstream's JSON reply; for a stream, the reply put back together from its chunks. */
  response?: unknown;
  usage: { prompt: number; completion: number };
  /** True when `usage` is not the upstream's count (a cut-off stream: estimated from the text). */
  usageEstimated?: boolean;
  /** The upstream's HTTP status, 0 when it could not be reached; the gateway's own for a refusal. */
  status: number;
  /**
   * Where the reply came from: the model endpoint, a recording (replay, resume), or nowhere
   * (refused before sending, e.g. by the budget). Only `upstream` calls cost anything.
   */
  served: 'upstream' | 'recording' | 'refused';
  /** The replay key (gatewayKey.ts) and the request's ordinal within its execution. */
  key?: string;
  ordinal?: number;
  /** A replay was asked for and no recording matched this request: it went upstream instead. */
  replayMiss?: boolean;
  /** Why the call did not complete: an upstream error, a dropped stream, a client that left. */
  error?: string;
}
