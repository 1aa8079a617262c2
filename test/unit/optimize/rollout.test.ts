import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rollout, type RolloutRequest } from '../../../src/core/optimize/rollout';
import { loadRun } from '../../../src/core/store';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import type { Workspace } from '../run/debateWorkspace';
import { optimizerResponder, optimizerWorkspace, TASKS } from './optimizeWorld';

function request(ws: Workspace, extra: Partial<RolloutRequest> = {}): RolloutRequest {
  const config = ws.config();
  const texts: Record<string, string> = {};
  for (const a of config.agents) texts[a.prompt] = readFileSync(join(ws.dir, a.prompt), 'utf8');
  return {
    config,
    workspaceRoot: ws.dir,
    optimizeDir: join(ws.dir, '.truce', 'runs', 'optimize-under-test'),
    texts,
    tasks: TASKS.slice(0, 3).map((t) => ({ ...t })),
    limits: {},
    trusted: true,
    env: {},
    probe: false,
    ...extra,
  };
}

describe('optimizer rollouts after a crash', function () {
  this.timeout(30_000);
  let server: FakeOpenAiServer;
  let ws: Workspace;

  afterEach(async () => {
    await server?.close();
    ws?.remove();
  });

  it('takes a finished rollout run of the same prompt set and tasks as it is: no new run, nothing counted twice', async () => {
    server = await start({ responder: optimizerResponder('never') });
    ws = optimizerWorkspace(server.url);
    const first = await rollout(request(ws));
    assert.equal(first.status, 'completed');
    assert.ok((first.byPhase.rollout?.calls ?? 0) > 0);
    const sent = server.chatRequests().length;

    const again = await rollout(request(ws));
    assert.equal(again.runId, first.runId, 'the stored run is reused, not run a second time');
    assert.equal(server.chatRequests().length, sent);
    assert.deepEqual(again.byPhase, {}, 'a reused run adds nothing to the round usage');
    assert.equal(again.usage.calls, 0);
    assert.deepEqual([...again.scores], [...first.scores]);
  });

  it('resumes an interrupted rollout run instead of starting a new one', async () => {
    server = await start({ responder: optimizerResponder('never') });
    ws = optimizerWorkspace(server.url);
    const controller = new AbortController();
    // Cancel once the first task's calls are out (the debate makes 7 calls per task).
    server.setResponder((req) => {
      if (server.chatRequests().length >= 8) controller.abort();
      return optimizerResponder('never')(req);
    });
    const cut = await rollout(request(ws, { signal: controller.signal }));
    assert.equal(cut.status, 'cancelled');
    const storedBefore = (await loadRun(ws.dir, cut.runId)).trajectories.length;
    assert.ok(storedBefore < 3);

    const resumed = await rollout(request(ws));
    assert.equal(resumed.runId, cut.runId, 'the interrupted run is continued');
    assert.equal(resumed.status, 'completed');
    assert.equal(resumed.trajectories.length, 3);
  });
});
