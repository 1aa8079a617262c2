import * as vscode from 'vscode';
import { LENS_WINDOW_POLICY, lensWindow, windowCoversVisible, type LensWindowPolicy, type LineSpan } from '../core/editor/lensWindow';

/**
 * Decides which lines of a long prompt file get lenses (see core/editor/lensWindow) and tells
 * the CodeLens provider when the editors have scrolled so far that the editor should ask again.
 *
 * It remembers, per document, the lines whose lenses it last handed over. A document shown in no
 * editor (lenses asked for by a command) or one with few units gets every lens. One event per
 * document until the next request: the editor waits before asking anyway, and asks with the
 * visible ranges of that moment, so the events of a long scroll add nothing.
 */
export class CodeLensWindowTracker implements vscode.Disposable {
  private readonly covered = new Map<string, LineSpan[]>();
  private readonly awaitingRequest = new Set<string>();
  private readonly emitter = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[];
  /** Fires when an editor shows lines outside the lenses handed over for its document. */
  readonly onDidNeedLenses = this.emitter.event;

  constructor(private readonly policy: LensWindowPolicy = LENS_WINDOW_POLICY) {
    this.subscriptions = [
      this.emitter,
      vscode.window.onDidChangeTextEditorVisibleRanges(({ textEditor }) => this.check(textEditor.document)),
      vscode.window.onDidChangeVisibleTextEditors((editors) => {
        for (const editor of editors) this.check(editor.document);
      }),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document.uri.toString())),
    ];
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.covered.clear();
    this.awaitingRequest.clear();
  }

  /** The lines whose lenses to hand over now, or undefined for all of them; remembered. */
  linesFor(document: vscode.TextDocument, unitCount: number): LineSpan[] | undefined {
    const key = document.uri.toString();
    this.awaitingRequest.delete(key);
    const visible = unitCount > this.policy.minUnits ? visibleLines(document) : [];
    if (visible.length === 0) {
      this.covered.delete(key);
      return undefined;
    }
    const lines = lensWindow(visible, document.lineCount, this.policy.marginLines);
    this.covered.set(key, lines);
    return lines;
  }

  private check(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const covered = this.covered.get(key);
    if (!covered || this.awaitingRequest.has(key)) return;
    if (windowCoversVisible(covered, visibleLines(document), document.lineCount, this.policy.refreshWithinLines)) return;
    this.awaitingRequest.add(key);
    this.emitter.fire();
  }

  private forget(key: string): void {
    this.covered.delete(key);
    this.awaitingRequest.delete(key);
  }
}

/** The visible ranges of every editor showing the document (a split view shows it twice). */
function visibleLines(document: vscode.TextDocument): LineSpan[] {
  const key = document.uri.toString();
  return vscode.window.visibleTextEditors
    .filter((editor) => editor.document.uri.toString() === key)
    .flatMap((editor) => editor.visibleRanges.map((range) => ({ first: range.start.line, last: range.end.line })));
}
