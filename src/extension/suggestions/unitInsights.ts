import * as vscode from 'vscode';
import { suggestionUnitId, type UnitCredit } from '../../core/editor/runView';
import type { Suggestion } from '../../core/credit/types';
import { locateUnit, successorsOf, type PolicyUnit, type PromptDocument } from '../../core/units';
import type { PromptDocumentIndex } from '../documentIndex';
import type { WorkspaceRun } from './workspaceRun';

/** A pending suggestion placed in a document as it is now. */
export interface PlacedSuggestion {
  suggestion: Suggestion;
  /** The rule it is shown on (its target, or for an ADD the rule it follows). */
  unit: PolicyUnit;
  /** Why it can no longer be applied as proposed; undefined while it still fits. */
  stale?: string;
}

export interface UnitInsight {
  credit?: UnitCredit;
  /** The rule's text differs from the text the run credited. */
  changedSinceRun: boolean;
  suggestions: PlacedSuggestion[];
}

export interface DocumentInsights {
  runId: string;
  byUnit: ReadonlyMap<string, UnitInsight>;
  suggestions: readonly PlacedSuggestion[];
}

interface CachedInsights {
  version: number;
  generation: number;
  insights: DocumentInsights | undefined;
}

/**
 * Run data placed on the rules of an open document. A run refers to rules by id, and an id
 * changes with the rule's text, so each credited rule is re-anchored: by id; else by the text the
 * rule had when the run was first shown on it (remembered here) or the text a suggestion quotes,
 * through the core's locateUnit. A rule found with other text is "changed since run": its credit
 * is still shown, marked as such, and suggestions on it are stale.
 */
export class UnitInsights implements vscode.Disposable {
  private readonly cache = new Map<string, CachedInsights>();
  /** Unit id → the rule text it had when first seen with this run's data. */
  private readonly knownText = new Map<string, { agentId: string; text: string; sectionPath: string[] }>();
  private readonly emitter = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [this.emitter];

  /** The run or its data changed: query again. (Document edits come through the index's event.) */
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly index: PromptDocumentIndex,
    readonly workspaceRun: WorkspaceRun,
  ) {
    let runId: string | undefined;
    this.disposables.push(
      workspaceRun.onDidChange(() => {
        const next = workspaceRun.run?.entry.runId;
        // Texts remembered for one run say nothing about another run's ids.
        if (next !== runId) this.knownText.clear();
        runId = next;
        this.cache.clear();
        this.emitter.fire();
      }),
      vscode.workspace.onDidCloseTextDocument((document) => this.cache.delete(document.uri.toString())),
    );
  }

  get(document: vscode.TextDocument): DocumentInsights | undefined {
    const key = document.uri.toString();
    const cached = this.cache.get(key);
    if (cached && cached.version === document.version && cached.generation === this.workspaceRun.generation) return cached.insights;
    const insights = this.compute(document);
    this.cache.set(key, { version: document.version, generation: this.workspaceRun.generation, insights });
    return insights;
  }

  unit(document: vscode.TextDocument, unitId: string): UnitInsight | undefined {
    return this.get(document)?.byUnit.get(unitId);
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }

  private compute(document: vscode.TextDocument): DocumentInsights | undefined {
    const run = this.workspaceRun.run;
    // Without a run there is nothing to show; checked first so an edit does not parse for nothing.
    if (!run) return undefined;
    const parsed = this.index.get(document);
    if (!parsed) return undefined;
    const { view } = run.loaded;
    const byUnit = new Map<string, UnitInsight>();
    const insightOf = (unit: PolicyUnit) => {
      let insight = byUnit.get(unit.id);
      if (!insight) byUnit.set(unit.id, (insight = { changedSinceRun: false, suggestions: [] }));
      return insight;
    };

    const units = parsed.agents.flatMap((agent) => agent.units);
    const byId = new Map(units.map((unit) => [unit.id, unit]));
    for (const suggestion of view.pending) {
      const { oldText, targetUnitId, agentId } = suggestion.edit;
      if (oldText !== undefined && targetUnitId && !this.knownText.has(targetUnitId)) this.knownText.set(targetUnitId, { agentId, text: oldText, sectionPath: [] });
    }
    for (const [unitId, credit] of view.credit) {
      const here = byId.get(unitId);
      if (here) {
        this.knownText.set(unitId, { agentId: here.agentId, text: here.text, sectionPath: here.sectionPath });
        insightOf(here).credit = credit;
        continue;
      }
      // A block credited as one unit before sentence units: its credit shows on each of its rules,
      // marked as not measured on that rule's own text.
      const successors = successorsOf(parsed, unitId);
      if (successors.length > 0) {
        for (const unit of successors) {
          const insight = insightOf(unit);
          if (insight.credit && !insight.changedSinceRun) continue;
          insight.credit = credit;
          insight.changedSinceRun = true;
        }
        continue;
      }
      const known = this.knownText.get(unitId);
      const found = known && locateAnywhere(parsed, { id: unitId, ...known });
      // Credit of text now read as context has no rule to show on.
      if (!found || found.status === 'set-aside') continue;
      const insight = insightOf(found.unit);
      // Two old ids can land on one rule (a rule rewritten into another's words); the exact one wins.
      if (insight.credit && !insight.changedSinceRun) continue;
      insight.credit = credit;
      insight.changedSinceRun = found.status === 'changed' || found.status === 'split';
    }

    const relative = vscode.workspace.asRelativePath(document.uri, false);
    const placed: PlacedSuggestion[] = [];
    for (const suggestion of view.pending) {
      if (suggestion.file.replace(/\\/g, '/') !== relative) continue;
      const place = placeSuggestion(parsed, suggestion);
      if (!place) continue;
      placed.push(place);
      insightOf(place.unit).suggestions.push(place);
    }
    return { runId: run.entry.runId, byUnit, suggestions: placed };
  }
}

/** locateUnit in the named agent, else in any agent of the file (the editor and a run may name a file's agent differently). */
function locateAnywhere(doc: PromptDocument, ref: { id: string; agentId: string; text: string; sectionPath: string[] }) {
  const agents = [ref.agentId, ...doc.agents.map((a) => a.id).filter((id) => id !== ref.agentId)];
  for (const agentId of agents) {
    const location = locateUnit(doc, { ...ref, agentId, ...(ref.sectionPath.length ? {} : { sectionPath: undefined }) });
    if (location.status !== 'gone') return location;
  }
  return undefined;
}

function placeSuggestion(doc: PromptDocument, suggestion: Suggestion): PlacedSuggestion | undefined {
  const { edit } = suggestion;
  const agent = doc.agents.find((a) => a.id === edit.agentId) ?? (doc.agents.filter((a) => a.units.length > 0).length === 1 ? doc.agents.find((a) => a.units.length > 0) : undefined);
  if (edit.op === 'ADD') {
    const anchorId = suggestionUnitId(suggestion);
    const units = doc.agents.flatMap((a) => a.units);
    // An anchor now read as several rules: the new rule goes after the last of them.
    const anchor = anchorId ? (units.find((u) => u.id === anchorId) ?? successorsOf(doc, anchorId).at(-1)) : agent?.units[agent.units.length - 1];
    if (anchor) return { suggestion, unit: anchor };
    // The rule it was to follow is gone: show it at the end of the agent, stale, so it is not lost silently.
    const last = agent?.units[agent.units.length - 1];
    return last ? { suggestion, unit: last, stale: `The rule the new one was to follow (${anchorId}) is no longer in the file.` } : undefined;
  }
  if (!edit.targetUnitId || edit.oldText === undefined) return undefined;
  const location = locateAnywhere(doc, { id: edit.targetUnitId, agentId: agent?.id ?? edit.agentId, text: edit.oldText, sectionPath: [] });
  if (!location) return undefined;
  if (location.status === 'changed') {
    return { suggestion, unit: location.unit, stale: `The rule was edited since the suggestion was made; it now reads "${short(location.unit.text)}".` };
  }
  if (location.status === 'set-aside') {
    return { suggestion, unit: location.unit, stale: `The text it targets is now read as ${location.unit.kind === 'role' ? 'the role statement' : 'description (context)'}, not as a rule TRUCE edits.` };
  }
  if (location.status === 'split') {
    return { suggestion, unit: location.unit, stale: `The suggestion was made for a block that is now read as ${location.successors.length} rules; a new run suggests edits of the single rules.` };
  }
  return { suggestion, unit: location.unit };
}

function short(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 60 ? `${one.slice(0, 59)}…` : one;
}
