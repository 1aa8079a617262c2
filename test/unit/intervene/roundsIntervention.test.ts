/**
 * Intervention on the built-in rounds MAS, through its own runner, against the loopback fake
 * server with the simulation world behind it (roles, aggregator, Φ and the correction call). In
 * this world the solver lacks its "units" rule and answers wrongly in every round; roles do not
 * read the shared state, so correcting its round-1 step changes nothing (round 2 repeats the
 * mistake) while correcting its round-2 step saves the task. The server must never see the steps
 * before the corrected one (replayed) nor the corrected step itself.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { describeIntervention, intervene, InterventionError, readInterventions } from '../../../src/core/intervene';
import { loadRun } from '../../../src/core/store';
import { creditStoredRun } from '../../../src/core/storedRunCredit';
import type { Trajectory } from '../../../src/core/trajectory/schema';
import { runCli } from '../../../src/cli/runCli';
import { start, type FakeOpenAiServer, type RecordedRequest } from '../../support/fakeOpenAiServer';
import { createSimResponder, World, writeSimWorkspace, type SimWorkspace } from '../../support/sim';
import { runWorld } from '../../support/sim/simRun';
import { scenario } from '../sim/fixtures';

describe('intervention on the rounds MAS (its own runner; fake server, simulation world)', function () {
  this.timeout(60_000);
  // No critic noise: Φ names the first step that shows the cause, r1.solver.
  const world = new World(scenario({ noise: { critic: 0, suggestion: 0 }, planted: { missing: [{ agent: 'solver', skill: 'units' }], harmful: [] } }));
  let server: FakeOpenAiServer;
  let ws: SimWorkspace;
  let runId: string;
  let failed: Trajectory;

  before(async () => {
    server = await start({ responder: createSimResponder(world).respond });
    ws = writeSimWorkspace(world, { baseUrl: server.url });
    runId = (await runWorld(ws, { split: 'train' })).runId;
    await creditStoredRun({ config: ws.config(), workspaceRoot: ws.dir, runId, env: {} });
    const run = await loadRun(ws.dir, runId);
    const found = run.trajectories.find((t) => t.outcome?.success === false && t.steps.some((s) => s.id === 'r2.solver' && s.output.includes('skipped units')));
    assert.ok(found, 'the world has a task the solver fails for want of its units rule');
    failed = found;
  });
  after(async () => {
    await server.close();
    ws.remove();
  });

  const options = (extra: { step?: string; repeats?: number } = {}) => ({ config: ws.config(), workspaceRoot: ws.dir, runId, taskId: failed.taskId, env: {}, trusted: false, ...extra });
  type Body = { messages?: Array<{ content?: string }>; response_format?: { json_schema?: { name?: string } } };
  const body = (r: RecordedRequest) => r.body as Body;
  const roleCalls = (requests: RecordedRequest[], agent: string, round: number) =>
    requests.filter((r) => {
      const [system, user] = (body(r).messages ?? []).map((m) => m.content ?? '');
      return (system ?? '').includes(`# The ${agent}`) && (user ?? '').includes('Give your contribution') && (user ?? '').includes(`This is round ${round} of`);
    });

  it("does not confirm credit's blame of a step a later round repeats: r1.solver corrected, the live r2.solver fails again", async () => {
    server.reset();
    const { record } = await intervene(options({ repeats: 2 }));
    assert.equal(record.source, 'credit');
    assert.equal(record.stepId, 'r1.solver', 'credit names the first step that shows the skipped check');
    const step = failed.steps.find((s) => s.id === 'r1.solver')!;
    assert.equal(record.callId, step.attrs.requestHash);
    assert.equal(record.original, step.output);
    assert.match(record.correction, new RegExp(`^Answer: ${world.task(failed.taskId)!.reference}\\n`));
    assert.deepEqual([record.runs, record.flips], [2, 0]);
    assert.match(describeIntervention(record), /^not confirmed by intervention: 0 of 2 runs succeed with step r1\.solver corrected/);
    const before = failed.steps.filter((s) => s.seq < step.seq).length;
    const after = failed.steps.filter((s) => s.seq > step.seq).length;
    for (const r of record.repeats) assert.deepEqual([r.reached, r.success, r.replayed, r.live, r.missed], [true, false, before, after, 0]);
    const requests = server.chatRequests();
    assert.equal(roleCalls(requests, 'planner', 1).length, 0, 'the step before is replayed');
    assert.equal(roleCalls(requests, 'solver', 1).length, 0, 'the corrected step is not asked');
    assert.equal(roleCalls(requests, 'solver', 2).length, 2, 'the later round runs live, once per repeat');
    assert.equal(requests.filter((r) => body(r).response_format?.json_schema?.name === 'truce_correction').length, 1);
    assert.equal(record.spend.calls, 1 + 2 * after, 'the correction and the live calls, no more');
  });

  it('confirms the step that decided the failure, and `truce intervene` prints the verdict', async () => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(['intervene', runId, '--task', failed.taskId, '--step', 'r2.solver', '--repeats', '2', '--yes'], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: ws.dir, env: {} });
    assert.equal(code, 0, stderr);
    assert.equal(stdout, 'confirmed by intervention: 2 of 2 runs succeed with step r2.solver corrected\n');
    assert.match(stderr, /\[1\/2\] succeeds · \d+ replayed, \d+ live/);
    const stored = await readInterventions(join(ws.dir, '.truce', 'runs', runId));
    assert.deepEqual(stored.problems, []);
    assert.deepEqual(stored.records.map((r) => [r.stepId, r.source, r.flips, r.runs]), [['r1.solver', 'credit', 0, 2], ['r2.solver', 'user', 2, 2]]);
  });

  it('refuses, before anything is spent, a step the task does not have and prompts changed since the run', async () => {
    server.reset();
    await assert.rejects(intervene(options({ step: 'nope' })), (e: Error) => e instanceof InterventionError && /has no step "nope"; its steps are r1\.planner/.test(e.message));
    const original = ws.readPrompt('solver');
    ws.writeText('solver', `${original}- Check the units of every quantity before answering.\n`);
    try {
      await assert.rejects(intervene(options({ step: 'r2.solver' })), /prompt files changed since run/);
    } finally {
      ws.writeText('solver', original);
    }
    assert.equal(server.chatRequests().length, 0);
  });
});
