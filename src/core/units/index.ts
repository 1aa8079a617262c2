/** Public API of policy units: parsing, ids, re-anchoring and edits. */
export * from './types';
export { parsePromptDocument, type ParseOptions } from './parsePromptDocument';
export { detectFormat, agentIdFromPath } from './detectFormat';
export { normalizeRuleText } from './unitId';
export { LOCK_MARKER } from './locks';
export { findProtectedSpans, PROTECT_OPEN, PROTECT_CLOSE, type ProtectedSpan } from './protectedSpans';
import type { PolicyUnit, PromptDocument } from './types';

export function allUnits(doc: PromptDocument): PolicyUnit[] {
  return doc.agents.flatMap((a) => a.units);
}
export { locateUnit, CHANGED_THRESHOLD, type UnitRef, type UnitLocation } from './locateUnit';
export { textSimilarity } from './similarity';
export { successorsOf } from './successors';
export { planUnitEdit, applyTextEdits, cleanRuleText, type UnitEdit, type UnitEditOp, type TextEdit, type PlannedEdit, type EditRefusal } from './edits/planUnitEdit';
