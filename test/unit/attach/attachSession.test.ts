import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttachSession, AttachSetupError, rateStoredTrajectory, RateError } from '../../../src/core/attach';
import { createEvaluator } from '../../../src/core/eval';
import { loadRun, RunBusyError } from '../../../src/core/store';
import type { Trajectory } from '../../../src/core/trajectory/schema';
import { encodeTraceRequest, str } from '../../support/otlpProto';
import { executionSpans, freePort, postJson, postProtobuf, request, spanIdOf, traceIdOf } from './attachHelpers';

async function storedTrajectories(dir: string): Promise<Trajectory[]> {
  const text = await readFile(join(dir, 'trajectories.jsonl'), 'utf8');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Trajectory);
}

const TASKS = [
  { id: 'capital-fr', input: 'What is the capital of France?', reference: 'Paris' },
  { id: 'sum', input: 'Add 19 and 23 and give only the number.', reference: '42' },
];

describe('attach/AttachSession', () => {
  let root: string;
  let session: AttachSession | undefined;
  let clock: number;
  const now = () => new Date(clock);

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'truce-attach-'));
    clock = Date.UTC(2026, 11, 7, 9, 0, 0);
  });
  afterEach(async () => {
    await session?.stop();
    session = undefined;
    await rm(root, { recursive: true, force: true });
  });

  async function start(extra: Partial<Parameters<typeof AttachSession.start>[0]> = {}): Promise<AttachSession> {
    session = await AttachSession.start({ workspaceRoot: root, port: await freePort(), now, settleMs: 1000, writeDelayMs: 5, ...extra });
    return session;
  }

  it('groups a trace sent in several exports, out of order and in both encodings, into one trajectory of the run', async () => {
    const s = await start();
    const url = `${s.endpoint}/v1/traces`;
    assert.match(s.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    const one = executionSpans(1, 'What is the capital of France?', 'Paris');
    const two = executionSpans(2, 'Add 19 and 23 and give only the number.', '42');
    // The critic's span arrives first (protobuf), then trace 2 entirely (JSON), then the solver
    // and finally the root of trace 1 (JSON); the solver is sent twice, as a retrying exporter would.
    assert.equal((await postProtobuf(url, s.token, request([one.critic]))).status, 200);
    assert.equal((await postJson(url, s.token, request([two.solver, two.critic, two.root]))).status, 200);
    assert.equal((await postJson(url, s.token, request([one.solver]))).status, 200);
    assert.equal((await postProtobuf(url, s.token, request([one.solver, one.root]))).status, 200);
    await s.flush();

    const status = s.status;
    assert.deepEqual([status.exports, status.spans, status.traces, status.trajectories, status.scored], [4, 6, 2, 2, 0]);
    const stored = await storedTrajectories(s.dir);
    assert.deepEqual(stored.map((t) => t.taskId), [`trace-${traceIdOf(1).slice(0, 12)}`, `trace-${traceIdOf(2).slice(0, 12)}`]);
    const first = stored[0] as Trajectory;
    assert.equal(first.runId, s.runId);
    assert.deepEqual(first.steps.map((st) => [st.agentId, st.output]), [['solver', 'draft: Paris'], ['critic', 'Paris']]);
    assert.equal(first.task?.input, 'What is the capital of France?');
    assert.equal(first.outcome, undefined);
    assert.equal(first.attrs?.traceId, traceIdOf(1));
    // The run is an ordinary run while it records: the manifest lists the tasks so far.
    const run = await loadRun(root, s.runId);
    assert.equal(run.state, 'running');
    assert.deepEqual(run.manifest.attach, { port: status.port });
    assert.deepEqual(run.manifest.selection.tasks.map((t) => t.id), stored.map((t) => t.taskId));
    assert.deepEqual(run.problems, []);
  });

  it('a root span that arrives last turns an earlier partial trajectory into the whole one', async () => {
    const s = await start();
    const url = `${s.endpoint}/v1/traces`;
    const one = executionSpans(1, 'What is the capital of France?', 'Paris');
    await postJson(url, s.token, request([one.solver]));
    await s.flush();
    assert.deepEqual((await storedTrajectories(s.dir))[0]?.steps.map((st) => st.agentId), ['solver']);
    await postJson(url, s.token, request([one.root, one.critic]));
    await s.flush();
    const stored = await storedTrajectories(s.dir);
    assert.equal(stored.length, 1);
    assert.deepEqual(stored[0]?.steps.map((st) => st.agentId), ['solver', 'critic']);
  });

  it('scores a settled trace with the evaluator against the reference of the task its input matches, and leaves an unmatched one unscored', async () => {
    const s = await start({ tasks: TASKS, evaluator: createEvaluator({ type: 'exact' }) });
    const url = `${s.endpoint}/v1/traces`;
    const right = executionSpans(1, '  what is the capital of   France? ', 'Paris');
    // The framework wraps the question in its own prompt: matched by containment.
    const wrong = executionSpans(2, 'You are a careful solver.\nTask: Add 19 and 23 and give only the number.\nThink first.', '41');
    const unknown = executionSpans(3, 'Name a prime number.', '7');
    await postProtobuf(url, s.token, request([right.solver, right.critic, right.root, wrong.solver, wrong.critic, wrong.root, unknown.solver, unknown.critic, unknown.root]));
    await s.flush();
    // Not settled yet: nothing is scored while spans may still come.
    assert.equal(s.status.scored, 0);
    clock += 1500;
    await s.flush();
    const stored = await storedTrajectories(s.dir);
    const [a, b, c] = stored as [Trajectory, Trajectory, Trajectory];
    assert.deepEqual([a.outcome?.score, a.outcome?.success, a.outcome?.details.source, a.outcome?.details.task, a.outcome?.details.matchedBy], [1, true, 'evaluator', 'capital-fr', 'input']);
    assert.deepEqual(a.task, { input: 'What is the capital of France?', reference: 'Paris' });
    assert.deepEqual([b.outcome?.score, b.outcome?.details.task, b.attrs?.matchedBy], [0, 'sum', 'contained-input']);
    assert.equal(c.outcome, undefined);
    assert.match(String(c.attrs?.scoreNote), /no task of the tasks file matches its input.*thumbs/);
    assert.equal(s.status.scored, 2);
  });

  it('matches by the task id the spans name before the input', async () => {
    const s = await start({ tasks: TASKS, evaluator: createEvaluator({ type: 'exact' }) });
    const t = executionSpans(1, 'something else entirely', '42', [str('truce.task.id', 'sum')]);
    await postJson(`${s.endpoint}/v1/traces`, s.token, request([t.solver, t.critic, t.root]));
    await s.stop();
    const [stored] = await storedTrajectories(s.dir);
    assert.deepEqual([stored?.outcome?.score, stored?.attrs?.matchedTask, stored?.attrs?.matchedBy, stored?.attrs?.spanTaskId], [1, 'sum', 'id', 'sum']);
  });

  it('answers unreadable, oversized and unauthenticated requests with errors and keeps every trace received before', async () => {
    const s = await start({ maxBodyBytes: 4096 });
    const url = `${s.endpoint}/v1/traces`;
    const one = executionSpans(1, 'What is the capital of France?', 'Paris');
    assert.equal((await postJson(url, s.token, request([one.solver, one.critic, one.root]))).status, 200);
    await s.flush();
    const before = await readFile(join(s.dir, 'trajectories.jsonl'), 'utf8');

    const badJson = await postJson(url, s.token, '{"resourceSpans": [');
    assert.equal(badJson.status, 400);
    assert.match(badJson.body, /not valid JSON/);
    assert.equal((await postJson(url, s.token, '{"resourceSpans": 5}')).status, 400);
    assert.equal((await postProtobuf(url, s.token, Uint8Array.from([0x0a, 0xff, 0xff, 0xff]))).status, 400);
    const big = executionSpans(2, 'x'.repeat(5000), 'y');
    assert.equal((await postJson(url, s.token, request([big.root]))).status, 413);
    assert.equal((await postJson(url, 'not-the-token', request([big.root]))).status, 401);
    await s.flush();
    assert.equal(await readFile(join(s.dir, 'trajectories.jsonl'), 'utf8'), before);
    assert.deepEqual([s.status.traces, s.status.exports], [1, 1]);

    // Still listening: a good request after the bad ones is recorded.
    const two = executionSpans(2, 'Add 19 and 23 and give only the number.', '42');
    assert.equal((await postProtobuf(url, s.token, encodeTraceRequest(request([two.solver, two.critic, two.root])))).status, 200);
    await s.stop();
    const run = await loadRun(root, s.runId);
    assert.equal(run.trajectories.length, 2);
    assert.equal(run.state, 'completed');
  });

  it('skips spans without a trace or span id and records the rest of the request', async () => {
    const s = await start();
    const one = executionSpans(1, 'What is the capital of France?', 'Paris');
    const orphan = { ...one.critic, traceId: '', spanId: spanIdOf(9, 'x') };
    const zero = { ...one.critic, traceId: '0'.repeat(32), spanId: spanIdOf(9, 'y') };
    assert.equal((await postJson(`${s.endpoint}/v1/traces`, s.token, request([orphan, zero, one.solver, one.critic, one.root]))).status, 200);
    await s.flush();
    assert.deepEqual([s.status.spans, s.status.traces], [3, 1]);
  });

  it('refuses a port in use with what to do, before creating a run folder', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await assert.rejects(
        AttachSession.start({ workspaceRoot: root, port }),
        (error: Error) => error instanceof AttachSetupError && new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use.*attach on a free port.*OTEL_EXPORTER_OTLP_ENDPOINT`).test(error.message),
      );
      assert.equal(existsSync(join(root, '.truce')), false);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
    for (const bad of [0, 70000, 4318.5]) await assert.rejects(AttachSession.start({ workspaceRoot: root, port: bad }), /not a TCP port/);
    await assert.rejects(AttachSession.start({ workspaceRoot: root, port: await freePort(), runId: '../x' }), /not a run id/);
  });

  it('takes thumbs up and down while recording, and back, restoring the evaluator outcome', async () => {
    const s = await start({ tasks: TASKS, evaluator: createEvaluator({ type: 'exact' }) });
    const t = executionSpans(1, 'What is the capital of France?', 'Lyon');
    await postJson(`${s.endpoint}/v1/traces`, s.token, request([t.solver, t.critic, t.root]));
    clock += 5000;
    await s.flush();
    const [taskId] = s.taskIds();
    assert.equal((await storedTrajectories(s.dir))[0]?.outcome?.score, 0);
    const up = await s.rate(taskId as string, 'up');
    assert.deepEqual([up?.score, up?.success, up?.details.source, up?.details.verdict], [1, true, 'user', 'up']);
    const [rated] = await storedTrajectories(s.dir);
    assert.deepEqual([rated?.outcome?.score, (rated?.outcome?.details.automatic as { score: number }).score], [1, 0]);
    // More spans of the same trace do not wash the verdict out.
    const late = { ...t.critic, spanId: spanIdOf(1, 'late'), name: 'late' };
    await postJson(`${s.endpoint}/v1/traces`, s.token, request([late]));
    await s.flush();
    assert.equal((await storedTrajectories(s.dir))[0]?.outcome?.details.verdict, 'up');
    const cleared = await s.rate(taskId as string, null);
    assert.deepEqual([cleared?.score, cleared?.details.source], [0, 'evaluator']);
    await assert.rejects(s.rate('no-such-task', 'up'), /has no trajectory "no-such-task"/);
  });

  it('rates a stopped attach run on disk, and refuses while a session holds it and for runs that were not attached', async () => {
    const s = await start();
    const t = executionSpans(1, 'What is the capital of France?', 'Paris');
    await postJson(`${s.endpoint}/v1/traces`, s.token, request([t.solver, t.critic, t.root]));
    await s.flush();
    const [taskId] = s.taskIds() as [string];
    await assert.rejects(rateStoredTrajectory(root, s.runId, taskId, 'down'), (e: Error) => e instanceof RunBusyError);
    await s.stop();
    const down = await rateStoredTrajectory(root, s.runId, taskId, 'down');
    assert.deepEqual([down?.score, down?.success], [0, false]);
    let run = await loadRun(root, s.runId);
    assert.deepEqual([run.trajectories[0]?.outcome?.details.verdict, run.problems], ['down', []]);
    assert.equal(await rateStoredTrajectory(root, s.runId, taskId, null), undefined);
    run = await loadRun(root, s.runId);
    assert.equal(run.trajectories[0]?.outcome, undefined);
    await assert.rejects(rateStoredTrajectory(root, s.runId, 'nope', 'up'), (e: Error) => e instanceof RateError && /no trajectory "nope"/.test(e.message));

    // A run that was not attached keeps its evaluator's outcomes.
    const manifestPath = join(s.dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    delete manifest.attach;
    await writeFile(manifestPath, JSON.stringify(manifest));
    await assert.rejects(rateStoredTrajectory(root, s.runId, taskId, 'up'), /not recorded by attaching/);
  });

  it('on stop scores what has not settled, marks the run completed and writes its summary', async () => {
    const s = await start({ tasks: TASKS, evaluator: createEvaluator({ type: 'exact' }) });
    const t = executionSpans(1, 'What is the capital of France?', 'Paris');
    await postJson(`${s.endpoint}/v1/traces`, s.token, request([t.solver, t.critic, t.root]));
    const status = await s.stop();
    assert.deepEqual([status.listening, status.trajectories, status.scored], [false, 1, 1]);
    const run = await loadRun(root, s.runId);
    assert.equal(run.state, 'completed');
    assert.equal(run.manifest.pid, undefined);
    assert.equal(run.summary?.scores.all.meanScore, 1);
    assert.equal(existsSync(join(s.dir, 'owner.lock')), false);
    // The port is free again.
    await assert.rejects(fetch(`${s.endpoint}/v1/traces`, { method: 'POST' }));
  });
});
