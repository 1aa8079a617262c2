/**
 * The shapes one call through the gateway is handled with, shared by the call's admission
 * (gatewayCall.ts) and its forwarding upstream (forwardCall.ts), which would otherwise import
 * each other.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayCallRecord } from './gatewayRecord';
import type { GatewayApi, GatewayOptions, UpstreamForward } from './gatewayTypes';

/** What every call of one gateway shares. */
export interface GatewayWorld {
  forward: UpstreamForward;
  /** The upstream's name in messages: its base URL, or the forwarder's label. */
  upstreamLabel: string;
  maxBodyBytes: number;
  admit: GatewayOptions['admit'];
  record: (record: GatewayCallRecord) => void;
  /** The next call id: g1, g2, … in arrival order. */
  nextId: () => string;
}

/** How a call ended: the fields its record gets last. */
export type CallEnding = Pick<GatewayCallRecord, 'usage' | 'status' | 'served'> & Partial<Pick<GatewayCallRecord, 'response' | 'usageEstimated' | 'error'>>;

/** A call under way: its request, its response, and how to write its one record. */
export interface GatewayCall {
  api: GatewayApi;
  body: Record<string, unknown>;
  stream: boolean;
  req: IncomingMessage;
  res: ServerResponse;
  /** Records the call with the fields of its ending, stamping the latency. */
  finish(ending: CallEnding): void;
}
