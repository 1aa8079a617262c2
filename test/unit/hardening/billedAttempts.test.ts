/**
 * Found by bench/hardening/optimizeFaults.ts: under 30% faults the server billed ~6% more calls and
 * tokens than `truce optimize` counted, because a reply the server produced but the client could
 * not read (garbled or cut-off body) was retried without being charged. Those attempts are billed
 * by providers, so they must count against the budget, and the retry must fit it before it is sent.
 */
import { strict as assert } from 'node:assert';
import { Accounting } from '../../../src/core/llm/accounting';
import { Budget } from '../../../src/core/llm/budget';
import { BudgetExceededError } from '../../../src/core/llm/errors';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { makeHarness, user } from '../llm/helpers';

describe('hardening: billed attempts with unreadable replies', () => {
  let server: FakeOpenAiServer;
  afterEach(async () => {
    await server.close();
  });

  it('counts an unreadable billed reply as a call and charges its estimate', async () => {
    server = await start({ responder: () => 'fine', faults: { script: ['truncated-body'] } });
    const budget = new Budget({ maxCalls: 10 });
    const { client, records } = makeHarness({ baseUrl: server.url, maxTokens: 50 }, { budget });
    const result = await client.chat({ messages: user('hello') }, { phase: 'test' });
    assert.equal(result.content, 'fine');
    assert.equal(records.length, 1);
    assert.equal(records[0].billedRetries, 1);
    assert.equal(records[0].usage.estimated, true);
    // The billed failure is charged at the reply-size estimate on top of the real reply.
    const billedByServer = server.chatRequests().filter((r) => r.usage !== undefined).length;
    assert.equal(billedByServer, 2);
    assert.ok(records[0].usage.outputTokens >= 50);
    const accounting = new Accounting();
    accounting.record(records[0]);
    assert.equal(accounting.snapshot().total.calls, 2);
    assert.equal(budget.snapshot().spent.calls, 2);
    assert.equal(budget.snapshot().reserved.calls, 0);
  });

  it('does not send a retry the call budget has no room for', async () => {
    server = await start({ responder: () => 'fine', faults: { script: ['malformed-body'] } });
    const budget = new Budget({ maxCalls: 1 });
    const { client, records } = makeHarness({ baseUrl: server.url }, { budget });
    await assert.rejects(client.chat({ messages: user('hello') }, { phase: 'test' }), BudgetExceededError);
    assert.equal(server.chatRequests().length, 1);
    assert.equal(budget.snapshot().spent.calls, 1);
    assert.equal(budget.snapshot().reserved.calls, 0);
    // The one billed attempt is the call itself: counted once, in the budget and the accounting.
    assert.equal(records[0].billedRetries, undefined);
    const accounting = new Accounting();
    accounting.record(records[0]);
    assert.equal(accounting.snapshot().total.calls, 1);
  });

  it('keeps the budget and the accounting equal to the server bill when every attempt is unreadable', async () => {
    server = await start({ responder: () => 'fine', faults: { script: ['truncated-body', 'malformed-body', 'truncated-body'] } });
    const budget = new Budget({ maxCalls: 10 });
    const { client, records } = makeHarness({ baseUrl: server.url }, { budget, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 } });
    await assert.rejects(client.chat({ messages: user('hello') }, { phase: 'test' }));
    const billedByServer = server.chatRequests().filter((r) => r.usage !== undefined).length;
    assert.equal(billedByServer, 3);
    assert.equal(budget.snapshot().spent.calls, 3);
    const accounting = new Accounting();
    accounting.record(records[0]);
    assert.equal(accounting.snapshot().total.calls, 3);
  });

  it('charges nothing extra for faults that are not billed (429, 5xx)', async () => {
    server = await start({ responder: () => 'fine', faults: { script: [{ kind: 'rate-limit', retryAfterMs: 1 }, 'server-error'] } });
    const budget = new Budget({ maxCalls: 1 });
    const { client, records } = makeHarness({ baseUrl: server.url }, { budget, retry: { baseDelayMs: 1, maxDelayMs: 1 } });
    const result = await client.chat({ messages: user('hello') }, { phase: 'test' });
    assert.equal(result.attempts, 3);
    assert.equal(records[0].billedRetries, undefined);
    assert.equal(budget.snapshot().spent.calls, 1);
  });
});
