import type { UnitInsight } from './suggestions/unitInsights';
import type { UnitPlacement } from './unitQueries';
import { unitKindLabel } from './unitQueries';

/**
 * What a unit's CodeLens says. Without run data: `Rule 3/12 · bullet · $(lock) locked`, with the
 * agent in front when several agents of the file have rules (`skeptic · Rule 2/5 · YAML item`).
 * With credit from the selected run, the credit leads, because that is what the user scans for:
 * `▼ −0.42 · blamed in 4/5 tasks · 2 suggestions`, `▲ +0.31 · credited in 3/5 tasks`, and
 * `· changed since run` once the rule's text differs from the text the run judged.
 */
export function codeLensTitle(placement: UnitPlacement, insight?: UnitInsight): string {
  const parts: string[] = [];
  if (placement.multiAgent) parts.push(placement.agent.id);
  const credit = insight?.credit;
  if (credit) {
    parts.push(`${credit.meanScore < 0 ? '▼' : credit.meanScore > 0 ? '▲' : '●'} ${signed(credit.meanScore)}`);
    parts.push(credit.meanScore < 0 ? `blamed in ${credit.blamedTasks}/${credit.totalTasks} tasks` : `credited in ${credit.creditedTasks}/${credit.totalTasks} tasks`);
  } else {
    parts.push(`Rule ${placement.ordinal}/${placement.count}`);
    parts.push(unitKindLabel(placement.unit.kind));
  }
  const suggestions = insight?.suggestions.length ?? 0;
  if (suggestions > 0) parts.push(`${suggestions} suggestion${suggestions === 1 ? '' : 's'}`);
  if (insight?.changedSinceRun) parts.push('changed since run');
  if (placement.unit.locked) parts.push('$(lock) locked');
  return parts.join(' · ');
}

/** The lens tooltip: the full section path and what clicking does. */
export function codeLensTooltip(placement: UnitPlacement, insight?: UnitInsight): string {
  const section = placement.unit.sectionPath.join(' › ');
  const where = section ? `${placement.agent.id} › ${section}` : placement.agent.id;
  const rule = `Rule ${placement.ordinal}/${placement.count} · ${unitKindLabel(placement.unit.kind)}`;
  if (insight?.credit) return `${where} · ${rule}\nClick to see the evidence for this rule's credit.`;
  return `${where}\nClick to select this rule and show its id, variables and lock state.`;
}

/** `+0.31`, `−0.42` (a real minus sign, which lines up with the plus in proportional fonts). */
export function signed(value: number): string {
  const text = Math.abs(value).toFixed(2);
  return value < 0 && text !== '0.00' ? `−${text}` : `+${text}`;
}
