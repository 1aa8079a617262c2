/**
 * The IPC protocol between a benchmark and the fake OpenAI server it runs in a child process
 * (fakeServerProcess.ts forks fakeServerChild.ts). Kept in one place so both sides agree.
 */
import type { RolloutReply } from './rolloutsResponder';

/** Which reply script the child serves; each name maps to a responder module under bench/support. */
export type ChildResponderName = 'rollouts';

/** Passed to the child as its one command-line argument (JSON). */
export interface ChildServerOptions {
  responder: ChildResponderName;
  baseLatencyMs: number;
}

export interface ChildStats {
  maxInFlight: number;
  /** Chat-completion requests the server received. */
  chatRequests: number;
  /** When each reply was produced, in the order the server made them. */
  replies: RolloutReply[];
  /** CPU the server process used since it started listening (user + system, microseconds). */
  cpuMicros: number;
  /** Its event loop's utilisation over the same span. */
  eventLoopUtilization: number;
}

export type ParentToChild = { type: 'stats'; id: number } | { type: 'close' };

export type ChildToParent = { type: 'ready'; url: string } | { type: 'stats'; id: number; stats: ChildStats } | { type: 'error'; message: string };
