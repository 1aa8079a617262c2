/** How long an event may trail the look that found its change before it counts as never heard. */
export const HEARING_GRACE_MS = 5000;
/** Changes in a row that no event reported before the watcher is called blind. */
export const MISSES_BEFORE_BLIND = 3;

/**
 * Tells, from what the folder poller finds and what VS Code's file watcher reports, whether the
 * watcher hears anything at all — so the user can be told once that VS Code's own file watching is
 * blind (an exhausted inotify limit does that silently: VS Code only logs EMFILE), instead of
 * wondering why other views show stale files while TRUCE's keep up by polling.
 *
 * A change the poller found counts as heard when an event for the same path came after the
 * previous look at its folder, or comes within {@link HEARING_GRACE_MS} after this look (events can
 * trail under load). Only changes in a row count: one heard change resets the tally, so a watcher
 * that drops an event now and then is not called blind.
 */
export class WatcherHearing {
  private readonly heardAt = new Map<string, number>();
  /** Changes the poller found that no event has reported yet: path → when found. */
  private readonly unheard = new Map<string, number>();
  private misses = 0;
  private concluded = false;

  /** VS Code reported an event for this path. */
  heard(path: string, now: number): void {
    this.heardAt.set(path, now);
    if (this.unheard.delete(path)) this.misses = 0;
  }

  /**
   * The poller found a change at `path` in a look that began at `now`, the folder's previous look
   * having begun at `previousLookAt`. Returns true exactly once: when the watcher is first found blind.
   */
  polled(path: string, previousLookAt: number, now: number): boolean {
    this.settle(now);
    const heard = this.heardAt.get(path);
    if (heard !== undefined && heard >= previousLookAt) this.misses = 0;
    // A file that changes at every look (a growing journal) stays one unheard change until its
    // grace runs out; restarting its clock at each look would let it never count.
    else if (!this.unheard.has(path)) this.unheard.set(path, now);
    return this.conclude();
  }

  /** Moves the changes whose grace ran out into the tally of misses. */
  private settle(now: number): void {
    for (const [path, foundAt] of this.unheard) {
      if (now - foundAt < HEARING_GRACE_MS) continue;
      this.unheard.delete(path);
      this.misses++;
    }
    // Old events say nothing about later changes; keep the map from growing over a long session.
    for (const [path, at] of this.heardAt) if (now - at > 10 * HEARING_GRACE_MS) this.heardAt.delete(path);
  }

  private conclude(): boolean {
    if (this.concluded || this.misses < MISSES_BEFORE_BLIND) return false;
    this.concluded = true;
    return true;
  }
}
