/**
 * A workspace whose truce.yaml runs a program: the command MAS of test/fixtures/mas/env-mas.js
 * (or, with `evaluatorCommand`, the rounds-free config with a command evaluator as well).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../../support/cliProcess';

export interface CommandWorkspace {
  /** Holds `ws/` (the workspace) and `home/` (a HOME without any trusted folders). */
  root: string;
  dir: string;
  home: string;
  remove(): void;
}

export function commandMasWorkspace(options: { inputs?: string[]; mas?: string; evaluatorCommand?: boolean } = {}): CommandWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'truce-command-ws-'));
  const dir = join(root, 'ws');
  const home = join(root, 'home');
  mkdirSync(join(dir, 'prompts'), { recursive: true });
  mkdirSync(home);
  writeFileSync(join(dir, 'prompts/solver.md'), '# Rules\n\n- Answer with the input itself.\n');
  const inputs = options.inputs ?? ['a', 'b'];
  writeFileSync(join(dir, 'tasks.jsonl'), inputs.map((input, i) => JSON.stringify({ id: `t${i + 1}`, input, reference: input })).join('\n') + '\n');
  const fixture = JSON.stringify(join(REPO, 'test/fixtures/mas/env-mas.js'));
  const evaluator = options.evaluatorCommand ? `{ type: command, argv: [${JSON.stringify(process.execPath)}, "-e", "process.stdout.write('1')"] }` : '{ type: exact }';
  writeFileSync(
    join(dir, 'truce.yaml'),
    [
      'agents:',
      '  - { id: solver, prompt: prompts/solver.md }',
      options.mas ?? `mas: { kind: command, argv: [${JSON.stringify(process.execPath)}, ${fixture}], timeoutMs: 20000 }`,
      'tasks: { file: tasks.jsonl, split: { train: 1, val: 0, test: 0 } }',
      `evaluator: ${evaluator}`,
      'llm:',
      '  executor: { baseUrl: "http://127.0.0.1:9/v1", model: fake-model }',
      '',
    ].join('\n'),
  );
  return { root, dir, home, remove: () => rmSync(root, { recursive: true, force: true }) };
}
