import { strict as assert } from 'node:assert';
import { z } from 'zod';
import { callStructured } from '../../../src/core/llm/structured';
import { LlmError } from '../../../src/core/llm/errors';
import { DiskResponseCache } from '../../../src/core/llm/responseCache';
import { scrubSecrets } from '../../../src/core/llm/secrets';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { makeHarness, readTree, tempDir, user } from './helpers';

const CANARY = 'sk-canary-7f3a9c2e1b4d8f60aa55';

describe('llm keys never reach disk or logs', () => {
  let server: FakeOpenAiServer;
  afterEach(async () => {
    await server.close();
  });

  it('keeps a canary key out of cache files, call records and error messages', async () => {
    server = await start({
      apiKey: CANARY,
      responder: (req) => (req.jsonSchema ? { json: req.jsonSchema.name === 'truce_probe' ? { ok: true } : { n: 1 } } : `echo ${req.lastUser}`),
      faults: { script: [{ kind: 'rate-limit', retryAfterSeconds: 2 }] },
    });
    const dir = tempDir('canary');
    const errors: string[] = [];
    try {
      const good = makeHarness({ baseUrl: `${server.url}/`, apiKeyEnv: 'TRUCE_TEST_KEY' }, { env: { TRUCE_TEST_KEY: CANARY }, cache: new DiskResponseCache(dir.path) });
      await good.client.chat({ messages: user('hello') }, { phase: 'rollout', agent: 'planner' });
      await callStructured(good.client, { messages: user('count'), schema: z.object({ n: z.number() }), schemaName: 'n' }, { phase: 'phi' });
      // The key reached the server, so the scan below is meaningful.
      assert.ok(server.chatRequests().every((r) => r.headers['authorization'] === `Bearer ${CANARY}`));

      // A second client whose key the server rejects and echoes back in full.
      const wrongKey = `${CANARY}-wrong`;
      const bad = makeHarness({ baseUrl: server.url, apiKeyEnv: 'K' }, { env: { K: wrongKey }, cache: new DiskResponseCache(dir.path) });
      await bad.client.chat({ messages: user('again?') }, { phase: 'rollout' }).catch((e: unknown) => {
        assert.ok(e instanceof LlmError && e.kind === 'auth');
        errors.push(e.message, String(e.stack));
      });
      assert.equal(errors.length, 2);

      const files = readTree(dir.path);
      assert.ok(files.length >= 3);
      const records = JSON.stringify([...good.records, ...bad.records]);
      assert.ok(bad.records[0]?.error, 'the failure was recorded');
      for (const { path, text } of files) assert.ok(!text.includes('sk-canary'), `key fragment in ${path}`);
      assert.ok(!records.includes('sk-canary'), 'key fragment in call records');
      for (const text of errors) assert.ok(!text.includes('sk-canary'), `key fragment in error: ${text}`);
      assert.ok(!JSON.stringify(good.client).includes('sk-canary'), 'serialising a client shows no key');
    } finally {
      dir.remove();
    }
  });

  it('scrubs exact keys, their prefixes and key-shaped strings', () => {
    const text = `bad key ${CANARY}, masked sk-canar****0aa55, header Bearer abc.def-123456`;
    const scrubbed = scrubSecrets(text, [CANARY]);
    assert.ok(!scrubbed.includes('canary') && !scrubbed.includes('abc.def'), scrubbed);
  });
});
