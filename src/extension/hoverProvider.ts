import * as vscode from 'vscode';
import type { PolicyUnit } from '../core/units/types';
import { SHOW_UNIT_DETAILS_COMMAND } from './commandIds';
import { escapeMarkdown } from './escapeMarkdown';
import type { PromptDocumentIndex } from './documentIndex';
import { appendCreditHover, CREDIT_HOVER_COMMANDS } from './suggestions/creditHover';
import type { UnitInsights } from './suggestions/unitInsights';
import type { UnitPlacement } from './unitQueries';
import { findUnitAt, placeUnit, sectionLabel, toVscodeRange, unitKindLabel } from './unitQueries';

/**
 * Hovering a rule shows what TRUCE knows about it: id, agent, section, kind, variables, lock, and
 * — when a run has data on it — its credit in words, the evidence and the pending suggestions.
 */
export class UnitHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly index: PromptDocumentIndex,
    private readonly insights?: UnitInsights,
  ) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const parsed = this.index.get(document);
    if (!parsed) return undefined;
    const unit = findUnitAt(parsed, document.offsetAt(position));
    const placement = unit && placeUnit(parsed, unit);
    if (!placement) return undefined;
    const markdown = unitHoverMarkdown(document.uri, placement);
    const insight = this.insights?.unit(document, placement.unit.id);
    const run = this.insights?.workspaceRun.run;
    if (insight && run) appendCreditHover(markdown, document.uri, insight, run);
    return new vscode.Hover(markdown, toVscodeRange(placement.unit.range));
  }
}

export function unitHoverMarkdown(uri: vscode.Uri, placement: UnitPlacement): vscode.MarkdownString {
  const { unit, agent, ordinal, count } = placement;
  const markdown = new vscode.MarkdownString(undefined, true);
  // Trust only our own command, so the "Show details" link works and nothing else can run.
  markdown.isTrusted = { enabledCommands: [SHOW_UNIT_DETAILS_COMMAND, ...CREDIT_HOVER_COMMANDS] };
  markdown.appendMarkdown(`**TRUCE policy unit** · rule ${ordinal} of ${count} of agent ${inlineCode(agent.id)}\n\n`);
  markdown.appendMarkdown('| | |\n|---|---|\n');
  markdown.appendMarkdown(`| Section | ${escapeMarkdown(sectionLabel(unit))} |\n`);
  markdown.appendMarkdown(`| Kind | ${escapeMarkdown(unitKindLabel(unit.kind))} |\n`);
  markdown.appendMarkdown(`| Variables | ${variablesCell(unit)} |\n`);
  markdown.appendMarkdown(`| Locked | ${lockText(unit)} |\n`);
  markdown.appendMarkdown(`| Id | ${inlineCode(unit.id)} |\n\n`);
  const args = encodeURIComponent(JSON.stringify([uri.toString(), unit.id, unit.range.start.line]));
  markdown.appendMarkdown(`[Select rule and copy id…](command:${SHOW_UNIT_DETAILS_COMMAND}?${args})`);
  return markdown;
}

function variablesCell(unit: PolicyUnit): string {
  return unit.vars.length > 0 ? unit.vars.map(inlineCode).join(', ') : 'none';
}

/** A code span that survives backticks and table pipes inside the text. */
export function inlineCode(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const padded = text.startsWith('`') || text.endsWith('`') ? ` ${text} ` : text;
  return `${fence}${padded.replace(/\|/g, '\\|')}${fence}`;
}

/** Says where the lock comes from when it is a `<DONT_CHANGE>` span, whose extent is not visible at the rule. */
function lockText(unit: PolicyUnit): string {
  if (unit.protectedSpan) return `$(lock) yes: inside the \`<DONT_CHANGE>\` span of lines ${unit.protectedSpan.openLine + 1}–${unit.protectedSpan.closeLine + 1}; TRUCE never edits it`;
  return unit.locked ? '$(lock) yes: TRUCE never edits this rule' : 'no';
}
