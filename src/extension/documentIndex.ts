import * as vscode from 'vscode';
import { detectFormat } from '../core/units';
import { parseIncrementally, type IncrementalParse } from '../core/units/incremental/parseIncrementally';
import type { PromptDocument } from '../core/units/types';
import { PROMPT_FILES_SECTION, PromptFileMatcher } from './promptFileMatcher';

export interface PromptDocumentChange {
  readonly uri: vscode.Uri;
  /**
   * `edit`: the document's text changed (VS Code refreshes what it shows from the text by itself);
   * `settings`: the prompt-file settings or workspace folders changed, so the same text may now
   * parse differently or not be a prompt file at all.
   */
  readonly cause: 'edit' | 'settings';
}

interface CachedParse {
  readonly version: number;
  readonly parse: IncrementalParse;
}

/**
 * The single place where the extension turns open documents into parsed prompt documents.
 *
 * Parsing is lazy: nothing is parsed until a provider asks, and a parse is reused for as long as
 * the document's version does not change. After an edit the next parse starts from the last one
 * and reads again only the part of the file the edit touched (core/units/incremental), which is
 * what keeps CodeLens quick while typing in a long prompt. `onDidChange` fires when a parse that
 * someone has read becomes outdated (the document was edited, or the prompt-file settings
 * changed), so listeners re-query instead of each holding its own copy. Closing a document drops
 * its parse.
 */
export class PromptDocumentIndex implements vscode.Disposable {
  private readonly cache = new Map<string, CachedParse>();
  /** Whether a URI is a prompt file; the globs depend on the path only, so this holds until settings change. */
  private readonly promptFileByUri = new Map<string, boolean>();
  private matcher = PromptFileMatcher.fromWorkspace();
  private readonly changeEmitter = new vscode.EventEmitter<PromptDocumentChange>();
  private readonly selectorEmitter = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[] = [this.changeEmitter, this.selectorEmitter];

  /** A prompt document's parse changed; query {@link get} again. */
  readonly onDidChange = this.changeEmitter.event;
  /** {@link selector} changed (settings or workspace folders); providers must re-register. */
  readonly onDidChangeSelector = this.selectorEmitter.event;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((event) => {
        // Saving or dirty-state changes arrive with no content changes: the parse is still valid.
        if (event.contentChanges.length > 0) this.outdated(event.document.uri);
      }),
      vscode.workspace.onDidCloseTextDocument((document) => {
        this.cache.delete(document.uri.toString());
        this.promptFileByUri.delete(document.uri.toString());
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(PROMPT_FILES_SECTION)) this.rebuildMatcher();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.rebuildMatcher()),
    );
  }

  /** Include globs as a DocumentSelector, for registering providers. */
  get selector(): vscode.DocumentSelector {
    return this.matcher.selector;
  }

  isPromptDocument(document: vscode.TextDocument): boolean {
    const key = document.uri.toString();
    let isPrompt = this.promptFileByUri.get(key);
    if (isPrompt === undefined) {
      isPrompt = this.matcher.matches(document);
      this.promptFileByUri.set(key, isPrompt);
    }
    return isPrompt;
  }

  /** The parse of `document`, or undefined when it is not a prompt file. */
  get(document: vscode.TextDocument): PromptDocument | undefined {
    if (!this.isPromptDocument(document)) return undefined;
    const key = document.uri.toString();
    const cached = this.cache.get(key);
    if (cached && cached.version === document.version) return cached.parse.document;
    // An outdated parse of the same document is where the next one starts.
    const parse = this.parse(document, cached?.parse);
    this.cache.set(key, { version: document.version, parse });
    return parse.document;
  }

  dispose(): void {
    this.cache.clear();
    this.promptFileByUri.clear();
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private parse(document: vscode.TextDocument, previous: IncrementalParse | undefined): IncrementalParse {
    const text = document.getText();
    const uri = document.uri.toString();
    try {
      // Format detection is the core's (by file name, then content), exactly as the CLI does it,
      // so the editor and `truce` never disagree about what a file contains.
      return parseIncrementally(text, { uri, format: detectFormat(document.uri.path, text) }, previous);
    } catch (error) {
      // A parser bug must not take the editor features of every other file down with it.
      const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.log.error(`Could not parse ${document.uri.fsPath}; no policy units are shown for it.\n${reason}`);
      const failed: PromptDocument = { uri, format: 'text', agents: [], errors: [{ message: `Parser failed: ${String(error)}`, line: 0, character: 0 }] };
      return { document: failed, how: { mode: 'full', linesRead: 0 } };
    }
  }

  private outdated(uri: vscode.Uri): void {
    // Only parses someone has read can be outdated; untouched documents stay lazy. The outdated
    // parse stays (its version no longer matches) for the next parse to start from.
    if (this.cache.has(uri.toString())) this.changeEmitter.fire({ uri, cause: 'edit' });
  }

  private rebuildMatcher(): void {
    const before = new Set(this.cache.keys());
    this.matcher = PromptFileMatcher.fromWorkspace();
    this.cache.clear();
    this.promptFileByUri.clear();
    this.selectorEmitter.fire();
    // Documents may have become prompt files or stopped being ones: tell listeners about every
    // open document either side of the change.
    for (const document of vscode.workspace.textDocuments) {
      if (before.has(document.uri.toString()) || this.isPromptDocument(document)) {
        this.changeEmitter.fire({ uri: document.uri, cause: 'settings' });
      }
    }
  }
}
