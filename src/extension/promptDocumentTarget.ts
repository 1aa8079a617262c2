import * as vscode from 'vscode';
import type { PromptDocument } from '../core/units/types';
import type { PromptDocumentIndex } from './documentIndex';
import { PROMPT_FILES_SECTION } from './promptFileMatcher';

export interface PromptDocumentTarget {
  document: vscode.TextDocument;
  parsed: PromptDocument;
  /** The editor already showing the document, if any (commands act in it rather than opening another). */
  editor: vscode.TextEditor | undefined;
}

/**
 * Finds the prompt document a command should act on: the one named by the command's argument
 * (a lens or hover link passes it) or else the active editor's. When there is none, tells the user
 * what to do and returns undefined.
 */
export async function resolvePromptDocumentTarget(
  index: PromptDocumentIndex,
  target: vscode.Uri | string | undefined,
): Promise<PromptDocumentTarget | undefined> {
  let document: vscode.TextDocument | undefined;
  if (target !== undefined) {
    const uri = typeof target === 'string' ? vscode.Uri.parse(target) : target;
    try {
      document = await vscode.workspace.openTextDocument(uri);
    } catch (error) {
      // A lens or hover link can outlive its file (deleted or renamed since).
      void vscode.window.showWarningMessage(
        `TRUCE: cannot open ${uri.fsPath || uri.toString()} (${error instanceof Error ? error.message : String(error)}). Was it moved or deleted?`,
      );
      return undefined;
    }
  } else {
    document = vscode.window.activeTextEditor?.document;
  }
  if (!document) {
    void vscode.window.showInformationMessage(
      'TRUCE: open a prompt file (for example a *.prompt.md file or agents.yaml) to see its policy units.',
    );
    return undefined;
  }
  const parsed = index.get(document);
  if (!parsed) {
    void explainNotAPromptFile(document);
    return undefined;
  }
  const editor = vscode.window.visibleTextEditors.find((candidate) => candidate.document === document);
  return { document, parsed, editor };
}

async function explainNotAPromptFile(document: vscode.TextDocument): Promise<void> {
  const openSettings = 'Open Settings';
  const name = vscode.workspace.asRelativePath(document.uri);
  const choice = await vscode.window.showWarningMessage(
    `TRUCE: ${name} is not treated as a prompt file. Add a glob that matches it to "truce.promptFiles.include" (and make sure "truce.promptFiles.exclude" does not match it).`,
    openSettings,
  );
  if (choice === openSettings) {
    await vscode.commands.executeCommand('workbench.action.openSettings', PROMPT_FILES_SECTION);
  }
}

/** Shows the document with `range` selected, reusing the editor that already shows it. */
export async function selectInEditor(target: PromptDocumentTarget, range: vscode.Range): Promise<vscode.TextEditor> {
  const editor = await vscode.window.showTextDocument(target.document, {
    viewColumn: target.editor?.viewColumn,
    selection: range,
  });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return editor;
}
