/**
 * A run's findings as a SARIF 2.1.0 log, so GitHub code scanning and other CI tools show them on
 * the prompt files: every rule the run's credit blames, and every suggestion still open (not
 * applied, not rejected in review). Regions are the rules' exact source ranges; a suggestion whose
 * replacement text is known carries it as a SARIF fix. Pure: the caller reads the files and the run.
 *
 * SARIF lines and columns are 1-based, and columns are counted in UTF-16 code units (declared in
 * `columnKind`), which is what a PolicyUnit's 0-based `character` counts: no conversion beyond +1.
 */
import { smallestReplacement } from '../editor/planInText';
import { suggestionUnitId, type RunView, type UnitCredit } from '../editor/runView';
import type { Suggestion } from '../credit/types';
import { locateUnit, type PolicyUnit, type PromptDocument, type Range } from '../units';
import { LineIndex } from '../units/lineIndex';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SARIF_VERSION = '2.1.0';
/** The base every artifact URI is relative to: the workspace folder (the one holding truce.yaml). */
export const WORKSPACE_BASE_ID = '%SRCROOT%';

export type SarifLevel = 'error' | 'warning' | 'note' | 'none';

/** One prompt file as it is now, parsed, with the text its fixes are computed against. */
export interface SarifPromptFile {
  /** Workspace-relative, '/' separated. */
  file: string;
  text: string;
  document: PromptDocument;
}

/** What planning a suggestion against today's text gave (planSuggestionInText). */
export type PlannedFix = { ok: true; after: string } | { ok: false; reason: string };

export interface SarifInput {
  view: RunView;
  files: readonly SarifPromptFile[];
  /** Suggestion id → the file text after applying it, or why it cannot be applied now. */
  fixes: ReadonlyMap<string, PlannedFix>;
  toolVersion: string;
  /** `file://` URI of the workspace folder, with a trailing slash; omitted when unknown. */
  workspaceUri?: string;
}

interface RuleDescriptor {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  defaultConfiguration: { level: SarifLevel };
  help: { text: string };
}

const RULES: readonly RuleDescriptor[] = [
  {
    id: 'TRUCE1001',
    name: 'BlamedPromptRule',
    shortDescription: { text: 'Prompt rule blamed by credit assignment' },
    fullDescription: { text: 'Credit assignment over the run\'s trajectories found that this rule of an agent\'s prompt hurt the outcome on more tasks than it helped.' },
    defaultConfiguration: { level: 'warning' },
    help: { text: 'Read the evidence with `truce credit <run>` or in the editor\'s hover, then edit or remove the rule, or review the suggestions TRUCE made for it.' },
  },
  {
    id: 'TRUCE2001',
    name: 'ModifyPromptRule',
    shortDescription: { text: 'Suggested rewrite of a prompt rule' },
    fullDescription: { text: 'TRUCE proposes to rewrite this rule; the proposal is pooled across the tasks that support it.' },
    defaultConfiguration: { level: 'warning' },
    help: { text: 'Apply it with `truce apply <suggestion-id> --run <run>` or the editor\'s quick fix.' },
  },
  {
    id: 'TRUCE2002',
    name: 'DeletePromptRule',
    shortDescription: { text: 'Suggested removal of a prompt rule' },
    fullDescription: { text: 'TRUCE proposes to delete this rule; the proposal is pooled across the tasks that support it.' },
    defaultConfiguration: { level: 'warning' },
    help: { text: 'Apply it with `truce apply <suggestion-id> --run <run>` or the editor\'s quick fix.' },
  },
  {
    id: 'TRUCE2003',
    name: 'AddPromptRule',
    shortDescription: { text: 'Suggested new prompt rule after this one' },
    fullDescription: { text: 'TRUCE proposes to add a rule to this agent\'s prompt, right after the rule the result points at.' },
    defaultConfiguration: { level: 'note' },
    help: { text: 'Apply it with `truce apply <suggestion-id> --run <run>` or the editor\'s quick fix.' },
  },
  {
    id: 'TRUCE2900',
    name: 'StaleSuggestion',
    shortDescription: { text: 'Suggestion whose target rule has changed' },
    fullDescription: { text: 'The rule this suggestion was made for was edited or removed since the run, so it is not applied as proposed.' },
    defaultConfiguration: { level: 'note' },
    help: { text: 'Run the MAS and `truce suggest` again on the current prompts for fresh suggestions.' },
  },
];

const RULE_INDEX = new Map(RULES.map((r, i) => [r.id, i]));
const OP_RULE = { MODIFY: 'TRUCE2001', DELETE: 'TRUCE2002', ADD: 'TRUCE2003' } as const;

export interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

/** A 0-based, end-exclusive unit range as a SARIF region (1-based lines and columns, end column exclusive). */
export function sarifRegion(range: Range): SarifRegion {
  return { startLine: range.start.line + 1, startColumn: range.start.character + 1, endLine: range.end.line + 1, endColumn: range.end.character + 1 };
}

function regionOfOffsets(index: LineIndex, start: number, end: number): SarifRegion {
  const from = index.positionAt(start);
  const to = index.positionAt(end);
  return sarifRegion({ start: from, end: to });
}

function artifact(file: string): { uri: string; uriBaseId: string } {
  return { uri: relativeFileUri(file), uriBaseId: WORKSPACE_BASE_ID };
}

/**
 * A workspace-relative file path as a relative URI reference. Each segment is escaped on its own:
 * encodeURI leaves '#' and '?' as they are, so a folder named 'C#' ended the path there and the
 * rest was read as a fragment.
 */
export function relativeFileUri(file: string): string {
  return file.replace(/\\/g, '/').split('/').map(encodeURIComponent).join('/');
}

interface Found {
  file: SarifPromptFile;
  unit: PolicyUnit;
}

/** A credited unit by its id in any prompt file (ids embed the agent and the rule text, so they are unique). */
function unitById(files: readonly SarifPromptFile[], unitId: string): Found | undefined {
  for (const file of files) {
    for (const agent of file.document.agents) {
      const unit = agent.units.find((u) => u.id === unitId);
      if (unit) return { file, unit };
    }
  }
  return undefined;
}

/** Where a suggestion is shown: its target rule (found again by text if it moved), or for an ADD the rule it follows. */
function placeSuggestion(files: readonly SarifPromptFile[], s: Suggestion): { found: Found; stale?: string } | undefined {
  const file = files.find((f) => f.file === s.file.replace(/\\/g, '/'));
  if (!file) return undefined;
  const units = file.document.agents.flatMap((a) => a.units);
  if (s.edit.op === 'ADD') {
    const anchorId = suggestionUnitId(s);
    const agent = file.document.agents.find((a) => a.id === s.edit.agentId) ?? file.document.agents.find((a) => a.units.length > 0);
    const anchor = anchorId ? units.find((u) => u.id === anchorId) : agent?.units.at(-1);
    if (anchor) return { found: { file, unit: anchor } };
    const last = agent?.units.at(-1);
    return last ? { found: { file, unit: last }, stale: `the rule it was to follow (${anchorId}) is no longer in the file` } : undefined;
  }
  if (!s.edit.targetUnitId || s.edit.oldText === undefined) return undefined;
  for (const agent of [s.edit.agentId, ...file.document.agents.map((a) => a.id)]) {
    const location = locateUnit(file.document, { id: s.edit.targetUnitId, agentId: agent, text: s.edit.oldText });
    if (location.status === 'gone') continue;
    return location.status === 'changed' ? { found: { file, unit: location.unit }, stale: 'the rule was edited since the suggestion was made' } : { found: { file, unit: location.unit } };
  }
  return undefined;
}

function percent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function blamedMessage(credit: UnitCredit, unit: PolicyUnit): string {
  const worst = [...credit.signals].sort((a, b) => a.score - b.score)[0];
  const why = worst?.text ? ` ${worst.text.replace(/\s+/g, ' ').trim()}` : '';
  return `Rule "${clip(unit.text)}" was blamed in ${credit.blamedTasks} of ${credit.totalTasks} tasks (mean credit ${credit.meanScore.toFixed(2)}).${why}`;
}

function suggestionMessage(s: Suggestion, stale: string | undefined): string {
  const what = s.edit.op === 'ADD' ? `Add the rule "${clip(s.edit.newText ?? '')}" after this one` : s.edit.op === 'DELETE' ? 'Delete this rule' : `Rewrite this rule as "${clip(s.edit.newText ?? '')}"`;
  const support = `supported by ${percent(s.support)} of the sampled tasks (${s.tasks.length})`;
  const rationale = s.rationale ? ` ${s.rationale.replace(/\s+/g, ' ').trim()}` : '';
  const staleNote = stale ? ` Stale: ${stale}; it is not applied as proposed.` : '';
  return `${what}: ${support}.${rationale}${staleNote} (suggestion ${s.id})`;
}

function clip(text: string, width = 100): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > width ? `${one.slice(0, width - 1)}…` : one;
}

export function buildSarifLog(input: SarifInput): Record<string, unknown> {
  const results: Array<Record<string, unknown>> = [];
  const usedFiles = new Set<string>();
  const location = (found: Found) => {
    usedFiles.add(found.file.file);
    return { physicalLocation: { artifactLocation: artifact(found.file.file), region: sarifRegion(found.unit.range) } };
  };

  // Blamed rules, most blamed first; rules that changed since the run have another id and are not claimed.
  const blamed = [...input.view.credit.values()].filter((c) => c.meanScore < 0).sort((a, b) => a.meanScore - b.meanScore || a.unitId.localeCompare(b.unitId));
  for (const credit of blamed) {
    const found = unitById(input.files, credit.unitId);
    if (!found) continue;
    results.push({
      ruleId: 'TRUCE1001',
      ruleIndex: RULE_INDEX.get('TRUCE1001'),
      level: credit.blamedTasks * 2 > credit.totalTasks ? 'warning' : 'note',
      message: { text: blamedMessage(credit, found.unit) },
      locations: [location(found)],
      partialFingerprints: { 'truceUnit/v1': credit.unitId },
      properties: { unitId: credit.unitId, agentId: found.unit.agentId, meanCredit: credit.meanScore, blamedTasks: credit.blamedTasks, totalTasks: credit.totalTasks, runId: input.view.runId },
    });
  }

  for (const s of input.view.pending) {
    const placed = placeSuggestion(input.files, s);
    if (!placed) continue;
    const fix = input.fixes.get(s.id);
    const stale = placed.stale ?? (fix && !fix.ok ? fix.reason : undefined);
    const ruleId = stale ? 'TRUCE2900' : OP_RULE[s.edit.op];
    const result: Record<string, unknown> = {
      ruleId,
      ruleIndex: RULE_INDEX.get(ruleId),
      level: stale ? 'note' : s.edit.op === 'ADD' ? 'note' : 'warning',
      message: { text: suggestionMessage(s, stale) },
      locations: [location(placed.found)],
      partialFingerprints: { 'truceSuggestion/v1': s.id },
      properties: { suggestionId: s.id, op: s.edit.op, agentId: s.edit.agentId, support: s.support, credit: s.credit, tasks: s.tasks, method: s.method, status: s.status, runId: input.view.runId },
    };
    if (!stale && fix?.ok) {
      const index = new LineIndex(placed.found.file.text);
      const edit = smallestReplacement(placed.found.file.text, fix.after);
      result.fixes = [
        {
          description: { text: s.edit.op === 'ADD' ? 'Add the suggested rule' : s.edit.op === 'DELETE' ? 'Delete the rule' : 'Rewrite the rule as suggested' },
          artifactChanges: [
            {
              artifactLocation: artifact(placed.found.file.file),
              replacements: [{ deletedRegion: regionOfOffsets(index, edit.start, edit.end), insertedContent: { text: edit.newText } }],
            },
          ],
        },
      ];
    }
    results.push(result);
  }

  const run: Record<string, unknown> = {
    tool: {
      driver: {
        name: 'TRUCE',
        fullName: 'TRUCE prompt-rule credit and suggestions',
        version: input.toolVersion,
        semanticVersion: /^\d+\.\d+\.\d+/.test(input.toolVersion) ? input.toolVersion : undefined,
        rules: RULES,
      },
    },
    automationDetails: { id: `truce/${input.view.runId}` },
    columnKind: 'utf16CodeUnits',
    artifacts: [...usedFiles].sort().map((file) => ({ location: artifact(file), mimeType: 'text/plain' })),
    results,
    properties: { runId: input.view.runId, runKind: input.view.kind, problems: [...input.view.problems] },
  };
  if (input.workspaceUri) run.originalUriBaseIds = { [WORKSPACE_BASE_ID]: { uri: input.workspaceUri } };
  return JSON.parse(JSON.stringify({ $schema: SARIF_SCHEMA_URI, version: SARIF_VERSION, runs: [run] })) as Record<string, unknown>;
}
