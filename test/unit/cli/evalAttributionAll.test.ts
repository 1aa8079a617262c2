import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { evalAttributionCommand } from '../../../src/cli/commands/evalAttributionCommand';
import { ALL_AT_ONCE_MARKER } from '../../../src/core/credit/allAtOnce';
import { AttributionMeter, decisiveStepSeen, type MeasuredResult } from '../../../src/core/credit/attributionMetrics';
import type { CreditMethod } from '../../../src/core/credit/types';
import { callStructured } from '../../../src/core/llm';
import { importWhoWhenText } from '../../../src/core/trajectory';
import { fakePromptTokens, start, type FakeChatRequest, type FakeOpenAiServer, type FakeReply } from '../../support/fakeOpenAiServer';
import { requireSharedFixtures } from '../../support/sharedFixtures';
import { systemOf } from '../credit/bcd/fixtures';
import { makeHarness, tempDir } from '../llm/helpers';

const DECISIVE = { found: true, stepId: 's1', agent: 'Orchestrator', reason: 'the plan skipped a check', confidence: 'high' };

/** Well-formed, uninformed replies for every prompt the four methods send. */
function responder(req: FakeChatRequest): FakeReply {
  if (req.jsonSchema?.name === 'truce_probe') return { json: { ok: true } };
  const system = systemOf(req);
  if (system.includes(ALL_AT_ONCE_MARKER)) return { json: DECISIVE };
  if (system.includes('[truce:phi]')) {
    const indices = [...req.lastUser.matchAll(/<part index="(\d+)"/g)].map((m) => Number(m[1]));
    const parts = indices.map((index) => ({ index, progress: 0, coordination: 0, stage: 0, overall: -0.5, summary: 'little progress', highlights: [], issues: [] }));
    return { json: { parts, decisive: DECISIVE } };
  }
  if (system.includes('[truce:bcd-critic]')) return { json: { score: 0.4, rationale: 'unclear' } };
  if (system.includes('[truce:bcd-peer]')) {
    const agents = [...req.lastUser.matchAll(/^### (.+)$/gm)].map((m) => m[1]);
    return { json: { ratings: agents.map((agentId) => ({ agentId, score: 0.5, rationale: 'r' })) } };
  }
  if (system.includes('[truce:gbc-influence]')) {
    const blocks = [...req.lastUser.matchAll(/^### Block (\S+) /gm)].map((m) => m[1]);
    return { json: { blocks: blocks.map((blockId) => ({ blockId, influence: 0.5, rationale: 'r' })) } };
  }
  return { content: 'unexpected request' };
}

async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  let stdout = '';
  let stderr = '';
  const code = await evalAttributionCommand.run(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env });
  return { code, stdout, stderr };
}

describe('truce eval-attribution with the all-at-once baseline', function () {
  this.timeout(60_000);
  let server: FakeOpenAiServer;
  let dir: { path: string; remove: () => void };
  const env = () => ({ TRUCE_BASE_URL: server.url, TRUCE_MODEL: 'fake-model' });

  before(async () => {
    server = await start({ responder });
    dir = tempDir('evalattr-all');
  });
  after(async () => {
    dir.remove();
    await server.close();
  });

  it('accepts all-at-once and all as methods, and names them in the refusal of others', async () => {
    await assert.rejects(cli(['x.json', '--method', 'everything'], dir.path, env()), /--method must be truce, bcd, gbc, all-at-once or all/);
  });

  it('clips a runaway step, reports the clipped characters, and still shows the labelled step', async () => {
    const history = [
      { role: 'human', content: 'Count the rows.' },
      { role: 'Orchestrator (thought)', content: 'Ask the Coder.' },
      { role: 'Coder', content: `MISTAKE-STARTS-HERE the rows are counted twice\n${'row\n'.repeat(60_000)}` },
      { role: 'Orchestrator (thought)', content: 'Final answer: 120000' },
    ];
    writeFileSync(join(dir.path, 'runaway.json'), JSON.stringify({ history, question: 'Count the rows.', ground_truth: '60000', mistake_agent: 'Coder', mistake_step: '2', question_ID: 'runaway' }));
    const r = await cli(['runaway.json', '--method', 'all-at-once', '--json'], dir.path, env());
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as MeasuredResult;
    assert.equal(result.summary.method, 'all-at-once');
    const [only] = result.cases;
    assert.ok(only);
    assert.equal(only.calls, 1);
    assert.ok(only.clippedChars > 200_000, `clipped ${only.clippedChars}`);
    assert.equal(only.decisiveStepSeen, true);
    assert.ok(only.promptTokens > 0 && only.promptTokens < 20_000, `prompt tokens ${only.promptTokens}`);
    assert.match(r.stdout, /"decisive": \{/);
  });

  describe('on two real Who&When logs', () => {
    let logs: string[];
    before(function () {
      const fixtures = requireSharedFixtures(this, 'the four-method comparison on Who&When logs');
      logs = ['24.json', '6.json'].map((name) => join(fixtures, 'whowhen', 'hand-crafted', name));
    });

    it('runs truce, bcd, gbc and all-at-once on the same logs and ends with one comparison table', async () => {
      const r = await cli([...logs, '--method', 'all'], dir.path, env());
      assert.equal(r.code, 0, r.stderr);
      const methods = ['truce', 'bcd', 'gbc', 'all-at-once'];
      for (const m of methods) {
        assert.match(r.stderr, new RegExp(`: ${m} on 2 log\\(s\\) with fake-model`));
        assert.match(r.stdout, new RegExp(`^== ${m} ==\\n`, 'm'));
        assert.match(r.stdout, new RegExp(`^method ${m}: 2 case\\(s\\)$`, 'm'));
      }
      const comparison = r.stdout.slice(r.stdout.indexOf('== comparison =='));
      assert.match(comparison, /^method\s+agent acc\s+step acc\s+±1\s+calls\s+prompt tokens\s+step shown$/m);
      const rows = methods.map((m) => new RegExp(`^${m}\\s+\\d+\\.\\d%\\s+\\d+\\.\\d%\\s+\\d+\\.\\d%\\s+\\d+\\s+\\d+\\s+\\d/2$`, 'm').exec(comparison));
      assert.ok(rows.every(Boolean), comparison);
      // The comparison comes after every method's own table.
      assert.ok(methods.every((m) => r.stdout.indexOf(`== ${m} ==`) < r.stdout.indexOf('== comparison ==')));
    });

    it('--json carries, per method and case, the calls, prompt tokens, clipped characters and whether the labelled step was shown', async () => {
      const r = await cli([...logs, '--method', 'all', '--json'], dir.path, env());
      assert.equal(r.code, 0, r.stderr);
      const { methods } = JSON.parse(r.stdout) as { methods: MeasuredResult[] };
      assert.deepEqual(methods.map((m) => m.summary.method), ['truce', 'bcd', 'gbc', 'all-at-once']);
      for (const m of methods) {
        assert.equal(m.cases.length, 2);
        for (const c of m.cases) {
          assert.ok(Number.isInteger(c.calls) && c.calls > 0, `${m.summary.method} ${c.taskId}: calls ${c.calls}`);
          assert.ok(c.promptTokens > 0, `${m.summary.method} ${c.taskId}: no prompt tokens`);
          assert.ok(Number.isInteger(c.clippedChars) && c.clippedChars >= 0);
          assert.equal(typeof c.decisiveStepSeen, 'boolean');
          assert.ok(c.labelAgent && c.labelStepId);
        }
        assert.equal(m.totals.calls, m.cases.reduce((n, c) => n + c.calls, 0));
      }
      const baseline = methods[3] as MeasuredResult;
      assert.ok(baseline.cases.every((c) => c.calls === 1 && c.decisiveStepSeen === true));
      assert.deepEqual(baseline.cases.map((c) => [c.predictedAgent, c.predictedStepId, c.decisive]), [
        ['Orchestrator', 's1', DECISIVE],
        ['Orchestrator', 's1', DECISIVE],
      ]);
    });
  });
});

describe('attribution figures', function () {
  this.timeout(20_000);
  let server: FakeOpenAiServer;
  before(async () => {
    server = await start({ responder: (req) => (req.jsonSchema?.name === 'truce_probe' ? { json: { ok: true } } : { content: 'not json' }) });
  });
  after(() => server.close());

  const [log] = importWhoWhenText(
    JSON.stringify({ history: [{ role: 'human', content: 'Q' }, { role: 'Coder', content: 'print(1 + 1)   # off by one\n  next line' }], question: 'Q', mistake_agent: 'Coder', mistake_step: '1', question_ID: 'fig' }),
    { source: 'hand-crafted/fig.json' },
  ).trajectories;

  it('counts what a method sent for a log: calls with repairs, reported tokens, each clipped message once, no probes', async () => {
    assert.ok(log);
    const meter = new AttributionMeter();
    const { client } = makeHarness({ baseUrl: server.url }, { role: 'optimizer' });
    const prompt = [{ role: 'user' as const, content: `print(1 + 1) # off by one next line [… 500 characters omitted …]` }];
    const method: CreditMethod = {
      name: 'truce',
      async credit(context) {
        // The reply is never JSON: one call and its repair, both resending the clipped prompt.
        await callStructured(context.optimizer, { messages: prompt, schema: z.object({ ok: z.boolean() }), schemaName: 'x' }, { phase: 'credit' });
        return { method: 'truce', signals: [], details: { decisive: { fig: { found: false } } } };
      },
      async suggest() {
        return [];
      },
    };
    const context = { optimizer: meter.watch(client) } as Parameters<CreditMethod['credit']>[0];
    await meter.measure(method).credit(context, [log]);
    const sent = server.chatRequests().filter((r) => (r.body as { response_format?: { json_schema?: { name?: string } } }).response_format?.json_schema?.name !== 'truce_probe');
    assert.equal(sent.length, 2, 'the probe went to the server but is not the method\'s');
    assert.deepEqual(meter.cases, [
      {
        taskId: 'fig',
        calls: 2,
        promptTokens: sent.reduce((n, r) => n + (r.usage?.prompt_tokens ?? 0), 0),
        clippedChars: 500,
        decisiveStepSeen: true,
        decisive: { found: false },
      },
    ]);
    assert.ok(meter.cases[0]!.promptTokens >= fakePromptTokens(prompt));
  });

  it('tells whether the labelled step\'s opening reached the model, whatever the white space', () => {
    assert.ok(log);
    assert.equal(decisiveStepSeen(log, ['<step id="s1">print(1 + 1) # off by one\nnext line</step>']), true);
    assert.equal(decisiveStepSeen(log, ['<step id="s1">print(1 + 2)</step>', 'unrelated']), false);
    assert.equal(decisiveStepSeen({ steps: log.steps }, ['anything']), undefined);
  });
});

describe('truce eval-attribution: bad input', () => {
  it('reports a symbolic-link cycle among the log folders instead of following it to ELOOP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'truce-eloop-'));
    try {
      mkdirSync(join(dir, 'logs'));
      symlinkSync(join(dir, 'logs'), join(dir, 'logs', 'again'));
      symlinkSync(join(dir, 'self'), join(dir, 'self'));
      for (const [target, pattern] of [['logs', /logs\/again is a symbolic link back to .*logs, a folder being read already \(a cycle\)/], ['self', /self is a symbolic link that leads back to itself/]] as const) {
        let stderr = '';
        const code = await evalAttributionCommand.run([target, '--method', 'truce'], { stdout: () => undefined, stderr: (t) => (stderr += t), cwd: dir, env: { TRUCE_BASE_URL: 'http://127.0.0.1:9/v1' } });
        assert.equal(code, 1, stderr);
        assert.match(stderr, pattern);
        assert.doesNotMatch(stderr, /ELOOP/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses --samples outside 1 to 20', async () => {
    await assert.rejects(
      evalAttributionCommand.run(['x.json', '--method', 'truce', '--samples', '0'], { stdout: () => undefined, stderr: () => undefined, cwd: '/', env: {} }),
      /--samples must be a whole number from 1 to 20/,
    );
  });
});
