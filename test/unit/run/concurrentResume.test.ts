/**
 * A run folder belongs to one process. Two `truce run --resume RUN` started together both stop at
 * the test-only pause between reading the run and writing to it (src/core/testPause.ts) unless one
 * of them is refused first; either way they meet, every time. Exactly one resumes, the other is
 * refused naming the pid that holds the run, and no task runs (or is paid for) twice. A lock left
 * by a process that died is taken over.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/runCli';
import { loadRun, RUN_LOCK_FILE, runsDir } from '../../../src/core/store';
import { Barrier, REPO, spawnCli } from '../../support/cliProcess';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { debateResponder, debateWorkspace, exampleTasks, taskOfRequest, type Workspace } from './debateWorkspace';

const TASKS = exampleTasks();
/** Calls of one debate task: two roles over two rounds, two aggregations, the judge. */
const CALLS_PER_TASK = 7;

async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv, onStderr?: (t: string, abort: () => void) => void) {
  const controller = new AbortController();
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => {
      stderr += t;
      onStderr?.(t, () => controller.abort());
    },
    cwd,
    env,
    signal: controller.signal,
  });
  return { code, stdout, stderr };
}

describe('one process per run folder', function () {
  this.timeout(120_000);
  let server: FakeOpenAiServer;
  let ws: Workspace;
  before(() => execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, stdio: 'ignore' }));
  beforeEach(async () => {
    server = await start({ responder: debateResponder(TASKS), baseLatencyMs: 5 });
    ws = debateWorkspace(server.url);
  });
  afterEach(async () => {
    await server.close();
    ws.remove();
  });

  /** A run cancelled after its first task: 19 tasks left to resume. */
  async function interruptedRun(): Promise<string> {
    const r = await cli(['run', '--concurrency', '1'], ws.dir, {}, (t, abort) => t.startsWith('[') && abort());
    assert.equal(r.code, 1, r.stderr);
    return (JSON.parse(r.stdout) as { runId: string }).runId;
  }

  it('two resumes at once: one runs, the other is refused with the pid, and no task runs twice', async () => {
    const id = await interruptedRun();
    const before = await loadRun(ws.dir, id);
    const pending = 20 - before.trajectories.length;
    const mark = server.chatRequests().at(-1)?.seq ?? 0;
    const barrier = new Barrier();
    try {
      const procs = [0, 1].map(() => spawnCli(['run', '--resume', id], ws.dir, barrier.env));
      await barrier.gather('resume', procs);
      barrier.release();
      const codes = await Promise.all(procs.map((p) => p.exited));
      const all = procs.map((p) => p.output().stderr).join('\n---\n');
      assert.deepEqual([...codes].sort(), [0, 1], all);
      const winner = procs[codes.indexOf(0)];
      const loser = procs[codes.indexOf(1)];
      assert.match(loser.output().stderr, new RegExp(`run ${id} is being resumed by pid ${winner.child.pid}\\b`), all);

      const later = server.chatRequests().filter((r) => r.seq > mark);
      const perTask = new Map<string, number>();
      for (const r of later) {
        const task = taskOfRequest((r.body as { messages: Array<{ content: string }> }).messages, TASKS);
        if (task) perTask.set(task.id, (perTask.get(task.id) ?? 0) + 1);
      }
      for (const [task, calls] of perTask) assert.ok(calls <= CALLS_PER_TASK, `${task} was asked ${calls} times`);
      assert.ok(later.length <= pending * CALLS_PER_TASK + 1, `${later.length} requests for ${pending} pending tasks`);
      const run = await loadRun(ws.dir, id);
      assert.deepEqual(run.problems, []);
      assert.equal(run.trajectories.length, 20);
      assert.equal(new Set(run.trajectories.map((t) => t.taskId)).size, 20);
      assert.equal(existsSync(join(runsDir(ws.dir), id, RUN_LOCK_FILE)), false, 'the lock is released');
    } finally {
      barrier.release();
      barrier.remove();
    }
  });

  it('takes over the lock of a process that died', async () => {
    const id = await interruptedRun();
    // A pid that surely no longer runs: a process that has ended.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const lock = join(runsDir(ws.dir), id, RUN_LOCK_FILE);
    writeFileSync(lock, JSON.stringify({ pid: Number(dead.stdout), host: hostname(), startedAt: '2020-01-01T00:00:00.000Z', purpose: 'resume', token: 'dead' }));
    const r = await cli(['run', '--resume', id], ws.dir, {});
    assert.equal(r.code, 0, r.stderr);
    assert.equal(existsSync(lock), false);
  });

  it('a live holder is named in the refusal', async () => {
    const id = await interruptedRun();
    const lock = join(runsDir(ws.dir), id, RUN_LOCK_FILE);
    writeFileSync(lock, JSON.stringify({ pid: process.ppid, host: hostname(), startedAt: '2020-01-01T00:00:00.000Z', purpose: 'resume', token: 'alive' }));
    const r = await cli(['run', '--resume', id], ws.dir, {});
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`run ${id} is being resumed by pid ${process.ppid} \\(since 2020-01-01T00:00:00.000Z\\)`));
    assert.ok(existsSync(lock), 'another process\'s lock is left alone');
  });
});
