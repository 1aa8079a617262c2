/**
 * The command MAS gets a minimal environment — no API keys unless truce.yaml names them in
 * mas.passEnv — and a key it prints on stderr anyway is not stored in the run (journal, summary,
 * trajectories). `validate` warns about a command MAS that names no variables at all.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { runCli } from '../../../src/cli/runCli';
import { loadRun } from '../../../src/core/store';
import { REPO, spawnCli } from '../../support/cliProcess';
import { readTree } from '../llm/helpers';
import { commandMasWorkspace, type CommandWorkspace } from './commandMasWorkspace';

const OPENAI = 'sk-proj-Zq81canaryKEYvalue000000000000';
const ANTHROPIC = 'sk-ant-api03-canaryAnthropicKEY0000000';

async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env });
  return { code, stdout, stderr };
}

/** The real CLI as a process: the MAS inherits from it what it is given, as in a user's shell. */
async function truce(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const p = spawnCli(args, cwd, env);
  const code = await p.exited;
  return { code, ...p.output() };
}

describe('the command MAS environment', function () {
  this.timeout(60_000);
  before(() => execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, stdio: 'ignore' }));
  let ws: CommandWorkspace;
  afterEach(() => ws.remove());
  const env = () => ({ HOME: ws.home, PATH: process.env.PATH, LANG: 'C.UTF-8', OPENAI_API_KEY: OPENAI, ANTHROPIC_API_KEY: ANTHROPIC, AWS_SECRET_ACCESS_KEY: 'aws-secret-canary-123', TRUCE_TRUST: '1' });
  const envNames = async () => {
    const run = await loadRun(ws.dir, 'latest');
    const step = run.trajectories.find((t) => t.steps.length)?.steps[0];
    return (step?.attrs?.envNames ?? []) as string[];
  };

  it('passes PATH, HOME, locale and TRUCE_* but no keys, unless mas.passEnv names them', async () => {
    ws = commandMasWorkspace({ inputs: ['a'] });
    // Without the gateway, which would hand the MAS an OPENAI_API_KEY of its own (a token).
    writeFileSync(join(ws.dir, 'truce.yaml'), readFileSync(join(ws.dir, 'truce.yaml'), 'utf8').replace('timeoutMs: 20000 }', 'timeoutMs: 20000, gateway: false }'));
    const r = await truce(['run'], ws.dir, env());
    assert.equal(r.code, 0, r.stderr);
    const names = await envNames();
    for (const name of ['PATH', 'HOME', 'LANG', 'TRUCE_PROMPTS_DIR', 'TRUCE_TASK_ID', 'TRUCE_RUN_ID']) assert.ok(names.includes(name), `${name} missing from ${names}`);
    for (const name of ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'AWS_SECRET_ACCESS_KEY', 'TRUCE_TRUST']) assert.ok(!names.includes(name), `${name} was passed`);

    const yaml = readFileSync(join(ws.dir, 'truce.yaml'), 'utf8').replace('gateway: false }', 'gateway: false, passEnv: [OPENAI_API_KEY] }');
    writeFileSync(join(ws.dir, 'truce.yaml'), yaml);
    const passed = await truce(['run'], ws.dir, env());
    assert.equal(passed.code, 0, passed.stderr);
    const after = await envNames();
    assert.ok(after.includes('OPENAI_API_KEY'));
    assert.ok(!after.includes('ANTHROPIC_API_KEY'));
  });

  it('keeps keys a MAS prints on stderr out of the journal, summary and trajectories', async () => {
    ws = commandMasWorkspace({ inputs: ['leak', 'a'] });
    const yaml = readFileSync(join(ws.dir, 'truce.yaml'), 'utf8').replace('timeoutMs: 20000 }', 'timeoutMs: 20000, passEnv: [OPENAI_API_KEY, ANTHROPIC_API_KEY] }');
    writeFileSync(join(ws.dir, 'truce.yaml'), yaml);
    const r = await truce(['run'], ws.dir, env());
    assert.equal(r.code, 1, `the leaking task failed: ${r.stderr}`);
    const run = await loadRun(ws.dir, 'latest');
    assert.match(run.summary?.failures[0]?.reason ?? '', /calling the model with key \[redacted\] and \[redacted\]/);
    for (const f of readTree(join(ws.dir, '.truce'))) {
      assert.ok(!f.text.includes(OPENAI) && !f.text.includes(ANTHROPIC), `${f.path} holds a key`);
      assert.ok(!f.text.includes('sk-proj-Zq81') && !f.text.includes('sk-ant-api03'), `${f.path} holds part of a key`);
    }
    assert.ok(!r.stdout.includes(OPENAI) && !r.stderr.includes(OPENAI));
  });

  it('validate warns about a command MAS without the gateway that names neither mas.env nor mas.passEnv', async () => {
    ws = commandMasWorkspace({ inputs: ['a'] });
    // Behind the gateway (the default) the MAS gets a token for TRUCE's endpoint: nothing to warn about.
    const behind = await cli(['validate'], ws.dir, { HOME: ws.home });
    assert.equal(behind.code, 0, behind.stdout);
    assert.doesNotMatch(behind.stdout, /warning: the command MAS/);
    writeFileSync(join(ws.dir, 'truce.yaml'), readFileSync(join(ws.dir, 'truce.yaml'), 'utf8').replace('timeoutMs: 20000 }', 'timeoutMs: 20000, gateway: false }'));
    const r = await cli(['validate'], ws.dir, { HOME: ws.home });
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /^truce\.yaml:3:\d+: warning: the command MAS gets a minimal environment .*mas\.passEnv/m);
    writeFileSync(join(ws.dir, 'truce.yaml'), readFileSync(join(ws.dir, 'truce.yaml'), 'utf8').replace('gateway: false }', 'gateway: false, passEnv: [OPENAI_API_KEY] }'));
    assert.doesNotMatch((await cli(['validate'], ws.dir, { HOME: ws.home })).stdout, /warning: the command MAS/);
  });
});
