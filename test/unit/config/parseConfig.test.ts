import { strict as assert } from 'node:assert';
import { parseConfig } from '../../../src/core/config';
import { applyExecutorOverrides } from '../../../src/core/run/executorOverrides';

const valid = `agents:
  - id: proposer
    prompt: prompts/proposer.prompt.md
  - id: skeptic
    prompt: agents.yaml
    section: skeptic
  - id: aggregator
    kind: aggregator
    prompt: agents.yaml
    section: aggregator
mas:
  kind: rounds
  roles: [proposer, skeptic]
  rounds: 2
  aggregator: aggregator
tasks:
  file: tasks.jsonl
  split: { train: 6, val: 2, test: 2 }
evaluator:
  type: choice
llm:
  executor:
    baseUrl: http://127.0.0.1:11434/v1
    model: llama3.1
`;

const root = '/ws';

describe('truce.yaml', () => {
  it('accepts a complete config and fills in defaults', () => {
    const r = parseConfig(valid, { workspaceRoot: root });
    assert.ok(r.ok, JSON.stringify(r.diagnostics));
    if (r.ok) {
      assert.equal(r.config.concurrency, 4);
      assert.equal(r.config.optimizer.method, 'truce');
      assert.equal(r.config.mas.kind === 'rounds' && r.config.mas.earlyStop, 'none');
    }
  });

  it('reports an unknown key at its line and column with a did-you-mean hint', () => {
    const r = parseConfig(valid.replace('  rounds: 2', '  rounds: 2\n  rouns: 3'), { workspaceRoot: root });
    assert.equal(r.ok, false);
    const d = r.diagnostics.find((x) => x.message.includes('"rouns"'))!;
    assert.ok(d, JSON.stringify(r.diagnostics));
    assert.equal(d.line, 14);
    assert.equal(d.character, 2);
    assert.equal(d.hint, 'Did you mean "rounds"?');
  });

  it('refuses an API key in the file and says where keys go', () => {
    const r = parseConfig(valid.replace('    model: llama3.1', '    model: llama3.1\n    apiKey: sk-secret'), { workspaceRoot: root });
    assert.equal(r.ok, false);
    const d = r.diagnostics.find((x) => x.path === 'llm.executor.apiKey')!;
    assert.match(d.hint ?? '', /apiKeyEnv/);
    assert.doesNotMatch(JSON.stringify(r.diagnostics), /sk-secret/);
  });

  it('reports bad values and missing sections at the closest node', () => {
    const r = parseConfig(valid.replace('rounds: 2', 'rounds: zero').replace(/tasks:[\s\S]*?test: 2 }\n/, ''), { workspaceRoot: root });
    assert.equal(r.ok, false);
    assert.ok(r.diagnostics.some((d) => d.path === 'mas.rounds' && d.line === 13));
    assert.ok(r.diagnostics.some((d) => d.message === 'Missing required setting "tasks".'));
  });

  it('refuses a base URL with a query, which request paths cannot follow and where keys get pasted, without repeating it', () => {
    const r = parseConfig(valid.replace(/baseUrl: \S+/, 'baseUrl: https://example.com/v1?api-key=sk-SECRET-123'), { workspaceRoot: root });
    assert.equal(r.ok, false);
    const d = r.diagnostics.find((x) => x.path === 'llm.executor.baseUrl');
    assert.match(d?.message ?? '', /ends in a query or fragment/);
    assert.match(d?.hint ?? '', /apiKeyEnv/);
    assert.ok(!JSON.stringify(r.diagnostics).includes('SECRET'));
    const parsed = parseConfig(valid, { workspaceRoot: root });
    assert.ok(parsed.ok);
    assert.throws(() => applyExecutorOverrides(parsed.config, { TRUCE_BASE_URL: 'https://example.com/v1?api-key=sk-SECRET-123' }), (e: Error) => /TRUCE_BASE_URL ends in a query/.test(e.message) && !e.message.includes('SECRET'));
  });

  it('says what each missing section is for, with the smallest form that works', () => {
    const r = parseConfig('mas: { kind: command, argv: [python, team.py] }\n', { workspaceRoot: root });
    assert.equal(r.ok, false);
    const hintOf = (section: string) => r.diagnostics.find((d) => d.message === `Missing required setting "${section}".`)?.hint ?? '';
    assert.match(hintOf('agents'), /agents: \[\{ id: solver, prompt: prompts\/solver\.md \}\]/);
    assert.match(hintOf('tasks'), /tasks: \{ file: tasks\.jsonl \}/);
    assert.match(hintOf('evaluator'), /evaluator: \{ type: exact \}; the types are exact, choice, contains-all, regex, numeric, llm-judge and command/);
    assert.match(hintOf('llm'), /llm: \{ executor: \{ baseUrl: /);
  });

  it('checks references to agents and keeps paths inside the workspace', () => {
    const r = parseConfig(valid.replace('roles: [proposer, skeptic]', 'roles: [proposer, skeptik]').replace('file: tasks.jsonl', 'file: ../../etc/passwd'), { workspaceRoot: root });
    assert.equal(r.ok, false);
    const ref = r.diagnostics.find((d) => d.path === 'mas.roles.1')!;
    assert.equal(ref.hint, 'Did you mean "skeptic"?');
    assert.ok(r.diagnostics.some((d) => d.path === 'tasks.file' && /outside the workspace/.test(d.message)));
  });

  it('warns about prompt files that do not exist', () => {
    const r = parseConfig(valid, { workspaceRoot: root, fileExists: (p) => !p.endsWith('proposer.prompt.md') });
    assert.ok(r.ok);
    assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.path]), [['warning', 'agents.0.prompt']]);
  });

  it('reports YAML syntax errors with positions and never throws on garbage', () => {
    for (const text of ['agents: [unclosed', '\u0000\u0001binary', '', '- a\n- b', 'agents: 3']) {
      const r = parseConfig(text, { workspaceRoot: root });
      assert.equal(r.ok, false, text);
      assert.ok(r.diagnostics.length > 0 && r.diagnostics.every((d) => d.line >= 0 && d.message), text);
    }
  });
});

describe('truce.yaml evaluator section', () => {
  it('validates the evaluator with the evaluator schema and names the bad key', () => {
    const r = parseConfig(valid.replace('  type: choice', '  type: choice\n  leters: ABCD'), { workspaceRoot: root });
    assert.equal(r.ok, false);
    const d = r.diagnostics.find((x) => x.path === 'evaluator.leters')!;
    assert.ok(d, JSON.stringify(r.diagnostics));
    assert.equal(d.hint, 'Did you mean "letters"?');
  });
});

describe('truce.yaml keeps secrets and outside files out', () => {
  const commandMas = (env: string) => valid.replace(/mas:\n[\s\S]*?\ntasks:/, `mas:\n  kind: command\n  argv: [python, team.py]\n  env: ${env}\ntasks:`);

  it('refuses an apiKeyEnv that is not a variable name, without repeating it, and says to put the name there', () => {
    const r = parseConfig(valid.replace('    model: llama3.1', '    model: llama3.1\n    apiKeyEnv: sk-proj-SECRET123'), { workspaceRoot: root });
    assert.equal(r.ok, false);
    const d = r.diagnostics.find((x) => x.path === 'llm.executor.apiKeyEnv')!;
    assert.ok(d, JSON.stringify(r.diagnostics));
    assert.equal(d.severity, 'error');
    assert.match(d.message, /name of an environment variable/);
    assert.match(d.hint ?? '', /apiKeyEnv: OPENAI_API_KEY/);
    assert.doesNotMatch(JSON.stringify(r.diagnostics), /SECRET123/);
    for (const name of ['OPENAI_API_KEY', '_KEY', 'key2']) {
      assert.ok(parseConfig(valid.replace('    model: llama3.1', `    model: llama3.1\n    apiKeyEnv: ${name}`), { workspaceRoot: root }).ok, name);
    }
    assert.equal(parseConfig(valid.replace('    model: llama3.1', '    model: llama3.1\n    apiKeyEnv: 2KEY'), { workspaceRoot: root }).ok, false);
  });

  it('refuses a base URL with a user name or password, showing it with the credentials hidden', () => {
    const r = parseConfig(valid.replace('http://127.0.0.1:11434/v1', 'http://u:pw-SECRET123@127.0.0.1:18080/v1'), { workspaceRoot: root });
    assert.equal(r.ok, false);
    const d = r.diagnostics.find((x) => x.path === 'llm.executor.baseUrl')!;
    assert.ok(d, JSON.stringify(r.diagnostics));
    assert.match(d.message, /user name or password \(http:\/\/\*\*\*@127\.0\.0\.1:18080\/v1\)/);
    assert.match(d.hint ?? '', /apiKeyEnv/);
    assert.doesNotMatch(JSON.stringify(r.diagnostics), /SECRET123|u:pw/);
  });

  it('warns about a secret written as a mas.env value, pointing at passEnv, without repeating it', () => {
    const r = parseConfig(commandMas('{ OPENAI_API_KEY: sk-env-SECRET123, MAS_MODEL: gpt-4o-mini, MAX_TOKENS: "4000" }'), { workspaceRoot: root });
    assert.ok(r.ok, 'a warning, not an error');
    assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.path]), [['warning', 'mas.env.OPENAI_API_KEY']]);
    assert.match(r.diagnostics[0].hint ?? '', /mas\.passEnv/);
    assert.doesNotMatch(JSON.stringify(r.diagnostics), /SECRET123/);
    // A key's shape gives it away under any name; a long value under a key-like name too.
    const shaped = parseConfig(commandMas('{ SETTINGS: "ghp_abcdefghijklmnopqrstuvwxyz0123456789", DB_PASSWORD: hunter2hunter2 }'), { workspaceRoot: root });
    assert.deepEqual(shaped.diagnostics.map((d) => d.path), ['mas.env.SETTINGS', 'mas.env.DB_PASSWORD']);
  });

  it('keeps demo.world inside the workspace and reports a missing one', () => {
    for (const world of ['/etc/shadow', '../../etc/passwd']) {
      const r = parseConfig(`${valid}demo: { world: ${world} }\n`, { workspaceRoot: root });
      assert.equal(r.ok, false, world);
      assert.ok(r.diagnostics.some((d) => d.path === 'demo.world' && d.severity === 'error' && /outside the workspace/.test(d.message)), JSON.stringify(r.diagnostics));
    }
    const missing = parseConfig(`${valid}demo: { world: demo-world.yaml }\n`, { workspaceRoot: root, fileExists: (p) => !p.endsWith('demo-world.yaml') });
    assert.deepEqual(missing.diagnostics.map((d) => [d.severity, d.path]), [['warning', 'demo.world']]);
  });
});
