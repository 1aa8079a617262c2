import * as vscode from 'vscode';
import type { TruceConfig } from '../core/config';
import { DEMO_LABEL, resolveDemoMode } from '../core/demo';
import type { FetchLike } from '../core/llm/transport';
import { SHOW_LOG_COMMAND } from './commandIds';

export interface EditorLlmSetup {
  config: TruceConfig;
  /** Set in demo mode: the in-process demo world, for the core's `llm` option. */
  llm?: { fetch: FetchLike };
  demo: boolean;
}

/**
 * Demo mode in the editor (truce.yaml `demo:`, src/core/demo): every command that calls an LLM
 * asks here which endpoint to use. While the demo world answers, a status bar item says so
 * ("demo world, not an LLM") in warning colours, and the first time in a session a notification
 * explains why; the reason goes to the TRUCE log every time. A real endpoint hides the item again.
 */
export class EditorDemoMode implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('truce.demo', vscode.StatusBarAlignment.Left, 21);
  private told = false;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.item.name = 'TRUCE demo world';
    this.item.text = `$(beaker) TRUCE: ${DEMO_LABEL}`;
    this.item.command = SHOW_LOG_COMMAND;
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
  }

  /** Throws (DemoWorldError) when demo mode is on but its world file is unusable. */
  /**
   * `endpointFrom`: the environment variable that named the executor's base URL (see
   * applyExecutorOverrides); that endpoint not answering is then an error, not a reason for the demo.
   */
  async resolve(config: TruceConfig, workspaceRoot: string, what: string, signal?: AbortSignal, endpointFrom?: string): Promise<EditorLlmSetup> {
    const decision = await resolveDemoMode(config, { workspaceRoot, ...(signal ? { signal } : {}), ...(endpointFrom ? { endpointFrom } : {}) });
    if (!decision.active) {
      this.item.hide();
      return { config, demo: false };
    }
    this.log.info(`${what}: ${decision.notice}`);
    this.item.tooltip = new vscode.MarkdownString(`**TRUCE is running the demo world, not an LLM.** Replies are scripted by TRUCE's built-in simulation from the prompts' rules.\n\n${decision.notice}\n\nClick for the TRUCE log.`);
    this.item.show();
    if (!this.told) {
      this.told = true;
      void vscode.window.showInformationMessage(`TRUCE: ${decision.notice}`);
    }
    return { config: decision.config, llm: decision.llm, demo: true };
  }

  dispose(): void {
    this.item.dispose();
  }
}
