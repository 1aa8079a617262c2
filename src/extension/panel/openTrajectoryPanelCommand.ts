import * as vscode from 'vscode';
import { FocusSchema, type Focus } from '../../shared/panelProtocol';
import { OPEN_TRAJECTORY_PANEL_COMMAND, OPEN_TRAJECTORY_PANEL_IN_EDITOR_COMMAND } from './panelIds';

/**
 * `truce.openTrajectoryPanel [{runId, taskId, stepId?}]` opens the side bar panel, and
 * `truce.openTrajectoryPanelInEditor [same]` the full view, each at the given place when one is
 * given (CodeLens and hover evidence links pass one). Both resolve to whether the panel's webview
 * came up and answered; an argument that is not a place is refused with a message.
 */
export function registerOpenTrajectoryPanelCommands(
  openSide: (focus: Focus | null) => Promise<boolean>,
  openEditor: (focus: Focus | null) => Promise<boolean>,
): vscode.Disposable {
  const wrap = (open: (focus: Focus | null) => Promise<boolean>) => async (arg?: unknown): Promise<boolean> => {
    let focus: Focus | null = null;
    if (arg !== undefined && arg !== null) {
      const parsed = FocusSchema.safeParse(arg);
      if (!parsed.success) {
        void vscode.window.showErrorMessage(
          `TRUCE: Open Trajectory Panel expects { runId, taskId?, stepId? }, got ${JSON.stringify(arg)?.slice(0, 120)}.`,
        );
        return false;
      }
      focus = parsed.data;
    }
    return open(focus);
  };
  return vscode.Disposable.from(
    vscode.commands.registerCommand(OPEN_TRAJECTORY_PANEL_COMMAND, wrap(openSide)),
    vscode.commands.registerCommand(OPEN_TRAJECTORY_PANEL_IN_EDITOR_COMMAND, wrap(openEditor)),
  );
}
