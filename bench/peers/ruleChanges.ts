/**
 * Precision measured the same way for every optimizer, from the rule lists alone: compare each
 * agent's final rules with its starting rules (as normalised text). Every rule added and every
 * rule removed is one change; a change is a fix when it adds a rule covering a skill planted as
 * missing from that agent, or removes a rule planted as harmful in that agent. A rewording counts
 * as one removal plus one addition. Peers do not report edits, only final instructions, so this
 * is the only precision that can be put side by side; for ours the bench also reports the
 * per-accepted-edit precision of bench/sim/figures.ts.
 */
import { normalizeText, type World } from '../../test/support/sim';

export interface RuleChangeFigures {
  added: number;
  removed: number;
  fixing: number;
  /** null when the optimizer changed no rule. */
  precision: number | null;
}

export function ruleChanges(world: World, start: Readonly<Record<string, readonly string[]>>, final: Readonly<Record<string, readonly string[]>>): RuleChangeFigures {
  const { missing, harmful } = world.scenario.planted;
  let added = 0;
  let removed = 0;
  let fixing = 0;
  for (const agent of world.agents) {
    const before = new Set((start[agent] ?? []).map(normalizeText));
    const after = new Set((final[agent] ?? []).map(normalizeText));
    for (const rule of final[agent] ?? []) {
      if (before.has(normalizeText(rule))) continue;
      added++;
      if (missing.some((m) => m.agent === agent && world.covers(rule, world.skill(m.skill)))) fixing++;
    }
    for (const rule of start[agent] ?? []) {
      if (after.has(normalizeText(rule))) continue;
      removed++;
      if (harmful.some((h) => h.agent === agent && world.harmfulIn(agent, rule).length > 0)) fixing++;
    }
  }
  const changes = added + removed;
  return { added, removed, fixing, precision: changes ? fixing / changes : null };
}

/** The rule list of a prompt file ("- " lines after "## Rules"). */
export function rulesOfPromptFile(text: string): string[] {
  const at = text.indexOf('## Rules');
  return (at >= 0 ? text.slice(at) : text)
    .split('\n')
    .filter((l) => l.startsWith('- '))
    .map((l) => l.slice(2).trim());
}
