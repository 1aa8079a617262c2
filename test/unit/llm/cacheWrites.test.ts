import { strict as assert } from 'node:assert';
import { PendingCacheWrites } from '../../../src/core/llm/cacheWrites';
import { LlmError } from '../../../src/core/llm/errors';
import type { CacheEntry, ResponseCache } from '../../../src/core/llm/responseCache';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { makeHarness, user } from './helpers';

/** An in-memory cache whose writes wait for `land()` (or fail with `fail()`). */
class HeldCache implements ResponseCache {
  readonly location = 'memory://held';
  readonly stored = new Map<string, CacheEntry>();
  private readonly held: Array<{ entry: CacheEntry; resolve: () => void; reject: (e: Error) => void }> = [];

  async get(key: string): Promise<CacheEntry | undefined> {
    return this.stored.get(key);
  }

  put(entry: CacheEntry): Promise<void> {
    return new Promise((resolve, reject) => this.held.push({ entry, resolve, reject }));
  }

  get waiting(): number {
    return this.held.length;
  }

  land(): void {
    for (const h of this.held.splice(0)) {
      this.stored.set(h.entry.key, h.entry);
      h.resolve();
    }
  }

  fail(message: string): void {
    for (const h of this.held.splice(0)) h.reject(new Error(message));
  }
}

const isCacheWrite = (e: unknown) => e instanceof LlmError && e.kind === 'cache-write' && /memory:\/\/held/.test(e.message) && /no space left/.test(e.message);

describe('llm/cache writes off the call path', () => {
  let server: FakeOpenAiServer;

  beforeEach(async () => {
    server = await start();
  });
  afterEach(async () => {
    await server.close();
  });

  it('returns before the cache write lands and hands the write to onCacheWrite', async () => {
    const cache = new HeldCache();
    const handed: Array<Promise<void>> = [];
    const { client } = makeHarness({ baseUrl: server.url }, { cache, onCacheWrite: (w) => handed.push(w) });
    const reply = await client.chat({ messages: user('hello') }, { phase: 'rollout' });
    assert.equal(reply.cached, false);
    assert.equal(cache.waiting, 1, 'the write is still held while the call has returned');
    assert.equal(handed.length, 1);
    cache.land();
    await handed[0];
    assert.equal(cache.stored.get(reply.requestHash)?.response.content, reply.content);
  });

  it('rejects the handed-over write with a cache-write error when it fails; the call itself returned', async () => {
    const cache = new HeldCache();
    const handed: Array<Promise<void>> = [];
    const { client } = makeHarness({ baseUrl: server.url }, { cache, onCacheWrite: (w) => handed.push(w) });
    const reply = await client.chat({ messages: user('hello') }, { phase: 'rollout' });
    assert.equal(typeof reply.content, 'string');
    cache.fail('no space left on device');
    await assert.rejects(handed[0] as Promise<void>, isCacheWrite);
  });

  it('without onCacheWrite, waits for the write and fails the call when it fails', async () => {
    const cache = new HeldCache();
    const { client } = makeHarness({ baseUrl: server.url }, { cache });
    let settled = false;
    const call = client.chat({ messages: user('hello') }, { phase: 'rollout' }).finally(() => (settled = true));
    while (cache.waiting === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setImmediate(r));
    assert.equal(settled, false, 'the call waits for its write');
    cache.fail('no space left on device');
    await assert.rejects(call, isCacheWrite);
  });

  it('hands over the pending write of an entry a hit was served from', async () => {
    const cache = new HeldCache();
    const landing = new Map<string, Promise<void>>();
    const withLanding: ResponseCache = {
      location: cache.location,
      get: (key) => cache.get(key),
      put: (entry) => {
        const write = cache.put(entry);
        landing.set(entry.key, write);
        // Served from memory while the write is under way, as the disk cache does.
        cache.stored.set(entry.key, entry);
        return write;
      },
      landing: (key) => landing.get(key),
    };
    const handed: Array<Promise<void>> = [];
    const { client } = makeHarness({ baseUrl: server.url }, { cache: withLanding, onCacheWrite: (w) => handed.push(w) });
    await client.chat({ messages: user('same') }, { phase: 'rollout' });
    const hit = await client.chat({ messages: user('same') }, { phase: 'rollout' });
    assert.equal(hit.cached, true);
    assert.equal(handed.length, 2, 'the hit depends on the first call\'s write too');
    cache.fail('no space left on device');
    await assert.rejects(handed[1] as Promise<void>, isCacheWrite);
  });
});

describe('llm/PendingCacheWrites', () => {
  const deferred = () => {
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
  };

  it('settles one group without waiting for the others, and reports its first failure', async () => {
    const writes = new PendingCacheWrites();
    const a = deferred();
    const b = deferred();
    const c = deferred();
    writes.track(a.promise, 'task-a');
    writes.track(b.promise, 'task-b');
    writes.track(c.promise, 'task-b');
    let aSettled = false;
    const settleA = writes.settle('task-a').then(() => (aSettled = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(aSettled, false, 'waits for its own write');
    a.resolve();
    await settleA;
    assert.equal(writes.size, 2, 'task-b is untouched');
    b.reject(new Error('first'));
    c.reject(new Error('second'));
    await assert.rejects(writes.settle('task-b'), /first/);
    assert.equal(writes.size, 0);
    await writes.settle('task-b');
  });

  it('waits for writes added while it waits, and settleAll covers every group', async () => {
    const writes = new PendingCacheWrites();
    const a = deferred();
    const later = deferred();
    writes.track(a.promise, 'x');
    const all = writes.settleAll();
    writes.track(later.promise, 'x');
    a.resolve();
    let done = false;
    void all.then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(done, false);
    later.reject(new Error('late failure'));
    await assert.rejects(all, /late failure/);
  });
});
