/**
 * An optimize run folder belongs to one process too: two `truce optimize --resume RUN` started
 * together meet at the test-only pause (src/core/testPause.ts) unless one is refused first; one
 * resumes, the other is refused with the holder's pid, and the run's rounds are not doubled.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/runCli';
import { Barrier, REPO, spawnCli } from '../../support/cliProcess';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import type { Workspace } from '../run/debateWorkspace';
import { optimizerResponder, optimizerWorkspace } from './optimizeWorld';

describe('one process per optimize run folder', function () {
  this.timeout(120_000);
  let server: FakeOpenAiServer;
  let ws: Workspace;
  before(() => execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, stdio: 'ignore' }));
  afterEach(async () => {
    await server.close();
    ws.remove();
  });

  it('two resumes at once: one goes on, the other is refused with the pid', async () => {
    server = await start({ responder: optimizerResponder('needs-rule') });
    ws = optimizerWorkspace(server.url);
    let stdout = '';
    let stderr = '';
    const first = await runCli(['optimize', '--rounds', '1', '--top-k', '2', '--batch-size', '2'], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: ws.dir, env: {} });
    assert.equal(first.valueOf(), 0, stderr);
    const id = (JSON.parse(stdout) as { runId: string }).runId;

    const barrier = new Barrier();
    try {
      const procs = [0, 1].map(() => spawnCli(['optimize', '--resume', id, '--rounds', '2', '--top-k', '2', '--batch-size', '2'], ws.dir, barrier.env));
      await barrier.gather('resume', procs);
      barrier.release();
      const codes = await Promise.all(procs.map((p) => p.exited));
      const all = procs.map((p) => p.output().stderr).join('\n---\n');
      assert.deepEqual([...codes].sort(), [0, 1], all);
      const winner = procs[codes.indexOf(0)];
      assert.match(procs[codes.indexOf(1)].output().stderr, new RegExp(`run ${id} is being resumed by pid ${winner.child.pid}\\b`), all);
      const rounds = readFileSync(join(ws.dir, '.truce/runs', id, 'optimize.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { round: number }).round);
      assert.deepEqual(rounds, [1, 2]);
    } finally {
      barrier.release();
      barrier.remove();
    }
  });
});
