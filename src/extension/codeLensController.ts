import * as vscode from 'vscode';
import { UnitCodeLensProvider } from './codeLensProvider';
import { CodeLensWindowTracker } from './codeLensWindowTracker';
import type { PromptDocumentIndex } from './documentIndex';
import { PromptFileRegistration } from './promptFileRegistration';
import type { UnitInsights } from './suggestions/unitInsights';

const CODE_LENS_ENABLED = 'truce.codeLens.enabled';

/**
 * Owns the CodeLens provider and registers it only while `truce.codeLens.enabled` is on.
 * Unregistering (rather than returning no lenses) makes VS Code drop the lenses at once and stops
 * it from calling us on every edit while the user has them switched off.
 */
export class CodeLensController implements vscode.Disposable {
  private registration: vscode.Disposable | undefined;
  private windowTracker: CodeLensWindowTracker | undefined;
  private readonly configurationListener: vscode.Disposable;

  constructor(
    private readonly index: PromptDocumentIndex,
    private readonly insights?: UnitInsights,
  ) {
    this.configurationListener = vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(CODE_LENS_ENABLED)) this.update();
    });
    this.update();
  }

  dispose(): void {
    this.configurationListener.dispose();
    this.unregister();
  }

  private update(): void {
    const enabled = vscode.workspace.getConfiguration().get<boolean>(CODE_LENS_ENABLED, true);
    if (enabled && !this.registration) {
      this.windowTracker = new CodeLensWindowTracker();
      const provider = new UnitCodeLensProvider(this.index, this.insights, this.windowTracker);
      this.registration = new PromptFileRegistration(this.index, (selector) =>
        vscode.languages.registerCodeLensProvider(selector, provider),
      );
    } else if (!enabled && this.registration) {
      this.unregister();
    }
  }

  private unregister(): void {
    this.registration?.dispose();
    this.registration = undefined;
    this.windowTracker?.dispose();
    this.windowTracker = undefined;
  }
}
