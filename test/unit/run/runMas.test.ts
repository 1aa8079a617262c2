import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRun, RUN_FILES, runsDir, type StoredRun } from '../../../src/core/store';
import { applyExecutorOverrides, RunSetupError, runMas, type RunMasOptions, type RunProgress } from '../../../src/core/run';
import { validateTrajectory } from '../../../src/core/trajectory/validate';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { readTree, TestClock } from '../llm/helpers';
import { debateResponder, debateWorkspace, exampleTasks, taskOfRequest, type Workspace } from './debateWorkspace';

const TASKS = exampleTasks();
const WRONG = new Set(['q03', 'q11', 'q18']);
/** 2 roles × 2 rounds + 2 aggregations + 1 decision. */
const CALLS_PER_TASK = 7;

function options(ws: Workspace, extra: Partial<RunMasOptions> = {}): RunMasOptions {
  return { config: ws.config(), configFile: 'truce.yaml', workspaceRoot: ws.dir, trusted: true, env: {}, toolVersion: 'test', ...extra };
}

/** Requests about tasks that were already finished before `since` (the zero-repeat check of resume). */
function repeatedFor(server: FakeOpenAiServer, since: number, finished: ReadonlySet<string>): number {
  return server
    .chatRequests()
    .filter((r) => r.seq > since)
    .filter((r) => {
      const messages = ((r.body as { messages?: Array<{ content: string }> }).messages ?? []) as Array<{ content: string }>;
      const task = taskOfRequest(messages, TASKS);
      return task !== undefined && finished.has(task.id);
    }).length;
}

function assertCompleteStore(run: StoredRun, tasks: number): void {
  assert.deepEqual(run.problems, []);
  assert.equal(run.trajectories.length, tasks);
  for (const t of run.trajectories) assert.ok(validateTrajectory(t).ok, `trajectory of ${t.taskId} validates`);
  assert.equal(new Set(run.trajectories.map((t) => t.taskId)).size, tasks, 'one result per task');
  for (const t of run.trajectories) assert.equal(t.runId, run.manifest.runId);
  assert.ok(run.summary, 'summary.json exists');
}

describe('runMas with the rounds MAS on the debate example', function () {
  // Whole runs of 20 tasks; a loaded machine can need more than mocha's default 2 s.
  this.timeout(30_000);
  let server: FakeOpenAiServer;
  let ws: Workspace;

  beforeEach(async () => {
    server = await start({ responder: debateResponder(TASKS, WRONG) });
    ws = debateWorkspace(server.url);
  });
  afterEach(async () => {
    await server.close();
    ws.remove();
  });

  it('writes a complete run: manifest, one scored trajectory per task, call records, journal, summary', async () => {
    const events: RunProgress[] = [];
    const result = await runMas(options(ws, { onProgress: (e) => events.push(e) }));
    assert.equal(result.status, 'completed');
    assert.match(result.runId, /^\d{8}-\d{6}-[0-9a-f]{4}$/);

    const run = await loadRun(ws.dir, 'latest');
    assert.equal(run.manifest.runId, result.runId);
    assertCompleteStore(run, 20);
    assert.equal(run.manifest.status, 'completed');
    assert.equal(run.manifest.prompts.files.length, 3, 'three prompt files');
    assert.deepEqual(run.manifest.prompts.files.find((f) => f.file === 'agents.yaml')?.agents, ['skeptic', 'aggregator']);
    assert.deepEqual(run.manifest.split.sizes, { train: 12, val: 4, test: 4 });
    assert.equal(run.manifest.selection.tasks.length, 20);
    assert.equal(run.manifest.endpoints.executor?.model, 'fake-model');

    // Scores: the three tasks the judge gets wrong score 0, the rest 1.
    for (const t of run.trajectories) {
      assert.equal(t.outcome?.success, !WRONG.has(t.taskId), t.taskId);
      assert.equal(t.outcome?.details.evaluator, 'choice');
      assert.ok(['train', 'val', 'test'].includes(String(t.attrs?.split)));
      assert.equal(t.steps.length, CALLS_PER_TASK);
    }
    const s = result.summary;
    assert.equal(s.scores.all.meanScore, 17 / 20);
    assert.equal(s.tasks.finished, 20);
    assert.equal(s.tasks.failed, 0);
    const perSplit = (['train', 'val', 'test'] as const).reduce((n, k) => n + (s.scores[k]?.finished ?? 0), 0);
    assert.equal(perSplit, 20);

    // Accounting: every request the server saw is one call; per agent and phase as the structure says.
    assert.equal(server.chatRequests().length, 20 * CALLS_PER_TASK + 1);
    assert.equal(s.usage.total.calls, 20 * CALLS_PER_TASK + 1);
    assert.equal(s.usage.byPhase.rollout?.calls, 20 * CALLS_PER_TASK);
    assert.equal(s.usage.byPhase.probe?.calls, 1);
    assert.deepEqual(
      Object.fromEntries(Object.entries(s.usage.byAgent).map(([k, v]) => [k, v.calls])),
      { proposer: 40, skeptic: 40, aggregator: 40, judge: 20 },
    );
    const served = server.chatRequests().reduce((n, r) => n + (r.usage?.prompt_tokens ?? 0), 0);
    assert.equal(s.usage.total.inputTokens, served);

    // Call records carry their task; journal tells the story in order.
    assert.equal(run.calls.length, 20 * CALLS_PER_TASK + 1);
    assert.equal(run.calls.filter((c) => c.taskId !== undefined).length, 20 * CALLS_PER_TASK);
    const kinds = run.journal.map((e) => e.event);
    assert.equal(kinds[0], 'run-started');
    assert.equal(kinds[kinds.length - 1], 'run-completed');
    assert.equal(kinds.filter((k) => k === 'task-finished').length, 20);
    assert.equal(events.filter((e) => e.type === 'task').length, 20);
    assert.equal(events[0]?.type, 'started');
  });

  it('answers a second run entirely from the response cache', async () => {
    await runMas(options(ws));
    server.reset();
    const again = await runMas(options(ws));
    assert.equal(again.status, 'completed');
    assert.equal(server.chatRequests().length, 1, 'only the reachability probe reaches the server');
    assert.equal(again.summary.invocation?.usage.cachedCalls, 20 * CALLS_PER_TASK);
    assert.equal(again.summary.scores.all.meanScore, 17 / 20);
  });

  it('replays a recorded run with the server gone', async () => {
    await runMas(options(ws));
    await server.close();
    const replay = await runMas(options(ws, { cacheMode: 'replay' }));
    assert.equal(replay.status, 'completed');
    assert.equal(replay.summary.scores.all.meanScore, 17 / 20);
  });

  it('keeps running through 30% transport faults, with accounting that matches the server', async () => {
    await server.close();
    server = await start({
      responder: debateResponder(TASKS, WRONG),
      faults: { probability: 0.3, kinds: ['rate-limit', 'server-error', 'unavailable', 'reset'], seed: 11 },
    });
    ws.remove();
    ws = debateWorkspace(server.url, (y) => y.replace('concurrency: 4', 'concurrency: 8'));
    const result = await runMas(options(ws, { llm: { clock: new TestClock() } }));
    assert.equal(result.status, 'completed');
    const run = await loadRun(ws.dir, result.runId);
    assertCompleteStore(run, 20);
    const faulted = server.chatRequests().filter((r) => r.fault !== undefined).length;
    assert.ok(faulted > 20, `faults were injected (${faulted})`);
    const total = result.summary.usage.total;
    assert.equal(total.attempts, server.chatRequests().length, 'every HTTP attempt is accounted');
    const answered = server.chatRequests().filter((r) => r.status === 200);
    assert.equal(total.calls - total.failedCalls, answered.length, 'one successful call per answered request');
    assert.equal(total.inputTokens, answered.reduce((n, r) => n + (r.usage?.prompt_tokens ?? 0), 0));
    assert.equal(total.outputTokens, answered.reduce((n, r) => n + (r.usage?.completion_tokens ?? 0), 0));
    // A call that failed after all its attempts fails its task, which is recorded, not lost.
    assert.equal(result.summary.tasks.failed, run.trajectories.filter((t) => t.outcome?.details.failed === true).length);
    assert.equal(result.summary.tasks.finished, 20);
  });

  it('is cancelled cleanly and resumes without repeating any call of a finished task', async () => {
    await server.close();
    server = await start({ responder: debateResponder(TASKS, WRONG), baseLatencyMs: 5 });
    ws.remove();
    ws = debateWorkspace(server.url);
    const controller = new AbortController();
    const first = await runMas(
      options(ws, {
        signal: controller.signal,
        concurrency: 2,
        onProgress: (e) => {
          if (e.type === 'task' && e.done >= 5) controller.abort();
        },
      }),
    );
    assert.equal(first.status, 'cancelled');
    const stopped = await loadRun(ws.dir, first.runId);
    assert.equal(stopped.manifest.status, 'cancelled');
    assert.ok(stopped.trajectories.length >= 5 && stopped.trajectories.length < 20);
    assert.ok(stopped.journal.some((e) => e.event === 'run-stopped' && e.status === 'cancelled'));
    assert.equal(stopped.summary?.tasks.failed, 0, 'interrupted tasks are not failures');

    const finished = new Set(stopped.trajectories.map((t) => t.taskId));
    const mark = server.chatRequests().at(-1)?.seq ?? 0;
    const resumed = await runMas(options(ws, { resumeRunId: first.runId }));
    assert.equal(resumed.runId, first.runId);
    assert.equal(resumed.status, 'completed');
    assert.equal(repeatedFor(server, mark, finished), 0, 'no request about a finished task');
    assert.equal(resumed.summary.invocation?.skipped, finished.size);
    const run = await loadRun(ws.dir, first.runId);
    assertCompleteStore(run, 20);
    assert.equal(run.manifest.invocations, 2);
    assert.equal(run.journal.filter((e) => e.event === 'run-started').length, 2);
    assert.equal(resumed.summary.scores.all.meanScore, 17 / 20);
  });

  it('is complete, not cancelled, when the cancel comes after the last task finished', async () => {
    const controller = new AbortController();
    const result = await runMas(
      options(ws, {
        signal: controller.signal,
        onProgress: (e) => {
          if (e.type === 'task' && e.done === e.total) controller.abort();
        },
      }),
    );
    assert.equal(result.status, 'completed');
    const run = await loadRun(ws.dir, result.runId);
    assert.equal(run.manifest.status, 'completed');
    assertCompleteStore(run, 20);
  });

  it('stops cleanly when the budget runs out, leaving unfinished tasks for a resume with a higher cap', async () => {
    await server.close();
    const play = debateResponder(TASKS, WRONG);
    // The server reports big prompts, so real usage outruns the projection's estimate.
    server = await start({ responder: (r) => ({ content: play(r) as string, usage: { prompt_tokens: 2000 } }) });
    ws.remove();
    ws = debateWorkspace(server.url, (y) => y.replace('maxCalls: 600', 'maxTokens: 150000'));
    const stopped = await runMas(options(ws, { concurrency: 2 }));
    assert.equal(stopped.status, 'stopped-budget');
    assert.match(stopped.summary.statusReason ?? '', /budget/i);
    assert.ok(stopped.summary.tasks.finished > 0 && stopped.summary.tasks.finished < 20);
    assert.equal(stopped.summary.tasks.failed, 0, 'budget stops are not task failures');
    const total = stopped.summary.usage.total;
    assert.ok(total.inputTokens + total.outputTokens <= 150000 + 2 * 2400, 'at most the calls in flight overshoot the cap');

    const raised = ws.configPath;
    const yaml = readFileSync(raised, 'utf8').replace('maxTokens: 150000', 'maxTokens: 1000000');
    writeFileSync(raised, yaml);
    const finished = new Set((await loadRun(ws.dir, stopped.runId)).trajectories.map((t) => t.taskId));
    const mark = server.chatRequests().at(-1)?.seq ?? 0;
    const resumed = await runMas(options(ws, { resumeRunId: stopped.runId }));
    assert.equal(resumed.status, 'completed');
    assert.equal(repeatedFor(server, mark, finished), 0);
    assertCompleteStore(await loadRun(ws.dir, stopped.runId), 20);
  });

  it('stops the run (status failed, resumable) when the endpoint goes away mid-run', async () => {
    let answered = 0;
    const play = debateResponder(TASKS, WRONG);
    server.setResponder(async (r) => {
      answered += 1;
      if (answered === 30) setImmediate(() => void server.close());
      return play(r);
    });
    const result = await runMas(options(ws, { concurrency: 1 }));
    assert.equal(result.status, 'failed');
    assert.match(result.summary.statusReason ?? '', /No OpenAI-compatible endpoint answers/);
    assert.equal(result.summary.tasks.failed, 0, 'no task is blamed for the dead endpoint');
    assert.ok(result.summary.tasks.finished >= 3 && result.summary.tasks.finished < 20);
    const run = await loadRun(ws.dir, result.runId);
    assert.ok(run.journal.some((e) => e.event === 'task-interrupted'));
  });

  it('stores no trajectory whose replies did not reach the response cache: the run stops, resumable', async () => {
    // A file where the cache folder should be: every cache write fails (as on a full or read-only disk).
    mkdirSync(join(ws.dir, '.truce'), { recursive: true });
    writeFileSync(join(ws.dir, '.truce', 'cache'), 'not a folder');
    const result = await runMas(options(ws, { concurrency: 2 }));
    assert.equal(result.status, 'failed');
    assert.match(result.summary.statusReason ?? '', /Could not write a response-cache entry under .*cache/);
    const run = await loadRun(ws.dir, result.runId);
    assert.equal(run.trajectories.length, 0, 'no result is stored without its cached replies');
    assert.ok(run.journal.some((e) => e.event === 'task-interrupted'));

    rmSync(join(ws.dir, '.truce', 'cache'));
    const resumed = await runMas(options(ws, { resumeRunId: result.runId }));
    assert.equal(resumed.status, 'completed');
    assertCompleteStore(await loadRun(ws.dir, result.runId), 20);
  });

  it('refuses to start when the projection exceeds the budget, naming the figures', async () => {
    ws.remove();
    ws = debateWorkspace(server.url, (y) => y.replace('maxCalls: 600', 'maxCalls: 50'));
    await assert.rejects(runMas(options(ws)), (e: unknown) => {
      assert.ok(e instanceof RunSetupError);
      assert.match(e.message, /141 calls planned, budget\.maxCalls allows 50/);
      return true;
    });
    assert.equal(server.chatRequests().length, 0, 'nothing was sent');
    assert.ok(!existsSync(runsDir(ws.dir)), 'no run folder');
  });

  it('says once, before starting, that no endpoint answers', async () => {
    await server.close();
    await assert.rejects(runMas(options(ws)), (e: unknown) => {
      assert.ok(e instanceof RunSetupError);
      assert.match(e.message, /^The executor endpoint is not usable: No OpenAI-compatible endpoint answers at http:\/\/127\.0\.0\.1:\d+\/v1/);
      return true;
    });
    assert.ok(!existsSync(runsDir(ws.dir)));
  });

  it('reports every bad task line with its number and runs nothing', async () => {
    const tasksPath = join(ws.dir, 'tasks.jsonl');
    const lines = readFileSync(tasksPath, 'utf8').split('\n');
    lines[2] = '{"id": "q03", "input": ';
    lines[5] = '{"id": "q01", "input": "again"}';
    writeFileSync(tasksPath, lines.join('\n'));
    await assert.rejects(runMas(options(ws)), (e: unknown) => {
      assert.ok(e instanceof RunSetupError);
      assert.deepEqual(
        e.details.map((d) => d.replace(/:\s.*$/, '')),
        ['tasks.jsonl:3', 'tasks.jsonl:6'],
      );
      assert.match(e.details[1] ?? '', /duplicate task id "q01" \(first used on line 1\)/);
      return true;
    });
    assert.equal(server.chatRequests().length, 0);
  });

  it('runs one split with a limit', async () => {
    const result = await runMas(options(ws, { split: 'val', limit: 3 }));
    assert.equal(result.summary.tasks.planned, 3);
    assert.deepEqual(Object.keys(result.summary.scores).sort(), ['all', 'val']);
    const run = await loadRun(ws.dir, result.runId);
    assert.ok(run.trajectories.every((t) => t.attrs?.split === 'val'));
  });

  it('never writes the API key: a canary key sent to the server appears nowhere under .truce/', async () => {
    const canary = 'sk-canary-5c1f0d7e9a2b4c6d8e0f';
    await server.close();
    server = await start({ responder: debateResponder(TASKS, WRONG), apiKey: canary });
    ws.remove();
    ws = debateWorkspace('http://127.0.0.1:9/v1');
    const env = { TRUCE_BASE_URL: server.url, OPENAI_API_KEY: canary };
    const { config, applied } = applyExecutorOverrides(ws.config(), env);
    assert.deepEqual(applied, ['llm.executor.baseUrl from TRUCE_BASE_URL', 'llm.executor.apiKeyEnv = OPENAI_API_KEY']);
    const result = await runMas({ ...options(ws), config, env, limit: 4 });
    assert.equal(result.status, 'completed');
    assert.equal(server.chatRequests()[0]?.headers.authorization, `Bearer ${canary}`, 'the key was really used');
    const files = readTree(join(ws.dir, '.truce'));
    assert.ok(files.length > 5);
    for (const f of files) assert.ok(!f.text.includes(canary), `${f.path} holds the key`);
    assert.ok(readdirSync(join(runsDir(ws.dir), result.runId)).includes(RUN_FILES.calls));
  });
});
