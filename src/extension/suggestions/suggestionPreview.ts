import * as vscode from 'vscode';
import type { Suggestion } from '../../core/credit/types';
import { PREVIEW_SCHEME } from './suggestionCommandIds';
import type { SuggestionEdits } from './suggestionEdits';

interface PreviewQuery {
  source: string;
  ids: string[];
}

/**
 * Read-only documents `truce-preview:` holding a prompt file as it would read with suggestions
 * applied, for `vscode.diff` against the real file. The buffer itself is never touched by a
 * preview; the text is computed from the buffer each time VS Code asks for it.
 */
export class SuggestionPreviewProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly edits: SuggestionEdits) {}

  static uriFor(source: vscode.Uri, ids: readonly string[]): vscode.Uri {
    const query: PreviewQuery = { source: source.toString(), ids: [...ids] };
    // The path keeps the file name, so the diff editor's title and language mode match the file.
    return vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: source.path, query: JSON.stringify(query) });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const query = JSON.parse(uri.query) as PreviewQuery;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(query.source));
    const suggestions = query.ids.map((id) => this.edits.find(id)).filter((s): s is Suggestion => s !== undefined);
    if (suggestions.length === 1) {
      const planned = await this.edits.plan(document, suggestions[0]!);
      return planned.ok ? planned.after : document.getText();
    }
    // Several suggestions read as they would after applying them one after the other.
    let text = document.getText();
    for (const suggestion of suggestions) {
      const planned = await this.edits.planText(text, suggestion);
      if (planned.ok) text = planned.after;
    }
    return text;
  }
}

export async function showSuggestionDiff(document: vscode.TextDocument, suggestions: readonly Suggestion[]): Promise<void> {
  const name = vscode.workspace.asRelativePath(document.uri);
  const title = suggestions.length === 1 ? `${name} ↔ TRUCE suggestion ${suggestions[0]!.id}` : `${name} ↔ ${suggestions.length} TRUCE suggestions`;
  await vscode.commands.executeCommand('vscode.diff', document.uri, SuggestionPreviewProvider.uriFor(document.uri, suggestions.map((s) => s.id)), title, { preview: true });
}
