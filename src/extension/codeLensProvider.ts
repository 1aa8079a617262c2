import * as vscode from 'vscode';
import { lineInWindow } from '../core/editor/lensWindow';
import { allUnits } from '../core/units';
import { codeLensTitle, codeLensTooltip } from './codeLensTitle';
import type { CodeLensWindowTracker } from './codeLensWindowTracker';
import { SHOW_UNIT_DETAILS_COMMAND } from './commandIds';
import type { PromptDocumentIndex } from './documentIndex';
import { SHOW_UNIT_EVIDENCE_COMMAND } from './suggestions/suggestionCommandIds';
import type { UnitInsights } from './suggestions/unitInsights';
import { findUnitById, placeUnit, toVscodeRange } from './unitQueries';

/**
 * A lens that remembers its document and which unit it stands for, so resolving it needs neither
 * a search of the open documents (half of a resolve's time when it looked the document up by URI)
 * nor of positions.
 */
export class UnitCodeLens extends vscode.CodeLens {
  constructor(
    range: vscode.Range,
    readonly document: vscode.TextDocument,
    readonly unitId: string,
  ) {
    super(range);
  }

  get documentUri(): vscode.Uri {
    return this.document.uri;
  }
}

/**
 * One CodeLens above every policy unit. `provideCodeLenses` runs on every edit and for the whole
 * file, so it only lays out ranges and ids; the title (with the selected run's credit, when there
 * is one) is built in `resolveCodeLens`, which VS Code calls only for lenses in view.
 * With a window tracker, a long file's lenses are only those near what the editors show: the
 * trip of thousands of lenses to the workbench was most of the wait after an edit.
 */
export class UnitCodeLensProvider implements vscode.CodeLensProvider<UnitCodeLens> {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(
    private readonly index: PromptDocumentIndex,
    private readonly insights?: UnitInsights,
    private readonly window?: CodeLensWindowTracker,
  ) {
    this.onDidChangeCodeLenses = (listener, thisArgs, disposables) => {
      // Not on edits: the editor asks for lenses again after every change of the text on its own
      // (moving the old ones along meanwhile), and an event from us, arriving a round trip later,
      // would restart its wait before it asks: lenses later, and one message more per keystroke.
      const subscriptions = [index.onDidChange(({ cause }) => cause !== 'edit' && listener.call(thisArgs))];
      // A new run, an applied or rejected suggestion: the same lenses need new titles.
      if (insights) subscriptions.push(insights.onDidChange(() => listener.call(thisArgs)));
      // Scrolled towards lines whose lenses were not handed over.
      if (window) subscriptions.push(window.onDidNeedLenses(() => listener.call(thisArgs)));
      const disposable = vscode.Disposable.from(...subscriptions);
      disposables?.push(disposable);
      return disposable;
    };
  }

  provideCodeLenses(document: vscode.TextDocument): UnitCodeLens[] {
    const parsed = this.index.get(document);
    if (!parsed) return [];
    const units = allUnits(parsed);
    const lines = this.window?.linesFor(document, units.length);
    const shown = lines ? units.filter((unit) => lineInWindow(lines, unit.range.start.line)) : units;
    return shown.map((unit) => new UnitCodeLens(toVscodeRange(unit.range), document, unit.id));
  }

  resolveCodeLens(lens: UnitCodeLens): UnitCodeLens {
    // A closed document's parse is gone; one reopened since is another document object.
    const document = lens.document.isClosed ? undefined : lens.document;
    const parsed = document && this.index.get(document);
    const unit = parsed && findUnitById(parsed, lens.unitId, lens.range.start.line);
    const placement = parsed && unit && placeUnit(parsed, unit);
    if (!document || !placement) {
      // The text changed between provide and resolve; VS Code asks for fresh lenses right after.
      // An empty command id renders a plain label instead of a link to a rule that no longer exists.
      lens.command = { title: 'Rule changed, updating…', command: '' };
      return lens;
    }
    const insight = this.insights?.unit(document, placement.unit.id);
    const withEvidence = (insight?.credit?.evidence.length ?? 0) > 0;
    lens.command = {
      title: codeLensTitle(placement, insight),
      tooltip: codeLensTooltip(placement, insight),
      command: withEvidence ? SHOW_UNIT_EVIDENCE_COMMAND : SHOW_UNIT_DETAILS_COMMAND,
      arguments: withEvidence ? [lens.documentUri, lens.unitId] : [lens.documentUri, lens.unitId, placement.unit.range.start.line],
    };
    return lens;
  }
}
