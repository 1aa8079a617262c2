/**
 * What the gateway keeps of one model call of the user's MAS: enough to account for it (usage,
 * latency, status), to link it to the agent that made it, and to replay it (request and response).
 */
export interface GatewayCallRecord {
  /** Unique within the gateway's life: g1, g2, … in arrival order. */
  id: string;
  startedAt: string;
  latencyMs: number;
  /** From the x-truce-agent header when the MAS sends one, else undefined. */
  agent?: string;
  /** From the x-truce-task header, or the TRUCE_TASK_ID the runner set for this process. */
  task?: string;
  model?: string;
  stream: boolean;
  /** The request body as the MAS sent it (the real key never appears in it). */
  request: unknown;
  /** The upstream's JSON reply; for a stream, the reply put back together from its chunks. */
  response?: unknown;
  usage: { prompt: number; completion: number };
  /** The upstream's HTTP status, or 0 when it could not be reached. */
  status: number;
  /** Why the call did not complete: an upstream error, a dropped stream, a client that left. */
  error?: string;
}
