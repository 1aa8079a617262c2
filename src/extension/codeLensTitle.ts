import type { UnitPlacement } from './unitQueries';
import { unitKindLabel } from './unitQueries';

/**
 * What a unit's CodeLens says, e.g. `Rule 3/12 · bullet · $(lock) locked`, or with the agent in
 * front when several agents of the file have rules: `skeptic · Rule 2/5 · YAML item`.
 *
 * The input is an object so further facts about a unit (credit, pending suggestions) can join it
 * without touching the callers that do not have them.
 */
export function codeLensTitle(placement: UnitPlacement): string {
  const parts: string[] = [];
  if (placement.multiAgent) parts.push(placement.agent.id);
  parts.push(`Rule ${placement.ordinal}/${placement.count}`);
  parts.push(unitKindLabel(placement.unit.kind));
  if (placement.unit.locked) parts.push('$(lock) locked');
  return parts.join(' · ');
}

/** The lens tooltip: the full section path and what clicking does. */
export function codeLensTooltip(placement: UnitPlacement): string {
  const section = placement.unit.sectionPath.join(' › ');
  const where = section ? `${placement.agent.id} › ${section}` : placement.agent.id;
  return `${where}\nClick to select this rule and show its id, variables and lock state.`;
}
