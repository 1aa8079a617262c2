/**
 * Writing rule text the way the file already writes rules: the same list marker and numbering
 * style, the same indentation for continuation lines, the same YAML quoting (upgraded to double
 * quotes only when a plain scalar would change meaning).
 */
import type { LineIndex } from '../lineIndex';
import type { PolicyUnit } from '../types';
import type { TextEdit } from './textEdit';

/** The text that replaces a unit's range. */
export function formatReplacement(file: LineIndex, unit: PolicyUnit, newText: string): TextEdit | { reason: string } {
  const eol = file.preferredEol();
  const { start, end } = unit.range;
  if (unit.kind === 'yaml-item') {
    // The range of a quoted scalar lies inside its quotes; a plain scalar that now needs quotes
    // gets them around the range, which had none.
    const style = unit.style.quote ?? 'plain';
    const inner = style === 'double' ? JSON.stringify(newText.replace(/\n/g, ' ')).slice(1, -1) : style === 'single' ? newText.replace(/\n/g, ' ').replace(/'/g, "''") : yamlScalar(newText.replace(/\n/g, ' '), 'plain');
    return { start: start.offset, end: end.offset, newText: inner };
  }
  if (unit.kind === 'table-row' || unit.kind === 'xml') {
    if (newText.includes('\n') && unit.kind === 'table-row') return { reason: 'A table row holds one line; give the new rule on a single line.' };
  }
  if (unit.kind === 'line' && newText.includes('\n')) return { reason: 'The rule is one line of a list or command block; give the new rule on a single line.' };
  // A sentence flows on in its paragraph: it is rewritten on one line.
  if (unit.kind === 'sentence') return { start: start.offset, end: end.offset, newText: oneLine(newText) };
  const lines = newText.split('\n');
  const cont = continuationIndent(file, unit);
  return { start: start.offset, end: end.offset, newText: lines.map((l, i) => (i === 0 ? l : `${cont}${l}`)).join(eol) };
}

/** The text inserted after `anchor.block.end` for a new unit written like `anchor`. */
export function formatNewUnit(file: LineIndex, anchor: PolicyUnit, newText: string, eol: string): { text: string } | { reason: string } {
  const { indent, marker } = anchor.style;
  switch (anchor.kind) {
    case 'bullet':
    case 'numbered': {
      const nextMarker = anchor.kind === 'numbered' ? nextNumber(marker) : marker;
      const cont = indent.replace(/[^\s>]/g, ' ') + ' '.repeat(nextMarker.length);
      return { text: `${eol}${indent}${nextMarker}${newText.split('\n').join(`${eol}${cont}`)}` };
    }
    case 'table-row':
      if (newText.includes('\n')) return { reason: 'A table row holds one line; give the new rule on a single line.' };
      return { text: `${eol}${indent}${marker}${newText}${tableClose(file, anchor)}` };
    case 'yaml-item': {
      if (!marker) return { reason: `The rule at line ${anchor.range.start.line + 1} is the value of a YAML key; TRUCE adds rules to lists, so turn it into a list (\`key:\\n  - rule\`) first.` };
      return { text: `${eol}${indent}${marker}${yamlScalar(newText.replace(/\n/g, ' '), anchor.style.quote ?? 'plain')}` };
    }
    case 'xml': {
      const line = file.lineText(anchor.range.start.line);
      const open = /^\s*(<([\w.:-]+)[^>]*>)/.exec(line);
      if (open && line.trimEnd().endsWith(`</${open[2]}>`)) return { text: `${eol}${indent}${open[1]}${newText.replace(/\n/g, ' ')}</${open[2]}>` };
      return { text: `${eol}${eol}${indent}${newText.split('\n').join(`${eol}${indent}`)}` };
    }
    case 'paragraph':
      return { text: `${eol}${eol}${indent}${newText.split('\n').join(`${eol}${indent}`)}` };
    case 'sentence':
      // After a sentence inside its block: before the next sentence, or at the end of the last.
      return { text: anchor.block.end > anchor.range.end.offset ? `${oneLine(newText)} ` : ` ${oneLine(newText)}` };
    case 'line':
      if (newText.includes('\n')) return { reason: 'The rule is one line of a list or command block; give the new rule on a single line.' };
      return { text: `${eol}${indent}${newText}` };
    case 'role':
    case 'context':
      return { reason: `The text at line ${anchor.range.start.line + 1} is ${anchor.kind === 'role' ? "the agent's role" : 'context'}, not a rule; anchor new rules on a rule.` };
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

/** A sentence rule that replaces or joins sentences must end like one, or it runs into the next. */
export function asSentence(text: string): string {
  return /[.!?:]["'”’)\]*_`]*$/.test(text) ? text : `${text}.`;
}

function continuationIndent(file: LineIndex, unit: PolicyUnit): string {
  if (unit.style.continuationIndent !== undefined) return unit.style.continuationIndent;
  const line = file.lineText(unit.range.start.line);
  const lead = line.slice(0, unit.range.start.character);
  // Under a list marker, continuation lines line up with the text; elsewhere with the indentation.
  return unit.kind === 'bullet' || unit.kind === 'numbered' ? lead.replace(/[^\s>]/g, ' ') : /^[\s>]*/.exec(lead)![0];
}

/** "3. " → "4. ", "09) " → "10) ": same delimiter and spacing, zero padding kept when it fits. */
function nextNumber(marker: string): string {
  const m = /^(\d+)([.)])(\s*)$/.exec(marker);
  if (!m) return marker;
  const n = String(Number(m[1]) + 1);
  return `${n.padStart(m[1].length, '0')}${m[2]}${m[3] || ' '}`;
}

function tableClose(file: LineIndex, anchor: PolicyUnit): string {
  const line = file.lineText(anchor.range.end.line);
  return line.slice(anchor.range.end.character).trimEnd();
}

/** A YAML scalar for `text` in the requested style, quoted when plain would misread. */
export function yamlScalar(text: string, style: 'plain' | 'single' | 'double' | 'block'): string {
  if (style === 'single' && !/\n/.test(text)) return `'${text.replace(/'/g, "''")}'`;
  if (style === 'plain' && isSafePlain(text)) return text;
  return JSON.stringify(text);
}

function isSafePlain(text: string): boolean {
  if (!text || text !== text.trim()) return false;
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(text)) return false;
  if (/: |\s#|:$|\n/.test(text)) return false;
  if (/^(true|false|yes|no|on|off|null|~|[-+]?\d[\d_.eE+-]*)$/i.test(text)) return false;
  return true;
}
