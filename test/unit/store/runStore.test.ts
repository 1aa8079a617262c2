import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  listRuns,
  loadRun,
  MANIFEST_FORMAT,
  newRunId,
  RUN_FILES,
  RunNotFoundError,
  RunStore,
  summarizeRun,
  type Manifest,
} from '../../../src/core/store';
import type { Trajectory } from '../../../src/core/trajectory/schema';
import { tempDir } from '../llm/helpers';

function manifest(runId: string, pid = process.pid): Manifest {
  return {
    format: MANIFEST_FORMAT,
    runId,
    createdAt: '2026-11-22T00:45:12.000Z',
    updatedAt: '2026-11-22T00:45:12.000Z',
    status: 'running',
    configHash: 'c'.repeat(64),
    config: {},
    prompts: { hash: 'p'.repeat(64), files: [{ file: 'prompts/a.md', sha256: 'f'.repeat(64), agents: ['a'] }] },
    seed: 0,
    split: { spec: { train: 0.5, val: 0.25, test: 0.25 }, sizes: { train: 2, val: 1, test: 1 } },
    selection: {
      split: 'all',
      taskFile: 'tasks.jsonl',
      taskFileSha256: 't'.repeat(64),
      tasks: [
        { id: 'a', split: 'train' },
        { id: 'b', split: 'train' },
        { id: 'c', split: 'val' },
        { id: 'd', split: 'test' },
      ],
    },
    tools: { truce: 'test', node: process.version, platform: process.platform },
    endpoints: { executor: { baseUrl: 'http://127.0.0.1:1/v1', model: 'm' } },
    cacheMode: 'read-write',
    concurrency: 1,
    pid,
    invocations: 1,
  };
}

function trajectory(runId: string, taskId: string, score: number, failed?: string): Trajectory {
  const details = failed ? { failed: true, reason: failed } : {};
  return { runId, taskId, agents: [], rounds: [], steps: [], usage: { in: 0, out: 0 }, outcome: { score, success: score === 1, details } };
}

const call = (taskId: string, phase: string, agent: string, cached = false) => ({
  ts: '2026-11-22T00:45:13.000Z',
  requestHash: 'h'.repeat(64),
  role: 'executor' as const,
  baseUrl: 'http://127.0.0.1:1/v1',
  model: 'm',
  phase,
  agent,
  purpose: 'call' as const,
  usage: { inputTokens: 10, outputTokens: 5, estimated: false },
  costUsd: cached ? 0 : 0.001,
  latencyMs: 3,
  attempts: cached ? 0 : 1,
  cached,
  taskId,
});

describe('run ids', () => {
  it('are UTC time stamps with a random suffix, so text order is time order', () => {
    assert.equal(newRunId(new Date(Date.UTC(2026, 10, 22, 0, 45, 12)), 'ab12'), '20261122-004512-ab12');
    const ids = [new Date(Date.UTC(2026, 0, 2)), new Date(Date.UTC(2025, 11, 31, 23, 59, 59)), new Date(Date.UTC(2026, 0, 1, 10))].map((d) => newRunId(d));
    assert.deepEqual([...ids].sort(), [ids[1], ids[2], ids[0]]);
    assert.match(newRunId(), /^\d{8}-\d{6}-[0-9a-f]{4}$/);
  });
});

describe('the run store', () => {
  let ws: ReturnType<typeof tempDir>;
  beforeEach(() => (ws = tempDir('store')));
  afterEach(() => ws.remove());

  it('latest is the run created last, also between two runs started in the same second', async () => {
    // Same second, and the later run happens to draw the smaller random suffix.
    await RunStore.create(ws.path, { ...manifest('20261122-004512-ffff'), createdAt: '2026-11-22T00:45:12.100Z' });
    await RunStore.create(ws.path, { ...manifest('20261122-004512-0001'), createdAt: '2026-11-22T00:45:12.900Z' });
    assert.equal((await loadRun(ws.path, 'latest')).manifest.runId, '20261122-004512-0001');
  });

  it('writes the five files and reads them back', async () => {
    const id = '20261122-004512-ab12';
    const store = await RunStore.create(ws.path, manifest(id));
    await store.journal({ event: 'run-started', invocation: 1, pending: 4, skipped: 0 });
    await store.appendTrajectory(trajectory(id, 'a', 1));
    await store.appendTrajectory(trajectory(id, 'c', 0, 'the tool crashed'));
    await store.appendCalls(call('a', 'rollout', 'x'), call('c', 'rollout', 'y', true), call('c', 'judge', 'j'));
    await store.updateManifest({ status: 'completed' });
    const run0 = await loadRun(ws.path, id);
    await store.writeSummary(summarizeRun(run0.manifest, run0.trajectories, run0.calls));
    await store.flush();

    const run = await loadRun(ws.path, 'latest');
    assert.deepEqual(run.problems, []);
    assert.equal(run.state, 'completed');
    assert.deepEqual(run.trajectories.map((t) => t.taskId), ['a', 'c']);
    assert.equal(run.trajectories[0]?.version, 1);
    assert.equal(run.calls.length, 3);
    assert.equal(run.journal[0]?.event, 'run-started');
    const s = run.summary!;
    assert.deepEqual(s.tasks, { planned: 4, finished: 2, failed: 1, remaining: 2 });
    assert.deepEqual(s.scores.train, { tasks: 2, finished: 1, failed: 0, meanScore: 1, successRate: 1 });
    assert.deepEqual(s.scores.val, { tasks: 1, finished: 1, failed: 1, meanScore: 0, successRate: 0 });
    assert.deepEqual(s.scores.test, { tasks: 1, finished: 0, failed: 0, meanScore: null, successRate: null });
    assert.deepEqual(s.failures, [{ taskId: 'c', split: 'val', reason: 'the tool crashed' }]);
    assert.equal(s.usage.total.calls, 2);
    assert.equal(s.usage.total.cachedCalls, 1);
    assert.equal(s.usage.byPhase.judge?.calls, 1);
    assert.equal(s.usage.byAgent.y?.cachedCalls, 1);
    assert.equal(JSON.parse(readFileSync(join(store.dir, RUN_FILES.manifest), 'utf8')).status, 'completed');
  });

  it('refuses a run file that is a link to a device or a pipe instead of reading it forever', async function () {
    if (process.platform === 'win32') this.skip();
    const id = '20261122-004512-de00';
    const store = await RunStore.create(ws.path, manifest(id));
    await store.flush();
    const journal = join(store.dir, RUN_FILES.journal);
    rmSync(journal, { force: true });
    symlinkSync('/dev/zero', journal);
    await assert.rejects(loadRun(ws.path, id), /journal\.jsonl is not a regular file/);
    rmSync(journal);
    spawnSync('mkfifo', [journal]);
    // A named pipe with no writer would block a plain read forever.
    await assert.rejects(loadRun(ws.path, id), /not a regular file/);
  });

  it('reads a run killed mid-write: the torn lines are dropped and reported, and reopening repairs them', async () => {
    const id = '20261122-004512-cd34';
    const store = await RunStore.create(ws.path, manifest(id));
    await store.appendTrajectory(trajectory(id, 'a', 1));
    await store.journal({ event: 'task-finished', taskId: 'a', score: 1, success: true });
    appendFileSync(join(store.dir, RUN_FILES.trajectories), '{"runId":"x","taskId":"b","agen');
    appendFileSync(join(store.dir, RUN_FILES.journal), '{"ts":"2026');

    const run = await loadRun(ws.path, id);
    assert.deepEqual(run.trajectories.map((t) => t.taskId), ['a']);
    assert.equal(run.problems.length, 2);
    assert.match(run.problems[0] ?? '', /^trajectories\.jsonl:2: incomplete last line/);

    const reopened = await RunStore.reopen(store.dir, run.manifest);
    assert.ok(reopened.repairedBytes > 0);
    await reopened.appendTrajectory(trajectory(id, 'b', 1));
    const again = await loadRun(ws.path, id);
    assert.deepEqual(again.problems, []);
    assert.deepEqual(again.trajectories.map((t) => t.taskId), ['a', 'b']);
  });

  it('shows a "running" run whose process is gone as interrupted', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    await RunStore.create(ws.path, manifest('20261122-004512-ef56', dead));
    await RunStore.create(ws.path, manifest('20261122-004513-0000'));
    const runs = await listRuns(ws.path);
    assert.deepEqual(runs.map((r) => [r.runId, r.state]), [
      ['20261122-004512-ef56', 'interrupted'],
      ['20261122-004513-0000', 'running'],
    ]);
  });

  it('refuses a second run with the same id and explains a missing run', async () => {
    await RunStore.create(ws.path, manifest('20261122-004512-ab12'));
    await assert.rejects(RunStore.create(ws.path, manifest('20261122-004512-ab12')), /EEXIST/);
    await assert.rejects(loadRun(ws.path, '20991231-000000-ffff'), RunNotFoundError);
    await assert.rejects(loadRun(ws.path, '../../etc'), /not a run id/);
    const empty = tempDir('empty');
    await assert.rejects(loadRun(empty.path, 'latest'), /No runs in .* yet/);
    // Run folders whose manifest cannot be read are not "no runs": the message says what is there.
    mkdirSync(join(empty.path, '.truce', 'runs', '20261122-004512-ab12'), { recursive: true });
    writeFileSync(join(empty.path, '.truce', 'runs', '20261122-004512-ab12', 'manifest.json'), '{"torn":');
    await assert.rejects(loadRun(empty.path, 'latest'), /None of the 1 run folders in .* has a readable manifest\.json .*name one by its id/);
    empty.remove();
  });
});
