import { strict as assert } from 'node:assert';
import { Budget } from '../../../src/core/llm/budget';
import { LlmError } from '../../../src/core/llm/errors';
import { DiskResponseCache } from '../../../src/core/llm/responseCache';
import { start, type FakeOpenAiServer, type FakeReply } from '../../support/fakeOpenAiServer';
import { makeHarness, tempDir, user } from './helpers';

/** A responder whose replies wait until the test opens the gate, so calls overlap for sure. */
function gatedResponder(): { respond: () => Promise<FakeReply>; open: () => void; reached: Promise<void> } {
  let open!: () => void;
  let arrived!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  return {
    respond: async () => {
      arrived();
      await gate;
      return { content: 'the shared reply', usage: { prompt_tokens: 20, completion_tokens: 5 } };
    },
    open,
    reached,
  };
}

/** Resolves once `count` callers are waiting for another's call. */
async function followersWaiting(inFlight: { joined: number }, count: number): Promise<void> {
  while (inFlight.joined < count) await new Promise((resolve) => setImmediate(resolve));
}

describe('llm identical requests in flight are answered by one call', () => {
  let server: FakeOpenAiServer;
  let dir: ReturnType<typeof tempDir>;
  beforeEach(async () => {
    server = await start();
    dir = tempDir('inflight');
  });
  afterEach(async () => {
    await server.close();
    dir.remove();
  });

  it('two overlapping identical calls send one request, pay once and both get the reply', async () => {
    const gated = gatedResponder();
    server.setResponder(gated.respond);
    const budget = new Budget({ maxCalls: 10 });
    const { client, records, services } = makeHarness({ baseUrl: server.url }, { cache: new DiskResponseCache(dir.path), budget });
    const first = client.chat({ messages: user('same question') }, { phase: 'rollout', agent: 'solver' });
    const second = client.chat({ messages: user('same question') }, { phase: 'rollout', agent: 'solver' });
    await gated.reached;
    await followersWaiting(services.inFlight, 1);
    gated.open();
    const results = await Promise.all([first, second]);
    assert.equal(server.chatRequests().length, 1);
    assert.deepEqual(results.map((r) => r.content), ['the shared reply', 'the shared reply']);
    assert.deepEqual(results.map((r) => r.cached).sort(), [false, true]);
    assert.equal(budget.snapshot().spent.calls, 1);
    assert.equal(records.length, 2, 'each call still ends in one record');
    assert.deepEqual(records.map((r) => r.cached).sort(), [false, true]);
    assert.equal(services.inFlight.size, 0, 'nothing left behind');
  });

  it('when the leading call fails, the waiting caller makes its own call', async () => {
    let calls = 0;
    let arrived!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    server.setResponder(async () => {
      calls++;
      if (calls === 1) {
        arrived();
        await gate;
        return { error: { status: 400, message: 'bad request for the first caller' } };
      }
      return { content: 'answered on its own' };
    });
    const { client, services } = makeHarness({ baseUrl: server.url }, { cache: new DiskResponseCache(dir.path) });
    const first = client.chat({ messages: user('q') }, { phase: 'rollout' });
    const second = client.chat({ messages: user('q') }, { phase: 'rollout' });
    await reached;
    await followersWaiting(services.inFlight, 1);
    release();
    const [a, b] = await Promise.allSettled([first, second]);
    assert.equal(a.status, 'rejected');
    assert.equal(b.status, 'fulfilled');
    assert.equal(b.status === 'fulfilled' && b.value.content, 'answered on its own');
    assert.equal(b.status === 'fulfilled' && b.value.cached, false);
    assert.equal(server.chatRequests().length, 2);
  });

  it('a waiting caller that is cancelled leaves, and the leading call goes on', async () => {
    const gated = gatedResponder();
    server.setResponder(gated.respond);
    const { client, services } = makeHarness({ baseUrl: server.url }, { cache: new DiskResponseCache(dir.path) });
    const first = client.chat({ messages: user('q') }, { phase: 'rollout' });
    await gated.reached;
    const controller = new AbortController();
    const second = client.chat({ messages: user('q') }, { phase: 'rollout', signal: controller.signal });
    await followersWaiting(services.inFlight, 1);
    controller.abort(new Error('the user cancelled'));
    await assert.rejects(second, (e: unknown) => e instanceof LlmError && e.kind === 'aborted');
    gated.open();
    assert.equal((await first).content, 'the shared reply');
    assert.equal(server.chatRequests().length, 1);
  });

  it('repeats of one request (another sample index) and calls without a cache stay separate calls', async () => {
    const gated = gatedResponder();
    server.setResponder(gated.respond);
    const cached = makeHarness({ baseUrl: server.url }, { cache: new DiskResponseCache(dir.path) });
    const repeats = [0, 1].map((sample) => cached.client.chat({ messages: user('q'), sample }, { phase: 'rollout' }));
    const uncached = makeHarness({ baseUrl: server.url });
    const fresh = [0, 1].map(() => uncached.client.chat({ messages: user('q') }, { phase: 'rollout' }));
    await gated.reached;
    gated.open();
    await Promise.all([...repeats, ...fresh]);
    assert.equal(server.chatRequests().length, 4);
  });
});
