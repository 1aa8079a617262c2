/**
 * The CLI keeps the editor's trust rule: a workspace's programs (a command MAS, a command
 * evaluator) run only with --trust, TRUCE_TRUST=1 or the folder in the user's trusted-folders file,
 * and the refusal names all three. Nothing runs before that.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/runCli';
import { commandMasWorkspace, type CommandWorkspace } from './commandMasWorkspace';

async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env });
  return { code, stdout, stderr };
}

describe('CLI workspace trust', function () {
  this.timeout(30_000);
  let ws: CommandWorkspace;
  afterEach(() => ws.remove());
  const ran = () => (existsSync(join(ws.dir, 'mas-ran.log')) ? readFileSync(join(ws.dir, 'mas-ran.log'), 'utf8').trim().split('\n') : []);

  it('refuses to run a command MAS in an untrusted folder, and says how to trust it', async () => {
    ws = commandMasWorkspace();
    for (const args of [['run'], ['optimize', '--rounds', '1']]) {
      const r = await cli(args, ws.dir, { HOME: ws.home });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /is not trusted, so nothing was run/);
      assert.match(r.stderr, /mas\.argv: /);
      assert.match(r.stderr, /--trust/);
      assert.match(r.stderr, /TRUCE_TRUST=1/);
      assert.ok(r.stderr.includes(join(ws.home, '.config/truce/trusted.json')), r.stderr);
    }
    assert.deepEqual(ran(), [], 'the MAS program never started');
  });

  it('refuses a command evaluator the same way', async () => {
    ws = commandMasWorkspace({ evaluatorCommand: true });
    const r = await cli(['run'], ws.dir, { HOME: ws.home });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the evaluator command \(evaluator\.argv: /);
    assert.deepEqual(ran(), []);
  });

  it('runs with --trust, with TRUCE_TRUST=1, and in a folder listed in trusted.json', async () => {
    ws = commandMasWorkspace();
    const flag = await cli(['run', '--trust'], ws.dir, { HOME: ws.home });
    assert.equal(flag.code, 0, flag.stderr);
    assert.equal(ran().length, 2);
    const variable = await cli(['run'], ws.dir, { HOME: ws.home, TRUCE_TRUST: '1' });
    assert.equal(variable.code, 0, variable.stderr);
    assert.equal(ran().length, 4);
    // The file lists a parent folder; XDG_CONFIG_HOME wins over HOME.
    const config = join(ws.root, 'xdg');
    mkdirSync(join(config, 'truce'), { recursive: true });
    writeFileSync(join(config, 'truce/trusted.json'), JSON.stringify({ folders: [ws.root] }));
    const listed = await cli(['run'], ws.dir, { HOME: ws.home, XDG_CONFIG_HOME: config });
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(ran().length, 6);
    // A broken file trusts nothing and says why.
    writeFileSync(join(config, 'truce/trusted.json'), '{"folders": ');
    const broken = await cli(['run'], ws.dir, { HOME: ws.home, XDG_CONFIG_HOME: config });
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /trusted\.json is not valid JSON/);
    assert.equal(ran().length, 6);
  });
});
