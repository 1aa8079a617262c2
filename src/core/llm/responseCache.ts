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
  get(key: string): Promise<CacheEntry | undefined>;
  put(entry: CacheEntry): Promise<void>;
}

/** The few file operations the disk cache needs; node:fs/promises fits, tests may pass a fake. */
export interface CacheFs {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  writeFile(path: string, data: string, encoding: 'utf8'): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  unlink(path: string): Promise<void>;
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
};

const KEY_PATTERN = /^[0-9a-f]{64}$/;

export class DiskResponseCache implements ResponseCache {
  /** Fan-out folders this instance has created (or found): creating one again is a wasted call per write. */
  private readonly madeDirs = new Set<string>();

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

  /** A missing, unreadable or foreign file is a miss: the caller then sends or, in replay, fails. */
  async get(key: string): Promise<CacheEntry | undefined> {
    let text: string;
    try {
      text = await this.fs.readFile(this.pathFor(key), 'utf8');
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

  /** Temp file + rename: a reader (or a crash) never sees half an entry. */
  async put(entry: CacheEntry): Promise<void> {
    const target = this.pathFor(entry.key);
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
}
