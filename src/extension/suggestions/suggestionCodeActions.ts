import * as vscode from 'vscode';
import { suggestionLabel } from '../../core/editor/runView';
import type { Suggestion } from '../../core/credit/types';
import { APPLY_ALL_SUGGESTIONS_COMMAND, APPLY_SUGGESTION_COMMAND, PREVIEW_SUGGESTION_COMMAND } from './suggestionCommandIds';
import { DIAGNOSTIC_SOURCE } from './suggestionDiagnostics';
import type { SuggestionEdits } from './suggestionEdits';
import type { UnitInsights } from './unitInsights';

/**
 * Quick fixes for the suggestion diagnostics: per suggestion an "Apply" (the best supported one
 * preferred, so Auto Fix picks it) and a "Preview…" diff; a stale suggestion appears disabled with
 * its reason, a locked rule gets no fix at all; and one "Apply all…" refactoring that opens VS
 * Code's refactor preview. The actions run commands rather than carry edits, because applying
 * also writes the ledger.
 */
export class SuggestionCodeActions implements vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix, vscode.CodeActionKind.RefactorRewrite];

  constructor(
    private readonly insights: UnitInsights,
    private readonly edits: SuggestionEdits,
  ) {}

  async provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    const insights = this.insights.get(document);
    if (!insights) return [];
    const bySuggestion = new Map(insights.suggestions.map((p) => [p.suggestion.id, p]));
    const actions: vscode.CodeAction[] = [];
    const applicable: Array<{ action: vscode.CodeAction; suggestion: Suggestion }> = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE || typeof diagnostic.code !== 'string') continue;
      const placed = bySuggestion.get(diagnostic.code);
      if (!placed || placed.unit.locked) continue;
      const { suggestion } = placed;
      const apply = new vscode.CodeAction(`Apply TRUCE suggestion: ${suggestionLabel(suggestion)}`, vscode.CodeActionKind.QuickFix);
      apply.diagnostics = [diagnostic];
      const planned = placed.stale ? { ok: false as const, reason: placed.stale } : await this.edits.plan(document, suggestion);
      if (!planned.ok) {
        apply.disabled = { reason: `Stale: ${planned.reason}` };
        actions.push(apply);
        continue;
      }
      apply.command = { title: apply.title, command: APPLY_SUGGESTION_COMMAND, arguments: [document.uri, suggestion.id] };
      const preview = new vscode.CodeAction(`Preview TRUCE suggestion: ${suggestionLabel(suggestion)}…`, vscode.CodeActionKind.QuickFix);
      preview.diagnostics = [diagnostic];
      preview.command = { title: preview.title, command: PREVIEW_SUGGESTION_COMMAND, arguments: [document.uri, suggestion.id] };
      actions.push(apply, preview);
      applicable.push({ action: apply, suggestion });
    }
    const best = applicable.reduce<(typeof applicable)[number] | undefined>((a, b) => (!a || b.suggestion.support > a.suggestion.support ? b : a), undefined);
    if (best) best.action.isPreferred = true;

    const open = insights.suggestions.filter((p) => !p.stale && !p.unit.locked);
    if (open.length > 1 || (open.length === 1 && applicable.length === 0)) {
      const all = new vscode.CodeAction(`Apply all TRUCE suggestions in this file (${open.length})…`, vscode.CodeActionKind.RefactorRewrite);
      all.command = { title: all.title, command: APPLY_ALL_SUGGESTIONS_COMMAND, arguments: [document.uri] };
      actions.push(all);
    }
    return actions;
  }
}
