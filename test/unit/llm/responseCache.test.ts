import { strict as assert } from 'node:assert';
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { canonicalJson, requestHash, type CacheKeyMaterial } from '../../../src/core/llm/cacheKey';
import { DiskResponseCache, makeCacheEntry } from '../../../src/core/llm/responseCache';
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
});
