/**
 * The world model of a scenario: its tasks, the rules each agent starts with, and the facts that
 * decide how a prompt behaves — which skills a prompt's rules cover, which planted harmful rules
 * it still holds, and on which tasks a harmful rule misleads. Rollouts (rollout.ts), the simulated
 * optimizer (optimizerReplies.ts) and the bench's scoring all read the truth from here.
 */
import { randomFor, sample, uniform } from './random';
import type { HarmfulRule, Scenario, Skill } from './scenario';

export const LETTERS = ['A', 'B', 'C', 'D'] as const;
export type Letter = (typeof LETTERS)[number];

/** A task the world is handed instead of generating its own: a line of a workspace's tasks file. */
export interface TaskFacts {
  id: string;
  input: string;
  reference: string;
}

export interface SimTask {
  id: string;
  input: string;
  reference: Letter;
  /** The letter every misled agent gives on this task. */
  wrong: Letter;
  /** Skill names the task needs. */
  needs: string[];
}

/** Rules that neither help nor hurt: every agent has a few, so prompts look like prompts. */
const ROLE_FILLER = [
  'Keep each contribution under six sentences.',
  'Start with your answer, then give your reasons.',
  'Write in plain language and avoid jargon.',
  'Say so when you change your answer from the previous round.',
  'Do not repeat points the shared state already lists.',
  'Address the other agents by their role names.',
];
const AGGREGATOR_FILLER = [
  'Condense the round into at most five lines.',
  'Record the leading answer together with the agents that support it.',
  'Stay neutral; describe where the team stands, not which side you prefer.',
];

/** Plausible rules that change nothing in this world: what a noisy optimizer adds. */
export const USELESS_RULES = [
  'Be courteous to the other agents at all times.',
  'Use bullet points where they make the reply easier to scan.',
  'Restate the problem in your own words before you start.',
  'Mention the round number at the top of your reply.',
  'Prefer short sentences over long ones.',
  'Thank the previous speaker before you disagree.',
];

/** Watered-down rewordings a noisy optimizer puts in place of a good rule. */
export const VAGUE_RULES = [
  'Take care to get the details right before you answer.',
  'Think about the problem carefully.',
  'Aim for a good answer.',
];

/**
 * Harmless lapses a role admits now and then (noise.herring): what it says it did not do, and the
 * rule a reader who takes the lapse for the cause writes. The rules change nothing in this world.
 */
export const HERRINGS: ReadonlyArray<{ lapse: string; rule: string }> = [
  { lapse: 're-read the shared state before answering', rule: 'Re-read the shared state before you answer.' },
  { lapse: 'restate the problem in my own words', rule: 'Restate the problem in your own words before you start.' },
  { lapse: 'compare my answer with the previous round', rule: 'Compare your answer with the one you gave in the previous round.' },
  { lapse: 'wait for the other roles before committing', rule: 'Wait for the other roles before you commit to an answer.' },
];

/** What a sensible rewrite makes of a harmful rule: harmless, and no skill. */
export const NEUTRAL_REWORDING = 'Weigh the evidence in front of you before you commit to an answer.';

/** Lower case, no emphasis or punctuation, single spaces: what "the same rule" means here. */
export function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[*_`"'“”‘’]+/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function containsWordStart(haystack: string, needle: string): boolean {
  // Word start only, so "constraint" also matches "constraints".
  return ` ${haystack}`.includes(` ${needle}`);
}

export class World {
  readonly scenario: Scenario;
  readonly tasks: SimTask[];
  private readonly byId: Map<string, SimTask>;

  /**
   * `tasks`: take these tasks (their ids, inputs and reference letters) instead of generating
   * them; the skills each needs and the letter a misled agent gives are drawn from the seed and
   * the task id, and calls are matched to a task by its input text.
   */
  constructor(scenario: Scenario, options: { tasks?: readonly TaskFacts[] } = {}) {
    this.scenario = scenario;
    this.tasks = options.tasks ? adoptTasks(scenario, options.tasks) : generateTasks(scenario);
    this.byId = new Map(this.tasks.map((t) => [t.id, t]));
    this.byInput = options.tasks ? this.tasks.filter((t) => t.input.trim() !== '').map((t) => ({ task: t, text: t.input.trim() })) : [];
    this.checkVocabulary();
  }

  private readonly byInput: Array<{ task: SimTask; text: string }>;

  get agents(): string[] {
    return [...this.scenario.roles, this.scenario.aggregator];
  }

  /** The agent that gives the final answer. */
  get decider(): string {
    return this.scenario.decision ?? this.scenario.aggregator;
  }

  /** The agent a role call's system prompt belongs to: by the scenario's markers, else by the "# The <agent>" heading. */
  agentOfSystemPrompt(system: string): string | undefined {
    const markers = this.scenario.markers;
    if (markers) {
      const text = system.trimStart();
      for (const [agent, marker] of Object.entries(markers)) if (text.startsWith(marker)) return agent;
    }
    return /^# The ([a-z][a-z0-9-]*)\s*$/m.exec(system)?.[1];
  }

  isRole(agent: string): boolean {
    return this.scenario.roles.includes(agent);
  }

  skill(name: string): Skill {
    const skill = this.scenario.skills.find((s) => s.name === name);
    if (!skill) throw new Error(`the scenario has no skill "${name}"`);
    return skill;
  }

  ownedSkills(agent: string): Skill[] {
    return this.scenario.skills.filter((s) => s.owner === agent);
  }

  task(id: string): SimTask | undefined {
    return this.byId.get(id);
  }

  /** The first task whose id tag ("Problem t007") or, for adopted tasks, whose input appears in the text. */
  taskInText(text: string): SimTask | undefined {
    return this.tasksInText(text)[0];
  }

  /** Every task mentioned in the text, in order of first mention. */
  tasksInText(text: string): SimTask[] {
    const found: Array<{ at: number; task: SimTask }> = [];
    for (const m of text.matchAll(/Problem (t\d{3,})\b/g)) {
      const task = this.byId.get(m[1]);
      if (task) found.push({ at: m.index ?? 0, task });
    }
    for (const { task, text: input } of this.byInput) {
      const at = text.indexOf(input);
      if (at >= 0) found.push({ at, task });
    }
    found.sort((a, b) => a.at - b.at);
    return [...new Set(found.map((f) => f.task))];
  }

  fillerRules(agent: string): string[] {
    const pool = this.isRole(agent) ? ROLE_FILLER : AGGREGATOR_FILLER;
    return sample(pool, this.isRole(agent) ? 2 : 3, randomFor(this.scenario.seed, 'filler', agent));
  }

  /** The rules a defect-free prompt of the agent holds. */
  intendedRules(agent: string): string[] {
    return [...this.fillerRules(agent), ...this.ownedSkills(agent).map((s) => s.rule)];
  }

  /** The starting rules: intended minus the planted missing ones, plus the planted harmful ones. */
  plantedRules(agent: string): string[] {
    const missing = new Set(this.scenario.planted.missing.filter((m) => m.agent === agent).map((m) => this.skill(m.skill).rule));
    const rules = this.intendedRules(agent).filter((r) => !missing.has(r));
    const harmful = this.scenario.planted.harmful.filter((h) => h.agent === agent).map((h) => h.text);
    // Harmful rules go in the middle, where a reader would not single them out.
    const at = Math.min(1, rules.length);
    return [...rules.slice(0, at), ...harmful, ...rules.slice(at)];
  }

  /** Whether a rule text (or a whole prompt) covers the skill: its canonical rule or one of its keywords. */
  covers(text: string, skill: Skill): boolean {
    const norm = normalizeText(text);
    if (norm.includes(normalizeText(skill.rule))) return true;
    return skill.keywords.some((k) => containsWordStart(norm, normalizeText(k)));
  }

  /** The skills (of all skills) that a prompt covers. */
  skillsIn(prompt: string): Set<string> {
    return new Set(this.scenario.skills.filter((s) => this.covers(prompt, s)).map((s) => s.name));
  }

  /** The skill a rule text stands for, if any. */
  skillOfRule(text: string): Skill | undefined {
    return this.scenario.skills.find((s) => this.covers(text, s));
  }

  /** The planted harmful rules of the agent that its prompt still holds. */
  harmfulIn(agent: string, prompt: string): HarmfulRule[] {
    const norm = normalizeText(prompt);
    return this.scenario.planted.harmful.filter((h) => h.agent === agent && norm.includes(normalizeText(h.text)));
  }

  /** The planted harmful rule a rule text is (any agent's). */
  harmfulOfRule(text: string): HarmfulRule | undefined {
    const norm = normalizeText(text);
    return this.scenario.planted.harmful.find((h) => norm.includes(normalizeText(h.text)));
  }

  /** Whether the harmful rule misleads its agent on this task (fixed per task, the same in every round). */
  misleads(task: SimTask, rule: HarmfulRule): boolean {
    return uniform(this.scenario.seed, 'harm', task.id, rule.agent, normalizeText(rule.text)) < rule.rate;
  }

  /** The harmless lapse the role admits on this task (noise.herring), fixed per task and role; undefined for most. */
  herring(task: SimTask, agent: string): (typeof HERRINGS)[number] | undefined {
    const rate = this.scenario.noise.herring;
    if (rate <= 0 || uniform(this.scenario.seed, 'herring', task.id, agent) >= rate) return undefined;
    return HERRINGS[Math.floor(uniform(this.scenario.seed, 'herring-which', task.id, agent) * HERRINGS.length)];
  }

  /** Whether the role goes along with the shared state's leading answer on this task (scenario.anchoring), fixed per task and role. */
  anchored(task: SimTask, agent: string): boolean {
    const rate = this.scenario.anchoring;
    return rate > 0 && uniform(this.scenario.seed, 'anchor', task.id, agent) < rate;
  }

  /** Skills the task needs that the agent owns. */
  relevantSkills(agent: string, task: SimTask): Skill[] {
    return this.ownedSkills(agent).filter((s) => task.needs.includes(s.name));
  }

  /**
   * Which planted defects a prompt set still has. Missing: the owner's prompt does not cover the
   * skill. Harmful: the agent's prompt still holds the rule.
   */
  remainingDefects(prompts: Readonly<Record<string, string>>): { missing: Array<{ agent: string; skill: string }>; harmful: HarmfulRule[] } {
    const { missing, harmful } = this.scenario.planted;
    return {
      missing: missing.filter((m) => !this.covers(prompts[m.agent] ?? '', this.skill(m.skill))),
      harmful: harmful.filter((h) => this.harmfulIn(h.agent, prompts[h.agent] ?? '').length > 0),
    };
  }

  plantedCount(): number {
    return this.scenario.planted.missing.length + this.scenario.planted.harmful.length;
  }

  /**
   * Fillers, role texts and harmful rules must not mention a skill's keyword, or a prompt would
   * cover a skill by accident and a planted defect would not be one.
   */
  private checkVocabulary(): void {
    const texts = [...ROLE_FILLER, ...AGGREGATOR_FILLER, ...USELESS_RULES, ...VAGUE_RULES, NEUTRAL_REWORDING, ...HERRINGS.flatMap((h) => [h.lapse, h.rule]), ...this.scenario.planted.harmful.map((h) => h.text)];
    for (const text of texts) {
      const skill = this.skillOfRule(text);
      if (skill) throw new Error(`The rule "${text}" mentions a keyword of skill "${skill.name}"; pick keywords it does not contain.`);
    }
  }
}

/** Adopted tasks: the ids, inputs and references given; needs and the misleading letter drawn per task id. */
function adoptTasks(scenario: Scenario, tasks: readonly TaskFacts[]): SimTask[] {
  const names = scenario.skills.map((s) => s.name);
  return tasks.map((t) => {
    const random = randomFor(scenario.seed, 'adopted-task', t.id);
    const k = 1 + Math.floor(random() * Math.min(scenario.tasks.maxSkills, names.length));
    const needs = sample(names, k, random).sort((a, b) => names.indexOf(a) - names.indexOf(b));
    const reference = (LETTERS as readonly string[]).includes(t.reference.trim().toUpperCase()) ? (t.reference.trim().toUpperCase() as Letter) : LETTERS[0];
    const others = LETTERS.filter((l) => l !== reference);
    return { id: t.id, input: t.input, reference, wrong: others[Math.floor(random() * others.length)], needs };
  });
}

function generateTasks(scenario: Scenario): SimTask[] {
  const { train, val, test, maxSkills } = scenario.tasks;
  const count = train + val + test;
  const random = randomFor(scenario.seed, 'tasks');
  const names = scenario.skills.map((s) => s.name);
  const tasks: SimTask[] = [];
  for (let i = 1; i <= count; i++) {
    const k = 1 + Math.floor(random() * Math.min(maxSkills, names.length));
    const needs = sample(names, k, random).sort((a, b) => names.indexOf(a) - names.indexOf(b));
    const reference = LETTERS[Math.floor(random() * LETTERS.length)];
    const others = LETTERS.filter((l) => l !== reference);
    const wrong = others[Math.floor(random() * others.length)];
    const id = `t${String(i).padStart(3, '0')}`;
    const options = LETTERS.map((l, j) => `${l}) candidate ${j + 1} for problem ${id}`).join('\n');
    const input = `Problem ${id}. This problem touches on: ${needs.join(', ')}. Which candidate is right?\n${options}`;
    tasks.push({ id, input, reference, wrong, needs });
  }
  return tasks;
}
