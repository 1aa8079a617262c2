import { strict as assert } from 'node:assert';
import type { HostMessage, Focus, RunItem } from '../../../src/shared/panelProtocol';
import { PanelHost } from '../../../src/extension/panel/panelHost';
import { RunViewCache } from '../../../src/extension/panel/runViewCache';
import { panelRun, RUN_ID } from './loadPanelRun';

function harness(workspace: string | undefined, focus: Focus | null = null) {
  const sent: HostMessage[] = [];
  const warnings: string[] = [];
  const errors: string[] = [];
  const reveals: string[] = [];
  const editorOpens: Array<Focus | null> = [];
  const host = new PanelHost(
    {
      runs: new RunViewCache(workspace),
      log: { warn: (m) => warnings.push(m), error: (m) => errors.push(m) },
      send: (m) => sent.push(m),
      revealUnit: async (runId, unitId) => void reveals.push(`${runId}/${unitId}`),
      openInEditor: (f) => void editorOpens.push(f),
      fullView: false,
    },
    focus,
  );
  return { host, sent, warnings, errors, reveals, editorOpens };
}

describe('PanelHost', () => {
  let fixture: Awaited<ReturnType<typeof panelRun>>;
  before(async () => (fixture = await panelRun({ tasks: 3 })));
  after(() => fixture.remove());

  it('answers `ready` with `init` carrying the focus it was opened with, then pushes focus directly', async () => {
    const h = harness(fixture.workspace, { runId: RUN_ID, taskId: 'task-2' });
    h.host.focus({ runId: RUN_ID, taskId: 'task-3' });
    assert.deepEqual(h.sent, [], 'nothing is pushed before the webview is ready');
    await h.host.handle({ type: 'ready' });
    assert.deepEqual(h.sent, [{ type: 'init', focus: { runId: RUN_ID, taskId: 'task-3' }, fullView: false }]);
    h.host.focus({ runId: RUN_ID, taskId: 'task-1', stepId: 's2' });
    assert.deepEqual(h.sent[1], { type: 'focus', focus: { runId: RUN_ID, taskId: 'task-1', stepId: 's2' } });
    assert.equal(await h.host.whenReady(10), true);
  });

  it('answers requests with the request id and data from the stored run', async () => {
    const h = harness(fixture.workspace);
    await h.host.handle({ type: 'request', id: 7, request: { kind: 'runs' } });
    await h.host.handle({ type: 'request', id: 8, request: { kind: 'tasks', runId: RUN_ID, offset: 0, limit: 2 } });
    const [runs, tasks] = h.sent;
    assert.ok(runs?.type === 'response' && runs.ok);
    const listed = (runs.result as { runs: RunItem[] }).runs;
    // The optimize run first (val: task-3 failed under the initial prompts, passes under the best),
    // then the five runs it started, newest first.
    assert.deepEqual(listed[0], { runId: RUN_ID, kind: 'optimize', createdAt: '2026-11-22T00:45:12.000Z', state: 'completed', tasks: 3, method: 'gbc', val: { before: 0, after: 1 }, test: null, parent: null });
    assert.deepEqual(listed.slice(1).map((r) => [r.kind, r.parent?.runId, r.parent?.purpose, r.parent?.round]), [
      ['run', RUN_ID, 'validation', 2],
      ['run', RUN_ID, 'rollout', 2],
      ['run', RUN_ID, 'validation', 1],
      ['run', RUN_ID, 'rollout', 1],
      ['run', RUN_ID, 'validation', 0],
    ]);
    assert.equal(tasks?.type === 'response' && tasks.ok && (tasks.result as { total: number }).total, 3);
  });

  it('drops and logs messages outside the protocol without answering them', async () => {
    const h = harness(fixture.workspace);
    await h.host.handle({ type: 'request', id: 1, request: { kind: 'tasks', runId: RUN_ID, offset: 0, limit: 100_000 } });
    await h.host.handle({ type: 'rm -rf' });
    await h.host.handle('ready');
    assert.deepEqual(h.sent, []);
    assert.equal(h.warnings.length, 3);
    assert.match(h.warnings[0] ?? '', /dropped a message outside the protocol .*limit/);
  });

  it('answers a lookup of a missing task as an error without logging it, and a broken run with a logged error', async () => {
    const h = harness(fixture.workspace);
    await h.host.handle({ type: 'request', id: 2, request: { kind: 'grid', runId: RUN_ID, taskId: 'nope', offset: 0, limit: 5 } });
    assert.deepEqual(h.sent[0], { type: 'response', id: 2, ok: false, error: `Run ${RUN_ID} has no trajectory for task "nope" (not run yet, or it failed before producing one).` });
    assert.deepEqual(h.errors, []);
    await h.host.handle({ type: 'request', id: 3, request: { kind: 'tasks', runId: '20991231-000000-ffff', offset: 0, limit: 5 } });
    assert.equal(h.sent[1]?.type === 'response' && h.sent[1].ok, false);
    assert.equal(h.errors.length, 1);
  });

  it('passes unit links and "open in editor" to the host actions', async () => {
    const h = harness(fixture.workspace);
    await h.host.handle({ type: 'revealUnit', runId: RUN_ID, unitId: 'planner.aaaaaaaaaa' });
    await h.host.handle({ type: 'openInEditor', focus: { runId: RUN_ID } });
    assert.deepEqual(h.reveals, [`${RUN_ID}/planner.aaaaaaaaaa`]);
    assert.deepEqual(h.editorOpens, [{ runId: RUN_ID }]);
  });

  it('shows no runs without a workspace folder', async () => {
    const h = harness(undefined);
    await h.host.handle({ type: 'request', id: 1, request: { kind: 'runs' } });
    assert.deepEqual(h.sent[0], { type: 'response', id: 1, ok: true, result: { runs: [] } });
  });
});
