/**
 * Unit edits (ADD / MODIFY / DELETE) turned into text edits that touch only the target unit's
 * bytes (plus the marker, indentation and quoting a new item needs), refused with a reason when
 * the unit is locked or no longer says what the edit expects, and verified by re-parsing.
 */
import { LineIndex } from '../lineIndex';
import { parsePromptDocument, type ParseOptions } from '../parsePromptDocument';
import type { AgentPrompt, PolicyUnit, PromptDocument } from '../types';
import { findProtectedSpans, protectedSpanAt, PROTECT_CLOSE, PROTECT_OPEN } from '../protectedSpans';
import { normalizeRuleText } from '../unitId';
import { asSentence, formatNewUnit, formatReplacement } from './formatUnitText';

export type UnitEditOp = 'ADD' | 'MODIFY' | 'DELETE';

export interface UnitEdit {
  op: UnitEditOp;
  agentId: string;
  /** MODIFY/DELETE: the unit to change. */
  targetUnitId?: string;
  /** ADD: the unit after which the new one goes; absent = after the agent's last unit. */
  anchorUnitId?: string;
  /** The target's text when the edit was proposed; a different current text makes it stale. */
  oldText?: string;
  newText?: string;
}

import type { TextEdit } from './textEdit';

export type { TextEdit };

export type EditRefusal = 'not-found' | 'locked' | 'stale' | 'invalid' | 'verify-failed';

export type PlannedEdit =
  | { ok: true; edits: TextEdit[]; text: string; document: PromptDocument; unitId?: string }
  | { ok: false; code: EditRefusal; reason: string };

const refuse = (code: EditRefusal, reason: string): PlannedEdit => ({ ok: false, code, reason });

export function applyTextEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

/** A suggested text may arrive with a list marker or surrounding quotes; the unit text has neither. */
export function cleanRuleText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .trim()
    .replace(/^(?:[-*+]|\d{1,9}[.)])\s+/, '')
    .trim();
}

/** `parse` must be the options `doc` was parsed with (the re-parse that verifies uses them). */
export function planUnitEdit(text: string, doc: PromptDocument, edit: UnitEdit, parse: ParseOptions = { uri: doc.uri, format: doc.format }): PlannedEdit {
  const agent = doc.agents.find((a) => a.id === edit.agentId);
  if (!agent) return refuse('not-found', `There is no agent "${edit.agentId}" in ${doc.uri}.`);
  const file = new LineIndex(text);
  let edits: TextEdit[];
  let expectText: string | undefined;

  if (edit.op === 'ADD') {
    let newText = cleanRuleText(edit.newText ?? '');
    if (!newText) return refuse('invalid', 'An ADD edit needs the text of the new rule.');
    // Without an anchor the rule goes after the last rule a new one may follow: not into a protected span.
    const anchor = edit.anchorUnitId ? agent.units.find((u) => u.id === edit.anchorUnitId) : ([...agent.units].reverse().find((u) => !u.protectedSpan) ?? agent.units[agent.units.length - 1]);
    if (edit.anchorUnitId && !anchor) return refuse('stale', `The rule this edit was to follow (${edit.anchorUnitId}) is no longer in ${agent.id}; re-run credit to get a fresh suggestion.`);
    if (anchor?.kind === 'sentence') newText = asSentence(newText.replace(/\s*\n\s*/g, ' '));
    const planned = planAdd(file, doc, agent, anchor, newText);
    if ('reason' in planned) return refuse('invalid', planned.reason);
    const inside = protectedSpanAt(findProtectedSpans(file).spans, planned.start);
    if (inside) {
      return refuse('locked', `The new rule would go inside the ${PROTECT_OPEN} … ${PROTECT_CLOSE} span of lines ${inside.openLine + 1}–${inside.closeLine + 1}, which TRUCE never changes; add it after another rule, or move the tags.`);
    }
    edits = [planned];
    expectText = newText;
  } else {
    const target = agent.units.find((u) => u.id === edit.targetUnitId);
    if (!target) return refuse('stale', `The rule ${edit.targetUnitId ?? '(none given)'} is no longer in ${agent.id}: it was edited or removed since the suggestion was made.`);
    if (target.protectedSpan) {
      const { openLine, closeLine } = target.protectedSpan;
      return refuse('locked', `The rule at line ${target.range.start.line + 1} is inside the ${PROTECT_OPEN} … ${PROTECT_CLOSE} span of lines ${openLine + 1}–${closeLine + 1}; move it out of the span to allow edits.`);
    }
    if (target.locked) return refuse('locked', `The rule at line ${target.range.start.line + 1} is locked (truce:lock); remove the lock comment to allow edits.`);
    if (edit.oldText !== undefined && normalizeRuleText(edit.oldText) !== normalizeRuleText(target.text)) {
      return refuse('stale', `The rule at line ${target.range.start.line + 1} changed since the suggestion was made; it now reads "${short(target.text)}".`);
    }
    if (edit.op === 'MODIFY') {
      let newText = cleanRuleText(edit.newText ?? '');
      if (!newText) return refuse('invalid', 'A MODIFY edit needs the new text; to remove the rule use DELETE.');
      if (target.kind === 'sentence') newText = asSentence(newText.replace(/\s*\n\s*/g, ' '));
      if (normalizeRuleText(newText) === normalizeRuleText(target.text)) return refuse('invalid', 'The new text says the same as the current rule.');
      const replacement = formatReplacement(file, target, newText);
      if ('reason' in replacement) return refuse('invalid', replacement.reason);
      edits = [replacement];
      expectText = newText;
    } else {
      edits = [planDelete(file, target)];
    }
  }

  const next = applyTextEdits(text, edits);
  const reparsed = parsePromptDocument(next, { ...parse, format: doc.format });
  const problem = verify(doc, reparsed, edit, expectText);
  if (problem) return refuse('verify-failed', `The edit was not applied because re-reading the file gave an unexpected result: ${problem}`);
  const newAgent = reparsed.agents.find((a) => a.id === agent.id);
  const unitId = expectText ? (newAgent?.units.find((u) => normalizeRuleText(u.text) === normalizeRuleText(expectText!)) ?? newUnitsOf(doc, reparsed, agent.id)[0])?.id : undefined;
  return { ok: true, edits, text: next, document: reparsed, unitId };
}

function planAdd(file: LineIndex, doc: PromptDocument, agent: AgentPrompt, anchor: PolicyUnit | undefined, newText: string): TextEdit | { reason: string } {
  const eol = file.preferredEol();
  if (!anchor) {
    if (doc.format === 'yaml') return { reason: `Agent ${agent.id} has no rules yet; add a first rule by hand so TRUCE can follow its layout.` };
    // An agent without rules gets a bullet list at the end of its part of the file.
    const at = agent.range.end.offset;
    const before = file.text.slice(0, at);
    const gap = before.endsWith(`${eol}${eol}`) || before.length === 0 ? '' : before.endsWith(eol) ? eol : `${eol}${eol}`;
    return { start: at, end: at, newText: `${gap}- ${newText.replace(/\n/g, `${eol}  `)}${eol}` };
  }
  const formatted = formatNewUnit(file, anchor, newText, eol);
  if ('reason' in formatted) return formatted;
  return { start: anchor.block.end, end: anchor.block.end, newText: formatted.text };
}

function planDelete(file: LineIndex, target: PolicyUnit): TextEdit {
  const start = file.positionAt(target.block.start);
  const end = file.positionAt(target.block.end);
  const firstLine = file.lineText(start.line);
  const ownsLines = !firstLine.slice(0, start.character).trim() && !file.lineText(end.line).slice(end.character).trim();
  if (!ownsLines) return { start: target.block.start, end: target.block.end, newText: '' };
  // A byte-order mark at the start of the file stays: it is not part of the first line's text.
  let from = Math.max(file.starts[start.line], file.bom);
  let to = file.starts[end.line + 1] ?? file.text.length;
  const blankBefore = start.line > 0 && !file.lineText(start.line - 1).trim();
  const blankAfter = end.line + 1 < file.lineCount && !file.lineText(end.line + 1).trim();
  // A paragraph sits between blank lines: take one of them along so no double gap is left.
  if (blankBefore && blankAfter) to = file.starts[end.line + 2] ?? file.text.length;
  if (to === file.text.length && end.line + 1 >= file.lineCount && start.line > 0) {
    // Last line of the file: remove the line break before it instead of leaving a dangling one.
    from = file.ends[start.line - 1];
    to = file.text.length;
  }
  return { start: from, end: to, newText: '' };
}

/** Rules and set-aside text alike: an edit must leave both as the edit implies. */
function texts(agent: AgentPrompt | undefined): string[] {
  return [...(agent?.units ?? []), ...(agent?.context ?? [])].map((u) => normalizeRuleText(u.text)).sort();
}

/** Units of `agentId` in `after` whose text `before` did not have (as many times), in file order. */
function newUnitsOf(before: PromptDocument, after: PromptDocument, agentId: string): PolicyUnit[] {
  const left = new Map<string, number>();
  for (const t of texts(before.agents.find((a) => a.id === agentId))) left.set(t, (left.get(t) ?? 0) + 1);
  const out: PolicyUnit[] = [];
  for (const u of after.agents.find((a) => a.id === agentId)?.units ?? []) {
    const t = normalizeRuleText(u.text);
    const n = left.get(t) ?? 0;
    if (n > 0) left.set(t, n - 1);
    else out.push(u);
  }
  return out;
}

function verify(before: PromptDocument, after: PromptDocument, edit: UnitEdit, expectText?: string): string | undefined {
  if (after.errors.length > before.errors.length) return after.errors[after.errors.length - 1].message;
  for (const a of before.agents) {
    if (a.id === edit.agentId) continue;
    const other = after.agents.find((x) => x.id === a.id);
    if (texts(a).join('\u0000') !== texts(other).join('\u0000')) return `the rules of agent ${a.id} changed too.`;
  }
  const now = texts(after.agents.find((a) => a.id === edit.agentId));
  const expected = texts(before.agents.find((a) => a.id === edit.agentId));
  if (edit.op !== 'ADD') {
    const target = before.agents.find((a) => a.id === edit.agentId)!.units.find((u) => u.id === edit.targetUnitId)!;
    expected.splice(expected.indexOf(normalizeRuleText(target.text)), 1);
  }
  // What is in `now` beyond `expected` must be the new text: one unit, or the sentences it reads as.
  const rest = new Map<string, number>();
  for (const t of now) rest.set(t, (rest.get(t) ?? 0) + 1);
  const missing: string[] = [];
  for (const t of expected) {
    const n = rest.get(t) ?? 0;
    if (n > 0) rest.set(t, n - 1);
    else missing.push(t);
  }
  const extra = [...rest].flatMap(([t, n]) => Array<string>(n).fill(t));
  if (missing.length) return `expected rule "${short(missing[0])}" is missing.`;
  if (!expectText) return extra.length ? `unexpected rule "${short(extra[0])}" appeared.` : undefined;
  const want = normalizeRuleText(expectText);
  if (extra.length === 0) return `expected rule "${short(want)}" is missing.`;
  // Several new units: together (in any order of reading) they must make up exactly the new text.
  const covered = extra.reduce((n, t) => n + (want.includes(t) ? t.length : Number.NaN), 0);
  if (Number.isNaN(covered) || covered + extra.length - 1 !== want.length) return extra.length === 1 ? `unexpected rule "${short(extra[0])}" appeared.` : 'the number of rules is not what the edit implies.';
  return undefined;
}

function short(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 80 ? `${one.slice(0, 79)}…` : one;
}
