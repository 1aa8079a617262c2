import * as vscode from 'vscode';
import type { PolicyUnit, PromptDocument } from '../core/units/types';
import { SHOW_UNITS_COMMAND } from './commandIds';
import type { PromptDocumentIndex } from './documentIndex';
import { resolvePromptDocumentTarget, selectInEditor } from './promptDocumentTarget';
import { findUnitAt, sectionLabel, toVscodeRange, unitKindLabel, unitSummary } from './unitQueries';

interface UnitPickItem extends vscode.QuickPickItem {
  unit?: PolicyUnit;
}

/**
 * `TRUCE: Show Policy Units [uri]`: lists the units of the active prompt document (or of `uri`,
 * which the editor title menu passes), grouped by agent. Moving through the list previews each
 * unit in the editor; accepting selects it, escaping puts the selection and scroll position back.
 * Resolves to the accepted unit's id, or undefined when the list was dismissed.
 */
export function registerShowUnitsCommand(index: PromptDocumentIndex): vscode.Disposable {
  return vscode.commands.registerCommand(
    SHOW_UNITS_COMMAND,
    async (target?: vscode.Uri | string): Promise<string | undefined> => {
      const resolved = await resolvePromptDocumentTarget(index, target);
      if (!resolved) return undefined;
      const name = vscode.workspace.asRelativePath(resolved.document.uri);
      const items = pickItems(resolved.parsed);
      if (items.length === 0) {
        void vscode.window.showInformationMessage(
          `TRUCE: ${name} has no policy units. Units are list items, rule paragraphs, YAML list items and XML-tagged rule blocks; headings, front matter and code blocks are structure.`,
        );
        return undefined;
      }
      const editor = resolved.editor ?? (await vscode.window.showTextDocument(resolved.document));
      return pickUnit(editor, resolved.parsed, items, name);
    },
  );
}

function pickItems(parsed: PromptDocument): UnitPickItem[] {
  const items: UnitPickItem[] = [];
  for (const agent of parsed.agents) {
    if (agent.units.length === 0) continue;
    items.push({ label: `${agent.id} (${agent.kind})`, kind: vscode.QuickPickItemKind.Separator });
    for (const unit of agent.units) {
      const facts = [unitKindLabel(unit.kind)];
      if (unit.locked) facts.push('locked');
      if (unit.vars.length > 0) facts.push(`variables: ${unit.vars.join(', ')}`);
      items.push({
        unit,
        label: `${unit.locked ? '$(lock) ' : ''}${unitSummary(unit)}`,
        description: sectionLabel(unit),
        detail: facts.join(' · '),
      });
    }
  }
  return items;
}

function pickUnit(
  editor: vscode.TextEditor,
  parsed: PromptDocument,
  items: UnitPickItem[],
  name: string,
): Promise<string | undefined> {
  const originalSelections = editor.selections;
  const originalVisibleRange = editor.visibleRanges[0];
  const unitCount = items.filter((item) => item.unit).length;

  const quickPick = vscode.window.createQuickPick<UnitPickItem>();
  quickPick.title = `Policy units of ${name} (${unitCount})`;
  quickPick.placeholder = 'Type to filter by rule text, section or kind; the editor follows the highlighted rule';
  quickPick.matchOnDescription = true;
  quickPick.matchOnDetail = true;
  quickPick.items = items;
  // Start where the user already is, so opening the list does not scroll the editor away.
  const unitAtCursor = findUnitAt(parsed, editor.document.offsetAt(editor.selection.active));
  const startItem = items.find((item) => item.unit === unitAtCursor);
  if (startItem) quickPick.activeItems = [startItem];

  return new Promise((resolve) => {
    let accepted: PolicyUnit | undefined;
    const listeners = [
      quickPick.onDidChangeActive(([item]) => {
        if (!item?.unit) return;
        const range = toVscodeRange(item.unit.range);
        editor.selection = new vscode.Selection(range.start, range.end);
        editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      }),
      quickPick.onDidAccept(() => {
        accepted = quickPick.selectedItems[0]?.unit ?? quickPick.activeItems[0]?.unit;
        quickPick.hide();
      }),
      quickPick.onDidHide(async () => {
        for (const listener of listeners) listener.dispose();
        quickPick.dispose();
        if (accepted) {
          await selectInEditor({ document: editor.document, parsed, editor }, toVscodeRange(accepted.range));
        } else {
          editor.selections = originalSelections;
          if (originalVisibleRange) editor.revealRange(originalVisibleRange, vscode.TextEditorRevealType.AtTop);
        }
        resolve(accepted?.id);
      }),
    ];
    quickPick.show();
  });
}
