import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { assemblePrompt } from '../../../src/core/mas/assemblePrompt';
import { MasSetupError } from '../../../src/core/mas/errors';
import { loadPromptSet, promptSetHash } from '../../../src/core/mas/loadPromptSet';

const example = (path: string) => readFileSync(`examples/debate-mas/${path}`, 'utf8');

describe('mas/assemblePrompt', () => {
  it('keeps a Markdown prompt’s structure and drops front matter and lock comments', () => {
    const text = [
      '---',
      'truce-agent: planner',
      'kind: role',
      '---',
      '',
      '# Planner',
      '',
      'You are the planner.',
      '',
      '## Rules',
      '',
      '- Plan first.',
      '<!-- truce:lock -->',
      '- Never invent sources.',
      '- Keep it short. <!-- truce:lock -->',
      '',
    ].join('\n');
    const prompt = assemblePrompt({ file: 'prompts/planner.md', text, agentId: 'planner' });
    assert.equal(prompt, '# Planner\n\nYou are the planner.\n\n## Rules\n\n- Plan first.\n- Never invent sources.\n- Keep it short.');
  });

  it('assembles the real example prompts: Markdown with a lock, YAML sections, Prompty system block', () => {
    const proposer = assemblePrompt({ file: 'prompts/proposer.md', text: example('prompts/proposer.md'), agentId: 'proposer' });
    assert.ok(proposer.startsWith('# Proposer\n\nYou are the proposer'));
    assert.ok(!proposer.includes('truce:lock') && !proposer.includes('kind: role'));
    assert.match(proposer, /- Before adding new points.*\n- Switch to another answer/);
    assert.match(proposer, /## Reply format\n\n1\. Answer:/);

    const skeptic = assemblePrompt({ file: 'agents.yaml', text: example('agents.yaml'), agentId: 'skeptic', section: 'skeptic' });
    assert.equal(
      skeptic,
      [
        'Role: Skeptic',
        '',
        '## Rules',
        '',
        "- Go after the weakest step of the proposer's argument rather than its conclusion.",
        '- Quote the sentence you disagree with before you explain what is wrong with it.',
        '- If you find no real flaw, say so plainly instead of inventing one.',
        "- Do not put forward an answer of your own; your job is to test the proposer's.",
      ].join('\n'),
    );
    const aggregator = assemblePrompt({ file: 'agents.yaml', text: example('agents.yaml'), agentId: 'agg', section: 'aggregator' });
    assert.ok(aggregator.startsWith('Role: Round aggregator\n\n## Rules\n\n- Condense round {round}'));
    assert.ok(!aggregator.includes('Skeptic'));

    const judge = assemblePrompt({ file: 'prompts/judge.prompty', text: example('prompts/judge.prompty'), agentId: 'judge' });
    assert.ok(judge.startsWith('You are the judge of a debate'));
    assert.match(judge, /# Output\n\n- Finish with one line/);
    assert.ok(!judge.includes('{{state}}') && !judge.includes('name: judge') && !judge.includes('system:'), 'user block and front matter are not part of the system prompt');
  });

  it('renders YAML agents with goal/backstory and nested fields as readable Markdown, config keys left out', () => {
    const text = [
      'writer:',
      '  role: Writer',
      '  goal: Write the final answer',
      '  llm: gpt-4o',
      '  max_iter: 5',
      '  backstory: |',
      '    You have written for newspapers.',
      '    <!-- truce:lock -->',
      '    You never pad.',
      '  rules:',
      '    # truce:lock',
      '    - Cite every number.',
      '    - "Use {audience} language."',
      '  style:',
      '    tone: plain',
      '    avoid:',
      '      - jargon',
      'critic:',
      '  role: Critic',
    ].join('\n');
    const prompt = assemblePrompt({ file: 'crew/agents.yaml', text, agentId: 'writer', section: 'writer' });
    assert.equal(
      prompt,
      [
        'Role: Writer',
        'Goal: Write the final answer',
        '',
        '## Backstory',
        '',
        'You have written for newspapers.',
        'You never pad.',
        '',
        '## Rules',
        '',
        '- Cite every number.',
        '- Use {audience} language.',
        '',
        '## Style',
        '',
        '### Tone',
        '',
        'plain',
        '',
        '### Avoid',
        '',
        '- jargon',
      ].join('\n'),
    );
  });

  it('reads a one-agent YAML file, a list of agents, and a Markdown file with # Agent: sections', () => {
    const single = assemblePrompt({ file: 'solver.yaml', text: 'llm:\n  model: x\nrole: Solver\nrules:\n  - Show the work.\n', agentId: 'solver' });
    assert.equal(single, 'Role: Solver\n\n## Rules\n\n- Show the work.');

    const list = '- id: a\n  rules:\n    - Rule of a.\n- id: b\n  rules:\n    - Rule of b.\n';
    assert.equal(assemblePrompt({ file: 'team.yaml', text: list, agentId: 'b', section: 'b' }), '## Rules\n\n- Rule of b.');

    const markdown = '# Agent: alpha\n\nYou are alpha.\n\n- Rule A.\n\n# Agent: beta\n\nYou are beta.\n\n## Rules\n\n- Rule B.\n';
    assert.equal(assemblePrompt({ file: 'team.md', text: markdown, agentId: 'beta', section: 'beta' }), 'You are beta.\n\n## Rules\n\n- Rule B.');
    assert.equal(assemblePrompt({ file: 'team.md', text: markdown, agentId: 'alpha', section: 'alpha' }), 'You are alpha.\n\n- Rule A.');
  });

  it('normalises CRLF line endings', () => {
    const prompt = assemblePrompt({ file: 'p.md', text: '# P\r\n\r\n- One.\r\n<!-- truce:lock -->\r\n- Two.\r\n', agentId: 'p' });
    assert.equal(prompt, '# P\n\n- One.\n- Two.');
  });

  it('names the file and the agents it does define when the agent or section is missing', () => {
    const call = () => assemblePrompt({ file: 'agents.yaml', text: example('agents.yaml'), agentId: 'judge', section: 'jduge' });
    assert.throws(call, (e: unknown) => {
      assert.ok(e instanceof MasSetupError);
      assert.match(e.message, /agents\.yaml has no agent "jduge"; it defines "skeptic", "aggregator"/);
      return true;
    });
    assert.throws(() => assemblePrompt({ file: 'agents.yaml', text: example('agents.yaml'), agentId: 'judge' }), /Set `section` on agent "judge"/);
  });
});

describe('mas/loadPromptSet', () => {
  const agents = [
    { id: 'proposer', kind: 'role' as const, prompt: 'prompts/proposer.md' },
    { id: 'skeptic', kind: 'role' as const, prompt: 'agents.yaml', section: 'skeptic' },
    { id: 'aggregator', kind: 'aggregator' as const, prompt: 'agents.yaml', section: 'aggregator' },
  ];

  it('reads each file once and hashes the assembled prompts, not the bytes the model never sees', async () => {
    const reads: string[] = [];
    const files: Record<string, string> = { 'prompts/proposer.md': example('prompts/proposer.md'), 'agents.yaml': example('agents.yaml') };
    const reader = (file: string) => {
      reads.push(file);
      return files[file];
    };
    const set = await loadPromptSet({ agents }, reader);
    assert.deepEqual(reads.sort(), ['agents.yaml', 'prompts/proposer.md']);
    assert.deepEqual(Object.keys(set.agents), ['proposer', 'skeptic', 'aggregator']);
    assert.equal(set.agents.skeptic.fileText, files['agents.yaml']);
    assert.equal(set.agents.skeptic.file, 'agents.yaml');
    assert.match(set.hash, /^[0-9a-f]{64}$/);
    assert.equal(set.hash, promptSetHash(set.agents));

    const relocked = await loadPromptSet({ agents }, (f) => (f === 'agents.yaml' ? files[f].replace('    # truce:lock\n', '') : files[f]));
    assert.equal(relocked.hash, set.hash, 'removing a lock comment does not change what the agents read');
    const edited = await loadPromptSet({ agents }, (f) => (f === 'agents.yaml' ? files[f].replace('at most five lines', 'at most three lines') : files[f]));
    assert.notEqual(edited.hash, set.hash);
  });

  it('reports an unreadable prompt file with the agent it belongs to', async () => {
    await assert.rejects(
      loadPromptSet({ agents }, () => {
        throw new Error('ENOENT');
      }),
      (e: unknown) => e instanceof MasSetupError && /prompts\/proposer\.md of agent "proposer": ENOENT/.test(e.message),
    );
  });
});
