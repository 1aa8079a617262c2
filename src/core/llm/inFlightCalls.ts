import type { CachedResponse } from './responseCache';

/**
 * Identical requests in flight at the same moment, answered by one call.
 *
 * The response cache answers a request made before; it cannot answer one made at the same time,
 * so two rollouts of one unchanged prompt set, or two candidates sharing a baseline task, each paid
 * for the same reply when they happened to overlap. The first of them (the leader) makes the call;
 * the others wait for its reply as if it came from the cache. A leader that fails or is cancelled
 * answers nobody: each waiting caller then makes its own call, so one caller's cancellation or a
 * transient error never becomes another's.
 *
 * Keyed by the request's content address (endpoint, model, messages, parameters, seed and sample
 * index), the key the response cache uses, so calls that must stay distinct — the repeats of one
 * request — never share.
 */
export class InFlightCalls {
  private readonly leaders = new Map<string, Promise<CachedResponse | undefined>>();
  /** How many callers have waited for another's call so far (for tests and diagnostics). */
  joined = 0;

  /** The reply the call in flight for `hash` will give (undefined if it fails), or undefined when none is in flight. */
  follow(hash: string): Promise<CachedResponse | undefined> | undefined {
    const leader = this.leaders.get(hash);
    if (leader) this.joined++;
    return leader;
  }

  /**
   * Registers the caller as the one making the call for `hash`. It must call `settle` exactly once:
   * with the reply, or with undefined when its call failed.
   */
  lead(hash: string): (response: CachedResponse | undefined) => void {
    let settle!: (response: CachedResponse | undefined) => void;
    const reply = new Promise<CachedResponse | undefined>((resolve) => {
      settle = resolve;
    });
    this.leaders.set(hash, reply);
    return (response) => {
      if (this.leaders.get(hash) === reply) this.leaders.delete(hash);
      settle(response);
    };
  }

  /** Calls in flight now (for tests and diagnostics). */
  get size(): number {
    return this.leaders.size;
  }
}
