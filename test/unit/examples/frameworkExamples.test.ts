/**
 * The framework examples end to end, as CI runs them: each example's own npm dependencies are
 * installed with `npm ci` (skipped when node_modules already matches package-lock.json), then
 * `truce run` runs the real program — LangGraph.js or the OpenAI Agents SDK, traced by
 * OpenInference, exporting OTLP to TRUCE's receiver — against the loopback fake OpenAI server,
 * and `truce optimize` does one round over it. The stored trajectories are checked against what
 * the fake server saw and sent: agents, steps, messages, the `reads` edges and token usage.
 *
 * Durations are printed, never asserted.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/runCli';
import type { Trajectory } from '../../../src/core/trajectory/schema';
import { parseConfig } from '../../../src/core/config';
import type { RunSummary } from '../../../src/core/store/summarizeRun';
import { REPO } from '../../support/cliProcess';
import { AGENTS_SDK_TEAM, exampleWorld, LANGGRAPH_TEAM, type ExampleTeam, type ExampleWorld } from '../../support/examples/exampleWorld';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';

const STAMP = '.truce-ci-installed';

/** `npm ci` unless node_modules was installed from this very package-lock.json. */
function ensureDependencies(dir: string): string {
  const lock = createHash('sha256').update(readFileSync(join(dir, 'package-lock.json'))).digest('hex');
  const stamp = join(dir, 'node_modules', STAMP);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === lock) return 'cached';
  const started = Date.now();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, encoding: 'utf8', timeout: 600_000 });
  if (result.status !== 0) {
    assert.fail(`npm ci in ${dir} failed (${result.error?.message ?? `exit ${result.status}`}); the framework examples need the npm registry once.\n${result.stderr}`);
  }
  writeFileSync(stamp, lock);
  return `npm ci ${((Date.now() - started) / 1000).toFixed(1)} s`;
}

/** The example without node_modules (linked, not copied) in a temp folder, so runs never land in the repository. */
function workspaceOf(example: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'truce-example-'));
  cpSync(example, dir, { recursive: true, filter: (src) => !/[\\/](node_modules|\.truce)$/.test(src) });
  symlinkSync(join(example, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

async function truce(dir: string, server: FakeOpenAiServer, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    // The MAS's own model endpoint (mas.passEnv) and TRUCE's optimizer endpoint: both the fake server.
    OPENAI_BASE_URL: server.url,
    OPENAI_API_KEY: 'sk-example-test',
    OPENAI_MODEL: 'fake-model',
    TRUCE_BASE_URL: server.url,
    TRUCE_MODEL: 'fake-model',
  };
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: dir, env });
  return { code, stdout, stderr };
}

function storedTrajectories(dir: string, runId: string): Trajectory[] {
  return readFileSync(join(dir, '.truce/runs', runId, 'trajectories.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Trajectory);
}

function checkTrajectory(t: Trajectory, team: ExampleTeam, dir: string, server: FakeOpenAiServer): void {
  assert.deepEqual(t.agents.map((a) => a.id).sort(), [...team.agents].sort(), `task ${t.taskId}: the agents come from the spans`);
  assert.deepEqual(t.steps.map((s) => s.agentId), [...team.agents], `task ${t.taskId}: one model call per agent, in order`);
  const sent = server.chatRequests();
  for (const [i, step] of t.steps.entries()) {
    assert.equal(step.kind, 'llm');
    const messages = step.input as Array<{ role: string; content: string }>;
    const system = messages.find((m) => m.role === 'system')?.content ?? '';
    const promptFile = readFileSync(join(dir, 'prompts', `${step.agentId}.md`), 'utf8');
    assert.equal(system.trim(), promptFile.trim(), `${step.agentId}'s system message is its prompt file`);
    assert.ok(messages.some((m) => m.role === 'user' && m.content.includes((t.task?.input ?? "\u0000").trim())), `${step.agentId} was given the task`);
    // The reply and the token counts are exactly what the fake server sent for that request.
    const asked = JSON.stringify(messages.map((m) => [m.role, m.content]));
    const reply = sent.find((r) => JSON.stringify((r.body as { messages: Array<{ role: string; content: string }> }).messages.map((m) => [m.role, m.content])) === asked);
    assert.ok(reply?.usage, `the fake server never received ${step.agentId}'s messages of task ${t.taskId}`);
    assert.equal(step.output, reply.content, `${step.agentId}'s output is the reply it got`);
    assert.deepEqual(step.usage, { in: reply.usage.prompt_tokens, out: reply.usage.completion_tokens });
    // Every agent reads the notes of all the agents before it.
    assert.deepEqual([...step.reads].sort(), t.steps.slice(0, i).map((s) => s.id).sort(), `${step.agentId} reads the earlier agents`);
  }
  assert.deepEqual(t.usage, { in: t.steps.reduce((n, s) => n + s.usage.in, 0), out: t.steps.reduce((n, s) => n + s.usage.out, 0) });
  assert.ok(t.outcome, 'the answer was scored');
  assert.equal(t.outcome.details.picked, /Final answer: ([A-D])/.exec(t.steps[t.steps.length - 1].output)?.[1], 'the final agent\'s answer is the one scored');
}

/**
 * The run's account of the MAS's spend — read from its spans, no gateway in between — is what the
 * fake server counted: per agent, the calls it answered and the prompt and completion tokens it
 * reported, priced by the example's truce.yaml. Checked in the summary the CLI prints and in the
 * run's stored call records.
 */
function checkAccounting(summary: RunSummary, runDir: string, server: FakeOpenAiServer, sim: ExampleWorld, example: string): void {
  const counted: Record<string, { calls: number; inputTokens: number; outputTokens: number }> = {};
  for (const request of server.chatRequests()) {
    const messages = (request.body as { messages: Array<{ role: string; content: string }> }).messages;
    const agent = sim.world.agentOfSystemPrompt(messages.find((m) => m.role === 'system')?.content ?? '');
    assert.ok(agent && request.usage, `a plain run sent the fake server only its agents' calls, with usage; got ${JSON.stringify(messages).slice(0, 200)}`);
    const c = (counted[agent] ??= { calls: 0, inputTokens: 0, outputTokens: 0 });
    c.calls++;
    c.inputTokens += request.usage.prompt_tokens;
    c.outputTokens += request.usage.completion_tokens;
  }
  const parsed = parseConfig(readFileSync(join(example, 'truce.yaml'), 'utf8'), { workspaceRoot: example });
  assert.ok(parsed.ok, JSON.stringify(parsed.diagnostics));
  const { executor } = parsed.config.llm;
  assert.ok(executor.pricePer1kInput! > 0 && executor.pricePer1kOutput! > 0, 'the example prices its model');
  const byAgent = summary.usage.byAgent;
  assert.deepEqual(Object.keys(byAgent).sort(), Object.keys(counted).sort(), 'an account for each agent the server answered');
  for (const [agent, c] of Object.entries(counted)) {
    assert.ok(c.calls > 0 && c.inputTokens > 0 && c.outputTokens > 0);
    const got = byAgent[agent];
    assert.deepEqual([got.calls, got.inputTokens, got.outputTokens], [c.calls, c.inputTokens, c.outputTokens], `${agent}: calls, input and output tokens as the fake server counted`);
    const cost = (c.inputTokens / 1000) * executor.pricePer1kInput! + (c.outputTokens / 1000) * executor.pricePer1kOutput!;
    assert.ok(Math.abs(got.costUsd - cost) < 1e-12, `${agent}: cost ${got.costUsd} is its tokens at truce.yaml's prices (${cost})`);
  }
  const total = Object.values(counted).reduce((t, c) => ({ calls: t.calls + c.calls, inputTokens: t.inputTokens + c.inputTokens, outputTokens: t.outputTokens + c.outputTokens }), { calls: 0, inputTokens: 0, outputTokens: 0 });
  assert.deepEqual([summary.usage.total.calls, summary.usage.total.inputTokens, summary.usage.total.outputTokens], [total.calls, total.inputTokens, total.outputTokens]);
  assert.deepEqual([summary.usage.byPhase.rollout?.calls, summary.usage.byPhase.rollout?.inputTokens], [total.calls, total.inputTokens], 'the MAS\'s calls are rollout spend');
  // The stored call records rebuild the same account (what reports and a resumed run read).
  const records = readFileSync(join(runDir, 'llm-calls.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { agent?: string; usage: { inputTokens: number; outputTokens: number } });
  assert.equal(records.length, total.calls);
  for (const [agent, c] of Object.entries(counted)) {
    const mine = records.filter((r) => r.agent === agent);
    assert.deepEqual([mine.length, mine.reduce((n, r) => n + r.usage.inputTokens, 0), mine.reduce((n, r) => n + r.usage.outputTokens, 0)], [c.calls, c.inputTokens, c.outputTokens], `${agent}'s stored call records`);
  }
}

for (const { name, folder, team } of [
  { name: 'LangGraph.js + OpenInference', folder: 'langgraph-js', team: LANGGRAPH_TEAM },
  { name: 'OpenAI Agents SDK + OpenInference', folder: 'openai-agents-js', team: AGENTS_SDK_TEAM },
]) {
  describe(`framework example: ${name} (examples/${folder})`, function () {
    // npm ci on a cold cache and the example program's start-up (a few seconds per task) on a
    // loaded 2-core machine; nothing here is timed.
    this.timeout(900_000);
    const example = join(REPO, 'examples', folder);
    let dir: string;
    let server: FakeOpenAiServer;
    let sim: ReturnType<typeof exampleWorld>;

    before(async () => {
      const started = Date.now();
      const install = ensureDependencies(example);
      console.log(`      [${folder}] dependencies: ${install} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      dir = workspaceOf(example);
      sim = exampleWorld(example, team);
      server = await start({ responder: sim.respond });
    });

    after(async () => {
      await server?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('runs the real program and stores its spans as trajectories: agents, steps, messages, reads, usage', async () => {
      const started = Date.now();
      const run = await truce(dir, server, ['run', '--trust', '--limit', '3', '--concurrency', '3']);
      console.log(`      [${folder}] truce run, 3 tasks: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      assert.equal(run.code === 0 || run.code === 1, true, run.stderr);
      const summary = JSON.parse(run.stdout) as { runId: string; tasks: { finished: number; failed: number } };
      assert.deepEqual([summary.tasks.finished, summary.tasks.failed], [3, 0], run.stderr);
      const trajectories = storedTrajectories(dir, summary.runId);
      assert.equal(trajectories.length, 3);
      for (const t of trajectories) checkTrajectory(t, team, dir, server);
      assert.equal(sim.calls[team.agents[0]], 3, 'each task ran the whole team once');
      checkAccounting(summary as unknown as RunSummary, join(dir, '.truce/runs', summary.runId), server, sim, example);
    });

    it('runs one optimize round over the program: credit finds the missing rule and the candidate with it is validated', async () => {
      // The examples' 2 val tasks (10 × 0.2) could not show a gain under any test at δ, so the
      // gate would refuse before running them; 6 of the 10 tasks go to validation here.
      const config = join(dir, 'truce.yaml');
      const yaml = readFileSync(config, 'utf8');
      assert.ok(yaml.includes('split: { train: 0.6, val: 0.2, test: 0.2 }'), 'the example\'s split moved; update this test');
      writeFileSync(config, yaml.replace('split: { train: 0.6, val: 0.2, test: 0.2 }', 'split: { train: 4, val: 6, test: 0 }'));
      const started = Date.now();
      const result = await truce(dir, server, ['optimize', '--trust', '--rounds', '1', '--batch-size', '3']);
      console.log(`      [${folder}] truce optimize, 1 round: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      assert.equal(result.code, 0, result.stderr);
      const optimized = JSON.parse(result.stdout) as { runId: string; status: string; rounds: number };
      assert.equal(optimized.status, 'completed', result.stderr);
      assert.equal(optimized.rounds, 1);
      const [round] = readFileSync(join(dir, '.truce/runs', optimized.runId, 'optimize.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { batch: string[]; applied: Array<{ status: string; edit?: { op: string; agentId?: string; newText?: string } }>; valRunIds: string[]; rolloutRunId: string });
      assert.equal(storedTrajectories(dir, round.rolloutRunId).length, round.batch.length, 'the batch ran through the program');
      const added = round.applied.map((a) => a.edit).filter((e) => e?.op === 'ADD');
      assert.ok(
        added.some((e) => e?.agentId === team.missing.agent && e.newText === team.missing.rule),
        `no ADD of the missing rule to ${team.missing.agent}; applied: ${JSON.stringify(round.applied)}\n${result.stderr}`,
      );
      assert.ok(round.valRunIds.length > 0, 'the candidate ran on the val tasks');
      for (const id of round.valRunIds) {
        for (const t of storedTrajectories(dir, id)) assert.deepEqual(t.steps.map((s) => s.agentId), [...team.agents]);
      }
    });
  });
}
