import * as vscode from 'vscode';
import type { PromptDocumentIndex } from '../documentIndex';
import type { PanelActions } from './attachPanelHost';
import { registerOpenTrajectoryPanelCommands } from './openTrajectoryPanelCommand';
import { TRAJECTORY_EDITOR_PANEL_TYPE } from './panelIds';
import { revealUnit } from './revealUnit';
import { RunViewCache } from './runViewCache';
import { RunsWatcher } from './runsWatcher';
import { TrajectoryEditorPanel } from './trajectoryEditorPanel';
import { TrajectoryViewProvider } from './trajectoryViewProvider';

/**
 * The trajectory panel as one part of the extension: the run cache, the watcher that refreshes
 * it, the side bar view, the editor-area full view and their commands. Runs are read from the
 * first local workspace folder (where `truce run` and Run MAS write them).
 */
export function createTrajectoryPanelFeature(
  extensionUri: vscode.Uri,
  log: vscode.LogOutputChannel,
  index: PromptDocumentIndex,
  /** Records a verdict on a task of an attached run (extension/attach). */
  rate?: PanelActions['rate'],
): vscode.Disposable & { runsChanged(runIds: string[]): void } {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  // The watcher follows the folders of the runs the panel has loaded (see RunsWatcher.follow).
  let watcher: RunsWatcher | undefined;
  const runs = new RunViewCache(folder?.uri.fsPath, (shown) => watcher?.follow(shown));
  const disposables: vscode.Disposable[] = [];
  const actions: PanelActions = {
    runs,
    log,
    revealUnit: async (runId, unitId) => {
      if (folder) await revealUnit(index, runs, folder, runId, unitId);
    },
    // The editor panel is created just below; the webview can only ask for it after that.
    openInEditor: (focus) => void editorPanel.open(focus),
    ...(rate ? { rate } : {}),
  };
  const sideView = new TrajectoryViewProvider(extensionUri, actions);
  const editorPanel = new TrajectoryEditorPanel(extensionUri, actions);
  disposables.push(
    sideView,
    editorPanel,
    registerOpenTrajectoryPanelCommands((f) => sideView.show(f), (f) => editorPanel.open(f)),
    vscode.window.registerWebviewPanelSerializer(TRAJECTORY_EDITOR_PANEL_TYPE, {
      deserializeWebviewPanel: async (panel) => editorPanel.restore(panel),
    }),
  );
  const runsChanged = (runIds: string[]) => {
    runs.invalidate(runIds);
    sideView.runsChanged(runIds);
    editorPanel.runsChanged(runIds);
  };
  if (folder) {
    watcher = new RunsWatcher(folder, runsChanged);
    disposables.push(watcher);
  }
  // Also callable directly: a writer in this extension host (live attach) need not wait for, or
  // depend on, the file watcher to see its own writes.
  return Object.assign(vscode.Disposable.from(...disposables), { runsChanged });
}
