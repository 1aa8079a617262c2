/** The gateway's public shapes: what a caller starts it with, and what it gets back. */
import type { GatewayCallRecord } from './gatewayRecord';

/** The two OpenAI APIs the gateway carries: chat completions, and Responses where the upstream has it. */
export type GatewayApi = 'chat' | 'responses';

/** Sends one request to the model endpoint with its key (LlmClient.forward); path like "/chat/completions". */
export type UpstreamForward = (path: string, init: { method: 'GET' | 'POST'; body?: string; signal?: AbortSignal }) => Promise<Response>;

export type GatewayUpstream = { baseUrl: string; apiKey?: string } | { label: string; forward: UpstreamForward };

export interface GatewaySessionInfo {
  task?: string;
  sample?: number;
}

export interface GatewaySession {
  token: string;
  /** Revokes the token; calls in flight finish and are recorded. */
  close(): void;
  /** Resolves when this session's calls in flight have ended and been recorded. */
  idle(): Promise<void>;
}

/** What the admission may add to the record. */
export interface AdmissionLabels {
  agent?: string;
  key?: string;
  ordinal?: number;
  replayMiss?: boolean;
}

export type GatewayAdmission =
  | ({ kind: 'forward' } & AdmissionLabels)
  | ({ kind: 'answer'; response: Record<string, unknown> } & AdmissionLabels)
  | ({ kind: 'refuse'; status: number; message: string; type: string } & AdmissionLabels);

export interface AdmissionRequest {
  id: string;
  api: GatewayApi;
  session: GatewaySessionInfo;
  body: Record<string, unknown>;
  /** From the x-truce-agent header. */
  agent?: string;
}

export interface GatewayOptions {
  /** The real endpoint, e.g. https://api.openai.com/v1, or a forwarder that holds its key. */
  upstream: GatewayUpstream;
  /** The token of the default session (no task); a fresh random one when absent. */
  token?: string;
  /** Sees every chat request before it is sent; default: forward everything. */
  admit?: (request: AdmissionRequest) => GatewayAdmission | Promise<GatewayAdmission>;
  /** Called once per call, when it has ended one way or another. */
  onCall?: (record: GatewayCallRecord) => void;
  /** Largest request body accepted (default 32 MB). */
  maxBodyBytes?: number;
  fetch?: typeof fetch;
  /** Keep every record in `calls` (default true); a long run hands them to onCall and keeps none. */
  keepCalls?: boolean;
}

export interface Gateway {
  /** The base URL to give the MAS (ends in /v1). */
  url: string;
  /** The default session's token. */
  token: string;
  calls: GatewayCallRecord[];
  openSession(info: GatewaySessionInfo): GatewaySession;
  /** Calls still in flight: wait for them before reading the records of a finished execution. */
  idle(): Promise<void>;
  close(): Promise<void>;
}
