import * as vscode from 'vscode';
import type { Focus } from '../../shared/panelProtocol';
import { attachPanelHost, type PanelActions } from './attachPanelHost';
import type { PanelHost } from './panelHost';
import { TRAJECTORY_VIEW_ID } from './panelIds';

/**
 * The trajectory panel in TRUCE's activity-bar container. VS Code creates the webview when the
 * view first becomes visible and destroys it when it is hidden (no retainContextWhenHidden: the
 * webview keeps its place through getState/setState and re-fetches its data instead).
 */
export class TrajectoryViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private host: PanelHost | undefined;
  private pendingFocus: Focus | null = null;
  private readonly viewSubscriptions: vscode.Disposable[] = [];
  private readonly registration: vscode.Disposable;
  private resolvedWaiters: Array<() => void> = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly actions: PanelActions,
  ) {
    this.registration = vscode.window.registerWebviewViewProvider(TRAJECTORY_VIEW_ID, this);
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.detach();
    this.view = view;
    const { host, subscription } = attachPanelHost(view.webview, this.extensionUri, this.actions, false, this.pendingFocus);
    this.pendingFocus = null;
    this.host = host;
    this.viewSubscriptions.push(
      subscription,
      view.onDidDispose(() => {
        if (this.view === view) this.detach();
      }),
    );
    for (const resolve of this.resolvedWaiters.splice(0)) resolve();
  }

  /**
   * Shows the view (creating its webview if needed), optionally at a run/task/step, and resolves
   * true once the webview has answered the handshake, false if it did not within `timeoutMs`.
   */
  async show(focus: Focus | null, timeoutMs = 15_000): Promise<boolean> {
    if (this.view && this.host) {
      this.view.show(true);
      if (focus) this.host.focus(focus);
    } else {
      // The focus travels with the handshake's `init` of the webview about to be created.
      this.pendingFocus = focus;
      const resolved = new Promise<void>((resolve) => this.resolvedWaiters.push(resolve));
      await vscode.commands.executeCommand(`${TRAJECTORY_VIEW_ID}.focus`);
      await Promise.race([resolved, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
    }
    return this.host ? this.host.whenReady(timeoutMs) : false;
  }

  runsChanged(runIds: string[]): void {
    this.host?.runsChanged(runIds);
  }

  private detach(): void {
    for (const d of this.viewSubscriptions.splice(0)) d.dispose();
    this.view = undefined;
    this.host = undefined;
  }

  dispose(): void {
    this.detach();
    this.registration.dispose();
  }
}
