import * as vscode from 'vscode';
import type { TruceConfig } from '../../core/config';
import { appliedSubset } from '../../core/editor/appliedSubset';
import { recordEditorEdit } from '../../core/editor/editorLedger';
import { planSuggestionInText, type PlannedTextEdit } from '../../core/editor/planInText';
import { suggestionLabel } from '../../core/editor/runView';
import type { Suggestion } from '../../core/credit/types';
import { applyTextEdits, type TextEdit } from '../../core/units';
import type { WorkspaceRun } from './workspaceRun';

/**
 * Suggestions onto the buffer: planned with the core (the same re-anchoring, stale and lock checks
 * as `truce apply`), applied as one WorkspaceEdit (so Undo takes the whole suggestion back), saved
 * so the file on disk is what the ledger records, and recorded in `.truce/ledger.jsonl` so that
 * `TRUCE: Revert Edit` and `truce revert` can restore the exact previous text.
 */
export class SuggestionEdits {
  constructor(
    private readonly workspaceRun: WorkspaceRun,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** A pending suggestion of the active run, by id. */
  find(suggestionId: string): Suggestion | undefined {
    return this.workspaceRun.run?.loaded.view.pending.find((s) => s.id === suggestionId);
  }

  plan(document: vscode.TextDocument, suggestion: Suggestion): Promise<PlannedTextEdit> {
    return this.planText(document.getText(), suggestion);
  }

  planText(text: string, suggestion: Suggestion): Promise<PlannedTextEdit> {
    return planSuggestionInText(this.configFor(suggestion), text, suggestion);
  }

  /** Applies one suggestion; resolves to the ledger's edit id, or undefined after telling the user why not. */
  async apply(document: vscode.TextDocument, suggestion: Suggestion): Promise<string | undefined> {
    const root = this.writableRoot();
    if (!root) return undefined;
    const planned = await this.plan(document, suggestion);
    if (!planned.ok) {
      void vscode.window.showWarningMessage(`TRUCE: ${suggestionLabel(suggestion)} was not applied (${planned.status}): ${planned.reason}`);
      return undefined;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, toRange(document, planned.edit), planned.edit.newText);
    if (!(await vscode.workspace.applyEdit(edit))) {
      void vscode.window.showWarningMessage(`TRUCE: VS Code did not apply ${suggestionLabel(suggestion)}; the file may have changed meanwhile.`);
      return undefined;
    }
    if (document.getText() !== planned.after) {
      this.log.warn(`apply ${suggestion.id}: the buffer differs from the planned text after the edit; nothing recorded.`);
      return undefined;
    }
    const [editId] = await this.record(root, document, planned.before, [{ suggestion, edit: planned.edit }]);
    return editId;
  }

  /**
   * Every applicable suggestion of the document in one WorkspaceEdit whose entries need
   * confirmation, so VS Code's refactor preview lists them and the user ticks the ones to keep.
   * Resolves to the ledger edit ids of the suggestions that went in.
   */
  async applyAll(document: vscode.TextDocument, suggestions: readonly Suggestion[]): Promise<string[]> {
    const root = this.writableRoot();
    if (!root) return [];
    const before = document.getText();
    const chosen: Array<{ suggestion: Suggestion; edit: TextEdit }> = [];
    const skipped: string[] = [];
    for (const suggestion of suggestions) {
      const planned = await this.plan(document, suggestion);
      if (!planned.ok) {
        skipped.push(`${suggestion.id}: ${planned.reason}`);
        continue;
      }
      // Each edit is planned on the original text; two on one span cannot both be offered.
      if (chosen.some((c) => planned.edit.start < c.edit.end && c.edit.start < planned.edit.end)) {
        skipped.push(`${suggestion.id}: it changes the same text as another suggestion; apply it on its own afterwards.`);
        continue;
      }
      chosen.push({ suggestion, edit: planned.edit });
    }
    for (const reason of skipped) this.log.info(`apply all: skipped ${reason}`);
    if (chosen.length === 0) {
      void vscode.window.showInformationMessage(`TRUCE: no suggestion of ${vscode.workspace.asRelativePath(document.uri)} can be applied now.${skipped.length ? ' See the TRUCE log for why.' : ''}`);
      return [];
    }
    const workspaceEdit = new vscode.WorkspaceEdit();
    for (const { suggestion, edit } of chosen) {
      workspaceEdit.replace(document.uri, toRange(document, edit), edit.newText, {
        needsConfirmation: true,
        label: `TRUCE: ${suggestionLabel(suggestion)}`,
        description: `support ${Math.round(suggestion.support * 100)}% · ${suggestion.method}`,
      });
    }
    if (!(await vscode.workspace.applyEdit(workspaceEdit, { isRefactoring: true }))) return [];
    const flags = appliedSubset(before, document.getText(), chosen.map((c) => c.edit));
    if (!flags) {
      this.log.warn(`apply all: ${vscode.workspace.asRelativePath(document.uri)} changed in ways the suggestions do not explain; nothing recorded in the ledger.`);
      return [];
    }
    return this.record(root, document, before, chosen.filter((_, i) => flags[i]));
  }

  /**
   * Saves the document and writes one ledger entry per applied suggestion, chained in document
   * order (each entry's "before" is the previous one's "after"), so they can be reverted newest first.
   */
  private async record(root: string, document: vscode.TextDocument, original: string, applied: Array<{ suggestion: Suggestion; edit: TextEdit }>): Promise<string[]> {
    if (applied.length === 0) return [];
    if (!(await document.save())) {
      void vscode.window.showWarningMessage(`TRUCE: the suggestion is in the editor but ${vscode.workspace.asRelativePath(document.uri)} could not be saved, so it is not in the edit ledger.`);
      return [];
    }
    const ordered = [...applied].sort((a, b) => a.edit.start - b.edit.start);
    const file = vscode.workspace.asRelativePath(document.uri, false);
    const runId = this.workspaceRun.run?.entry.runId;
    const ids: string[] = [];
    for (let k = 0; k < ordered.length; k++) {
      const before = applyTextEdits(original, ordered.slice(0, k).map((a) => a.edit));
      const after = applyTextEdits(original, ordered.slice(0, k + 1).map((a) => a.edit));
      const entry = await recordEditorEdit(root, { file, before, after, suggestion: ordered[k]!.suggestion, ...(runId ? { runId } : {}) });
      this.log.info(`applied ${entry.suggestionId} to ${file} as edit ${entry.editId}`);
      ids.push(entry.editId);
    }
    await this.workspaceRun.reload();
    return ids;
  }

  /** truce.yaml's agents, or one agent named after the suggestion when the workspace has no config. */
  private configFor(suggestion: Suggestion): Pick<TruceConfig, 'agents'> {
    const config = this.workspaceRun.config;
    if (config && config.agents.some((a) => a.prompt === suggestion.file)) return config;
    return { agents: [{ id: suggestion.edit.agentId, kind: 'role', prompt: suggestion.file }] } as unknown as Pick<TruceConfig, 'agents'>;
  }

  /** The folder whose ledger records edits; undefined (after saying why) when edits are not allowed. */
  private writableRoot(): string | undefined {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('TRUCE: this workspace is not trusted, so suggestions are shown but not applied. Trust the folder (Manage Workspace Trust) to apply them.');
      return undefined;
    }
    const folder = this.workspaceRun.folder;
    if (!folder) void vscode.window.showWarningMessage('TRUCE: open the workspace folder the run belongs to; applied suggestions are recorded in its .truce/ledger.jsonl.');
    return folder?.uri.fsPath;
  }
}

export function toRange(document: vscode.TextDocument, edit: TextEdit): vscode.Range {
  return new vscode.Range(document.positionAt(edit.start), document.positionAt(edit.end));
}
