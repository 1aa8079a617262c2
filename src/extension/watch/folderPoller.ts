import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** How often the folders are looked at when nobody says otherwise. */
export const DEFAULT_POLL_MS = 1500;

/**
 * What a folder held when last looked at: entry name → "mtime:size" for a file, "folder" for a
 * folder (what happens inside a folder is the business of whoever looks at that folder; a new file
 * in a run must not read as the run list changing), or null when the folder did not exist.
 */
type Snapshot = Map<string, string> | null;
/** A folder just added to the set, whose first look is still under way. */
const UNREAD = Symbol('unread');

/**
 * Looks at a few folders (not recursively) every so often and reports what changed in them: an
 * entry added, removed or rewritten, or the folder itself appearing or going away.
 *
 * Why poll at all, next to VS Code's file watchers: those rest on inotify, and a machine can leave
 * them blind for a whole session — a watcher that misses a folder made right after its parent, an
 * inotify limit reached by other processes, a file system that sends no events. Then the panel
 * and the editor would show a finished run as still running until a reload. Looking at a handful
 * of folders (the runs list, the runs on screen) costs a few stat calls a second, so the events
 * stay the fast path and this is the floor under them.
 */
export class FolderPoller {
  private readonly snapshots = new Map<string, Snapshot | typeof UNREAD>();
  /** When each folder's last look began (Date.now()), to say since when a change happened. */
  private readonly lookedAt = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  /**
   * @param onChange called with the path of each changed entry (or of the folder itself when it
   *   appeared or went away), when the folder's previous look began and when this one began: the
   *   change happened between the two
   * @param intervalMs time between the end of one look and the start of the next; 0 never polls
   *   on its own ({@link pollNow} still works)
   */
  constructor(
    private readonly onChange: (path: string, previousLookAt: number, lookAt: number) => void,
    private readonly intervalMs = DEFAULT_POLL_MS,
  ) {}

  /**
   * Looks at exactly these folders from now on. A folder new to the set is read once quietly, so
   * what it already holds is not reported as a change.
   */
  set(folders: readonly string[]): void {
    const wanted = new Set(folders);
    for (const folder of this.snapshots.keys()) {
      if (wanted.has(folder)) continue;
      this.snapshots.delete(folder);
      this.lookedAt.delete(folder);
    }
    for (const folder of wanted) {
      if (this.snapshots.has(folder)) continue;
      this.snapshots.set(folder, UNREAD);
      this.lookedAt.set(folder, Date.now());
      void readSnapshot(folder).then((snapshot) => {
        // Still wanted and not looked at meanwhile: this is its starting point.
        if (this.snapshots.get(folder) === UNREAD) this.snapshots.set(folder, snapshot);
      });
    }
    this.schedule();
  }

  /** The folders looked at now. */
  get folders(): string[] {
    return [...this.snapshots.keys()];
  }

  /** Looks at every folder once now and reports the changes; resolves when done. */
  pollNow(): Promise<void> {
    // One look at a time: a slow disk must not make two looks report the same change twice.
    this.running ??= this.poll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  dispose(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.snapshots.clear();
    this.lookedAt.clear();
  }

  private schedule(): void {
    if (this.stopped || this.intervalMs <= 0 || this.timer || this.snapshots.size === 0) return;
    this.timer = setTimeout(() => {
      void this.pollNow().finally(() => {
        this.timer = undefined;
        this.schedule();
      });
    }, this.intervalMs);
    // A poll alone must never keep a process (the CLI's tests, a host shutting down) alive.
    this.timer.unref?.();
  }

  private async poll(): Promise<void> {
    for (const folder of [...this.snapshots.keys()]) {
      const before = this.snapshots.get(folder);
      const lookAt = Date.now();
      const after = await readSnapshot(folder);
      // Dropped from the set while being read, or disposed: nothing to say about it.
      if (this.stopped || !this.snapshots.has(folder)) continue;
      const previousLookAt = this.lookedAt.get(folder) ?? lookAt;
      this.snapshots.set(folder, after);
      this.lookedAt.set(folder, lookAt);
      if (before === undefined || before === UNREAD) continue;
      for (const path of changedPaths(folder, before, after)) this.onChange(path, previousLookAt, lookAt);
    }
  }
}

/** The paths that differ between two looks at one folder. */
export function changedPaths(folder: string, before: Snapshot, after: Snapshot): string[] {
  if (before === null && after === null) return [];
  if (before === null || after === null) return [folder];
  const changed: string[] = [];
  for (const [name, stamp] of after) if (before.get(name) !== stamp) changed.push(join(folder, name));
  for (const name of before.keys()) if (!after.has(name)) changed.push(join(folder, name));
  return changed;
}

async function readSnapshot(folder: string): Promise<Snapshot> {
  let entries: Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch {
    return null;
  }
  const snapshot = new Map<string, string>();
  for (const entry of entries) {
    // A folder counts by presence, which the listing already says: the runs list holds one folder
    // per run, and stat-ing each of them on every look would be most of the work.
    if (entry.isDirectory()) {
      snapshot.set(entry.name, 'folder');
      continue;
    }
    // An entry removed between the listing and its stat is simply not there.
    const info = await stat(join(folder, entry.name)).catch(() => undefined);
    if (info) snapshot.set(entry.name, info.isDirectory() ? 'folder' : `${info.mtimeMs}:${info.size}`);
  }
  return snapshot;
}
