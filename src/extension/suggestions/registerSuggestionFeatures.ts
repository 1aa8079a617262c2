import * as vscode from 'vscode';
import { ApiKeyStore } from '../apiKeys';
import type { PromptDocumentIndex } from '../documentIndex';
import type { EditorDemoMode } from '../editorDemoMode';
import { PromptFileRegistration } from '../promptFileRegistration';
import { registerComputeCreditCommand } from './computeCreditCommand';
import { registerOptimizeCommand } from './optimizeCommand';
import { registerRevertEditCommand } from './revertEditCommand';
import { ReviewSession } from './reviewSession';
import { registerRunReportCommand } from './runReportCommand';
import { registerSelectRunCommand } from './selectRunCommand';
import { registerSuggestEditsCommand } from './suggestEditsCommand';
import { registerShowUnitEvidenceCommand } from './showUnitEvidenceCommand';
import { SuggestionCodeActions } from './suggestionCodeActions';
import { PREVIEW_SCHEME } from './suggestionCommandIds';
import { registerSuggestionCommands } from './suggestionCommands';
import { SuggestionDiagnostics } from './suggestionDiagnostics';
import { SuggestionEdits } from './suggestionEdits';
import { SuggestionPreviewProvider } from './suggestionPreview';
import { UnitInsights } from './unitInsights';
import { WorkspaceRun } from './workspaceRun';

export interface SuggestionFeatureDeps {
  index: PromptDocumentIndex;
  log: vscode.LogOutputChannel;
  demoMode: EditorDemoMode;
}

export interface SuggestionFeatures {
  /** Run data per rule, for the CodeLens and hover providers built elsewhere. */
  insights: UnitInsights;
}

/**
 * Everything that shows a run's credit and suggestions in the editor and acts on them: the run
 * selection, diagnostics, quick fixes, previews, inline review, the ledger, report and credit commands. All disposables go to
 * `context.subscriptions`.
 */
export function registerSuggestionFeatures(context: vscode.ExtensionContext, deps: SuggestionFeatureDeps): SuggestionFeatures {
  const workspaceRun = new WorkspaceRun(context.workspaceState, deps.log);
  const insights = new UnitInsights(deps.index, workspaceRun);
  const edits = new SuggestionEdits(workspaceRun, deps.log);
  const codeActions = new SuggestionCodeActions(insights, edits);
  const review = new ReviewSession(deps.index, insights, edits);
  const keys = new ApiKeyStore(context.secrets);
  context.subscriptions.push(
    workspaceRun,
    insights,
    new SuggestionDiagnostics(deps.index, insights),
    new PromptFileRegistration(deps.index, (selector) =>
      vscode.languages.registerCodeActionsProvider(selector, codeActions, { providedCodeActionKinds: SuggestionCodeActions.providedCodeActionKinds }),
    ),
    review,
    vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, new SuggestionPreviewProvider(edits)),
    registerSelectRunCommand(workspaceRun),
    registerShowUnitEvidenceCommand(insights),
    registerSuggestionCommands(insights, edits),
    registerRevertEditCommand(workspaceRun, deps.log),
    registerRunReportCommand(workspaceRun),
    registerComputeCreditCommand(workspaceRun, keys, deps.log, deps.demoMode),
    registerSuggestEditsCommand(workspaceRun, keys, deps.log, deps.demoMode),
    registerOptimizeCommand(workspaceRun, keys, deps.log, deps.demoMode),
  );
  return { insights };
}
