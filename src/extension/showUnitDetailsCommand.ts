import * as vscode from 'vscode';
import { SHOW_UNIT_DETAILS_COMMAND } from './commandIds';
import type { PromptDocumentIndex } from './documentIndex';
import { resolvePromptDocumentTarget, selectInEditor } from './promptDocumentTarget';
import type { UnitPlacement } from './unitQueries';
import { findUnitAt, findUnitById, placeUnit, sectionLabel, toVscodeRange, unitKindLabel } from './unitQueries';

/**
 * `truce.showUnitDetails [uri, unitId, line]`: selects exactly the text TRUCE treats as the rule
 * (list markers excluded) and reports its id, agent, section, variables and lock state, with an
 * action that copies the id (what the CLI and the run store use to name the unit).
 *
 * Without arguments it acts on the unit under the cursor. Resolves to the unit id, or undefined.
 */
export function registerShowUnitDetailsCommand(index: PromptDocumentIndex): vscode.Disposable {
  return vscode.commands.registerCommand(
    SHOW_UNIT_DETAILS_COMMAND,
    async (target?: vscode.Uri | string, unitId?: string, line?: number): Promise<string | undefined> => {
      const resolved = await resolvePromptDocumentTarget(index, target);
      if (!resolved) return undefined;
      const { parsed, editor } = resolved;
      const unit =
        unitId !== undefined
          ? findUnitById(parsed, unitId, line)
          : editor && findUnitAt(parsed, resolved.document.offsetAt(editor.selection.active));
      const placement = unit && placeUnit(parsed, unit);
      if (!placement) {
        const name = vscode.workspace.asRelativePath(resolved.document.uri);
        void vscode.window.showInformationMessage(
          unitId !== undefined
            ? `TRUCE: the rule ${unitId} is no longer in ${name}; it was edited or removed.`
            : `TRUCE: the cursor is not inside a policy unit of ${name}. Put it inside a rule, or run "TRUCE: Show Policy Units" to pick one.`,
        );
        return undefined;
      }
      await selectInEditor(resolved, toVscodeRange(placement.unit.range));
      void offerCopyId(placement);
      return placement.unit.id;
    },
  );
}

function detailsMessage({ unit, agent, ordinal, count }: UnitPlacement): string {
  const facts = [
    `Rule ${ordinal}/${count} of agent "${agent.id}"`,
    unitKindLabel(unit.kind),
    `section ${sectionLabel(unit)}`,
    unit.vars.length > 0 ? `variables ${unit.vars.join(', ')}` : 'no variables',
    unit.locked ? 'locked (never edited by TRUCE)' : 'not locked',
  ];
  return `${facts.join(' · ')}. Id: ${unit.id}`;
}

// Not awaited by the command: a notification stays until dismissed, and the command's result
// (the unit id) should not wait for that.
async function offerCopyId(placement: UnitPlacement): Promise<void> {
  const copyId = 'Copy Id';
  const choice = await vscode.window.showInformationMessage(detailsMessage(placement), copyId);
  if (choice === copyId) {
    await vscode.env.clipboard.writeText(placement.unit.id);
    vscode.window.setStatusBarMessage(`$(check) Copied unit id ${placement.unit.id}`, 3000);
  }
}
