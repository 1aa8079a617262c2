import * as vscode from 'vscode';
import type { RunProgress } from '../core/run';
import { SHOW_LOG_COMMAND } from './commandIds';

/** The run state and spend at a glance: "TRUCE: 7/20 · 49 calls · $0.0123" while a run goes. */
export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('truce.run', vscode.StatusBarAlignment.Left, 20);

  constructor() {
    this.item.name = 'TRUCE run';
    this.item.command = SHOW_LOG_COMMAND;
    this.item.text = '$(beaker) TRUCE';
    this.item.tooltip = 'TRUCE: no run in this session. Click for the TRUCE log.';
    this.item.show();
  }

  update(event: RunProgress): void {
    switch (event.type) {
      case 'started':
        this.item.text = `$(sync~spin) TRUCE: 0/${event.pending} tasks`;
        this.item.tooltip = `Run ${event.runId}: ${event.pending} tasks to run${event.skipped ? `, ${event.skipped} already done` : ''}.`;
        break;
      case 'task': {
        const cost = event.usage.costUsd > 0 ? ` · $${event.usage.costUsd.toFixed(4)}` : '';
        this.item.text = `$(sync~spin) TRUCE: ${event.done}/${event.total} · ${event.usage.calls} calls${cost}`;
        break;
      }
      case 'finished':
        this.item.text = `$(beaker) TRUCE: ${event.status}`;
        this.item.tooltip = `Last run: ${event.status}${event.reason ? ` — ${event.reason}` : ''}. Click for the TRUCE log.`;
        break;
      default:
        break;
    }
  }

  showSummary(text: string, tooltip: string): void {
    this.item.text = `$(beaker) ${text}`;
    this.item.tooltip = tooltip;
  }

  dispose(): void {
    this.item.dispose();
  }
}
