import * as vscode from 'vscode';
import type { PromptDocumentIndex } from './documentIndex';

/** Context key for `when` clauses: true while the active editor shows a prompt file. */
export const PROMPT_FILE_CONTEXT_KEY = 'truce.activeEditorIsPromptFile';

/** Keeps the context key in step with the active editor and with the prompt-file settings. */
export class PromptFileContextKey implements vscode.Disposable {
  private readonly listeners: vscode.Disposable[];

  constructor(private readonly index: PromptDocumentIndex) {
    this.listeners = [
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      index.onDidChangeSelector(() => this.update()),
    ];
    this.update();
  }

  dispose(): void {
    for (const listener of this.listeners) listener.dispose();
  }

  private update(): void {
    const document = vscode.window.activeTextEditor?.document;
    const isPromptFile = document !== undefined && this.index.isPromptDocument(document);
    void vscode.commands.executeCommand('setContext', PROMPT_FILE_CONTEXT_KEY, isPromptFile);
  }
}
