/**
 * How many garbage collections ran during a timed run, of which kind, and how long they paused the
 * program: in a benchmark that sets an importer against a plain parse, the collector is a large and
 * otherwise invisible share of the difference (the importer keeps what it decodes, so each young
 * generation collection has much to copy).
 *
 * Collections are reported to a performance observer some time after they end, so a run's tally is
 * taken after the run (outside its timing), from the entries that started inside its window.
 */
import { constants, performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

export interface GcTally {
  /** Young generation collections (scavenges). */
  minor: number;
  /** Full collections, incremental marking steps included. */
  major: number;
  /** Total pause, in seconds. */
  pauseSeconds: number;
}

export class GcRecorder {
  private entries: PerformanceEntry[] = [];
  private readonly observer = new PerformanceObserver((list) => {
    this.entries.push(...list.getEntries());
  });

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** The collections that started between `from` and `to` (performance.now() times). */
  async tally(from: number, to: number): Promise<GcTally> {
    // Let the entries of collections that ended just before `to` reach the observer.
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    this.entries.push(...this.observer.takeRecords());
    const tally: GcTally = { minor: 0, major: 0, pauseSeconds: 0 };
    for (const entry of this.entries) {
      if (entry.startTime < from || entry.startTime > to) continue;
      const kind = ((entry as { detail?: unknown }).detail as { kind?: number } | undefined)?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) tally.minor += 1;
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR || kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) tally.major += 1;
      tally.pauseSeconds += entry.duration / 1000;
    }
    // Entries before `to` are done with: runs are tallied in order.
    this.entries = this.entries.filter((entry) => entry.startTime > to);
    return tally;
  }

  stop(): void {
    this.observer.disconnect();
  }
}

/** `performance.now()`, the clock the entries are stamped with. */
export function gcClock(): number {
  return performance.now();
}
