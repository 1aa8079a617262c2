/**
 * Suggestion ids are a hash of the edit itself (operation, agent, file, target or anchor, and the
 * normalised new text), so the same edit proposed in two rounds, two runs or by two methods gets
 * the same id, and `truce apply <id>` names one edit unambiguously.
 */
import { createHash } from 'node:crypto';
import { normalizeRuleText, type UnitEdit } from '../units';

export function suggestionId(edit: UnitEdit, file: string): string {
  const material = [
    'truce-suggestion/1',
    edit.op,
    edit.agentId,
    file.replace(/\\/g, '/'),
    edit.op === 'ADD' ? '' : (edit.targetUnitId ?? ''),
    edit.op === 'ADD' ? (edit.anchorUnitId ?? '') : '',
    normalizeRuleText(edit.newText ?? ''),
  ].join('\u0000');
  return `s-${createHash('sha256').update(material).digest('hex').slice(0, 12)}`;
}
