/**
 * `truce run --replay` keeps its meaning (the response cache), `--replay RUN` / `--replay=RUN` name
 * a run to replay through the gateway; both at once, or an empty run id, are usage errors (exit 2).
 * The debate example's MAS is the rounds MAS, which has no gateway recordings to replay.
 */
import { strict as assert } from 'node:assert';
import { runCli } from '../../../src/cli/runCli';
import { debateWorkspace, type Workspace } from '../run/debateWorkspace';

async function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: {} });
  return { code, stdout, stderr };
}

describe('truce run --replay [RUN]', () => {
  let ws: Workspace;
  beforeEach(() => (ws = debateWorkspace('http://127.0.0.1:9/v1')));
  afterEach(() => ws.remove());

  it('refuses --replay twice and an empty --replay= with a usage error', async () => {
    const twice = await cli(['run', '--replay', '--replay', 'latest'], ws.dir);
    assert.equal(twice.code, 2, twice.stderr);
    assert.match(twice.stderr, /give --replay once/);
    const empty = await cli(['run', '--replay='], ws.dir);
    assert.equal(empty.code, 2, empty.stderr);
    assert.match(empty.stderr, /--replay= needs a run id/);
  });

  it('takes the word after --replay as the run, and says the rounds MAS replays from the cache instead', async () => {
    for (const args of [['run', '--replay', 'latest'], ['run', '--replay=latest']]) {
      const r = await cli(args, ws.dir);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /--replay RUN replays what the gateway recorded for a command MAS.*use --replay without a run/);
    }
  });
});
