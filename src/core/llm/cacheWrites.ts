/**
 * Cache writes a caller has let run in the background, grouped (e.g. by task), so that whoever
 * stores a result that depends on them can wait for exactly its own first. Replay and resume rely
 * on "a stored result means its replies are cached": a trajectory written before its replies'
 * entries landed would, after a crash, be replayed against a cache that lacks them.
 */
export class PendingCacheWrites {
  private readonly groups = new Map<string, Set<Promise<void>>>();

  /** Adds a write to `group`; its failure is kept for `settle`, never reported as unhandled. */
  track(write: Promise<void>, group = ''): void {
    let writes = this.groups.get(group);
    if (!writes) {
      writes = new Set();
      this.groups.set(group, writes);
    }
    writes.add(write);
    write.catch(() => undefined);
  }

  /**
   * Waits for every write of `group`, including those added while waiting, and forgets them.
   * Rejects with the first failure (an LlmError of kind 'cache-write' from the client).
   */
  async settle(group = ''): Promise<void> {
    let failure: unknown;
    for (;;) {
      const writes = this.groups.get(group);
      if (!writes || writes.size === 0) break;
      const batch = [...writes];
      writes.clear();
      const results = await Promise.allSettled(batch);
      for (const r of results) if (r.status === 'rejected' && failure === undefined) failure = r.reason;
    }
    this.groups.delete(group);
    if (failure !== undefined) throw failure;
  }

  /** Waits for every group. */
  async settleAll(): Promise<void> {
    let failure: unknown;
    while (this.groups.size > 0) {
      for (const group of [...this.groups.keys()]) {
        try {
          await this.settle(group);
        } catch (error) {
          failure ??= error;
        }
      }
    }
    if (failure !== undefined) throw failure;
  }

  /** Writes not yet settled, over all groups. */
  get size(): number {
    let n = 0;
    for (const writes of this.groups.values()) n += writes.size;
    return n;
  }
}
