/**
 * Found by bench/hardening/crashResume.ts: after a kill -9, `truce optimize --resume` re-ran the
 * rollouts of the unfinished round as new runs — every task of a finished rollout executed and
 * stored again (322 task rollouts over 20 kills), and the tasks an interrupted rollout had
 * finished were lost with it. runMas({ reuseMatching }) takes the stored run instead: as it is
 * when it completed, resumed when it was cut short. The cache is off here, so a task that runs
 * again shows up as requests at the server.
 */
import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { loadRun, runsDir } from '../../../src/core/store';
import { runMas, type RunMasOptions } from '../../../src/core/run';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { debateResponder, debateWorkspace, exampleTasks, taskOfRequest, type Workspace } from '../run/debateWorkspace';

const TASKS = exampleTasks();

function options(ws: Workspace, extra: Partial<RunMasOptions> = {}): RunMasOptions {
  return { config: ws.config(), workspaceRoot: ws.dir, trusted: true, env: {}, toolVersion: 'test', cacheMode: 'off', probe: false, ...extra };
}

/** Requests after `since` about tasks in `ids`. */
function requestsAbout(server: FakeOpenAiServer, since: number, ids: ReadonlySet<string>): number {
  return server
    .chatRequests()
    .slice(since)
    .filter((r) => {
      const messages = (r.body as { messages?: Array<{ content: string }> }).messages ?? [];
      const task = taskOfRequest(messages, TASKS);
      return task !== undefined && ids.has(task.id);
    }).length;
}

describe('hardening: runMas reuses a run the store already holds', function () {
  this.timeout(30_000);
  let server: FakeOpenAiServer;
  let ws: Workspace;

  beforeEach(async () => {
    server = await start({ responder: debateResponder(TASKS) });
    ws = debateWorkspace(server.url);
  });
  afterEach(async () => {
    await server.close();
    ws.remove();
  });

  it('returns a completed run as it is: no request, no new run folder, nothing charged', async () => {
    const first = await runMas(options(ws, { split: 'train', reuseMatching: true }));
    assert.equal(first.status, 'completed');
    assert.equal(first.reused, undefined);
    const mark = server.chatRequests().length;
    const again = await runMas(options(ws, { split: 'train', reuseMatching: true }));
    assert.equal(again.reused, true);
    assert.equal(again.runId, first.runId);
    assert.equal(server.chatRequests().length, mark);
    assert.equal(readdirSync(runsDir(ws.dir)).length, 1);
    assert.equal(again.summary.invocation?.usage.calls, 0);
    assert.equal(again.summary.scores.all.meanScore, first.summary.scores.all.meanScore);
    assert.equal((await loadRun(ws.dir, first.runId)).manifest.invocations, 1);
  });

  it('resumes an interrupted run, so the tasks it finished are not run again', async () => {
    const controller = new AbortController();
    const cut = await runMas(
      options(ws, {
        reuseMatching: true,
        concurrency: 2,
        signal: controller.signal,
        onProgress: (e) => {
          if (e.type === 'task' && e.done >= 5) controller.abort();
        },
      }),
    );
    assert.equal(cut.status, 'cancelled');
    const finished = new Set((await loadRun(ws.dir, cut.runId)).trajectories.map((t) => t.taskId));
    assert.ok(finished.size >= 5);
    const mark = server.chatRequests().length;
    const resumed = await runMas(options(ws, { reuseMatching: true }));
    assert.equal(resumed.runId, cut.runId);
    assert.equal(resumed.status, 'completed');
    assert.equal(requestsAbout(server, mark, finished), 0, 'no request about a task finished before the interruption');
    const run = await loadRun(ws.dir, cut.runId);
    assert.equal(run.trajectories.length, TASKS.length);
    assert.deepEqual(run.problems, []);
    assert.equal(run.manifest.invocations, 2);
  });

  it('starts a new run when anything of its identity differs, or when reuse is not asked for', async () => {
    const train = await runMas(options(ws, { split: 'train', reuseMatching: true }));
    const val = await runMas(options(ws, { split: 'val', reuseMatching: true }));
    assert.notEqual(val.runId, train.runId);
    assert.equal(val.reused, undefined);
    const plain = await runMas(options(ws, { split: 'train' }));
    assert.notEqual(plain.runId, train.runId);
    assert.equal(plain.reused, undefined);
  });
});
