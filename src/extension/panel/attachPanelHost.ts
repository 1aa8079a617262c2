import * as vscode from 'vscode';
import type { Focus } from '../../shared/panelProtocol';
import { panelHtml, panelWebviewOptions } from './panelHtml';
import { PanelHost, type PanelHostDeps } from './panelHost';

export type PanelActions = Omit<PanelHostDeps, 'send' | 'fullView'>;

/**
 * Puts the panel's page into a webview (side bar view or editor panel alike) and connects it to a
 * PanelHost. The returned disposable detaches the listener; the webview's owner disposes the rest.
 */
export function attachPanelHost(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  actions: PanelActions,
  fullView: boolean,
  focus: Focus | null,
): { host: PanelHost; subscription: vscode.Disposable } {
  webview.options = panelWebviewOptions(extensionUri);
  const host = new PanelHost({ ...actions, fullView, send: (message) => void webview.postMessage(message) }, focus);
  const subscription = webview.onDidReceiveMessage((raw: unknown) =>
    host.handle(raw).catch((error: unknown) => actions.log.error(`Trajectory panel: ${error instanceof Error ? error.message : String(error)}`)),
  );
  webview.html = panelHtml(webview, extensionUri, fullView);
  return { host, subscription };
}
