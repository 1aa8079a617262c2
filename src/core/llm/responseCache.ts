/**
 * Content-addressed response cache on disk: one JSON file per request hash. It makes re-runs free
 * and lets a recorded run replay with no network at all. Entries hold the request (for humans
 * inspecting a recording) and the reply, never keys or headers.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import type { CacheKeyMaterial } from './cacheKey';

/**
 * - `read-write`: serve hits, send misses and store them (the default with a cache dir).
 * - `replay`: serve hits, fail on a miss, never touch the network.
 * - `record`: always send, overwrite entries (refresh a recording).
 * - `off`: no cache.
 */
export type CacheMode = 'off' | 'read-write' | 'replay' | 'record';

const ENTRY_FORMAT = 'truce-llm-cache/1';

const cachedResponseSchema = z.object({
  content: z.string(),
  finishReason: z.string(),
  refusal: z.string().optional(),
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number(), estimated: z.boolean() }),
  logprobs: z
    .array(
      z.object({
        token: z.string(),
        logprob: z.number(),
        top: z.array(z.object({ token: z.string(), logprob: z.number() })).optional(),
      }),
    )
    .optional(),
  score: z.object({ logprob: z.number(), tokens: z.number() }).optional(),
});

export type CachedResponse = z.infer<typeof cachedResponseSchema>;

const cacheEntrySchema = z.object({
  format: z.literal(ENTRY_FORMAT),
  key: z.string(),
  createdAt: z.string(),
  request: z.record(z.string(), z.unknown()),
  response: cachedResponseSchema,
});

/** `request` is kept for people reading a recording; only `key` and `response` are used. */
export type CacheEntry = z.infer<typeof cacheEntrySchema>;

export function makeCacheEntry(key: string, request: CacheKeyMaterial, response: CachedResponse, createdAt: Date): CacheEntry {
  const readable = { ...request } as Record<string, unknown>;
  return { format: ENTRY_FORMAT, key, createdAt: createdAt.toISOString(), request: readable, response };
}

export interface ResponseCache {
  /** Human-readable location for error messages. */
  readonly location: string;
  /**
   * `confirmMiss`: when the cache's index of keys says "absent", look on disk all the same. For
   * callers to whom a miss is expensive in itself (replay fails on one), not for every call.
   */
  get(key: string, options?: { confirmMiss?: boolean }): Promise<CacheEntry | undefined>;
  put(entry: CacheEntry): Promise<void>;
  /**
   * While the entry for `key` is being written, the write's promise; otherwise undefined. A reply
   * served before its entry landed depends on that write just as the call that made it does.
   */
  landing?(key: string): Promise<void> | undefined;
}

/** The few file operations the disk cache needs; node:fs/promises fits, tests may pass a fake. */
export interface CacheFs {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  writeFile(path: string, data: string, encoding: 'utf8'): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  unlink(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
}

/**
 * node:fs's callback functions, promisified. A cache read and write happen on every LLM call, and the
 * FileHandle-based `fs/promises` versions cost several times more CPU per operation (measured in
 * bench/rollouts.ts, where client and server share one event loop).
 */
const nodeFs: CacheFs = {
  readFile: promisify(fs.readFile) as CacheFs['readFile'],
  writeFile: promisify(fs.writeFile) as CacheFs['writeFile'],
  rename: promisify(fs.rename),
  mkdir: promisify(fs.mkdir) as CacheFs['mkdir'],
  unlink: promisify(fs.unlink),
  readdir: promisify(fs.readdir) as CacheFs['readdir'],
};

const KEY_PATTERN = /^[0-9a-f]{64}$/;
const ENTRY_FILE = /^([0-9a-f]{64})\.json$/;

/**
 * Entries written by this process, across all DiskResponseCache instances, by entry path: the
 * entry itself while its write is under way, `true` once it landed. Each instance lists a fan-out
 * folder once; without this, an entry another instance of this process wrote after that listing
 * (the optimizer's client is long-lived, every rollout makes its own cache) would look absent and
 * be paid for again.
 */
const writtenInProcess = new Map<string, { entry: CacheEntry; write: Promise<void> } | true>();

export class DiskResponseCache implements ResponseCache {
  /** Fan-out folders this instance has created (or found): creating one again is a wasted call per write. */
  private readonly madeDirs = new Set<string>();
  /**
   * Keys found on disk per fan-out folder, listed on first use. `undefined` when the folder could
   * not be listed (then every lookup reads its file, as if there were no index).
   */
  private readonly listings = new Map<string, Promise<Set<string> | undefined>>();

  constructor(
    readonly dir: string,
    private readonly fs: CacheFs = nodeFs,
  ) {}

  get location(): string {
    return this.dir;
  }

  /** Two-character fan-out keeps directories small in long recordings. */
  pathFor(key: string): string {
    if (!KEY_PATTERN.test(key)) throw new TypeError(`not a cache key: ${key}`);
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  /**
   * A missing, unreadable or foreign file is a miss: the caller then sends or, in replay, fails.
   *
   * Learning that a key is absent costs no file access: most lookups of a fresh run are misses, and
   * a failed read per call queued behind the pool's other file work on every call's path. A key is
   * absent when neither the folder's listing (taken once) nor this process's writes hold it. A
   * present key is still read from disk; entries are content-addressed and never change, so the
   * index can only be stale the other way: another process (a second CLI run on the same
   * workspace) may write an entry after our listing. That lookup is then a miss that costs one
   * extra call, whose reply is written under the same key — never a wrong answer.
   */
  async get(key: string, options: { confirmMiss?: boolean } = {}): Promise<CacheEntry | undefined> {
    const path = this.pathFor(key);
    if (!writtenInProcess.has(path) && !options.confirmMiss) {
      const listed = await this.listing(key.slice(0, 2));
      if (listed && !listed.has(key) && !writtenInProcess.has(path)) return undefined;
    }
    const ours = writtenInProcess.get(path);
    if (ours !== undefined && ours !== true) return ours.entry;
    let text: string;
    try {
      text = await this.fs.readFile(path, 'utf8');
    } catch {
      return undefined;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return undefined;
    }
    const parsed = cacheEntrySchema.safeParse(json);
    if (!parsed.success || parsed.data.key !== key) return undefined;
    return parsed.data;
  }

  landing(key: string): Promise<void> | undefined {
    const ours = writtenInProcess.get(this.pathFor(key));
    return ours !== undefined && ours !== true ? ours.write : undefined;
  }

  /** Temp file + rename: a reader (or a crash) never sees half an entry. */
  put(entry: CacheEntry): Promise<void> {
    const target = this.pathFor(entry.key);
    const before = writtenInProcess.get(target);
    const write = this.write(entry, target);
    writtenInProcess.set(target, { entry, write });
    write.then(
      () => {
        const now = writtenInProcess.get(target);
        // A second write of the same key still under way keeps its (identical) entry until it lands.
        if (now === undefined || now === true || now.write === write) writtenInProcess.set(target, true);
      },
      () => {
        // Only what is on disk may be claimed: a failed write leaves the key as it was before.
        const now = writtenInProcess.get(target);
        if (now !== true && now?.write === write) {
          if (before === true) writtenInProcess.set(target, true);
          else writtenInProcess.delete(target);
        }
      },
    );
    return write;
  }

  private async write(entry: CacheEntry, target: string): Promise<void> {
    const dir = join(this.dir, entry.key.slice(0, 2));
    if (!this.madeDirs.has(dir)) {
      await this.fs.mkdir(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    const temp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await this.fs.writeFile(temp, `${JSON.stringify(entry, null, 2)}\n`, 'utf8');
      await this.fs.rename(temp, target);
    } catch (error) {
      await this.fs.unlink(temp).catch(() => undefined);
      // The folder may have been removed under us; the next write creates it again.
      this.madeDirs.delete(dir);
      throw error;
    }
  }

  /** One `readdir` per fan-out folder per instance, shared by the lookups that wait on it. */
  private listing(fanOut: string): Promise<Set<string> | undefined> {
    let listed = this.listings.get(fanOut);
    if (!listed) {
      listed = this.fs.readdir(join(this.dir, fanOut)).then(
        (names) => {
          const keys = new Set<string>();
          for (const name of names) {
            const match = ENTRY_FILE.exec(name);
            if (match) keys.add(match[1] as string);
          }
          return keys;
        },
        (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? new Set<string>() : undefined),
      );
      this.listings.set(fanOut, listed);
    }
    return listed;
  }
}
