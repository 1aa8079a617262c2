/** Shared pieces of the MAS tests: configs, in-memory prompt files, trajectory checks. */
import { strict as assert } from 'node:assert';
import { resolve } from 'node:path';
import { truceConfigSchema, type TruceConfig } from '../../../src/core/config';
import { loadPromptSet } from '../../../src/core/mas/loadPromptSet';
import type { MasRunFailure, MasRunResult, PromptSet } from '../../../src/core/mas/types';
import { validateTrajectory } from '../../../src/core/trajectory/validate';

export const FIXTURES = resolve('test/fixtures/mas');

/** A complete truce.yaml value around the parts a test cares about. */
export function makeConfig(parts: Pick<TruceConfig, 'agents'> & { mas: unknown }): TruceConfig {
  return truceConfigSchema.parse({
    agents: parts.agents,
    mas: parts.mas,
    tasks: { file: 'tasks.jsonl' },
    evaluator: { type: 'exact' },
    llm: { executor: { baseUrl: 'http://127.0.0.1:9/v1', model: 'fake-model' } },
  });
}

export async function promptSetFrom(config: Pick<TruceConfig, 'agents'>, files: Record<string, string>): Promise<PromptSet> {
  return loadPromptSet(config, (file) => {
    const text = files[file];
    if (text === undefined) throw new Error(`ENOENT: no such file ${file}`);
    return text;
  });
}

export function expectResult(outcome: MasRunResult | MasRunFailure): MasRunResult {
  if ('failed' in outcome) assert.fail(`expected a finished run, got a failure: ${outcome.reason}`);
  assertValid(outcome.trajectory);
  return outcome;
}

export function expectFailure(outcome: MasRunResult | MasRunFailure): MasRunFailure {
  if (!('failed' in outcome)) assert.fail('expected a MasRunFailure, got a finished run');
  if (outcome.partial) assertValid(outcome.partial);
  return outcome;
}

export function assertValid(trajectory: unknown): void {
  const checked = validateTrajectory(trajectory);
  assert.ok(checked.ok, `trajectory is invalid: ${JSON.stringify(checked.problems)}`);
}
