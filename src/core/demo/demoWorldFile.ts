/**
 * The demo world file a workspace names in `demo.world` (e.g. examples/debate-mas/demo-world.yaml):
 * the skills the scripted agents need, which agent owns each (and the rule that gives it), rules
 * that mislead, and the first line of each role's prompt so its calls can be told apart. The team
 * itself — roles, aggregator, decision agent, rounds — and the tasks come from truce.yaml and the
 * tasks file, so the demo follows the workspace as the user edits it.
 */
import { parse } from 'yaml';
import { z } from 'zod';
import type { TruceConfig } from '../config';
import { harmfulSchema, parseScenario, skillSchema, type Scenario } from '../sim/scenario';

const probability = z.number().min(0).max(1);

export const demoWorldFileSchema = z
  .object({
    description: z.string().default(''),
    seed: z.number().int().default(1),
    /** The line each role's system prompt starts with (see sim/world.ts, agentOfSystemPrompt). */
    markers: z.record(z.string(), z.string().min(1)).default({}),
    skills: z.array(skillSchema).min(1),
    harmful: z.array(harmfulSchema).default([]),
    /** Each task needs between 1 and this many skills. */
    maxSkills: z.number().int().min(1).default(1),
    /** How often the scripted optimizer blames or edits wrongly; 0 tells a clean story. */
    noise: z.object({ critic: probability.default(0), suggestion: probability.default(0) }).strict().default({ critic: 0, suggestion: 0 }),
  })
  .strict();

export type DemoWorldFile = z.infer<typeof demoWorldFileSchema>;

export class DemoWorldError extends Error {
  override name = 'DemoWorldError';
}

/**
 * Parses the file's text (YAML or JSON); throws DemoWorldError naming the file and each problem.
 * The messages say where and what, never quote the text: the YAML parser's excerpt of the offending
 * lines is dropped, and unknown keys are counted and named only briefly, since a file that is not a
 * demo world at all has its content in its "keys".
 */
export function parseDemoWorldFile(text: string, file: string): DemoWorldFile {
  let value: unknown;
  try {
    // logLevel 'error': the parser's warnings (an unknown directive or tag) quote the file on stderr.
    value = parse(text, { logLevel: 'error' });
  } catch (error) {
    // The first line holds the problem and its position; the lines after it quote the file, and so
    // does what follows a colon inside it (the name of an unresolved alias).
    const problem = (error as Error).message.split('\n')[0].replace(/:\s*$/, '').split(': ')[0];
    throw new DemoWorldError(`The demo world ${file} is not valid YAML: ${problem}.`);
  }
  const parsed = demoWorldFileSchema.safeParse(value);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.map((p) => brief(String(p))).join('.') || '(root)'}: ${i.code === 'unrecognized_keys' ? unknownKeys(i.keys) : i.message}`);
    throw new DemoWorldError(`The demo world ${file} has errors: ${lines.join('; ')}`);
  }
  return parsed.data;
}

/** A few of the unknown keys, each cut short, and how many there are. */
function unknownKeys(keys: readonly string[]): string {
  const shown = keys.slice(0, 3).map((k) => `"${brief(k)}"`).join(', ');
  return `${keys.length} unknown key${keys.length === 1 ? '' : 's'} (${shown}${keys.length > 3 ? ', …' : ''})`;
}

function brief(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** The simulation scenario of the workspace's rounds MAS with the demo world's skills and rules. */
export function demoScenario(config: TruceConfig, world: DemoWorldFile, file: string): Scenario {
  const mas = config.mas;
  if (mas.kind !== 'rounds') {
    throw new DemoWorldError(`demo mode scripts a rounds MAS (mas.kind: rounds); this truce.yaml has mas.kind: ${mas.kind}. Remove \`demo\` or run the MAS against a real endpoint.`);
  }
  const aggregators = Array.isArray(mas.aggregator) ? [...new Set(mas.aggregator)] : [mas.aggregator];
  if (aggregators.length !== 1) throw new DemoWorldError('demo mode scripts one aggregator for every round; this truce.yaml names one per round.');
  if (mas.rounds > 5) throw new DemoWorldError(`demo mode scripts at most 5 rounds; this truce.yaml asks for ${mas.rounds}.`);
  try {
    return parseScenario(
      {
        name: 'demo',
        description: world.description,
        seed: world.seed,
        roles: mas.roles,
        aggregator: aggregators[0],
        ...(mas.decision !== undefined && mas.decision !== aggregators[0] ? { decision: mas.decision } : {}),
        markers: world.markers,
        rounds: mas.rounds,
        // Counts are unused: the world adopts the workspace's tasks.
        tasks: { train: 1, val: 1, test: 1, maxSkills: world.maxSkills },
        skills: world.skills,
        planted: { missing: [], harmful: world.harmful },
        noise: { critic: world.noise.critic, suggestion: world.noise.suggestion },
        optimizer: { method: config.optimizer.method, rounds: config.optimizer.rounds, topK: config.optimizer.topK, batchSize: config.optimizer.batchSize },
      },
      file,
    );
  } catch (error) {
    throw new DemoWorldError((error as Error).message.replace(/simulation scenario/, 'demo world for this truce.yaml'));
  }
}
