/** Small builders for optimizer unit tests: raw suggestions and the debate example's prompt texts. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RawSuggestion } from '../../../src/core/credit/types';
import type { UnitEditOp } from '../../../src/core/units';

/** Tests are bundled to different depths under out/, so the repository is found by walking up. */
function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'examples/debate-mas/truce.yaml')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export const EXAMPLE_DIR = join(repoRoot(), 'examples/debate-mas');

export function exampleTexts(): Record<string, string> {
  const read = (f: string) => readFileSync(join(EXAMPLE_DIR, f), 'utf8');
  return { 'prompts/proposer.md': read('prompts/proposer.md'), 'agents.yaml': read('agents.yaml'), 'prompts/judge.prompty': read('prompts/judge.prompty') };
}

export const EXAMPLE_AGENTS = [
  { id: 'proposer', kind: 'role' as const, prompt: 'prompts/proposer.md' },
  { id: 'skeptic', kind: 'role' as const, prompt: 'agents.yaml', section: 'skeptic' },
  { id: 'aggregator', kind: 'aggregator' as const, prompt: 'agents.yaml', section: 'aggregator' },
  { id: 'judge', kind: 'judge' as const, prompt: 'prompts/judge.prompty' },
];

export function raw(taskId: string, op: UnitEditOp, fields: { agentId?: string; target?: string; text?: string; credit?: number; steps?: string[] } = {}): RawSuggestion {
  return {
    taskId,
    edit: {
      op,
      agentId: fields.agentId ?? 'proposer',
      ...(fields.target ? { targetUnitId: fields.target, oldText: `old ${fields.target}` } : {}),
      ...(fields.text ? { newText: fields.text } : {}),
    },
    file: 'prompts/proposer.md',
    rationale: `because of ${taskId}`,
    evidence: [{ taskId, stepIds: fields.steps ?? ['r1.proposer'] }],
    credit: fields.credit ?? -0.5,
    method: 'truce',
  };
}
