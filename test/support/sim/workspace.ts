/**
 * Writes a scenario out as a TRUCE workspace in a temp folder: truce.yaml (a rounds MAS of the
 * scenario's roles and aggregator, scored by the choice evaluator, every endpoint pointed at the
 * fake server), tasks.jsonl, and one Markdown prompt file per agent holding its planted rules.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseConfig, type TruceConfig } from '../../../src/core/config';
import type { World } from '../../../src/core/sim/world';

export interface SimWorkspace {
  dir: string;
  configPath: string;
  /** Workspace-relative prompt file of each agent. */
  promptFiles: Record<string, string>;
  config(): TruceConfig;
  /** The agent's prompt file as it is on disk now. */
  readPrompt(agent: string): string;
  /** Replaces the agent's rules (the file is rewritten from scratch). */
  writeRules(agent: string, rules: readonly string[]): void;
  /** Replaces the agent's prompt file with this text (e.g. an optimizer's best version). */
  writeText(agent: string, text: string): void;
  remove(): void;
}

export interface WorkspaceOptions {
  baseUrl: string;
  model?: string;
  /** Parent folder; default the OS temp folder. */
  parent?: string;
}

export function promptFileText(world: World, agent: string, rules: readonly string[]): string {
  const role = world.isRole(agent);
  const { roles, rounds } = world.scenario;
  const about = role
    ? `You are ${agent}, one of ${roles.length} roles of a team that answers multiple-choice problems in ${rounds} round${rounds === 1 ? '' : 's'}. Every role reads the problem and the shared state and adds its view.`
    : `You are ${agent}, the aggregator of the team: after every round you condense what the roles said into the shared state, and after the last round you give the team's final answer.`;
  return ['---', `kind: ${role ? 'role' : 'aggregator'}`, '---', '', `# The ${agent}`, '', about, '', '## Rules', '', ...rules.map((r) => `- ${r}`), ''].join('\n');
}

export function simConfig(world: World, options: WorkspaceOptions): Record<string, unknown> {
  const s = world.scenario;
  const endpoint = { baseUrl: options.baseUrl, model: options.model ?? 'fake-model', temperature: 0, maxTokens: 400, seed: 1 };
  return {
    version: 1,
    agents: world.agents.map((id) => ({ id, kind: world.isRole(id) ? 'role' : 'aggregator', prompt: `prompts/${id}.md` })),
    mas: { kind: 'rounds', roles: [...s.roles], rounds: s.rounds, aggregator: s.aggregator },
    tasks: { file: 'tasks.jsonl', split: { train: s.tasks.train, val: s.tasks.val, test: s.tasks.test }, seed: s.seed },
    evaluator: { type: 'choice', letters: 'ABCD' },
    llm: { executor: endpoint, optimizer: { ...endpoint, maxTokens: 2000 }, judge: endpoint },
    concurrency: 8,
    optimizer: { method: s.optimizer.method, rounds: s.optimizer.rounds, topK: s.optimizer.topK, batchSize: s.optimizer.batchSize },
  };
}

export function writeSimWorkspace(world: World, options: WorkspaceOptions): SimWorkspace {
  const dir = mkdtempSync(join(options.parent ?? tmpdir(), `truce-sim-${world.scenario.name}-`));
  mkdirSync(join(dir, 'prompts'));
  const configPath = join(dir, 'truce.yaml');
  const header = `# Simulation world "${world.scenario.name}" (seed ${world.scenario.seed}); generated, do not edit.\n`;
  writeFileSync(configPath, header + stringify(simConfig(world, options)));
  writeFileSync(join(dir, 'tasks.jsonl'), world.tasks.map((t) => JSON.stringify({ id: t.id, input: t.input, reference: t.reference })).join('\n') + '\n');
  const promptFiles: Record<string, string> = {};
  const writeRules = (agent: string, rules: readonly string[]): void => {
    promptFiles[agent] = `prompts/${agent}.md`;
    writeFileSync(join(dir, promptFiles[agent]), promptFileText(world, agent, rules));
  };
  for (const agent of world.agents) writeRules(agent, world.plantedRules(agent));
  return {
    dir,
    configPath,
    promptFiles,
    config() {
      const parsed = parseConfig(readFileSync(configPath, 'utf8'), { workspaceRoot: dir });
      if (!parsed.ok) throw new Error(`The generated truce.yaml is invalid: ${parsed.diagnostics.map((d) => `${d.path}: ${d.message}`).join('; ')}`);
      return parsed.config;
    },
    readPrompt: (agent) => readFileSync(join(dir, promptFiles[agent]), 'utf8'),
    writeRules,
    writeText: (agent, text) => writeFileSync(join(dir, promptFiles[agent]), text),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
