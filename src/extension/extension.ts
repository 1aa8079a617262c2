import * as vscode from 'vscode';
import { ApiKeyStore } from './apiKeys';
import { AttachController } from './attach/attachController';
import { SHOW_LOG_COMMAND } from './commandIds';
import { CodeLensController } from './codeLensController';
import { EditorDemoMode } from './editorDemoMode';
import { ConfigDiagnostics } from './configDiagnostics';
import { PromptDocumentIndex } from './documentIndex';
import { UnitHoverProvider } from './hoverProvider';
import { registerImportTrajectoriesCommand } from './importTrajectoriesCommand';
import { createTrajectoryPanelFeature } from './panel/trajectoryPanelFeature';
import { PromptFileContextKey } from './promptFileContextKey';
import { PromptFileRegistration } from './promptFileRegistration';
import { registerShowUnitDetailsCommand } from './showUnitDetailsCommand';
import { registerRunMasCommand } from './runMasCommand';
import { RunStatusBar } from './runStatusBar';
import { registerSetApiKeyCommand } from './setApiKeyCommand';
import { registerSuggestionFeatures } from './suggestions/registerSuggestionFeatures';
import { registerShowUnitsCommand } from './showUnitsCommand';
import { registerValidateConfigCommand } from './validateConfigCommand';

/** The live attach of this window, stopped (and its run finished) when the extension deactivates. */
let attach: AttachController | undefined;

/** Composition root: builds the parts once and hands every disposable to VS Code. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('TRUCE', { log: true });
  const index = new PromptDocumentIndex(log);
  const demoMode = new EditorDemoMode(log);
  const suggestions = registerSuggestionFeatures(context, { index, log, demoMode });
  const hoverProvider = new UnitHoverProvider(index, suggestions.insights);
  const configDiagnostics = new ConfigDiagnostics();
  const keys = new ApiKeyStore(context.secrets);
  const statusBar = new RunStatusBar();
  attach = new AttachController(context.secrets, log, keys);
  const attachController = attach;
  const panel = createTrajectoryPanelFeature(context.extensionUri, log, index, (runId, taskId, verdict) => attachController.rate(runId, taskId, verdict));
  attachController.onRunChanged = (runIds) => panel.runsChanged(runIds);
  context.subscriptions.push(
    attachController,
    configDiagnostics,
    statusBar,
    demoMode,
    vscode.commands.registerCommand(SHOW_LOG_COMMAND, () => log.show()),
    registerValidateConfigCommand(configDiagnostics),
    registerSetApiKeyCommand(keys),
    registerRunMasCommand(log, keys, statusBar, demoMode),
    registerImportTrajectoriesCommand(log),
    log,
    index,
    new CodeLensController(index, suggestions.insights),
    new PromptFileRegistration(index, (selector) => vscode.languages.registerHoverProvider(selector, hoverProvider)),
    new PromptFileContextKey(index),
    registerShowUnitsCommand(index),
    registerShowUnitDetailsCommand(index),
    panel,
  );
}

/**
 * Everything the extension holds is disposed through `context.subscriptions`; an attach is also
 * stopped here, and waited for, so its run is finished (status, summary) before the host exits.
 */
export async function deactivate(): Promise<void> {
  await attach?.stop();
  attach = undefined;
}
