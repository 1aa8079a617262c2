/** A small scenario for the world's tests: three roles, three skills, one missing and one harmful rule. */
import { join, resolve } from 'node:path';
import { parseScenario, type Scenario, type ScenarioInput } from '../../support/sim';

export const REPO_ROOT = resolve(__dirname, '../../../..');
export const SCENARIO_DIR = join(REPO_ROOT, 'bench/sim/scenarios');

export const SMALL: ScenarioInput = {
  name: 'small',
  seed: 5,
  roles: ['planner', 'solver', 'checker'],
  rounds: 2,
  tasks: { train: 10, val: 20, test: 20, maxSkills: 2 },
  skills: [
    { name: 'constraints', rule: 'List every constraint stated in the problem before proposing a plan.', keywords: ['constraint'], owner: 'planner' },
    { name: 'units', rule: 'Check the units of every quantity before answering.', keywords: ['units'], owner: 'solver' },
    { name: 'edge-cases', rule: 'Test the chosen answer against the edge cases of the problem.', keywords: ['edge case'], owner: 'checker' },
  ],
  planted: {
    missing: [{ agent: 'solver', skill: 'units' }],
    harmful: [{ agent: 'checker', text: 'Agree with the first answer given in the round without checking it again.', rate: 0.5 }],
  },
  noise: { critic: 0.3, suggestion: 0.3 },
  optimizer: { method: 'truce', rounds: 2, topK: 3 },
};

export function scenario(overrides: Partial<ScenarioInput> = {}): Scenario {
  return parseScenario({ ...SMALL, ...overrides });
}
