import * as vscode from 'vscode';
import type { AttachStatus } from '../../core/attach';
import { ATTACH_MENU_COMMAND } from './attachCommandIds';

/**
 * Shown only while TRUCE listens for a MAS's traces: the port and what arrived, and a click for
 * the attach menu (stop, copy the exports, open the run).
 */
export class AttachStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('truce.attach', vscode.StatusBarAlignment.Left, 19);

  constructor() {
    this.item.name = 'TRUCE attach';
    this.item.command = ATTACH_MENU_COMMAND;
  }

  show(status: AttachStatus): void {
    const traces = `${status.traces} trace${status.traces === 1 ? '' : 's'}`;
    this.item.text = `$(radio-tower) TRUCE :${status.port} · ${traces}`;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**TRUCE is listening** for OTLP traces on \`${status.endpoint}\`\n\n`);
    tooltip.appendMarkdown(`Run \`${status.runId}\`: ${traces}, ${status.trajectories} trajectories, ${status.scored} scored, ${status.spans} spans.\n\n`);
    tooltip.appendMarkdown('Click to stop, copy the variables to export, or open the run.');
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: `TRUCE attach listening on port ${status.port}, ${traces} received. Click for actions.` };
    this.item.show();
  }

  hide(): void {
    this.item.hide();
  }

  dispose(): void {
    this.item.dispose();
  }
}
