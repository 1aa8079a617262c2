import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LlmClient } from '../../../src/core/llm/client';
import { DiskResponseCache } from '../../../src/core/llm/responseCache';
import { createLlmServices } from '../../../src/core/llm/services';
import { BATCH_PRICE_FACTOR } from '../../../src/core/llm/batch/batchQueue';
import { BATCH_LEDGER_FILE, readBatchEvents } from '../../../src/core/llm/batch/batchLedger';
import type { EndpointConfig } from '../../../src/core/llm/endpoint';
import { runMas, type RunMasOptions } from '../../../src/core/run';
import { loadRun } from '../../../src/core/store';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { debateResponder, debateWorkspace, exampleTasks, taskOfRequest, type Workspace } from '../run/debateWorkspace';

const FAST = { TRUCE_BATCH_POLL_MS: '2', TRUCE_BATCH_COLLECT_MS: '20' };
/** For tests whose figures assume one batch: a collection window a loaded machine cannot outrun. */
const ONE_BATCH = { ...FAST, TRUCE_BATCH_COLLECT_MS: '1000' };
const ask = (i: number) => ({ messages: [{ role: 'user' as const, content: `question ${i}` }] });

/** The user message of each line of each batch the fake received, batch by batch, line by line. */
function batchInputs(server: FakeOpenAiServer): string[][] {
  return [...server.batches.batches.values()].map((batch) =>
    (server.batches.files.get(batch.inputFileId) ?? '')
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => (JSON.parse(line) as { body: { messages: Array<{ content: string }> } }).body.messages[0]!.content),
  );
}

describe('batch mode (llm.<role>.batch: true) against the fake Batch API', function () {
  this.timeout(60_000);
  let server: FakeOpenAiServer;
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'truce-batch-'))));
  afterEach(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function client(config: Partial<EndpointConfig> = {}, cacheMode: 'read-write' | 'off' = 'read-write', env: Record<string, string> = FAST) {
    const services = createLlmServices({ env, ...(cacheMode === 'off' ? { cacheMode } : { cache: new DiskResponseCache(join(dir, 'cache')) }) });
    const endpoint: EndpointConfig = { baseUrl: server.url, model: 'fake-model', pricePer1kInput: 1, pricePer1kOutput: 2, batch: true, ...config };
    return { llm: new LlmClient('optimizer', endpoint, services), services };
  }

  it('sends calls issued together as one batch, at half the price, cached under the keys online calls use', async () => {
    server = await start({ responder: (r) => `answer to ${r.lastUser}` });
    const { llm, services } = client({}, 'read-write', ONE_BATCH);
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => llm.chat(ask(i), { phase: 'phi' })));
    assert.deepEqual(results.map((r) => r.content), [0, 1, 2, 3, 4].map((i) => `answer to question ${i}`));
    assert.equal(server.chatRequests().length, 0, 'nothing went online');
    assert.equal(server.batches.batches.size, 1, 'one batch for the five');
    assert.equal(server.batches.linesAnswered, 5);
    const stats = services.batchQueues.get(`${server.url}#fake-model`)?.stats;
    assert.deepEqual(stats, { batches: 1, requests: 5, adopted: 0, answered: 5, unanswered: 0 });

    // The same requests online: every one is a cache hit (the key does not depend on the transport).
    const online = client({ batch: false });
    const again = await Promise.all([0, 1, 2, 3, 4].map((i) => online.llm.chat(ask(i), { phase: 'phi' })));
    assert.ok(again.every((r) => r.cached));
    assert.deepEqual(again.map((r) => r.requestHash), results.map((r) => r.requestHash));

    // Half price: the same reply online costs twice as much.
    const fresh = client({ batch: false }, 'off');
    const paid = await fresh.llm.chat(ask(0), { phase: 'phi' });
    assert.ok(paid.costUsd > 0);
    assert.ok(Math.abs(results[0]!.costUsd - paid.costUsd * BATCH_PRICE_FACTOR) < 1e-12, `${results[0]!.costUsd} vs ${paid.costUsd}`);
  });

  it('partial failures: lines the batch could not answer go online, every call succeeds', async () => {
    server = await start({ responder: (r) => `answer to ${r.lastUser}`, batch: { failEvery: 3 } });
    const { llm, services } = client({}, 'read-write', ONE_BATCH);
    const results = await Promise.all(Array.from({ length: 9 }, (_, i) => llm.chat(ask(i), { phase: 'psi' })));
    assert.deepEqual(results.map((r) => r.content), Array.from({ length: 9 }, (_, i) => `answer to question ${i}`));
    // The fake fails every third line of each batch file. Which calls those are depends on the
    // order the calls reached the queue (each first looks in the cache), and on a loaded machine
    // the nine can even fall into two batches; the lines the fake failed must be the ones sent online.
    const failed = batchInputs(server).flatMap((questions) => questions.filter((_, i) => (i + 1) % 3 === 0));
    const batches = batchInputs(server).length;
    assert.ok(failed.length > 0, 'a batch of three lines or more, so the fake failed some');
    assert.equal(server.chatRequests().length, failed.length, 'the failed lines, sent online');
    assert.deepEqual(services.batchQueues.get(`${server.url}#fake-model`)?.stats, { batches, requests: 9, adopted: 0, answered: 9 - failed.length, unanswered: failed.length });
    const online = new Set(server.chatRequests().map((q) => (q.body as { messages: Array<{ content: string }> }).messages[0]!.content));
    assert.deepEqual([...online].sort(), failed.sort());
  });

  it('an expired batch: the answered part is used, the rest goes online', async () => {
    server = await start({ responder: (r) => `answer to ${r.lastUser}`, batch: { expireAfter: 2 } });
    const { llm, services } = client({}, 'read-write', ONE_BATCH);
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => llm.chat(ask(i), { phase: 'judge' })));
    assert.deepEqual(results.map((r) => r.content), [0, 1, 2, 3, 4].map((i) => `answer to question ${i}`));
    assert.equal(server.chatRequests().length, 3);
    const batched = results.filter((r) => server.chatRequests().every((q) => !JSON.stringify(q.body).includes(r.content.replace('answer to ', ''))));
    assert.equal(batched.length, 2);
    assert.equal(services.batchQueues.get(`${server.url}#fake-model`)?.stats.unanswered, 3);
  });

  it('an endpoint without a Batch API fails the call and says what to change', async () => {
    server = await start({ batch: { unsupported: true } });
    const { llm } = client();
    await assert.rejects(llm.chat(ask(1), { phase: 'phi' }), /Batch mode: could not upload the batch input file: .*no Batch API .*remove `batch: true`/);
    assert.equal(server.chatRequests().length, 0);
  });

  it('the probe stays online; the Azure routes take the same batch', async () => {
    server = await start({ responder: (r) => `answer to ${r.lastUser}` });
    const { llm } = client({ baseUrl: `${server.origin}/openai`, azureApiVersion: '2024-10-21', apiKeyEnv: 'NONE_NEEDED' });
    const probe = await llm.chat(ask(9), { phase: 'probe', purpose: 'probe' });
    assert.equal(probe.content, 'answer to question 9');
    assert.equal(server.chatRequests().length, 1, 'the probe went online');
    const [a, b] = await Promise.all([llm.chat(ask(1), { phase: 'phi' }), llm.chat(ask(2), { phase: 'phi' })]);
    assert.deepEqual([a.content, b.content], ['answer to question 1', 'answer to question 2']);
    assert.equal(server.batches.batches.size, 1);
    const input = [...server.batches.files.values()][0]!;
    assert.match(input, /"url":"\/chat\/completions"/, 'Azure batch lines name the deployment route');
    assert.ok(server.requests.some((r) => r.path.startsWith('/openai/batches?api-version=2024-10-21')));
  });

  it('a pending batch the endpoint no longer knows is not fatal: its calls go online', async () => {
    server = await start({ responder: (r) => `answer to ${r.lastUser}` });
    const plain = client({ batch: false }, 'off');
    const key = (await plain.llm.chat(ask(7), { phase: 'phi' })).requestHash;
    const mark = server.chatRequests().length;
    const ledger = { record: () => undefined, pending: () => [{ batchId: 'batch_gone', endpointId: `${server.url}#fake-model`, keys: [key] }] };
    const services = createLlmServices({ env: FAST, cacheMode: 'off', batch: { ledger } });
    const llm = new LlmClient('optimizer', { baseUrl: server.url, model: 'fake-model', batch: true }, services);
    const result = await llm.chat(ask(7), { phase: 'phi' });
    assert.equal(result.content, 'answer to question 7');
    assert.equal(server.chatRequests().length, mark + 1, 'sent online once');
    assert.equal(services.batchQueues.get(`${server.url}#fake-model`)?.stats.adopted, 1);
  });

  describe('a run interrupted with a batch pending', () => {
    let ws: Workspace;
    afterEach(() => ws.remove());

    it('writes the batch id into the run folder and picks the batch up on --resume instead of paying again', async () => {
      const tasks = exampleTasks();
      server = await start({ responder: debateResponder(tasks, new Set()), batch: { pollsUntilDone: Infinity } });
      ws = debateWorkspace(server.url, (y) => y.replace('    seed: 1\n', '    seed: 1\n    batch: true\n'));
      const abort = new AbortController();
      const options = (extra: Partial<RunMasOptions>): RunMasOptions => ({ config: ws.config(), configFile: 'truce.yaml', workspaceRoot: ws.dir, trusted: true, env: FAST, toolVersion: 'test', limit: 2, ...extra });
      // Cancel once the first batch is being polled (its status read twice).
      const watcher = setInterval(() => {
        const first = [...server.batches.batches.values()][0];
        if (first && first.polls >= 2) abort.abort();
      }, 5);
      let first;
      try {
        first = await runMas(options({ signal: abort.signal }));
      } finally {
        clearInterval(watcher);
      }
      assert.equal(first.status, 'cancelled');
      const runDir = join(ws.dir, '.truce/runs', first.runId);
      assert.ok(existsSync(join(runDir, BATCH_LEDGER_FILE)));
      const events = readBatchEvents(runDir);
      const pending = events.filter((e) => e.event === 'created');
      assert.ok(pending.length >= 1 && events.every((e) => e.event === 'created'), JSON.stringify(events));
      assert.equal(server.batches.batches.size, pending.length, 'every batch submitted is written down');
      const keys = pending.flatMap((e) => (e.event === 'created' ? e.keys : []));
      const onlineBefore = server.chatRequests().length;

      // The batches finish while nobody watches; the resume reads them instead of sending their requests again.
      server.batches.options.pollsUntilDone = 0;
      const resumed = await runMas(options({ resumeRunId: first.runId, limit: undefined }));
      assert.equal(resumed.status, 'completed');
      assert.equal((await loadRun(ws.dir, first.runId)).trajectories.length, 2);
      const after = readBatchEvents(runDir);
      for (const p of pending) assert.ok(after.some((e) => e.event === 'finished' && e.batchId === p.batchId), `batch ${p.batchId} was adopted and read`);
      const laterInputs = [...server.batches.batches.values()].slice(pending.length).map((b) => server.batches.files.get(b.inputFileId) ?? '');
      assert.ok(laterInputs.length > 0, 'later steps made batches of their own');
      assert.equal(laterInputs.filter((text) => keys.some((k) => text.includes(`"custom_id":"${k}"`))).length, 0, 'no pending request was batched again');
      // Online, the resume sent only its reachability probe: no call of any task.
      const online = server.chatRequests().slice(onlineBefore);
      assert.ok(online.length <= 1);
      assert.ok(online.every((q) => taskOfRequest((q.body as { messages: Array<{ content: string }> }).messages, tasks) === undefined), 'no task call went online');
      assert.ok(readFileSync(join(runDir, BATCH_LEDGER_FILE), 'utf8').includes(pending[0]!.batchId));
    });
  });
});
