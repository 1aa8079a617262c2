import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandMas, type CommandMasConfig } from '../../../src/core/mas/commandMas';
import { createMasRunner } from '../../../src/core/mas/createMasRunner';
import { MasSetupError } from '../../../src/core/mas/errors';
import { RoundsMas } from '../../../src/core/mas/roundsMas';
import type { MasTask, PromptSet } from '../../../src/core/mas/types';
import type { Step } from '../../../src/core/trajectory/schema';
import { encodeTraceRequest, int, str } from '../../support/otlpProto';
import { expectFailure, expectResult, FIXTURES, makeConfig, promptSetFrom } from './helpers';

const AGENTS = [
  { id: 'planner', kind: 'role' as const, prompt: 'prompts/planner.md' },
  { id: 'solver', kind: 'role' as const, prompt: 'prompts/solver.md' },
];
// Candidate texts that exist only in memory: the program can only know them from TRUCE_PROMPTS_DIR.
const FILES = {
  'prompts/planner.md': '# Planner\n\n- Plan in three steps.\n',
  'prompts/solver.md': '---\nkind: role\n---\n# Solver\n\n<!-- truce:lock -->\n- Candidate rule 7f3a: shout the answer.\n',
};
const TASK: MasTask = { id: 'task-9', input: 'hello world', reference: 'HELLO WORLD', level: 2 };

function command(argv: string[], extra: Partial<CommandMasConfig> = {}): CommandMasConfig {
  return { kind: 'command', argv: [process.execPath, ...argv], env: {}, timeoutMs: 20_000, otlp: false, ...extra };
}

/** Whether the process is gone; a zombie waiting for a reaper counts as gone. */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

async function waitUntilGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (gone(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return gone(pid);
}

describe('mas/CommandMas with real processes', function () {
  this.timeout(30_000);
  let workspace: string;
  let tmp: string;
  let prompts: PromptSet;

  before(async () => {
    prompts = await promptSetFrom({ agents: AGENTS }, FILES);
  });
  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), 'truce-ws-'));
    tmp = mkdtempSync(join(tmpdir(), 'truce-tmp-'));
  });
  afterEach(() => {
    rmSync(workspace, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  });

  const runner = (mas: CommandMasConfig, options: { killGraceMs?: number } = {}) => new CommandMas({ mas, workspaceRoot: workspace, trusted: true, tmpDir: tmp, ...options });

  it('hands over task and candidate prompts and reads streamed steps from stdout', async () => {
    const steps: Step[] = [];
    const mas = runner(command([join(FIXTURES, 'native-mas.js'), 'stream'], { env: { FIXTURE_SETTING: 'from truce.yaml' } }));
    const result = expectResult(await mas.run({ runId: 'run-5', task: TASK, prompts, onStep: (s) => steps.push(s) }));
    const t = result.trajectory;
    assert.deepEqual([t.runId, t.taskId], ['run-5', 'task-9']);
    assert.deepEqual(t.steps.map((s) => [s.id, s.seq, s.round, s.agentId, s.kind, s.reads]), [
      ['s0', 0, 1, 'planner', 'llm', []],
      ['solve', 1, 1, 'solver', 'aggregate', ['s0']],
    ]);
    assert.equal(t.steps[0].output, 'plan for hello world: Candidate rule 7f3a: shout the answer.');
    assert.deepEqual(t.rounds, [{ index: 1, aggregator: 'solver', state: 'Answer: HELLO WORLD' }]);
    assert.deepEqual(t.agents.map((a) => a.id), ['planner', 'solver']);
    assert.deepEqual(t.usage, { in: 17, out: 8 });
    assert.equal(result.answer, 'Answer: HELLO WORLD', 'without an answer line, the last step’s output');
    assert.deepEqual(steps.map((s) => s.id), ['s0', 'solve']);

    const env = (t.steps[0].attrs.env ?? {}) as Record<string, unknown>;
    assert.deepEqual(
      { taskId: env.taskId, runId: env.runId, custom: env.custom, otlp: env.otlp, sawReference: env.sawReference, cwd: env.cwd },
      { taskId: 'task-9', runId: 'run-5', custom: 'from truce.yaml', otlp: null, sawReference: false, cwd: workspace },
    );
    assert.equal(env.manifestPrompt, prompts.agents.solver.systemPrompt);
    assert.equal(t.attrs?.stdoutIgnoredLines, 1);
    assert.equal(t.attrs?.exitCode, 0);
    assert.equal(t.attrs?.trajectorySource, 'stdout');
    assert.match(String(t.attrs?.stderrTail), /native-mas: starting/);
    assert.deepEqual(readdirSync(tmp), [], 'the prompt temp dir is removed');
  });

  it('reads a whole-trajectory line, takes its answer, and keeps the program’s own outcome aside', async () => {
    const result = expectResult(await runner(command([join(FIXTURES, 'native-mas.js'), 'whole'])).run({ runId: 'run-6', task: TASK, prompts }));
    assert.equal(result.answer, 'HELLO WORLD');
    assert.deepEqual([result.trajectory.runId, result.trajectory.taskId], ['run-6', 'task-9']);
    assert.deepEqual(result.trajectory.attrs?.reportedOutcome, { score: 1, success: true });
    assert.equal('outcome' in result.trajectory, false);
    assert.deepEqual(result.trajectory.steps.map((s) => s.id), ['p', 's']);
    assert.deepEqual(readdirSync(tmp), []);
  });

  it('records a non-zero exit as a failure with the exit code, the stderr tail and the partial trajectory', async () => {
    const failure = expectFailure(await runner(command([join(FIXTURES, 'exit-3.js')])).run({ runId: 'r', task: TASK, prompts }));
    assert.match(failure.reason, /exited with code 3\./);
    assert.match(failure.reason, /stderr \(last lines\):\n[\s\S]*RuntimeError: quota exhausted for model x/);
    assert.ok(failure.partial);
    assert.deepEqual(failure.partial.steps.map((s) => s.output), ['started planning']);
    assert.equal(failure.partial.attrs?.exitCode, 3);
    assert.match(String(failure.partial.attrs?.stderrTail), /quota exhausted/);
    assert.deepEqual(readdirSync(tmp), []);
  });

  it('kills the whole process tree on timeout, helpers that ignore SIGTERM included', async () => {
    const pidFile = join(workspace, 'helper.pid');
    const mas = runner(command([join(FIXTURES, 'hang.js'), pidFile], { timeoutMs: 1500 }), { killGraceMs: 200 });
    const failure = expectFailure(await mas.run({ runId: 'r', task: TASK, prompts }));
    assert.match(failure.reason, /did not finish within 1500 ms \(mas\.timeoutMs\); it was stopped with its child processes/);
    assert.deepEqual(failure.partial?.steps.map((s) => s.output), ['thinking forever']);
    const helper = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(helper > 0);
    assert.ok(await waitUntilGone(helper), `helper process ${helper} is still running`);
    assert.deepEqual(readdirSync(tmp), []);
  });

  it('rejects with the abort reason on cancellation and still ends the process tree', async () => {
    const pidFile = join(workspace, 'helper.pid');
    const controller = new AbortController();
    const reason = new Error('stop the run');
    const mas = runner(command([join(FIXTURES, 'hang.js'), pidFile]), { killGraceMs: 200 });
    const run = mas.run({ runId: 'r', task: TASK, prompts, signal: controller.signal, onStep: () => controller.abort(reason) });
    await assert.rejects(run, (e: unknown) => e === reason);
    assert.ok(await waitUntilGone(Number(readFileSync(pidFile, 'utf8'))));
    assert.deepEqual(readdirSync(tmp), []);
  });

  it('turns OTLP/JSON spans into the trajectory when the program prints none', async () => {
    const mas = runner(command([join(FIXTURES, 'otlp-json.js')], { otlp: true }));
    const result = expectResult(await mas.run({ runId: 'run-7', task: TASK, prompts }));
    const t = result.trajectory;
    assert.equal(t.attrs?.trajectorySource, 'otlp');
    assert.deepEqual([t.runId, t.taskId], ['run-7', 'task-9']);
    assert.deepEqual(t.steps.map((s) => [s.agentId, s.kind, s.output]), [
      ['planner', 'llm', 'plan: add the numbers'],
      ['solver', 'llm', 'Answer: 42'],
    ]);
    assert.deepEqual(t.usage, { in: 21, out: 6 });
    assert.equal(result.answer, 'Answer: 42');
    assert.match(String(t.attrs?.stderrTail), /receiver answered 200 \{\}/);
  });

  it('tells an OTLP-enabled program where and how to export, and prefers a printed trajectory over spans', async () => {
    const mas = runner(command([join(FIXTURES, 'native-mas.js')], { otlp: true, env: { OTEL_RESOURCE_ATTRIBUTES: 'team=qa' } }));
    const result = expectResult(await mas.run({ runId: 'run 9', task: TASK, prompts }));
    const env = (result.trajectory.steps[0].attrs.env ?? {}) as Record<string, unknown>;
    assert.match(String(env.otlp), /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(env.otlpProtocol, 'http/protobuf');
    assert.equal(env.otlpResource, 'team=qa,truce.task.id=task-9,truce.run.id=run%209');
    // The receiver's per-run bearer token, in the standard variables an OpenTelemetry SDK reads.
    assert.match(String(env.otlpHeaders), /^Authorization=Bearer%20[0-9a-f]{64}$/);
    assert.equal(env.otlpTracesHeaders, env.otlpHeaders);
    assert.equal(result.trajectory.attrs?.trajectorySource, 'stdout');
  });

  it('turns OTLP/protobuf spans into the trajectory when the program prints none', async () => {
    const base = BigInt(Date.now()) * 1_000_000n;
    const spanOf = (id: string, agent: string, offsetMs: number, output: string) => ({
      traceId: '11111111111111111111111111111111',
      spanId: id,
      name: `chat ${agent}`,
      kind: 3,
      startTimeUnixNano: String(base + BigInt(offsetMs) * 1_000_000n),
      endTimeUnixNano: String(base + BigInt(offsetMs + 5) * 1_000_000n),
      attributes: [str('gen_ai.operation.name', 'chat'), str('gen_ai.agent.name', agent), str('output.value', output), int('gen_ai.usage.input_tokens', 5), int('gen_ai.usage.output_tokens', 2), str('truce.task.id', TASK.id)],
      events: [],
      links: [],
    });
    const bytes = encodeTraceRequest(
      {
        resourceSpans: [
          {
            resource: { attributes: [str('service.name', 'proto-mas')] },
            scopeSpans: [{ spans: [spanOf('00000000000000b1', 'planner', 0, 'plan it'), spanOf('00000000000000b2', 'solver', 10, 'Answer: done')] }],
          },
        ],
      },
      { unknownFields: true },
    );
    const file = join(workspace, 'spans.bin');
    writeFileSync(file, bytes);
    const mas = runner(command([join(FIXTURES, 'otlp-proto.js'), file], { otlp: true }));
    const result = expectResult(await mas.run({ runId: 'run-8', task: TASK, prompts }));
    assert.deepEqual(result.trajectory.steps.map((s) => [s.agentId, s.output, s.usage]), [
      ['planner', 'plan it', { in: 5, out: 2 }],
      ['solver', 'Answer: done', { in: 5, out: 2 }],
    ]);
    assert.equal(result.answer, 'Answer: done');
    assert.match(String(result.trajectory.attrs?.stderrTail), /receiver answered 200 application\/x-protobuf 0 bytes/);
  });

  it('fails clearly when the program prints nothing usable', async () => {
    const silent = runner(command(['-e', 'process.stdin.resume(); process.stdin.on("end", () => console.log("just logs"))']));
    assert.match(expectFailure(await silent.run({ runId: 'r', task: TASK, prompts })).reason, /printed no trajectory\. See the command MAS protocol \(README, "Your own MAS"\): print each step as a line \{"type": "step"/);
    const broken = runner(command(['-e', 'console.log(JSON.stringify({type:"step", output: 1}))']));
    assert.match(expectFailure(await broken.run({ runId: 'r', task: TASK, prompts })).reason, /stdout line 1: invalid step at agentId/);
    const missing = runner(command([join(workspace, 'no-such-script.js')]));
    assert.match(expectFailure(await missing.run({ runId: 'r', task: TASK, prompts })).reason, /exited with code 1\.[\s\S]*Cannot find module/);
  });

  it('refuses prompt paths that leave the workspace', async () => {
    const escaping = await promptSetFrom({ agents: [{ id: 'x', kind: 'role', prompt: '../outside.md' }] }, { '../outside.md': '- rule' });
    const failure = expectFailure(await runner(command([join(FIXTURES, 'native-mas.js')])).run({ runId: 'r', task: TASK, prompts: escaping }));
    assert.match(failure.reason, /"\.\.\/outside\.md" is not inside the workspace/);
    assert.equal(existsSync(join(tmp, '..', 'outside.md')), false);
    assert.deepEqual(readdirSync(tmp), []);
  });
});

describe('mas/createMasRunner', () => {
  const agents = [{ id: 'a', kind: 'role' as const, prompt: 'a.md' }];

  it('refuses the command MAS in an untrusted workspace, saying how to proceed', () => {
    const config = makeConfig({ agents, mas: { kind: 'command', argv: ['python', 'mas.py'] } });
    assert.throws(() => createMasRunner(config, { workspaceRoot: '/ws', trusted: false }), (e: unknown) => {
      assert.ok(e instanceof MasSetupError);
      assert.match(e.message, /runs "python mas\.py" from this workspace, which is only allowed in a trusted workspace/);
      assert.match(e.message, /--trust/);
      return true;
    });
    assert.equal(createMasRunner(config, { workspaceRoot: '/ws', trusted: true }).kind, 'command');
  });

  it('builds the rounds MAS and explains that imported runs are not executed', () => {
    const rounds = createMasRunner(makeConfig({ agents, mas: { kind: 'rounds', roles: ['a'], rounds: 2, aggregator: 'a' } }), { workspaceRoot: '/ws', trusted: false });
    assert.ok(rounds instanceof RoundsMas);
    const imported = makeConfig({ agents, mas: { kind: 'import', files: ['runs.jsonl'] } });
    assert.throws(() => createMasRunner(imported, { workspaceRoot: '/ws', trusted: true }), /read with `truce import`, not executed/);
  });
});
