import * as assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/runCli';
import { REPO } from '../../support/cliProcess';
import { parseConfig, type TruceConfig } from '../../../src/core/config';
import { createDemoFetch, DEMO_BASE_URL, DemoWorldError, isDemoEndpoint, loadDemoWorld, NamedEndpointUnreachableError, resolveDemoMode } from '../../../src/core/demo';
import { roleMessage } from '../../../src/core/mas/roundsMessages';
import { createSimResponder } from '../../../src/core/sim';

const EXAMPLE = join(REPO, 'examples/debate-mas');

function exampleCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'truce-demo-'));
  cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !src.includes('.truce') });
  return dir;
}

function configOf(dir: string, edit: (text: string) => string = (t) => t): TruceConfig {
  const parsed = parseConfig(edit(readFileSync(join(dir, 'truce.yaml'), 'utf8')), { workspaceRoot: dir });
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.diagnostics));
  return parsed.config;
}

async function cli(dir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  // The executor points at a port nothing listens on (port 9, discard): no endpoint. In truce.yaml,
  // not in TRUCE_BASE_URL, which names an endpoint the user wants and so never falls back to the demo.
  const config = join(dir, 'truce.yaml');
  writeFileSync(config, readFileSync(config, 'utf8').replace('baseUrl: http://127.0.0.1:11434/v1', 'baseUrl: http://127.0.0.1:9/v1'));
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: dir, env: {} });
  return { code, stdout, stderr };
}

describe('demo mode: the debate example against the demo world', () => {
  let dir: string;
  beforeEach(() => (dir = exampleCopy()));
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('is off without a demo block, and stays off when something answers at the executor', async () => {
    const without = configOf(dir, (t) => t.replace(/\ndemo:[\s\S]*$/, '\n'));
    assert.equal(without.demo, undefined);
    assert.deepEqual(await resolveDemoMode(without, { workspaceRoot: dir, reach: async () => 'ECONNREFUSED' }), { active: false });
    let asked = '';
    const answered = await resolveDemoMode(configOf(dir), { workspaceRoot: dir, reach: async (url) => ((asked = url), undefined) });
    assert.deepEqual(answered, { active: false });
    assert.equal(asked, 'http://127.0.0.1:11434/v1', 'the configured executor is the endpoint asked');
  });

  it('takes over when nothing answers, or always when asked to, pointing every endpoint at the demo world', async () => {
    const decision = await resolveDemoMode(configOf(dir), { workspaceRoot: dir, reach: async () => 'ECONNREFUSED' });
    assert.ok(decision.active);
    assert.match(decision.notice, /demo world — scripted replies, not an LLM: no LLM endpoint answered at http:\/\/127\.0\.0\.1:11434\/v1 \(ECONNREFUSED\)/);
    assert.ok(isDemoEndpoint(decision.config.llm.executor.baseUrl));
    assert.equal(decision.config.llm.executor.model, 'demo-world');
    assert.equal(decision.config.llm.executor.maxTokens, 400, 'request settings are kept');
    const always = await resolveDemoMode(configOf(dir, (t) => t.replace('when: no-endpoint', 'when: always')), {
      workspaceRoot: dir,
      reach: async () => assert.fail('`always` never asks the endpoint'),
    });
    assert.ok(always.active);
    assert.match(always.notice, /demo\.when: always/);
  });

  it('does not stand in for an endpoint named in the environment: that one not answering is an error saying what to do', async () => {
    await assert.rejects(
      resolveDemoMode(configOf(dir), { workspaceRoot: dir, reach: async () => 'ECONNREFUSED', endpointFrom: 'TRUCE_BASE_URL' }),
      (e: Error) => e instanceof NamedEndpointUnreachableError && /^TRUCE_BASE_URL names http:\/\/127\.0\.0\.1:11434\/v1, but nothing answered there \(ECONNREFUSED\)\. Start that endpoint, or unset TRUCE_BASE_URL/.test(e.message),
    );
    // When it answers, it is used, as any endpoint is.
    assert.deepEqual(await resolveDemoMode(configOf(dir), { workspaceRoot: dir, reach: async () => undefined, endpointFrom: 'TRUCE_BASE_URL' }), { active: false });
  });

  it('refuses a demo world that is missing, malformed or does not fit the MAS, saying what to fix', async () => {
    const unreachable = { workspaceRoot: dir, reach: async () => 'ECONNREFUSED' };
    const missing = configOf(dir, (t) => t.replace('world: demo-world.yaml', 'world: nowhere.yaml'));
    await assert.rejects(resolveDemoMode(missing, unreachable), (e: Error) => e instanceof DemoWorldError && /Cannot read the demo world nowhere\.yaml: it does not exist\. Check demo\.world/.test(e.message));
    writeFileSync(join(dir, 'demo-world.yaml'), 'skills: []\nbogus: 1\n');
    await assert.rejects(resolveDemoMode(configOf(dir), unreachable), (e: Error) => e instanceof DemoWorldError && /skills: .*>=1 items/.test(e.message) && /bogus/.test(e.message));
    writeFileSync(join(dir, 'demo-world.yaml'), 'skills:\n  - { name: x, owner: judge, rule: Do x., keywords: [x] }\n');
    await assert.rejects(resolveDemoMode(configOf(dir), unreachable), (e: Error) => e instanceof DemoWorldError && /owned by "judge", which is not a role/.test(e.message));
    const command = configOf(dir, (t) => t.replace(/mas:\n[\s\S]*?\ntasks:/, 'mas:\n  kind: command\n  argv: [node, mas.js]\n\ntasks:'));
    await assert.rejects(resolveDemoMode(command, unreachable), (e: Error) => e instanceof DemoWorldError && /scripts a rounds MAS/.test(e.message));
  });

  it('tells which first lines it expects when a role prompt no longer starts with its marker', async () => {
    const world = await loadDemoWorld(configOf(dir), dir);
    const user = roleMessage({ task: world.tasks[0].input, round: 1, rounds: 2 });
    const sim = createSimResponder(world);
    assert.match(String(sim.respond({ model: 'demo-world', messages: [{ role: 'system', content: '# Proposer\n\n- Be brief.' }, { role: 'user', content: user }] })), /^Answer: [A-D]|I defer/);
    const refused = sim.respond({ model: 'demo-world', messages: [{ role: 'system', content: '# Advocate\n\n- Be brief.' }, { role: 'user', content: user }] }) as { error: { status: number; message: string } };
    assert.equal(refused.error.status, 500);
    assert.match(refused.error.message, /starts with none of the world's markers \(proposer: "# Proposer", skeptic: "Role: Skeptic"\); keep each role prompt's first line/);
  });

  it('answers like an OpenAI-compatible endpoint in-process: completions with usage, errors with their status', async () => {
    const fetch = createDemoFetch((request) => (request.messages[0]?.content === 'fail' ? { error: { status: 503, message: 'down' } } : { json: { echo: request.jsonSchema?.name } }));
    const ok = await fetch(`${DEMO_BASE_URL}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'demo-world', messages: [{ role: 'user', content: 'hello there' }], response_format: { type: 'json_schema', json_schema: { name: 'probe', schema: {} } } }) });
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as { choices: Array<{ message: { content: string } }>; usage: { prompt_tokens: number; completion_tokens: number } };
    assert.deepEqual(JSON.parse(body.choices[0].message.content), { echo: 'probe' });
    assert.ok(body.usage.prompt_tokens > 0 && body.usage.completion_tokens > 0);
    const failed = await fetch(`${DEMO_BASE_URL}/chat/completions`, { method: 'POST', body: JSON.stringify({ messages: [{ role: 'user', content: 'fail' }] }) });
    assert.equal(failed.status, 503);
    assert.equal(((await failed.json()) as { error: { message: string } }).error.message, 'down');
    assert.equal((await fetch(`${DEMO_BASE_URL}/embeddings`, { method: 'POST', body: '{}' })).status, 404);
  });

  it('runs the whole loop from the CLI with no endpoint: run, credit, suggest, and the report says it was the demo world', async () => {
    const run = await cli(dir, 'run');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /Running against the demo world — scripted replies, not an LLM: no LLM endpoint answered at http:\/\/127\.0\.0\.1:9\/v1/);
    const summary = JSON.parse(run.stdout) as { scores: { all: { meanScore: number } }; usage: { total: { calls: number; inputTokens: number } } };
    assert.equal(summary.usage.total.calls, 141);
    assert.ok(summary.usage.total.inputTokens > 0, 'the demo reports usage like an endpoint');
    assert.ok(summary.scores.all.meanScore < 0.5);

    const report = await cli(dir, 'report', 'latest');
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /> \*\*Demo run: demo world, not an LLM\.\*\*/);
    assert.match(report.stdout, /demo-world at http:\/\/truce-demo\.localhost\/v1/);

    assert.equal((await cli(dir, 'credit', 'latest')).code, 0);
    const suggest = await cli(dir, 'suggest', 'latest', '--json');
    assert.equal(suggest.code, 0, suggest.stderr);
    const edits = (JSON.parse(suggest.stdout) as { suggestions: Array<{ status: string; edit: { op: string; agentId?: string; newText?: string } }> }).suggestions
      .filter((s) => s.status === 'proposed')
      .map((s) => `${s.edit.op} ${s.edit.agentId ?? ''}`.trim())
      .sort();
    assert.deepEqual(edits, ['ADD proposer', 'ADD skeptic', 'DELETE aggregator']);

    // An optimize run in the demo world says so in its report too.
    const optimized = await cli(dir, 'optimize', '--rounds', '1');
    assert.equal(optimized.code, 0, optimized.stderr);
    const optimizeId = (JSON.parse(optimized.stdout) as { runId: string }).runId;
    const optimizeReport = await cli(dir, 'report', optimizeId);
    assert.equal(optimizeReport.code, 0, optimizeReport.stderr);
    assert.match(optimizeReport.stdout, new RegExp(`^# Optimize run ${optimizeId}\n\n> \\*\\*Demo run: demo world, not an LLM\\.\\*\\*`));
  });
});
