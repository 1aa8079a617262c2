/**
 * A simulation scenario (DESIGN.md §8): a team of role agents plus an aggregator, named skills
 * each owned by one role and written down as one canonical rule, tasks that need some of the
 * skills, and the defects planted in the starting prompts — rules left out (missing) and rules
 * that mislead (harmful). Noise levels say how often the simulated optimizer LLM gets credit and
 * suggestions wrong. Scenario files live in bench/sim/scenarios/*.json.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const agentId = z.string().regex(/^[a-z][a-z0-9-]*$/, 'use lower-case letters, digits and "-", starting with a letter');
const probability = z.number().min(0).max(1);

export const skillSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]*$/),
    /** The canonical rule text that gives an agent this skill. */
    rule: z.string().min(1),
    /** Lower-case words; a rule containing one of them also counts as the skill. */
    keywords: z.array(z.string().regex(/^[a-z][a-z0-9 -]*$/)).min(1),
    /** The role that needs the rule for tasks that need the skill. */
    owner: agentId,
  })
  .strict();

export const harmfulSchema = z
  .object({
    agent: agentId,
    text: z.string().min(1),
    /** Share of tasks on which the rule makes its agent answer wrongly. */
    rate: probability.default(0.6),
  })
  .strict();

export const scenarioSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().default(''),
    seed: z.number().int(),
    roles: z.array(agentId).min(1),
    aggregator: agentId.default('aggregator'),
    /** The agent that gives the final answer; default the aggregator. */
    decision: agentId.optional(),
    /**
     * A line that starts each agent's system prompt, to tell role calls apart when the prompts do
     * not carry the "# The <agent>" heading of generated workspaces (e.g. the debate example's).
     */
    markers: z.record(agentId, z.string().min(1)).optional(),
    rounds: z.number().int().min(1).max(5),
    /**
     * Share of (task, role) pairs where the role, from the second round on, goes along with the
     * leading answer of the shared state instead of working the task again, whatever its own rules
     * would make of it. Fixed per task and role. At 0 (the default) every round is answered afresh
     * and only the last one decides; above it, a mistake that leads the first round carries into
     * the next, as in teams that trust what was settled, so the step that introduced it is the one
     * whose repair saves the task.
     */
    anchoring: probability.default(0),
    tasks: z
      .object({
        /** Task counts per split. */
        train: z.number().int().min(1),
        val: z.number().int().min(1),
        test: z.number().int().min(1),
        /** Each task needs between 1 and this many skills. */
        maxSkills: z.number().int().min(1).default(2),
      })
      .strict(),
    skills: z.array(skillSchema).min(1),
    planted: z
      .object({
        missing: z.array(z.object({ agent: agentId, skill: z.string() }).strict()).default([]),
        harmful: z.array(harmfulSchema).default([]),
      })
      .strict(),
    noise: z
      .object({
        /** Share of credit replies (Φ, critic, peer, influence) that blame at random. */
        critic: probability,
        /** Share of suggestion replies (Ψ, gradient, GBC) that propose a useless or harmful edit. */
        suggestion: probability,
        /** Whole-prompt rewrites (the no-units ablation) drop each other rule with this probability. */
        rewriteDrift: probability.default(0.15),
        /**
         * Share of role replies that slip: the role answers wrongly although its rules cover the
         * task, with no cause in its words. Drawn from the request text, so any change to a prompt
         * draws the slips anew: noise in outcomes that no edit can remove (the null scenario).
         */
        slip: probability.default(0),
        /**
         * Share of role replies that also admit a harmless lapse (a "red herring": "did not re-read
         * the shared state"), fixed per task and role whatever the prompt says. It never changes an
         * answer, but it reads like a cause: a suggestion that is not handed a located blame (no
         * credit, or credit that names an agent but not a step) cannot tell it from one and writes
         * a rule for it, which fixes nothing. Several plausible culprits per failed task.
         */
        herring: probability.default(0),
      })
      .strict(),
    optimizer: z
      .object({
        method: z.enum(['truce', 'bcd', 'gbc']).default('truce'),
        rounds: z.number().int().min(1).default(3),
        topK: z.number().int().min(1).default(3),
        batchSize: z.number().int().min(1).default(8),
      })
      .strict(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const issue = (message: string, path: (string | number)[]) => ctx.addIssue({ code: 'custom', message, path });
    const agents = new Set([...s.roles, s.aggregator]);
    if (agents.size !== s.roles.length + 1) issue('role ids and the aggregator id must all differ', ['roles']);
    const names = new Set<string>();
    s.skills.forEach((skill, i) => {
      if (names.has(skill.name)) issue(`skill "${skill.name}" is listed twice`, ['skills', i, 'name']);
      names.add(skill.name);
      if (!s.roles.includes(skill.owner)) issue(`skill "${skill.name}" is owned by "${skill.owner}", which is not a role`, ['skills', i, 'owner']);
    });
    // A keyword shared by two skills would let one rule stand in for the other.
    const seen = new Map<string, string>();
    for (const skill of s.skills) {
      for (const k of skill.keywords) {
        const other = seen.get(k);
        if (other && other !== skill.name) issue(`keyword "${k}" belongs to both "${other}" and "${skill.name}"`, ['skills']);
        seen.set(k, skill.name);
      }
    }
    s.planted.missing.forEach((m, i) => {
      const skill = s.skills.find((k) => k.name === m.skill);
      if (!skill) issue(`planted missing skill "${m.skill}" is not a skill`, ['planted', 'missing', i]);
      else if (skill.owner !== m.agent) issue(`"${m.skill}" is owned by "${skill.owner}", so it cannot be missing from "${m.agent}"`, ['planted', 'missing', i]);
    });
    if (s.decision !== undefined) agents.add(s.decision);
    for (const agent of Object.keys(s.markers ?? {})) {
      if (!agents.has(agent)) issue(`markers name "${agent}", which is not an agent`, ['markers', agent]);
    }
    s.planted.harmful.forEach((h, i) => {
      if (!agents.has(h.agent)) issue(`planted harmful rule names "${h.agent}", which is not an agent`, ['planted', 'harmful', i]);
    });
  });

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Skill = z.infer<typeof skillSchema>;
export type HarmfulRule = z.infer<typeof harmfulSchema>;

export function parseScenario(value: unknown, source = 'scenario'): Scenario {
  const parsed = scenarioSchema.safeParse(value);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${source} is not a valid simulation scenario:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export function loadScenario(file: string): Scenario {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read the scenario ${file}: ${(error as Error).message}`);
  }
  return parseScenario(value, file);
}
