/**
 * A run store that cannot be written ends with what is wrong and what to do, never a raw EEXIST or
 * ENOSPC, and loses no finished work: `.truce/runs` being a file, and a full disk in a resumed run.
 * The disk is made full for real: while the resuming process waits at the test-only pause after
 * reading the run (src/core/testPause.ts), its journal is replaced by a link to /dev/full, which
 * answers every write with ENOSPC.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/runCli';
import { describeStoreError, loadRun, RUN_FILES, runsDir } from '../../../src/core/store';
import { Barrier, REPO, spawnCli } from '../../support/cliProcess';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { debateResponder, debateWorkspace, exampleTasks, type Workspace } from '../run/debateWorkspace';

const TASKS = exampleTasks();

async function cli(args: string[], cwd: string, onStderr?: (t: string, abort: () => void) => void) {
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
    env: {},
    signal: controller.signal,
  });
  return { code, stdout, stderr };
}

describe('a run store that cannot be written', function () {
  this.timeout(60_000);
  let server: FakeOpenAiServer;
  let ws: Workspace;
  before(() => execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, stdio: 'ignore' }));
  beforeEach(async () => {
    server = await start({ responder: debateResponder(TASKS) });
    ws = debateWorkspace(server.url);
  });
  afterEach(async () => {
    await server.close();
    ws.remove();
  });

  it('.truce/runs is a file: says so and what to do', async () => {
    mkdirSync(join(ws.dir, '.truce'), { recursive: true });
    writeFileSync(runsDir(ws.dir), 'not a folder');
    const r = await cli(['run', '--limit', '2'], ws.dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\.truce\/runs is a file, not a folder.*move it away or delete it/);
    assert.doesNotMatch(r.stderr, /EEXIST|ENOTDIR/);
  });

  it('a full disk mid-run: a clear message, the finished tasks kept, and the run resumable', async function () {
    if (!existsSync('/dev/full')) this.skip();
    const first = await cli(['run', '--concurrency', '1'], ws.dir, (t, abort) => t.startsWith('[') && abort());
    const id = (JSON.parse(first.stdout) as { runId: string }).runId;
    const finished = (await loadRun(ws.dir, id)).trajectories.length;
    assert.ok(finished >= 1);
    const journal = join(runsDir(ws.dir), id, RUN_FILES.journal);
    const barrier = new Barrier();
    let full;
    try {
      const resume = spawnCli(['run', '--resume', id], ws.dir, barrier.env);
      await barrier.gather('resume', [resume]);
      rmSync(journal);
      symlinkSync('/dev/full', journal);
      barrier.release();
      full = { code: await resume.exited, ...resume.output() };
    } finally {
      // Space again (and nothing may read /dev/full: it never ends).
      rmSync(journal, { force: true });
      barrier.release();
      barrier.remove();
    }
    assert.equal(full.code, 1, full.stderr);
    assert.match(full.stderr, /the disk is full/);
    assert.match(full.stderr, new RegExp(`free some space, then resume with \`truce run --resume ${id}\``));
    assert.doesNotMatch(full.stderr, /^truce run: ENOSPC/m);
    assert.equal((await loadRun(ws.dir, id)).trajectories.length, finished, 'the finished tasks are kept');

    // With space again, the resume finishes the run.
    const resumed = await cli(['run', '--resume', id], ws.dir);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal((await loadRun(ws.dir, id)).trajectories.length, 20);
  });
});

describe('what a store failure tells the user', () => {
  it('says what to do for a folder where a run file belongs, and for a failure it has no words of its own for', () => {
    const folder = Object.assign(new Error("EISDIR: illegal operation on a directory, open '/ws/.truce/runs/r/trajectories.jsonl'"), { code: 'EISDIR' });
    assert.equal(
      describeStoreError(folder, '/ws/.truce/runs/r/trajectories.jsonl', '/ws', 'truce run --resume r'),
      'Cannot write .truce/runs/r/trajectories.jsonl: a folder is where TRUCE keeps that file. Move the folder away, then resume with `truce run --resume r` (finished tasks are kept and not run again).',
    );
    const odd = Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
    assert.match(describeStoreError(odd, '/ws/.truce/runs/r/journal.jsonl', '/ws'), /^Cannot write \.truce\/runs\/r\/journal\.jsonl: EIO: i\/o error, write\. Fix what the system reports, then run again\.$/);
  });
});
