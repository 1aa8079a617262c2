import * as vscode from 'vscode';
import { suggestionLabel } from '../../core/editor/runView';
import { signed } from '../codeLensTitle';
import type { PromptDocumentIndex } from '../documentIndex';
import { toVscodeRange } from '../unitQueries';
import type { UnitInsights } from './unitInsights';

export const DIAGNOSTIC_SOURCE = 'TRUCE';
/** The code of a diagnostic about a rule's negative credit, which has no suggestion to apply. */
export const NEGATIVE_CREDIT_CODE = 'negative-credit';
const SEVERITY_SETTING = 'truce.diagnostics.severity';

const SEVERITIES: Record<string, vscode.DiagnosticSeverity> = {
  hint: vscode.DiagnosticSeverity.Hint,
  information: vscode.DiagnosticSeverity.Information,
  warning: vscode.DiagnosticSeverity.Warning,
  error: vscode.DiagnosticSeverity.Error,
};

/**
 * Problems-panel entries for rules the selected run has something to say about: one per pending
 * suggestion (its `code` is the suggestion id, which is how the quick fixes find it), and one per
 * rule with negative credit and no suggestion. Only open documents get them; closing one clears it.
 */
/** How long typing must pause before the diagnostics of the edited document are recomputed. */
const REFRESH_DELAY_MS = 250;

export class SuggestionDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('truce-suggestions');
  private readonly disposables: vscode.Disposable[] = [this.collection];
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly index: PromptDocumentIndex,
    private readonly insights: UnitInsights,
  ) {
    this.disposables.push(
      insights.onDidChange(() => this.refreshAll()),
      index.onDidChange(({ uri }) => this.refreshSoon(uri)),
      vscode.workspace.onDidOpenTextDocument((document) => this.refresh(document)),
      vscode.workspace.onDidCloseTextDocument((document) => this.collection.delete(document.uri)),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(SEVERITY_SETTING)) this.refreshAll();
      }),
    );
    this.refreshAll();
  }

  dispose(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    for (const disposable of this.disposables) disposable.dispose();
  }

  /**
   * While the user types, every keystroke changes the parse; the diagnostics follow once typing
   * pauses, so a burst of edits costs one parse of the file, not one per key.
   */
  private refreshSoon(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
        if (document) this.refresh(document);
      }, REFRESH_DELAY_MS),
    );
  }

  private refreshAll(): void {
    for (const document of vscode.workspace.textDocuments) this.refresh(document);
  }

  private refresh(document: vscode.TextDocument): void {
    if (document.isClosed || !this.index.isPromptDocument(document)) {
      this.collection.delete(document.uri);
      return;
    }
    const insights = this.insights.get(document);
    if (!insights) {
      this.collection.delete(document.uri);
      return;
    }
    const severity = SEVERITIES[vscode.workspace.getConfiguration().get<string>(SEVERITY_SETTING, 'information')] ?? vscode.DiagnosticSeverity.Information;
    const parsed = this.index.get(document);
    const units = new Map((parsed?.agents.flatMap((a) => a.units) ?? []).map((u) => [u.id, u]));
    const diagnostics: vscode.Diagnostic[] = [];
    for (const [unitId, insight] of insights.byUnit) {
      const unit = units.get(unitId);
      if (!unit) continue;
      for (const placed of insight.suggestions) {
        const { suggestion } = placed;
        const what = `${suggestionLabel(suggestion)} (support ${Math.round(suggestion.support * 100)}%)`;
        const message = placed.stale ? `TRUCE suggestion is stale: ${what}. ${placed.stale}` : `TRUCE suggests: ${what}${suggestion.rationale ? ` — ${suggestion.rationale}` : ''}`;
        const diagnostic = new vscode.Diagnostic(toVscodeRange(unit.range), message, placed.stale ? vscode.DiagnosticSeverity.Hint : severity);
        diagnostic.source = DIAGNOSTIC_SOURCE;
        diagnostic.code = suggestion.id;
        diagnostics.push(diagnostic);
      }
      const credit = insight.credit;
      if (credit && credit.meanScore < 0 && insight.suggestions.length === 0) {
        const diagnostic = new vscode.Diagnostic(
          toVscodeRange(unit.range),
          `TRUCE: this rule was blamed in ${credit.blamedTasks}/${credit.totalTasks} tasks of run ${insights.runId} (credit ${signed(credit.meanScore)})${insight.changedSinceRun ? '; it changed since that run' : ''}.`,
          severity,
        );
        diagnostic.source = DIAGNOSTIC_SOURCE;
        diagnostic.code = NEGATIVE_CREDIT_CODE;
        diagnostics.push(diagnostic);
      }
    }
    this.collection.set(document.uri, diagnostics);
  }
}
