import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttachSession, rateStoredTrajectory } from '../../../src/core/attach';
import { PanelHost } from '../../../src/extension/panel/panelHost';
import { RunViewCache } from '../../../src/extension/panel/runViewCache';
import type { GridPage, HostMessage } from '../../../src/shared/panelProtocol';
import { outcomeMark } from '../../../webview/format';
import { executionSpans, freePort, postJson, request } from './attachHelpers';

describe('attach/trajectory panel verdicts', () => {
  let root: string;
  let runId: string;
  let taskId: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'truce-attach-panel-'));
    const s = await AttachSession.start({ workspaceRoot: root, port: await freePort(), writeDelayMs: 5 });
    const t = executionSpans(1, 'What is the capital of France?', 'Paris');
    await postJson(`${s.endpoint}/v1/traces`, s.token, request([t.solver, t.critic, t.root]));
    await s.stop();
    runId = s.runId;
    taskId = s.taskIds()[0] as string;
  });
  after(() => rm(root, { recursive: true, force: true }));

  function harness(rate: boolean) {
    const sent: HostMessage[] = [];
    const runs = new RunViewCache(root);
    const host = new PanelHost({
      runs,
      log: { warn: () => undefined, error: () => undefined },
      send: (m) => sent.push(m),
      revealUnit: async () => undefined,
      openInEditor: () => undefined,
      fullView: false,
      ...(rate ? { rate: (r: string, t: string, v: 'up' | 'down' | null) => rateStoredTrajectory(root, r, t, v) } : {}),
    });
    let id = 0;
    const ask = async (req: unknown) => {
      await host.handle({ type: 'request', id: ++id, request: req });
      const answer = sent.at(-1);
      assert.ok(answer?.type === 'response' && answer.id === id);
      return answer;
    };
    return { ask, runs };
  }

  it('marks the tasks of an attached run as rateable and records a thumbs up as the outcome', async () => {
    const { ask, runs } = harness(true);
    // Before any verdict the trace is stored but unscored: the list must not call it unfinished.
    const unscored = await ask({ kind: 'tasks', runId, offset: 0, limit: 10 });
    assert.ok(unscored.ok);
    const [row] = (unscored.result as { rows: Array<{ outcome: unknown; recorded: boolean }> }).rows;
    assert.deepEqual([row?.outcome, row?.recorded], [null, true]);
    assert.deepEqual(outcomeMark(row as { outcome: null; recorded: boolean }), { glyph: '–', className: 'unscored', words: 'unscored' });
    const grid = await ask({ kind: 'grid', runId, taskId, offset: 0, limit: 10 });
    assert.ok(grid.ok);
    assert.deepEqual([(grid.result as GridPage).rateable, (grid.result as GridPage).verdict, (grid.result as GridPage).outcome], [true, null, null]);

    const rated = await ask({ kind: 'rate', runId, taskId, verdict: 'up' });
    assert.ok(rated.ok, JSON.stringify(rated));
    assert.deepEqual(rated.result, { runId, taskId, verdict: 'up', outcome: { score: 1, success: true } });
    runs.invalidate([runId]);
    const after = await ask({ kind: 'grid', runId, taskId, offset: 0, limit: 10 });
    assert.ok(after.ok);
    assert.deepEqual([(after.result as GridPage).verdict, (after.result as GridPage).outcome], ['up', { score: 1, success: true }]);
    const tasks = await ask({ kind: 'tasks', runId, offset: 0, limit: 10 });
    assert.ok(tasks.ok);
    assert.deepEqual((tasks.result as { rows: Array<{ outcome: unknown }> }).rows[0]?.outcome, { score: 1, success: true });

    const down = await ask({ kind: 'rate', runId, taskId, verdict: 'down' });
    assert.ok(down.ok);
    assert.deepEqual((down.result as { outcome: unknown }).outcome, { score: 0, success: false });
    const cleared = await ask({ kind: 'rate', runId, taskId, verdict: null });
    assert.ok(cleared.ok);
    assert.equal((cleared.result as { outcome: unknown }).outcome, null);
  });

  it('answers a verdict with an error when the host records none, or the task does not exist', async () => {
    const without = harness(false);
    const refused = await without.ask({ kind: 'rate', runId, taskId, verdict: 'up' });
    assert.ok(!refused.ok);
    assert.match(refused.error, /cannot record verdicts/);
    const unknown = await harness(true).ask({ kind: 'rate', runId, taskId: 'trace-nope', verdict: 'up' });
    assert.ok(!unknown.ok);
    assert.match(unknown.error, /no trajectory "trace-nope"/);
  });
});
