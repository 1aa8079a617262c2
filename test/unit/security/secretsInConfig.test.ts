/**
 * Secrets a user writes into truce.yaml or the environment in the wrong place stay out of the run
 * folder and out of messages: a key pasted as apiKeyEnv, a key set as a mas.env value, and a base
 * URL that carries a user name and password (in truce.yaml, TRUCE_BASE_URL or OPENAI_BASE_URL).
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/runCli';
import { evalAttributionCommand } from '../../../src/cli/commands/evalAttributionCommand';
import { attachManifest } from '../../../src/core/attach/attachManifest';
import { parseConfig } from '../../../src/core/config';
import { hideUrlCredentials } from '../../../src/core/llm/urlCredentials';
import { applyExecutorOverrides } from '../../../src/core/run';
import { NOT_RECORDED } from '../../../src/core/run/recordedConfig';
import { loadRun } from '../../../src/core/store';
import { readTree } from '../llm/helpers';
import { commandMasWorkspace, type CommandWorkspace } from './commandMasWorkspace';

const SECRET = 'SECRET123';

async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env });
  return { code, stdout, stderr };
}

describe('secrets in the wrong place of the configuration', function () {
  this.timeout(60_000);
  let ws: CommandWorkspace;
  afterEach(() => ws?.remove());

  it('a mas.env value reaches the MAS but not the manifest, also when the run is resumed', async () => {
    ws = commandMasWorkspace({ inputs: ['a', 'b'], mas: `mas: { kind: command, argv: [${JSON.stringify(process.execPath)}, mas.js], gateway: false, env: { OPENAI_API_KEY: sk-env-${SECRET}, MAS_MODEL: small } }` });
    // The MAS answers whether it saw the real value; neither it nor its argv holds the value, so
    // only the run's record of the env could leak it. Task t2 waits until the test lets it go, so
    // the run can be interrupted and resumed with a task left to run.
    const expected = Buffer.from(`sk-env-${SECRET}`).toString('base64');
    writeFileSync(
      join(ws.dir, 'mas.js'),
      [
        "const fs = require('node:fs'), path = require('node:path');",
        "const task = JSON.parse(fs.readFileSync(0, 'utf8'));",
        "if (task.id === 't2' && !fs.existsSync(path.join(__dirname, 'go'))) { fs.writeFileSync(path.join(__dirname, 't2-waiting'), ''); setTimeout(() => {}, 60000); return; }",
        `const seen = Buffer.from(process.env.OPENAI_API_KEY || '').toString('base64') === ${JSON.stringify(expected)};`,
        "console.log(JSON.stringify({ type: 'step', agentId: 'solver', output: 'checked' }));",
        'console.log(JSON.stringify({ type: \'answer\', answer: seen ? task.input : \'wrong\' }));',
      ].join('\n'),
    );
    const env = { HOME: ws.home, PATH: process.env.PATH, TRUCE_TRUST: '1' };
    const stop = new AbortController();
    const waiting = setInterval(() => existsSync(join(ws.dir, 't2-waiting')) && stop.abort(), 20);
    let output = '';
    const first = await runCli(['run', '--concurrency', '1'], { stdout: (t) => (output += t), stderr: (t) => (output += t), cwd: ws.dir, env, signal: stop.signal }).finally(() => clearInterval(waiting));
    assert.notEqual(first, 0, output);
    const interrupted = await loadRun(ws.dir, 'latest');
    assert.deepEqual(interrupted.trajectories.map((t) => [t.taskId, t.outcome?.score]), [['t1', 1]], 'the MAS was given the real value');
    assert.deepEqual((interrupted.manifest.config.mas as { env: unknown }).env, { OPENAI_API_KEY: NOT_RECORDED, MAS_MODEL: NOT_RECORDED }, 'names kept, values not');

    // The resume runs t2 with the real value, which it takes from truce.yaml, not from the manifest.
    writeFileSync(join(ws.dir, 'go'), '');
    const resumed = await cli(['run', '--resume', 'latest'], ws.dir, env);
    assert.equal(resumed.code, 0, resumed.stderr);
    const done = await loadRun(ws.dir, 'latest');
    assert.deepEqual(done.trajectories.map((t) => [t.taskId, t.outcome?.score]).sort(), [['t1', 1], ['t2', 1]]);
    for (const f of readTree(join(ws.dir, '.truce'))) assert.ok(!f.text.includes(SECRET), `${f.path} holds the mas.env value`);
    assert.ok(!`${output}${resumed.stdout}${resumed.stderr}`.includes(SECRET), 'nor does any output');
  });

  it('the manifest of an attached run leaves out the env values too', () => {
    const parsed = parseConfig(
      ['agents: [{ id: a, prompt: a.md }]', `mas: { kind: command, argv: [x], env: { TOKEN: tok-${SECRET} } }`, 'tasks: { file: t.jsonl }', 'evaluator: { type: command, argv: [y], env: { SCORER_KEY: key-' + SECRET + ' } }', 'llm: { executor: { baseUrl: "http://127.0.0.1:9/v1", model: m } }'].join('\n'),
      { workspaceRoot: '/ws' },
    );
    assert.ok(parsed.ok, JSON.stringify(parsed.diagnostics));
    const manifest = attachManifest({ runId: 'r', createdAt: new Date(0), port: 4318, config: parsed.config, promptFiles: [], promptHash: 'h' });
    assert.ok(!JSON.stringify(manifest).includes(SECRET), JSON.stringify(manifest.config));
    assert.deepEqual((manifest.config.evaluator as { env: unknown }).env, { SCORER_KEY: NOT_RECORDED });
  });

  it('validate refuses a key pasted as apiKeyEnv, and run starts nothing, never printing the key', async () => {
    ws = commandMasWorkspace({ inputs: ['a'] });
    writeFileSync(join(ws.dir, 'truce.yaml'), readFileSync(join(ws.dir, 'truce.yaml'), 'utf8').replace('model: fake-model }', `model: fake-model, apiKeyEnv: sk-proj-${SECRET} }`));
    const validate = await cli(['validate'], ws.dir, { HOME: ws.home });
    assert.equal(validate.code, 1);
    assert.match(validate.stdout, /error: llm\.executor\.apiKeyEnv: must be the name of an environment variable.*apiKeyEnv: OPENAI_API_KEY/);
    const run = await cli(['run'], ws.dir, { HOME: ws.home, TRUCE_TRUST: '1' });
    assert.equal(run.code, 1);
    assert.ok(!`${validate.stdout}${run.stdout}${run.stderr}`.includes(SECRET));
  });

  it('a base URL with credentials in the environment is refused, shown with the credentials hidden', async () => {
    ws = commandMasWorkspace();
    const config = parseConfig(readFileSync(join(ws.dir, 'truce.yaml'), 'utf8'), { workspaceRoot: ws.dir });
    assert.ok(config.ok);
    for (const name of ['TRUCE_BASE_URL', 'OPENAI_BASE_URL']) {
      assert.throws(
        () => applyExecutorOverrides(config.config, { [name]: `http://u:pw-${SECRET}@127.0.0.1:18080/v1` }),
        (e: Error) => e.message.startsWith(`${name} holds a user name or password (http://***@127.0.0.1:18080/v1)`) && /apiKeyEnv/.test(e.message) && !e.message.includes(SECRET),
      );
    }
    // eval-attribution reads TRUCE_BASE_URL itself when there is no truce.yaml.
    const log = { history: [{ role: 'human', content: 'Count.' }, { role: 'Coder', content: 'two' }], question: 'Count.', ground_truth: '1', mistake_agent: 'Coder', mistake_step: '1', question_ID: 'q' };
    writeFileSync(join(ws.dir, 'log.json'), JSON.stringify(log));
    let stderr = '';
    const code = await evalAttributionCommand.run(['log.json', '--method', 'truce'], { stdout: () => undefined, stderr: (t) => (stderr += t), cwd: ws.dir, env: { TRUCE_BASE_URL: `https://u:pw-${SECRET}@example.com/v1` } });
    assert.equal(code, 1);
    assert.match(stderr, /TRUCE_BASE_URL holds a user name or password \(https:\/\/\*\*\*@example\.com\/v1\)/);
    assert.ok(!stderr.includes(SECRET));
    // A key in the query is refused the same way, without being repeated.
    let queried = '';
    const refused = await evalAttributionCommand.run(['log.json', '--method', 'truce'], { stdout: () => undefined, stderr: (t) => (queried += t), cwd: ws.dir, env: { TRUCE_BASE_URL: `https://example.com/v1?api-key=${SECRET}` } });
    assert.equal(refused, 1);
    assert.match(queried, /TRUCE_BASE_URL ends in a query or fragment/);
    assert.ok(!queried.includes(SECRET));
  });

  it('hides the whole user-info of URLs in text, even a password holding an unescaped @', () => {
    assert.equal(hideUrlCredentials('at http://u:p@ss-SECRET@host:1/v1 (refused)'), 'at http://***@host:1/v1 (refused)');
    assert.equal(hideUrlCredentials('https://host/v1?next=a@b and http://127.0.0.1/'), 'https://host/v1?next=a@b and http://127.0.0.1/');
  });
});
