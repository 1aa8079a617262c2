import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { attachPanelHost } from '../../src/extension/panel/attachPanelHost';
import { PanelHost } from '../../src/extension/panel/panelHost';
import { revealUnit } from '../../src/extension/panel/revealUnit';
import { RunViewCache } from '../../src/extension/panel/runViewCache';
import { RunsWatcher, type RunsWatcherOptions } from '../../src/extension/panel/runsWatcher';
import { PromptDocumentIndex } from '../../src/extension/documentIndex';
import { parseResult, type HostMessage, type RequestKind } from '../../src/shared/panelProtocol';
import { writePanelRun } from '../support/panelRunFixture.mjs';
import { activateExtension, EXTENSION_ID, expectedUnits, fixtureUri, openFixture, toRange, waitFor } from './support/fixtures';

const OPEN_PANEL = 'truce.openTrajectoryPanel';
const RUN_ID = '20261122-004512-7e57';

function workspaceFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test host was opened without a workspace folder');
  return folder;
}

/** A PanelHost over the workspace's runs whose output and log lines are recorded. */
function recordingHost() {
  const sent: HostMessage[] = [];
  const warnings: string[] = [];
  const errors: string[] = [];
  const host = new PanelHost({
    runs: new RunViewCache(workspaceFolder().uri.fsPath),
    log: { warn: (m) => warnings.push(m), error: (m) => errors.push(m) },
    send: (m) => sent.push(m),
    revealUnit: async () => undefined,
    openInEditor: () => undefined,
    fullView: false,
  });
  return { host, sent, warnings, errors };
}

/**
 * A file-system watcher starts listening asynchronously (the extension host asks the file service,
 * which is slow under load), and a write made before it listens is never reported. So: write
 * probe files (not runs) into every watched folder until the watcher has reported each of them,
 * then wait until its reports stop (the probes' late events), and start the test from an empty
 * record.
 */
async function watcherReady(seen: string[][], probes: Array<{ uri: vscode.Uri; reported: (ids: string[]) => boolean }>): Promise<void> {
  let writes = 0;
  await waitFor('the runs watcher to report a write in every watched folder', async () => {
    const missing = probes.filter((p) => !seen.some(p.reported));
    for (const probe of missing) await vscode.workspace.fs.writeFile(probe.uri, new TextEncoder().encode(`${writes++}\n`));
    if (missing.length > 0) await new Promise((resolve) => setTimeout(resolve, 250));
    return missing.length === 0 ? true : undefined;
  }, 60_000);
  let count = -1;
  await waitFor('the runs watcher to fall quiet after the probes', async () => {
    const quiet = seen.length === count;
    count = seen.length;
    if (!quiet) await new Promise((resolve) => setTimeout(resolve, 500));
    return quiet ? true : undefined;
  }, 60_000);
  seen.length = 0;
}

/**
 * The watcher reports a change of a run it follows and a new run as a change of the list. With
 * `events: false` only its polling works, which must suffice: VS Code's watchers can stay blind
 * for a whole session (below `.truce/runs`, or altogether on a loaded machine).
 */
async function runsWatcherReports(options: RunsWatcherOptions, newRunId: string): Promise<void> {
  const seen: string[][] = [];
  const watcher = new RunsWatcher(workspaceFolder(), (ids) => seen.push(ids), 50, options);
  watcher.follow([RUN_ID]);
  const runs = vscode.Uri.joinPath(workspaceFolder().uri, '.truce', 'runs');
  const runProbe = vscode.Uri.joinPath(runs, RUN_ID, '.watcher-probe');
  const listProbe = vscode.Uri.joinPath(runs, '.watcher-probe');
  try {
    assert.deepEqual(watcher.watchedFolders.filter((f) => f.endsWith(RUN_ID)), [vscode.Uri.joinPath(runs, RUN_ID).toString()]);
    await watcherReady(seen, [
      { uri: runProbe, reported: (ids) => ids.includes(RUN_ID) },
      { uri: listProbe, reported: (ids) => ids.length === 0 },
    ]);
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(runs, RUN_ID, 'credit.jsonl'), new TextEncoder().encode('\n'));
    // An empty list means "every run changed" (a list-changing event may share the batch): it covers this run too.
    await waitFor('a change of the existing run', () => (seen.some((ids) => ids.length === 0 || ids.includes(RUN_ID)) ? true : undefined), 30_000);
    seen.length = 0;
    await writePanelRun(workspaceFolder().uri.fsPath, { runId: newRunId, tasks: 1, rounds: 1 });
    await waitFor('a change of the run list', () => (seen.some((ids) => ids.length === 0) ? true : undefined), 30_000);
  } finally {
    watcher.dispose();
    for (const probe of [runProbe, listProbe]) await vscode.workspace.fs.delete(probe).then(undefined, () => undefined);
  }
}

suite('Trajectory panel', () => {
  let unitIds: string[];

  suiteSetup(async () => {
    await activateExtension();
    const planner = await openFixture('prompts/planner.prompt.md');
    unitIds = expectedUnits(planner).slice(0, 2).map((u) => u.id);
    await writePanelRun(workspaceFolder().uri.fsPath, { runId: RUN_ID, tasks: 3, rounds: 2, unitIds });
  });

  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  test('the commands are contributed and registered', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes(OPEN_PANEL));
    assert.ok(commands.includes('truce.openTrajectoryPanelInEditor'));
    const contributed = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON.contributes;
    assert.equal(contributed.views.truce[0].id, 'truce.trajectoryView');
    assert.equal(contributed.views.truce[0].type, 'webview');
  });

  test('Open Trajectory Panel shows the side bar view at a task and its webview completes the handshake', async () => {
    const ready = await vscode.commands.executeCommand<boolean>(OPEN_PANEL, { runId: RUN_ID, taskId: 'task-2' });
    assert.equal(ready, true, 'the webview did not send `ready` after the command opened it');
    // Opening again while it is up moves it and answers at once.
    assert.equal(await vscode.commands.executeCommand<boolean>(OPEN_PANEL, { runId: RUN_ID, taskId: 'task-1', stepId: 's2' }), true);
  });

  test('the full view opens in the editor area with the real page and script', async () => {
    const ready = await vscode.commands.executeCommand<boolean>('truce.openTrajectoryPanelInEditor', { runId: RUN_ID });
    assert.equal(ready, true);
    assert.equal(vscode.window.tabGroups.activeTabGroup.activeTab?.label, 'TRUCE Trajectories');
  });

  test('an argument that is not a place is refused', async () => {
    assert.equal(await vscode.commands.executeCommand<boolean>(OPEN_PANEL, { task: 'x' }), false);
  });

  test('a real webview running the panel script talks to a host over the protocol', async () => {
    const extensionUri = vscode.extensions.getExtension(EXTENSION_ID)!.extensionUri;
    const panel = vscode.window.createWebviewPanel('truce.panelTest', 'panel test', vscode.ViewColumn.Active, {});
    const warnings: string[] = [];
    try {
      const { host, subscription } = attachPanelHost(
        panel.webview,
        extensionUri,
        { runs: new RunViewCache(workspaceFolder().uri.fsPath), log: { warn: (m) => warnings.push(m), error: (m) => warnings.push(m) }, revealUnit: async () => undefined, openInEditor: () => undefined },
        true,
        { runId: RUN_ID, taskId: 'task-1' },
      );
      try {
        assert.equal(await host.whenReady(20_000), true, 'the bundled webview script did not complete the handshake');
        assert.deepEqual(warnings, [], 'the webview sent messages outside the protocol');
      } finally {
        subscription.dispose();
      }
    } finally {
      panel.dispose();
    }
  });

  test('the host answers every request kind for a stored run with data of the promised shape', async () => {
    const { host, sent, errors } = recordingHost();
    const requests = [
      { kind: 'runs' },
      { kind: 'tasks', runId: RUN_ID, offset: 0, limit: 10 },
      { kind: 'grid', runId: RUN_ID, taskId: 'task-1', offset: 0, limit: 10 },
      { kind: 'step', runId: RUN_ID, taskId: 'task-1', stepId: 's1' },
      { kind: 'text', runId: RUN_ID, taskId: 'task-1', stepId: 's1', part: 'output', offset: 4000, length: 1000 },
      { kind: 'history', runId: RUN_ID, offset: 0, limit: 10 },
      { kind: 'graph', runId: RUN_ID, taskId: 'task-1' },
    ] as const;
    for (const [id, request] of requests.entries()) await host.handle({ type: 'request', id, request });
    assert.deepEqual(errors, []);
    assert.equal(sent.length, requests.length);
    for (const [id, request] of requests.entries()) {
      const response = sent[id];
      assert.ok(response?.type === 'response' && response.id === id && response.ok, `request ${request.kind}: ${JSON.stringify(response)}`);
      const parsed = parseResult(request.kind as RequestKind, response.result);
      assert.ok(parsed.ok, `${request.kind}: ${parsed.ok ? '' : parsed.problem}`);
    }
    const tasks = parseResult('tasks', (sent[1] as { result: unknown }).result);
    assert.ok(tasks.ok && tasks.value.total === 3 && tasks.value.rows[0]?.taskId === 'task-1');
    const step = parseResult('step', (sent[3] as { result: unknown }).result);
    assert.ok(step.ok);
    assert.deepEqual(step.value.units.map((u) => u.unitId), [unitIds[0]]);
  });

  test('messages outside the protocol are dropped, logged and never answered', async () => {
    const { host, sent, warnings } = recordingHost();
    await host.handle({ type: 'request', id: 1, request: { kind: 'tasks', runId: RUN_ID, offset: 0, limit: 1_000_000 } });
    await host.handle({ type: 'runCommand', command: 'workbench.action.terminal.new' });
    await host.handle(undefined);
    assert.deepEqual(sent, []);
    assert.equal(warnings.length, 3);
    for (const line of warnings) assert.match(line, /^Trajectory panel: dropped a message outside the protocol/);
  });

  test('the runs watcher reports a run whose files change, and a new run as a change of the list', async function () {
    this.timeout(150_000);
    await runsWatcherReports({}, '20261122-020000-0001');
  });

  test('the runs watcher still reports both with no file events at all (its polling alone)', async function () {
    this.timeout(150_000);
    await runsWatcherReports({ events: false, pollMs: 200 }, '20261122-030000-0001');
  });

  test('the run cache names the runs it was asked for, so the watcher follows them', async () => {
    const followed: string[][] = [];
    const cache = new RunViewCache(workspaceFolder().uri.fsPath, (ids) => followed.push(ids));
    await cache.view(RUN_ID);
    const shown = followed.at(-1) ?? [];
    // RUN_ID is an optimize run: the runs it shows tasks from are followed with it.
    assert.ok(shown.includes(RUN_ID) && shown.some((id) => id.endsWith('-f000')), shown.join(', '));
    await cache.view(RUN_ID);
    const calls = followed.length;
    await cache.view(RUN_ID);
    assert.equal(followed.length, calls, 'asking again for the most recent run changes nothing');
    cache.invalidate([RUN_ID]);
    assert.ok(cache.shownRuns().includes(RUN_ID), 'a changed run is still shown, so still followed');
  });

  test('a unit link opens the prompt file that holds the unit with the unit selected', async () => {
    const index = new PromptDocumentIndex(vscode.window.createOutputChannel('TRUCE panel test', { log: true }));
    try {
      const found = await revealUnit(index, new RunViewCache(workspaceFolder().uri.fsPath), workspaceFolder(), RUN_ID, unitIds[1]!);
      assert.equal(found, true);
      const editor = vscode.window.activeTextEditor;
      assert.equal(editor?.document.uri.toString(), fixtureUri('prompts/planner.prompt.md').toString());
      const unit = expectedUnits(editor!.document)[1]!;
      assert.deepEqual(new vscode.Range(editor!.selection.start, editor!.selection.end), toRange(unit));
      assert.equal(await revealUnit(index, new RunViewCache(workspaceFolder().uri.fsPath), workspaceFolder(), RUN_ID, 'planner.0000000000'), false);
    } finally {
      index.dispose();
    }
  });
});
