import * as vscode from 'vscode';
import type { AgentPrompt, PolicyUnit, PromptDocument, Range } from '../core/units/types';

/** Where a unit stands among the rules of its agent, for titles like "Rule 3/12". */
export interface UnitPlacement {
  unit: PolicyUnit;
  agent: AgentPrompt;
  /** 1-based position of the unit within its agent. */
  ordinal: number;
  /** Number of units of the agent. */
  count: number;
  /**
   * True when more than one agent of the file has rules, so titles need to name the agent. Agents
   * without rules (a Prompty `user:` block holding only `{{question}}`) do not count.
   */
  multiAgent: boolean;
}

export function toVscodeRange(range: Range): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}

export function placeUnit(document: PromptDocument, unit: PolicyUnit): UnitPlacement | undefined {
  return lookupOf(document).placement.get(unit);
}

/**
 * Placements and ids of one parse, built once: resolving every CodeLens of a 2,000-unit file
 * would otherwise scan all units per lens. A parse is immutable, so the table never goes stale.
 */
interface UnitLookup {
  placement: Map<PolicyUnit, UnitPlacement>;
  byId: Map<string, PolicyUnit[]>;
}

const lookups = new WeakMap<PromptDocument, UnitLookup>();

function lookupOf(document: PromptDocument): UnitLookup {
  let lookup = lookups.get(document);
  if (lookup) return lookup;
  lookup = { placement: new Map(), byId: new Map() };
  const multiAgent = document.agents.filter((agent) => agent.units.length > 0).length > 1;
  for (const agent of document.agents) {
    agent.units.forEach((unit, index) => {
      lookup!.placement.set(unit, { unit, agent, ordinal: index + 1, count: agent.units.length, multiAgent });
      const same = lookup!.byId.get(unit.id);
      if (same) same.push(unit);
      else lookup!.byId.set(unit.id, [unit]);
    });
  }
  lookups.set(document, lookup);
  return lookup;
}

/** The innermost unit whose range contains `offset` (ends inclusive, so a cursor just after the text counts). */
export function findUnitAt(document: PromptDocument, offset: number): PolicyUnit | undefined {
  let best: PolicyUnit | undefined;
  for (const agent of document.agents) {
    for (const unit of agent.units) {
      const { start, end } = unit.range;
      if (offset < start.offset || offset > end.offset) continue;
      if (!best || end.offset - start.offset < best.range.end.offset - best.range.start.offset) best = unit;
    }
  }
  return best;
}

/**
 * The unit with this id. Ids are meant to be unique per document, but two identical rules in one
 * section may share one; `nearLine` then picks the occurrence the caller was looking at.
 */
export function findUnitById(document: PromptDocument, id: string, nearLine?: number): PolicyUnit | undefined {
  const candidates = lookupOf(document).byId.get(id);
  if (!candidates) return undefined;
  if (nearLine === undefined || candidates.length === 1) return candidates[0];
  let best = candidates[0]!;
  for (const unit of candidates) if (Math.abs(unit.range.start.line - nearLine) < Math.abs(best.range.start.line - nearLine)) best = unit;
  return best;
}

const KIND_LABELS: Record<PolicyUnit['kind'], string> = {
  bullet: 'bullet',
  numbered: 'numbered item',
  paragraph: 'paragraph',
  'yaml-item': 'YAML item',
  xml: 'XML block',
  'table-row': 'table row',
  sentence: 'sentence',
  line: 'line',
  role: 'role statement',
  context: 'context',
};

export function unitKindLabel(kind: PolicyUnit['kind']): string {
  return KIND_LABELS[kind];
}

/** "Role › Constraints" or a note that the unit sits outside every section. */
export function sectionLabel(unit: PolicyUnit): string {
  return unit.sectionPath.length > 0 ? unit.sectionPath.join(' › ') : '(top level)';
}

/** The unit's first line, shortened for one-line lists. */
export function unitSummary(unit: PolicyUnit, maxLength = 90): string {
  const firstLine = unit.text.split(/\r?\n/, 1)[0].trim();
  const more = firstLine.length < unit.text.trim().length;
  if (firstLine.length <= maxLength) return more ? `${firstLine} …` : firstLine;
  return `${firstLine.slice(0, maxLength - 1).trimEnd()}…`;
}
