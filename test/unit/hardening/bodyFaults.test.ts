/**
 * Found by bench/hardening/optimizeFaults.ts: a connection that drops while the body of a 200 is
 * being read reached the caller as an unclassified, non-retryable error ("failed: terminated"),
 * and one such reply ended a whole `truce optimize` run. It must be retried like a reset.
 */
import { strict as assert } from 'node:assert';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { makeHarness, user } from '../llm/helpers';

describe('hardening: HTTP bodies that break mid-way', () => {
  let server: FakeOpenAiServer;
  afterEach(async () => {
    await server.close();
  });

  it('retries a reply whose body is cut off after the headers, and answers from the next attempt', async () => {
    server = await start({ responder: () => 'fine', faults: { script: ['truncated-body'] } });
    const { client, records } = makeHarness({ baseUrl: server.url });
    const result = await client.chat({ messages: user('hello') }, { phase: 'test' });
    assert.equal(result.content, 'fine');
    assert.equal(result.attempts, 2);
    assert.equal(server.chatRequests().length, 2);
    assert.equal(server.chatRequests()[0].fault, 'truncated-body');
    assert.equal(records.length, 1);
    assert.equal(records[0].error, undefined);
  });

  it('retries a 200 whose body is not JSON', async () => {
    server = await start({ responder: () => 'fine', faults: { script: ['malformed-body'] } });
    const { client } = makeHarness({ baseUrl: server.url });
    const result = await client.chat({ messages: user('hello') }, { phase: 'test' });
    assert.equal(result.content, 'fine');
    assert.equal(result.attempts, 2);
  });

  it('reports a body that keeps breaking as a retryable connection failure, not an unknown error', async () => {
    server = await start({ responder: () => 'fine', faults: { script: ['truncated-body', 'truncated-body', 'truncated-body'] } });
    const { client } = makeHarness({ baseUrl: server.url }, { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 } });
    await assert.rejects(client.chat({ messages: user('hello') }, { phase: 'test' }), (error: Error & { kind?: string }) => {
      assert.equal(error.kind, 'connection');
      assert.match(error.message, /broke while the reply was being read/);
      return true;
    });
    assert.equal(server.chatRequests().length, 3);
  });
});
