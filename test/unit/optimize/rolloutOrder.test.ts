import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { inTaskOrder } from '../../../src/core/optimize/inTaskOrder';
import { rollout } from '../../../src/core/optimize/rollout';
import { loadRun, RUN_FILES, runsDir } from '../../../src/core/store';
import type { Trajectory } from '../../../src/core/trajectory/schema';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { taskOfRequest, type Workspace } from '../run/debateWorkspace';
import { optimizerResponder, optimizerWorkspace, TASKS } from './optimizeWorld';

/** Trajectories stored so far by every run of the workspace. */
function storedTrajectories(ws: Workspace): number {
  const root = runsDir(ws.dir);
  if (!existsSync(root)) return 0;
  let n = 0;
  for (const run of readdirSync(root)) {
    const file = join(root, run, RUN_FILES.trajectories);
    if (existsSync(file)) n += readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).length;
  }
  return n;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('optimizer rollouts: trajectories in task order', function () {
  this.timeout(30_000);
  let server: FakeOpenAiServer | undefined;
  let ws: Workspace | undefined;

  afterEach(async () => {
    await server?.close();
    ws?.remove();
  });

  // Credit methods draw tie-breaks from one seeded generator task after task, and suggestions are
  // pooled in task order: a rollout that hands its trajectories over in the order the server
  // answered made seeded optimize runs differ run to run (issue 14, bench:sim --method gbc).
  it('hands over the trajectories in the order of its tasks when the first task finishes last', async () => {
    const tasks = TASKS.slice(0, 3).map((t) => ({ ...t }));
    const base = optimizerResponder('never');
    server = await start({
      responder: async (req) => {
        // The first task's calls wait until the other two tasks are stored, so it finishes last.
        if (taskOfRequest(req.messages, tasks)?.id === tasks[0].id) await until(() => storedTrajectories(ws as Workspace) >= 2);
        return base(req);
      },
    });
    ws = optimizerWorkspace(server.url);
    const config = ws.config();
    const texts: Record<string, string> = {};
    for (const a of config.agents) texts[a.prompt] = readFileSync(join(ws.dir, a.prompt), 'utf8');
    const result = await rollout({
      config,
      workspaceRoot: ws.dir,
      optimizeDir: join(ws.dir, '.truce', 'runs', 'optimize-under-test'),
      texts,
      tasks,
      limits: {},
      trusted: true,
      env: {},
      probe: false,
    });
    assert.equal(result.status, 'completed');
    const stored = (await loadRun(ws.dir, result.runId)).trajectories.map((t) => t.taskId);
    assert.equal(stored.at(-1), tasks[0].id, 'the store holds the first task last (the order it finished in)');
    assert.deepEqual(
      result.trajectories.map((t) => t.taskId),
      tasks.map((t) => t.id),
    );
    assert.deepEqual([...result.scores.keys()], tasks.map((t) => t.id));
  });

  it('keeps a trajectory of a task not in the list after the listed ones, in its stored place', () => {
    const t = (taskId: string) => ({ taskId }) as Trajectory;
    const ordered = inTaskOrder([t('x'), t('b'), t('y'), t('a')], [{ id: 'a' }, { id: 'b' }]);
    assert.deepEqual(
      ordered.map((x) => x.taskId),
      ['a', 'b', 'x', 'y'],
    );
  });
});
