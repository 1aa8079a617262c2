import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** Only the bundle and the icons may be loaded; nothing else on disk, nothing remote. */
export function panelResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function panelWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, enableCommandUris: false, localResourceRoots: panelResourceRoots(extensionUri) };
}

/**
 * The panel's page. The policy allows nothing by default; the one script runs because it carries
 * this page's nonce (so an injected `<script>` does not), and styles, fonts and images come only
 * from the webview's own resource origin. `fullView` only changes the layout class.
 */
export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, fullView: boolean): string {
  const nonce = randomBytes(18).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.css'));
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>TRUCE Trajectories</title>
</head>
<body class="${fullView ? 'full-view' : 'side-view'}">
<main id="app" aria-busy="true"></main>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}
