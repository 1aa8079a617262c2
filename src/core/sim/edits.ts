/**
 * The edits the simulated optimizer proposes: the right fix for a cause (ADD the missing skill's
 * rule after a real unit of the agent, DELETE the unit that holds a harmful rule), and the noise
 * a weak optimizer produces instead — a useless rule, another role's rule put in the wrong place,
 * a good rule deleted, or a good rule watered down.
 */
import type { Cause, ShownRule } from './evidence';
import { ruleHolding } from './evidence';
import { pick } from './random';
import { HERRINGS, USELESS_RULES, VAGUE_RULES, type World } from './world';

export interface SimEdit {
  op: 'ADD' | 'MODIFY' | 'DELETE';
  targetUnitId?: string;
  anchorUnitId?: string;
  newText?: string;
  rationale: string;
}

/** The fix for a cause of the agent, or undefined when the rules shown leave nothing to fix. */
export function fixFor(world: World, agent: string, cause: Cause, rules: readonly ShownRule[]): SimEdit | undefined {
  if (cause.type === 'harmful') {
    const unit = ruleHolding(rules, cause.text);
    return unit ? { op: 'DELETE', targetUnitId: unit.id, rationale: `The rule "${unit.text}" made ${agent} answer without the care the task needed.` } : undefined;
  }
  const skill = world.scenario.skills.find((s) => s.name === cause.skill);
  if (!skill || rules.some((r) => world.covers(r.text, skill))) return undefined;
  const anchor = rules[rules.length - 1];
  return {
    op: 'ADD',
    ...(anchor ? { anchorUnitId: anchor.id } : {}),
    newText: skill.rule,
    rationale: `${agent} skipped the ${skill.name} check the task needed; no rule of it asks for one.`,
  };
}

/** A plausible edit that does not fix anything (and may break something). */
export function noiseEdit(world: World, agent: string, rules: readonly ShownRule[], random: () => number): SimEdit {
  const misplaced = world.scenario.skills.filter((s) => s.owner !== agent && !rules.some((r) => world.covers(r.text, s)));
  const kinds: Array<() => SimEdit> = [
    () => ({
      op: 'ADD',
      ...(rules.length ? { anchorUnitId: pick(rules, random).id } : {}),
      newText: pick(USELESS_RULES, random),
      rationale: 'A clearer reply style should help the other agents.',
    }),
  ];
  if (misplaced.length) {
    kinds.push(() => ({
      op: 'ADD',
      ...(rules.length ? { anchorUnitId: pick(rules, random).id } : {}),
      newText: pick(misplaced, random).rule,
      rationale: 'More thorough checking would have avoided the mistake.',
    }));
  }
  if (rules.length) {
    kinds.push(() => {
      const unit = pick(rules, random);
      return { op: 'DELETE', targetUnitId: unit.id, rationale: 'This rule slows the agent down without helping.' };
    });
    kinds.push(() => {
      const unit = pick(rules, random);
      return { op: 'MODIFY', targetUnitId: unit.id, newText: pick(VAGUE_RULES, random), rationale: 'A shorter, more general wording covers more cases.' };
    });
  }
  return pick(kinds, random)();
}

/**
 * The edit of a reader who took a harmless lapse (noise.herring) for the cause: a rule asking for
 * what the agent said it skipped. It fixes nothing; undefined when the agent already has that rule.
 */
export function herringEdit(agent: string, lapse: string, rules: readonly ShownRule[]): SimEdit | undefined {
  const herring = HERRINGS.find((h) => h.lapse === lapse);
  if (!herring || rules.some((r) => r.text === herring.rule)) return undefined;
  const anchor = rules[rules.length - 1];
  return { op: 'ADD', ...(anchor ? { anchorUnitId: anchor.id } : {}), newText: herring.rule, rationale: `${agent} did not ${lapse}; no rule of it asks for that.` };
}
