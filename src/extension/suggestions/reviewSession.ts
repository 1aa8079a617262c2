import * as vscode from 'vscode';
import { recordRejection } from '../../core/editor/decisions';
import { clip, suggestionLabel } from '../../core/editor/runView';
import type { Suggestion } from '../../core/credit/types';
import type { PromptDocumentIndex } from '../documentIndex';
import { escapeMarkdown } from '../escapeMarkdown';
import { PromptFileRegistration } from '../promptFileRegistration';
import { toVscodeRange } from '../unitQueries';
import type { SuggestionEdits } from './suggestionEdits';
import type { PlacedSuggestion, UnitInsights } from './unitInsights';

export const REVIEW_COMMAND = 'truce.reviewSuggestions';
export const REVIEW_ACCEPT_COMMAND = 'truce.review.accept';
export const REVIEW_REJECT_COMMAND = 'truce.review.reject';
export const REVIEW_NEXT_COMMAND = 'truce.review.next';
export const REVIEW_STOP_COMMAND = 'truce.review.stop';
/** True while a review is under way; gates the review keybindings. */
const REVIEWING_CONTEXT = 'truce.reviewing';

/** What the review commands resolve to: the suggestion now shown, or undefined when the review ended. */
export interface ReviewPosition {
  suggestionId: string;
  index: number;
  total: number;
}

/**
 * `TRUCE: Review Suggestions`: walks the applicable suggestions of a prompt file one at a time.
 * The current one is drawn over the text with decorations in the diff editor's colours (the rule
 * it replaces or removes struck through, the proposed text after it) — the buffer itself is never
 * changed by showing it. Accept applies it as one undoable edit with a ledger entry; Reject
 * records the decision in `.truce/decisions.jsonl` so it is not proposed again for this text;
 * Next skips it for now. CodeLenses above the rule and keybindings (while `truce.reviewing`) run them.
 * It registers itself as a CodeLens provider for prompt files only while a review is under way:
 * registered all the time, it would add a second provider round trip to every CodeLens request of
 * every prompt file, only to answer "none".
 */
export class ReviewSession implements vscode.Disposable, vscode.CodeLensProvider {
  private document: vscode.TextDocument | undefined;
  private queue: PlacedSuggestion[] = [];
  private index = 0;
  /** Suggestions skipped with Next in this review, so a refreshed queue keeps them at the back. */
  private readonly skipped = new Set<string>();
  private readonly removed = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('diffEditor.removedTextBackground'),
    textDecoration: 'line-through',
  });
  private readonly inserted = vscode.window.createTextEditorDecorationType({});
  private readonly lensEmitter = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [this.removed, this.inserted, this.lensEmitter];
  readonly onDidChangeCodeLenses = this.lensEmitter.event;
  private lensRegistration: vscode.Disposable | undefined;

  constructor(
    private readonly promptIndex: PromptDocumentIndex,
    private readonly insights: UnitInsights,
    private readonly edits: SuggestionEdits,
  ) {
    this.disposables.push(
      vscode.commands.registerCommand(REVIEW_COMMAND, (uri?: vscode.Uri | string) => this.start(uri)),
      vscode.commands.registerCommand(REVIEW_ACCEPT_COMMAND, () => this.accept()),
      vscode.commands.registerCommand(REVIEW_REJECT_COMMAND, () => this.reject()),
      vscode.commands.registerCommand(REVIEW_NEXT_COMMAND, () => this.next()),
      vscode.commands.registerCommand(REVIEW_STOP_COMMAND, () => this.stop()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.render()),
      vscode.workspace.onDidCloseTextDocument((closed) => {
        if (closed === this.document) void this.stop();
      }),
    );
  }

  dispose(): void {
    void vscode.commands.executeCommand('setContext', REVIEWING_CONTEXT, false);
    this.lensRegistration?.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const current = this.current();
    if (!current || document !== this.document) return [];
    const range = toVscodeRange(current.unit.range);
    const position = `${this.index + 1}/${this.queue.length}`;
    return [
      new vscode.CodeLens(range, { title: `$(check) Accept ${suggestionLabel(current.suggestion, 32)}`, command: REVIEW_ACCEPT_COMMAND, tooltip: 'Apply this suggestion (Alt+Y)' }),
      new vscode.CodeLens(range, { title: '$(close) Reject', command: REVIEW_REJECT_COMMAND, tooltip: 'Do not propose this again for this text (Alt+N)' }),
      new vscode.CodeLens(range, { title: `$(arrow-right) Next (${position})`, command: REVIEW_NEXT_COMMAND, tooltip: 'Skip for now (Alt+])' }),
      new vscode.CodeLens(range, { title: 'Stop review', command: REVIEW_STOP_COMMAND, tooltip: 'Escape' }),
    ];
  }

  private async start(uri?: vscode.Uri | string): Promise<ReviewPosition | undefined> {
    const document = uri === undefined ? vscode.window.activeTextEditor?.document : await vscode.workspace.openTextDocument(typeof uri === 'string' ? vscode.Uri.parse(uri) : uri);
    if (!document || !this.promptIndex.isPromptDocument(document)) {
      void vscode.window.showInformationMessage('TRUCE: open a prompt file to review its suggestions.');
      return undefined;
    }
    await vscode.window.showTextDocument(document, { preview: false });
    this.document = document;
    this.skipped.clear();
    this.index = 0;
    this.refreshQueue();
    if (this.queue.length === 0) {
      void vscode.window.showInformationMessage(`TRUCE: ${vscode.workspace.asRelativePath(document.uri)} has no suggestions to review in the selected run.`);
      return this.stop();
    }
    await vscode.commands.executeCommand('setContext', REVIEWING_CONTEXT, true);
    this.lensRegistration ??= new PromptFileRegistration(this.promptIndex, (selector) => vscode.languages.registerCodeLensProvider(selector, this));
    return this.show();
  }

  private async accept(): Promise<ReviewPosition | undefined> {
    const current = this.current();
    if (!current || !this.document) return undefined;
    const editId = await this.edits.apply(this.document, current.suggestion);
    if (!editId) return this.position();
    return this.advance();
  }

  private async reject(): Promise<ReviewPosition | undefined> {
    const current = this.current();
    const root = this.insights.workspaceRun.folder?.uri.fsPath;
    if (!current || !root) return undefined;
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('TRUCE: this workspace is not trusted, so review decisions are not written to it.');
      return this.position();
    }
    await recordRejection(root, current.suggestion, this.insights.workspaceRun.run?.entry.runId);
    await this.insights.workspaceRun.reload();
    return this.advance();
  }

  private async next(): Promise<ReviewPosition | undefined> {
    const current = this.current();
    if (!current) return undefined;
    this.skipped.add(current.suggestion.id);
    this.index = (this.index + 1) % this.queue.length;
    return this.show();
  }

  private async stop(): Promise<undefined> {
    this.queue = [];
    this.document = undefined;
    this.render();
    this.lensEmitter.fire();
    // Unregistering drops the review lenses from the editor at once.
    this.lensRegistration?.dispose();
    this.lensRegistration = undefined;
    await vscode.commands.executeCommand('setContext', REVIEWING_CONTEXT, false);
    return undefined;
  }

  /** After an accept or reject the file or the run changed: rebuild the queue and show what is left. */
  private async advance(): Promise<ReviewPosition | undefined> {
    this.refreshQueue();
    if (this.queue.length === 0) {
      void vscode.window.showInformationMessage('TRUCE: no more suggestions to review in this file.');
      return this.stop();
    }
    // Suggestions not yet seen come first; skipped ones wait at the back.
    const unseen = this.queue.findIndex((p) => !this.skipped.has(p.suggestion.id));
    this.index = unseen === -1 ? 0 : unseen;
    return this.show();
  }

  private refreshQueue(): void {
    if (!this.document) return;
    const placed = (this.insights.get(this.document)?.suggestions ?? []).filter((p) => !p.stale && !p.unit.locked);
    this.queue = [...placed].sort((a, b) => a.unit.range.start.offset - b.unit.range.start.offset || b.suggestion.support - a.suggestion.support);
  }

  private async show(): Promise<ReviewPosition | undefined> {
    const current = this.current();
    const editor = this.editor();
    if (current && editor) {
      const range = toVscodeRange(current.unit.range);
      editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
    this.render();
    this.lensEmitter.fire();
    return this.position();
  }

  private render(): void {
    const current = this.current();
    for (const editor of vscode.window.visibleTextEditors) {
      const mine = current && editor.document === this.document;
      editor.setDecorations(this.removed, mine && current.suggestion.edit.op !== 'ADD' ? [toVscodeRange(current.unit.range)] : []);
      editor.setDecorations(this.inserted, mine ? [proposedText(current.suggestion, toVscodeRange(current.unit.range))] : []);
    }
  }

  private current(): PlacedSuggestion | undefined {
    return this.queue[this.index];
  }

  private position(): ReviewPosition | undefined {
    const current = this.current();
    return current ? { suggestionId: current.suggestion.id, index: this.index, total: this.queue.length } : undefined;
  }

  private editor(): vscode.TextEditor | undefined {
    return vscode.window.visibleTextEditors.find((e) => e.document === this.document);
  }
}

/** The proposed text, drawn after the rule in the inserted-text colour; a DELETE shows what it removes. */
function proposedText(suggestion: Suggestion, range: vscode.Range): vscode.DecorationOptions {
  const { op, newText } = suggestion.edit;
  const text = op === 'DELETE' ? '  ⟵ delete this rule' : `  ${op === 'ADD' ? '+ ' : '→ '}${clip(newText ?? '', 120)}`;
  return {
    range: new vscode.Range(range.end, range.end),
    // The rationale is optimizer output that may quote trajectory text: escaped, so it cannot add links or images.
    hoverMessage: new vscode.MarkdownString(`**TRUCE ${op}** (support ${Math.round(suggestion.support * 100)}%)${suggestion.rationale ? `\n\n${escapeMarkdown(suggestion.rationale)}` : ''}`),
    renderOptions: {
      after: {
        contentText: text,
        backgroundColor: new vscode.ThemeColor(op === 'DELETE' ? 'diffEditor.removedTextBackground' : 'diffEditor.insertedTextBackground'),
        color: new vscode.ThemeColor('editor.foreground'),
        fontStyle: 'normal',
        margin: '0 0 0 0.5em',
      },
    },
  };
}
