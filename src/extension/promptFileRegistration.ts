import * as vscode from 'vscode';
import type { PromptDocumentIndex } from './documentIndex';

/**
 * Registers a language feature for the prompt-file selector and registers it again whenever the
 * selector changes: VS Code fixes a provider's DocumentSelector at registration time, so a change
 * to `truce.promptFiles.include` would otherwise only take effect after a reload.
 */
export class PromptFileRegistration implements vscode.Disposable {
  private registration: vscode.Disposable;
  private readonly selectorListener: vscode.Disposable;

  constructor(index: PromptDocumentIndex, register: (selector: vscode.DocumentSelector) => vscode.Disposable) {
    this.registration = register(index.selector);
    this.selectorListener = index.onDidChangeSelector(() => {
      this.registration.dispose();
      this.registration = register(index.selector);
    });
  }

  dispose(): void {
    this.selectorListener.dispose();
    this.registration.dispose();
  }
}
