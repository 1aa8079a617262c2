import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandEvaluator, EvaluatorConfigError } from '../../../src/core/eval';

/** Real scripts in a temp dir: the evaluator's contract is with a process, so fakes prove little. */
describe('command evaluator', function () {
  this.timeout(20_000);
  let dir: string;
  const script = (name: string, body: string) => {
    const file = join(dir, name);
    writeFileSync(file, body);
    return file;
  };
  const trusted = { workspaceTrusted: true };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'truce-eval-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('sends {output, reference, task} on stdin and uses the printed verdict', async () => {
    const file = script(
      'echo.js',
      `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const x=JSON.parse(s);
       console.log('log line before the verdict');
       console.log(JSON.stringify({score: x.output===x.reference?1:0.25, details:{task:x.task.id}}));});`,
    );
    const ev = new CommandEvaluator({ argv: [process.execPath, file] }, trusted);
    const hit = await ev.evaluate({ output: 'ok', reference: 'ok', task: { id: 't7' } });
    assert.deepEqual(hit, { score: 1, success: true, details: { task: 't7' } });
    const partial = await ev.evaluate({ output: 'no', reference: 'ok', task: { id: 't7' } });
    assert.deepEqual([partial.score, partial.success], [0.25, false]);
  });

  it("starts the scorer without the user's keys unless passEnv names them", async () => {
    const file = script(
      'env.js',
      `console.log(JSON.stringify({score:1, details:{key: process.env.TRUCE_TEST_SCORER_KEY ?? null, other: process.env.TRUCE_TEST_OTHER_SECRET ?? null, set: process.env.SCORER_MODE ?? null, path: Boolean(process.env.PATH)}}))`,
    );
    process.env.TRUCE_TEST_SCORER_KEY = 'sk-scorer';
    process.env.TRUCE_TEST_OTHER_SECRET = 'sk-other';
    try {
      const bare = await new CommandEvaluator({ argv: [process.execPath, file] }, trusted).evaluate({ output: 'x' });
      assert.deepEqual(bare.details, { key: null, other: null, set: null, path: true });
      const named = await new CommandEvaluator(
        { argv: [process.execPath, file], passEnv: ['TRUCE_TEST_SCORER_KEY'], env: { SCORER_MODE: 'strict' } },
        trusted,
      ).evaluate({ output: 'x' });
      assert.deepEqual(named.details, { key: 'sk-scorer', other: null, set: 'strict', path: true });
    } finally {
      delete process.env.TRUCE_TEST_SCORER_KEY;
      delete process.env.TRUCE_TEST_OTHER_SECRET;
    }
  });

  it('lets the script declare success for a partial score', async () => {
    const file = script('partial.js', `console.log(JSON.stringify({score:0.6, success:true, details:'close enough'}))`);
    const r = await new CommandEvaluator({ argv: [process.execPath, file] }, trusted).evaluate({ output: 'x' });
    assert.deepEqual(r, { score: 0.6, success: true, details: 'close enough' });
  });

  it('scores 0 with the stderr tail on a non-zero exit', async () => {
    const file = script('crash.js', `console.error('x'.repeat(5000) + 'the real cause'); process.exit(3)`);
    const r = await new CommandEvaluator({ argv: [process.execPath, file] }, trusted).evaluate({ output: 'x' });
    assert.equal(r.score, 0);
    assert.equal(r.error?.kind, 'command-failed');
    assert.match(r.error!.message, /exited with code 3/);
    const stderr = (r.details as { stderr: string }).stderr;
    assert.ok(stderr.endsWith('the real cause\n'));
    assert.ok(stderr.length < 2100);
  });

  it('scores 0 on output that is not JSON, or JSON outside the contract', async () => {
    const notJson = script('text.js', `console.log('score: 1')`);
    const r1 = await new CommandEvaluator({ argv: [process.execPath, notJson] }, trusted).evaluate({ output: 'x' });
    assert.equal(r1.score, 0);
    assert.match(r1.error!.message, /not JSON/);

    const outOfRange = script('range.js', `console.log(JSON.stringify({score: 7}))`);
    const r2 = await new CommandEvaluator({ argv: [process.execPath, outOfRange] }, trusted).evaluate({ output: 'x' });
    assert.equal(r2.score, 0);
    assert.match(r2.error!.message, /score/);
  });

  it('kills a script that runs past the timeout, children included', async function () {
    this.timeout(90_000);
    const pidFile = join(dir, 'child.pid');
    const file = script(
      'hang.js',
      `const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(()=>{}, 1000)'], {stdio:'ignore'});
       require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid));
       setInterval(() => {}, 1000);`,
    );
    // On a loaded machine node may not even start the child within a short timeout; then there is
    // no grandchild to check, so the same case is tried again with a longer one.
    for (const timeoutMs of [500, 2_000, 8_000, 20_000]) {
      const r = await new CommandEvaluator({ argv: [process.execPath, file], timeoutMs }, trusted).evaluate({ output: 'x' });
      assert.equal(r.score, 0);
      assert.match(r.error!.message, new RegExp(`did not finish within ${timeoutMs} ms`));
      if (existsSync(pidFile)) break;
    }
    const childPid = Number(readFileSync(pidFile, 'utf8'));
    assert.equal(await gone(childPid), true, 'the grandchild process survived the timeout');
  });

  it('ignores a script that never reads stdin', async () => {
    const file = script('deaf.js', `console.log('{"score":1}')`);
    const r = await new CommandEvaluator({ argv: [process.execPath, file] }, trusted).evaluate({ output: 'y'.repeat(1_000_000) });
    assert.equal(r.score, 1);
  });

  it('reports a program that cannot be started', async () => {
    const r = await new CommandEvaluator({ argv: [join(dir, 'does-not-exist')] }, trusted).evaluate({ output: 'x' });
    assert.equal(r.error?.kind, 'command-failed');
    assert.match(r.error!.message, /Could not start/);
  });

  it('propagates cancellation instead of scoring', async () => {
    const file = script('slow.js', `setTimeout(() => console.log('{"score":1}'), 5000)`);
    const ac = new AbortController();
    const pending = new CommandEvaluator({ argv: [process.execPath, file] }, trusted).evaluate({ output: 'x', signal: ac.signal });
    setTimeout(() => ac.abort(new Error('stopped by user')), 100);
    await assert.rejects(pending, /stopped by user/);
  });

  it('refuses to exist in an untrusted workspace, and checks argv and timeout', () => {
    assert.throws(() => new CommandEvaluator({ argv: ['node', 'x.js'] }, { workspaceTrusted: false }), (e: unknown) => e instanceof EvaluatorConfigError && /trusted workspace/.test(e.message));
    assert.throws(() => new CommandEvaluator({ argv: [] }, trusted), /argv/);
    assert.throws(() => new CommandEvaluator({ argv: ['node'], timeoutMs: 0 }, trusted), /timeoutMs/);
  });
});

/**
 * Signal delivery is asynchronous, so poll briefly for the process to disappear. A killed process
 * whose parent died too lingers as a zombie until someone reaps it; on Linux that counts as gone.
 */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    try {
      if (/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) return true;
    } catch {
      // No /proc on this system: the signal probe above is the only check.
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
