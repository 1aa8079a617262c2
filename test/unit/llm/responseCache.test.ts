import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { canonicalJson, requestHash, type CacheKeyMaterial } from '../../../src/core/llm/cacheKey';
import { DiskResponseCache, makeCacheEntry, type CacheEntry, type CacheFs } from '../../../src/core/llm/responseCache';
import { readTree, tempDir } from './helpers';

const material: CacheKeyMaterial = {
  baseUrl: 'http://127.0.0.1:1/v1',
  model: 'm',
  messages: [{ role: 'user', content: 'hi' }],
  params: { temperature: 0 },
  templateVersion: 'v1',
};

describe('llm/responseCache', () => {
  it('hashes canonically: key order does not matter, template version and sample do', () => {
    assert.equal(canonicalJson({ b: 1, a: [1, { d: 2, c: undefined }] }), '{"a":[1,{"d":2}],"b":1}');
    assert.equal(requestHash(material), requestHash({ ...material, params: { temperature: 0 } }));
    assert.notEqual(requestHash(material), requestHash({ ...material, templateVersion: 'v2' }));
    assert.notEqual(requestHash(material), requestHash({ ...material, sample: 1 }));
    assert.notEqual(requestHash(material), requestHash({ ...material, seed: 7 }));
  });

  it('writes one file per entry atomically and reads it back', async () => {
    const dir = tempDir('cache');
    try {
      const cache = new DiskResponseCache(dir.path);
      const key = requestHash(material);
      const entry = makeCacheEntry(key, material, { content: 'hello', finishReason: 'stop', usage: { inputTokens: 3, outputTokens: 1, estimated: false } }, new Date(0));
      await cache.put(entry);
      assert.ok(existsSync(cache.pathFor(key)));
      assert.deepEqual(readTree(dir.path).map((f) => f.path), [cache.pathFor(key)], 'no temp files left');
      assert.deepEqual(await cache.get(key), entry);
    } finally {
      dir.remove();
    }
  });

  it('treats a corrupt or foreign file as a miss', async () => {
    const dir = tempDir('cache');
    try {
      const cache = new DiskResponseCache(dir.path);
      const key = requestHash(material);
      mkdirSync(dirname(cache.pathFor(key)), { recursive: true });
      writeFileSync(cache.pathFor(key), '{"format": "truce-llm-cache/1", "key": "');
      assert.equal(await cache.get(key), undefined);
      writeFileSync(cache.pathFor(key), JSON.stringify({ hello: 'world' }));
      assert.equal(await cache.get(key), undefined);
      assert.throws(() => cache.pathFor('../../etc/passwd'), /not a cache key/);
    } finally {
      dir.remove();
    }
  });

  describe('index of present keys', () => {
    /** The real file system, with every operation counted by name; `gate` holds renames back. */
    function countingFs(gate?: Promise<void>, failRename = false): { fs: CacheFs; calls: Record<string, number> } {
      const calls: Record<string, number> = {};
      const count = (name: string) => (calls[name] = (calls[name] ?? 0) + 1);
      const real = {
        readFile: promisify(fs.readFile) as CacheFs['readFile'],
        writeFile: promisify(fs.writeFile) as CacheFs['writeFile'],
        rename: promisify(fs.rename),
        mkdir: promisify(fs.mkdir) as CacheFs['mkdir'],
        unlink: promisify(fs.unlink),
        readdir: promisify(fs.readdir) as CacheFs['readdir'],
      };
      return {
        calls,
        fs: {
          readFile: (p, e) => (count('readFile'), real.readFile(p, e)),
          writeFile: (p, d, e) => (count('writeFile'), real.writeFile(p, d, e)),
          rename: async (a, b) => {
            count('rename');
            await gate;
            if (failRename) throw new Error('disk full');
            return real.rename(a, b);
          },
          mkdir: (p, o) => (count('mkdir'), real.mkdir(p, o)),
          unlink: (p) => (count('unlink'), real.unlink(p)),
          readdir: (p) => (count('readdir'), real.readdir(p)),
        },
      };
    }
    /** Keys in one fan-out folder ("ab"). */
    const keyOf = (digit: string) => `ab${digit.repeat(62)}`;
    const entryOf = (key: string, content = 'reply'): CacheEntry =>
      makeCacheEntry(key, material, { content, finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1, estimated: false } }, new Date(0));

    it('learns that keys are missing from one listing per folder, without reading their files', async () => {
      const dir = tempDir('cache-index');
      try {
        await new DiskResponseCache(dir.path).put(entryOf(keyOf('1')));
        const { fs: counted, calls } = countingFs();
        const cache = new DiskResponseCache(dir.path, counted);
        assert.equal(await cache.get(keyOf('2')), undefined);
        assert.equal(await cache.get(keyOf('3')), undefined);
        assert.deepEqual(await Promise.all([cache.get(keyOf('4')), cache.get(keyOf('5'))]), [undefined, undefined]);
        assert.equal(calls.readFile ?? 0, 0, 'no file is read to learn that it is missing');
        assert.equal(calls.readdir, 1, 'one listing of the folder');
        // A present key is still read from disk.
        assert.equal((await cache.get(keyOf('1')))?.response.content, 'reply');
        assert.equal(calls.readFile, 1);
        // A folder that does not exist yet is listed once too, and holds nothing.
        assert.equal(await cache.get(`cd${'0'.repeat(62)}`), undefined);
        assert.equal(await cache.get(`cd${'1'.repeat(62)}`), undefined);
        assert.equal(calls.readdir, 2);
        assert.equal(calls.readFile, 1);
      } finally {
        dir.remove();
      }
    });

    it('finds what another cache of this process wrote after its listing', async () => {
      const dir = tempDir('cache-index');
      try {
        const listedEarly = new DiskResponseCache(dir.path);
        assert.equal(await listedEarly.get(keyOf('6')), undefined);
        await new DiskResponseCache(dir.path).put(entryOf(keyOf('6'), 'from the other cache'));
        assert.equal((await listedEarly.get(keyOf('6')))?.response.content, 'from the other cache');
      } finally {
        dir.remove();
      }
    });

    it('misses an entry another process wrote after the listing, unless asked to confirm the miss', async () => {
      const dir = tempDir('cache-index');
      try {
        const cache = new DiskResponseCache(dir.path);
        assert.equal(await cache.get(keyOf('7')), undefined);
        // Written by "another process": straight to disk, not through any cache of this one.
        mkdirSync(dirname(cache.pathFor(keyOf('7'))), { recursive: true });
        writeFileSync(cache.pathFor(keyOf('7')), JSON.stringify(entryOf(keyOf('7'), 'elsewhere')));
        assert.equal(await cache.get(keyOf('7')), undefined, 'a stale index costs a call, never a wrong answer');
        assert.equal((await cache.get(keyOf('7'), { confirmMiss: true }))?.response.content, 'elsewhere');
      } finally {
        dir.remove();
      }
    });

    it('serves an entry while its write is under way and exposes that write until it lands', async () => {
      const dir = tempDir('cache-index');
      try {
        let open!: () => void;
        const gate = new Promise<void>((resolve) => (open = resolve));
        const { fs: counted, calls } = countingFs(gate);
        const cache = new DiskResponseCache(dir.path, counted);
        const entry = entryOf(keyOf('8'), 'in flight');
        const write = cache.put(entry);
        assert.deepEqual(await cache.get(keyOf('8')), entry);
        assert.equal(calls.readFile ?? 0, 0);
        assert.equal(cache.landing(keyOf('8')), write);
        assert.ok(!existsSync(cache.pathFor(keyOf('8'))), 'not on disk yet');
        open();
        await write;
        assert.equal(cache.landing(keyOf('8')), undefined);
        assert.deepEqual(await cache.get(keyOf('8')), entry);
        assert.equal(calls.readFile, 1, 'once landed, it is read from disk');
      } finally {
        dir.remove();
      }
    });

    it('forgets an entry whose write failed', async () => {
      const dir = tempDir('cache-index');
      try {
        const cache = new DiskResponseCache(dir.path, countingFs(undefined, true).fs);
        await assert.rejects(cache.put(entryOf(keyOf('9'))), /disk full/);
        assert.equal(cache.landing(keyOf('9')), undefined);
        assert.equal(await cache.get(keyOf('9')), undefined);
        assert.equal(await new DiskResponseCache(dir.path).get(keyOf('9')), undefined);
      } finally {
        dir.remove();
      }
    });
  });
});
