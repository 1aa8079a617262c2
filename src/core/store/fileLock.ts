/**
 * An exclusive lock file owned by one live process. Two TRUCE processes must not work on the same
 * thing at once (resume one run twice, edit one prompt file twice): each would act on what it read
 * before the other wrote. The lock file holds who owns it — pid, host, start time and, on Linux,
 * the kernel's start time of that pid, so a recycled pid is not mistaken for the owner.
 *
 * Taking it is one atomic step: the owner record is written to a private temporary file and
 * hard-linked to the lock's name, which fails when the name exists — so nobody ever sees a lock
 * without its owner. A lock whose owner died (kill -9, a crash) is stale and is taken over; the
 * takeover itself is guarded by a `<lock>.takeover` folder so that two processes finding the same
 * stale lock cannot both win.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface LockOwner {
  pid: number;
  host: string;
  /** When the owner took the lock (ISO time). */
  startedAt: string;
  /** What the owner is doing, e.g. "resume", "run", "apply". */
  purpose: string;
  /** Linux: start time of the owner process in clock ticks since boot (/proc/<pid>/stat field 22). */
  processStart?: string;
  /** Random; tells this holder's lock from a later one with the same pid. */
  token: string;
}

export type LockAttempt = { ok: true; lock: FileLock } | { ok: false; owner: LockOwner | undefined };

/** A takeover guard older than this was left by a process that died in the middle of one. */
const TAKEOVER_STALE_MS = 10_000;
/** A lock file that cannot be read is another process's half-made takeover, or garbage once it is this old. */
const UNREADABLE_STALE_MS = 10_000;

const held = new Set<FileLock>();
let exitHookInstalled = false;

export class FileLock {
  private released = false;

  constructor(
    readonly path: string,
    readonly owner: LockOwner,
  ) {}

  /** Removes the lock file if it is still this holder's (idempotent). */
  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this);
    if (readOwner(this.path)?.token !== this.owner.token) return;
    try {
      unlinkSync(this.path);
    } catch {
      // Already gone: nothing to release.
    }
  }
}

/** Takes the lock now or reports who holds it; never waits. The lock's folder must exist. */
export function tryLock(path: string, purpose: string): LockAttempt {
  const owner = ownerRecord(purpose);
  if (createWith(path, owner)) return { ok: true, lock: holding(path, owner) };
  const current = readOwner(path);
  if (current ? ownerAlive(current) : !unreadableForLong(path)) return { ok: false, owner: current };
  // The owner is gone: take over, one process at a time.
  const guard = `${path}.takeover`;
  if (!enterGuard(guard)) return { ok: false, owner: current };
  try {
    const again = readOwner(path);
    // Someone else took over between our look and the guard: theirs is a live lock now.
    if (again && again.token !== current?.token) return { ok: false, owner: again };
    try {
      unlinkSync(path);
    } catch {
      // Removed already; creating below decides.
    }
    if (createWith(path, owner)) return { ok: true, lock: holding(path, owner) };
    return { ok: false, owner: readOwner(path) };
  } finally {
    try {
      rmdirSync(guard);
    } catch {
      // Nothing to clean.
    }
  }
}

export class LockTimeoutError extends Error {
  constructor(
    readonly path: string,
    readonly owner: LockOwner | undefined,
  ) {
    super(`${path} is held by ${describeOwner(owner)}; it was not released in time.`);
    this.name = 'LockTimeoutError';
  }
}

/** Takes the lock, waiting for the holder to release it (short operations only); throws LockTimeoutError. */
export async function waitForLock(path: string, purpose: string, timeoutMs = 30_000): Promise<FileLock> {
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  for (;;) {
    const attempt = tryLock(path, purpose);
    if (attempt.ok) return attempt.lock;
    if (Date.now() >= deadline) throw new LockTimeoutError(path, attempt.owner);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 200);
  }
}

export function describeOwner(owner: LockOwner | undefined): string {
  if (!owner) return 'another process';
  return `pid ${owner.pid}${owner.host !== hostname() ? ` on ${owner.host}` : ''} (since ${owner.startedAt})`;
}

function holding(path: string, owner: LockOwner): FileLock {
  const lock = new FileLock(path, owner);
  held.add(lock);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // A process that ends without releasing (an uncaught error, process.exit) leaves no lock behind.
    process.on('exit', () => {
      for (const l of [...held]) l.release();
    });
  }
  return lock;
}

function ownerRecord(purpose: string): LockOwner {
  const start = processStartOf(process.pid);
  return {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    purpose,
    ...(start !== undefined ? { processStart: start } : {}),
    token: randomBytes(8).toString('hex'),
  };
}

/** Creates `path` holding the owner record, atomically; false when it exists. */
function createWith(path: string, owner: LockOwner): boolean {
  const temp = `${path}.${process.pid}.${owner.token}.tmp`;
  writeFileSync(temp, `${JSON.stringify(owner)}\n`, { flag: 'wx' });
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // Best effort.
    }
  }
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (typeof value.pid !== 'number' || typeof value.token !== 'string') return undefined;
    return value as LockOwner;
  } catch {
    return undefined;
  }
}

function unreadableForLong(path: string): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > UNREADABLE_STALE_MS;
  } catch {
    // Gone meanwhile: treat as free (the next create decides).
    return true;
  }
}

function enterGuard(guard: string): boolean {
  try {
    mkdirSync(guard);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  try {
    if (Date.now() - statSync(guard).mtimeMs < TAKEOVER_STALE_MS) return false;
    rmdirSync(guard);
    mkdirSync(guard);
    return true;
  } catch {
    return false;
  }
}

/** Whether the recorded owner still runs. Another host's process cannot be checked: it counts as alive. */
function ownerAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // The pid runs; it is the owner unless the kernel says that pid started at another time (reused).
  if (owner.processStart === undefined) return true;
  const now = processStartOf(owner.pid);
  return now === undefined || now === owner.processStart;
}

function processStartOf(pid: number): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}
