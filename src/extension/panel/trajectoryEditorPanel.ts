import * as vscode from 'vscode';
import type { Focus } from '../../shared/panelProtocol';
import { attachPanelHost, type PanelActions } from './attachPanelHost';
import type { PanelHost } from './panelHost';
import { TRAJECTORY_EDITOR_PANEL_TYPE } from './panelIds';

/**
 * The full view of the panel in the editor area, for runs too large for the side bar. One at a
 * time: opening it again reveals it and moves it to the new place. After a window reload VS Code
 * hands the panel back through the serializer (restore); the page then returns to the run, task,
 * step and scroll positions it saved with setState.
 */
export class TrajectoryEditorPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private host: PanelHost | undefined;
  private readonly panelSubscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly actions: PanelActions,
  ) {}

  /** Resolves true once the panel's webview has answered the handshake. */
  async open(focus: Focus | null, timeoutMs = 15_000): Promise<boolean> {
    if (this.panel && this.host) {
      this.panel.reveal();
      if (focus) this.host.focus(focus);
      return this.host.whenReady(timeoutMs);
    }
    const panel = vscode.window.createWebviewPanel(TRAJECTORY_EDITOR_PANEL_TYPE, 'TRUCE Trajectories', vscode.ViewColumn.Active, {
      retainContextWhenHidden: false,
    });
    return this.adopt(panel, focus).whenReady(timeoutMs);
  }

  /** Takes over a panel VS Code restored after a reload; its page knows where it was. */
  restore(panel: vscode.WebviewPanel): void {
    if (this.panel) {
      // Only one full view at a time: a second restored one would show the same thing.
      panel.dispose();
      return;
    }
    this.adopt(panel, null);
  }

  private adopt(panel: vscode.WebviewPanel, focus: Focus | null): PanelHost {
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'truce-activity.svg');
    const { host, subscription } = attachPanelHost(panel.webview, this.extensionUri, this.actions, true, focus);
    this.panel = panel;
    this.host = host;
    this.panelSubscriptions.push(
      subscription,
      panel.onDidDispose(() => this.forget()),
    );
    return host;
  }

  runsChanged(runIds: string[]): void {
    this.host?.runsChanged(runIds);
  }

  private forget(): void {
    for (const d of this.panelSubscriptions.splice(0)) d.dispose();
    this.panel = undefined;
    this.host = undefined;
  }

  dispose(): void {
    const panel = this.panel;
    this.forget();
    panel?.dispose();
  }
}
