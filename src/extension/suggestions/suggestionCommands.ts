import * as vscode from 'vscode';
import { APPLY_ALL_SUGGESTIONS_COMMAND, APPLY_SUGGESTION_COMMAND, PREVIEW_SUGGESTION_COMMAND } from './suggestionCommandIds';
import type { SuggestionEdits } from './suggestionEdits';
import { showSuggestionDiff } from './suggestionPreview';
import type { UnitInsights } from './unitInsights';

type UriArg = vscode.Uri | string | undefined;

/**
 * The commands behind the quick fixes and hover links. Each takes the document and (except
 * "apply all") a suggestion id, so the same command works from a code action, a markdown link and
 * a test; each resolves to what it did (ledger edit ids), or undefined.
 */
export function registerSuggestionCommands(insights: UnitInsights, edits: SuggestionEdits): vscode.Disposable {
  const documentOf = async (uri: UriArg) => {
    if (uri === undefined) return vscode.window.activeTextEditor?.document;
    return vscode.workspace.openTextDocument(typeof uri === 'string' ? vscode.Uri.parse(uri) : uri);
  };
  const pending = (id: string) => {
    const suggestion = edits.find(id);
    if (!suggestion) void vscode.window.showWarningMessage(`TRUCE: suggestion ${id} is not pending in the selected run (applied, rejected, or another run is selected).`);
    return suggestion;
  };
  return vscode.Disposable.from(
    vscode.commands.registerCommand(APPLY_SUGGESTION_COMMAND, async (uri: UriArg, id: string) => {
      const document = await documentOf(uri);
      const suggestion = pending(id);
      return document && suggestion ? edits.apply(document, suggestion) : undefined;
    }),
    vscode.commands.registerCommand(PREVIEW_SUGGESTION_COMMAND, async (uri: UriArg, id: string) => {
      const document = await documentOf(uri);
      const suggestion = pending(id);
      if (document && suggestion) await showSuggestionDiff(document, [suggestion]);
    }),
    vscode.commands.registerCommand(APPLY_ALL_SUGGESTIONS_COMMAND, async (uri: UriArg) => {
      const document = await documentOf(uri);
      if (!document) return [];
      const open = (insights.get(document)?.suggestions ?? []).filter((p) => !p.stale && !p.unit.locked).map((p) => p.suggestion);
      return edits.applyAll(document, open);
    }),
  );
}
