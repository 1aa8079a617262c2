/**
 * What the simulated optimizer reads out of the text it is sent: the steps shown to it and what
 * went wrong in them (from the words the simulated agents write, see rollout.ts), the rules listed
 * with their ids, and blame statements made by an earlier credit reply (see optimizerReplies.ts).
 * Everything here parses the prompt formats of the credit methods (the prompts folder of each method under src/core/credit) and of the loop (src/core/optimize/prompts).
 */
import { normalizeText } from './world';

/** A reason a step went wrong: a check the agent skipped, or a harmful rule it followed. */
export type Cause = { type: 'missing'; agent: string; skill: string } | { type: 'harmful'; agent: string; text: string };

export function causeKey(c: Cause): string {
  return c.type === 'missing' ? `missing|${c.agent}|${c.skill}` : `harmful|${c.agent}|${normalizeText(c.text)}`;
}

/** The causes an agent's output shows, as written by rollout.ts. */
export function causesInOutput(agent: string, output: string): Cause[] {
  const causes: Cause[] = [];
  const skipped = /skipped ([a-z0-9-]+(?:, [a-z0-9-]+)*) \(no rule of mine/.exec(output);
  if (skipped) for (const skill of skipped[1].split(', ')) causes.push({ type: 'missing', agent, skill });
  for (const m of output.matchAll(/followed my rule "([^"]+)"/g)) causes.push({ type: 'harmful', agent, text: m[1] });
  return causes;
}

/** The harmless lapses (noise.herring) an agent's output admits: "Aside: I did not <lapse> (no rule…". */
export function herringsInOutput(output: string): string[] {
  return [...output.matchAll(/^Aside: I did not (.+?) \(no rule of mine/gm)].map((m) => m[1]);
}

export interface ShownStep {
  id: string;
  agent: string;
  round?: number;
  output: string;
}

/** Steps rendered as `<step id=… round=… agent=…>output</step>` (render.ts). */
export function stepsIn(text: string): ShownStep[] {
  const steps: ShownStep[] = [];
  for (const m of text.matchAll(/<step id="([^"]+)"(?: round="(\d+)")? agent="([^"]+)"[^>]*>\n?([\s\S]*?)\n?<\/step>/g)) {
    steps.push({ id: m[1], round: m[2] !== undefined ? Number(m[2]) : undefined, agent: m[3], output: m[4] });
  }
  return steps;
}

export interface ShownPart {
  index: number;
  steps: ShownStep[];
}

/** Φ's `<part index="…">` blocks with their steps. */
export function partsIn(text: string): ShownPart[] {
  return [...text.matchAll(/<part index="(\d+)"[^>]*>([\s\S]*?)<\/part>/g)].map((m) => ({ index: Number(m[1]), steps: stepsIn(m[2]) }));
}

export interface ShownRule {
  id: string;
  text: string;
}

/** Rules as Ψ shows them (`<rule id="…">text</rule>`) or as BCD/GBC do (`- [id] (LOCKED) text`). */
export function rulesIn(text: string): ShownRule[] {
  const rules: ShownRule[] = [];
  for (const m of text.matchAll(/<rule id="([^"]+)"[^>]*>([\s\S]*?)<\/rule>/g)) rules.push({ id: m[1], text: m[2].trim() });
  for (const m of text.matchAll(/^- \[([^\]\s]+)\](?: \(LOCKED\))? (.*)$/gm)) rules.push({ id: m[1], text: m[2].trim() });
  return rules;
}

/** Blame statements of the kind the simulated credit replies write, about any agent. */
export function blamesIn(text: string): Cause[] {
  const out: Cause[] = [];
  for (const m of text.matchAll(/\b([a-z][a-z0-9-]*) skipped the "([a-z0-9-]+)" check/g)) out.push({ type: 'missing', agent: m[1], skill: m[2] });
  for (const m of text.matchAll(/\b([a-z][a-z0-9-]*) followed its rule "([^"]+)"/g)) out.push({ type: 'harmful', agent: m[1], text: m[2] });
  return out;
}

export function blameText(c: Cause): string {
  return c.type === 'missing'
    ? `${c.agent} skipped the "${c.skill}" check the problem needed, so it answered wrongly.`
    : `${c.agent} followed its rule "${c.text}", which made it answer wrongly.`;
}

export function uniqueCauses(causes: readonly Cause[]): Cause[] {
  const seen = new Set<string>();
  return causes.filter((c) => {
    const key = causeKey(c);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The unit that holds a harmful rule's text, among the rules shown. */
export function ruleHolding(rules: readonly ShownRule[], text: string): ShownRule | undefined {
  const want = normalizeText(text);
  return rules.find((r) => normalizeText(r.text).includes(want));
}

/** Whether an answer letter line names the reference. */
export function answerLetter(output: string): string | undefined {
  return /^(?:Answer|Leading answer|Final answer): ([A-D])\b/m.exec(output)?.[1];
}

export function isAbstention(output: string): boolean {
  return output.includes('I defer to the others');
}

/** All true causes in a set of steps. */
export function causesInSteps(steps: readonly ShownStep[]): Array<Cause & { stepId: string }> {
  return steps.flatMap((s) => causesInOutput(s.agent, s.output).map((c) => ({ ...c, stepId: s.id })));
}

