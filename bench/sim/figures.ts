/**
 * The benchmark figures of one optimize run in the simulation world: which planted defects the
 * final prompt set no longer has (recall), and which accepted edits were fixes of planted defects
 * (precision). Pure functions over the world and the optimizer's recorded outputs.
 */
import type { World } from '../../test/support/sim';

export interface EditLike {
  op: 'ADD' | 'MODIFY' | 'DELETE';
  agentId: string;
  oldText?: string;
  newText?: string;
}

/** Whether an edit removes one of the planted defects. */
export function fixesPlantedDefect(world: World, edit: EditLike): boolean {
  const { missing, harmful } = world.scenario.planted;
  if (edit.op === 'ADD' || edit.op === 'MODIFY') {
    const addsSkill = missing.some((m) => m.agent === edit.agentId && edit.newText !== undefined && world.covers(edit.newText, world.skill(m.skill)));
    if (addsSkill) return true;
  }
  if ((edit.op === 'DELETE' || edit.op === 'MODIFY') && edit.oldText !== undefined) {
    const removesHarm = harmful.some((h) => h.agent === edit.agentId && world.harmfulIn(h.agent, edit.oldText as string).length > 0);
    if (removesHarm && !(edit.newText !== undefined && world.harmfulIn(edit.agentId, edit.newText).length > 0)) return true;
  }
  return false;
}

export interface DefectReport {
  recall: number;
  fixed: string[];
  remaining: string[];
}

/** Recall over the planted defects, given the final system prompt (or prompt file text) of every agent. */
export function defectRecall(world: World, prompts: Readonly<Record<string, string>>): DefectReport {
  const remaining = world.remainingDefects(prompts);
  const label = {
    missing: (m: { agent: string; skill: string }) => `missing ${m.skill} in ${m.agent}`,
    harmful: (h: { agent: string; text: string }) => `harmful "${h.text}" in ${h.agent}`,
  };
  const remainingLabels = [...remaining.missing.map(label.missing), ...remaining.harmful.map(label.harmful)];
  const all = [...world.scenario.planted.missing.map(label.missing), ...world.scenario.planted.harmful.map(label.harmful)];
  const fixed = all.filter((l) => !remainingLabels.includes(l));
  return { recall: all.length ? fixed.length / all.length : 1, fixed, remaining: remainingLabels };
}

export function editPrecision(world: World, accepted: readonly EditLike[]): { precision: number | null; fixing: number } {
  const fixing = accepted.filter((e) => fixesPlantedDefect(world, e)).length;
  return { precision: accepted.length ? fixing / accepted.length : null, fixing };
}
